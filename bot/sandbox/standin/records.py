"""What the users and the bot said, as plain records: a simulated person, a message the bot sent (as the
user sees it, edits and deletion applied in place), and a file the stand-in stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
    #: the file name a photo was uploaded under (Telegram drops it; the sandbox saves the photo by it)
    photo_name: str | None = None
    #: the forum topic the message was sent into (None: the chat itself, or a forum's General topic)
    message_thread_id: int | None = None

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
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_size: int
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(eq=False)
class ForumTopicRecord:
    """A topic of a forum supergroup as the stand-in keeps it, so a test can assert what the bot did to it.

    ``message_thread_id`` is the id of the topic's creation service message, as in Telegram. ``history``
    lists every change in order: ``{"action": "created" | "edited" | "closed" | "reopened" | "deleted",
    "date", "by" (the bot's or a person's user id), "message_id" (the service message), ...}``; the
    creation keeps ``name`` and ``icon_color``, an edit the ``name`` and/or
    ``icon_custom_emoji_id`` it set and the ``previous`` values.
    """

    chat_id: int
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False
    #: the user id of the person who created the topic, or the bot's id
    creator_id: int = 0
    history: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The Bot API ``ForumTopic`` object."""
        data: dict[str, Any] = {"message_thread_id": self.message_thread_id, "name": self.name,
                                "icon_color": self.icon_color}
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data
