"""Engineers on duty, end to end: dispatch, the card's workflow, escalation, checkpoints, the roster."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.clock import FakeClock
from bot.sandbox.standin import FakeUser, SentMessage
from tests.conftest import ALICE, BOB, ENGINEER, ENGINEER2, EXPERT, LINA, MANAGER, make_config
from tests.harness import BotHarness, harness


async def _p1(desk: BotHarness, user: FakeUser = ALICE) -> str:
    chinese = user is LINA
    replies = await desk.report(user, description="打印机完全没反应" if chinese else "Printer is completely dead",
                                device="打印机" if chinese else "Printer", site="HQ-3F", room="305",
                                severity="工作已停顿" if chinese else "Work has stopped", phone="13800001234")
    return next(word for word in replies[-1].text.split() if word.startswith("HD-"))


def _card(desk: BotHarness, engineer: FakeUser) -> SentMessage:
    return desk.last_with_buttons(engineer)


def _about(desk: BotHarness, user: FakeUser, number: str) -> list[SentMessage]:
    return [m for m in desk.tg.messages_to(user.id) if number in m.text]


async def _events(desk: BotHarness, number: str) -> list[str]:
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        return [e.kind for e in await tx.tickets.events(number)]


async def test_new_ticket_reaches_the_engineer_on_duty_and_the_workflow_updates_the_reporter(desk: BotHarness) -> None:
    number = await _p1(desk)
    card = _card(desk, ENGINEER)
    assert number in card.text and "🔴" in card.text and "Printer is completely dead" in card.text
    assert "HQ-3F / 305" in card.text and "+8613800001234" in card.text and "Alice" in card.text
    assert card.buttons() == [["✅ 接单", "🚫 无法接单"]]  # in the engineer's language
    assert _about(desk, ENGINEER2, number) == []

    await desk.press(ENGINEER, "✅ 接单", card)
    assert desk.last_answer()["text"] == f"{number} 归您了，已通知报修人。"
    assert card.buttons()[0] == ["🚗 出发", "📍 已到场"]  # the card now carries the workflow
    assert "Wang Wei has taken your ticket" in desk.last_text(ALICE) and "+86 138 0000 1001" in desk.last_text(ALICE)

    await desk.press(ENGINEER, "🚗 出发", card)
    assert "Wang Wei is on the way" in desk.last_text(ALICE)
    await desk.press(ENGINEER, "📍 已到场", card)
    assert "Wang Wei has arrived" in desk.last_text(ALICE)
    replies = await desk.press(ENGINEER, "✅ 完成维修", card)
    assert "故障原因是什么" in replies[0].text
    replies = await desk.say(ENGINEER, "Fuser unit worn out, replaced it and printed a test page")
    assert replies[0].buttons() == [["未更换配件"]]
    await desk.say(ENGINEER, "fuser unit RM2-5425")
    question = desk.tg.last_to(ALICE.id)
    assert "has resolved" in question.text and "Parts replaced: fuser unit RM2-5425" in question.text
    assert question.buttons() == [["👍 Fixed", "👎 Not fixed"]]
    assert await _events(desk, number) == ["opened", "assign", "pinged", "accept", "on_the_way", "arrive", "resolve"]

    await desk.press(ALICE, "👎 Not fixed", question)
    assert "is reopened" in desk.last_text(ALICE)
    again = _card(desk, ENGINEER)
    assert again.text.startswith("🔁 重新打开") and again.buttons() == [["✅ 接单", "🚫 无法接单"]]
    assert (await _events(desk, number))[-3:] == ["reopen", "assign", "pinged"]


async def test_escalation_chain_runs_to_the_manager_and_survives_a_restart(desk: BotHarness) -> None:
    number = await _p1(desk)
    assert await desk.tick(timedelta(minutes=9)) == 0
    assert _about(desk, ENGINEER2, number) == []
    await desk.tick(timedelta(minutes=1))  # 10 min: re-ping and ping the backup (next in the rotation)
    backup_card = _card(desk, ENGINEER2)
    assert "Still not accepted after 10 min" in backup_card.text and number in backup_card.text
    assert "已过 10 分钟仍无人接单" in _card(desk, ENGINEER).text
    manager_before = len(desk.tg.messages_to(MANAGER.id))
    await desk.restart()
    await desk.tick(timedelta(minutes=10))  # 20 min: the managers
    manager_messages = desk.tg.messages_to(MANAGER.id)[manager_before:]
    assert len(manager_messages) == 1 and f"🚨 {number}" in manager_messages[0].text
    assert await desk.tick() == 0  # nothing fires twice
    await desk.tick(timedelta(minutes=10))  # the chain repeats once (repeat = 1): backup again at 30 min
    await desk.tick(timedelta(minutes=10))  # and the managers at 40 min
    await desk.tick(timedelta(hours=1))  # then it stops
    events = await _events(desk, number)
    assert events.count("escalated") == 4
    assert len(desk.tg.messages_to(MANAGER.id)) - manager_before == 2 + 1  # two escalations, one breach


async def test_acceptance_racing_an_escalation_wins(desk: BotHarness) -> None:
    number = await _p1(desk)
    desk.clock.advance(timedelta(minutes=10))  # the escalation is due …
    await desk.press(ENGINEER, "✅ 接单", _card(desk, ENGINEER))  # … but the engineer accepts first
    manager_before = len(desk.tg.messages_to(MANAGER.id))
    await desk.tick(timedelta(minutes=15))
    assert _about(desk, ENGINEER2, number) == []
    assert len(desk.tg.messages_to(MANAGER.id)) == manager_before
    assert "escalated" not in await _events(desk, number)


async def test_cant_take_moves_to_the_next_step_at_once(desk: BotHarness) -> None:
    number = await _p1(desk)
    card = _card(desk, ENGINEER)
    await desk.press(ENGINEER, "🚫 无法接单", card)
    assert "为什么无法接" in desk.last_text(ENGINEER)  # a reason first
    await desk.press(ENGINEER, "正在处理别的工单")
    assert desk.last_answer()["text"] == "好的，已记录，工单将转给下一位。"
    backup = _card(desk, ENGINEER2)
    assert number in backup.text and "正在处理别的工单" in backup.text  # the next one reads why
    assert len([m for m in _about(desk, ENGINEER, number) if m.reply_markup]) == 1  # not pinged again
    await desk.press(ENGINEER2, "✅ Accept", backup)
    assert "Liu Yang has taken your ticket" in desk.last_text(ALICE)
    events = await _events(desk, number)
    assert "declined" in events and events[-1] == "accept"


async def test_buttons_pressed_by_the_wrong_people(desk: BotHarness) -> None:
    number = await _p1(desk)
    card = _card(desk, ENGINEER)
    await desk.handled(desk.tg.press_data(ALICE, 1, card.callback_data("✅ 接单")))
    assert desk.last_answer()["text"] == "Only engineers can act on tickets." and desk.last_answer()["show_alert"]
    await desk.press(ENGINEER, "✅ 接单", card)
    await desk.handled(desk.tg.press_data(ENGINEER2, 1, f"t:{number}:arrive"))
    assert desk.last_answer()["text"] == "This ticket is with Wang Wei; only they or a manager can act on it."
    await desk.handled(desk.tg.press_data(ENGINEER2, 1, f"t:{number}:accept"))
    assert "is already accepted by an engineer (Wang Wei)" in desk.last_answer()["text"]
    await desk.handled(desk.tg.press_data(ENGINEER, 1, "t:HD-2026-99999:accept"))
    assert desk.last_answer()["text"] == "这个按钮无效。"
    assert (await _events(desk, number)).count("accept") == 1


async def test_the_same_accept_pressed_twice_acts_once(desk: BotHarness) -> None:
    await _p1(desk)
    card = _card(desk, ENGINEER)
    data = card.callback_data("✅ 接单")
    await desk.press(ENGINEER, "✅ 接单", card)
    await desk.handled(desk.tg.press_data(ENGINEER, card.message_id, data))
    assert "已经" in desk.last_answer()["text"]
    assert len([m for m in desk.tg.messages_to(ALICE.id) if "has taken your ticket" in m.text]) == 1


async def test_sla_warning_goes_to_the_assignee_and_the_breach_to_managers(desk: BotHarness) -> None:
    await desk.report(ALICE, description="Scanner not found", device="Scanner", site="HQ-3F", room=None,
                      severity="Badly affected", phone="13800001234")  # P2: respond within 1 h
    await desk.press(ENGINEER, "✅ 接单", _card(desk, ENGINEER))
    await desk.tick(timedelta(hours=3, minutes=12))  # 80% of the 4 h on-site deadline
    assert "到场时限" in desk.last_text(ENGINEER) and "即将到期" in desk.last_text(ENGINEER)
    before = len(desk.tg.messages_to(MANAGER.id))
    await desk.tick(timedelta(minutes=48))
    assert "到场时限 2026-11-23 14:00 已超时" in desk.tg.messages_to(MANAGER.id)[before].text


async def test_pause_for_a_part_moves_the_deadline_and_the_spare_machine_is_reminded(desk: BotHarness) -> None:
    number = await _p1(desk)
    card = _card(desk, ENGINEER)
    await desk.press(ENGINEER, "✅ 接单", card)
    await desk.press(ENGINEER, "📍 已到场", card)
    await desk.press(ENGINEER, "🔩 需要配件", card)
    assert "a spare part is needed" in desk.last_text(ALICE)
    assert "⏸" in card.text and card.buttons()[0] == ["📦 配件已到", "🖥 已借备机"]
    await desk.tick(timedelta(hours=5))  # the 4 h resolve deadline would have passed without the pause
    assert not any("resolution deadline" in m.text for m in desk.tg.messages_to(MANAGER.id))
    await desk.press(ENGINEER, "🖥 已借备机", card)
    assert "spare machine. Your own unit will be back by 2026-12-02" in desk.last_text(ALICE)
    await desk.tick(timedelta(days=8, hours=18))  # 2026-12-01 09:00, the day before it is due
    assert f"{number}：备机应于 2026-12-02 归还" in desk.last_text(ENGINEER)
    events = await _events(desk, number)
    assert "paused" in events and "spare_lent" in events


async def test_a_pause_after_the_response_moves_only_the_deadlines_still_ahead(desk: BotHarness) -> None:
    """P1 opened 10:00 (respond 10:30, on site 12:00, resolve 14:00); accepted at 10:20, then 3 h waiting
    for a part: the card still says respond by 10:30 — met, whatever came after — and the later two
    deadlines move by the 3 hours the clock stood still."""
    await _p1(desk)
    card = _card(desk, ENGINEER)
    desk.clock.advance(timedelta(minutes=20))
    await desk.press(ENGINEER, "✅ 接单", card)
    await desk.press(ENGINEER, "🔩 需要配件", card)
    desk.clock.advance(timedelta(hours=3))
    await desk.press(ENGINEER, "📦 配件已到", card)
    assert "响应时限: 2026-11-23 10:30" in card.text, card.text
    assert "到场时限: 2026-11-23 15:00" in card.text and "修复时限: 2026-11-23 17:00" in card.text, card.text


async def test_hand_over_and_tier_two(desk: BotHarness) -> None:
    number = await _p1(desk)
    card = _card(desk, ENGINEER)
    await desk.press(ENGINEER, "✅ 接单", card)
    replies = await desk.press(ENGINEER, "🤝 转交", card)
    assert replies[-1].buttons() == [["Liu Yang", "Chen Jie"]]
    await desk.press(ENGINEER, "Liu Yang", replies[-1])
    handed = _card(desk, ENGINEER2)
    assert "Handed over to you by Wang Wei" in handed.text
    assert f"{number} is now with Liu Yang" in desk.last_text(ALICE)
    await desk.press(ENGINEER2, "✅ Accept", handed)
    await desk.press(ENGINEER2, "⬆️ Tier 2", handed)
    assert "请求二线专家接手" in _card(desk, EXPERT).text
    assert desk.last_answer()["text"] == "Sent to 1 tier-2 engineer(s)."


async def test_night_handover_and_spring_festival_duty(tmp_path: Path) -> None:
    config = make_config()
    clock = FakeClock(datetime(2026, 11, 23, 9, 59, tzinfo=UTC))  # 17:59 in Shanghai, Monday
    async with harness(config, clock, tmp_path / "h.db") as desk:
        await _p1(desk)
        assert _card(desk, ENGINEER)  # the day engineer until 18:00
        clock.advance(timedelta(minutes=2))
        await _p1(desk, LINA)
        assert "HD-2026-00002" in _card(desk, EXPERT).text  # 18:01: the night engineer
        replies = await desk.say(ALICE, "/oncall")
        assert "On duty now: Chen Jie (night) until 2026-11-24 09:00" in replies[0].text
        assert "Next: Wang Wei from 2026-11-24 09:00" in replies[0].text  # the day rotation's week goes on
        assert "138" not in replies[0].text  # reporters see no phones

        clock.set(datetime(2026, 2, 14, 2, 0, tzinfo=UTC))  # Sat 14 Feb 2026 10:00: a swapped working day
        await _p1(desk)
        assert desk.tg.messages_to(ENGINEER2.id)[-1].text.count("HD-2026-00003") == 1  # day rotation, week 6
        clock.set(datetime(2026, 2, 17, 2, 0, tzinfo=UTC))  # Spring Festival holiday: the night/all rotation
        await _p1(desk)
        assert "HD-2026-00004" in desk.tg.messages_to(EXPERT.id)[-1].text
        replies = await desk.say(MANAGER, "/cover 1001 2026-02-17T09:00 2026-02-17T18:00 holiday duty")
        assert "Wang Wei 在 2026-02-17 09:00 至 2026-02-17 18:00 值班" in replies[0].text
        await _p1(desk)
        assert "HD-2026-00005" in _card(desk, ENGINEER).text  # the override wins during the holiday
        replies = await desk.say(MANAGER, "/rotation night 1002,1003")
        await _p1(desk)
        assert "HD-2026-00006" in _card(desk, ENGINEER).text  # and survives the rotation's edit


async def test_roster_commands_are_for_managers_and_gaps_are_reported(tmp_path: Path) -> None:
    config = make_config(rotations=[{"name": "day", "engineers": [1001], "covers": "workdays",
                                     "hours": "09:00-18:00"}])
    clock = FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    async with harness(config, clock, tmp_path / "h.db") as desk:
        await desk.tick()
        gap_notices = [m.text for m in desk.tg.messages_to(MANAGER.id) if "没有人值班" in m.text]
        assert gap_notices and "2026-11-23 18:00 至 2026-11-24 09:00" in gap_notices[0]
        assert any("2027 年" in m.text for m in desk.tg.messages_to(MANAGER.id))  # unknown holiday year
        await desk.restart()
        await desk.tick()
        assert len([m for m in desk.tg.messages_to(MANAGER.id) if "没有人值班" in m.text]) == len(gap_notices)
        for user, command, answer in [
            (ALICE, "/cover 1001 2026-11-23T18:00 2026-11-24T09:00", "Only managers"),
            (ENGINEER, "/holiday 2026-12-24", "只有管理员"),
            (ALICE, "/queue", "Only engineers"),
            (MANAGER, "/cover nobody", "用法：/cover"),
            (MANAGER, "/rotation day 4242", "用法：/rotation"),
        ]:
            replies = await desk.say(user, command)
            assert answer in replies[0].text, (command, replies[0].text)
        replies = await desk.say(MANAGER, "/holiday 2026-11-24 company day")
        assert "2026-11-24 已设为假日" in replies[0].text


async def test_queue_lists_the_engineers_tickets_by_deadline(desk: BotHarness) -> None:
    await desk.report(ALICE, description="Monitor flickers", device="Monitor", site="HQ-3F", room=None,
                      severity="A part fails", phone="13800001234")
    first = await _p1(desk, LINA)
    replies = await desk.say(ENGINEER, "/queue")
    lines = replies[0].text.splitlines()
    assert lines[1].startswith(f"• {first} · P1") and "HD-2026-00001 · P3" in lines[2]


@pytest.fixture
async def duty_chat_desk(clock: FakeClock, tmp_path: Path) -> AsyncIterator[BotHarness]:
    config = make_config(bot={"timezone": "Asia/Shanghai", "default_language": "en", "duty_chat_id": -100500})
    async with harness(config, clock, tmp_path / "h.db") as h:
        yield h


async def test_duty_group_gets_the_card_without_private_data(duty_chat_desk: BotHarness) -> None:
    desk = duty_chat_desk
    desk.tg.send_in_group(MANAGER, "hello", group_id=-100500)  # the bot knows the group
    number = await _p1(desk)
    (group_card,) = [m for m in desk.tg.messages_to(-100500) if number in m.text]
    assert "Printer is completely dead" in group_card.text
    assert "138" not in group_card.text and "Alice" not in group_card.text and group_card.buttons() == []


async def test_business_hours_clock_skips_nights_weekends_and_holidays(tmp_path: Path) -> None:
    config = make_config(sla={"clock": "business"}, business_hours={"mon-fri": "09:00-18:00", "calendar": "CN"})
    clock = FakeClock(datetime(2026, 2, 13, 9, 0, tzinfo=UTC))  # Friday 13 Feb 2026, 17:00 in Shanghai
    async with harness(config, clock, tmp_path / "h.db") as desk:
        replies = await desk.report(ALICE, description="Scanner not found", device="Scanner", site="HQ-3F",
                                    room=None, severity="Badly affected", phone="13800001234")
        text = replies[-1].text
        assert "respond by 2026-02-13 18:00" in text  # 1 h: the last business hour of Friday
        # on site in 4 h: 1 h on Friday, then Saturday 14 Feb is a swapped working day (调休): 09:00–12:00
        assert "be on site by 2026-02-14 12:00" in text
        # resolve in 8 h: 1 h Friday + 7 h Saturday; Spring Festival follows, so not before 16:00 Saturday
        assert "resolve by 2026-02-14 16:00" in text


async def test_a_5x8_tickets_warning_that_falls_at_night_waits_for_the_desk_to_open(tmp_path: Path) -> None:
    """A P3 on the 5×8 clock opened on Friday at 17:30 must respond by Monday 12:30; its 80% warning
    falls on Sunday night, when nobody can act on it: it goes out when the desk opens on Monday (a P1
    is never held back: tests/test_business_hours.py)."""
    config = make_config(sla={"clock": "business"}, business_hours={"mon-fri": "09:00-18:00", "calendar": "CN"})
    clock = FakeClock(datetime(2026, 3, 6, 9, 30, tzinfo=UTC))  # Friday 6 March, 17:30 in Shanghai
    async with harness(config, clock, tmp_path / "h.db") as desk:
        replies = await desk.report(ALICE, description="Scanner not found", device="Scanner", site="HQ-3F",
                                    room=None, severity="A part fails", phone="13800001234")
        assert "respond by 2026-03-09 12:30" in replies[-1].text
        await desk.tick(datetime(2026, 3, 8, 16, tzinfo=UTC) - clock.now())  # Monday 00:00 in Shanghai
        def warnings() -> list[SentMessage]:
            return [m for e in (ENGINEER, ENGINEER2) for m in desk.tg.messages_to(e.id)
                    if "即将到期" in m.text or "is close" in m.text]

        def chased() -> list[SentMessage]:
            people = (ENGINEER, ENGINEER2, EXPERT)
            return [m for e in people for m in desk.tg.messages_to(e.id) if "仍无人接单" in m.text]

        assert warnings() == [] and chased() == []  # the warning and the escalation fell due at night: held
        await desk.tick(datetime(2026, 3, 9, 1, 1, tzinfo=UTC) - clock.now())  # Monday 09:01
        assert len(warnings()) == 1 and "2026-03-09 12:30" in warnings()[0].text
        assert chased()  # the escalation step too, now that someone can take it


async def test_a_holiday_declared_from_chat_closes_the_5x8_clock_too(tmp_path: Path) -> None:
    """`/holiday` closed the roster's day but not the SLA clock's: a P2 opened on Friday at 17:30 owes
    its response by 09:30 on the next working day, which is Tuesday once Monday is declared a holiday,
    also after a restart."""
    config = make_config(sla={"clock": "business"}, business_hours={"mon-fri": "09:00-18:00", "calendar": "CN"})
    clock = FakeClock(datetime(2026, 3, 6, 9, 30, tzinfo=UTC))  # Friday 6 March, 17:30 in Shanghai
    async with harness(config, clock, tmp_path / "h.db") as desk:
        await desk.say(MANAGER, "/holiday 2026-03-09 local holiday")
        replies = await desk.report(ALICE, description="Scanner not found", device="Scanner", site="HQ-3F",
                                    room=None, severity="Badly affected", phone="13800001234")
        assert "respond by 2026-03-10 09:30" in replies[-1].text
        await desk.restart()
        replies = await desk.report(BOB, description="Printer jammed", device="Printer", site="HQ-3F",
                                    room=None, severity="Badly affected", phone="13800001235")
        assert "respond by 2026-03-10 09:30" in replies[-1].text
