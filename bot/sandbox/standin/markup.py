"""Text and keyboards as Telegram checks them: HTML / Markdown / MarkdownV2 into plain text and entities
(UTF-16 offsets, errors at UTF-8 byte offsets, like Telegram), and reply_markup validated where it matters.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.standin.protocol import BUTTON_ACTIONS, MAX_CALLBACK_DATA_BYTES, ParseError, bad


def u16(s: str) -> int:
    """Length in UTF-16 code units: Telegram (and PTB) count entity offsets this way."""
    return len(s.encode("utf-16-le")) // 2


def _byte_offset(s: str, index: int) -> int:
    """Telegram reports markup errors at UTF-8 byte offsets."""
    return len(s[:index].encode("utf-8"))


class _TextBuilder:
    """Accumulates rendered text while tracking its UTF-16 length for entity offsets."""

    __slots__ = ("parts", "u16")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.u16 = 0

    def add(self, s: str) -> None:
        if s:
            self.parts.append(s)
            self.u16 += u16(s)

    def text(self) -> str:
        return "".join(self.parts)


def _entity(kind: str, start: int, end: int, **extra: Any) -> dict[str, Any]:
    ent: dict[str, Any] = {"type": kind, "offset": start, "length": end - start}
    ent.update({k: v for k, v in extra.items() if v is not None})
    return ent


_HTML_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^>]*)?)\s*/?>")
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")
_HTML_ATTR_RE = re.compile(r"""([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def _parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Render Telegram-flavoured HTML; raise ParseError where Telegram would refuse it."""
    out = _TextBuilder()
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, dict[str, str]]] = []  # tag, start offset, attributes
    i, n = 0, len(src)
    while i < n:
        lt, amp = src.find("<", i), src.find("&", i)
        j = min(lt if lt >= 0 else n, amp if amp >= 0 else n)
        out.add(src[i:j])
        if j >= n:
            break
        if src[j] == "&":
            m = _HTML_ENTITY_RE.match(src, j)
            char = None
            if m:
                ref = m.group(1)
                if ref.startswith(("#x", "#X")):
                    char = chr(int(ref[2:], 16))
                elif ref.startswith("#"):
                    char = chr(int(ref[1:]))
                else:
                    char = _HTML_NAMED.get(ref)
            if m and char is not None:
                out.add(char)
                i = m.end()
            else:
                out.add("&")
                i = j + 1
            continue
        m = _HTML_TAG_RE.match(src, j)
        if not m:
            bad = re.match(r"</?([^\s>]*)", src[j:])
            name = bad.group(1) if bad else ""
            raise ParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, j)}')
        closing, name, attr_text = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {_byte_offset(src, j)}")
            tag, start, attrs = stack.pop()
            if tag != name:
                raise ParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
            _close_html_entity(tag, start, out.u16, attrs, stack, entities)
        else:
            attrs = {
                a.group(1).lower(): next(g for g in a.groups()[1:] if g is not None)
                for a in _HTML_ATTR_RE.finditer(attr_text)
            }
            if name not in _HTML_TAGS or (name == "span" and attrs.get("class") != "tg-spoiler"):
                raise ParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, j)}')
            stack.append((name, out.u16, attrs))
        i = m.end()
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), entities


def _close_html_entity(
    tag: str,
    start: int,
    end: int,
    attrs: dict[str, str],
    stack: list[tuple[str, int, dict[str, str]]],
    entities: list[dict[str, Any]],
) -> None:
    """Turn a closed HTML tag into an entity (``<pre><code class=language-x>`` -> pre+lang)."""
    if end <= start:
        return
    kind = _HTML_TAGS[tag]
    if tag == "code" and stack and stack[-1][0] == "pre":
        lang = attrs.get("class", "")
        if lang.startswith("language-"):
            stack[-1][2]["language"] = lang[len("language-") :]
        return
    if kind == "text_link":
        href = attrs.get("href")
        if not href:
            return
        if href.startswith("tg://user?id="):
            entities.append(_entity("text_mention", start, end))
            return
        entities.append(_entity(kind, start, end, url=href))
    elif kind == "pre":
        entities.append(_entity(kind, start, end, language=attrs.get("language")))
    elif kind == "custom_emoji":
        entities.append(_entity(kind, start, end, custom_emoji_id=attrs.get("emoji-id")))
    else:
        entities.append(_entity(kind, start, end))


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough"}
_MDV2_MARKERS["||"] = "spoiler"


def _find_code_end(src: str, i: int, delim: str) -> tuple[str, int]:
    """Scan a code/pre body (only ` and \\ are special there); return (body, end index)."""
    body: list[str] = []
    n = len(src)
    while i < n:
        if src[i] == "\\" and i + 1 < n:
            body.append(src[i + 1])
            i += 2
            continue
        if src.startswith(delim, i):
            return "".join(body), i + len(delim)
        body.append(src[i])
        i += 1
    raise ParseError("unclosed")


def _parse_markdown(src: str, *, v2: bool) -> tuple[str, list[dict[str, Any]]]:
    """Render MarkdownV2 (``v2=True``) or legacy Markdown; refuse what Telegram refuses.

    MarkdownV2 is strict: every reserved character outside an entity role must be escaped,
    which is the classic way real bots break (``"Ticket #12."`` fails), so this is checked.
    """
    out = _TextBuilder()
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, int]] = []  # marker, start offset, source index
    i, n = 0, len(src)
    line_start = True
    quote: dict[str, Any] | None = None
    while i < n:
        c = src[i]
        at_line_start, line_start = line_start, False
        if c == "\\" and i + 1 < n and (v2 or src[i + 1] in "_*`["):
            out.add(src[i + 1])
            i += 2
            continue
        if c == "`":
            delim = "```" if src.startswith("```", i) else "`"
            start_u16 = out.u16
            body_start = i + len(delim)
            try:
                if v2:
                    body, end = _find_code_end(src, body_start, delim)
                else:
                    close = src.index(delim, body_start)
                    body, end = src[body_start:close], close + len(delim)
            except (ParseError, ValueError):
                kind = "PreCode" if delim == "```" else "Code"
                raise ParseError(f"Can't find end of {kind} entity at byte offset {_byte_offset(src, i)}") from None
            language = None
            if delim == "```":
                first, sep, rest = body.partition("\n")
                if sep and first and " " not in first:
                    language, body = first, rest
                elif sep and not first:
                    body = rest
            out.add(body)
            if out.u16 > start_u16:
                kind = "pre" if delim == "```" else "code"
                entities.append(_entity(kind, start_u16, out.u16, language=language))
            i = end
            continue
        if c == "\n":
            if quote is not None:
                quote["length"] = out.u16 - quote["offset"]
                if not src.startswith(">", i + 1):
                    quote = None
            out.add(c)
            line_start = True
            i += 1
            continue
        if v2 and c == ">" and at_line_start:
            if quote is None:
                quote = _entity("blockquote", out.u16, out.u16)
                entities.append(quote)
            i += 1
            continue
        if c == "[":
            stack.append(("[", out.u16, i))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "[":
            _, start, src_i = stack.pop()
            if not src.startswith("(", i + 1):
                if v2:
                    raise ParseError("Character ']' is reserved and must be escaped with the preceding '\\'")
                out.add("]")  # legacy Markdown leaves a lone [text] as typed
                i += 1
                continue
            close = src.find(")", i + 2)
            if close < 0:
                raise ParseError(f"Can't find end of a url at byte offset {_byte_offset(src, i + 1)}")
            url = src[i + 2 : close].replace("\\)", ")").replace("\\\\", "\\")
            if out.u16 > start:
                kind = "text_mention" if url.startswith("tg://user?id=") else "text_link"
                extra = {} if kind == "text_mention" else {"url": url}
                entities.append(_entity(kind, start, out.u16, **extra))
            i = close + 1
            continue
        marker = None
        if v2:
            if src.startswith("__", i):
                marker = "__"
            elif src.startswith("||", i):
                marker = "||"
            elif c in "*_~":
                marker = c
        elif c in "*_":
            marker = c
        if marker is not None:
            if stack and stack[-1][0] == marker:
                _, start, _src_i = stack.pop()
                if out.u16 > start:
                    kind = _MDV2_MARKERS[marker]
                    entities.append(_entity(kind, start, out.u16))
            elif not v2 and stack:
                out.add(marker)  # legacy Markdown: no nesting, inner markers are literal
            else:
                stack.append((marker, out.u16, i))
            i += len(marker)
            continue
        if v2 and c in _MDV2_RESERVED:
            raise ParseError(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        out.add(c)
        i += 1
    if quote is not None:
        quote["length"] = out.u16 - quote["offset"]
    if stack:
        marker, _start, src_i = stack[-1]
        raise ParseError(f"Can't find end of the entity starting at byte offset {_byte_offset(src, src_i)}")
    entities = [e for e in entities if e["length"] > 0]
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), entities


def render_markup(text: str, parse_mode: str | None, given_entities: Any) -> tuple[str, list[dict[str, Any]]]:
    """What a Telegram client shows for ``text`` sent with ``parse_mode`` (or ``entities``)."""
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return _parse_html(text)
        if mode == "markdownv2":
            return _parse_markdown(text, v2=True)
        if mode == "markdown":
            return _parse_markdown(text, v2=False)
    except ParseError as exc:
        raise bad(f"can't parse entities: {exc}") from None
    if mode:
        raise bad(f"unsupported parse_mode {parse_mode!r}")
    return text, list(given_entities) if isinstance(given_entities, list) else []




def check_markup(markup: Any, *, inline_only: bool = False) -> dict | None:
    """Validate reply_markup as Telegram does where it matters (callback_data size)."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad("can't parse inline keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad("can't parse inline keyboard button: Text must be non-empty")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not (1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES):
                        raise bad("BUTTON_DATA_INVALID")
                elif not any(key in button for key in BUTTON_ACTIONS):
                    raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                url = button.get("url")
                if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                    raise bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        return markup
    if inline_only:
        raise bad("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else (button or {}).get("text")
                if not text:
                    raise bad("keyboard button text must be non-empty")
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad("can't parse reply keyboard markup JSON object")
