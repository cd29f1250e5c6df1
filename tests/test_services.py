"""The service layer over a real in-memory store: use cases without Telegram, one unit of work each.

These run the same services the bot runs (built by `bot.services.wiring.Services` from the ports of a
real SQLite unit of work), with a fake clock, and read the store afterwards: what a use case wrote,
how many times it wrote the ticket, what it queued for whom and which timers it left.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain import intake
from bot.domain.clock import FakeClock
from bot.domain.people import User
from bot.domain.ticket import Status, Ticket, TicketEvent
from bot.domain.timers import REPORT_KINDS, TimerKind
from bot.services.deployment import Deployment
from bot.services.reports.orders import Reports
from bot.services.timers import HANDLERS, Scheduler
from bot.services.wiring import Services
from storage import SqliteStorage, UnitOfWork, open_storage
from storage.ports import Tickets
from tests.conftest import START, make_config

ALICE = User(id=501, name="Alice", language="en")
WANG, LIU, CHEN, ZHAO = 1001, 1002, 1003, 9001


class CountingTickets:
    """The real tickets port, counting the writes a use case makes."""

    def __init__(self, real: Tickets) -> None:
        self.real = real
        self.updates: list[list[str]] = []

    async def update(self, ticket: Ticket, events: Sequence[TicketEvent]) -> None:
        self.updates.append([e.kind for e in events])
        await self.real.update(ticket, events)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.real, name)


@pytest.fixture
async def store() -> AsyncIterator[SqliteStorage]:
    storage = await open_storage(Path(":memory:"))
    try:
        yield storage
    finally:
        await storage.close()


DEPLOYMENT = Deployment(make_config())


def services(uow: UnitOfWork) -> Services:
    return Services(DEPLOYMENT, None, uow)


def _draft(severity: str = "P1") -> intake.Draft:
    draft = intake.describe(intake.start(ALICE.id, START), "Printer is completely dead")
    draft = intake.choose_device_type(draft, "printer")
    draft = intake.set_room(intake.set_site(draft, "HQ-3F"), "305")
    return intake.set_phone(intake.set_severity(draft, severity), "13800001234")


async def _open(store: SqliteStorage, severity: str = "P1") -> Ticket:
    async with store.transaction() as uow:
        await uow.users.save(ALICE, START)
        return await services(uow).tickets.open(_draft(severity), ALICE, START)


async def test_a_dispatch_is_decided_by_the_domain_and_saved_once(store: SqliteStorage) -> None:
    async with store.transaction() as uow:
        await uow.users.save(ALICE, START)
        counting = CountingTickets(uow.tickets)
        uow.tickets = counting  # type: ignore[assignment]
        ticket = await services(uow).tickets.open(_draft(), ALICE, START)
        cards = await uow.outbox.pending(WANG, START)
    assert counting.updates == [["assign", "pinged"]]  # one write, with both events
    assert ticket.status is Status.ASSIGNED and ticket.assignee_id == WANG
    (card,) = cards
    assert card.reply.text.key == "duty.card" and card.reply.ticket == ticket.number
    assert [b.data for row in card.reply.buttons for b in row] == [f"t:{ticket.number}:accept",
                                                                 f"t:{ticket.number}:decline"]
    async with store.transaction() as uow:
        assert [e.kind for e in await uow.tickets.events(ticket.number)] == ["opened", "assign", "pinged"]
        due = await uow.timers.due(START + timedelta(days=2))
    kinds = sorted({t.kind for t in due if t.ticket == ticket.number})
    assert kinds == [TimerKind.CHECKPOINT, TimerKind.ESCALATE]


async def test_an_escalation_step_pings_the_backup_and_saves_once(store: SqliteStorage) -> None:
    ticket = await _open(store)
    clock = FakeClock(START + timedelta(minutes=10))
    scheduler = Scheduler(store, DEPLOYMENT, None, clock, Reports(DEPLOYMENT.config))
    assert await scheduler.tick() == 1  # the 10-minute step (P1: backup)
    async with store.transaction() as uow:
        events = [e.kind for e in await uow.tickets.events(ticket.number)]
        to_backup = await uow.outbox.pending(LIU, clock.now())
    assert events[-3:] == ["pinged", "pinged", "escalated"]  # the assignee again, the backup, the step
    assert to_backup and to_backup[-1].reply.text.key == "duty.card.with_note"


async def test_cant_take_runs_the_next_step_at_once_in_the_same_write(store: SqliteStorage) -> None:
    ticket = await _open(store)
    async with store.transaction() as uow:
        counting = CountingTickets(uow.tickets)
        uow.tickets = counting  # type: ignore[assignment]
        fresh = await uow.tickets.get(ticket.number)
        assert fresh is not None
        moved = await services(uow).dispatch.decline(fresh, WANG, "on another job", START + timedelta(minutes=2))
    # the backup, not the decliner, is pinged, and gets the ticket: one write
    assert counting.updates == [["declined", "pinged", "escalated", "assign"]]
    assert moved.assignee_id == LIU
    async with store.transaction() as uow:
        assert await uow.outbox.pending(LIU, START + timedelta(minutes=2))


async def test_every_timer_kind_has_exactly_one_handler() -> None:
    assert set(HANDLERS) | REPORT_KINDS == set(TimerKind)
    assert not set(HANDLERS) & REPORT_KINDS


async def test_a_roster_gap_is_told_to_the_managers_once(store: SqliteStorage) -> None:
    """With only a working-hours rotation, nights and weekends are gaps: each is told once, and a cover
    that fills one is not a gap any more."""
    days_only = Deployment(make_config(rotations=[{"name": "day", "engineers": [WANG, LIU], "handover": "09:00",
                                                   "covers": "workdays", "hours": "09:00-18:00"}]))
    async with store.transaction() as uow:
        roster = Services(days_only, None, uow).roster
        told = await roster.report_gaps(START, days=2)
        repeated = await roster.report_gaps(START, days=2)
        to_manager = await uow.outbox.pending(ZHAO, START)
    assert told == 2 and repeated == 0 and len(to_manager) == 2  # tonight and tomorrow night
    async with store.transaction() as uow:
        roster = Services(days_only, None, uow).roster
        night = await roster.current(START)
        from bot.domain.roster import Override, gaps

        start, end = gaps(night, START, START + timedelta(days=1))[0]
        await roster.cover(Override(None, start, end, CHEN, None, "cover", "night duty", ZHAO), START)
        remaining = gaps(await roster.current(START), START, START + timedelta(days=1))
    assert remaining == []


async def test_the_follow_up_waits_for_the_morning(store: SqliteStorage) -> None:
    """Resolved at 21:00 local, the 72-hour follow-up would fall in quiet hours (20:00–08:00): it goes at 08:00."""
    ticket = await _open(store, "P2")
    evening = START + timedelta(hours=11)  # 21:00 in Shanghai
    async with store.transaction() as uow:
        s = services(uow)
        engineer = User(id=WANG, name="Wang Wei", language="zh", role="engineer")
        current = await uow.tickets.get(ticket.number)
        assert current is not None
        accepted = await s.tickets.accept(current, engineer, evening)
        resolved = await s.tickets.resolve(accepted, "toner", None, engineer, evening)
        await s.tickets.confirm_fixed(resolved, ALICE, evening)
        followup = await uow.followups.get(ticket.number)
    assert followup is not None
    local = followup.due_at.astimezone(DEPLOYMENT.tz)
    assert (local.hour, local.minute) == (8, 0) and followup.due_at - evening > timedelta(hours=72)
