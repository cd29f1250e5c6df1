"""Tickets with their append-only audit log, and the asset register they point at."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.domain.assets import Asset, asset_key
from bot.domain.ticket import Ticket, TicketEvent, format_number
from storage.ports import Assets, Tickets
from storage.sqlite.codec import (
    FROZEN_COLUMNS,
    asset_from_row,
    event_from_row,
    from_ts,
    ticket_columns,
    ticket_from_row,
    ts,
)
from storage.sqlite.port import SqlPort

OPEN_STATUSES = "('new', 'assigned', 'accepted', 'on_site', 'reopened')"


class SqliteTickets(SqlPort, Tickets):
    async def next_number(self, year: int) -> str:
        row = await self._one(
            """INSERT INTO ticket_counters (year, last) VALUES (?, 1)
               ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last""",
            (year,),
        )
        assert row is not None
        return format_number(year, int(row["last"]))

    async def add(self, ticket: Ticket, events: Sequence[TicketEvent]) -> None:
        columns = ticket_columns(ticket)
        cursor = self._insert(
            f"INSERT INTO tickets ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            tuple(columns.values()),
        )
        self._append(int(cursor.lastrowid or 0), events)

    async def update(self, ticket: Ticket, events: Sequence[TicketEvent]) -> None:
        self._write(ticket, events, FROZEN_COLUMNS)

    async def replan(self, ticket: Ticket, events: Sequence[TicketEvent]) -> None:
        self._write(ticket, events, ("number", "reporter_id", "opened_at"))

    def _write(self, ticket: Ticket, events: Sequence[TicketEvent], kept: Sequence[str]) -> None:
        """Every column but `kept` from `ticket`, with its events, in one statement and its log rows."""
        columns = ticket_columns(ticket)
        for fixed in kept:
            columns.pop(fixed)
        row = self._insert(
            f"UPDATE tickets SET {', '.join(f'{c} = ?' for c in columns)} WHERE number = ? RETURNING id",
            (*columns.values(), ticket.number),
        ).fetchone()
        if row is None:
            raise KeyError(ticket.number)
        self._append(int(row["id"]), events)

    def _append(self, ticket_id: int, events: Sequence[TicketEvent]) -> None:
        self._db.executemany(
            "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, data) VALUES (?, ?, ?, ?, ?)",
            [(ticket_id, ts(e.at), e.actor_id, e.kind, json.dumps(e.data, ensure_ascii=False)) for e in events],
        )

    async def get(self, number: str) -> Ticket | None:
        row = await self._one("SELECT * FROM tickets WHERE number = ?", (number,))
        return ticket_from_row(row) if row else None

    async def of_reporter(self, reporter_id: int, limit: int = 10) -> list[Ticket]:
        rows = await self._all(
            "SELECT * FROM tickets WHERE reporter_id = ? ORDER BY opened_at DESC, id DESC LIMIT ?",
            (reporter_id, limit),
        )
        return [ticket_from_row(row) for row in rows]

    async def open_of(self, engineer_id: int) -> list[Ticket]:
        rows = await self._all(
            f"SELECT * FROM tickets WHERE assignee_id = ? AND status IN {OPEN_STATUSES} ORDER BY id",
            (engineer_id,),
        )
        return [ticket_from_row(r) for r in rows]

    async def open_tickets(self, limit: int = 2000) -> list[Ticket]:
        rows = await self._all(f"SELECT * FROM tickets WHERE status IN {OPEN_STATUSES} ORDER BY id LIMIT ?", (limit,))
        return [ticket_from_row(r) for r in rows]

    async def asset_history(self, asset_no: str, before: datetime, limit: int = 5) -> list[Ticket]:
        rows = await self._all(
            "SELECT * FROM tickets WHERE asset_no = ? AND opened_at < ? ORDER BY opened_at DESC LIMIT ?",
            (asset_no, ts(before), limit),
        )
        return [ticket_from_row(r) for r in rows]

    async def events(self, number: str) -> list[TicketEvent]:
        rows = await self._all(
            """SELECT e.at, e.actor_id, e.kind, e.data FROM ticket_events e
               JOIN tickets t ON t.id = e.ticket_id WHERE t.number = ? ORDER BY e.id""",
            (number,),
        )
        return [event_from_row(r) for r in rows]


class SqliteAssets(SqlPort, Assets):
    async def find(self, code: str) -> Asset | None:
        key = asset_key(code)
        if not key:
            return None
        row = await self._one(
            "SELECT * FROM assets WHERE asset_key = ? UNION ALL SELECT * FROM assets WHERE serial_key = ? LIMIT 1",
            (key, key),
        )
        return asset_from_row(row) if row else None

    async def get(self, asset_no: str) -> Asset | None:
        row = await self._one("SELECT * FROM assets WHERE asset_no = ?", (asset_no,))
        return asset_from_row(row) if row else None

    async def upsert(self, assets: Sequence[Asset], at: datetime) -> tuple[int, int]:
        existing = {row[0]: row[1] for row in await self._all("SELECT asset_key, added_at FROM assets")}
        added = updated = 0
        for asset in assets:
            key = asset_key(asset.asset_no)
            if key in existing:
                updated += 1
                since = existing[key]  # an updated row keeps the day it joined the register
                await self._run("DELETE FROM assets WHERE asset_key = ?", (key,))
            else:
                added += 1
                since = ts(at)
            await self._run(
                """INSERT INTO assets (asset_no, asset_key, serial, serial_key, device_type, site,
                     department, user_name, brand, model, warranty, production_date, ip, os, updated_at,
                     core, retired, added_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (asset.asset_no, key, asset.serial, asset_key(asset.serial) if asset.serial else None,
                 asset.device_type, asset.site, asset.department, asset.user, asset.brand,
                 asset.model, asset.warranty,
                 asset.production_date.isoformat() if asset.production_date else None,
                 asset.ip, asset.os, ts(at), int(asset.core),
                 asset.retired.isoformat() if asset.retired else None, since),
            )
        return added, updated

    async def register(self) -> list[tuple[Asset, datetime | None]]:
        rows = await self._all("SELECT * FROM assets ORDER BY asset_no")
        return [(asset_from_row(r), from_ts(r["added_at"])) for r in rows]
