"""The 72-hour follow-up, end to end: quiet hours, reminder, expiry, reopen, complaints, restarts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain import followup as fu
from bot.sandbox.standin import FakeUser, SentMessage
from tests.conftest import ALICE, BOB, ENGINEER, EXPERT, MANAGER
from tests.harness import BotHarness, answered


async def _repaired(desk: BotHarness, *, confirm: bool = True, engineer: FakeUser = ENGINEER) -> str:
    replies = await desk.report(ALICE, description="Printer prints blank pages", device="Printer", site="HQ-3F",
                                room="305", severity="Badly affected", phone="13800001234")
    number = next(w for w in replies[-1].text.split() if w.startswith("HD-"))
    card = desk.last_with_buttons(engineer)
    await desk.press(engineer, "✅ 接单", card)
    await desk.press(engineer, "📍 已到场", card)
    await desk.press(engineer, "✅ 完成维修", card)
    await desk.say(engineer, "Toner cartridge was empty; replaced it")
    await desk.say(engineer, "toner cartridge CF259A")
    if confirm:
        await desk.press(ALICE, "👍 Fixed", desk.tg.last_to(ALICE.id))
    return number


def _question(desk: BotHarness, number: str) -> SentMessage:
    found = [m for m in desk.tg.messages_to(ALICE.id) if "still working since" in m.text and number in m.text]
    assert found, "no follow-up question was sent"
    return found[-1]


async def _ticket(desk: BotHarness, number: str):  # type: ignore[no-untyped-def]
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        return await tx.tickets.get(number), await tx.followups.get(number)


async def test_followup_after_72_hours_rating_and_comment_close_the_ticket(desk: BotHarness) -> None:
    number = await _repaired(desk)  # resolved Monday 23 Nov 10:00 Shanghai
    await desk.tick(timedelta(hours=71, minutes=59))
    assert not any("still working" in m.text for m in desk.tg.messages_to(ALICE.id))
    await desk.tick(timedelta(minutes=1))
    question = _question(desk, number)
    assert question.text == (f"Is the Printer still working since Wang Wei repaired it on 2026-11-23 10:00? ({number})")
    assert question.buttons() == [["👍 Yes, it works"], ["🔁 The same fault is back"], ["🆕 Another problem"]]
    working = question.callback_data("👍 Yes, it works")
    replies = await desk.press(ALICE, "👍 Yes, it works", question)
    # each answer is said in the survey's own message: the question stays, the answer below it
    assert replies == [question] and question.text.startswith("Is the Printer still working since Wang Wei")
    assert answered(question)[0] == "👍 Yes, it works"
    assert replies[0].buttons() == [["1 😠", "2 🙁", "3 😐", "4 🙂", "5 😄"]]
    replies = await desk.press(ALICE, "4 🙂", replies[0])
    assert replies == [question] and answered(question) == (
        "4 🙂", "Thank you! Anything you'd like to add? Write a comment, or skip.")
    assert "✔ Your answer: 👍 Yes, it works" in question.text  # the earlier answer is still shown
    replies = await desk.say(ALICE, "Fast and friendly, thanks")
    assert "Thank you for your feedback" in replies[0].text
    ticket, followup = await _ticket(desk, number)
    assert ticket.status.value == "closed" and followup.rating == 4 and followup.comment == "Fast and friendly, thanks"
    await desk.handled(desk.tg.press_data(ALICE, question.message_id, working))  # a double answer
    assert desk.last_answer()["text"] == "You have already answered this survey."


async def test_followup_due_in_quiet_hours_waits_for_the_morning(desk: BotHarness) -> None:
    desk.clock.set(datetime(2026, 11, 23, 13, 30, tzinfo=UTC))  # 21:30 in Shanghai: the night engineer
    number = await _repaired(desk, engineer=EXPERT)
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        followup = await tx.followups.get(number)
    assert followup.due_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # Friday 08:00 local, not Thursday 21:30
    await desk.tick(timedelta(hours=72))
    assert not any("still working" in m.text for m in desk.tg.messages_to(ALICE.id))
    await desk.tick(timedelta(hours=10, minutes=30))
    assert _question(desk, number)


async def test_reminder_once_then_expiry_closes_without_rating(desk: BotHarness) -> None:
    number = await _repaired(desk)
    await desk.tick(timedelta(hours=72))
    question = _question(desk, number)
    working = question.callback_data("👍 Yes, it works")
    await desk.tick(timedelta(hours=24))
    reminders = [m for m in desk.tg.messages_to(ALICE.id) if m.text.startswith("Reminder:")]
    assert len(reminders) == 1
    await desk.tick(timedelta(hours=24))
    assert len([m for m in desk.tg.messages_to(ALICE.id) if m.text.startswith("Reminder:")]) == 1
    await desk.tick(timedelta(hours=24))  # 72 h after it was sent
    ticket, followup = await _ticket(desk, number)
    assert ticket.status.value == "closed" and followup.state is fu.FollowUpState.EXPIRED and followup.rating is None
    await desk.handled(desk.tg.press_data(ALICE, question.message_id, working))
    assert "has expired" in desk.last_answer()["text"]


async def test_same_fault_reopens_as_repeat_repair_and_pages_again(desk: BotHarness) -> None:
    number = await _repaired(desk)
    await desk.tick(timedelta(hours=72))
    await desk.press(ALICE, "🔁 The same fault is back", _question(desk, number))
    assert "is reopened" in desk.last_text(ALICE)
    assert any("报修人反映维修后同样的故障又出现了" in m.text for m in desk.tg.messages_to(ENGINEER.id))
    card = desk.last_with_buttons(ENGINEER)
    assert card.text.startswith("🔁 重新打开") and number in card.text
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        events = await tx.tickets.events(number)
    reopen = next(e for e in events if e.kind == "reopen")
    assert reopen.data["repeat_repair"] is True


async def test_low_rating_raises_a_complaint_tracked_until_handled(desk: BotHarness) -> None:
    number = await _repaired(desk)
    await desk.tick(timedelta(hours=72))
    replies = await desk.press(ALICE, "👍 Yes, it works", _question(desk, number))
    await desk.press(ALICE, "2 🙁", replies[0])
    complaint = desk.tg.last_to(MANAGER.id)
    assert f"投诉：{number} 评分 2" in complaint.text and "2026-12-03" in complaint.text
    await desk.say(ALICE, "The engineer was late and rude")
    assert "The engineer was late and rude" in desk.last_text(MANAGER)
    replies = await desk.say(MANAGER, "/complaints")
    assert number in replies[0].text and "“The engineer was late and rude”" in replies[0].text
    await desk.press(MANAGER, f"✅ {number} 已处理", replies[0])
    assert desk.last_answer()["text"] == "请写下给报修人的答复。"  # handling asks for the answer (tests/test_roles.py)
    await desk.say(MANAGER, "We apologise; the engineer will call before coming from now on")
    replies = await desk.say(MANAGER, "/complaints")
    assert "没有未处理的投诉" in replies[0].text
    replies = await desk.say(ALICE, "/complaints")
    assert "Only managers" in replies[0].text


async def test_bad_answers_change_nothing(desk: BotHarness) -> None:
    number = await _repaired(desk)
    await desk.tick(timedelta(hours=72))
    question = _question(desk, number)
    await desk.say(BOB, "/start")
    await desk.handled(desk.tg.press_data(BOB, 1, f"u:{number}:working"))
    assert desk.last_answer()["text"] == "This survey is not yours or no longer exists."
    await desk.handled(desk.tg.press_data(ALICE, question.message_id, f"u:{number}:r7"))
    assert desk.last_answer()["text"] in ("A rating is a number from 1 to 5.",)
    await desk.handled(desk.tg.press_data(ALICE, question.message_id, f"u:{number}:r4"))
    assert desk.last_answer()["text"] == "There is no question waiting for this answer."
    ticket, followup = await _ticket(desk, number)
    assert ticket.status.value == "resolved" and followup.state is fu.FollowUpState.SENT


async def test_rating_can_be_changed_shortly_after(desk: BotHarness) -> None:
    number = await _repaired(desk)
    await desk.tick(timedelta(hours=72))
    replies = await desk.press(ALICE, "👍 Yes, it works", _question(desk, number))
    rating_message = replies[0]
    data = rating_message.callback_data("5 😄")
    await desk.press(ALICE, "3 😐", rating_message)
    await desk.handled(desk.tg.press_data(ALICE, rating_message.message_id, data))
    assert "changed to 5" in desk.last_text(ALICE)
    desk.clock.advance(timedelta(minutes=11))
    await desk.handled(desk.tg.press_data(ALICE, rating_message.message_id, f"u:{number}:r1"))
    assert desk.last_answer()["text"] == "You have already rated this repair."
    _, followup = await _ticket(desk, number)
    assert followup.rating == 5


async def test_no_confirmation_still_gets_a_followup_and_it_survives_a_restart(desk: BotHarness) -> None:
    number = await _repaired(desk, confirm=False)
    await desk.tick(timedelta(hours=24))  # the reporter never said "fixed": the follow-up is scheduled
    _, followup = await _ticket(desk, number)
    assert followup is not None and followup.due_at == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    await desk.restart()
    await desk.tick(timedelta(hours=48))
    assert _question(desk, number)
    sent = len([m for m in desk.tg.messages_to(ALICE.id) if "still working" in m.text])
    await desk.restart()
    await desk.tick()
    assert len([m for m in desk.tg.messages_to(ALICE.id) if "still working" in m.text]) == sent


async def test_another_problem_closes_and_starts_a_new_report(desk: BotHarness) -> None:
    number = await _repaired(desk)
    await desk.tick(timedelta(hours=72))
    await desk.press(ALICE, "🆕 Another problem", _question(desk, number))
    assert "let's report the new problem" in desk.last_text(ALICE)
    replies = await desk.describe(ALICE, "Now the scanner is not found")
    assert "Which device" in replies[-1].text
    ticket, _ = await _ticket(desk, number)
    assert ticket.status.value == "closed"


@pytest.mark.parametrize(("local", "expected"), [
    (time(19, 59), time(19, 59)), (time(20, 0), time(8, 0)), (time(23, 30), time(8, 0)),
    (time(3, 0), time(8, 0)), (time(8, 0), time(8, 0)), (time(12, 0), time(12, 0)),
])
def test_quiet_hours_move_to_the_morning(local: time, expected: time) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    at = datetime(2026, 11, 23, local.hour, local.minute, tzinfo=tz)
    moved = fu.outside_quiet_hours(at, (time(20), time(8)), tz).astimezone(tz)
    assert moved.time() == expected
    assert moved >= at and moved - at < timedelta(hours=13)
