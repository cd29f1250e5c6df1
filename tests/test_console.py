"""The dispatcher's console, end to end in both languages: `/open` and its filters, a ticket's console
card, assigning (to whom the bot can reach), escalating now, changing the severity and cancelling
with a reason, and the console's buttons on the managers' alerts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.conversation import console
from bot.domain.clock import FakeClock
from bot.sandbox.standin import FakeUser, SentMessage
from tests.conftest import ALICE, BOB, ENGINEER, ENGINEER2, LINA, MANAGER, START, make_config
from tests.harness import BotHarness, harness

LANGS = ["zh", "en"]
LABELS = {
    "zh": {"assign": "👷 派单", "reassign": "👷 改派", "escalate": "⬆️ 立即升级", "severity": "🎚 调整级别",
           "cancel": "✖️ 取消工单", "P1": "工作已停顿", "P2": "严重影响工作", "P3": "部分功能故障",
           "P4": "咨询或预约服务", "printer": "打印机", "monitor": "显示器", "scanner": "扫描仪"},
    "en": {"assign": "👷 Assign", "reassign": "👷 Reassign", "escalate": "⬆️ Escalate now", "severity": "🎚 Severity",
           "cancel": "✖️ Cancel ticket", "P1": "Work has stopped", "P2": "Badly affected", "P3": "A part fails",
           "P4": "Question or planned job", "printer": "Printer", "monitor": "Monitor", "scanner": "Scanner"},
}
NEW_HIRE = {"id": 1004, "name": "New Hire"}
"""An engineer in the configuration who never started the bot: it cannot write to them."""


def _reporter(lang: str) -> FakeUser:
    return LINA if lang == "zh" else ALICE


async def _as_manager(desk: BotHarness, lang: str) -> None:
    if lang == "en":
        await desk.say(MANAGER, "/lang en")


async def _report(desk: BotHarness, user: FakeUser, lang: str, level: str, device: str, site: str) -> str:
    replies = await desk.report(user, description=f"{device} broken: nothing works", device=LABELS[lang][device],
                                site=site, room="305", severity=LABELS[lang][level], phone="13800001234")
    return next(word for word in replies[-1].text.split() if word.startswith("HD-"))


async def _events(desk: BotHarness, number: str) -> list[tuple[str, int | None, dict]]:
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        return [(e.kind, e.actor_id, e.data) for e in await tx.tickets.events(number)]


async def _console_card(desk: BotHarness, number: str) -> SentMessage:
    listing = (await desk.say(MANAGER, "/open"))[0]
    await desk.press(MANAGER, f"🎫 {number}", listing)
    return desk.last_with_buttons(MANAGER)


@pytest.mark.parametrize("lang", LANGS)
async def test_open_lists_tickets_by_next_deadline_and_filters_them(desk: BotHarness, lang: str) -> None:
    reporter = _reporter(lang)
    await _as_manager(desk, lang)
    monitor = await _report(desk, reporter, lang, "P4", "monitor", "HQ-3F")     # respond within a day
    printer = await _report(desk, reporter, lang, "P1", "printer", "HQ-12F")   # VIP: respond within 15 min
    scanner = await _report(desk, BOB, "en", "P2", "scanner", "Branch-North")  # respond within 1 h
    await desk.press(ENGINEER, "✅ 接单", next(m for m in desk.tg.messages_to(ENGINEER.id) if scanner in m.text))

    (listing,) = await desk.say(MANAGER, "/open")
    lines = listing.text.splitlines()
    assert [next(w for w in line.split() if w.startswith("HD-")) for line in lines[1:4]] == [printer, scanner, monitor]
    assert "HQ-12F / 305" in lines[1] and "Wang Wei" in lines[1]
    assert ("⏰ response in 15 min" if lang == "en" else "⏰ 响应还剩 15分钟") in lines[1]
    assert ("⏰ arrival on site in 4 h 00 min" if lang == "en" else "⏰ 到场还剩 4小时") in lines[2]  # responded
    assert listing.buttons() == [[f"🎫 {printer}", f"🎫 {scanner}"], [f"🎫 {monitor}"]]

    desk.clock.advance(timedelta(minutes=20))
    (overdue,) = await desk.say(MANAGER, "/open overdue")
    assert printer in overdue.text and scanner not in overdue.text and monitor not in overdue.text
    assert ("⚠️ response 5 min late" if lang == "en" else "⚠️ 响应已超时 5分钟") in overdue.text
    for words, expected in [("P4", {monitor}), ("p1 P4", {printer, monitor}), ("unassigned", {printer, monitor}),
                            ("hq-12f", {printer}), ("Branch-North P2", {scanner}),
                            ("wang", {printer, scanner, monitor}), ("Wang Wei overdue", {printer}),
                            ("未分配 P4", {monitor})]:
        (answer,) = await desk.say(MANAGER, f"/open {words}")
        assert {n for n in (printer, scanner, monitor) if n in answer.text} == expected, (words, answer.text)
    (nothing,) = await desk.say(MANAGER, "/open Liu Yang")
    assert nothing.text == ("📋 No open tickets match /open Liu Yang." if lang == "en"
                            else "📋 没有符合 /open Liu Yang 的未完成工单。")
    (unknown,) = await desk.say(MANAGER, "/open overdue urgent")
    assert ("I don't know the filter “urgent”" if lang == "en" else "不认识筛选条件“urgent”") in unknown.text
    assert "unassigned" in unknown.text and "HQ-12F" in unknown.text and "Chen Jie" in unknown.text
    (refused,) = await desk.say(reporter, "/open")
    assert refused.text == ("Only managers can dispatch tickets." if lang == "en" else "只有管理员可以调度工单。")


@pytest.mark.parametrize("lang", LANGS)
async def test_a_long_list_is_cut_with_a_count(desk: BotHarness, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "SHOWN", 2)
    await _as_manager(desk, lang)
    numbers = [await _report(desk, _reporter(lang), lang, "P2", "printer", "HQ-3F") for _ in range(3)]
    (listing,) = await desk.say(MANAGER, "/open")
    assert numbers[0] in listing.text and numbers[1] in listing.text and numbers[2] not in listing.text
    assert ("… and 1 more not shown" if lang == "en" else "……另有 1 张未显示") in listing.text
    assert listing.buttons() == [[f"🎫 {numbers[0]}", f"🎫 {numbers[1]}"]]


@pytest.mark.parametrize("lang", LANGS)
async def test_assign_to_whom_the_bot_can_reach(tmp_path: Path, lang: str) -> None:
    config = make_config(engineers=[*make_config().model_dump()["engineers"], NEW_HIRE])
    async with harness(config, FakeClock(START), tmp_path / "h.db") as desk:
        reporter = _reporter(lang)
        await _as_manager(desk, lang)
        number = await _report(desk, reporter, lang, "P2", "printer", "HQ-3F")
        wang_card = desk.last_with_buttons(ENGINEER)
        await desk.press(ENGINEER, "✅ 接单", wang_card)
        card = await _console_card(desk, number)
        assert number in card.text and "Wang Wei" in card.text and "+8613800001234" in card.text
        assert card.buttons() == [[LABELS[lang]["reassign"]], [LABELS[lang]["severity"], LABELS[lang]["cancel"]]]

        (pick,) = await desk.press(MANAGER, LABELS[lang]["reassign"], card)
        assert pick.buttons() == ([["Liu Yang"], ["Chen Jie — 二线"], ["📵 New Hire — 无法联系"]] if lang == "zh"
                                  else [["Liu Yang"], ["Chen Jie — tier 2"], ["📵 New Hire — can't be reached"]])
        await desk.press(MANAGER, "New Hire", pick)
        assert desk.last_answer()["show_alert"] and "New Hire" in desk.last_answer()["text"]
        events = await _events(desk, number)
        assert not any(kind == "assign" and data.get("assignee") == 1004 for kind, _, data in events)
        failed = [(actor, data.get("engineer")) for kind, actor, data in events if kind == "handover_failed"]
        assert failed == [(MANAGER.id, 1004)]  # on the log, and the ticket stayed where it was
        assert desk.rows("SELECT assignee_id FROM tickets WHERE number = ?", (number,)) == [(1001,)]

        before_wang = len(desk.tg.messages_to(ENGINEER.id))
        await desk.press(MANAGER, "Liu Yang", pick)
        assert desk.last_answer()["text"] == ("Sent to Liu Yang." if lang == "en" else "已派给 Liu Yang。")
        assert pick.buttons() == [] and "Liu Yang" in pick.text
        offered = desk.last_with_buttons(ENGINEER2)
        assert "Handed over to you by Zhao Min" in offered.text
        assert offered.buttons()[0] == ["✅ Accept", "🚫 Can't take"]
        told = desk.tg.messages_to(ENGINEER.id)[before_wang:]
        assert any("Zhao Min 已把" in m.text and "Liu Yang" in m.text for m in told)
        assert wang_card.buttons() == []  # the card of the one who had it goes dead
        assert ("is now with Liu Yang" if lang == "en" else "现由 Liu Yang 负责") in desk.last_text(reporter)
        assert ("assign", MANAGER.id) in [(kind, actor) for kind, actor, _ in await _events(desk, number)]
        await desk.press(ENGINEER2, "✅ Accept", offered)
        assert "Liu Yang" in desk.last_text(reporter)
        (queue,) = await desk.say(ENGINEER, "/queue")
        assert number not in queue.text  # off the list of the one who had it
        (again,) = await desk.press(MANAGER, LABELS[lang]["reassign"], card)
        assert again.buttons()[0] == ["🟢 Wang Wei — 值班中" if lang == "zh" else "🟢 Wang Wei — on duty"]


@pytest.mark.parametrize("lang", LANGS)
async def test_the_escalation_alert_carries_the_console_and_escalates_now(desk: BotHarness, lang: str) -> None:
    await _as_manager(desk, lang)
    number = await _report(desk, _reporter(lang), lang, "P1", "printer", "HQ-3F")
    await desk.tick(timedelta(minutes=10))  # the backup at 10 min …
    await desk.tick(timedelta(minutes=10))  # … the managers at 20
    alert = desk.last_with_buttons(MANAGER)
    assert f"🚨 {number}" in alert.text
    assert alert.buttons() == [[LABELS[lang]["reassign"], LABELS[lang]["escalate"]],
                               [LABELS[lang]["severity"], LABELS[lang]["cancel"]]]
    before = len(desk.tg.messages_to(ENGINEER2.id))
    replies = await desk.press(MANAGER, LABELS[lang]["escalate"], alert)
    assert desk.last_answer()["text"] == ("Escalated." if lang == "en" else "已升级。")
    assert "Wang Wei" in replies[0].text and "Liu Yang" in replies[0].text  # the chain's next step: the backup
    (card,) = desk.tg.messages_to(ENGINEER2.id)[before:]
    assert "Escalated by Zhao Min (service desk)" in card.text and card.buttons()[0] == ["✅ Accept", "🚫 Can't take"]
    escalations = [(actor, data) for kind, actor, data in await _events(desk, number) if kind == "escalated"]
    assert escalations[-1][0] == MANAGER.id and escalations[-1][1]["requested_by"] == MANAGER.id
    await desk.tick(timedelta(minutes=10))  # the chain starts again from the escalation
    assert len([kind for kind, _, _ in await _events(desk, number) if kind == "escalated"]) == len(escalations) + 1
    await desk.press(ENGINEER2, "✅ Accept", desk.last_with_buttons(ENGINEER2))
    await desk.press(MANAGER, LABELS[lang]["escalate"], alert)  # accepted meanwhile: nobody to escalate to
    assert desk.last_answer()["show_alert"]  # (a lone toast speaks the Telegram client's language)
    assert any(word in desk.last_answer()["text"] for word in ("Reassign it instead", "请改派"))


@pytest.mark.parametrize("lang", LANGS)
async def test_a_new_severity_needs_a_reason_and_brings_its_deadlines(desk: BotHarness, lang: str) -> None:
    reporter = _reporter(lang)
    await _as_manager(desk, lang)
    number = await _report(desk, reporter, lang, "P3", "monitor", "HQ-3F")  # P3: no resolve deadline
    await desk.press(ENGINEER, "✅ 接单", desk.last_with_buttons(ENGINEER))
    card = await _console_card(desk, number)
    (levels,) = await desk.press(MANAGER, LABELS[lang]["severity"], card)
    assert [row[0].split(" · ")[0] for row in levels.buttons()] == ["P1", "P2", "P4"]
    (ask,) = await desk.press(MANAGER, "P1", levels)
    assert number in ask.text and levels.buttons() == []
    (hint,) = await desk.say(MANAGER, "???")  # no words: asked again, nothing changed
    assert ("in words" if lang == "en" else "用文字") in hint.text
    (done,) = await desk.say(MANAGER, "The whole floor cannot print payslips")
    assert f"{number}: P3 → P1" in done.text or f"{number}：P3 → P1" in done.text
    assert "2026-11-23 14:00" in done.text  # resolve within 4 h of the report, 10:00
    told = desk.last_text(reporter)
    assert "The whole floor cannot print payslips" in told and "2026-11-23 14:00" in told
    assert ("🔴 Work has stopped" if lang == "en" else "🔴 工作已停顿") in told
    assert "P3" in desk.last_text(ENGINEER) and "Zhao Min" in desk.last_text(ENGINEER)
    (changed,) = [(actor, data) for kind, actor, data in await _events(desk, number) if kind == "severity_changed"]
    assert changed[0] == MANAGER.id and changed[1]["from"] == "P3" and changed[1]["to"] == "P1"
    assert changed[1]["reason"] == "The whole floor cannot print payslips"
    assert desk.rows("SELECT severity, resolve_by FROM tickets WHERE number = ?", (number,)) == [
        ("P1", "2026-11-23T06:00:00.000000Z")]
    before = len(desk.tg.messages_to(MANAGER.id))
    await desk.tick(timedelta(hours=4))  # the new resolve deadline is watched
    (breach,) = [m for m in desk.tg.messages_to(MANAGER.id)[before:]
                 if number in m.text and ("resolution deadline" in m.text or "修复时限" in m.text)]
    assert breach.buttons()[0] == [LABELS[lang]["reassign"]]  # the breach alert carries the console too


@pytest.mark.parametrize("lang", LANGS)
async def test_cancel_with_a_reason_tells_the_reporter_and_the_engineer(desk: BotHarness, lang: str) -> None:
    reporter = _reporter(lang)
    await _as_manager(desk, lang)
    number = await _report(desk, reporter, lang, "P2", "printer", "HQ-3F")
    engineer_card = desk.last_with_buttons(ENGINEER)
    await desk.press(ENGINEER, "✅ 接单", engineer_card)
    card = await _console_card(desk, number)
    (ask,) = await desk.press(MANAGER, LABELS[lang]["cancel"], card)
    assert number in ask.text
    (done,) = await desk.say(MANAGER, "Duplicate of the report made by phone")
    assert number in done.text
    told = desk.last_text(reporter)
    assert "Duplicate of the report made by phone" in told and "Zhao Min" in told
    assert "Duplicate of the report made by phone" in desk.last_text(ENGINEER)
    assert engineer_card.buttons() == []  # the card's buttons died
    assert ("cancel", MANAGER.id) in [(kind, actor) for kind, actor, _ in await _events(desk, number)]
    (listing,) = await desk.say(MANAGER, "/open")
    assert number not in listing.text
    await desk.press(MANAGER, LABELS[lang]["severity"], card)  # the old console card's buttons now only refuse
    assert desk.last_answer()["show_alert"] and number in desk.last_answer()["text"]
    assert desk.rows("SELECT status FROM tickets WHERE number = ?", (number,)) == [("cancelled",)]


@pytest.mark.parametrize("lang", LANGS)
async def test_a_delivery_failure_notice_carries_the_console(tmp_path: Path, lang: str) -> None:
    config = make_config(engineers=[{"id": 1001, "name": "Wang Wei"}, NEW_HIRE],
                         rotations=[{"name": "all", "engineers": [1004], "covers": "all"}])
    async with harness(config, FakeClock(START), tmp_path / "h.db") as desk:
        await _as_manager(desk, lang)
        number = await _report(desk, _reporter(lang), lang, "P2", "printer", "HQ-3F")
        notice = desk.last_with_buttons(MANAGER)
        assert "📵" in notice.text and number in notice.text
        assert notice.buttons()[0][0] == LABELS[lang]["reassign"]
        (pick,) = await desk.press(MANAGER, LABELS[lang]["reassign"], notice)
        await desk.press(MANAGER, "Wang Wei", pick)
        assert number in desk.last_with_buttons(ENGINEER).text
        assert desk.rows("SELECT assignee_id FROM tickets WHERE number = ?", (number,)) == [(1001,)]


@pytest.mark.parametrize("lang", LANGS)
async def test_nobody_on_duty_alert_assigns_from_its_buttons(tmp_path: Path, lang: str) -> None:
    config = make_config(rotations=[{"name": "day", "engineers": [1001], "covers": "workdays",
                                     "hours": "09:00-18:00"}])
    async with harness(config, FakeClock(START + timedelta(hours=10)), tmp_path / "h.db") as desk:  # 20:00
        await _as_manager(desk, lang)
        number = await _report(desk, _reporter(lang), lang, "P2", "printer", "HQ-3F")
        alert = next(m for m in desk.tg.messages_to(MANAGER.id) if number in m.text and m.buttons())
        assert alert.buttons() == [[LABELS[lang]["assign"], LABELS[lang]["escalate"]],
                                   [LABELS[lang]["severity"], LABELS[lang]["cancel"]]]
        (pick,) = await desk.press(MANAGER, LABELS[lang]["assign"], alert)
        assert ("(now: nobody)" if lang == "en" else "（当前：无人）") in pick.text
        assert ["Wang Wei"] in pick.buttons()  # nobody is on duty at 20:00: no 🟢
        await desk.press(MANAGER, "Liu Yang", pick)
        assert number in desk.last_with_buttons(ENGINEER2).text
        assert desk.rows("SELECT status, assignee_id FROM tickets WHERE number = ?", (number,)) == [("assigned", 1002)]
