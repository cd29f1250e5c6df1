"""An in-process stand-in for the Telegram Bot API, served over real HTTP on 127.0.0.1.

Why it exists: the help-desk bot is a plain python-telegram-bot (PTB) ``Application``. To test
it end to end, to let newcomers chat with it in a terminal (``helpdesk sandbox``) and to load
and soak test it, we need something that speaks the Bot API exactly as Telegram does, without
a network, a token or rate limits. Mocking ``Bot`` methods would skip PTB's request encoding,
response parsing, error mapping and the updater's long-poll/offset logic, which is where many
real bugs live, so this stand-in is a real aiohttp HTTP server and PTB talks to it unmodified.

Usage::

    async with BotApiStandIn() as tg:
        app = (
            ApplicationBuilder()
            .token(tg.token)
            .base_url(tg.base_url)
            .base_file_url(tg.base_file_url)
            .build()
        )
        ...  # add handlers
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)

        alice = FakeUser(1001, "Alice")
        n = len(tg.messages_to(alice.id))
        tg.send_text(alice, "/start")                     # push an update as the user
        msgs = await tg.wait_for_messages(alice.id, n + 1)  # event-driven, no sleeping
        assert "Welcome" in msgs[-1].text
        tg.press(alice, msgs[-1], "Report a fault")       # press an inline button
        await tg.wait_idle(application=app)               # bulk: until PTB processed it all

What the user sees is recorded as :class:`SentMessage` objects (``tg.sent``,
``tg.messages_to(chat_id)``); ``text``/``caption`` there are the *rendered* strings (HTML or
MarkdownV2 markup removed, like a Telegram client shows them), the markup as sent is kept in
``raw_text``/``raw_caption``. Failures are simulated with :meth:`BotApiStandIn.block`,
:meth:`BotApiStandIn.inject_error`, :meth:`BotApiStandIn.inject_disconnect` and
:meth:`BotApiStandIn.set_error_rate`.

All ``push``/``send_*``/``press`` helpers are synchronous and must be called from the event
loop thread the stand-in runs on (use ``loop.call_soon_threadsafe`` from other threads).

Many simulated users at once (load tests): :meth:`BotApiStandIn.wait_for` re-checks every
waiter on every event, which costs O(users²). :meth:`BotApiStandIn.next_message` and
:meth:`BotApiStandIn.wait_for_chat` are woken only by changes to their own chat. Every pushed
update's ``time.perf_counter()`` is kept in ``pushed_at`` (and when getUpdates first handed it
out in ``delivered_at``), every bot message's in ``SentMessage.received_at``, so reply latency
can be measured where the user would see it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import mimetypes
import random
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["FAULTY_METHODS", "BotApiStandIn", "FakeUser", "SentMessage"]

_LOGGER = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

#: Update types Telegram does not deliver unless explicitly listed in ``allowed_updates``.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

#: Parameters that are always plain strings. PTB sends every non-string value JSON-encoded
#: and strings verbatim, so everything else is decoded with ``json.loads``; these must not be,
#: or a message text like ``"123"`` or ``"true"`` would turn into a number or a bool.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "file_id",
        "inline_message_id",
        "action",
        "language_code",
        "business_connection_id",
        "message_effect_id",
        "description",
        "short_description",
        "name",
        "secret_token",
        "ip_address",
        "photo",
        "document",
        "emoji",
        "title",
    }
)

#: What ``set_error_rate(methods=None)`` fails: the calls a conversation makes.
FAULTY_METHODS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "deleteMessage",
        "answerCallbackQuery",
        "sendPhoto",
        "sendDocument",
        "sendChatAction",
        "getFile",
    }
)

_BUTTON_ACTIONS = (
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)

_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,})?")
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def _resolve(waiters: Iterable[tuple[Callable[[], bool], asyncio.Future[None]]]) -> None:
    """Resolve each waiting future whose predicate holds now (or fails: then with its exception)."""
    for predicate, fut in list(waiters):
        if fut.done():
            continue
        try:
            ok = predicate()
        except Exception as exc:
            fut.set_exception(exc)
            continue
        if ok:
            fut.set_result(None)


async def _wait_in(waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]], predicate: Callable[[], bool],
                   timeout: float, what: str) -> None:
    """Wait, listed in `waiters`, until `predicate()` holds (see `_resolve`); AssertionError on timeout."""
    if predicate():
        return
    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    entry = (predicate, fut)
    waiters.append(entry)
    try:
        await asyncio.wait_for(fut, timeout)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None
    finally:
        with contextlib.suppress(ValueError):
            waiters.remove(entry)


class _ApiError(Exception):
    """A Bot API error answer; raised inside method handlers, turned into the JSON reply."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


class _ParseError(Exception):
    """Text markup (HTML/Markdown) that Telegram would refuse with 'can't parse entities'."""


# --------------------------------------------------------------------------------------------
# Text rendering: parse_mode markup -> (plain text, entities), validated like Telegram
# --------------------------------------------------------------------------------------------


def _u16(s: str) -> int:
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
            self.u16 += _u16(s)

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
    """Render Telegram-flavoured HTML; raise _ParseError where Telegram would refuse it."""
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
            raise _ParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, j)}')
        closing, name, attr_text = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            if not stack:
                raise _ParseError(f"Unexpected end tag at byte offset {_byte_offset(src, j)}")
            tag, start, attrs = stack.pop()
            if tag != name:
                raise _ParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
            _close_html_entity(tag, start, out.u16, attrs, stack, entities)
        else:
            attrs = {
                a.group(1).lower(): next(g for g in a.groups()[1:] if g is not None)
                for a in _HTML_ATTR_RE.finditer(attr_text)
            }
            if name not in _HTML_TAGS or (name == "span" and attrs.get("class") != "tg-spoiler"):
                raise _ParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, j)}')
            stack.append((name, out.u16, attrs))
        i = m.end()
    if stack:
        raise _ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
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
    raise _ParseError("unclosed")


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
            except (_ParseError, ValueError):
                kind = "PreCode" if delim == "```" else "Code"
                raise _ParseError(f"Can't find end of {kind} entity at byte offset {_byte_offset(src, i)}") from None
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
                    raise _ParseError("Character ']' is reserved and must be escaped with the preceding '\\'")
                out.add("]")  # legacy Markdown leaves a lone [text] as typed
                i += 1
                continue
            close = src.find(")", i + 2)
            if close < 0:
                raise _ParseError(f"Can't find end of a url at byte offset {_byte_offset(src, i + 1)}")
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
            raise _ParseError(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        out.add(c)
        i += 1
    if quote is not None:
        quote["length"] = out.u16 - quote["offset"]
    if stack:
        marker, _start, src_i = stack[-1]
        raise _ParseError(f"Can't find end of the entity starting at byte offset {_byte_offset(src, src_i)}")
    entities = [e for e in entities if e["length"] > 0]
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), entities


def _render(text: str, parse_mode: str | None, given_entities: Any) -> tuple[str, list[dict[str, Any]]]:
    """What a Telegram client shows for ``text`` sent with ``parse_mode`` (or ``entities``)."""
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return _parse_html(text)
        if mode == "markdownv2":
            return _parse_markdown(text, v2=True)
        if mode == "markdown":
            return _parse_markdown(text, v2=False)
    except _ParseError as exc:
        raise _bad(f"can't parse entities: {exc}") from None
    if mode:
        raise _bad(f"unsupported parse_mode {parse_mode!r}")
    return text, list(given_entities) if isinstance(given_entities, list) else []


# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeUser:
    """A person in the simulated chat; their private chat with the bot has ``id == user.id``."""

    id: int
    first_name: str
    language_code: str | None = "en"
    username: str | None = None
    last_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The Bot API ``User`` object for this person."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    def private_chat(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object of this person's private chat with the bot."""
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        return chat


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent, as the user sees it; edits and deletion update it in place.

    ``text``/``caption`` are rendered (markup removed); ``raw_text``/``raw_caption`` keep what
    the bot sent. ``photo``/``document`` are the bytes whenever the stand-in knows them (an
    upload or a known file_id); ``photo`` is the URL string when the bot sent a URL.
    """

    chat_id: int
    message_id: int
    method: str
    text: str | None = None
    caption: str | None = None
    reply_markup: dict | None = None
    parse_mode: str | None = None
    photo: bytes | str | None = None
    document: bytes | None = None
    document_name: str | None = None
    edits: list[dict] = field(default_factory=list)
    raw_text: str | None = None
    raw_caption: str | None = None
    entities: list[dict] = field(default_factory=list)
    date: int = 0
    edit_date: int | None = None
    reply_to_message_id: int | None = None
    deleted: bool = False
    file_id: str | None = None
    document_mime_type: str | None = None
    #: the Telegram media object(s) (photo size list or Document dict) returned to the bot
    attachment: Any = field(default=None, repr=False)
    #: ``time.perf_counter()`` when the stand-in received the message (for latency figures)
    received_at: float = field(default=0.0, repr=False)
    #: ``time.perf_counter()`` of the latest edit or deletion, None if never changed
    changed_at: float | None = field(default=None, repr=False)

    @property
    def removed_keyboard(self) -> bool:
        """Whether this message told the client to hide the reply keyboard."""
        return bool(self.reply_markup and self.reply_markup.get("remove_keyboard"))

    @property
    def shown_text(self) -> str:
        """Text or caption, whichever the message has; handy for printing and asserting."""
        return self.text if self.text is not None else (self.caption or "")

    def _inline_buttons(self) -> list[list[dict]]:
        markup = self.reply_markup or {}
        return markup.get("inline_keyboard") or []

    def buttons(self) -> list[list[str]]:
        """Button texts row by row: the inline keyboard, else the reply keyboard, else []."""
        inline = self._inline_buttons()
        if inline:
            return [[b.get("text", "") for b in row] for row in inline]
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in rows]

    def callback_data(self, text: str) -> str:
        """callback_data of the inline button labelled ``text`` (exact, else unique substring).

        Raises KeyError listing the buttons, so a failing test shows what was on screen.
        """
        candidates = [b for row in self._inline_buttons() for b in row if "callback_data" in b]
        for b in candidates:
            if b.get("text") == text:
                return b["callback_data"]
        partial = [b for b in candidates if text in b.get("text", "")]
        if len(partial) == 1:
            return partial[0]["callback_data"]
        what = "ambiguous" if partial else "no"
        raise KeyError(
            f"{what} inline button {text!r} on message {self.message_id} in chat "
            f"{self.chat_id}; buttons: {self.buttons()}"
        )

    def describe(self) -> str:
        """One line for assertion messages and logs."""
        body = self.shown_text.replace("\n", " ⏎ ")
        if len(body) > 120:
            body = body[:117] + "..."
        extra = f" buttons={self.buttons()}" if self.buttons() else ""
        gone = " (deleted)" if self.deleted else ""
        return f"#{self.message_id} {self.method}: {body!r}{extra}{gone}"


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_size: int
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class _Fault:
    kind: str  # "error" | "drop" | "timeout"
    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None


# --------------------------------------------------------------------------------------------
# The stand-in server
# --------------------------------------------------------------------------------------------


class BotApiStandIn:
    """A Telegram Bot API server on 127.0.0.1 that PTB can poll and call unmodified.

    Tests push updates as users (``send_text``, ``press`` ...), the bot fetches them with
    getUpdates exactly as from Telegram, and everything it sends is recorded as
    :class:`SentMessage`. Waiting is event driven (futures resolved on state changes), so tests
    never sleep.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "helpdesk_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        max_file_size: int = 20 * 1024 * 1024,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.host = host
        self.port = port
        self.max_file_size = max_file_size

        self.sent: list[SentMessage] = []
        self.callback_answers: list[dict] = []
        self.requests: list[tuple[str, dict]] = []
        self.commands: list[dict] = []
        self.menu_buttons: dict[int | None, dict] = {}
        self.on_message: Callable[[SentMessage], None] | None = None
        #: every update pushed so far, by update_id (to look up e.g. a user's file_id)
        self.updates: dict[int, dict] = {}
        #: update_id -> ``time.perf_counter()`` when it was pushed (made available to getUpdates)
        self.pushed_at: dict[int, float] = {}
        #: update_id -> ``time.perf_counter()`` when getUpdates first handed it to the bot
        self.delivered_at: dict[int, float] = {}

        self._runner: web.AppRunner | None = None
        self._closing = False
        self._update_ids = itertools.count(1)
        self._last_update_id = 0
        self._pending: deque[dict] = deque()
        self._allowed_updates: frozenset[str] | None = None
        self._pollers: list[asyncio.Future[None]] = []
        self._chats: dict[int, dict] = {}
        self._blocked: set[int] = set()
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[int, dict[int, dict | SentMessage]] = {}
        self._by_chat: dict[int, list[SentMessage]] = {}
        self._keyboards: dict[int, dict | None] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callback_counter = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._faults: dict[str, deque[_Fault]] = {}
        self._error_rate = 0.0
        self._error_rng = random.Random(0)
        self._error_methods: frozenset[str] | None = None
        self._error_kinds: tuple[str, ...] = ("429", "500", "timeout", "drop")
        self._error_retry_after = 1
        self._error_hang = 0.05
        self._in_flight = 0
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._chat_waiters: dict[int, list[tuple[Callable[[], bool], asyncio.Future[None]]]] = {}
        self._callback_chats: dict[str, int] = {}

        self._methods: dict[str, Callable[[dict, dict], Any]] = {
            "getMe": self._get_me,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
            "close": self._true,
            "logOut": self._true,
        }
        self._canonical = {name.lower(): name for name in [*self._methods, "getUpdates"]}

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Bind the HTTP server; ``base_url`` is usable afterwards."""
        if self._runner is not None:
            return
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a long poll whose client went away must stop waiting, or a
        # later pushed update would be handed to a dead connection's handler.
        runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        """Release pending long polls and close the server."""
        if self._runner is None:
            return
        self._closing = True
        self._wake_pollers()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        self._require_started()
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``; PTB appends the token."""
        self._require_started()
        return f"http://{self.host}:{self.port}/file/bot"

    def _require_started(self) -> None:
        if self._runner is None:
            raise RuntimeError("BotApiStandIn is not started; call `await start()` first")

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's own ``User`` object (``from`` of every bot message)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Helpdesk Test Bot",
            "username": self.bot_username,
        }

    # ---------------------------------------------------------------- pushing updates

    def push_update(self, update: dict) -> int:
        """Queue a raw update for getUpdates; assigns ``update_id`` if missing, returns it."""
        update = dict(update)
        uid = update.get("update_id")
        if uid is None:
            uid = next(self._update_ids)
            update = {"update_id": uid, **update}
        elif uid <= self._last_update_id:
            raise ValueError(f"update_id {uid} is not above the last one ({self._last_update_id})")
        else:
            self._update_ids = itertools.count(uid + 1)
        self._last_update_id = uid
        self.updates[uid] = update
        self.pushed_at[uid] = time.perf_counter()
        kinds = [k for k in update if k != "update_id"]
        if len(kinds) != 1:
            raise ValueError(f"an update carries exactly one object, got {kinds}")
        for key in ("message", "edited_message"):
            if key in update:
                self._learn_raw_message(update[key])
        if "callback_query" in update:  # a delivered query may be answered once
            query = update["callback_query"]
            self._open_callbacks.add(str(query["id"]))
            chat_id = (query.get("message") or {}).get("chat", {}).get("id")
            if chat_id is not None:
                self._callback_chats[str(query["id"])] = chat_id
        allowed = self._allowed_updates
        kind = kinds[0]
        delivered = kind in allowed if allowed is not None else kind not in _OPT_IN_UPDATES
        if delivered:  # like Telegram: updates not allowed at creation time are never stored
            self._pending.append(update)
            self._wake_pollers()
        self._notify()
        return uid

    def _learn_raw_message(self, message: dict) -> None:
        """Make a raw pushed message's chat known and its id repliable."""
        chat = message["chat"]
        self._learn_chat(chat)
        mid = message.get("message_id")
        if isinstance(mid, int):
            self._messages.setdefault(chat["id"], {}).setdefault(mid, message)
            if self._next_message_id.get(chat["id"], 1) <= mid:
                self._next_message_id[chat["id"]] = mid + 1

    def send_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: dict | None = None,
        reply_to: int | None = None,
    ) -> int:
        """The user types ``text``; ``/commands`` get ``bot_command`` entities like Telegram."""
        content: dict[str, Any] = {"text": text}
        entities = [
            {"type": "bot_command", "offset": _u16(text[: m.start()]), "length": _u16(m[0])}
            for m in _COMMAND_RE.finditer(text)
        ]
        if entities:
            content["entities"] = entities
        return self._push_message(user, chat, content, reply_to=reply_to)

    def send_photo(
        self,
        user: FakeUser,
        *,
        caption: str | None = None,
        file_size: int = 50_000,
        media_group_id: str | None = None,
        content: bytes = b"<png bytes>",
        chat: dict | None = None,
    ) -> int:
        """The user sends a photo; its sizes are registered so getFile/download work.

        ``file_size`` is what Telegram reports (the largest size), independent of ``content``,
        so the 20 MB getFile limit can be exercised without allocating 20 MB.
        """
        payload: dict[str, Any] = {"photo": self._photo_sizes(content, file_size)}
        if caption is not None:
            payload["caption"] = caption
        if media_group_id is not None:
            payload["media_group_id"] = media_group_id
        return self._push_message(user, chat, payload)

    def send_sticker(self, user: FakeUser, *, chat: dict | None = None) -> int:
        """The user sends a (static) sticker."""
        f = self._register_file(b"RIFF-webp-sticker", "stickers", ".webp", size=20_000)
        sticker = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": f.file_size,
        }
        return self._push_message(user, chat, {"sticker": sticker})

    def send_voice(self, user: FakeUser, *, duration: int = 3, chat: dict | None = None) -> int:
        """The user sends a voice note."""
        f = self._register_file(b"OggS-voice", "voice", ".oga", size=12_000, mime="audio/ogg")
        voice = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": f.file_size,
        }
        return self._push_message(user, chat, {"voice": voice})

    def send_video(self, user: FakeUser, *, duration: int = 5, chat: dict | None = None) -> int:
        """The user sends a video."""
        f = self._register_file(b"mp4-video", "videos", ".mp4", size=900_000, mime="video/mp4")
        video = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "width": 1280,
            "height": 720,
            "duration": duration,
            "mime_type": "video/mp4",
            "file_size": f.file_size,
        }
        return self._push_message(user, chat, {"video": video})

    def send_document(
        self,
        user: FakeUser,
        file_name: str = "a.pdf",
        *,
        content: bytes = b"%PDF-1.4 stand-in",
        caption: str | None = None,
        chat: dict | None = None,
    ) -> int:
        """The user sends a file as a document."""
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        suffix = "." + file_name.rsplit(".", 1)[-1] if "." in file_name else ""
        f = self._register_file(content, "documents", suffix, name=file_name, mime=mime)
        payload: dict[str, Any] = {"document": self._document_object(f)}
        if caption is not None:
            payload["caption"] = caption
        return self._push_message(user, chat, payload)

    def send_location(
        self,
        user: FakeUser,
        *,
        latitude: float = 55.7558,
        longitude: float = 37.6173,
        chat: dict | None = None,
    ) -> int:
        """The user shares a location."""
        return self._push_message(user, chat, {"location": {"latitude": latitude, "longitude": longitude}})

    def send_contact(
        self,
        user: FakeUser,
        phone_number: str,
        *,
        contact_user_id: int | None = None,
        first_name: str | None = None,
        chat: dict | None = None,
    ) -> int:
        """The user shares a contact: by default their own (what a request_contact button sends)."""
        owner = user.id if contact_user_id is None else contact_user_id
        if first_name is None:
            first_name = user.first_name if owner == user.id else "Contact"
        contact = {"phone_number": phone_number, "first_name": first_name, "user_id": owner}
        return self._push_message(user, chat, {"contact": contact})

    def edit_text(self, user: FakeUser, message_id: int, new_text: str) -> int:
        """The user edits one of their own text messages: an ``edited_message`` update."""
        stored = self._messages.get(user.id, {}).get(message_id)
        if not (isinstance(stored, dict) and stored["from"]["id"] == user.id):
            stored = self._find_user_message(user, message_id)
        edited = {**stored, "text": new_text, "edit_date": int(time.time())}
        entities = [
            {"type": "bot_command", "offset": _u16(new_text[: m.start()]), "length": _u16(m[0])}
            for m in _COMMAND_RE.finditer(new_text)
        ]
        if entities:
            edited["entities"] = entities
        else:
            edited.pop("entities", None)
        # a new dict: the original update may not have been delivered yet and must not change
        self._messages[edited["chat"]["id"]][message_id] = edited
        return self.push_update({"edited_message": edited})

    def _find_user_message(self, user: FakeUser, message_id: int) -> dict:
        for chat_messages in self._messages.values():
            stored = chat_messages.get(message_id)
            if isinstance(stored, dict) and stored["from"]["id"] == user.id:
                return stored
        raise KeyError(f"user {user.id} has no message {message_id}")

    def press(self, user: FakeUser, message: SentMessage, button_text: str) -> int:
        """The user taps the inline button labelled ``button_text`` on ``message``."""
        if message.deleted:
            raise AssertionError(f"message {message.describe()} was deleted; nothing to press")
        data = message.callback_data(button_text)
        return self.press_data(user, message.message_id, data, chat_id=message.chat_id)

    def press_data(self, user: FakeUser, message_id: int, data: str, *, chat_id: int | None = None) -> int:
        """A callback query with arbitrary ``data`` (forged or stale buttons)."""
        cid = user.id if chat_id is None else chat_id
        chat = self._chats.get(cid)
        if chat is None:
            chat = user.private_chat() if cid == user.id else _group_chat(cid)
        self._learn_chat(chat)
        stored = self._messages.get(cid, {}).get(message_id)
        if stored is None or (isinstance(stored, SentMessage) and stored.deleted):
            message: dict[str, Any] = {"chat": chat, "message_id": message_id, "date": 0}
        else:
            message = self._api_message(stored)
        query_id = f"{self.bot_id}{next(self._callback_counter):012d}"
        return self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "message": message,
                    "chat_instance": f"ci{cid}",
                    "data": data,
                }
            }
        )

    def send_in_group(self, user: FakeUser, text: str, group_id: int = -100123) -> int:
        """``user`` writes ``text`` in a group chat the bot is a member of."""
        chat = self._chats.get(group_id) or _group_chat(group_id)
        return self.send_text(user, text, chat=chat)

    def _push_message(
        self,
        user: FakeUser,
        chat: dict | None,
        content: dict[str, Any],
        *,
        reply_to: int | None = None,
    ) -> int:
        chat = chat or user.private_chat()
        self._learn_chat(chat)
        cid = chat["id"]
        message: dict[str, Any] = {
            "message_id": self._new_message_id(cid),
            "from": user.to_dict(),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            target = self._messages.get(cid, {}).get(reply_to)
            if target is None:
                raise KeyError(f"no message {reply_to} in chat {cid} to reply to")
            message["reply_to_message"] = self._api_message(target, nested=False)
        self._messages.setdefault(cid, {})[message["message_id"]] = message
        return self.push_update({"message": message})

    # ---------------------------------------------------------------- reading results

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Everything the bot sent to ``chat_id``, oldest first (deleted ones flagged)."""
        return list(self._by_chat.get(chat_id, ()))

    def message_count(self, chat_id: int) -> int:
        """How many messages the bot sent to ``chat_id``: ``len(messages_to(...))`` without the copy."""
        return len(self._by_chat.get(chat_id, ()))

    def last_to(self, chat_id: int) -> SentMessage:
        """The newest message the bot sent to ``chat_id``."""
        msgs = self._by_chat.get(chat_id)
        if not msgs:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}; {self._overview()}")
        return msgs[-1]

    def current_keyboard(self, chat_id: int) -> list[list[str]] | None:
        """The reply keyboard the user currently sees in ``chat_id`` (None if hidden)."""
        markup = self._keyboards.get(chat_id)
        if not markup:
            return None
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in markup.get("keyboard", [])]

    def file_content(self, file_id: str) -> bytes:
        """Bytes behind a file_id the stand-in knows (user media or bot uploads)."""
        return self._files[file_id].content

    @property
    def pending_updates(self) -> int:
        """Pushed updates not yet confirmed by the bot via getUpdates' offset."""
        return len(self._pending)

    def _overview(self) -> str:
        chats = ", ".join(f"{cid}: {len(m)}" for cid, m in self._by_chat.items()) or "none"
        return f"messages per chat: {chats}"

    # ---------------------------------------------------------------- waiting

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0, *, what: str = "condition") -> None:
        """Wait until ``predicate()`` holds; re-checked on every state change, never polled."""
        await _wait_in(self._waiters, predicate, timeout, what)

    async def wait_for_chat(
        self, chat_id: int, predicate: Callable[[], bool], timeout: float = 5.0, *, what: str = "condition"
    ) -> None:
        """Like :meth:`wait_for`, but re-checked only when ``chat_id`` changes: cheap with many users.

        A change is a new bot message in the chat, an edit or deletion of one, or an answer to a
        callback query pressed in it; nothing else wakes the waiter, so the predicate must depend
        on this chat alone.
        """
        waiters = self._chat_waiters.setdefault(chat_id, [])
        try:
            await _wait_in(waiters, predicate, timeout, f"{what} in chat {chat_id}")
        finally:
            if not waiters and self._chat_waiters.get(chat_id) is waiters:
                del self._chat_waiters[chat_id]

    async def next_message(
        self,
        chat_id: int,
        after: int = 0,
        match: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,
    ) -> SentMessage:
        """The first bot message to ``chat_id`` from index ``after`` on that ``match``es (any if None).

        Pattern: ``n = len(tg.messages_to(c)); tg.send_text(...); m = await tg.next_message(c, n)``.
        Only this chat's changes wake the waiter (see :meth:`wait_for_chat`); an edit counts,
        so ``match`` may look for a button that an edit adds.
        """
        found: list[SentMessage] = []

        def arrived() -> bool:
            messages = self._by_chat.get(chat_id, ())
            for m in itertools.islice(messages, after, None):
                if match is None or match(m):
                    found.append(m)
                    return True
            return False

        try:
            await self.wait_for_chat(chat_id, arrived, timeout, what=f"a message from #{after} on")
        except AssertionError as exc:
            listing = "\n".join(f"  {m.describe()}" for m in self._by_chat.get(chat_id, ())[after:])
            raise AssertionError(f"{exc}; got:\n{listing or '  (nothing)'}") from None
        return found[0]

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 5.0) -> list[SentMessage]:
        """Wait until at least ``count`` bot messages exist in ``chat_id``; return all of them.

        Pattern: ``n = len(tg.messages_to(c)); tg.send_text(...);
        msgs = await tg.wait_for_messages(c, n + 1)`` then look at ``msgs[n:]``.
        """
        try:
            await self.wait_for(
                lambda: len(self._by_chat.get(chat_id, ())) >= count,
                timeout,
                what=f"{count} messages to chat {chat_id}",
            )
        except AssertionError as exc:
            listing = "\n".join(f"  {m.describe()}" for m in self._by_chat.get(chat_id, ()))
            raise AssertionError(f"{exc}; got:\n{listing or '  (nothing)'}") from None
        return self.messages_to(chat_id)

    async def wait_for_answer(self, count: int, timeout: float = 5.0) -> list[dict]:
        """Wait until at least ``count`` answerCallbackQuery calls arrived; return them all."""
        await self.wait_for(
            lambda: len(self.callback_answers) >= count,
            timeout,
            what=f"{count} callback answers (have {len(self.callback_answers)})",
        )
        return list(self.callback_answers)

    async def wait_until_consumed(self, timeout: float = 5.0) -> None:
        """Wait until the bot fetched every pushed update and confirmed it via ``offset``."""
        await self.wait_for(lambda: not self._pending, timeout, what="the bot to confirm all pushed updates")

    async def wait_idle(self, timeout: float = 5.0, *, application: Any = None, settle: int = 50) -> None:
        """Wait until the bot is done with everything pushed so far.

        With ``application`` (a PTB ``Application``) this is exact for ordinary handlers: all
        updates confirmed, PTB's ``update_queue`` fully processed (``join()``; PTB calls
        ``task_done`` after each handler run) and no request in flight. Without it, the server
        can only see requests, so "no pending update and no request in flight" must hold across
        ``settle`` event-loop turns, a heuristic that fails for handlers slower than that.
        Work in ``block=False`` handlers, jobs or threads is invisible either way.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def idle() -> bool:
            return not self._pending and self._in_flight == 0

        while True:
            await self.wait_until_consumed(max(0.0, deadline - loop.time()))
            if application is not None:
                try:
                    await asyncio.wait_for(application.update_queue.join(), max(0.0, deadline - loop.time()))
                except TimeoutError:
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for the bot to process its updates"
                    ) from None
            await self.wait_for(idle, max(0.0, deadline - loop.time()), what="the bot to become idle")
            turns = 1 if application is not None else settle
            for _ in range(turns):
                await asyncio.sleep(0)
                if not idle():
                    break
            else:
                return

    def _notify(self) -> None:
        """Resolve waiters whose condition now holds."""
        _resolve(self._waiters)

    def _notify_chat(self, chat_id: int | None) -> None:
        """Resolve the waiters of one chat whose condition now holds (see :meth:`wait_for_chat`)."""
        if chat_id is not None:
            _resolve(self._chat_waiters.get(chat_id, ()))

    def _wake_pollers(self) -> None:
        pollers, self._pollers = self._pollers, []
        for fut in pollers:
            if not fut.done():
                fut.set_result(None)

    # ---------------------------------------------------------------- failure simulation

    def block(self, user_id: int) -> None:
        """The user blocks the bot: anything sent to their chat gets 403 Forbidden."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        self._blocked.discard(user_id)

    def inject_error(
        self,
        method: str,
        *,
        status: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Fail the next ``times`` calls of ``method`` (before Telegram would act on them).

        429 always carries ``parameters.retry_after`` (default 1) so PTB raises RetryAfter.
        """
        name = self._canonical.get(method.lower(), method)
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            if description == "Internal Server Error":
                description = f"Too Many Requests: retry after {retry_after}"
        fault = _Fault("error", status, description, retry_after)
        self._faults.setdefault(name, deque()).extend(fault for _ in range(times))

    def inject_disconnect(self, method: str, *, times: int = 1, after_processing: bool = False) -> None:
        """Close the connection without an answer on the next ``times`` calls of ``method``.

        With ``after_processing`` the call takes effect first (the message *is* sent) and only
        the answer is lost: the case that makes naive retries send duplicates.
        """
        name = self._canonical.get(method.lower(), method)
        fault = _Fault("timeout" if after_processing else "drop")
        self._faults.setdefault(name, deque()).extend(fault for _ in range(times))

    def set_error_rate(
        self,
        rate: float,
        *,
        seed: int = 0,
        methods: set[str] | None = None,
        kinds: Iterable[str] = ("429", "500", "timeout", "drop"),
        retry_after: int = 1,
        hang: float = 0.05,
    ) -> None:
        """Fail a random ``rate`` share of calls, reproducibly (``seed``).

        Kinds: ``"429"`` (RetryAfter ``retry_after``), ``"500"``, ``"drop"`` (connection closed
        before acting) and ``"timeout"`` (the call takes effect, then the server hangs ``hang``
        seconds and closes the connection without answering; a real read timeout would make
        tests slow). ``methods=None`` means the conversation methods (:data:`FAULTY_METHODS`:
        sending, editing, deleting, answering, getFile); start-up calls (getMe, deleteWebhook,
        setMyCommands ...) are spared so the bot can boot, and getUpdates too, because PTB
        answers a failed poll by pausing a second or more. Name any of them to include it.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        kinds = tuple(kinds)
        unknown = set(kinds) - {"429", "500", "timeout", "drop"}
        if unknown or not kinds:
            raise ValueError(f"unknown fault kinds {unknown or kinds}")
        self._error_rate = rate
        self._error_rng = random.Random(seed)
        self._error_methods = None if methods is None else frozenset(self._canonical.get(m.lower(), m) for m in methods)
        self._error_kinds = kinds
        self._error_retry_after = retry_after
        self._error_hang = hang

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if queue:
            return queue.popleft()
        if self._error_rate <= 0.0:
            return None
        if method not in (self._error_methods or FAULTY_METHODS):
            return None
        if self._error_rng.random() >= self._error_rate:
            return None
        kind = self._error_rng.choice(self._error_kinds)
        if kind == "429":
            ra = self._error_retry_after
            return _Fault("error", 429, f"Too Many Requests: retry after {ra}", ra)
        if kind == "500":
            return _Fault("error", 500, "Internal Server Error")
        return _Fault(kind)

    # ---------------------------------------------------------------- HTTP layer

    @staticmethod
    def _reply(status: int, payload: dict[str, Any]) -> web.Response:
        return web.Response(status=status, body=json.dumps(payload), content_type="application/json")

    def _error_reply(self, status: int, description: str, retry_after: int | None = None) -> web.Response:
        payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            payload["parameters"] = {"retry_after": retry_after}
        return self._reply(status, payload)

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        """Close the connection so the client sees it lost without any answer."""
        transport = request.transport
        if transport is not None:
            transport.abort()
        return web.Response(status=500)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error_reply(401, "Unauthorized")
        method = self._canonical.get(request.match_info["method"].lower())
        if method is None:
            return self._error_reply(404, "Not Found: method not found")
        polling = method == "getUpdates"
        if not polling:
            self._in_flight += 1
        try:
            return await self._serve(request, method)
        except Exception:
            _LOGGER.exception("BotApiStandIn failed to handle %s", method)
            return self._error_reply(500, f"Internal Server Error: stand-in failed on {method}")
        finally:
            if not polling:
                self._in_flight -= 1
                self._notify()

    async def _serve(self, request: web.Request, method: str) -> web.StreamResponse:
        try:
            params, files = await self._read_params(request)
        except ValueError as exc:
            return self._error_reply(400, f"Bad Request: can't parse request: {exc}")
        logged = dict(params)
        for name, (filename, content, ctype) in files.items():
            logged[name] = {"filename": filename, "content_type": ctype, "size": len(content)}
        self.requests.append((method, logged))
        self._notify()

        fault = self._take_fault(method)
        if fault is not None and fault.kind == "error":
            return self._error_reply(fault.status, fault.description, fault.retry_after)
        if fault is not None and fault.kind == "drop":
            return self._drop(request)
        try:
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = self._methods[method](params, files)
        except _ApiError as exc:
            return self._error_reply(exc.status, exc.description, exc.retry_after)
        if fault is not None:  # "timeout": acted, then the answer never arrives
            await asyncio.sleep(self._error_hang)
            return self._drop(request)
        return self._reply(200, {"ok": True, "result": result})

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]]]:
        """Decode PTB's form/multipart (or a JSON body / query string) into typed params."""
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes, str]] = {}
        for key, value in request.query.items():
            params[key] = _decode_param(key, value)
        if request.method != "POST" or not request.can_read_body:
            return params, files
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = (
                    value.filename or key,
                    value.file.read(),
                    value.content_type or "application/octet-stream",
                )
            else:
                params[key] = _decode_param(key, value)
        return params, files

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error_reply(401, "Unauthorized")
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return self._error_reply(404, "Not Found")
        self.requests.append(("downloadFile", {"file_path": stored.file_path}))
        return web.Response(body=stored.content, content_type="application/octet-stream")

    # ---------------------------------------------------------------- getUpdates

    async def _get_updates(self, p: dict) -> list[dict]:
        offset = _int(p.get("offset"), 0)
        limit = min(max(_int(p.get("limit"), 100), 1), 100)
        timeout = max(_float(p.get("timeout"), 0.0), 0.0)
        allowed = p.get("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise _bad("can't parse allowed_updates")
            self._allowed_updates = frozenset(allowed) if allowed else None
        self._confirm(offset)
        if self._pollers:  # like Telegram: a newer getUpdates terminates the waiting one
            stale, self._pollers = self._pollers, []
            for fut in stale:
                if not fut.done():
                    fut.set_exception(
                        _ApiError(
                            409,
                            "Conflict: terminated by other getUpdates request; "
                            "make sure that only one bot instance is running",
                        )
                    )
        if not self._pending and timeout > 0 and not self._closing:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._pollers.append(fut)
            try:
                await asyncio.wait_for(fut, timeout)
            except TimeoutError:
                pass
            finally:
                with contextlib.suppress(ValueError):
                    self._pollers.remove(fut)
        batch = list(itertools.islice(self._pending, limit))
        if batch:
            now = time.perf_counter()
            for update in batch:
                self.delivered_at.setdefault(update["update_id"], now)
        return batch

    def _confirm(self, offset: int) -> None:
        pending = self._pending
        if offset > 0:
            if not pending or pending[0]["update_id"] >= offset:
                return
            while pending and pending[0]["update_id"] < offset:
                pending.popleft()
        elif offset < 0:
            while len(pending) > -offset:
                pending.popleft()
        else:
            return
        self._notify()

    # ---------------------------------------------------------------- simple methods

    def _true(self, p: dict, files: dict) -> bool:
        return True

    def _get_me(self, p: dict, files: dict) -> dict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, p: dict, files: dict) -> bool:
        if _truthy(p.get("drop_pending_updates")):
            self._pending.clear()
            self._notify()
        return True

    def _set_webhook(self, p: dict, files: dict) -> bool:
        raise _bad(
            "setWebhook is not supported by the Bot API stand-in; it only serves getUpdates "
            "long polling (use Updater.start_polling)"
        )

    def _get_webhook_info(self, p: dict, files: dict) -> dict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    @staticmethod
    def _commands_key(p: dict) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.get("language_code") or ""

    def _set_my_commands(self, p: dict, files: dict) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("can't parse commands")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _BOT_COMMAND_NAME_RE.match(str(cmd.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(p)
        self.commands = [c for c in self.commands if self._commands_key(c) != key]
        self.commands.append(
            {
                "commands": commands,
                "scope": p.get("scope") or {"type": "default"},
                "language_code": p.get("language_code") or "",
            }
        )
        return True

    def _get_my_commands(self, p: dict, files: dict) -> list[dict]:
        key = self._commands_key(p)
        for entry in self.commands:
            if self._commands_key(entry) == key:
                return entry["commands"]
        return []

    def _delete_my_commands(self, p: dict, files: dict) -> bool:
        key = self._commands_key(p)
        self.commands = [c for c in self.commands if self._commands_key(c) != key]
        return True

    def _set_chat_menu_button(self, p: dict, files: dict) -> bool:
        chat_id = p.get("chat_id")
        if chat_id is not None:
            chat_id = self._chat(p)["id"]
        self.menu_buttons[chat_id] = p.get("menu_button") or {"type": "default"}
        return True

    def _get_chat_menu_button(self, p: dict, files: dict) -> dict:
        chat_id = p.get("chat_id")
        if chat_id is not None:
            chat_id = self._chat(p)["id"]
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    def _send_chat_action(self, p: dict, files: dict) -> bool:
        self._chat(p)
        if not p.get("action"):
            raise _bad("wrong parameter action in request")
        return True

    def _answer_callback_query(self, p: dict, files: dict) -> bool:
        query_id = str(p.get("callback_query_id", ""))
        if query_id not in self._open_callbacks:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = p.get("text")
        if text is not None and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        answer = {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": _truthy(p.get("show_alert")),
        }
        for key in ("url", "cache_time"):
            if key in p:
                answer[key] = p[key]
        self.callback_answers.append(answer)
        self._notify()
        self._notify_chat(self._callback_chats.pop(query_id, None))
        return True

    # ---------------------------------------------------------------- chats and messages

    def introduce(self, *users: FakeUser) -> None:
        """These users started the bot some time ago: the bot may write to them first.

        Telegram lets a bot message a person only after that person has opened a chat with it;
        engineers and managers do that once when they join, long before any ticket.
        """
        for user in users:
            self._learn_chat(user.private_chat())

    def _learn_chat(self, chat: dict) -> None:
        cid = chat["id"]
        if cid not in self._chats:
            self._chats[cid] = chat

    def _chat(self, p: dict) -> dict:
        """Resolve ``chat_id`` like Telegram: unknown -> 400, blocked user -> 403."""
        raw = p.get("chat_id")
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        chat = None
        if isinstance(raw, str) and raw.startswith("@"):
            name = raw[1:].lower()
            chat = next(
                (c for c in self._chats.values() if str(c.get("username", "")).lower() == name),
                None,
            )
        else:
            try:
                chat = self._chats.get(int(raw))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise _bad("chat not found")
        if chat["id"] in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        mid = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = mid + 1
        return mid

    def _api_message(self, stored: dict | SentMessage, *, nested: bool = True) -> dict:
        """The Bot API ``Message`` object for a stored user or bot message."""
        if isinstance(stored, dict):
            if nested:
                return stored
            return {k: v for k, v in stored.items() if k != "reply_to_message"}
        m = stored
        data: dict[str, Any] = {
            "message_id": m.message_id,
            "from": self.bot_user,
            "chat": self._chats[m.chat_id],
            "date": m.date,
        }
        if m.edit_date is not None:
            data["edit_date"] = m.edit_date
        if m.text is not None:
            data["text"] = m.text
            if m.entities:
                data["entities"] = m.entities
        if m.method == "sendPhoto":
            data["photo"] = m.attachment
        elif m.method == "sendDocument":
            data["document"] = m.attachment
        if m.caption is not None:
            data["caption"] = m.caption
            if m.entities:
                data["caption_entities"] = m.entities
        if m.reply_markup and "inline_keyboard" in m.reply_markup:
            data["reply_markup"] = m.reply_markup
        if nested and m.reply_to_message_id is not None:
            target = self._messages.get(m.chat_id, {}).get(m.reply_to_message_id)
            if target is not None:
                data["reply_to_message"] = self._api_message(target, nested=False)
        return data

    def _reply_target(self, chat_id: int, p: dict) -> int | None:
        params = p.get("reply_parameters")
        if isinstance(params, dict):
            mid, allow = params.get("message_id"), params.get("allow_sending_without_reply")
        else:
            mid, allow = p.get("reply_to_message_id"), p.get("allow_sending_without_reply")
        if mid is None:
            return None
        mid = _int(mid, 0)
        target = self._messages.get(chat_id, {}).get(mid)
        if target is None or (isinstance(target, SentMessage) and target.deleted):
            if _truthy(allow):
                return None
            raise _bad("message to be replied not found")
        return mid

    def _record_sent(self, m: SentMessage) -> dict:
        """Store a new bot message, fire the hook and waiters; return its API object."""
        m.received_at = time.perf_counter()
        self._messages.setdefault(m.chat_id, {})[m.message_id] = m
        self._by_chat.setdefault(m.chat_id, []).append(m)
        self.sent.append(m)
        markup = m.reply_markup
        if markup is not None:
            if "keyboard" in markup:
                self._keyboards[m.chat_id] = markup
            elif markup.get("remove_keyboard"):
                self._keyboards[m.chat_id] = None
        self._fire_hook(m)
        self._notify()
        self._notify_chat(m.chat_id)
        return self._api_message(m)

    def _fire_hook(self, m: SentMessage) -> None:
        if self.on_message is None:
            return
        try:
            self.on_message(m)
        except Exception:
            _LOGGER.exception("BotApiStandIn.on_message hook failed")

    def _send_message(self, p: dict, files: dict) -> dict:
        chat = self._chat(p)
        raw = p.get("text")
        if raw is None or str(raw) == "":
            raise _bad("message text is empty")
        raw = str(raw)
        text, entities = _render(raw, p.get("parse_mode"), p.get("entities"))
        if not text.strip():
            raise _bad("message text is empty")
        if _u16(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        markup = _check_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat["id"], p)
        m = SentMessage(
            chat_id=chat["id"],
            message_id=self._new_message_id(chat["id"]),
            method="sendMessage",
            text=text,
            reply_markup=markup,
            parse_mode=p.get("parse_mode"),
            raw_text=raw,
            entities=entities,
            date=int(time.time()),
            reply_to_message_id=reply_to,
        )
        return self._record_sent(m)

    def _caption(self, p: dict) -> tuple[str | None, str | None, list[dict]]:
        raw = p.get("caption")
        if raw is None:
            return None, None, []
        raw = str(raw)
        caption, entities = _render(raw, p.get("parse_mode"), p.get("caption_entities"))
        if _u16(caption) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        return raw, caption, entities

    def _media_input(
        self, p: dict, files: dict, field_name: str
    ) -> tuple[bytes | None, str | None, str | None, str | None, _StoredFile | None]:
        """(bytes, filename, mime, url, known file) for an uploaded/file_id/URL media param."""
        if field_name in files:
            filename, content, ctype = files[field_name]
            return content, filename, ctype, None, None
        ref = p.get(field_name)
        if isinstance(ref, str) and ref.startswith("attach://") and ref[9:] in files:
            filename, content, ctype = files[ref[9:]]
            return content, filename, ctype, None, None
        if not ref:
            raise _bad(f"there is no {field_name} in the request")
        ref = str(ref)
        known = self._files.get(ref)
        if known is not None:
            return known.content, known.file_name, known.mime_type, None, known
        if ref.startswith(("http://", "https://")):
            return None, None, None, ref, None
        raise _bad("wrong file identifier/HTTP URL specified")

    def _send_photo(self, p: dict, files: dict) -> dict:
        chat = self._chat(p)
        content, _filename, _ctype, url, known = self._media_input(p, files, "photo")
        raw_caption, caption, entities = self._caption(p)
        markup = _check_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat["id"], p)
        if content is not None and not content:
            raise _bad("file must be non-empty")
        if known is not None:
            sizes = [self._photo_size_object(known, 1280)]
        else:
            body = content if content is not None else b""
            sizes = self._photo_sizes(body, len(body) or 100_000)
        m = SentMessage(
            chat_id=chat["id"],
            message_id=self._new_message_id(chat["id"]),
            method="sendPhoto",
            caption=caption,
            reply_markup=markup,
            parse_mode=p.get("parse_mode"),
            photo=content if content is not None else url,
            raw_caption=raw_caption,
            entities=entities,
            date=int(time.time()),
            reply_to_message_id=reply_to,
            file_id=sizes[-1]["file_id"],
            attachment=sizes,
        )
        return self._record_sent(m)

    def _send_document(self, p: dict, files: dict) -> dict:
        chat = self._chat(p)
        content, filename, ctype, url, known = self._media_input(p, files, "document")
        raw_caption, caption, entities = self._caption(p)
        markup = _check_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat["id"], p)
        if known is None:
            if content is None:  # a URL: Telegram downloads it; we just name it after the URL
                filename = str(url).rsplit("/", 1)[-1] or "file"
                content = b""
            if ctype in (None, "application/octet-stream"):
                ctype = mimetypes.guess_type(filename or "")[0] or ctype
            suffix = "." + filename.rsplit(".", 1)[-1] if filename and "." in filename else ""
            known = self._register_file(content, "documents", suffix, name=filename, mime=ctype)
        m = SentMessage(
            chat_id=chat["id"],
            message_id=self._new_message_id(chat["id"]),
            method="sendDocument",
            caption=caption,
            reply_markup=markup,
            parse_mode=p.get("parse_mode"),
            document=known.content,
            document_name=known.file_name,
            raw_caption=raw_caption,
            entities=entities,
            date=int(time.time()),
            reply_to_message_id=reply_to,
            file_id=known.file_id,
            document_mime_type=known.mime_type,
            attachment=self._document_object(known),
        )
        return self._record_sent(m)

    def _message_to_edit(self, p: dict) -> SentMessage:
        if p.get("inline_message_id"):
            raise _bad("inline messages are not supported by the stand-in")
        chat = self._chat(p)
        mid = _int(p.get("message_id"), 0)
        stored = self._messages.get(chat["id"], {}).get(mid)
        if stored is None or (isinstance(stored, SentMessage) and stored.deleted):
            raise _bad("message to edit not found")
        if not isinstance(stored, SentMessage):
            raise _bad("message can't be edited")
        return stored

    def _apply_edit(self, m: SentMessage, method: str, changes: dict[str, Any]) -> dict:
        previous = {key: getattr(m, key) for key in changes}
        visible = ("text", "caption", "entities", "reply_markup")
        if all(previous[k] == changes[k] for k in changes if k in visible):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in changes.items():
            setattr(m, key, value)
        m.edit_date = int(time.time())
        m.changed_at = time.perf_counter()
        public = {k: v for k, v in changes.items() if k not in ("entities",)}
        m.edits.append({"method": method, "date": m.edit_date, **public, "previous": previous})
        self._fire_hook(m)
        self._notify()
        self._notify_chat(m.chat_id)
        return self._api_message(m)

    def _edit_message_text(self, p: dict, files: dict) -> dict:
        m = self._message_to_edit(p)
        if m.text is None:
            raise _bad("there is no text in the message to edit")
        raw = p.get("text")
        if raw is None or str(raw) == "":
            raise _bad("message text is empty")
        raw = str(raw)
        text, entities = _render(raw, p.get("parse_mode"), p.get("entities"))
        if not text.strip():
            raise _bad("message text is empty")
        if _u16(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        markup = _check_markup(p.get("reply_markup"), inline_only=True)
        # Telegram drops the inline keyboard when an edit does not repeat it.
        return self._apply_edit(
            m,
            "editMessageText",
            {
                "text": text,
                "entities": entities,
                "reply_markup": markup,
                "raw_text": raw,
                "parse_mode": p.get("parse_mode"),
            },
        )

    def _edit_message_caption(self, p: dict, files: dict) -> dict:
        m = self._message_to_edit(p)
        if m.method == "sendMessage":
            raise _bad("there is no caption in the message to edit")
        raw_caption, caption, entities = self._caption(p)
        markup = _check_markup(p.get("reply_markup"), inline_only=True)
        return self._apply_edit(
            m,
            "editMessageCaption",
            {
                "caption": caption,
                "entities": entities,
                "reply_markup": markup,
                "raw_caption": raw_caption,
                "parse_mode": p.get("parse_mode"),
            },
        )

    def _edit_message_reply_markup(self, p: dict, files: dict) -> dict:
        m = self._message_to_edit(p)
        markup = _check_markup(p.get("reply_markup"), inline_only=True)
        return self._apply_edit(m, "editMessageReplyMarkup", {"reply_markup": markup})

    def _delete_message(self, p: dict, files: dict) -> bool:
        chat = self._chat(p)
        mid = _int(p.get("message_id"), 0)
        stored = self._messages.get(chat["id"], {}).get(mid)
        if stored is None or (isinstance(stored, SentMessage) and stored.deleted):
            raise _bad("message to delete not found")
        if isinstance(stored, SentMessage):
            stored.deleted = True
            stored.changed_at = time.perf_counter()
        else:
            del self._messages[chat["id"]][mid]
        self._notify()
        self._notify_chat(chat["id"])
        return True

    # ---------------------------------------------------------------- files

    def _register_file(
        self,
        content: bytes,
        folder: str,
        suffix: str,
        *,
        size: int | None = None,
        name: str | None = None,
        mime: str | None = None,
    ) -> _StoredFile:
        n = next(self._file_counter)
        stored = _StoredFile(
            file_id=f"BQACAgIAAxk{n:010d}{folder[:3]}",
            file_unique_id=f"AgAD{n:08d}",
            file_path=f"{folder}/file_{n}{suffix}",
            content=content,
            file_size=len(content) if size is None else size,
            file_name=name,
            mime_type=mime,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _photo_size_object(f: _StoredFile, side: int) -> dict[str, Any]:
        return {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "width": side,
            "height": side * 3 // 4,
            "file_size": f.file_size,
        }

    def _photo_sizes(self, content: bytes, largest: int) -> list[dict[str, Any]]:
        """Thumbnail to full size, as Telegram lists them; all share ``content``."""
        sizes = []
        for side, share in ((90, 0.02), (320, 0.15), (800, 0.5), (1280, 1.0)):
            size = largest if share == 1.0 else max(1, int(largest * share))
            f = self._register_file(content, "photos", ".jpg", size=size, mime="image/jpeg")
            sizes.append(self._photo_size_object(f, side))
        return sizes

    @staticmethod
    def _document_object(f: _StoredFile) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "file_size": f.file_size,
        }
        if f.file_name:
            doc["file_name"] = f.file_name
        if f.mime_type:
            doc["mime_type"] = f.mime_type
        return doc

    def _get_file(self, p: dict, files: dict) -> dict:
        stored = self._files.get(str(p.get("file_id", "")))
        if stored is None:
            raise _bad("wrong file_id or the file is temporarily unavailable")
        if stored.file_size > self.max_file_size:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _group_chat(chat_id: int) -> dict[str, Any]:
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"Test group {chat_id}"}


def _decode_param(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad(f"invalid integer value {value!r}") from None


def _float(value: Any, default: float) -> float:
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _bad(f"invalid number {value!r}") from None


def _truthy(value: Any) -> bool:
    return value is True or value == 1 or (isinstance(value, str) and value.lower() == "true")


def _check_markup(markup: Any, *, inline_only: bool = False) -> dict | None:
    """Validate reply_markup as Telegram does where it matters (callback_data size)."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad("can't parse inline keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _bad("can't parse inline keyboard button: Text must be non-empty")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not (1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES):
                        raise _bad("BUTTON_DATA_INVALID")
                elif not any(key in button for key in _BUTTON_ACTIONS):
                    raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                url = button.get("url")
                if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                    raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        return markup
    if inline_only:
        raise _bad("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else (button or {}).get("text")
                if not text:
                    raise _bad("keyboard button text must be non-empty")
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise _bad("can't parse reply keyboard markup JSON object")
