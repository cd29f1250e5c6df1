"""What an update is, for deciding cheaply (before any handler or database) whether and when to handle it.

A group the bot is in may carry other bots' commands and people's chatter; the bot must not spend a
turn, a database transaction or a reply on them. A person's messages are throttled by sender, and a
repeated message is recognised by what it says.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType


def chat_key(update: object) -> int | None:
    """The queue an update waits in: its chat (or its sender, for updates without a chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


def sender_of(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


def fingerprint(update: object) -> str | None:
    """What the update says, to recognise a word-for-word repetition; None for anything else (a photo,
    a contact, an edit), which is never treated as a repeat."""
    if not isinstance(update, Update):
        return None
    if update.callback_query is not None:
        return f"b:{update.callback_query.data}"
    message = update.message
    if message is not None and message.text is not None:
        return f"t:{message.text}"
    return None


def not_for_us(update: object, username: str | None, duty_chat: int = 0) -> bool:
    """A group message the bot would not answer: a command addressed to another bot, or chatter that
    is neither a command nor a mention of this bot. Private chats are always for us, and so is what is
    written in a topic of the staff group (`duty_chat`): it may be a note on that topic's ticket."""
    if not isinstance(update, Update):
        return False
    message = update.message
    if message is None or message.chat.type == ChatType.PRIVATE:
        return False
    in_a_topic = duty_chat and message.chat.id == duty_chat and message.is_topic_message
    if in_a_topic and not (message.text or "").startswith("/"):
        return False
    text = message.text or ""
    mention = f"@{username}".lower() if username else None
    if text.startswith("/"):
        head = text.split(maxsplit=1)[0]
        _, at, addressee = head.partition("@")
        return bool(at) and (mention is None or f"@{addressee}".lower() != mention)
    return mention is None or mention not in text.lower()
