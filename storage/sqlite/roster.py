"""What managers changed in the duty roster from chat: overrides, turn orders, local calendar days."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from bot.domain.roster import Override
from storage.ports import RosterEdits
from storage.sqlite.codec import from_ts, ts
from storage.sqlite.port import SqlPort


class SqliteRosterEdits(SqlPort, RosterEdits):
    async def add_override(self, override: Override, at: datetime) -> int:
        cursor = self._insert(
            """INSERT INTO duty_overrides (start, end, engineer_id, rotation, kind, reason, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (ts(override.start), ts(override.end), override.engineer_id, override.rotation, override.kind,
             override.reason, override.created_by, ts(at)),
        )
        return int(cursor.lastrowid or 0)

    async def overrides(self, start: datetime, end: datetime) -> list[Override]:
        rows = await self._all(
            """SELECT * FROM duty_overrides WHERE cancelled_at IS NULL AND start < ? AND end > ? ORDER BY id""",
            (ts(end), ts(start)),
        )
        return [Override(id=r["id"], start=from_ts(r["start"]), end=from_ts(r["end"]),  # type: ignore[arg-type]
                         engineer_id=r["engineer_id"], rotation=r["rotation"], kind=r["kind"],
                         reason=r["reason"], created_by=r["created_by"]) for r in rows]

    async def rotation_edits(self) -> dict[str, tuple[int, ...]]:
        rows = await self._all("SELECT name, engineers FROM rotation_edits")
        return {r["name"]: tuple(json.loads(r["engineers"])) for r in rows}

    async def set_rotation(self, name: str, engineers: Sequence[int], by: int, at: datetime) -> None:
        await self._run(
            """INSERT INTO rotation_edits (name, engineers, updated_by, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (name) DO UPDATE SET engineers = excluded.engineers,
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at""",
            (name, json.dumps(list(engineers)), by, ts(at)),
        )

    async def calendar_days(self) -> dict[date, tuple[str, str]]:
        rows = await self._all("SELECT day, kind, name FROM calendar_days")
        return {date.fromisoformat(r["day"]): (r["kind"], r["name"]) for r in rows}

    async def set_calendar_day(self, day: date, kind: str | None, name: str, by: int, at: datetime) -> None:
        if kind is None:
            await self._run("DELETE FROM calendar_days WHERE day = ?", (day.isoformat(),))
            return
        await self._run(
            """INSERT INTO calendar_days (day, kind, name, created_by, created_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name""",
            (day.isoformat(), kind, name, by, ts(at)),
        )

    async def official_years(self) -> set[int]:
        return {r["year"] for r in await self._all("SELECT year FROM calendar_years")}

    async def load_official_year(self, year: int, days: Mapping[date, tuple[str, str]], by: int | None,
                                 at: datetime) -> None:
        await self._run("DELETE FROM calendar_days WHERE day >= ? AND day <= ?",
                        (date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()))
        for day, (kind, name) in sorted(days.items()):
            await self._run(
                "INSERT INTO calendar_days (day, kind, name, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                (day.isoformat(), kind, name, by, ts(at)))
        await self._run(
            """INSERT INTO calendar_years (year, days, loaded_by, loaded_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (year) DO UPDATE SET days = excluded.days, loaded_by = excluded.loaded_by,
                 loaded_at = excluded.loaded_at""",
            (year, len(days), by, ts(at)))
