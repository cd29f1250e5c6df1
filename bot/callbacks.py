"""The grammar of every button: one type per kind of button, packed and parsed here and nowhere else.

Telegram gives a button at most 64 bytes of callback data and hands them back verbatim when it is
pressed. What comes back may be old (a question answered last week), foreign (a button from another
chat, forwarded) or forged (any client can send any bytes), so a press is parsed into one of these
types or refused, and the handler then checks it against what is stored, never trusting the button.
The wire format (`prefix:field:field`) is kept stable: buttons already in people's chats keep working.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import ClassVar, Self, TypeVar

MAX_BYTES = 64
"""Telegram's limit on a button's callback data."""
_FIELD = re.compile(r"[^:\s]{1,62}")
C = TypeVar("C", bound="Callback")


class Callback:
    """A button's data: a prefix naming the kind, then its fields, separated by ':'."""

    prefix: ClassVar[str]

    def pack(self) -> str:
        values = [str(getattr(self, f.name)) for f in fields(self)]  # type: ignore[arg-type]
        for value in values:
            if not _FIELD.fullmatch(value):
                raise ValueError(f"{type(self).__name__}: {value!r} cannot travel in a button")
        data = ":".join((self.prefix, *values))
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"{data!r} is longer than Telegram's {MAX_BYTES} bytes")
        return data


@dataclass(frozen=True)
class TicketAction(Callback):
    """A button on a ticket card: accept, decline, on my way, … (`to1002`: hand over to engineer 1002)."""

    prefix: ClassVar[str] = "t"
    number: str
    action: str

    @property
    def hand_over_to(self) -> int | None:
        """The engineer picked in the hand-over list, for a `to<id>` action."""
        tail = self.action[2:]
        return int(tail) if self.action.startswith("to") and tail.isascii() and tail.isdigit() else None


@dataclass(frozen=True)
class ConfirmFix(Callback):
    """The reporter's answer to "the engineer says it is fixed": yes | no."""

    prefix: ClassVar[str] = "f"
    number: str
    answer: str


@dataclass(frozen=True)
class FollowUpAnswer(Callback):
    """The 72-hour follow-up: working | same_fault | other_problem | r1…r5 | nocomment."""

    prefix: ClassVar[str] = "u"
    number: str
    value: str


@dataclass(frozen=True)
class InspectionAction(Callback):
    """A button of an inspection visit: start | ok | cleaned | low | fault, for device number `item`."""

    prefix: ClassVar[str] = "i"
    visit: int
    item: int
    action: str


@dataclass(frozen=True)
class StickerReport(Callback):
    """Report a fault on the device a QR sticker named (its deep-link payload, or its `h-` hash form),
    although a ticket for it is open already."""

    prefix: ClassVar[str] = "qr"
    code: str


@dataclass(frozen=True)
class ComplaintAction(Callback):
    """A manager marks a complaint handled."""

    prefix: ClassVar[str] = "m"
    complaint_id: int
    action: str


@dataclass(frozen=True)
class ChooseLanguage(Callback):
    prefix: ClassVar[str] = "lang"
    code: str


@dataclass(frozen=True)
class CancelTicket(Callback):
    """A reporter picked one of their open tickets to cancel."""

    prefix: ClassVar[str] = "c"
    number: str


@dataclass(frozen=True)
class SaveAsArticle(Callback):
    """"Save as article" on a resolved ticket."""

    prefix: ClassVar[str] = "s"
    number: str


@dataclass(frozen=True)
class ShowArticle(Callback):
    """Open an article. Its id travels as it is when it fits, and it does for every id the loader and
    the chat form accept (at most 60 characters). An id stored before that cap (`kb import` and `/kb
    add` once took any length) travels as a short key instead, "#" and a digest, which no slug can be;
    the handler finds the article it names. Build it with `ShowArticle.of`, so any id fits."""

    prefix: ClassVar[str] = "k"
    article_id: str

    @classmethod
    def of(cls, article_id: str) -> ShowArticle:
        """The button for this article: its id, or its short key if the id cannot travel."""
        return _fitting(cls, article_id)

    @property
    def is_key(self) -> bool:
        """True: `article_id` is a short key, to be matched against the articles' `article_key`."""
        return self.article_id.startswith(KEY_MARK)


KEY_MARK = "#"


def article_key(article_id: str) -> str:
    """A short, stable stand-in for an article id too long (or too odd) for a button: 17 ASCII bytes."""
    return KEY_MARK + hashlib.sha256(article_id.encode()).hexdigest()[:16]


def _fitting(make: Callable[[str], C], article_id: str, *head: str) -> C:
    """`make(*head, article_id)`, or with the id's short key when the id cannot travel in it."""
    button = make(*head, article_id)
    try:
        button.pack()
    except ValueError:
        return make(*head, article_key(article_id))
    return button


class _AboutArticle:
    """A button whose fields are one value and then an article, which travels as in `ShowArticle` (an
    id, or a short key when the id cannot)."""

    @classmethod
    def of(cls, value: str, article_id: str) -> Self:
        return _fitting(cls, article_id, value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class FixedWith(_AboutArticle, Callback):
    """An engineer's "📗 Fixed with: <article>" under a ticket they resolved. Build it with `FixedWith.of`."""

    prefix: ClassVar[str] = "w"
    number: str
    article_id: str


@dataclass(frozen=True)
class LearnedPhrasing(_AboutArticle, Callback):
    """"🗑 Remove" beside a phrasing the matcher learned for an article (`/kb learned`): the phrasing's
    short reference (`knowledge.evidence.key_ref`) and the article. Build it with `LearnedPhrasing.of`."""

    prefix: ClassVar[str] = "l"
    ref: str
    article_id: str


@dataclass(frozen=True)
class ArticleForm(Callback):
    """An answer in the article-writing form: its stage, and the value (a device, keep, save, cancel)."""

    prefix: ClassVar[str] = "a"
    stage: str
    value: str


@dataclass(frozen=True)
class DraftAnswer(Callback):
    """An answer to a question of the fault report being filled in. The draft's token tells an old
    report's button from the current one's; the step tells an already answered question's."""

    prefix: ClassVar[str] = "r"
    token: str
    step: str
    value: str


@dataclass(frozen=True)
class TicketThread(Callback):
    """A ticket's page and its conversation: `page` (open it), `info` (the reporter adds a line or a
    photo), `ask` (the engineer asks the reporter), `a<n>` (the reporter answers question n)."""

    prefix: ClassVar[str] = "tt"
    number: str
    action: str

    @property
    def question(self) -> int | None:
        """The question answered, for an `a<n>` action."""
        tail = self.action[1:]
        return int(tail) if self.action.startswith("a") and tail.isascii() and tail.isdigit() else None


@dataclass(frozen=True)
class ConsoleAction(Callback):
    """A dispatcher's (manager's) button on a ticket: `card` (its console card), `assign` (the engineers
    to pick from), `to<id>` (give it to that engineer), `escalate`, `severity` (the levels to pick from),
    `sev<P1…P4>` (that level, a reason follows), `cancel` (a reason follows)."""

    prefix: ClassVar[str] = "d"
    number: str
    action: str

    @property
    def engineer(self) -> int | None:
        """The engineer picked, for a `to<id>` action."""
        tail = self.action[2:]
        return int(tail) if self.action.startswith("to") and tail.isascii() and tail.isdigit() else None

    @property
    def severity(self) -> str | None:
        """The level picked, for a `sev<P1…P4>` action."""
        tail = self.action[3:]
        return tail if self.action.startswith("sev") and tail in ("P1", "P2", "P3", "P4") else None


KINDS: dict[str, type[Callback]] = {kind.prefix: kind for kind in (
    TicketAction, ConfirmFix, FollowUpAnswer, ComplaintAction, ChooseLanguage, CancelTicket, SaveAsArticle,
    ShowArticle, ArticleForm, DraftAnswer, TicketThread, ConsoleAction, FixedWith, LearnedPhrasing,
    InspectionAction, StickerReport,
)}


def parse(data: str) -> Callback | None:
    """The button the data describes, or None for anything this bot never sent."""
    if len(data.encode()) > MAX_BYTES:
        return None
    prefix, *values = data.split(":")
    kind = KINDS.get(prefix)
    if kind is None:
        return None
    declared = fields(kind)  # type: ignore[arg-type]
    if len(values) != len(declared) or not all(_FIELD.fullmatch(value) for value in values):
        return None
    parsed: list[object] = []
    for spec, value in zip(declared, values, strict=True):
        if spec.type in (int, "int"):
            if not (value.isascii() and value.isdigit()) or value != str(int(value)):
                return None
            parsed.append(int(value))
        else:
            parsed.append(value)
    return kind(*parsed)
