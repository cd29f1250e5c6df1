"""The bot's own rate limiter in the running bot: a person's reply overtakes a backlog of bulk notices.

The real Application talks HTTP to the stand-in; the limiter's clock is held still by the test and
moved one token at a time, so what goes first is the limiter's decision, not the machine's speed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.error import RetryAfter

from bot.config import Config, ConfigError, parse_config
from bot.domain import followup as fu
from bot.domain.clock import FakeClock
from bot.domain.pacing import Lane, Limits
from bot.domain.people import User
from bot.domain.severity import Severity
from bot.domain.sla import SlaTerms
from bot.domain.ticket import Status, Ticket, opened_event
from bot.domain.timers import Timer, TimerKind
from bot.messages import Reply, verbatim
from bot.sandbox.standin import FakeUser
from bot.telegram.app import limits_of
from bot.telegram.limiter import FairLimiter, bulk_lane
from tests.conftest import ALICE
from tests.harness import BotHarness, harness

NOTICE = "Monthly maintenance notice"
RECIPIENTS = [FakeUser(id=70_000 + i, first_name=f"N{i}", language_code="en") for i in range(30)]


class HeldClock:
    """Real time while the bot starts; then still, moving only when the test says."""

    def __init__(self) -> None:
        self.held: float | None = None

    def __call__(self) -> float:
        return time.monotonic() if self.held is None else self.held

    def hold(self) -> None:
        self.held = time.monotonic()

    def advance(self, seconds: float) -> None:
        assert self.held is not None
        self.held += seconds


@pytest.fixture
async def paced(config: Config, clock: FakeClock, tmp_path: Path) -> AsyncIterator[tuple[BotHarness, FairLimiter,
                                                                                       HeldClock]]:
    held = HeldClock()
    limiter = FairLimiter(Limits(overall_rate=2.0, overall_burst=2), monotonic=held)  # two at once, then one a 0.5 s
    async with harness(config, clock, tmp_path / "helpdesk.db", limiter=limiter) as h:
        h.tg.introduce(*RECIPIENTS)
        yield h, limiter, held


def _notices(h: BotHarness) -> int:
    return sum(1 for user in RECIPIENTS for m in h.tg.messages_to(user.id) if NOTICE in m.text)


async def _turn(limiter: FairLimiter, held: HeldClock) -> None:
    """Half a second on the limiter's clock: one more request may go."""
    held.advance(0.5)
    limiter.poke()
    await asyncio.sleep(0)


async def test_a_reply_overtakes_a_backlog_of_bulk_notices(paced) -> None:  # type: ignore[no-untyped-def]
    h, limiter, held = paced
    now = h.clock.now()
    async with h.storage.transaction() as tx:  # type: ignore[union-attr]
        tx.outbox.bulk = True
        for user in RECIPIENTS:
            await tx.outbox.enqueue(Reply(user.id, verbatim(f"{NOTICE} for {user.first_name}"), "en"), now)
    held.hold()
    backlog = asyncio.create_task(h.helpdesk.courier.flush())  # type: ignore[union-attr]
    await h.tg.wait_for(lambda: limiter.waiting(Lane.BULK) >= 10, what="a backlog in the limiter")
    early = _notices(h)  # what the bucket held when the clock stopped (two at most); the rest wait
    assert early <= 2

    seen = h.tg.message_count(ALICE.id)
    update_id = h.tg.send_text(ALICE, "/help")
    await h.tg.wait_for(lambda: limiter.waiting(Lane.PERSON) >= 1, what="the reply to wait for its turn")
    await _turn(limiter, held)
    await h.handled(update_id)
    reply = h.tg.messages_to(ALICE.id)[seen:]
    assert reply, "Alice got no answer"
    assert _notices(h) == early, "a bulk notice went before the reply Alice was waiting for"

    for count in range(early + 1, len(RECIPIENTS) + 1):  # the backlog then has the whole rate again
        await _turn(limiter, held)
        await h.tg.wait_for(lambda count=count: _notices(h) >= count, what=f"notice {count}")
    assert await backlog == len(RECIPIENTS)
    assert _notices(h) == len(RECIPIENTS)


async def test_the_scheduler_marks_follow_ups_bulk_and_escalations_not(desk: BotHarness) -> None:
    now = desk.clock.now()
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        await tx.users.save(User(id=ALICE.id, name="Alice", language="en"), now)
        number = await tx.tickets.next_number(now.year)
        opened = now - timedelta(days=3)
        ticket = Ticket(number=number, reporter_id=ALICE.id, description="printer jam", severity=Severity.P3,
                        opened_at=opened, sla=SlaTerms(None, "24x7"), status=Status.RESOLVED, device_type="printer",
                        resolved_at=opened + timedelta(hours=1), assignee_id=None)
        await tx.tickets.add(ticket, [opened_event(ticket)])
        await tx.followups.save(fu.FollowUp(number, ALICE.id, fu.FollowUpState.SCHEDULED, now))
        await tx.timers.schedule(Timer(TimerKind.FOLLOWUP_SEND, now, number, {}, key=f"followup:{number}"))
    report = await desk.report(ALICE, description="Scanner jams on every page", device="Scanner", site="HQ-3F",
                               room="101", severity="Badly affected", phone="13800001234")
    assert any("HD-" in m.text for m in report)
    await desk.tick(timedelta(hours=2))  # the follow-up is due; nobody accepted the new ticket: it escalates
    rows = desk.rows("SELECT chat_id, bulk, payload FROM outbox WHERE sent_at IS NOT NULL ORDER BY id")
    followups = [bulk for chat, bulk, payload in rows if chat == ALICE.id and "followup" in payload]
    escalations = [bulk for chat, bulk, payload in rows if "duty.card.escalated" in payload]
    warnings = [bulk for chat, bulk, payload in rows if '"duty.warn"' in payload]
    assert followups == [1]
    assert escalations and set(escalations) == {0}  # the escalation's pages go with the replies
    assert warnings and set(warnings) == {1}  # the SLA warning is bulk
    replies = [bulk for chat, bulk, payload in rows if chat == ALICE.id and "followup" not in payload]
    cards = [bulk for chat, bulk, payload in rows if '"duty.card"' in payload]
    assert cards and set(cards) == {0}  # the page at Submit too
    assert replies and set(replies) == {0}  # everything Alice was answered while reporting went as a person's


class StillClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_retry_after_holds_its_chat_and_the_request_is_tried_again_then() -> None:
    clock = StillClock()
    limiter = FairLimiter(Limits(), monotonic=clock)
    calls: list[tuple[int, float]] = []

    async def send(chat: int) -> dict:
        calls.append((chat, clock.now))
        if chat == 7 and len([c for c, _ in calls if c == 7]) == 1:
            raise RetryAfter(30)
        return {"ok": chat}

    async def request(chat: int) -> object:
        return await limiter.process_request(send, (chat,), {}, "sendMessage", {"chat_id": chat}, None)

    held = asyncio.create_task(request(7))
    await _until(lambda: limiter.waiting() == 1)  # chat 7 was told to wait 30 s and waits its turn again
    assert await request(8) == {"ok": 8}  # another chat is not held
    clock.now += 29.5
    limiter.poke()
    await asyncio.sleep(0)
    assert not held.done()
    clock.now += 0.5
    limiter.poke()
    assert await held == {"ok": 7}
    assert calls == [(7, 1000.0), (8, 1000.0), (7, 1030.0)]
    await limiter.shutdown()


async def test_still_rate_limited_after_the_retries_the_error_is_raised() -> None:
    clock = StillClock()
    limiter = FairLimiter(Limits(), max_retries=1, monotonic=clock)

    async def refused() -> dict:
        raise RetryAfter(1)

    task = asyncio.create_task(limiter.process_request(refused, (), {}, "sendMessage", {"chat_id": 5}, None))
    await _until(lambda: limiter.waiting() == 1)
    clock.now += 1
    limiter.poke()
    with pytest.raises(RetryAfter):
        await task
    await limiter.shutdown()


async def test_the_lane_comes_from_the_context() -> None:
    clock = StillClock()
    limiter = FairLimiter(Limits(overall_rate=1, overall_burst=1), monotonic=clock)
    order: list[str] = []

    async def send(name: str) -> bool:
        order.append(name)
        return True

    async def request(name: str, chat: int) -> object:
        return await limiter.process_request(send, (name,), {}, "sendMessage", {"chat_id": chat}, None)

    assert await request("first", 1)  # the bucket's one token
    with bulk_lane(True):
        notice = asyncio.create_task(request("notice", 2))
    await _until(lambda: limiter.waiting(Lane.BULK) == 1)
    reply = asyncio.create_task(request("reply", 3))
    await _until(lambda: limiter.waiting(Lane.PERSON) == 1)
    for _ in range(2):
        clock.now += 1
        limiter.poke()
        await asyncio.sleep(0)
    await asyncio.gather(notice, reply)
    assert order == ["first", "reply", "notice"]
    await limiter.shutdown()


async def _until(predicate) -> None:  # type: ignore[no-untyped-def]
    """Let the event loop run until `predicate()` holds (the limiter's tasks are on this loop)."""
    for _ in range(1000):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


def test_the_limits_are_settings_with_telegrams_values_as_defaults() -> None:
    assert limits_of(parse_config({})) == Limits(overall_rate=30.0, group_rate=20.0, private_rate=1.0)
    mine = limits_of(parse_config({"telegram": {"overall_rate": 12, "group_rate": 6, "private_rate": 0.5}}))
    assert (mine.overall_rate, mine.group_rate, mine.private_rate) == (12, 6, 0.5)
    with pytest.raises(ConfigError, match=r"telegram\.overall_rate"):
        parse_config({"telegram": {"overall_rate": 0}})
    with pytest.raises(ConfigError, match=r"telegram\.group_limit: unknown key"):
        parse_config({"telegram": {"group_limit": 5}})
