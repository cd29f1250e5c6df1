"""What the bot says, independent of the channel: a text key with parameters, and buttons.

The service layer decides *what* to tell *whom*; `bot.texts.render` puts it into words and the
Telegram adapter decides how it looks (`bot.telegram.render`). Keeping replies as data makes them easy
to assert on in unit tests and lets a later outbox store them in the same transaction as the change
that caused them.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Text:
    """A user-visible text by key (see bot/texts/), rendered in the reader's language."""

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
    web_app: str | None = None
    """Opens this page as a Telegram Mini App instead of sending `data` (see `opening`)."""

    @classmethod
    def opening(cls, label: Text, url: str) -> Button:
        """A button that opens a web page inside Telegram (the managers' dashboard), with no callback."""
        return cls(label, "", web_app=url)


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply: a chart as a photo, a workbook as a document."""

    kind: str
    """photo | document"""
    filename: str
    data: bytes


@dataclass(frozen=True)
class TopicPost:
    """A reply that belongs to a ticket's forum topic in the staff group (bot.domain.topics): `post` goes
    into the topic, opening it named `name` first if it has none yet; `rename`, `close` and `reopen`
    change the topic itself (the text is not sent)."""

    ticket: str
    action: str = "post"
    name: str | None = None


@dataclass(frozen=True)
class Continues:
    """A reply said in place of the question whose button was just pressed: that message is edited into
    the question it asked (kept above), the answer given, and this reply, with this reply's buttons. One
    Bot API call instead of two (marking the answer, then sending the next message); when the message can
    no longer be edited, the reply is sent as a new message that still states the answer."""

    message_id: int
    above: str
    """The pressed message's text as the user saw it."""
    chosen: Text


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
    photos: tuple[str, ...] = ()
    """Telegram file ids sent after the text (a ticket's photos on the engineer's card)."""
    attachment: Attachment | None = None
    ticket: str | None = None
    """The ticket this message is about: a permanent delivery failure is recorded on it."""
    edits: int | None = None
    """Not a new message: Telegram's id of an earlier one in the chat whose buttons become these (none:
    they are removed, as on a card whose ticket was cancelled); the text is not used."""
    topic: TopicPost | None = None
    """In a forum staff group: the ticket's topic this goes into, or what it does to that topic."""
    thread_id: int | None = None
    """An answer to something written (or pressed) in a forum topic: it goes into that topic."""
    continues: Continues | None = None
    """Said by editing the pressed message (see Continues), not as a new message."""

    @property
    def plain(self) -> bool:
        """Text with inline buttons at most: what an edited message can become (no reply keyboard, no
        photos or file, not a topic's change, not itself an edit of some other message)."""
        return (not self.options and self.request_contact is None and not self.remove_keyboard
                and not self.photos and self.attachment is None and self.edits is None and self.topic is None)


@dataclass
class Outcome:
    """Everything one incoming update leads to."""

    replies: list[Reply] = field(default_factory=list)
    answer: Text | None = None
    """For a button press: the short notice Telegram shows (answerCallbackQuery)."""
    alert: bool = False
    lang: str | None = None
    """The language of the person who sent the update (the one they chose, not their Telegram app's),
    for the notice when there are no replies to take it from."""
    chosen: Text | None = None
    """For a button press that was taken: the choice, shown in place of the buttons."""
    duplicate: bool = False
    replace_pressed: Reply | None = None
    """For a button press: the pressed message becomes this (a ticket card after Accept)."""
    queued: bool = False
    """The replies are in the outbox (written in the update's transaction), not to be sent directly."""
    chats: tuple[int, ...] = ()
    """Every chat this update left messages for in the outbox (replies and notifications): deliver now."""
    folded: bool = False
    """The first reply continues the pressed message (Reply.continues), which states the answer itself."""
    report_ordered: str | None = None
    """A report was asked for, to come as this kind of attachment ("photo" or "document"): draw it now."""


def rows(buttons: list[Button], per_row: int) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out `per_row` to a row."""
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))


# ---- storing replies (the outbox keeps them until they are sent) ----------------------------------
def reply_to_json(reply: Reply) -> dict[str, Any]:
    return {
        "chat_id": reply.chat_id, "text": _encode(reply.text), "lang": reply.lang,
        "buttons": [[{"label": _encode(b.label), "data": b.data, **({"web_app": b.web_app} if b.web_app else {})}
                     for b in row] for row in reply.buttons],
        "options": [_encode(o) for o in reply.options],
        "request_contact": _encode(reply.request_contact) if reply.request_contact else None,
        "remove_keyboard": reply.remove_keyboard,
        "photos": list(reply.photos),
        "ticket": reply.ticket,
        "edits": reply.edits,
        "topic": {"ticket": reply.topic.ticket, "action": reply.topic.action, "name": reply.topic.name}
        if reply.topic else None,
        "thread_id": reply.thread_id,
        "continues": {"message_id": reply.continues.message_id, "above": reply.continues.above,
                      "chosen": _encode(reply.continues.chosen)} if reply.continues else None,
        "attachment": {"kind": reply.attachment.kind, "filename": reply.attachment.filename,
                       "data": base64.b64encode(reply.attachment.data).decode()} if reply.attachment else None,
    }


def reply_from_json(data: dict[str, Any]) -> Reply:
    return Reply(
        chat_id=data["chat_id"], text=_decode(data["text"]), lang=data["lang"],
        buttons=tuple(tuple(Button(_decode(b["label"]), b["data"], b.get("web_app")) for b in row)
                      for row in data["buttons"]),
        options=tuple(_decode(o) for o in data["options"]),
        request_contact=_decode(data["request_contact"]) if data["request_contact"] else None,
        remove_keyboard=data["remove_keyboard"],
        photos=tuple(data.get("photos", ())),
        ticket=data.get("ticket"),
        edits=data.get("edits"),
        topic=TopicPost(**data["topic"]) if data.get("topic") else None,
        thread_id=data.get("thread_id"),
        continues=Continues(data["continues"]["message_id"], data["continues"]["above"],
                            _decode(data["continues"]["chosen"])) if data.get("continues") else None,
        attachment=Attachment(data["attachment"]["kind"], data["attachment"]["filename"],
                              base64.b64decode(data["attachment"]["data"])) if data.get("attachment") else None,
    )


def _encode(value: Any) -> Any:
    if isinstance(value, Text):
        return {"$text": value.key, "params": {k: _encode(v) for k, v in value.params.items()}}
    if isinstance(value, datetime):
        return {"$instant": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$text" in value:
        return Text(value["$text"], {k: _decode(v) for k, v in value["params"].items()})
    if isinstance(value, dict) and "$instant" in value:
        return datetime.fromisoformat(value["$instant"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
