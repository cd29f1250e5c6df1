"""Sending, editing and deleting messages as Telegram does: chats resolved (unknown → 400, blocked → 403),
texts rendered and limited, replies checked, every message recorded as the user sees it.
"""

from __future__ import annotations

import logging
import mimetypes
import time
from typing import Any

from bot.sandbox.standin.markup import check_markup, render_markup, u16
from bot.sandbox.standin.protocol import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, ApiError, as_int, bad, truthy
from bot.sandbox.standin.records import FakeUser, SentMessage, StoredFile

log = logging.getLogger(__name__)


class MessageMethods:
    """Mixed into BotApiStandIn."""

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
            raise bad("chat_id is empty")
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
            raise bad("chat not found")
        if chat["id"] in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
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
        if m.message_thread_id is not None:
            data["message_thread_id"], data["is_topic_message"] = m.message_thread_id, True
        # like Telegram: a message in a topic that answers nothing replies to the topic's creation message
        reply_id = m.reply_to_message_id if m.reply_to_message_id is not None else m.message_thread_id
        if nested and reply_id is not None:
            target = self._messages.get(m.chat_id, {}).get(reply_id)
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
        mid = as_int(mid, 0)
        target = self._messages.get(chat_id, {}).get(mid)
        if target is None or (isinstance(target, SentMessage) and target.deleted):
            if truthy(allow):
                return None
            raise bad("message to be replied not found")
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
            log.exception("BotApiStandIn.on_message hook failed")

    def _send_message(self, p: dict, files: dict) -> dict:
        chat = self._chat(p)
        raw = p.get("text")
        if raw is None or str(raw) == "":
            raise bad("message text is empty")
        raw = str(raw)
        text, entities = render_markup(raw, p.get("parse_mode"), p.get("entities"))
        if not text.strip():
            raise bad("message text is empty")
        if u16(text) > MAX_TEXT_LENGTH:
            raise bad("message is too long")
        markup = check_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat["id"], p)
        thread_id = self._thread_for(chat, p)
        m = SentMessage(
            chat_id=chat["id"],
            message_id=self._new_message_id(chat["id"]),
            method="sendMessage",
            text=text,
            reply_markup=markup,
            parse_mode=p.get("parse_mode"),
            raw_text=raw,
            entities=entities,
            date=int(self.clock()),
            reply_to_message_id=reply_to,
            message_thread_id=thread_id,
        )
        return self._record_sent(m)

    def _caption(self, p: dict) -> tuple[str | None, str | None, list[dict]]:
        raw = p.get("caption")
        if raw is None:
            return None, None, []
        raw = str(raw)
        caption, entities = render_markup(raw, p.get("parse_mode"), p.get("caption_entities"))
        if u16(caption) > MAX_CAPTION_LENGTH:
            raise bad("message caption is too long")
        return raw, caption, entities

    def _media_input(
        self, p: dict, files: dict, field_name: str
    ) -> tuple[bytes | None, str | None, str | None, str | None, StoredFile | None]:
        """(bytes, filename, mime, url, known file) for an uploaded/file_id/URL media param."""
        if field_name in files:
            filename, content, ctype = files[field_name]
            return content, filename, ctype, None, None
        ref = p.get(field_name)
        if isinstance(ref, str) and ref.startswith("attach://") and ref[9:] in files:
            filename, content, ctype = files[ref[9:]]
            return content, filename, ctype, None, None
        if not ref:
            raise bad(f"there is no {field_name} in the request")
        ref = str(ref)
        known = self._files.get(ref)
        if known is not None:
            return known.content, known.file_name, known.mime_type, None, known
        if ref.startswith(("http://", "https://")):
            return None, None, None, ref, None
        raise bad("wrong file identifier/HTTP URL specified")

    def _send_photo(self, p: dict, files: dict) -> dict:
        chat = self._chat(p)
        content, filename, _ctype, url, known = self._media_input(p, files, "photo")
        raw_caption, caption, entities = self._caption(p)
        markup = check_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat["id"], p)
        thread_id = self._thread_for(chat, p)
        if content is not None and not content:
            raise bad("file must be non-empty")
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
            date=int(self.clock()),
            reply_to_message_id=reply_to,
            message_thread_id=thread_id,
            file_id=sizes[-1]["file_id"],
            attachment=sizes,
            photo_name=filename if content is not None else None,
        )
        return self._record_sent(m)

    def _send_document(self, p: dict, files: dict) -> dict:
        chat = self._chat(p)
        content, filename, ctype, url, known = self._media_input(p, files, "document")
        raw_caption, caption, entities = self._caption(p)
        markup = check_markup(p.get("reply_markup"))
        reply_to = self._reply_target(chat["id"], p)
        thread_id = self._thread_for(chat, p)
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
            date=int(self.clock()),
            reply_to_message_id=reply_to,
            message_thread_id=thread_id,
            file_id=known.file_id,
            document_mime_type=known.mime_type,
            attachment=self._document_object(known),
        )
        return self._record_sent(m)

    def _message_to_edit(self, p: dict) -> SentMessage:
        if p.get("inline_message_id"):
            raise bad("inline messages are not supported by the stand-in")
        chat = self._chat(p)
        mid = as_int(p.get("message_id"), 0)
        stored = self._messages.get(chat["id"], {}).get(mid)
        if stored is None or (isinstance(stored, SentMessage) and stored.deleted):
            raise bad("message to edit not found")
        if not isinstance(stored, SentMessage):
            raise bad("message can't be edited")
        return stored

    def _apply_edit(self, m: SentMessage, method: str, changes: dict[str, Any]) -> dict:
        previous = {key: getattr(m, key) for key in changes}
        visible = ("text", "caption", "entities", "reply_markup")
        if all(previous[k] == changes[k] for k in changes if k in visible):
            raise bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in changes.items():
            setattr(m, key, value)
        m.edit_date = int(self.clock())
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
            raise bad("there is no text in the message to edit")
        raw = p.get("text")
        if raw is None or str(raw) == "":
            raise bad("message text is empty")
        raw = str(raw)
        text, entities = render_markup(raw, p.get("parse_mode"), p.get("entities"))
        if not text.strip():
            raise bad("message text is empty")
        if u16(text) > MAX_TEXT_LENGTH:
            raise bad("message is too long")
        markup = check_markup(p.get("reply_markup"), inline_only=True)
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
            raise bad("there is no caption in the message to edit")
        raw_caption, caption, entities = self._caption(p)
        markup = check_markup(p.get("reply_markup"), inline_only=True)
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
        markup = check_markup(p.get("reply_markup"), inline_only=True)
        return self._apply_edit(m, "editMessageReplyMarkup", {"reply_markup": markup})

    def _delete_message(self, p: dict, files: dict) -> bool:
        chat = self._chat(p)
        mid = as_int(p.get("message_id"), 0)
        stored = self._messages.get(chat["id"], {}).get(mid)
        if stored is None or (isinstance(stored, SentMessage) and stored.deleted):
            raise bad("message to delete not found")
        if isinstance(stored, SentMessage):
            stored.deleted = True
            stored.changed_at = time.perf_counter()
        else:
            del self._messages[chat["id"]][mid]
        self._notify()
        self._notify_chat(chat["id"])
        return True
