"""The engineer's loop closes: the card shows where the job stands and offers only the next steps, every
press says what it did, "can't take" is the offered engineer's once and really moves the ticket, a
hand-over to someone the bot cannot reach fails where it was tried, and a cancellation reaches whoever
is on the way, whose card's buttons die."""

from __future__ import annotations

from pathlib import Path

from bot.domain.clock import FakeClock
from bot.sandbox.standin import SentMessage
from tests.conftest import ALICE, ENGINEER, ENGINEER2, LINA, MANAGER, START, make_config
from tests.harness import BotHarness, harness


async def _p1(desk: BotHarness, user=ALICE) -> str:  # type: ignore[no-untyped-def]
    zh = user is LINA
    replies = await desk.report(user, description="打印机完全没反应" if zh else "Printer is completely dead",
                                device="打印机" if zh else "Printer", site="HQ-3F", room="305",
                                severity="工作已停顿" if zh else "Work has stopped", phone="13800001234")
    return next(word for word in replies[-1].text.split() if word.startswith("HD-"))


def _labels(message: SentMessage) -> list[str]:
    return [label for row in message.buttons() for label in row]


async def _events(desk: BotHarness, number: str) -> list[tuple[str, dict]]:
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        return [(e.kind, e.data) for e in await tx.tickets.events(number)]


async def test_on_my_way_is_offered_once_and_every_press_says_what_it_did(desk: BotHarness) -> None:
    await _p1(desk, LINA)
    card = desk.last_with_buttons(ENGINEER)
    await desk.press(ENGINEER, "✅ 接单", card)
    card = desk.last_with_buttons(ENGINEER)
    assert "🚗 出发" in _labels(card)
    await desk.press(ENGINEER, "🚗 出发", card)
    assert desk.last_answer()["text"] == "🚗 已出发，已通知报修人。"
    card = desk.last_with_buttons(ENGINEER)
    assert "🚗 出发" not in _labels(card) and "📍 已到场" in _labels(card)  # only the next step
    assert "工程师已出发" in card.text  # the card says where the job stands
    await desk.press(ENGINEER, "📍 已到场", card)
    assert desk.last_answer()["text"] == "📍 已到场，已通知报修人。"
    card = desk.last_with_buttons(ENGINEER)
    assert "📍 已到场" not in _labels(card) and "✅ 完成维修" in _labels(card)


async def test_an_old_on_my_way_button_pressed_again_changes_nothing(desk: BotHarness) -> None:
    number = await _p1(desk)
    await desk.press(ENGINEER, "✅ 接单", desk.last_with_buttons(ENGINEER))
    card = desk.last_with_buttons(ENGINEER)
    await desk.press(ENGINEER, "🚗 出发", card)
    before = len(await _events(desk, number))
    await desk.handled(desk.tg.press_data(ENGINEER, card.message_id, f"t:{number}:way"))  # a stale copy of it
    assert desk.last_answer()["text"] == "您已经点过“出发”了。"
    assert len(await _events(desk, number)) == before


async def test_cant_take_is_the_offered_engineers_once_with_a_reason_and_moves_the_ticket(desk: BotHarness) -> None:
    number = await _p1(desk)
    card = desk.last_with_buttons(ENGINEER)
    await desk.handled(desk.tg.press_data(ENGINEER2, card.message_id, f"t:{number}:decline"))
    assert "was not offered to you" in desk.last_answer()["text"]  # Liu Yang was not offered it
    await desk.press(ENGINEER, "🚫 无法接单", card)
    assert desk.last_answer()["text"] == "说明原因后，工单会转给下一位。"
    await desk.say(ENGINEER, "车坏在半路了")  # a typed reason
    assert "已转给 Liu Yang" in desk.last_text(ENGINEER)
    backup = desk.last_with_buttons(ENGINEER2)
    assert number in backup.text and "车坏在半路了" in backup.text
    for _ in range(10):  # the old card, pressed again and again
        await desk.handled(desk.tg.press_data(ENGINEER, card.message_id, f"t:{number}:decline"))
    events = await _events(desk, number)
    declined = [data for kind, data in events if kind == "declined"]
    assert declined == [{"reason": "车坏在半路了"}]  # once, with its reason
    assert [data["assignee"] for kind, data in events if kind == "assign"][-1] == ENGINEER2.id  # it moved on
    assert "没有派给您" in desk.last_answer()["text"]
    queue = await desk.say(ENGINEER, "/queue")
    assert number not in queue[-1].text  # no longer in the queue of the one who declined
    manager_alerts = [m for m in desk.tg.messages_to(MANAGER.id) if number in (m.text or "")]
    assert len(manager_alerts) <= 1
    await desk.press(ENGINEER2, "✅ Accept", backup)
    assert "Liu Yang" in desk.last_text(ALICE)
    card = desk.last_with_buttons(ENGINEER2)  # the same loop in English
    await desk.press(ENGINEER2, "🚗 On my way", card)
    assert desk.last_answer()["text"] == "🚗 On your way: the reporter is told."
    card = desk.last_with_buttons(ENGINEER2)
    assert "🚗 On my way" not in _labels(card) and "📍 On site" in _labels(card) and "engineer on the way" in card.text


async def test_an_english_engineer_declines_with_a_quick_reason(desk: BotHarness) -> None:
    number = await _p1(desk)
    await desk.press(ENGINEER, "✅ 接单", desk.last_with_buttons(ENGINEER))
    await desk.press(ENGINEER, "🤝 转交", desk.last_with_buttons(ENGINEER))
    await desk.press(ENGINEER, "Liu Yang", desk.last_with_buttons(ENGINEER))  # now offered to Liu Yang
    offer = desk.last_with_buttons(ENGINEER2)
    await desk.press(ENGINEER2, "🚫 Can't take", offer)
    assert "Why can't you take" in desk.last_text(ENGINEER2)
    await desk.press(ENGINEER2, "Not my field (needs someone else)")
    assert desk.last_answer()["text"] == "OK, noted: it moves on."
    events = await _events(desk, number)
    assert ("declined", {"reason": "Not my field (needs someone else)"}) in events
    old = next(m for m in desk.tg.messages_to(ENGINEER2.id) if m.message_id == offer.message_id)
    assert not old.buttons()  # the offer they declined lost its buttons


async def test_a_hand_over_to_someone_the_bot_cannot_reach_fails_where_it_was_tried(tmp_path: Path) -> None:
    config = make_config(engineers=[{"id": 1001, "name": "Wang Wei"}, {"id": 1004, "name": "New Hire"}],
                         rotations=[{"name": "all", "engineers": [1001], "covers": "all"}])
    async with harness(config, FakeClock(START), tmp_path / "h.db") as desk:
        number = await _p1(desk)
        await desk.press(ENGINEER, "✅ 接单", desk.last_with_buttons(ENGINEER))
        await desk.press(ENGINEER, "🤝 转交", desk.last_with_buttons(ENGINEER))
        menu = desk.last_with_buttons(ENGINEER)
        assert "New Hire ⚠️ 联系不上" in _labels(menu)  # the list says it before the press
        told = len(desk.tg.messages_to(ALICE.id))
        await desk.press(ENGINEER, "New Hire ⚠️ 联系不上", menu)
        answer = desk.last_answer()
        assert answer["show_alert"] and "New Hire 还没有和机器人开始私聊" in answer["text"]
        assert len(desk.tg.messages_to(ALICE.id)) == told  # the reporter is not told it moved
        async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
            ticket = await tx.tickets.get(number)
        assert ticket is not None and ticket.assignee_id == ENGINEER.id  # it stayed where it was
        assert ("handover_failed", {"engineer": 1004, "reason": "unreachable"}) in await _events(desk, number)


async def test_a_cancellation_reaches_the_engineer_on_the_way_and_the_cards_buttons_die(tmp_path: Path) -> None:
    config = make_config(bot={"timezone": "Asia/Shanghai", "default_language": "en", "duty_chat_id": -100555})
    async with harness(config, FakeClock(START), tmp_path / "h.db") as desk:
        await desk.handled(desk.tg.send_in_group(MANAGER, "hello", group_id=-100555))  # the bot is in the group
        number = await _p1(desk)
        await desk.press(ENGINEER, "✅ 接单", desk.last_with_buttons(ENGINEER))
        await desk.press(ENGINEER, "🚗 出发", desk.last_with_buttons(ENGINEER))
        card = desk.last_with_buttons(ENGINEER)
        await desk.say(ALICE, f"/cancel {number}")
        await desk.say(ALICE, "It works again after a restart")
        told = desk.last_text(ENGINEER)
        assert f"❌ {number} 已被报修人撤销" in told and "It works again after a restart" in told
        assert any(f"❌ {number} was cancelled by the reporter" in (m.text or "")
                   for m in desk.tg.messages_to(-100555))  # the duty group too
        edited = next(m for m in desk.tg.messages_to(ENGINEER.id) if m.message_id == card.message_id)
        assert not edited.buttons()  # the card's buttons are gone
        await desk.handled(desk.tg.press_data(ENGINEER, card.message_id, f"t:{number}:arrive"))  # a stale press
        assert desk.last_answer()["text"] == "工单已取消，无法进行此操作。"


async def test_a_managers_queue_is_the_console(desk: BotHarness) -> None:
    number = await _p1(desk)
    replies = await desk.say(MANAGER, "/queue")
    assert number in replies[-1].text or any(number in (m.text or "") for m in replies)
    assert not any("您没有待办工单" in (m.text or "") for m in replies)
