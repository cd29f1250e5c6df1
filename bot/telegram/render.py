"""Turning channel-free replies (bot.messages) into Telegram keyboards; the text itself is `bot.texts.render`."""

from __future__ import annotations

from datetime import tzinfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    WebAppInfo,
)

from bot.messages import Reply
from bot.texts import render


def markup(
    reply: Reply, tz: tzinfo
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    if reply.buttons:
        return InlineKeyboardMarkup([
            [InlineKeyboardButton(render(b.label, reply.lang, tz), web_app=WebAppInfo(b.web_app)) if b.web_app
             else InlineKeyboardButton(render(b.label, reply.lang, tz), callback_data=b.data) for b in row]
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

