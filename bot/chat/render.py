"""Turning channel-free replies (bot.messages) into Telegram text and keyboards."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.chat.texts import TEXTS
from bot.messages import Reply, Text

MAX_MESSAGE = 4096


def render(text: Text, lang: str, tz: tzinfo) -> str:
    """The text in `lang`, with instants shown in the deployment's time zone."""
    template = TEXTS.get(lang, TEXTS["en"]).get(text.key) or TEXTS["en"][text.key]
    params = {key: _param(value, lang, tz) for key, value in text.params.items()}
    params.setdefault("tz", getattr(tz, "key", str(tz)))
    if callable(template):
        result = template(params)
    else:
        result = template.format(**{k: "—" if v is None else v for k, v in params.items()})
    return _fit(result)


def _param(value: Any, lang: str, tz: tzinfo) -> Any:
    if value is None:
        return None
    if isinstance(value, Text):
        return render(value, lang, tz)
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return "\n".join(str(_param(item, lang, tz)) for item in value)
    return str(value)


def _fit(text: str) -> str:
    """Telegram refuses messages over 4096 characters; user text could push us over."""
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def markup(
    reply: Reply, tz: tzinfo
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    if reply.buttons:
        return InlineKeyboardMarkup([
            [InlineKeyboardButton(render(b.label, reply.lang, tz), callback_data=b.data) for b in row]
            for row in reply.buttons
        ])
    if reply.request_contact is not None or reply.options:
        rows: list[list[KeyboardButton]] = []
        if reply.request_contact is not None:
            rows.append([KeyboardButton(render(reply.request_contact, reply.lang, tz), request_contact=True)])
        rows += [[KeyboardButton(render(option, reply.lang, tz))] for option in reply.options]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    return None

