"""Inspections that do not go to plan, end to end: a list moved to another day of its window (with a
reason the managers get; its late alert moves with it, its list comes again that morning), a list
handed to another engineer (refused for one the bot cannot reach), a photo and a typed note kept on the
device being checked, and what an inspection found shown on the device's next ticket card."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.callbacks import InspectionAction
from bot.domain.assets import parse_register
from bot.domain.clock import FakeClock
from tests.conftest import LINA, MANAGER, START, make_config
from tests.harness import BotHarness, answered, harness
from tests.test_inspection_flow import DEC_1_MORNING, INSPECTIONS, ON_DUTY, OTHER, REGISTER, _lists, _until

ENGINEERS = [{"id": 1001, "name": "Wang Wei", "phone": "+86 138 0000 1001"},
             {"id": 1002, "name": "Liu Yang", "phone": "+86 138 0000 1002"},
             {"id": 1003, "name": "Chen Jie", "tier": 2}, {"id": 1004, "name": "New Hire"}]
"""New Hire is configured but never opened a chat with the bot."""


@pytest.fixture
async def rounds(tmp_path: Path) -> AsyncIterator[BotHarness]:
    config = make_config(inspections=INSPECTIONS, engineers=ENGINEERS)
    async with harness(config, FakeClock(START), tmp_path / "h.db") as desk:
        async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
            await tx.assets.upsert(parse_register(REGISTER.encode()), desk.clock.now())
        yield desk


def _overdue(desk: BotHarness) -> list[str]:
    return [m.text for m in desk.tg.messages_to(MANAGER.id) if (m.text or "").startswith("⏰ HQ-12F")]


async def test_a_list_moved_within_its_window_comes_again_that_morning_and_is_watched_from_then(
        rounds: BotHarness) -> None:
    desk = rounds
    await _until(desk, DEC_1_MORNING + timedelta(hours=1))
    listing = desk.last_with_buttons(ON_DUTY)
    assert listing.buttons() == [["▶ Start"], ["📅 Reschedule", "🔁 Hand over"]]
    replies = await desk.press(ON_DUTY, "📅 Reschedule", listing)
    assert replies[-1].text == "📅 Move the inspection of HQ-12F to which day? (its window ends 2026-12-14)"
    assert replies[-1].buttons() == [["Wed 12-02", "Thu 12-03", "Fri 12-04"],
                                     ["Mon 12-07", "Tue 12-08", "Wed 12-09"]]  # working days only
    days = replies[-1]
    await desk.handled(desk.tg.press_data(ON_DUTY, days.message_id, "i:1:20261231:day"))  # forged: past the window
    assert desk.last_answer()["text"] == "That day can no longer be chosen; press 📅 Reschedule again."
    replies = await desk.press(ON_DUTY, "Fri 12-04", days)
    assert replies == [days] and days.text.startswith("📅 Move the inspection of HQ-12F to which day?")
    assert answered(days) == ("Fri 12-04", "Why is it moved to 2026-12-04? (one message; the managers get it)")
    replies = await desk.say(ON_DUTY, "Site closed for a fire drill")
    assert replies[-1].text == "📅 The inspection of HQ-12F is moved to 2026-12-04; its list comes again that morning."
    assert desk.tg.messages_to(MANAGER.id)[-1].text == (
        "📅 HQ-12F 的巡检由 Liu Yang 从 2026-12-01 改到 2026-12-04：Site closed for a fire drill")

    await _until(desk, DEC_1_MORNING + timedelta(days=3) - timedelta(minutes=5))
    assert _overdue(desk) == []  # the first push's 24 hours passed: moved, so no alert
    await _until(desk, DEC_1_MORNING + timedelta(days=3, minutes=5))
    assert [m.split("\n")[0] for m in _lists(desk, ON_DUTY)][-1] == (
        "🧰 Inspection today (2026-12-04): HQ-12F — 1 device(s)")
    await _until(desk, DEC_1_MORNING + timedelta(days=4, minutes=10))  # 24 h after the new push
    assert _overdue(desk) == ["⏰ HQ-12F（2026-12-04）的巡检尚未完成：已检查 0/1 台，工程师 Liu Yang。"]
    assert desk.rows("SELECT day, visit_key FROM inspection_visits WHERE site = 'HQ-12F'") == [
        ("2026-12-04", "2026-12-01|HQ-12F")]  # moved, and still the plan's one visit (never planned twice)
    (change,) = json.loads(desk.rows("SELECT changes FROM inspection_visits WHERE site = 'HQ-12F'")[0][0])
    assert (change["kind"], change["day"], change["by"], change["reason"]) == (
        "moved", "2026-12-01", ON_DUTY.id, "Site closed for a fire drill")


async def test_a_list_handed_over_with_a_photo_and_a_note_and_the_finding_on_the_next_card(rounds: BotHarness) -> None:
    desk = rounds
    await desk.say(OTHER, "/help")  # Wang Wei has a chat with the bot
    await _until(desk, DEC_1_MORNING + timedelta(hours=1))
    listing = desk.last_with_buttons(ON_DUTY)
    replies = await desk.press(ON_DUTY, "🔁 Hand over", listing)
    assert replies[-1].text == "🔁 Hand the inspection of HQ-12F (2026-12-01) to:"
    assert replies[-1].buttons() == [["Wang Wei", "Chen Jie"], ["New Hire ⚠️ can't be reached"]]
    await desk.press(ON_DUTY, "New Hire ⚠️ can't be reached")
    assert desk.last_answer()["text"].startswith("New Hire has never opened a chat with the bot")
    assert desk.tg.messages_to(1004) == []
    replies = await desk.press(ON_DUTY, "Wang Wei")
    assert replies[-1].text.startswith("🔁 Hand the inspection of HQ-12F (2026-12-01) to:")
    assert answered(replies[-1]) == ("Wang Wei", "🔁 The inspection of HQ-12F is handed to Wang Wei.")
    assert replies[-1].buttons() == []
    handed = desk.tg.messages_to(OTHER.id)[-1]
    assert handed.text.startswith("🔁 Liu Yang 将此巡检转交给您：\n🧰 今日巡检（2026-12-01）：HQ-12F — 1 台设备")
    assert desk.tg.messages_to(MANAGER.id)[-1].text == (
        "🔁 HQ-12F（2026-12-01）的巡检由 Liu Yang 从 Liu Yang 转交给 Wang Wei。")
    await desk.press(ON_DUTY, "▶ Start", listing)  # his old list
    assert desk.last_answer()["text"] == "This inspection round is not yours: it was given to another engineer."

    await desk.press(OTHER, "▶ 开始", handed)
    replies = await desk.photo(OTHER)
    assert replies[-1].text == "📷 已保存 HP LaserJet M404dn (A-0042) 的照片（1 张）。请在上方选择检查结果。"
    replies = await desk.say(OTHER, "2 号纸盒卡纸，搓纸轮磨损")
    assert replies[-1].text == "📝 已记下 HP LaserJet M404dn (A-0042) 的备注。请在上方选择检查结果。"
    replies = await desk.press(OTHER, "⚠ 发现故障")  # the note is there already: nothing more is asked
    assert answered(replies[0]) == ("⚠ 发现故障", "🎫 已为 HP LaserJet M404dn (A-0042) 开立工单 HD-2026-00001。")
    assert replies[-1].text.startswith("📋 巡检报告：HQ-12F，2026-12-01（Wang Wei）")
    ((photos,),) = desk.rows("SELECT photos FROM tickets WHERE number = 'HD-2026-00001'")
    assert len(json.loads(photos)) == 1  # the device's photo went onto the ticket
    await desk.handled(desk.tg.press_data(OTHER, handed.message_id, InspectionAction(1, 0, "move").pack()))
    assert desk.last_answer()["text"] == "此巡检已完成。"  # a finished visit cannot be moved

    # a week later a reporter reports the same printer: the engineer's card shows what was found
    desk.clock.advance(timedelta(days=6))
    await desk.describe(LINA, "打印机又卡纸了")
    await desk.say(LINA, "a-0042")
    await desk.press(LINA, "是这台")
    await desk.say(LINA, "1203")
    await desk.press(LINA, "工作已停顿")
    await desk.say(LINA, "13900001111")
    await desk.press(LINA, "提交")
    cards = [m.text or "" for m in desk.tg.messages_to(OTHER.id) + desk.tg.messages_to(ON_DUTY.id)]
    first = next(text for text in cards if text.startswith("🎫 HD-2026-00001"))
    assert "🧰" not in first  # the finding that opened a ticket is not that ticket's own history
    card = next(text for text in reversed(cards) if text.startswith("🎫 HD-2026-00002"))
    assert "该设备历史记录:\n  HD-2026-00001 · " in card  # Wang Wei is on duty the week of 7 December
    assert "  🧰 2026-12-01 巡检：发现故障 — 2 号纸盒卡纸，搓纸轮磨损" in card


async def test_mornings_missed_while_down_are_caught_up_at_once_and_a_closed_window_is_not_sent(
        rounds: BotHarness) -> None:
    desk = rounds
    await _until(desk, DEC_1_MORNING - timedelta(hours=2))
    await desk.stop()
    desk.clock.advance(timedelta(days=15, hours=3))  # down until 16 December: December's window closed on the 14th
    await desk.start()
    await desk.tick()  # one tick: every morning since, in order
    assert _lists(desk, ON_DUTY) == []  # a list whose window closed is not sent as "today"…
    assert desk.rows("SELECT site, day, pushed_at FROM inspection_visits ORDER BY day") == [
        ("HQ-12F", "2026-12-01", None), ("HQ-3F", "2026-12-02", None)]  # … but kept: both count as missed
    assert desk.rows("SELECT payload FROM timers WHERE kind = 'inspection_day' AND done_at IS NULL") == [
        ('{"day": "2026-12-17"}',)]
    replies = await desk.say(MANAGER, "/report 2026-12")
    assert "• 巡检：按时完成 0/2 次（0.0%）· 逾期完成 0 · 漏检 2 · 进行中 0" in replies[0].text
