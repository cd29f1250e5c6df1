"""What the bot says, independent of the channel: a text key with parameters, and buttons.

The service layer decides *what* to tell *whom*; the Telegram adapter decides how it looks
(`bot.chat.render`). Keeping replies as data makes them easy to assert on in unit tests and lets a
later outbox store them in the same transaction as the change that caused them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Text:
    """A user-visible text by key (see bot/chat/texts.py), rendered in the reader's language."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


def t(key: str, **params: Any) -> Text:
    return Text(key, params)


def verbatim(text: str) -> Text:
    """Text that is not translated: a site name, an asset label."""
    return Text("verbatim", {"text": text})


@dataclass(frozen=True)
class Button:
    """An inline button: what it says, and the callback data the bot checks when it is pressed."""

    label: Text
    data: str


@dataclass(frozen=True)
class Reply:
    chat_id: int
    text: Text
    lang: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    options: tuple[Text, ...] = ()
    """Reply-keyboard choices that send their own text (e.g. a remembered phone number)."""
    request_contact: Text | None = None
    """A reply-keyboard button that shares the user's phone number."""
    remove_keyboard: bool = False


@dataclass
class Outcome:
    """Everything one incoming update leads to."""

    replies: list[Reply] = field(default_factory=list)
    answer: Text | None = None
    """For a button press: the short notice Telegram shows (answerCallbackQuery)."""
    alert: bool = False
    chosen: Text | None = None
    """For a button press that was taken: the choice, shown in place of the buttons."""
    duplicate: bool = False
    blocked_user: int | None = None


def rows(buttons: list[Button], per_row: int) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out `per_row` to a row."""
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))
