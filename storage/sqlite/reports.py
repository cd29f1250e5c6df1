"""The manager's report: everything about the tickets opened in a period, in a few bulk reads."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime

from bot.domain.followup import FollowUp
from bot.domain.ticket import Ticket, TicketEvent
from storage.ports import ReportQueries
from storage.sqlite.codec import followup_from_row, from_ts, json_object, opt_ts, shared, ticket_from_row, ts
from storage.sqlite.port import SqlPort


class SqliteReportQueries(SqlPort, ReportQueries):
    async def tickets_opened(self, start: datetime, end: datetime) -> list[Ticket]:
        rows = self._each("SELECT * FROM tickets WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at",
                          (ts(start), ts(end)))
        return [ticket_from_row(r) for r in rows]

    async def logs_of_tickets_opened(self, start: datetime, end: datetime) -> Iterator[tuple[str, list[TicketEvent]]]:
        rows = self._each(  # the (ticket_id, id) index gives each ticket's lines together and in order
            """SELECT t.number, e.at, e.actor_id, e.kind, e.data FROM ticket_events e
               JOIN tickets t ON t.id = e.ticket_id WHERE t.opened_at >= ? AND t.opened_at < ?
               ORDER BY e.ticket_id, e.id""",
            (ts(start), ts(end)),
        )
        return _by_ticket(rows)

    async def followups_of_tickets_opened(self, start: datetime, end: datetime) -> list[FollowUp]:
        rows = self._each(
            """SELECT f.*, t.number FROM followups f JOIN tickets t ON t.id = f.ticket_id
               WHERE t.opened_at >= ? AND t.opened_at < ?""",
            (ts(start), ts(end)),
        )
        return [followup_from_row(r) for r in rows]

    async def kb_outcomes_between(self, start: datetime, end: datetime) -> list[tuple[datetime, int, str, bool, bool]]:
        rows = self._each(
            """SELECT at, reporter_id, article_id, helped, by_engineer FROM kb_outcomes
               WHERE at >= ? AND at < ? ORDER BY id""",
            (ts(start), ts(end)),
        )
        return [(from_ts(r["at"]), r["reporter_id"], r["article_id"], bool(r["helped"]),  # type: ignore[misc]
                 bool(r["by_engineer"])) for r in rows]

    async def record_delivery(self, period: str, due: datetime, sent: datetime | None) -> None:
        await self._run(
            """INSERT INTO report_deliveries (period, due_at, sent_at) VALUES (?, ?, ?)
               ON CONFLICT (period) DO UPDATE SET sent_at = COALESCE(report_deliveries.sent_at, excluded.sent_at)""",
            (period, ts(due), opt_ts(sent)),
        )

    async def deliveries(self) -> dict[str, tuple[datetime, datetime | None]]:
        rows = await self._all("SELECT period, due_at, sent_at FROM report_deliveries")
        return {r["period"]: (from_ts(r["due_at"]), from_ts(r["sent_at"])) for r in rows}  # type: ignore[misc]


def _by_ticket(rows: Iterable[sqlite3.Row]) -> Iterator[tuple[str, list[TicketEvent]]]:
    """Consecutive rows of one ticket as (number, its log)."""
    number: str | None = None
    log: list[TicketEvent] = []
    for r in rows:
        if r["number"] != number:
            if number is not None:
                yield number, log
            number, log = r["number"], []
        log.append(TicketEvent(at=from_ts(r["at"]), actor_id=r["actor_id"], kind=shared(r["kind"]),  # type: ignore[arg-type]
                               data=json_object(r["data"])))
    if number is not None:
        yield number, log
