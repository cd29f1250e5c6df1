"""SQLite backend: one file, WAL mode, versioned migrations, one writer at a time.

One connection serves the whole bot; an asyncio lock hands it to one transaction at a time
(`BEGIN IMMEDIATE`), which is what SQLite allows anyway and keeps concurrent handlers from mixing
their statements into each other's transactions.

Statements run on the event loop's own thread. The bot's are short indexed lookups and writes of a
few rows (a reply's transaction holds about ten), 5–20 µs each in WAL mode with `synchronous=NORMAL`,
which commits without an fsync. Handing each to a worker thread, as aiosqlite does, cost 90 µs of
CPU per statement in thread hand-offs and loop wake-ups: at saturation it was nearly two thirds of
the bot's CPU per reply (4.2 ms then, 1.6 ms now; docs/benchmarks.md). The one way a statement could
hold the loop is waiting for a lock another process holds (a `helpdesk` CLI command writing): so
the connection never waits inside SQLite (`timeout=0`), and `_patiently` waits for the lock with
asyncio sleeps instead, for up to BUSY_TIMEOUT_MS.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import asdict, fields
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from bot.domain.assets import Asset, asset_key
from bot.domain.followup import Answer as FollowUpAnswer
from bot.domain.followup import FollowUp, FollowUpState
from bot.domain.people import User
from bot.domain.report import ReportDraft
from bot.domain.roster import Override
from bot.domain.severity import Severity
from bot.domain.sla import Deadlines, SlaTerms
from bot.domain.ticket import Status, Ticket, TicketEvent, format_number
from bot.domain.timers import Timer
from bot.messages import Reply, reply_from_json, reply_to_json
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
    return datetime.fromisoformat(text)  # what ts() wrote, "Z" and all; 50 times faster than strptime


def migrations() -> list[tuple[int, str]]:
    """(version, SQL) for every file in storage/migrations, in order."""
    folder = resources.files("storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


class SqliteStorage(Storage):
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._lock = asyncio.Lock()
        self.path = path

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._lock:
            try:
                await _patiently(self._db, "BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageUnavailable(_explain(exc)) from exc
            try:
                yield SqliteTransaction(self._db)
            except BaseException:
                self._db.rollback()
                raise
            try:
                self._db.commit()
            except sqlite3.Error as exc:
                self._db.rollback()
                raise StorageUnavailable(_explain(exc)) from exc

    def snapshots(self) -> Callable[[], AbstractAsyncContextManager[Transaction]]:
        return functools.partial(read_snapshot, self.path)

    async def schema_version(self) -> int:
        return _current_version(self._db)

    async def close(self) -> None:
        self._db.close()


async def open_storage(path: Path, *, now: datetime | None = None) -> SqliteStorage:
    """Open (or create) the database and bring its schema up to date; refuse a newer schema."""
    try:
        # timeout=0: never wait for another process's lock inside SQLite, which would stop the event loop
        db = sqlite3.connect(str(path), isolation_level=None, timeout=0)
        db.row_factory = sqlite3.Row
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"{path}: {_explain(exc)}") from exc
    try:
        mode = (await _patiently(db, "PRAGMA journal_mode = WAL")).fetchone()
        if path != Path(":memory:") and mode and mode[0] != "wal":
            raise StorageUnavailable(f"{path}: could not switch to WAL mode (got {mode[0]})")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        await _migrate(db, path)
        if now is not None:
            await _patiently(db, "DELETE FROM processed_updates WHERE at < ?", (ts(now - PROCESSED_UPDATES_KEPT),))
    except sqlite3.Error as exc:
        db.close()
        raise StorageUnavailable(f"{path}: {_explain(exc)}") from exc
    except BaseException:
        db.close()
        raise
    return SqliteStorage(db, path)


@asynccontextmanager
async def read_snapshot(path: Path) -> AsyncIterator[Transaction]:
    """A read-only transaction on a connection of its own (see Storage.snapshots)."""
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                             isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageUnavailable(_explain(exc)) from exc
    try:
        db.row_factory = sqlite3.Row
        db.execute("BEGIN")  # deferred: one consistent snapshot from the first read on
        yield SqliteTransaction(db)
    finally:
        db.close()  # ends the snapshot; a read-only connection has nothing to commit


async def _patiently(db: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    """Run a statement, waiting (without holding up the event loop) while another process has the lock.

    Only taking the write lock (`BEGIN IMMEDIATE`, the start-up statements) can meet one: inside a
    transaction that holds it, WAL mode has no other lock to wait for. The waits grow from 1 ms to
    50 ms, as SQLite's own busy handler does, for up to BUSY_TIMEOUT_MS in all."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_TIMEOUT_MS / 1000
    pause = 0.001
    while True:
        try:
            return db.execute(sql, params)
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY or loop.time() >= deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


def _current_version(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
    if row is None:
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


async def _migrate(db: sqlite3.Connection, path: Path) -> None:
    known = migrations()
    latest = known[-1][0] if known else 0
    await _patiently(db, "BEGIN IMMEDIATE")
    try:
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        current = _current_version(db)
        if current > latest:
            raise SchemaTooNew(
                f"{path}: the database has schema version {current}, this bot knows up to {latest}; "
                "upgrade the bot (or restore a backup) instead of running an older version on it"
            )
        for version, sql in known:
            if version <= current:
                continue
            for statement in _statements(sql):
                db.execute(statement)
            db.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                (version, ts(datetime.now(UTC))),
            )
        db.commit()
    except BaseException:
        db.rollback()
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
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.enqueued_chats = {}

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._db.execute(sql, params).fetchall()

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._insert(sql, params).rowcount

    def _insert(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise StorageUnavailable(_explain(exc)) from exc

    async def claim_update(self, update_id: int, at: datetime) -> bool:
        changed = await self._run(
            "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)", (update_id, ts(at))
        )
        return changed == 1

    # the inbox of fetched updates ----------------------------------------------------------------
    async def inbox_add(self, updates: Sequence[tuple[int, str]], at: datetime) -> list[int]:
        added = []
        for update_id, payload in updates:
            if await self._run("INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
                               (update_id, payload, ts(at))) == 1:
                added.append(update_id)
        return added

    async def inbox_done(self, update_ids: Sequence[int]) -> None:
        for start in range(0, len(update_ids), 500):
            chunk = update_ids[start:start + 500]
            await self._run(f"DELETE FROM inbox WHERE update_id IN ({', '.join('?' * len(chunk))})", chunk)

    async def inbox_pending(self) -> list[tuple[int, str]]:
        rows = await self._all("SELECT update_id, payload FROM inbox ORDER BY update_id")
        return [(r["update_id"], r["payload"]) for r in rows]

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
        columns = _ticket_columns(ticket)
        await self._run(
            f"INSERT INTO tickets ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            tuple(columns.values()),
        )
        await self._append(ticket.number, event)

    async def update_ticket(self, ticket: Ticket, event: TicketEvent) -> None:
        columns = _ticket_columns(ticket)
        for frozen in ("number", "reporter_id", "opened_at", "sla_tier", "sla_clock", "respond_by",
                       "onsite_by", "resolve_by", "escalation"):
            columns.pop(frozen)
        changed = await self._run(
            f"UPDATE tickets SET {', '.join(f'{c} = ?' for c in columns)} WHERE number = ?",
            (*columns.values(), ticket.number),
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

    # timers ------------------------------------------------------------------------------------
    async def schedule(self, timer: Timer) -> None:
        await self._run(
            """INSERT OR IGNORE INTO timers (kind, due_at, ticket_id, payload, key, created_at)
               VALUES (?, ?, (SELECT id FROM tickets WHERE number = ?), ?, ?, ?)""",
            (timer.kind, ts(timer.due_at), timer.ticket, json.dumps(timer.payload, ensure_ascii=False),
             timer.key, ts(timer.due_at)),
        )

    async def due_timers(self, now: datetime, limit: int = 100) -> list[Timer]:
        rows = await self._all(
            """SELECT t.id, t.kind, t.due_at, t.payload, t.key, k.number FROM timers t
               LEFT JOIN tickets k ON k.id = t.ticket_id
               WHERE t.done_at IS NULL AND t.due_at <= ? ORDER BY t.due_at, t.id LIMIT ?""",
            (ts(now), limit),
        )
        return [Timer(kind=r["kind"], due_at=from_ts(r["due_at"]), ticket=r["number"],  # type: ignore[arg-type]
                      payload=json.loads(r["payload"]), key=r["key"], id=r["id"]) for r in rows]

    async def finish_timer(self, timer_id: int, at: datetime) -> bool:
        changed = await self._run(
            "UPDATE timers SET done_at = ?, claimed_at = ? WHERE id = ? AND done_at IS NULL",
            (ts(at), ts(at), timer_id),
        )
        return changed == 1

    async def has_pending_timer(self, kind: str) -> bool:
        return await self._one("SELECT 1 FROM timers WHERE kind = ? AND done_at IS NULL LIMIT 1", (kind,)) is not None

    async def next_timer_due(self) -> datetime | None:
        row = await self._one("SELECT MIN(due_at) AS due FROM timers WHERE done_at IS NULL")
        return from_ts(row["due"]) if row and row["due"] else None

    async def cancel_timers(self, ticket: str, kinds: Sequence[str], at: datetime) -> int:
        marks = ", ".join("?" * len(kinds))
        return await self._run(
            f"""UPDATE timers SET done_at = ? WHERE done_at IS NULL AND kind IN ({marks})
                AND ticket_id = (SELECT id FROM tickets WHERE number = ?)""",
            (ts(at), *kinds, ticket),
        )

    # outbox ------------------------------------------------------------------------------------
    async def enqueue(self, reply: Reply, at: datetime) -> None:
        self.enqueued_chats[reply.chat_id] = None
        await self._run(
            "INSERT INTO outbox (chat_id, payload, created_at, not_before) VALUES (?, ?, ?, ?)",
            (reply.chat_id, json.dumps(reply_to_json(reply), ensure_ascii=False), ts(at), ts(at)),
        )

    async def pending_outbox(self, chat_id: int, now: datetime, limit: int = 50) -> list[tuple[int, Reply, int]]:
        rows = await self._all(
            """SELECT id, payload, attempts, not_before FROM outbox
               WHERE chat_id = ? AND sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?""",
            (chat_id, limit),
        )
        due = []
        for r in rows:
            if r["not_before"] > ts(now):
                break  # a message waiting for its retry holds back the later ones: order is kept
            due.append((r["id"], reply_from_json(json.loads(r["payload"])), r["attempts"]))
        return due

    async def outbox_chats(self, now: datetime, limit: int = 500) -> list[int]:
        rows = await self._all(
            """SELECT chat_id, MIN(id) AS first FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
               AND not_before <= ? GROUP BY chat_id ORDER BY first LIMIT ?""",
            (ts(now), limit),
        )
        return [r["chat_id"] for r in rows]

    async def outbox_sent(self, item_ids: Sequence[int], at: datetime) -> None:
        marks = ", ".join("?" * len(item_ids))
        await self._run(f"UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id IN ({marks})",
                        (ts(at), *item_ids))

    async def outbox_retry(self, item_id: int, at: datetime, retry_at: datetime, error: str) -> None:
        await self._run(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ? WHERE id = ?",
            (ts(retry_at), error[:500], item_id),
        )

    async def outbox_failed(self, item_id: int, at: datetime, error: str) -> None:
        await self._run(
            "UPDATE outbox SET attempts = attempts + 1, failed_at = ?, last_error = ? WHERE id = ?",
            (ts(at), error[:500], item_id),
        )

    # roster changes ----------------------------------------------------------------------------
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

    async def set_rotation_engineers(self, name: str, engineers: Sequence[int], by: int, at: datetime) -> None:
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

    async def notice_once(self, key: str, at: datetime) -> bool:
        return await self._run("INSERT OR IGNORE INTO notices (key, at) VALUES (?, ?)", (key, ts(at))) == 1

    # engineer queries --------------------------------------------------------------------------
    async def open_tickets_of(self, engineer_id: int) -> list[Ticket]:
        rows = await self._all(
            """SELECT * FROM tickets WHERE assignee_id = ?
               AND status IN ('new', 'assigned', 'accepted', 'on_site', 'reopened') ORDER BY id""",
            (engineer_id,),
        )
        return [_ticket_from_row(r) for r in rows]

    async def asset_history(self, asset_no: str, before: datetime, limit: int = 5) -> list[Ticket]:
        rows = await self._all(
            "SELECT * FROM tickets WHERE asset_no = ? AND opened_at < ? ORDER BY opened_at DESC LIMIT ?",
            (asset_no, ts(before), limit),
        )
        return [_ticket_from_row(r) for r in rows]

    # follow-ups -------------------------------------------------------------------------------
    async def get_followup(self, ticket: str) -> FollowUp | None:
        row = await self._one(
            "SELECT f.*, t.number FROM followups f JOIN tickets t ON t.id = f.ticket_id WHERE t.number = ?",
            (ticket,),
        )
        return _followup_from_row(row) if row else None

    async def save_followup(self, followup: FollowUp) -> None:
        await self._run(
            """INSERT INTO followups (ticket_id, reporter_id, state, due_at, sent_at, reminded_at, expires_at,
                 answer, answered_at, rating, rated_at, comment)
               VALUES ((SELECT id FROM tickets WHERE number = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (ticket_id) DO UPDATE SET state = excluded.state, due_at = excluded.due_at,
                 sent_at = excluded.sent_at, reminded_at = excluded.reminded_at, expires_at = excluded.expires_at,
                 answer = excluded.answer, answered_at = excluded.answered_at, rating = excluded.rating,
                 rated_at = excluded.rated_at, comment = excluded.comment""",
            (followup.ticket, followup.reporter_id, followup.state.value, ts(followup.due_at),
             _opt_ts(followup.sent_at), _opt_ts(followup.reminded_at), _opt_ts(followup.expires_at),
             followup.answer.value if followup.answer else None, _opt_ts(followup.answered_at),
             followup.rating, _opt_ts(followup.rated_at), followup.comment),
        )

    async def add_complaint(self, ticket: str, rating: int, comment: str | None, at: datetime, due: datetime) -> int:
        cursor = self._insert(
            """INSERT INTO complaints (ticket_id, rating, comment, created_at, due_at)
               VALUES ((SELECT id FROM tickets WHERE number = ?), ?, ?, ?, ?)""",
            (ticket, rating, comment, ts(at), ts(due)),
        )
        return int(cursor.lastrowid or 0)

    async def complaint_comment(self, ticket: str, comment: str) -> None:
        await self._run(
            """UPDATE complaints SET comment = ? WHERE handled_at IS NULL
               AND ticket_id = (SELECT id FROM tickets WHERE number = ?)""", (comment, ticket))

    async def open_complaints(self) -> list[dict[str, Any]]:
        rows = await self._all(
            """SELECT c.id, t.number, c.rating, c.comment, c.created_at, c.due_at FROM complaints c
               JOIN tickets t ON t.id = c.ticket_id WHERE c.handled_at IS NULL ORDER BY c.due_at"""
        )
        return [{"id": r["id"], "ticket": r["number"], "rating": r["rating"], "comment": r["comment"],
                 "created_at": from_ts(r["created_at"]), "due_at": from_ts(r["due_at"])} for r in rows]

    async def handle_complaint(self, complaint_id: int, by: int, at: datetime) -> bool:
        return await self._run(
            "UPDATE complaints SET handled_at = ?, handled_by = ? WHERE id = ? AND handled_at IS NULL",
            (ts(at), by, complaint_id),
        ) == 1

    # reports -----------------------------------------------------------------------------------
    async def tickets_opened(self, start: datetime, end: datetime) -> list[Ticket]:
        rows = await self._all("SELECT * FROM tickets WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at",
                               (ts(start), ts(end)))
        return [_ticket_from_row(r) for r in rows]

    async def events_of_tickets_opened(self, start: datetime, end: datetime) -> dict[str, list[TicketEvent]]:
        rows = await self._all(
            """SELECT t.number, e.at, e.actor_id, e.kind, e.data FROM ticket_events e
               JOIN tickets t ON t.id = e.ticket_id WHERE t.opened_at >= ? AND t.opened_at < ? ORDER BY e.id""",
            (ts(start), ts(end)),
        )
        found: dict[str, list[TicketEvent]] = {}
        for r in rows:
            found.setdefault(r["number"], []).append(TicketEvent(
                at=from_ts(r["at"]), actor_id=r["actor_id"], kind=r["kind"], data=json.loads(r["data"])))  # type: ignore[arg-type]
        return found

    async def followups_of_tickets_opened(self, start: datetime, end: datetime) -> list[FollowUp]:
        rows = await self._all(
            """SELECT f.*, t.number FROM followups f JOIN tickets t ON t.id = f.ticket_id
               WHERE t.opened_at >= ? AND t.opened_at < ?""",
            (ts(start), ts(end)),
        )
        return [_followup_from_row(r) for r in rows]

    async def kb_outcomes_between(self, start: datetime, end: datetime) -> list[tuple[datetime, int, str, bool]]:
        rows = await self._all(
            "SELECT at, reporter_id, article_id, helped FROM kb_outcomes WHERE at >= ? AND at < ? ORDER BY id",
            (ts(start), ts(end)),
        )
        return [(from_ts(r["at"]), r["reporter_id"], r["article_id"], bool(r["helped"])) for r in rows]  # type: ignore[misc]

    async def report_delivery(self, period: str, due: datetime, sent: datetime | None) -> None:
        await self._run(
            """INSERT INTO report_deliveries (period, due_at, sent_at) VALUES (?, ?, ?)
               ON CONFLICT (period) DO UPDATE SET sent_at = COALESCE(report_deliveries.sent_at, excluded.sent_at)""",
            (period, ts(due), _opt_ts(sent)),
        )

    async def report_deliveries(self) -> dict[str, tuple[datetime, datetime | None]]:
        rows = await self._all("SELECT period, due_at, sent_at FROM report_deliveries")
        return {r["period"]: (from_ts(r["due_at"]), from_ts(r["sent_at"])) for r in rows}  # type: ignore[misc]


def _followup_from_row(row: sqlite3.Row) -> FollowUp:
    return FollowUp(
        ticket=row["number"], reporter_id=row["reporter_id"], state=FollowUpState(row["state"]),
        due_at=from_ts(row["due_at"]), sent_at=from_ts(row["sent_at"]),  # type: ignore[arg-type]
        reminded_at=from_ts(row["reminded_at"]), expires_at=from_ts(row["expires_at"]),
        answer=FollowUpAnswer(row["answer"]) if row["answer"] else None,
        answered_at=from_ts(row["answered_at"]), rating=row["rating"], rated_at=from_ts(row["rated_at"]),
        comment=row["comment"],
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


def _ticket_columns(ticket: Ticket) -> dict[str, Any]:
    """The ticket as table columns; the one place that knows how a Ticket is stored."""
    d = ticket.sla.deadlines
    return {
        "number": ticket.number, "reporter_id": ticket.reporter_id, "status": ticket.status.value,
        "severity": ticket.severity.value, "description": ticket.description,
        "photos": json.dumps(list(ticket.photos)), "device_type": ticket.device_type,
        "asset_no": ticket.asset_no, "site": ticket.site, "room": ticket.room,
        "contact_phone": ticket.contact_phone, "contact_name": ticket.contact_name,
        "sla_tier": ticket.sla.tier, "sla_clock": ticket.sla.clock, "respond_by": _opt_ts(d.respond_by),
        "onsite_by": _opt_ts(d.onsite_by), "resolve_by": _opt_ts(d.resolve_by),
        "cancel_reason": ticket.cancel_reason, "opened_at": ts(ticket.opened_at),
        "updated_at": ts(ticket.updated_at or ticket.opened_at),
        "tried_articles": json.dumps(list(ticket.tried_articles)), "assignee_id": ticket.assignee_id,
        "escalation": json.dumps(ticket.escalation), "dispatched_at": _opt_ts(ticket.dispatched_at),
        "accepted_at": _opt_ts(ticket.accepted_at), "arrived_at": _opt_ts(ticket.arrived_at),
        "resolved_at": _opt_ts(ticket.resolved_at), "paused_since": _opt_ts(ticket.paused_since),
        "paused_seconds": ticket.paused_seconds, "pause_reason": ticket.pause_reason,
        "spare_due": ticket.spare_due.isoformat() if ticket.spare_due else None,
        "resolution": ticket.resolution, "parts": ticket.parts,
    }


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
        tried_articles=tuple(json.loads(row["tried_articles"])), assignee_id=row["assignee_id"],
        escalation=json.loads(row["escalation"]), dispatched_at=from_ts(row["dispatched_at"]),
        accepted_at=from_ts(row["accepted_at"]), arrived_at=from_ts(row["arrived_at"]),
        resolved_at=from_ts(row["resolved_at"]), paused_since=from_ts(row["paused_since"]),
        paused_seconds=row["paused_seconds"], pause_reason=row["pause_reason"],
        spare_due=date.fromisoformat(row["spare_due"]) if row["spare_due"] else None,
        resolution=row["resolution"], parts=row["parts"],
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
