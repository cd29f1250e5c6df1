"""Group chats, forum supergroups and their topics, as the Bot API has them.

Why: a help desk may run its tickets as topics of a forum supergroup (one topic per ticket, closed
when the ticket is). To test that end to end the stand-in must know such a group, the bot's rights
in it (``can_manage_topics``), and the topics the bot creates, renames, closes and reopens, refusing
what Telegram refuses with Telegram's words. A test declares a group with :meth:`ForumMethods.add_group`
and reads what the bot did from :attr:`forum_topics` (each topic with its ordered ``history``) and
:meth:`ForumMethods.messages_in_topic`.

Like Telegram, a topic's ``message_thread_id`` is the id of its ``forum_topic_created`` service
message; the service messages are stored in the chat (repliable, counted in message ids) but are not
:class:`SentMessage` records: ``messages_to``/``sent`` keep listing only what the bot *sent*.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.sandbox.standin.protocol import as_int, bad
from bot.sandbox.standin.records import FakeUser, ForumTopicRecord, SentMessage

#: The colours Telegram allows for a topic icon (createForumTopic's ``icon_color``); the first is the default.
ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
MAX_TOPIC_NAME = 128
#: An administrator's rights in a supergroup (ChatMemberAdministrator); those not granted are False.
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
_NO_GIFTS = {k: False for k in ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                                "gifts_from_channels")}


class ForumMethods:
    """Mixed into BotApiStandIn."""

    def _init_forum(self) -> None:
        #: chat id -> message_thread_id -> the topic, for every group declared with ``add_group``
        self.forum_topics: dict[int, dict[int, ForumTopicRecord]] = {}
        self._bot_rights: dict[int, dict[str, bool] | None] = {}

    def _forum_methods(self) -> dict[str, Callable[[dict, dict], Any]]:
        return {
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "createForumTopic": self._create_forum_topic,
            "editForumTopic": self._edit_forum_topic,
            "closeForumTopic": self._close_forum_topic,
            "reopenForumTopic": self._reopen_forum_topic,
            "deleteForumTopic": self._delete_forum_topic,
        }

    # ---------------------------------------------------------------- what a test declares and reads

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        forum: bool = False,
        bot_rights: dict[str, bool] | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        """The bot is in supergroup ``chat_id``: an administrator with ``bot_rights`` (e.g.
        ``{"can_manage_topics": True}``; ``{}`` is an admin without rights), a plain member if None.

        ``forum`` turns topics on. Returns the Bot API ``Chat`` object (what messages carry).
        """
        if chat_id >= 0:
            raise ValueError(f"a group's chat id is negative, got {chat_id}")
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": title}
        if username is not None:
            chat["username"] = username
        if forum:
            chat["is_forum"] = True
        self._chats[chat_id] = chat
        self.set_bot_rights(chat_id, bot_rights)
        self.forum_topics.setdefault(chat_id, {})
        return chat

    def set_bot_rights(self, chat_id: int, bot_rights: dict[str, bool] | None) -> None:
        """Change the bot's standing in a group (promoted, demoted, a right taken away)."""
        if bot_rights is not None:
            unknown = set(bot_rights) - set(ADMIN_RIGHTS)
            if unknown:
                raise ValueError(f"unknown administrator rights {sorted(unknown)}; known: {ADMIN_RIGHTS}")
            bot_rights = {right: bool(bot_rights.get(right, False)) for right in ADMIN_RIGHTS}
        self._bot_rights[chat_id] = bot_rights

    def group(self, chat_id: int) -> dict[str, Any]:
        """The Bot API ``Chat`` object of a known chat (e.g. to pass as ``chat=`` to ``send_text``)."""
        return self._chats[chat_id]

    def topics(self, chat_id: int) -> dict[int, ForumTopicRecord]:
        """The topics of a forum, by message_thread_id, deleted ones included (flagged)."""
        return dict(self.forum_topics.get(chat_id, {}))

    def topic(self, chat_id: int, thread_id: int) -> ForumTopicRecord:
        """One topic; KeyError naming the topics there are, so a failing test shows them."""
        found = self.forum_topics.get(chat_id, {}).get(thread_id)
        if found is None:
            raise KeyError(f"no topic {thread_id} in chat {chat_id}; topics: {self._topic_names(chat_id)}")
        return found

    def topic_named(self, chat_id: int, name: str) -> ForumTopicRecord:
        """The (not deleted) topic currently called ``name``."""
        for found in self.forum_topics.get(chat_id, {}).values():
            if found.name == name and not found.deleted:
                return found
        raise KeyError(f"no topic named {name!r} in chat {chat_id}; topics: {self._topic_names(chat_id)}")

    def _topic_names(self, chat_id: int) -> dict[int, str]:
        return {tid: t.name for tid, t in self.forum_topics.get(chat_id, {}).items()}

    def service_message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A service message (``forum_topic_created``/``_edited``/``_closed``/``_reopened``) by its id,
        e.g. ``tg.service_message(chat, topic.history[-1]["message_id"])``."""
        stored = self._messages.get(chat_id, {}).get(message_id)
        if not isinstance(stored, dict):
            raise KeyError(f"no stored service or user message {message_id} in chat {chat_id}")
        return stored

    def messages_in_topic(self, chat_id: int, thread_id: int) -> list[SentMessage]:
        """What the bot sent into one topic, oldest first (deleted ones flagged)."""
        return [m for m in self._by_chat.get(chat_id, ()) if m.message_thread_id == thread_id]

    # ---------------------------------------------------------------- users in topics

    def send_text_in_topic(
        self, user: FakeUser, chat_id: int, thread_id: int, text: str, *, reply_to: int | None = None
    ) -> int:
        """``user`` writes ``text`` in a topic: the message has ``message_thread_id``,
        ``is_topic_message`` and, unless it answers ``reply_to``, replies to the topic's creation
        message, as Telegram delivers it."""
        return self.send_text(user, text, chat=self._chats[chat_id], reply_to=reply_to, thread_id=thread_id)

    def send_photo_in_topic(
        self, user: FakeUser, chat_id: int, thread_id: int, *, caption: str | None = None,
        content: bytes = b"<png bytes>",
    ) -> int:
        """``user`` sends a photo into a topic (see :meth:`send_text_in_topic`)."""
        return self.send_photo(user, caption=caption, content=content, chat=self._chats[chat_id], thread_id=thread_id)

    def _topic_fields(self, chat_id: int, thread_id: int) -> dict[str, Any]:
        """The fields a user's message in topic ``thread_id`` carries; the topic must be open."""
        found = self.topic(chat_id, thread_id)
        if found.deleted or found.closed:
            state = "deleted" if found.deleted else "closed"
            raise ValueError(f"topic {thread_id} ({found.name!r}) in chat {chat_id} is {state}; nobody can write there")
        return {"message_thread_id": thread_id, "is_topic_message": True}

    # ---------------------------------------------------------------- the bot sending into topics

    def _thread_for(self, chat: dict, p: dict) -> int | None:
        """The ``message_thread_id`` a send names, checked like Telegram (unknown or closed refused)."""
        raw = p.get("message_thread_id")
        if raw is None or raw == "":
            return None
        thread_id = as_int(raw, 0)
        found = self.forum_topics.get(chat["id"], {}).get(thread_id) if chat.get("is_forum") else None
        if found is None or found.deleted:
            raise bad("message thread not found")
        if found.closed:
            raise bad("TOPIC_CLOSED")
        return thread_id

    # ---------------------------------------------------------------- getChat, getChatMember

    def _get_chat(self, p: dict, files: dict) -> dict:
        chat = self._chat(p)
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": dict(_NO_GIFTS)}

    def _get_chat_member(self, p: dict, files: dict) -> dict:
        chat = self._chat(p)
        user_id = as_int(p.get("user_id"), 0)
        if user_id == self.bot_id:
            rights = self._bot_rights.get(chat["id"])
            if rights is None:
                return {"status": "member", "user": self.bot_user}
            return {"status": "administrator", "user": self.bot_user, "can_be_edited": False,
                    "is_anonymous": False, **rights}
        if chat["type"] == "private" and user_id == chat["id"]:
            return {"status": "member", "user": self._known_user(chat["id"], user_id) or
                    {"id": user_id, "is_bot": False, "first_name": chat.get("first_name", "")}}
        user = self._known_user(chat["id"], user_id)
        if user is None:
            raise bad("user not found")
        return {"status": "member", "user": user}

    def _known_user(self, chat_id: int, user_id: int) -> dict | None:
        """A person who wrote in the chat (a group's member as far as the stand-in knows)."""
        for stored in self._messages.get(chat_id, {}).values():
            if isinstance(stored, dict) and stored.get("from", {}).get("id") == user_id:
                return stored["from"]
        return None

    # ---------------------------------------------------------------- topic methods

    def _forum(self, p: dict) -> dict:
        chat = self._chat(p)
        if not chat.get("is_forum"):
            raise bad("the chat is not a forum")
        return chat

    def _bot_may(self, chat_id: int, right: str) -> bool:
        rights = self._bot_rights.get(chat_id)
        return bool(rights and rights[right])

    @staticmethod
    def _topic_name(raw: Any) -> str:
        name = "" if raw is None else str(raw)
        if not name.strip():
            raise bad("TOPIC_TITLE_EMPTY")
        if len(name) > MAX_TOPIC_NAME:
            raise bad("TOPIC_TITLE_TOO_LONG")
        return name

    def _managed_topic(self, p: dict) -> tuple[dict, ForumTopicRecord]:
        """The topic an edit/close/reopen names; the bot needs can_manage_topics unless it created it."""
        chat = self._forum(p)
        found = self.forum_topics.get(chat["id"], {}).get(as_int(p.get("message_thread_id"), 0))
        if found is None or found.deleted:
            raise bad("message thread not found")
        if not self._bot_may(chat["id"], "can_manage_topics") and found.creator_id != self.bot_id:
            raise bad("not enough rights to manage forum topics")
        return chat, found

    def _service_message(self, chat: dict, thread_id: int, body: dict[str, Any], sender: dict) -> int:
        """Store a service message in the topic (a dict, like a user's message); returns its id."""
        cid = chat["id"]
        mid = self._new_message_id(cid)
        message: dict[str, Any] = {"message_id": mid, "from": sender, "chat": chat, "date": int(self.clock()),
                                   "message_thread_id": thread_id, "is_topic_message": True, **body}
        creation = self._messages.get(cid, {}).get(thread_id)
        if creation is not None and mid != thread_id:
            message["reply_to_message"] = self._api_message(creation, nested=False)
        self._messages.setdefault(cid, {})[mid] = message
        return mid

    def _topic_changed(self, chat: dict, found: ForumTopicRecord, action: str, body: dict,
                       sender: dict | None = None, **details: Any) -> int:
        """Record a change in the topic's history with its service message; returns the message's id."""
        sender = sender or self.bot_user
        mid = self._service_message(chat, found.message_thread_id, body, sender)
        found.history.append({"action": action, "date": int(self.clock()), "message_id": mid, "by": sender["id"],
                              **details})
        self._notify()
        self._notify_chat(chat["id"])
        return mid

    def _new_topic(self, chat: dict, name: str, color: int, emoji: str | None, sender: dict) -> ForumTopicRecord:
        created: dict[str, Any] = {"name": name, "icon_color": color}
        if emoji:
            created["icon_custom_emoji_id"] = emoji
        thread_id = self._next_message_id.get(chat["id"], 1)  # the service message's id, allocated next
        found = ForumTopicRecord(chat_id=chat["id"], message_thread_id=thread_id, name=name, icon_color=color,
                                 icon_custom_emoji_id=emoji, creator_id=sender["id"])
        self.forum_topics.setdefault(chat["id"], {})[thread_id] = found
        self._topic_changed(chat, found, "created", {"forum_topic_created": created}, sender, **created)
        return found

    # ---------------------------------------------------------------- people managing topics in their client

    def create_topic_as(self, user: FakeUser, chat_id: int, name: str, *, icon_color: int = ICON_COLORS[0]) -> int:
        """A person opens a topic: the bot gets its ``forum_topic_created`` message. Returns the thread id."""
        chat = self._chats[chat_id]
        if not chat.get("is_forum"):
            raise ValueError(f"chat {chat_id} is not a forum; declare it with add_group(..., forum=True)")
        found = self._new_topic(chat, self._topic_name(name), icon_color, None, user.to_dict())
        self.push_update({"message": self.service_message(chat_id, found.message_thread_id)})
        return found.message_thread_id

    def close_topic_as(self, user: FakeUser, chat_id: int, thread_id: int, *, closed: bool = True) -> int:
        """A person (an admin) closes a topic, or reopens it with ``closed=False``: the bot gets the
        ``forum_topic_closed``/``forum_topic_reopened`` message. Returns the update id."""
        found = self.topic(chat_id, thread_id)
        if found.deleted or found.closed == closed:
            raise ValueError(f"topic {thread_id} in chat {chat_id} is already {'closed' if closed else 'open'}")
        found.closed = closed
        action, key = ("closed", "forum_topic_closed") if closed else ("reopened", "forum_topic_reopened")
        mid = self._topic_changed(self._chats[chat_id], found, action, {key: {}}, user.to_dict())
        return self.push_update({"message": self.service_message(chat_id, mid)})

    def _create_forum_topic(self, p: dict, files: dict) -> dict:
        chat = self._forum(p)
        if not self._bot_may(chat["id"], "can_manage_topics"):
            raise bad("not enough rights to create a topic")
        name = self._topic_name(p.get("name"))
        color = as_int(p.get("icon_color"), ICON_COLORS[0])
        if color not in ICON_COLORS:
            raise bad("TOPIC_ICON_COLOR_INVALID")
        emoji = p.get("icon_custom_emoji_id")
        return self._new_topic(chat, name, color, str(emoji) if emoji else None, self.bot_user).to_dict()

    def _edit_forum_topic(self, p: dict, files: dict) -> bool:
        chat, found = self._managed_topic(p)
        changes: dict[str, Any] = {}
        if p.get("name"):  # "If not specified or empty, the current name of the topic will be kept"
            name = self._topic_name(p["name"])
            if name != found.name:
                changes["name"] = name
        if "icon_custom_emoji_id" in p:  # an empty string removes the icon
            emoji = str(p["icon_custom_emoji_id"] or "") or None
            if emoji != found.icon_custom_emoji_id:
                changes["icon_custom_emoji_id"] = emoji
        if not changes:
            raise bad("TOPIC_NOT_MODIFIED")
        previous = {key: getattr(found, key) for key in changes}
        for key, value in changes.items():
            setattr(found, key, value)
        body = {k: (v if v is not None else "") for k, v in changes.items()}
        self._topic_changed(chat, found, "edited", {"forum_topic_edited": body}, **changes, previous=previous)
        return True

    def _close_forum_topic(self, p: dict, files: dict) -> bool:
        chat, found = self._managed_topic(p)
        if found.closed:
            raise bad("TOPIC_NOT_MODIFIED")
        found.closed = True
        self._topic_changed(chat, found, "closed", {"forum_topic_closed": {}})
        return True

    def _reopen_forum_topic(self, p: dict, files: dict) -> bool:
        chat, found = self._managed_topic(p)
        if not found.closed:
            raise bad("TOPIC_NOT_MODIFIED")
        found.closed = False
        self._topic_changed(chat, found, "reopened", {"forum_topic_reopened": {}})
        return True

    def _delete_forum_topic(self, p: dict, files: dict) -> bool:
        """The topic and all its messages go; the bot needs can_delete_messages."""
        chat = self._forum(p)
        thread_id = as_int(p.get("message_thread_id"), 0)
        found = self.forum_topics.get(chat["id"], {}).get(thread_id)
        if found is None or found.deleted:
            raise bad("message thread not found")
        if not self._bot_may(chat["id"], "can_delete_messages"):
            raise bad("not enough rights to delete a topic")
        found.deleted = True
        found.history.append({"action": "deleted", "date": int(self.clock()), "by": self.bot_id})
        stored = self._messages.get(chat["id"], {})
        now = time.perf_counter()
        for mid, message in list(stored.items()):
            if isinstance(message, SentMessage):
                if message.message_thread_id == thread_id and not message.deleted:
                    message.deleted, message.changed_at = True, now
            elif message.get("message_thread_id") == thread_id:
                del stored[mid]
        self._notify()
        self._notify_chat(chat["id"])
        return True
