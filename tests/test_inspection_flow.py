"""Preventive maintenance (巡检) end to end: the register is loaded, time moves to the window's days, the
engineer on duty gets the site's list in the morning and works through it in chat; findings become a
ticket and a warning, the report reaches the managers, a visit left unfinished is told to them."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.domain.assets import parse_register
from bot.domain.clock import FakeClock
from bot.sandbox.standin import FakeUser
from tests.conftest import ENGINEER, ENGINEER2, EXPERT, MANAGER, START, make_config
from tests.harness import BotHarness, answered, harness

ON_DUTY, OTHER = ENGINEER2, ENGINEER
"""Liu Yang holds the day shift in the first week of December (the weekly rotation); Wang Wei does not."""

REGISTER = (
    "site,asset_no,device_type,brand,model,core\n"
    "HQ-12F,A-0042,printer,HP,LaserJet M404dn,yes\n"
    "HQ-3F,B-0001,printer,Canon,iR2625,是\n"
    "HQ-3F,B-0002,pc,Lenovo,M70,no\n"
    "HQ-3F,B-0003,ups,APC,SRT1000,否\n"
)
INSPECTIONS = {"classes": [{"name": "core", "every": "month", "window": 10, "core": True},
                           {"name": "others", "every": "month", "window": 10}]}
DEC_1_MORNING = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, the first working day of December
"""The register is loaded on 23 November, after November's window opened: its first visits are December's."""


@pytest.fixture
async def rounds(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with harness(make_config(inspections=INSPECTIONS), FakeClock(START), tmp_path / "h.db") as desk:
        async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
            await tx.assets.upsert(parse_register(REGISTER.encode()), desk.clock.now())
        yield desk


async def _until(desk: BotHarness, when: datetime) -> None:
    """Tick through each day up to `when`, as the bot's job would (each morning's push schedules the next)."""
    await desk.tick()
    while desk.clock.now() < when:
        await desk.tick(min(timedelta(hours=12), when - desk.clock.now()))
    await desk.tick()


def _lists(desk: BotHarness, user: FakeUser) -> list[str]:
    return [m.text for m in desk.tg.messages_to(user.id) if "🧰" in m.text and "—" in m.text.split("\n")[0]
            and ("Inspection today" in m.text or "今日巡检" in m.text)]


async def test_a_round_in_chinese_from_the_morning_list_to_the_report(rounds: BotHarness) -> None:
    desk = rounds
    await desk.say(ON_DUTY, "/lang zh")
    await _until(desk, DEC_1_MORNING - timedelta(minutes=1))
    assert _lists(desk, ON_DUTY) == []  # nothing in November: the register came after its window opened
    await _until(desk, DEC_1_MORNING + timedelta(days=1))
    (first, second) = _lists(desk, ON_DUTY)
    assert first.startswith("🧰 今日巡检（2026-12-01）：HQ-12F — 1 台设备")
    assert second.startswith("🧰 今日巡检（2026-12-02）：HQ-3F — 3 台设备")  # sites spread over the window
    assert "Canon iR2625 (B-0001)" in second and "请于 2026-12-14 前完成" in second

    replies = await desk.press(ON_DUTY, "▶ 开始")
    assert "HQ-3F · 1/3：Canon iR2625 (B-0001) — 打印机" in replies[-1].text
    assert "碳粉 / 墨水余量" in replies[-1].text  # the printer's checklist
    replies = await desk.press(ON_DUTY, "🪫 耗材不足")
    assert "哪种耗材不足" in replies[-1].text
    replies = await desk.say(ON_DUTY, "碳粉剩 5%，建议本周更换")
    assert "2/3：Lenovo M70 (B-0002) — 台式电脑" in replies[-1].text and "杀毒软件" in replies[-1].text
    warning = desk.tg.messages_to(MANAGER.id)[-1].text
    assert "耗材预警：HQ-3F 的 Canon iR2625 (B-0001)" in warning and "碳粉剩 5%" in warning

    await desk.press(ON_DUTY, "⚠ 发现故障")
    replies = await desk.say(ON_DUTY, "风扇异响，需更换")
    card, opened, _ = replies  # he is on duty: the new ticket is dispatched to him like any other
    assert card.text.startswith("🎫 HD-2026-00001") and "故障: 风扇异响，需更换" in card.text
    assert card.buttons() == [["✅ 接单", "🚫 无法接单"]]
    assert opened.text == "🎫 已为 Lenovo M70 (B-0002) 开立工单 HD-2026-00001。"
    assert "3/3：APC SRT1000 (B-0003)" in replies[-1].text and "电池健康与续航" in replies[-1].text
    assert desk.rows("SELECT source, asset_no, severity, reporter_id FROM tickets") == [
        ("inspection", "B-0002", "P3", ON_DUTY.id)]

    replies = await desk.press(ON_DUTY, "✅ 正常")
    assert replies[-1].text.startswith("🧰 HQ-3F · 3/3：APC SRT1000")  # the report is said below the last device
    choice, report = answered(replies[-1])
    assert choice == "✅ 正常"
    assert report.startswith("📋 巡检报告：HQ-3F，2026-12-02（Liu Yang）")
    assert "共 3 台：正常 1，已清洁 0，耗材不足 1，发现故障 1" in report and "已在巡检窗口内完成" in report
    assert "风扇异响，需更换 HD-2026-00001" in report
    assert desk.tg.messages_to(MANAGER.id)[-1].text == report  # the managers get the report too

    await desk.handled(desk.tg.press_data(ON_DUTY, 1, "i:2:0:ok"))  # the first device's button, delivered again
    assert desk.last_answer()["text"] == "此巡检已完成。"

    # the month's report counts it: one visit done on time, HQ-12F's still under way (its window is open)
    replies = await desk.say(MANAGER, "/report 2026-12")
    assert ("• 巡检：按时完成 1/2 次（50.0%）· 逾期完成 0 · 漏检 0 · 进行中 1 · 已检设备 3 台 · "
            "发现故障 1 · 耗材预警 1") in replies[0].text.splitlines()
    await desk.say(MANAGER, "/export 2026-12")
    book = load_workbook(io.BytesIO(desk.tg.messages_to(MANAGER.id)[-1].document))  # type: ignore[arg-type]
    rows = list(book["Inspections"].iter_rows(values_only=True))
    assert rows[0][:5] == ("日期", "地点", "工程师 ID", "截止", "巡检状态")
    assert [(r[0], r[4], r[5], r[8], r[10]) for r in rows[1:]] == [
        ("2026-12-01", "进行中", "A-0042", None, None),
        ("2026-12-02", "按时完成", "B-0001", "耗材不足", None),
        ("2026-12-02", "按时完成", "B-0002", "发现故障", "HD-2026-00001"),
        ("2026-12-02", "按时完成", "B-0003", "正常", None)]


async def test_a_round_in_english_refusals_and_the_late_alert(rounds: BotHarness) -> None:
    desk = rounds
    await _until(desk, DEC_1_MORNING + timedelta(hours=1))
    (listing,) = _lists(desk, ON_DUTY)
    assert listing.startswith("🧰 Inspection today (2026-12-01): HQ-12F — 1 device(s)")
    start = desk.last_with_buttons(ON_DUTY)

    await desk.press(OTHER, "▶ Start", start)  # another engineer presses the forwarded list
    assert desk.last_answer()["text"] == "此巡检任务不属于您，已派给其他工程师。"  # Wang Wei reads Chinese
    replies = await desk.press(ON_DUTY, "▶ Start", start)
    assert "HQ-12F · 1/1: HP LaserJet M404dn (A-0042) — Printer" in replies[-1].text
    await desk.handled(desk.tg.press_data(ON_DUTY, start.message_id, "i:1:0:start"))  # a repeated delivery
    assert "1/1: HP LaserJet M404dn (A-0042)" in desk.last_text(ON_DUTY)  # the same device again, nothing lost
    await desk.press(ON_DUTY, "⚠ Fault found")
    replies = await desk.say(ON_DUTY, "   ")
    assert replies[-1].text == "Please describe it in a few words."

    await desk.tick(timedelta(hours=24))  # 24 h after the list went out, still not finished
    alert = desk.tg.messages_to(MANAGER.id)[-1]
    assert alert.text == "⏰ HQ-12F（2026-12-01）的巡检尚未完成：已检查 0/1 台，工程师 Liu Yang。"
    assert alert.buttons() == [["🔁 转交"]]  # the manager can act on it from the alert itself
    replies = await desk.press(MANAGER, "🔁 转交", alert)
    assert replies[-1].buttons() == [["Wang Wei", "Chen Jie"]]
    await desk.press(MANAGER, "Chen Jie")
    assert desk.tg.messages_to(EXPERT.id)[-1].text.startswith("🔁 Zhao Min 将此巡检转交给您：")
    assert desk.tg.messages_to(ON_DUTY.id)[-1].text == (
        "🔁 The inspection of HQ-12F (2026-12-01) is handed from Liu Yang to Chen Jie by Zhao Min.")
    replies = await desk.say(ON_DUTY, "Paper jams at tray 2")  # the fault's note he was asked for: too late
    assert replies[-1].text == "This inspection round is not yours: it was given to another engineer."

    await desk.press(EXPERT, "▶ 开始", desk.tg.messages_to(EXPERT.id)[-1])
    await desk.press(EXPERT, "⚠ 发现故障")
    replies = await desk.say(EXPERT, "2 号纸盒卡纸，搓纸轮磨损")
    assert "🎫 已为 HP LaserJet M404dn (A-0042) 开立工单 HD-2026-00001。" in [r.text for r in replies]
    assert "共 1 台：正常 0，已清洁 0，耗材不足 0，发现故障 1" in replies[-1].text
    assert desk.tg.messages_to(MANAGER.id)[-1].text.startswith("📋 巡检报告：HQ-12F，2026-12-01（Chen Jie）")


async def test_a_restart_neither_loses_nor_repeats_a_push(rounds: BotHarness) -> None:
    desk = rounds
    await _until(desk, DEC_1_MORNING - timedelta(hours=2))
    await desk.stop()
    desk.clock.advance(timedelta(days=1, hours=3))  # down over the first morning and into the second
    await desk.start()
    await _until(desk, desk.clock.now() + timedelta(minutes=1))
    assert [m.split("\n")[0] for m in _lists(desk, ON_DUTY)] == [
        "🧰 Inspection today (2026-12-01): HQ-12F — 1 device(s)",
        "🧰 Inspection today (2026-12-02): HQ-3F — 3 device(s)"]
    await desk.restart()
    await _until(desk, desk.clock.now() + timedelta(hours=1))
    assert len(_lists(desk, ON_DUTY)) == 2
    assert desk.rows("SELECT COUNT(*) FROM inspection_visits") == [(2,)]
