"""SQLite backend: one file, WAL mode, a busy timeout, versioned migrations, one writer at a time.

One aiosqlite connection serves the whole bot; an asyncio lock hands it to one transaction at a time
(`BEGIN IMMEDIATE`), which is what SQLite allows anyway and keeps concurrent handlers from mixing
their statements into each other's transactions.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, fields
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain.assets import Asset, asset_key
from bot.domain.people import User
from bot.domain.report import ReportDraft
from bot.domain.severity import Severity
from bot.domain.sla import Deadlines, SlaTerms
from bot.domain.ticket import Status, Ticket, TicketEvent, format_number
from knowledge.article import Article
from storage.base import SchemaTooNew, Storage, StorageUnavailable, Transaction

BUSY_TIMEOUT_MS = 5000
PROCESSED_UPDATES_KEPT = timedelta(days=7)


def ts(instant: datetime) -> str:
    """UTC instants as fixed-width text, so that string order is time order."""
    if instant.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass a timezone-aware instant")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_ts(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def migrations() -> list[tuple[int, str]]:
    """(version, SQL) for every file in storage/migrations, in order."""
    folder = resources.files("storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


class SqliteStorage(Storage):
    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self._lock = asyncio.Lock()
        self.path = path

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._lock:
            try:
                await self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageUnavailable(_explain(exc)) from exc
            try:
                yield SqliteTransaction(self._db)
            except BaseException:
                await self._db.rollback()
                raise
            try:
                await self._db.commit()
            except sqlite3.Error as exc:
                await self._db.rollback()
                raise StorageUnavailable(_explain(exc)) from exc

    async def schema_version(self) -> int:
        return await _current_version(self._db)

    async def close(self) -> None:
        await self._db.close()


async def open_storage(path: Path, *, now: datetime | None = None) -> SqliteStorage:
    """Open (or create) the database and bring its schema up to date; refuse a newer schema."""
    try:
        db = await aiosqlite.connect(str(path), isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"{path}: {_explain(exc)}") from exc
    try:
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = await (await db.execute("PRAGMA journal_mode = WAL")).fetchone()
        if path != Path(":memory:") and mode and mode[0] != "wal":
            raise StorageUnavailable(f"{path}: could not switch to WAL mode (got {mode[0]})")
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute("PRAGMA synchronous = NORMAL")
        await _migrate(db, path)
        if now is not None:
            await db.execute(
                "DELETE FROM processed_updates WHERE at < ?", (ts(now - PROCESSED_UPDATES_KEPT),)
            )
    except sqlite3.Error as exc:
        await db.close()
        raise StorageUnavailable(f"{path}: {_explain(exc)}") from exc
    except BaseException:
        await db.close()
        raise
    return SqliteStorage(db, path)


async def _current_version(db: aiosqlite.Connection) -> int:
    row = await (await db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    )).fetchone()
    if row is None:
        return 0
    row = await (await db.execute("SELECT MAX(version) FROM schema_migrations")).fetchone()
    return int(row[0] or 0)


async def _migrate(db: aiosqlite.Connection, path: Path) -> None:
    known = migrations()
    latest = known[-1][0] if known else 0
    await db.execute("BEGIN IMMEDIATE")
    try:
        await db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        current = await _current_version(db)
        if current > latest:
            raise SchemaTooNew(
                f"{path}: the database has schema version {current}, this bot knows up to {latest}; "
                "upgrade the bot (or restore a backup) instead of running an older version on it"
            )
        for version, sql in known:
            if version <= current:
                continue
            for statement in _statements(sql):
                await db.execute(statement)
            await db.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                (version, ts(datetime.now(UTC))),
            )
        await db.commit()
    except BaseException:
        await db.rollback()
        raise


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN … END;) whole."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer:
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _explain(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the database is locked by another process (is another helpdesk running?)"
    if "readonly" in text or "read-only" in text:
        return "the database file or its folder is not writable"
    if "unable to open" in text:
        return "the database file cannot be opened (does its folder exist, is it writable?)"
    return text


class SqliteTransaction(Transaction):
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        cursor = await self._db.execute(sql, params)
        cursor.row_factory = sqlite3.Row  # type: ignore[assignment]
        return await cursor.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        cursor = await self._db.execute(sql, params)
        cursor.row_factory = sqlite3.Row  # type: ignore[assignment]
        return list(await cursor.fetchall())

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        try:
            cursor = await self._db.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise StorageUnavailable(_explain(exc)) from exc
        return cursor.rowcount

    async def claim_update(self, update_id: int, at: datetime) -> bool:
        changed = await self._run(
            "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)", (update_id, ts(at))
        )
        return changed == 1

    # people ------------------------------------------------------------------------------------
    async def get_user(self, user_id: int) -> User | None:
        row = await self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        if row is None:
            return None
        return User(
            id=row["id"], name=row["name"], language=row["language"], role=row["role"],
            username=row["username"], blocked=bool(row["blocked"]), last_site=row["last_site"],
            last_room=row["last_room"], last_phone=row["last_phone"],
            awaiting=json.loads(row["awaiting"]) if row["awaiting"] else None,
        )

    async def save_user(self, user: User, at: datetime) -> None:
        await self._run(
            """INSERT INTO users (id, name, username, language, role, blocked, last_site, last_room,
                                  last_phone, awaiting, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET name = excluded.name, username = excluded.username,
                 language = excluded.language, role = excluded.role, blocked = excluded.blocked,
                 last_site = excluded.last_site, last_room = excluded.last_room,
                 last_phone = excluded.last_phone, awaiting = excluded.awaiting,
                 updated_at = excluded.updated_at""",
            (user.id, user.name, user.username, user.language, user.role, int(user.blocked),
             user.last_site, user.last_room, user.last_phone,
             json.dumps(user.awaiting) if user.awaiting else None, ts(at), ts(at)),
        )

    # drafts ------------------------------------------------------------------------------------
    async def get_draft(self, reporter_id: int) -> ReportDraft | None:
        row = await self._one("SELECT data FROM drafts WHERE reporter_id = ?", (reporter_id,))
        return _draft_from_json(row["data"]) if row else None

    async def save_draft(self, draft: ReportDraft, at: datetime) -> None:
        await self._run(
            """INSERT INTO drafts (reporter_id, data, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (reporter_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at""",
            (draft.reporter_id, _draft_to_json(draft), ts(at)),
        )

    async def delete_draft(self, reporter_id: int) -> None:
        await self._run("DELETE FROM drafts WHERE reporter_id = ?", (reporter_id,))

    # assets ------------------------------------------------------------------------------------
    async def find_asset(self, code: str) -> Asset | None:
        key = asset_key(code)
        if not key:
            return None
        row = await self._one(
            "SELECT * FROM assets WHERE asset_key = ? UNION ALL SELECT * FROM assets WHERE serial_key = ? LIMIT 1",
            (key, key),
        )
        return _asset_from_row(row) if row else None

    async def get_asset(self, asset_no: str) -> Asset | None:
        row = await self._one("SELECT * FROM assets WHERE asset_no = ?", (asset_no,))
        return _asset_from_row(row) if row else None

    async def upsert_assets(self, assets: Sequence[Asset], at: datetime) -> tuple[int, int]:
        existing = {row[0] for row in await self._all("SELECT asset_key FROM assets")}
        added = updated = 0
        for asset in assets:
            key = asset_key(asset.asset_no)
            if key in existing:
                updated += 1
                await self._run("DELETE FROM assets WHERE asset_key = ?", (key,))
            else:
                added += 1
            await self._run(
                """INSERT INTO assets (asset_no, asset_key, serial, serial_key, device_type, site,
                     department, user_name, brand, model, warranty, production_date, ip, os, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (asset.asset_no, key, asset.serial, asset_key(asset.serial) if asset.serial else None,
                 asset.device_type, asset.site, asset.department, asset.user, asset.brand,
                 asset.model, asset.warranty,
                 asset.production_date.isoformat() if asset.production_date else None,
                 asset.ip, asset.os, ts(at)),
            )
        return added, updated

    # tickets -----------------------------------------------------------------------------------
    async def next_ticket_number(self, year: int) -> str:
        await self._run(
            """INSERT INTO ticket_counters (year, last) VALUES (?, 1)
               ON CONFLICT (year) DO UPDATE SET last = last + 1""",
            (year,),
        )
        row = await self._one("SELECT last FROM ticket_counters WHERE year = ?", (year,))
        assert row is not None
        return format_number(year, int(row["last"]))

    async def insert_ticket(self, ticket: Ticket, event: TicketEvent) -> None:
        d = ticket.sla.deadlines
        await self._run(
            """INSERT INTO tickets (number, reporter_id, status, severity, description, photos,
                 device_type, asset_no, site, room, contact_phone, contact_name, sla_tier, sla_clock,
                 respond_by, onsite_by, resolve_by, cancel_reason, opened_at, updated_at, tried_articles)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (ticket.number, ticket.reporter_id, ticket.status.value, ticket.severity.value,
             ticket.description, json.dumps(list(ticket.photos)), ticket.device_type,
             ticket.asset_no, ticket.site, ticket.room, ticket.contact_phone, ticket.contact_name,
             ticket.sla.tier, ticket.sla.clock, _opt_ts(d.respond_by), _opt_ts(d.onsite_by),
             _opt_ts(d.resolve_by), ticket.cancel_reason, ts(ticket.opened_at),
             ts(ticket.updated_at or ticket.opened_at), json.dumps(list(ticket.tried_articles))),
        )
        await self._append(ticket.number, event)

    async def update_ticket(self, ticket: Ticket, event: TicketEvent) -> None:
        changed = await self._run(
            """UPDATE tickets SET status = ?, severity = ?, description = ?, photos = ?,
                 device_type = ?, asset_no = ?, site = ?, room = ?, contact_phone = ?,
                 contact_name = ?, cancel_reason = ?, updated_at = ?
               WHERE number = ?""",
            (ticket.status.value, ticket.severity.value, ticket.description,
             json.dumps(list(ticket.photos)), ticket.device_type, ticket.asset_no, ticket.site,
             ticket.room, ticket.contact_phone, ticket.contact_name, ticket.cancel_reason,
             ts(ticket.updated_at or event.at), ticket.number),
        )
        if changed != 1:
            raise KeyError(ticket.number)
        await self._append(ticket.number, event)

    async def _append(self, number: str, event: TicketEvent) -> None:
        await self._run(
            """INSERT INTO ticket_events (ticket_id, at, actor_id, kind, data)
               SELECT id, ?, ?, ?, ? FROM tickets WHERE number = ?""",
            (ts(event.at), event.actor_id, event.kind, json.dumps(event.data, ensure_ascii=False), number),
        )

    async def get_ticket(self, number: str) -> Ticket | None:
        row = await self._one("SELECT * FROM tickets WHERE number = ?", (number,))
        return _ticket_from_row(row) if row else None

    async def tickets_of(self, reporter_id: int, limit: int = 10) -> list[Ticket]:
        rows = await self._all(
            "SELECT * FROM tickets WHERE reporter_id = ? ORDER BY opened_at DESC, id DESC LIMIT ?",
            (reporter_id, limit),
        )
        return [_ticket_from_row(row) for row in rows]

    async def events_of(self, number: str) -> list[TicketEvent]:
        rows = await self._all(
            """SELECT e.at, e.actor_id, e.kind, e.data FROM ticket_events e
               JOIN tickets t ON t.id = e.ticket_id WHERE t.number = ? ORDER BY e.id""",
            (number,),
        )
        return [
            TicketEvent(at=from_ts(r["at"]), actor_id=r["actor_id"], kind=r["kind"],  # type: ignore[arg-type]
                        data=json.loads(r["data"]))
            for r in rows
        ]

    # knowledge base --------------------------------------------------------------------------
    async def kb_articles(self) -> list[Article]:
        rows = await self._all("SELECT rowid, * FROM kb_articles ORDER BY id, lang")
        return [
            Article(id=r["id"], lang=r["lang"], title=r["title"], device=r["device"],
                    symptoms=tuple(json.loads(r["symptoms"])), body=r["body"], source=f"db:{r['rowid']}")
            for r in rows
        ]

    async def save_kb_article(self, article: Article, by: int | None, at: datetime) -> None:
        await self._run(
            """INSERT INTO kb_articles (id, lang, title, device, symptoms, body, created_by, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (id, lang) DO UPDATE SET title = excluded.title, device = excluded.device,
                 symptoms = excluded.symptoms, body = excluded.body, updated_at = excluded.updated_at""",
            (article.id, article.lang, article.title, article.device,
             json.dumps(list(article.symptoms), ensure_ascii=False), article.body, by, ts(at), ts(at)),
        )

    async def record_kb_outcome(
        self, reporter_id: int, article_id: str, helped: bool, query: str, at: datetime
    ) -> None:
        await self._run(
            "INSERT INTO kb_outcomes (reporter_id, article_id, helped, query, at) VALUES (?, ?, ?, ?, ?)",
            (reporter_id, article_id, int(helped), query, ts(at)),
        )


def _opt_ts(instant: datetime | None) -> str | None:
    return ts(instant) if instant else None


def _asset_from_row(row: sqlite3.Row) -> Asset:
    return Asset(
        asset_no=row["asset_no"], device_type=row["device_type"], site=row["site"],
        department=row["department"], user=row["user_name"], brand=row["brand"],
        model=row["model"], warranty=row["warranty"],
        production_date=date.fromisoformat(row["production_date"]) if row["production_date"] else None,
        serial=row["serial"], ip=row["ip"], os=row["os"],
    )


def _ticket_from_row(row: sqlite3.Row) -> Ticket:
    return Ticket(
        number=row["number"], reporter_id=row["reporter_id"], description=row["description"],
        severity=Severity(row["severity"]), opened_at=from_ts(row["opened_at"]),  # type: ignore[arg-type]
        sla=SlaTerms(
            tier=row["sla_tier"], clock=row["sla_clock"],
            deadlines=Deadlines(from_ts(row["respond_by"]), from_ts(row["onsite_by"]), from_ts(row["resolve_by"])),
        ),
        status=Status(row["status"]), photos=tuple(json.loads(row["photos"])),
        device_type=row["device_type"], asset_no=row["asset_no"], site=row["site"], room=row["room"],
        contact_phone=row["contact_phone"], contact_name=row["contact_name"],
        cancel_reason=row["cancel_reason"], updated_at=from_ts(row["updated_at"]),
        tried_articles=tuple(json.loads(row["tried_articles"])),
    )


def _draft_to_json(draft: ReportDraft) -> str:
    data = asdict(draft)
    data["started_at"] = ts(draft.started_at)
    data["severity"] = draft.severity.value if draft.severity else None
    return json.dumps(data, ensure_ascii=False)


def _draft_from_json(text: str) -> ReportDraft:
    data = json.loads(text)
    known = {f.name for f in fields(ReportDraft)}
    data = {k: v for k, v in data.items() if k in known}
    data["started_at"] = from_ts(data["started_at"])
    data.update({key: tuple(value) for key, value in data.items() if isinstance(value, list)})
    data["severity"] = Severity(data["severity"]) if data.get("severity") else None
    return ReportDraft(**data)
