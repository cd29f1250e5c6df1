"""Tests for bot.sandbox.standin: a real PTB Application talks to the Bot API stand-in over HTTP.

Every test is event driven (no sleeps), so the whole file runs in a couple of seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox.standin import BotApiStandIn, FakeUser, SentMessage

ALICE = FakeUser(1001, "Alice", username="alice")
BOB = FakeUser(1002, "Bob", language_code="de")


# ------------------------------------------------------------------ the echo bot under test


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(
        "Welcome!", reply_markup=ReplyKeyboardMarkup([["Report a fault"], ["Help"]])
    )


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = update.effective_message.text
    await update.effective_message.reply_text(
        f"echo: {text}",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Like", callback_data="like")]]),
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if not query.message.is_accessible:  # forged or ancient button
        await query.answer("This button has expired", show_alert=True)
        return
    await query.answer("Liked!")
    await query.edit_message_text(f"liked: {query.message.text}")


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    photo = update.effective_message.photo[-1]
    if (photo.file_size or 0) > 20 * 1024 * 1024:  # bots cannot download more than 20 MB
        await update.effective_message.reply_text("That photo is too big for me.")
        return
    content = bytes(await (await photo.get_file()).download_as_bytearray())
    await update.effective_message.reply_photo(content, caption="<b>your</b> photo", parse_mode=ParseMode.HTML)
    await update.effective_message.reply_document(content, filename="copy.png")


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn() as tg:
        yield tg


@pytest.fixture
async def app(standin: BotApiStandIn) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(standin.token)
        .base_url(standin.base_url)
        .base_file_url(standin.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(MessageHandler(filters.PHOTO, on_photo))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(CallbackQueryHandler(on_button))
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=2)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def say(tg: BotApiStandIn, user: FakeUser, text: str) -> SentMessage:
    """Send ``text`` as ``user`` and return the bot's next message to them."""
    n = len(tg.messages_to(user.id))
    tg.send_text(user, text)
    return (await tg.wait_for_messages(user.id, n + 1))[n]


# ------------------------------------------------------------------ end to end with PTB


async def test_echo_for_two_users_and_offsets_confirmed(standin: BotApiStandIn, app: Application) -> None:
    standin.send_text(ALICE, "hello")
    standin.send_text(BOB, "hallo")
    standin.send_text(ALICE, "again")
    alice = await standin.wait_for_messages(ALICE.id, 2)
    bob = await standin.wait_for_messages(BOB.id, 1)
    assert sorted(m.text for m in alice) == ["echo: again", "echo: hello"]
    assert [m.text for m in bob] == ["echo: hallo"]
    assert bob[0].buttons() == [["Like"]]
    assert bob[0].reply_markup == {"inline_keyboard": [[{"text": "Like", "callback_data": "like"}]]}
    # message ids are per chat and shared with the user's messages
    assert {m.message_id for m in alice} == {3, 4}
    assert bob[0].message_id == 2

    await standin.wait_until_consumed()
    await standin.wait_idle(application=app)
    assert standin.pending_updates == 0
    offsets = [p.get("offset", 0) for method, p in standin.requests if method == "getUpdates"]
    assert max(offsets) == 4  # three updates, the last (id 3) confirmed with offset 4


async def test_button_press_answers_and_edits(standin: BotApiStandIn, app: Application) -> None:
    msg = await say(standin, ALICE, "ping")
    seen: list[str] = []
    standin.on_message = lambda m: seen.append(m.shown_text)
    standin.press(ALICE, msg, "Like")
    answers = await standin.wait_for_answer(1)
    assert answers[0]["text"] == "Liked!" and answers[0]["show_alert"] is False
    await standin.wait_for(lambda: bool(msg.edits), what="the edit")
    assert msg.text == "liked: echo: ping"
    assert msg.buttons() == []  # an edit that does not repeat the keyboard drops it
    assert msg.edits[0]["previous"]["text"] == "echo: ping"
    assert seen == ["liked: echo: ping"]


async def test_command_entity_reply_keyboard_and_commands(standin: BotApiStandIn, app: Application) -> None:
    msg = await say(standin, ALICE, "/start")
    assert msg.text == "Welcome!"
    assert msg.buttons() == [["Report a fault"], ["Help"]]
    assert standin.current_keyboard(ALICE.id) == [["Report a fault"], ["Help"]]
    with pytest.raises(KeyError, match="Report a fault"):
        msg.callback_data("Report")  # reply keyboard buttons have no callback data

    await app.bot.set_my_commands([("start", "Start over"), ("help", "Show help")])
    await app.bot.set_my_commands([("start", "Von vorn")], language_code="de")
    assert [c.command for c in await app.bot.get_my_commands()] == ["start", "help"]
    assert len(standin.commands) == 2
    await app.bot.delete_my_commands(language_code="de")
    assert await app.bot.get_my_commands(language_code="de") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await app.bot.set_my_commands([("Bad-Command", "x")])


async def test_photo_roundtrip_upload_and_download(standin: BotApiStandIn, app: Application) -> None:
    content = b"\x89PNG\r\n\x1a\n fake image bytes"
    standin.send_photo(ALICE, caption="broken printer", content=content)
    photo, document = await standin.wait_for_messages(ALICE.id, 2)
    assert photo.method == "sendPhoto" and photo.photo == content
    assert photo.caption == "your photo" and photo.raw_caption == "<b>your</b> photo"
    assert photo.entities == [{"type": "bold", "offset": 0, "length": 4}]
    assert document.method == "sendDocument"
    assert document.document == content and document.document_name == "copy.png"
    assert standin.file_content(document.file_id) == content
    # the bot can re-send what it uploaded by file_id
    again = await app.bot.send_document(ALICE.id, document.file_id)
    assert again.document.file_name == "copy.png"


async def test_get_file_refuses_files_over_20_mb(standin: BotApiStandIn, app: Application) -> None:
    uid = standin.send_document(BOB, "manual.pdf", content=b"%PDF small")
    file_id = standin.updates[uid]["message"]["document"]["file_id"]
    tg_file = await app.bot.get_file(file_id)
    assert bytes(await tg_file.download_as_bytearray()) == b"%PDF small"

    uid = standin.send_photo(BOB, file_size=21 * 1024 * 1024)
    sizes = standin.updates[uid]["message"]["photo"]
    assert (await app.bot.get_file(sizes[0]["file_id"])).file_size < 1024 * 1024  # thumbnail
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await app.bot.get_file(sizes[-1]["file_id"])
    (reply,) = await standin.wait_for_messages(BOB.id, 1)
    assert reply.text == "That photo is too big for me."


async def test_group_messages_and_replies(standin: BotApiStandIn, app: Application) -> None:
    standin.send_in_group(ALICE, "hi all")
    (msg,) = await standin.wait_for_messages(-100123, 1)
    assert msg.text == "echo: hi all"
    sent = await app.bot.send_message(-100123, "re", reply_to_message_id=1)
    assert sent.reply_to_message.text == "hi all"
    assert standin.last_to(-100123).reply_to_message_id == 1


# ------------------------------------------------------------------ failures, as PTB sees them


async def test_injected_500_then_success(standin: BotApiStandIn, app: Application) -> None:
    standin.send_text(ALICE, "x")
    await standin.wait_for_messages(ALICE.id, 1)
    standin.inject_error("sendMessage")
    for attempt in range(3):  # noqa: B007 - `attempt` is checked after the loop
        try:
            msg = await app.bot.send_message(ALICE.id, "retry me")
            break
        except NetworkError as exc:
            assert "Internal Server Error" in str(exc)
    assert attempt == 1 and msg.text == "retry me"
    assert [m.text for m in standin.messages_to(ALICE.id)][-1] == "retry me"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_surfaces_as_retry_after(standin: BotApiStandIn, app: Application) -> None:
    standin.send_text(ALICE, "x")
    await standin.wait_for_messages(ALICE.id, 1)
    standin.inject_error("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await app.bot.send_message(ALICE.id, "too fast")
    assert "Retry in 7 seconds" in str(info.value)


async def test_blocked_user_is_forbidden(standin: BotApiStandIn, app: Application) -> None:
    await say(standin, BOB, "hi")
    standin.block(BOB.id)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await app.bot.send_message(BOB.id, "still there?")
    standin.unblock(BOB.id)
    assert (await app.bot.send_message(BOB.id, "welcome back")).text == "welcome back"


async def test_validation_like_telegram(standin: BotApiStandIn, app: Application) -> None:
    bot = app.bot
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "who?")
    await say(standin, ALICE, "hi")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE.id, "")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE.id, "x" * 4097)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE.id, "x", reply_markup=too_long)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE.id, "Ticket #12.", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE.id, "<b>open", parse_mode=ParseMode.HTML)

    sent = await bot.send_message(ALICE.id, "Ticket \\#12\\.", parse_mode=ParseMode.MARKDOWN_V2)
    assert sent.text == "Ticket #12." == standin.last_to(ALICE.id).text
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Ticket #12.", chat_id=ALICE.id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=ALICE.id, message_id=999)
    assert await bot.delete_message(ALICE.id, sent.message_id)
    assert standin.last_to(ALICE.id).deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE.id, sent.message_id)


async def test_callback_answered_twice_and_forged_data(standin: BotApiStandIn, app: Application) -> None:
    standin.send_text(ALICE, "x")
    await standin.wait_for_messages(ALICE.id, 1)
    standin.press_data(ALICE, 999, "forged")  # message unknown -> inaccessible message
    await standin.wait_for_answer(1)
    assert standin.callback_answers[0]["text"] == "This button has expired"
    assert standin.callback_answers[0]["show_alert"] is True
    query_id = standin.callback_answers[0]["callback_query_id"]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await app.bot.answer_callback_query(query_id)


async def test_disconnects_and_random_errors(standin: BotApiStandIn, app: Application) -> None:
    standin.send_text(ALICE, "x")
    await standin.wait_for_messages(ALICE.id, 1)
    standin.inject_disconnect("sendMessage")
    with pytest.raises(NetworkError):
        await app.bot.send_message(ALICE.id, "lost before")
    standin.inject_disconnect("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await app.bot.send_message(ALICE.id, "lost after")
    assert standin.last_to(ALICE.id).text == "lost after"  # delivered, answer lost

    standin.set_error_rate(1.0, kinds=("500",))
    with pytest.raises(NetworkError):
        await app.bot.send_message(ALICE.id, "nope")
    standin.set_error_rate(0.0)
    assert (await app.bot.send_message(ALICE.id, "fine")).text == "fine"


async def test_wait_for_messages_times_out_readably(standin: BotApiStandIn) -> None:
    with pytest.raises(AssertionError, match=r"(?s)1 messages to chat 1001.*\(nothing\)"):
        await standin.wait_for_messages(ALICE.id, 1, timeout=0.01)
    with pytest.raises(AssertionError, match="sent nothing"):
        standin.last_to(ALICE.id)


async def test_every_user_update_kind_parses_in_ptb(standin: BotApiStandIn) -> None:
    uids = {
        "text": standin.send_text(ALICE, "see /help@helpdesk_test_bot now"),
        "photo": standin.send_photo(ALICE, caption="jam", media_group_id="g1"),
        "sticker": standin.send_sticker(ALICE),
        "voice": standin.send_voice(ALICE),
        "video": standin.send_video(ALICE),
        "document": standin.send_document(ALICE, "log.txt", content=b"log"),
        "location": standin.send_location(ALICE),
        "contact": standin.send_contact(ALICE, "+49 30 1234567"),
        "other_contact": standin.send_contact(ALICE, "+1 555", contact_user_id=7, first_name="X"),
    }
    uids["edit"] = standin.edit_text(ALICE, 1, "/start again")
    up = {kind: Update.de_json(standin.updates[uid], None) for kind, uid in uids.items()}
    text = up["text"].message
    assert text.parse_entities() == {text.entities[0]: "/help@helpdesk_test_bot"}
    assert up["photo"].message.photo[-1].file_size == 50_000
    assert up["photo"].message.media_group_id == "g1"
    assert up["sticker"].message.sticker.is_animated is False
    assert standin.updates[uids["voice"]]["message"]["voice"]["duration"] == 3
    assert up["video"].message.video.mime_type == "video/mp4"
    assert up["document"].message.document.file_name == "log.txt"
    assert standin.file_content(up["document"].message.document.file_id) == b"log"
    assert up["location"].message.location.latitude == pytest.approx(55.7558)
    assert up["contact"].message.contact.user_id == ALICE.id
    assert up["other_contact"].message.contact.first_name == "X"
    edited = up["edit"].edited_message
    assert edited.text == "/start again" and edited.message_id == 1 and edited.edit_date
    assert up["text"].message.text == "see /help@helpdesk_test_bot now"  # original unchanged
    assert [u.update_id for u in up.values()] == list(range(1, 11))
    assert len({u.effective_message.message_id for u in up.values()}) == 9


# ------------------------------------------------------------------ raw HTTP protocol


async def test_raw_http_long_poll_offset_and_errors(standin: BotApiStandIn) -> None:
    url = f"{standin.base_url}{standin.token}"
    async with aiohttp.ClientSession() as http:

        async def call(method: str, base: str = url, **data: object) -> tuple[int, dict]:
            form = {k: v if isinstance(v, str) else str(v) for k, v in data.items()}
            async with http.post(f"{base}/{method}", data=form) as resp:
                return resp.status, await resp.json()

        poll = asyncio.create_task(call("getUpdates", timeout=5))
        await standin.wait_for(lambda: bool(standin.requests), what="the long poll")
        for i in range(3):
            standin.send_text(ALICE, f"m{i}")
        status, body = await asyncio.wait_for(poll, 2)  # woke on push, not after 5 s
        assert status == 200 and body["ok"]
        assert [u["update_id"] for u in body["result"]] == [1, 2, 3]

        _, body = await call("getUpdates", offset=2, limit=1)
        assert [u["message"]["text"] for u in body["result"]] == ["m1"]
        assert standin.pending_updates == 2  # update 1 confirmed by offset=2
        _, body = await call("getUpdates", offset=4, timeout=0)
        assert body["result"] == [] and standin.pending_updates == 0

        assert await call("fooBar") == (
            404,
            {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
        )
        status, body = await call("getMe", base=f"{standin.base_url}1:wrong")
        assert (status, body["description"]) == (401, "Unauthorized")
        status, body = await call("setWebhook", url="https://example.org")
        assert status == 400 and "getUpdates" in body["description"]
        status, body = await call("getMe")
        assert body["result"]["username"] == "helpdesk_test_bot"

        _, body = await call("getUpdates", allowed_updates='["callback_query"]', timeout=0)
        standin.send_text(ALICE, "filtered out")  # not allowed: never stored, like Telegram
        standin.press_data(ALICE, 1, "ok")
        _, body = await call("getUpdates", timeout=0)
        assert [list(u)[1] for u in body["result"]] == ["callback_query"]
