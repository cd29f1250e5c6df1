"""The report's reads: each ticket's log streamed whole and in order, and only its Facts kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.milestones import facts_of
from bot.domain.people import User
from bot.domain.severity import Severity
from bot.domain.sla import SlaTerms
from bot.domain.ticket import Status, Ticket, TicketEvent
from bot.services.reports.loading import load
from storage import open_storage, read_snapshot

T0 = datetime(2026, 11, 10, 2, tzinfo=UTC)
M = timedelta(minutes=1)


def _ticket(number: str, opened: datetime) -> Ticket:
    return Ticket(number=number, reporter_id=5001, description="jam", severity=Severity.P2, opened_at=opened,
                  sla=SlaTerms(None, "24x7"), status=Status.NEW, asset_no="A-1")


async def test_logs_come_one_ticket_at_a_time_whole_and_in_order_and_become_facts(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path / "h.db")
    a, b, c = _ticket("HD-2026-000001", T0), _ticket("HD-2026-000002", T0 + M), _ticket("HD-2026-000003", T0 + 2 * M)
    try:
        async with storage.transaction() as tx:
            await tx.users.save(User(id=5001, name="Li", language="zh"), T0)
            await tx.tickets.add(a, [TicketEvent(T0, 5001, "opened")])
            await tx.tickets.add(b, [TicketEvent(T0 + M, 5001, "opened")])
            await tx.tickets.add(c, [])  # no log at all
            # the two logs interleave in the table, as tickets are worked on at the same time
            await tx.tickets.update(replace(a, arrived_at=T0 + 30 * M), [TicketEvent(T0 + 30 * M, 1001, "arrive")])
            await tx.tickets.update(b, [TicketEvent(T0 + 31 * M, 1001, "paused", {"reason": "part"})])
            await tx.tickets.update(a, [TicketEvent(T0 + 40 * M, 1001, "resolve"), TicketEvent(T0 + 50 * M, 5001,
                                                                                               "reopen")])
            await tx.tickets.update(b, [TicketEvent(T0 + 90 * M, 1001, "resumed")])
            logs = {number: await tx.tickets.events(number) for number in (a.number, b.number)}
    finally:
        await storage.close()
    async with read_snapshot(tmp_path / "h.db") as uow:
        streamed = list(await uow.reports.logs_of_tickets_opened(T0, T0 + timedelta(days=1)))
        data = await load(uow.reports, T0, T0 + timedelta(days=1), {}, lambda due: due)
    assert streamed == [(a.number, logs[a.number]), (b.number, logs[b.number])]
    assert [e.kind for e in streamed[0][1]] == ["opened", "arrive", "resolve", "reopen"]
    assert data.events == {} and data.facts is not None and set(data.facts) == {a.number, b.number}
    by_number = {t.number: t for t in data.tickets}
    for number, log in logs.items():
        assert data.facts_for(by_number[number]) == facts_of(by_number[number], log)
    assert data.facts[b.number].pauses == ((T0 + 31 * M, T0 + 90 * M),) and data.facts[b.number].second_trip
    assert data.facts_for(by_number[c.number]) == facts_of(by_number[c.number], ())  # no log: nothing logged
    assert "tickets=3" in repr(data) and "HD-2026" not in repr(data)  # a year's repr must stay small
