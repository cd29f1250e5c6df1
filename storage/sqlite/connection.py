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
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from storage.base import SchemaTooNew, Storage, StorageUnavailable, UnitOfWork
from storage.sqlite.codec import ts
from storage.sqlite.followups import SqliteComplaints, SqliteFollowUps
from storage.sqlite.inspections import SqliteInspections
from storage.sqlite.knowledge import SqliteKnowledgeStore
from storage.sqlite.menus import SqliteCommandMenus
from storage.sqlite.messaging import SqliteHousekeeping, SqliteInbox, SqliteOutbox
from storage.sqlite.people import SqliteDrafts, SqliteUpdateLog, SqliteUsers
from storage.sqlite.port import explain
from storage.sqlite.reports import SqliteReportQueries
from storage.sqlite.roster import SqliteRosterEdits
from storage.sqlite.scheduling import SqliteNotices, SqliteTimers
from storage.sqlite.tickets import SqliteAssets, SqliteTickets
from storage.sqlite.topics import SqliteTopics

BUSY_TIMEOUT_MS = 5000


class SqliteUnitOfWork(UnitOfWork):
    """The ports of one transaction. They hold nothing but the connection, so they are shared between
    transactions; only the outbox is new each time (it remembers the chats this one wrote to)."""

    def __init__(self, db: sqlite3.Connection, shared: SqliteUnitOfWork | None = None) -> None:
        if shared is not None:
            self.__dict__.update(shared.__dict__)
        else:
            self.updates = SqliteUpdateLog(db)
            self.users = SqliteUsers(db)
            self.drafts = SqliteDrafts(db)
            self.assets = SqliteAssets(db)
            self.inspections = SqliteInspections(db)
            self.tickets = SqliteTickets(db)
            self.topics = SqliteTopics(db)
            self.timers = SqliteTimers(db)
            self.inbox = SqliteInbox(db)
            self.roster = SqliteRosterEdits(db)
            self.notices = SqliteNotices(db)
            self.followups = SqliteFollowUps(db)
            self.complaints = SqliteComplaints(db)
            self.kb = SqliteKnowledgeStore(db)
            self.reports = SqliteReportQueries(db)
            self.housekeeping = SqliteHousekeeping(db)
            self.menus = SqliteCommandMenus(db)
        self.outbox = SqliteOutbox(db)


class SqliteStorage(Storage):
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._lock = asyncio.Lock()
        self._ports = SqliteUnitOfWork(connection)
        self.path = path

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        async with self._lock:
            try:
                await _patiently(self._db, "BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageUnavailable(explain(exc)) from exc
            try:
                yield SqliteUnitOfWork(self._db, self._ports)
            except BaseException:
                self._db.rollback()
                raise
            try:
                self._db.commit()
            except sqlite3.Error as exc:
                self._db.rollback()
                raise StorageUnavailable(explain(exc)) from exc

    def snapshots(self) -> Callable[[], AbstractAsyncContextManager[UnitOfWork]]:
        return functools.partial(read_snapshot, self.path)

    async def schema_version(self) -> int:
        return current_version(self._db)

    async def close(self) -> None:
        self._db.close()


async def open_storage(path: Path) -> SqliteStorage:
    """Open (or create) the database and bring its schema up to date; refuse a newer schema."""
    try:
        # timeout=0: never wait for another process's lock inside SQLite, which would stop the event loop
        db = sqlite3.connect(str(path), isolation_level=None, timeout=0)
        db.row_factory = sqlite3.Row
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"{path}: {explain(exc)}") from exc
    try:
        mode = (await _patiently(db, "PRAGMA journal_mode = WAL")).fetchone()
        if path != Path(":memory:") and mode and mode[0] != "wal":
            raise StorageUnavailable(f"{path}: could not switch to WAL mode (got {mode[0]})")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        await _migrate(db, path)
    except sqlite3.Error as exc:
        db.close()
        raise StorageUnavailable(f"{path}: {explain(exc)}") from exc
    except BaseException:
        db.close()
        raise
    return SqliteStorage(db, path)


@asynccontextmanager
async def read_snapshot(path: Path) -> AsyncIterator[UnitOfWork]:
    """A read-only transaction on a connection of its own (see Storage.snapshots): what every command
    that only reads uses (`helpdesk report`, `roster`, `inspections`, `kb search/eval/export`, `assets
    labels`), and the report worker.

    It never takes the write lock, so the bot goes on writing while a year is read: the connection is
    opened read-only (`mode=ro`, and `query_only` besides: a write fails, it cannot wait for the lock)
    and the transaction is deferred (`BEGIN`), which in WAL mode is a snapshot as of its first read
    that neither waits for writers nor holds them up. A `BEGIN IMMEDIATE` here would hold the lock for
    the whole read: 11.6 s for a year, past the bot's 5 s wait ("database is locked").

    It never migrates either (that is a write): a schema older than this code's is refused with what
    to do, a newer one with SchemaTooNew, as `open_storage` does."""
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                             isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"{path}: {explain(exc)}") from exc
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA query_only = ON")
        db.execute("BEGIN DEFERRED")  # one consistent snapshot from the first read on
        try:
            version = current_version(db)
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"{path}: {explain(exc)}") from exc
        latest = latest_version()
        if version > latest:
            raise SchemaTooNew(
                f"{path}: the database has schema version {version}, this helpdesk knows up to {latest}; "
                "use the helpdesk that runs the bot (or upgrade this one)")
        if version < latest:
            raise StorageUnavailable(
                f"{path}: the database has schema version {version} and this helpdesk reads version {latest}; "
                "a command that only reads does not upgrade it: start the bot (helpdesk run) once, which does")
        yield SqliteUnitOfWork(db)
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


# ---- the schema ---------------------------------------------------------------------------------
def migrations() -> list[tuple[int, str]]:
    """(version, SQL) for every file in storage/migrations, in order."""
    folder = resources.files("storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    """The newest schema this code can migrate to."""
    known = migrations()
    return known[-1][0] if known else 0


def current_version(db: sqlite3.Connection) -> int:
    """No schema_migrations table means an empty database (version 0)."""
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
        current = current_version(db)
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
