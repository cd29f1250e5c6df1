"""Durable timers and the warnings given exactly once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.domain.timers import Timer, TimerKind
from storage.ports import Notices, Timers
from storage.sqlite.codec import from_ts, ts
from storage.sqlite.port import SqlPort


class SqliteTimers(SqlPort, Timers):
    async def schedule(self, timer: Timer) -> None:
        await self._run(
            """INSERT OR IGNORE INTO timers (kind, due_at, ticket_id, payload, key, created_at)
               VALUES (?, ?, (SELECT id FROM tickets WHERE number = ?), ?, ?, ?)""",
            (str(timer.kind), ts(timer.due_at), timer.ticket, json.dumps(timer.payload, ensure_ascii=False),
             timer.key, ts(timer.due_at)),
        )

    async def due(self, now: datetime, limit: int = 100) -> list[Timer]:
        rows = await self._all(
            """SELECT t.id, t.kind, t.due_at, t.payload, t.key, k.number FROM timers t
               LEFT JOIN tickets k ON k.id = t.ticket_id
               WHERE t.done_at IS NULL AND t.due_at <= ? ORDER BY t.due_at, t.id LIMIT ?""",
            (ts(now), limit),
        )
        return [Timer(kind=TimerKind(r["kind"]), due_at=from_ts(r["due_at"]),  # type: ignore[arg-type]
                      ticket=r["number"], payload=json.loads(r["payload"]), key=r["key"], id=r["id"]) for r in rows]

    async def finish(self, timer_id: int, at: datetime) -> bool:
        changed = await self._run(
            "UPDATE timers SET done_at = ?, claimed_at = ? WHERE id = ? AND done_at IS NULL",
            (ts(at), ts(at), timer_id),
        )
        return changed == 1

    async def has_pending(self, kind: TimerKind) -> bool:
        row = await self._one("SELECT 1 FROM timers WHERE kind = ? AND done_at IS NULL LIMIT 1", (str(kind),))
        return row is not None

    async def next_due(self) -> datetime | None:
        row = await self._one("SELECT MIN(due_at) AS due FROM timers WHERE done_at IS NULL")
        return from_ts(row["due"]) if row and row["due"] else None

    async def cancel(self, ticket: str, kinds: Sequence[TimerKind], at: datetime) -> int:
        marks = ", ".join("?" * len(kinds))
        return await self._run(
            f"""UPDATE timers SET done_at = ? WHERE done_at IS NULL AND kind IN ({marks})
                AND ticket_id = (SELECT id FROM tickets WHERE number = ?)""",
            (ts(at), *(str(kind) for kind in kinds), ticket),
        )


class SqliteNotices(SqlPort, Notices):
    async def once(self, key: str, at: datetime) -> bool:
        return await self._run("INSERT OR IGNORE INTO notices (key, at) VALUES (?, ?)", (key, ts(at))) == 1
