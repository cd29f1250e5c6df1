"""The inspection visits (巡检): one row per site and day, each device's result inside it as JSON."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from bot.domain.inspection_visit import CheckedItem, VisitChange, VisitRecord, VisitStatus
from storage.ports import Inspections
from storage.sqlite.codec import from_ts, opt_ts, ts
from storage.sqlite.port import SqlPort


def _items_to_json(items: tuple[CheckedItem, ...]) -> str:
    return json.dumps([{"asset_no": i.asset_no, "device_type": i.device_type, "label": i.label, "result": i.result,
                        "note": i.note, "ticket": i.ticket, "checked_at": opt_ts(i.checked_at),
                        "photos": list(i.photos)} for i in items],
                      ensure_ascii=False)


def _changes_to_json(changes: tuple[VisitChange, ...]) -> str:
    return json.dumps([{"kind": c.kind, "at": ts(c.at), "by": c.by, "reason": c.reason,
                        "day": c.day.isoformat() if c.day else None, "engineer_id": c.engineer_id}
                       for c in changes], ensure_ascii=False)


def _changes_from_json(text: str) -> tuple[VisitChange, ...]:
    return tuple(VisitChange(d["kind"], from_ts(d["at"]), d["by"], d["reason"],  # type: ignore[arg-type]
                             date.fromisoformat(d["day"]) if d["day"] else None, d["engineer_id"])
                 for d in json.loads(text))


def _item_from(d: dict) -> CheckedItem:  # type: ignore[type-arg]
    return CheckedItem(d["asset_no"], d["device_type"], d["label"], d["result"], d["note"], d["ticket"],
                       from_ts(d["checked_at"]), tuple(d.get("photos", ())))


def _visit_from_row(row: sqlite3.Row) -> VisitRecord:
    items = tuple(_item_from(d) for d in json.loads(row["items"]))
    return VisitRecord(
        id=row["id"], key=row["visit_key"], site=row["site"], day=date.fromisoformat(row["day"]),
        due_by=date.fromisoformat(row["due_by"]), classes=tuple(json.loads(row["classes"])),
        engineer_id=row["engineer_id"], status=VisitStatus(row["status"]), items=items,
        pushed_at=from_ts(row["pushed_at"]), started_at=from_ts(row["started_at"]),
        finished_at=from_ts(row["finished_at"]), changes=_changes_from_json(row["changes"]),
    )


class SqliteInspections(SqlPort, Inspections):
    async def add(self, visit: VisitRecord) -> int | None:
        cursor = self._insert(
            """INSERT OR IGNORE INTO inspection_visits (visit_key, site, day, due_by, classes, engineer_id, status,
                 items, pushed_at, started_at, finished_at, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (visit.key, visit.site, visit.day.isoformat(), visit.due_by.isoformat(), json.dumps(list(visit.classes)),
             visit.engineer_id, visit.status.value, _items_to_json(visit.items), opt_ts(visit.pushed_at),
             opt_ts(visit.started_at), opt_ts(visit.finished_at), _changes_to_json(visit.changes)),
        )
        return int(cursor.lastrowid) if cursor.rowcount == 1 and cursor.lastrowid else None

    async def get(self, visit_id: int) -> VisitRecord | None:
        row = await self._one("SELECT * FROM inspection_visits WHERE id = ?", (visit_id,))
        return _visit_from_row(row) if row else None

    async def save(self, visit: VisitRecord) -> None:
        await self._run(
            """UPDATE inspection_visits SET day = ?, engineer_id = ?, status = ?, items = ?, pushed_at = ?,
                 started_at = ?, finished_at = ?, changes = ? WHERE id = ?""",
            (visit.day.isoformat(), visit.engineer_id, visit.status.value, _items_to_json(visit.items),
             opt_ts(visit.pushed_at), opt_ts(visit.started_at), opt_ts(visit.finished_at),
             _changes_to_json(visit.changes), visit.id),
        )

    async def between(self, first: date, last: date) -> list[VisitRecord]:
        rows = await self._all("SELECT * FROM inspection_visits WHERE day BETWEEN ? AND ? ORDER BY day, site",
                               (first.isoformat(), last.isoformat()))
        return [_visit_from_row(r) for r in rows]

    async def findings_of(self, asset_no: str, limit: int = 3) -> list[tuple[date, CheckedItem]]:
        rows = await self._all(
            """SELECT v.day, j.value AS item FROM inspection_visits v, json_each(v.items) j
               WHERE json_extract(j.value, '$.asset_no') = ? AND json_extract(j.value, '$.result') IN ('low', 'fault')
               ORDER BY v.day DESC, v.id DESC LIMIT ?""",
            (asset_no, limit),
        )
        return [(date.fromisoformat(r["day"]), _item_from(json.loads(r["item"]))) for r in rows]
