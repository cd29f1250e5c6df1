"""Acting as users: every kind of update a person can cause (text, photo, sticker, contact, a button press,
an edit, a message in a group), pushed for the bot's next getUpdates.
"""

from __future__ import annotations

import itertools
import mimetypes
import time
from typing import Any

from bot.sandbox.standin.markup import u16
from bot.sandbox.standin.protocol import COMMAND_RE, OPT_IN_UPDATES, group_chat
from bot.sandbox.standin.records import FakeUser, SentMessage


class Users:
    """What users do (mixed into BotApiStandIn)."""

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
        delivered = kind in allowed if allowed is not None else kind not in OPT_IN_UPDATES
        if delivered:  # like Telegram: updates not allowed at creation time are never stored
            self._pending.append(update)
            self._wake_pollers()
        self._notify()
        return uid

    def continue_after(self, update_id: int) -> None:
        """Number the next updates after ``update_id``, as Telegram does for a bot across restarts.

        A stand-in restarted on a database that has handled updates 1…n must not hand out 1 again: the
        bot would drop it as a repeat. Ids given explicitly to :meth:`push_update` still win."""
        if update_id > self._last_update_id:
            self._last_update_id = update_id
            self._update_ids = itertools.count(update_id + 1)

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
        thread_id: int | None = None,
    ) -> int:
        """The user types ``text``; ``/commands`` get ``bot_command`` entities like Telegram.

        ``thread_id``: in that topic of the forum ``chat`` (see ``send_text_in_topic``)."""
        content: dict[str, Any] = {"text": text}
        entities = [
            {"type": "bot_command", "offset": u16(text[: m.start()]), "length": u16(m[0])}
            for m in COMMAND_RE.finditer(text)
        ]
        if entities:
            content["entities"] = entities
        return self._push_message(user, chat, content, reply_to=reply_to, thread_id=thread_id)

    def send_photo(
        self,
        user: FakeUser,
        *,
        caption: str | None = None,
        file_size: int = 50_000,
        media_group_id: str | None = None,
        content: bytes = b"<png bytes>",
        chat: dict | None = None,
        thread_id: int | None = None,
    ) -> int:
        """The user sends a photo (into topic ``thread_id`` of ``chat`` if given); getFile/download work.

        ``file_size`` is what Telegram reports (the largest size), independent of ``content``,
        so the 20 MB getFile limit can be exercised without allocating 20 MB.
        """
        payload: dict[str, Any] = {"photo": self._photo_sizes(content, file_size)}
        if caption is not None:
            payload["caption"] = caption
        if media_group_id is not None:
            payload["media_group_id"] = media_group_id
        return self._push_message(user, chat, payload, thread_id=thread_id)

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
        edited = {**stored, "text": new_text, "edit_date": int(self.clock())}
        entities = [
            {"type": "bot_command", "offset": u16(new_text[: m.start()]), "length": u16(m[0])}
            for m in COMMAND_RE.finditer(new_text)
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
            chat = user.private_chat() if cid == user.id else group_chat(cid)
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
        chat = self._chats.get(group_id) or group_chat(group_id)
        return self.send_text(user, text, chat=chat)

    def _push_message(
        self,
        user: FakeUser,
        chat: dict | None,
        content: dict[str, Any],
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        chat = chat or user.private_chat()
        self._learn_chat(chat)
        cid = chat["id"]
        topic = self._topic_fields(cid, thread_id) if thread_id is not None else {}
        if topic and reply_to is None:  # Telegram: a topic message replies to the topic's creation
            reply_to = thread_id
        message: dict[str, Any] = {
            "message_id": self._new_message_id(cid),
            "from": user.to_dict(),
            "chat": chat,
            "date": int(self.clock()),
            **topic,
            **content,
        }
        if reply_to is not None:
            target = self._messages.get(cid, {}).get(reply_to)
            if target is None:
                raise KeyError(f"no message {reply_to} in chat {cid} to reply to")
            message["reply_to_message"] = self._api_message(target, nested=False)
        self._messages.setdefault(cid, {})[message["message_id"]] = message
        return self.push_update({"message": message})
