"""Reading and writing articles as Markdown files with YAML front matter.

The file format is the contract between people who write articles in an editor
and the bot that edits them from chat, so parsing is strict and every rejection
says exactly what to fix; a folder load never stops at the first bad file.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.article import DEVICES, LANGS, Article

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID = 60
"""An article's id travels in a button ("k:<id>"), and Telegram allows a button 64 bytes."""
MAX_TITLE = 120
"""The title heads the article's chat message and the buttons that offer it; the chat form
(knowledge.authoring) accepts the same, so an imported article can be edited from chat unchanged."""
MAX_BODY = 3500
"""An article is sent as one Telegram message (at most 4,096 characters) holding a language note,
the title and the body; 3,500 leaves room for the rest, so the steps are never cut off in chat."""
MAX_SYMPTOM = 200
"""One phrase a user would type; longer is a paragraph, not a symptom."""
MAX_SYMPTOMS = 20
"""Enough ways of saying one problem; more only dilutes the matcher."""
MAX_FILE_BYTES = 256 * 1024
"""A file larger than this cannot hold an article within the limits above (even in CJK, 3 bytes a
character), so it is skipped unread rather than loaded into memory."""
_FENCE = "---"

try:  # The C loader is ~10x faster; fall back silently where libyaml is absent.
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader


class ArticleError(ValueError):
    """An article file or text that cannot be used, with a human-readable reason."""


@dataclass
class Problem:
    """A file that was skipped while loading a folder, and why; or, ``kept``, one that was loaded
    with a defect it could do without (an unknown device is read as ``other``)."""

    path: str
    reason: str
    kept: bool = False

    @property
    def verb(self) -> str:
        """How a listing names what happened to the file."""
        return "kept" if self.kept else "skipped"


@dataclass
class LoadReport:
    """Everything a folder load produced: usable articles and skipped files."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> list[Problem]:
        """The files that were not loaded at all."""
        return [p for p in self.problems if not p.kept]


def shipped_articles_dir() -> Path:
    """The folder of articles that ships with the package."""
    return Path(__file__).resolve().parent / "articles"


def _split_front_matter(text: str) -> tuple[str, str]:
    """Return (front matter, body); the file must open with a ``---`` line."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != _FENCE:
        raise ArticleError("front matter missing: the file must start with a '---' line")
    for i in range(1, len(lines)):
        if lines[i].strip() == _FENCE:
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    raise ArticleError("front matter missing: no closing '---' line")


def _required_str(meta: dict, key: str) -> str:
    value = meta.get(key)
    if value is None:
        raise ArticleError(f"missing '{key}' in front matter")
    if not isinstance(value, str):
        raise ArticleError(f"'{key}' must be a string, got {type(value).__name__}")
    value = value.strip()
    if not value:
        raise ArticleError(f"'{key}' is empty")
    return value


def parse_article(text: str, source: str, notes: list[str] | None = None) -> Article:
    """Parse one article file's text; raise ArticleError naming the first defect.

    With ``notes``, an unknown ``device`` is read as ``other`` and said there instead: the device
    only orders suggestions, and a folder written elsewhere ("av", "peripheral") should not lose its
    articles' answers over one word of metadata."""
    front, body = _split_front_matter(text)
    try:
        meta = yaml.load(front, Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ArticleError(f"front matter is not valid YAML: {detail}") from None
    if not isinstance(meta, dict):
        raise ArticleError("front matter is not a YAML mapping of keys to values")

    art_id = _required_str(meta, "id")
    if not _SLUG_RE.match(art_id):
        raise ArticleError(f"id {art_id!r} is not a slug (lower-case letters, digits and single hyphens)")
    if len(art_id) > MAX_ID:
        raise ArticleError(f"id {art_id!r} is longer than {MAX_ID} characters (it travels in a chat button)")
    lang = _required_str(meta, "lang")
    if lang not in LANGS:
        raise ArticleError(f"lang {lang!r} is not one of {', '.join(LANGS)}")
    title = _required_str(meta, "title")
    if len(title) > MAX_TITLE:
        raise ArticleError(f"title is {len(title):,} characters, longer than the limit of {MAX_TITLE}")
    device = _required_str(meta, "device")
    if device not in DEVICES:
        problem = f"unknown device {device!r}; expected one of {', '.join(DEVICES)}"
        if notes is None:
            raise ArticleError(problem)
        notes.append(f"{problem}; read as 'other'")
        device = "other"

    symptoms = meta.get("symptoms")
    if symptoms is None:
        raise ArticleError("missing 'symptoms' in front matter")
    if not isinstance(symptoms, list) or not all(isinstance(s, str) for s in symptoms):
        raise ArticleError("'symptoms' must be a list of strings")
    cleaned = tuple(s.strip() for s in symptoms)
    if not cleaned or not all(cleaned):
        raise ArticleError("'symptoms' must list at least one phrase and no empty ones")
    if len(cleaned) > MAX_SYMPTOMS:
        raise ArticleError(f"'symptoms' lists {len(cleaned)} phrases, more than the limit of {MAX_SYMPTOMS}")
    if any(len(s) > MAX_SYMPTOM for s in cleaned):
        raise ArticleError(f"a symptom is longer than the limit of {MAX_SYMPTOM} characters")

    body = body.strip()
    if not body:
        raise ArticleError("no steps: the body after the front matter is empty")
    if len(body) > MAX_BODY:
        raise ArticleError(
            f"the body is {len(body):,} characters, longer than the limit of {MAX_BODY:,} "
            "(an article is shown as one chat message)"
        )
    return Article(
        id=art_id,
        lang=lang,
        title=title,
        device=device,
        symptoms=cleaned,
        body=body,
        source=source,
    )


def _quote(value: str) -> str:
    """JSON strings are valid YAML double-quoted scalars, and keep CJK readable."""
    return json.dumps(value, ensure_ascii=False)


def render_article(article: Article) -> str:
    """Render an article back to the file format that parse_article reads."""
    lines = [
        _FENCE,
        f"id: {article.id}",
        f"lang: {article.lang}",
        f"title: {_quote(article.title)}",
        f"device: {article.device}",
        "symptoms:",
        *(f"  - {_quote(s)}" for s in article.symptoms),
        _FENCE,
        "",
        article.body.strip(),
        "",
    ]
    return "\n".join(lines)


def _markdown_files(root: Path) -> tuple[list[Path], list[Problem]]:
    """All ``*.md`` below root, sorted, skipping hidden folders; linked folders are not followed
    (they could lead out of the folder or into a loop), and each is reported."""
    found: list[Path] = []
    problems: list[Problem] = []
    for dirpath, dirnames, filenames in os.walk(root):
        visible = sorted(d for d in dirnames if not d.startswith("."))
        linked = [d for d in visible if os.path.islink(os.path.join(dirpath, d))]
        problems.extend(Problem(os.path.join(dirpath, d), "a link to a folder: not followed") for d in linked)
        dirnames[:] = [d for d in visible if d not in linked]
        found.extend(Path(dirpath) / n for n in sorted(filenames) if n.endswith(".md"))
    return found, problems


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a plain file")


def read_article_file(path: Path, root: Path) -> bytes:
    """The bytes of one article file below ``root``, or ArticleError saying why it is not read.

    Only a regular file is opened: a FIFO or a device would block the import or never end, so the
    kind is checked first, and checked again on the open descriptor (non-blocking), in case the file
    was swapped in between. A link is followed only if it stays inside ``root``: an article folder
    must not be a way to read (or publish in chat) any file the importing user can read.
    """
    try:
        if path.is_symlink():
            target = path.resolve(strict=True)
            if not target.is_relative_to(root.resolve()):
                raise ArticleError(f"a link to {target}, outside the folder: not followed")
        before = path.stat()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a link loop (Python < 3.13)
        raise ArticleError(f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(before.st_mode):
        raise ArticleError(f"not a regular file ({_kind(before.st_mode)})")
    if before.st_size > MAX_FILE_BYTES:
        raise ArticleError(f"the file is {before.st_size:,} bytes, larger than the limit of "
                           f"{MAX_FILE_BYTES // 1024} KiB; not read")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ArticleError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise ArticleError("the file changed while it was being read; try again")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ArticleError(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise ArticleError(f"the file is larger than the limit of {MAX_FILE_BYTES // 1024} KiB")
    return data


def load_articles(root: Path) -> LoadReport:
    """Load every article below ``root``; bad files become Problems, not exceptions."""
    report = LoadReport()
    root = Path(root)
    if not root.is_dir():
        report.problems.append(Problem(str(root), "not a folder (or does not exist)"))
        return report
    first_seen: dict[tuple[str, str], str] = {}
    paths, report.problems = _markdown_files(root)
    for path in paths:
        source = str(path)
        try:
            text = read_article_file(path, root).decode("utf-8")
        except UnicodeDecodeError as exc:
            report.problems.append(Problem(source, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
            continue
        except ArticleError as exc:
            report.problems.append(Problem(source, str(exc)))
            continue
        notes: list[str] = []
        try:
            article = parse_article(text, source, notes)
        except ArticleError as exc:
            report.problems.append(Problem(source, str(exc)))
            continue
        report.problems.extend(Problem(source, note, kept=True) for note in notes)
        key = (article.id, article.lang)
        if key in first_seen:
            first = first_seen[key]
            report.problems.append(
                Problem(
                    source,
                    f"duplicate id {article.id!r} for lang {article.lang!r}: {first} and {source}; keeping {first}",
                )
            )
            continue
        first_seen[key] = source
        report.articles.append(article)
    return report
