"""Forum supergroups and topics in the Bot API stand-in, through a real PTB ``Bot`` and ``Application``.

What a help desk that keeps its tickets as forum topics relies on: getChat/getChatMember tell it
whether the group is a forum and whether it may manage topics; topics are created, renamed, closed
and reopened with Telegram's refusals; messages go into a topic and come out of one. Event driven,
no sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, ChatMemberAdministrator, ChatMemberMember, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.sandbox.standin import BotApiStandIn, FakeUser

ALICE = FakeUser(1001, "Alice", username="alice")
FORUM = -1001500
PLAIN = -1001600
RIGHTS = {"can_manage_topics": True, "can_delete_messages": True}


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn() as tg:
        tg.add_group(FORUM, "Service desk", forum=True, bot_rights=RIGHTS)
        tg.add_group(PLAIN, "Lunch", forum=False, bot_rights=None)
        yield tg


@pytest.fixture
async def bot(standin: BotApiStandIn) -> AsyncIterator[Bot]:
    async with Bot(standin.token, base_url=standin.base_url, base_file_url=standin.base_file_url) as b:
        yield b


async def test_get_chat_and_the_bots_rights(standin: BotApiStandIn, bot: Bot) -> None:
    forum = await bot.get_chat(FORUM)
    assert (forum.type, forum.title, forum.is_forum) == (ChatType.SUPERGROUP, "Service desk", True)
    plain = await bot.get_chat(PLAIN)
    assert plain.type == ChatType.SUPERGROUP and not plain.is_forum
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.get_chat(-100999)
    standin.introduce(ALICE)
    private = await bot.get_chat(ALICE.id)
    assert (private.type, private.first_name, private.username) == (ChatType.PRIVATE, "Alice", "alice")

    admin = await bot.get_chat_member(FORUM, bot.id)
    assert isinstance(admin, ChatMemberAdministrator)
    assert admin.can_manage_topics is True and admin.can_delete_messages is True
    assert admin.can_pin_messages is False and admin.user.id == standin.bot_id
    member = await bot.get_chat_member(PLAIN, bot.id)
    assert isinstance(member, ChatMemberMember)
    standin.set_bot_rights(PLAIN, {"can_pin_messages": True})
    assert (await bot.get_chat_member(PLAIN, bot.id)).status == "administrator"
    with pytest.raises(ValueError, match="can_manage_topic"):
        standin.set_bot_rights(PLAIN, {"can_manage_topic": True})  # a typo in a test is loud

    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(FORUM, ALICE.id)
    standin.send_text(ALICE, "hi", chat=standin.group(FORUM))
    assert (await bot.get_chat_member(FORUM, ALICE.id)).user.first_name == "Alice"


async def test_create_topic_send_into_it_and_read_it_back(standin: BotApiStandIn, bot: Bot) -> None:
    topic = await bot.create_forum_topic(FORUM, "Ticket 17: printer", icon_color=0xFFD67E)
    assert (topic.name, topic.icon_color) == ("Ticket 17: printer", 0xFFD67E)
    record = standin.topic(FORUM, topic.message_thread_id)
    assert record.history[0]["action"] == "created" and not record.closed
    created = standin.service_message(FORUM, topic.message_thread_id)  # its id is the thread's, as in Telegram
    assert created["forum_topic_created"] == {"name": "Ticket 17: printer", "icon_color": 0xFFD67E}

    sent = await bot.send_message(FORUM, "Assigned to Bob", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    assert sent.reply_to_message.forum_topic_created.name == "Ticket 17: printer"
    await bot.send_photo(FORUM, b"\x89PNG photo", caption="label", message_thread_id=topic.message_thread_id)
    await bot.send_message(FORUM, "in General")
    second = await bot.create_forum_topic(FORUM, "Ticket 18")
    assert second.icon_color == 0x6FB9F0 and second.message_thread_id > sent.message_id
    in_topic = standin.messages_in_topic(FORUM, topic.message_thread_id)
    assert [m.shown_text for m in in_topic] == ["Assigned to Bob", "label"]
    assert standin.messages_in_topic(FORUM, second.message_thread_id) == []
    assert standin.last_to(FORUM).message_thread_id is None  # General: no thread
    assert [m.text for m in standin.messages_to(FORUM)] == ["Assigned to Bob", None, "in General"]
    assert standin.topic_named(FORUM, "Ticket 18") is standin.topic(FORUM, second.message_thread_id)


async def test_create_refused_like_telegram(standin: BotApiStandIn, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)the chat is not a forum"):
        await bot.create_forum_topic(PLAIN, "x")
    standin.add_group(-1001700, "No rights", forum=True, bot_rights={"can_delete_messages": True})
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to create a topic"):
        await bot.create_forum_topic(-1001700, "x")
    standin.add_group(-1001800, "Member only", forum=True)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to create a topic"):
        await bot.create_forum_topic(-1001800, "x")
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_TITLE_EMPTY"):
        await bot.create_forum_topic(FORUM, "")
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_TITLE_TOO_LONG"):
        await bot.create_forum_topic(FORUM, "x" * 129)
    with pytest.raises(BadRequest, match=r"(?i)icon_color"):
        await bot.create_forum_topic(FORUM, "x", icon_color=0x123456)
    assert (await bot.create_forum_topic(FORUM, "y" * 128)).name == "y" * 128
    assert len(standin.topics(FORUM)) == 1 and standin.topics(-1001700) == {}
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(FORUM, "where?", message_thread_id=999)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(PLAIN, "where?", message_thread_id=1)


async def test_edit_close_reopen_delete_and_their_history(standin: BotApiStandIn, bot: Bot) -> None:
    tid = (await bot.create_forum_topic(FORUM, "Ticket 20")).message_thread_id
    assert await bot.edit_forum_topic(FORUM, tid, name="Ticket 20 [urgent]")
    assert await bot.edit_forum_topic(FORUM, tid, icon_custom_emoji_id="5312536423851630001")
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(FORUM, tid, name="Ticket 20 [urgent]")
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(FORUM, tid, icon_custom_emoji_id="5312536423851630001")
    record = standin.topic(FORUM, tid)
    assert record.name == "Ticket 20 [urgent]" and record.icon_custom_emoji_id == "5312536423851630001"

    assert await bot.close_forum_topic(FORUM, tid)
    assert standin.topic(FORUM, tid).closed
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(FORUM, tid)
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_CLOSED"):
        await bot.send_message(FORUM, "late", message_thread_id=tid)
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_CLOSED"):
        await bot.send_document(FORUM, b"log", filename="a.txt", message_thread_id=tid)
    with pytest.raises(ValueError, match="closed"):
        standin.send_text_in_topic(ALICE, FORUM, tid, "anyone?")
    assert await bot.reopen_forum_topic(FORUM, tid)
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_NOT_MODIFIED"):
        await bot.reopen_forum_topic(FORUM, tid)
    await bot.send_message(FORUM, "back", message_thread_id=tid)
    assert await bot.edit_forum_topic(FORUM, tid, icon_custom_emoji_id="")  # "" removes the icon
    assert record.icon_custom_emoji_id is None and "icon_custom_emoji_id" not in record.to_dict()

    actions = [h["action"] for h in record.history]
    assert actions == ["created", "edited", "edited", "closed", "reopened", "edited"]
    assert record.history[1]["name"] == "Ticket 20 [urgent]"
    assert record.history[1]["previous"] == {"name": "Ticket 20"}
    assert record.history[2]["previous"] == {"icon_custom_emoji_id": None}
    service = standin.service_message(FORUM, record.history[3]["message_id"])
    assert "forum_topic_closed" in service and service["message_thread_id"] == tid

    standin.set_bot_rights(FORUM, {"can_delete_messages": True})  # still the topic's creator: may close
    assert await bot.close_forum_topic(FORUM, tid)
    assert await bot.delete_forum_topic(FORUM, tid)
    assert standin.topic(FORUM, tid).deleted and standin.messages_in_topic(FORUM, tid)[0].deleted
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.reopen_forum_topic(FORUM, tid)
    with pytest.raises(BadRequest, match=r"(?i)the chat is not a forum"):
        await bot.close_forum_topic(PLAIN, tid)


async def test_people_open_and_close_topics_and_the_bot_is_told(standin: BotApiStandIn, bot: Bot) -> None:
    tid = standin.create_topic_as(ALICE, FORUM, "Coffee machine", icon_color=0x8EEE98)
    (opened,) = await bot.get_updates(timeout=0)
    assert opened.message.forum_topic_created.name == "Coffee machine"
    assert opened.message.message_id == tid and opened.message.from_user.id == ALICE.id
    standin.send_text_in_topic(ALICE, FORUM, tid, "it leaks")
    standin.close_topic_as(ALICE, FORUM, tid)
    updates = await bot.get_updates(offset=opened.update_id + 1, timeout=0)
    assert updates[0].message.text == "it leaks" and updates[0].message.reply_to_message.message_id == tid
    assert updates[1].message.forum_topic_closed is not None and updates[1].message.message_thread_id == tid
    with pytest.raises(BadRequest, match=r"(?i)TOPIC_CLOSED"):
        await bot.send_message(FORUM, "noted", message_thread_id=tid)
    with pytest.raises(ValueError, match="already closed"):
        standin.close_topic_as(ALICE, FORUM, tid)

    standin.set_bot_rights(FORUM, {})  # not the topic's creator and no right: refused
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to manage forum topics"):
        await bot.reopen_forum_topic(FORUM, tid)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to delete a topic"):
        await bot.delete_forum_topic(FORUM, tid)
    standin.close_topic_as(ALICE, FORUM, tid, closed=False)
    record = standin.topic(FORUM, tid)
    assert [(h["action"], h["by"]) for h in record.history] == [
        ("created", ALICE.id), ("closed", ALICE.id), ("reopened", ALICE.id)]
    assert not record.closed and record.icon_color == 0x8EEE98


async def test_a_users_topic_message_reaches_ptb_and_the_reply_lands_in_the_topic(
    standin: BotApiStandIn, bot: Bot
) -> None:
    tid = (await bot.create_forum_topic(FORUM, "Ticket 30")).message_thread_id

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        await message.reply_text(f"thread {message.message_thread_id}: {message.text or message.caption}")

    app: Application = (
        ApplicationBuilder().token(standin.token).base_url(standin.base_url)
        .base_file_url(standin.base_file_url).build()
    )
    app.add_handler(MessageHandler(filters.TEXT | filters.PHOTO, echo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        uid = standin.send_text_in_topic(ALICE, FORUM, tid, "the toner is empty")
        photo_uid = standin.send_photo_in_topic(ALICE, FORUM, tid, caption="see")
        await standin.wait_for(lambda: len(standin.messages_in_topic(FORUM, tid)) == 2, what="two replies")
        await app.updater.stop()
        await app.stop()

    message = Update.de_json(standin.updates[uid], bot).message
    assert message.message_thread_id == tid and message.is_topic_message is True
    assert message.chat.is_forum is True and message.chat.type == ChatType.SUPERGROUP
    assert message.reply_to_message.message_id == tid
    assert message.reply_to_message.forum_topic_created.name == "Ticket 30"
    replies = standin.messages_in_topic(FORUM, tid)
    assert sorted(m.text for m in replies) == [f"thread {tid}: see", f"thread {tid}: the toner is empty"]
    asked = {standin.updates[u]["message"]["message_id"] for u in (uid, photo_uid)}
    assert {m.reply_to_message_id for m in replies} == asked  # PTB quotes in groups; still in the topic
    with pytest.raises(KeyError, match="Ticket 30"):
        standin.send_text_in_topic(ALICE, FORUM, 4242, "no such topic")
