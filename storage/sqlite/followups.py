"""The follow-up survey after a repair, and the complaints its low ratings raise."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.domain.followup import Complaint, FollowUp
from storage.ports import Complaints, FollowUps
from storage.sqlite.codec import followup_from_row, from_ts, opt_ts, ts
from storage.sqlite.port import SqlPort


class SqliteFollowUps(SqlPort, FollowUps):
    async def get(self, ticket: str) -> FollowUp | None:
        row = await self._one(
            "SELECT f.*, t.number FROM followups f JOIN tickets t ON t.id = f.ticket_id WHERE t.number = ?",
            (ticket,),
        )
        return followup_from_row(row) if row else None

    async def save(self, followup: FollowUp) -> None:
        await self._run(
            """INSERT INTO followups (ticket_id, reporter_id, state, due_at, sent_at, reminded_at, expires_at,
                 answer, answered_at, rating, rated_at, comment)
               VALUES ((SELECT id FROM tickets WHERE number = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (ticket_id) DO UPDATE SET state = excluded.state, due_at = excluded.due_at,
                 sent_at = excluded.sent_at, reminded_at = excluded.reminded_at, expires_at = excluded.expires_at,
                 answer = excluded.answer, answered_at = excluded.answered_at, rating = excluded.rating,
                 rated_at = excluded.rated_at, comment = excluded.comment""",
            (followup.ticket, followup.reporter_id, followup.state.value, ts(followup.due_at),
             opt_ts(followup.sent_at), opt_ts(followup.reminded_at), opt_ts(followup.expires_at),
             followup.answer.value if followup.answer else None, opt_ts(followup.answered_at),
             followup.rating, opt_ts(followup.rated_at), followup.comment),
        )


class SqliteComplaints(SqlPort, Complaints):
    async def add(self, ticket: str, rating: int, comment: str | None, at: datetime, due: datetime) -> int:
        cursor = self._insert(
            """INSERT INTO complaints (ticket_id, rating, comment, created_at, due_at)
               VALUES ((SELECT id FROM tickets WHERE number = ?), ?, ?, ?, ?)""",
            (ticket, rating, comment, ts(at), ts(due)),
        )
        return int(cursor.lastrowid or 0)

    async def add_comment(self, ticket: str, comment: str) -> None:
        await self._run(
            """UPDATE complaints SET comment = ? WHERE handled_at IS NULL
               AND ticket_id = (SELECT id FROM tickets WHERE number = ?)""", (comment, ticket))

    async def open(self) -> list[Complaint]:
        rows = await self._all(
            f"{_COMPLAINT} WHERE c.handled_at IS NULL ORDER BY c.due_at")
        return [_complaint(r) for r in rows]

    async def get(self, complaint_id: int) -> Complaint | None:
        row = await self._one(f"{_COMPLAINT} WHERE c.id = ?", (complaint_id,))
        return _complaint(row) if row else None

    async def handled(self, limit: int = 20) -> list[Complaint]:
        rows = await self._all(
            f"{_COMPLAINT} WHERE c.handled_at IS NOT NULL ORDER BY c.handled_at DESC, c.id DESC LIMIT ?", (limit,))
        return [_complaint(r) for r in rows]

    async def handle(self, complaint_id: int, by: int, at: datetime, answer: str) -> bool:
        return await self._run(
            "UPDATE complaints SET handled_at = ?, handled_by = ?, answer = ? WHERE id = ? AND handled_at IS NULL",
            (ts(at), by, answer, complaint_id),
        ) == 1


_COMPLAINT = """SELECT c.id, t.number, c.rating, c.comment, c.created_at, c.due_at, c.handled_at, c.handled_by,
                  c.answer FROM complaints c JOIN tickets t ON t.id = c.ticket_id"""


def _complaint(r: sqlite3.Row) -> Complaint:
    return Complaint(id=r["id"], ticket=r["number"], rating=r["rating"], comment=r["comment"],
                     created_at=from_ts(r["created_at"]), due_at=from_ts(r["due_at"]),  # type: ignore[arg-type]
                     handled_at=from_ts(r["handled_at"]), handled_by=r["handled_by"], answer=r["answer"])
