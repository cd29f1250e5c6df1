"""Nothing is lost across a restart; an update delivered twice is acted on once."""

from __future__ import annotations

import json

from telegram import Update

from storage import open_storage
from tests.conftest import ALICE, LINA
from tests.harness import BotHarness


async def test_half_filled_report_survives_a_restart(desk: BotHarness) -> None:
    await desk.describe(LINA, "投影仪没有信号")
    await desk.press(LINA, "投影仪")
    await desk.press(LINA, "HQ-3F")
    await desk.restart()
    replies = await desk.say(LINA, "/start")
    assert "在 HQ-3F 的哪个房间" in replies[-1].text  # the report continues where it was
    await desk.say(LINA, "大会议室")
    await desk.press(LINA, "严重影响工作")
    await desk.say(LINA, "13900002222")
    replies = await desk.press(LINA, "提交")
    assert "工单 HD-2026-00001 已受理" in replies[-1].text


async def test_buttons_sent_before_a_restart_still_work(desk: BotHarness) -> None:
    await desk.describe(ALICE, "Monitor is black")
    question = desk.last_with_buttons(ALICE)
    await desk.restart()
    replies = await desk.press(ALICE, "Monitor", question)
    assert "Where is it" in replies[-1].text


async def _redeliver(desk: BotHarness, update: dict) -> None:
    """Telegram redelivers an update whose offset was not confirmed (e.g. before a crash): it
    reaches the Application again, exactly as the updater hands it over."""
    app = desk.bot.app  # type: ignore[union-attr]
    await app.update_queue.put(Update.de_json(update, app.bot))


async def test_same_update_delivered_twice_is_handled_once(desk: BotHarness) -> None:
    await desk.describe(ALICE, "Printer is offline")
    await desk.press(ALICE, "Printer")
    await desk.press(ALICE, "HQ-3F")
    await desk.press(ALICE, "Skip")
    await desk.press(ALICE, "Badly affected")
    sender = {"id": ALICE.id, "is_bot": False, "first_name": "Alice"}
    chat = {"id": ALICE.id, "type": "private"}
    phone = {"update_id": 424241, "message": {"message_id": 900, "date": 0, "chat": chat,
                                              "from": sender, "text": "13800001234"}}
    await desk.handled(desk.tg.push_update(phone))
    summary = desk.last_with_buttons(ALICE)
    submit = {"update_id": 424242, "callback_query": {
        "id": "dup-1", "from": sender, "chat_instance": "1", "data": summary.callback_data("Submit"),
        "message": {"message_id": summary.message_id, "date": 0, "text": summary.text, "chat": chat},
    }}
    await desk.handled(desk.tg.push_update(submit))
    sent, answers = len(desk.tg.messages_to(ALICE.id)), len(desk.tg.callback_answers)
    await _redeliver(desk, phone)
    await _redeliver(desk, submit)
    await desk.handled(desk.tg.send_text(ALICE, "/my"))
    messages = desk.tg.messages_to(ALICE.id)
    assert len(messages) == sent + 1  # only the answer to /my: the repeats were not acted on
    assert len(desk.tg.callback_answers) == answers
    assert "HD-2026-00001" in messages[-1].text and "HD-2026-00002" not in messages[-1].text


async def test_language_from_telegram_and_lang_switch_is_remembered(desk: BotHarness) -> None:
    replies = await desk.say(LINA, "/help")
    assert "报修方法" in replies[0].text
    replies = await desk.say(LINA, "/lang")
    replies = await desk.press(LINA, "English")
    assert "I'll write in English" in replies[0].text
    await desk.restart()
    replies = await desk.say(LINA, "/help")
    assert "How to report a fault" in replies[0].text
    replies = await desk.say(LINA, "/lang zh")
    assert "用中文" in replies[0].text


def _message_update(update_id: int, text: str) -> str:
    sender = {"id": ALICE.id, "is_bot": False, "first_name": "Alice", "language_code": "en"}
    return json.dumps({"update_id": update_id, "message": {
        "message_id": 7000 + update_id % 1000, "date": 0, "chat": {"id": ALICE.id, "type": "private"},
        "from": sender, "text": text, "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}})


async def _inbox(desk: BotHarness) -> list[int]:
    storage = await open_storage(desk.db_path)
    try:
        async with storage.transaction() as tx:
            return [update_id for update_id, _ in await tx.inbox.pending()]
    finally:
        await storage.close()


async def _left_in_inbox(desk: BotHarness, *updates: tuple[int, str]) -> None:
    """What a crash between keeping fetched updates and handling them leaves behind."""
    storage = await open_storage(desk.db_path)
    try:
        async with storage.transaction() as tx:
            await tx.inbox.add(list(updates), desk.clock.now())
    finally:
        await storage.close()


async def test_updates_fetched_but_not_handled_before_a_crash_are_handled_at_the_next_start(desk: BotHarness) -> None:
    desk.tg.introduce(ALICE)  # she wrote to the bot before: Telegram knows her chat
    await desk.stop()
    await _left_in_inbox(desk, (515151, _message_update(515151, "/help")), (515152, _message_update(515152, "/my")))
    await desk.start()
    messages = await desk.tg.wait_for_messages(ALICE.id, 2)
    assert "How to report a fault" in messages[0].text  # in the order they came
    assert "You have no tickets yet" in messages[1].text
    await desk.stop()  # strikes what was handled
    assert await _inbox(desk) == []
    await desk.start()
    await desk.say(ALICE, "/lang")
    assert len(desk.tg.messages_to(ALICE.id)) == 3  # replayed once, not at every start


async def test_an_update_handled_but_still_in_the_inbox_is_not_acted_on_again(desk: BotHarness) -> None:
    update_id = desk.tg.send_text(ALICE, "/help")
    assert len(await desk.run(ALICE, update_id)) == 1
    await desk.stop()
    # the crash came after the update was handled, before it was struck from the inbox
    await _left_in_inbox(desk, (update_id, _message_update(update_id, "/help")))
    await desk.start()
    replies = await desk.say(ALICE, "/my")
    messages = desk.tg.messages_to(ALICE.id)
    assert len(messages) == 2 and messages[-1] == replies[-1]  # /help was not answered twice
    await desk.stop()
    assert await _inbox(desk) == []


