"""A look at a database file for `helpdesk doctor`: without writing, locking or creating anything.

A plain read-only open still creates empty -wal/-shm files beside a WAL database nobody has open,
owned by whoever runs the doctor (root, say), which can lock the bot's own user out of them. Without
a -wal file everything is in the main file: it is then read as immutable and nothing is created.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from storage.base import Backlog, DatabaseState
from storage.sqlite.codec import ts
from storage.sqlite.connection import current_version, latest_version


class UnreadableDatabase(Exception):
    """The file cannot be opened or read as this bot's SQLite database; the message says why."""


def inspect_database(path: Path, *, stale_before: datetime, failed_since: datetime) -> DatabaseState:
    """The schema version, journal mode and waiting work of an existing database file.

    `stale_before`: a pending timer or message due before this is overdue; `failed_since`: failed
    deliveries after this are recent."""
    query = "?mode=ro" if Path(f"{path}-wal").exists() else "?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(path.resolve().as_uri() + query, uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise UnreadableDatabase(f"cannot open it ({exc})") from None
    try:
        version, latest = current_version(connection), latest_version()
        backlog = _backlog(connection, stale_before, failed_since) if 1 <= version <= latest else None
        return DatabaseState(version=version, latest=latest, wal=_is_wal(path), backlog=backlog)
    except (sqlite3.Error, OSError) as exc:
        raise UnreadableDatabase(f"cannot read it as an SQLite database ({exc})") from None
    finally:
        connection.close()


def _is_wal(path: Path) -> bool:
    """WAL is recorded in the file header (bytes 18-19 = 2); PRAGMA journal_mode cannot see it when the
    file is opened as immutable."""
    with path.open("rb") as file:
        header = file.read(20)
    return len(header) == 20 and header[18] == 2 and header[19] == 2


def _backlog(connection: sqlite3.Connection, stale_before: datetime, failed_since: datetime) -> Backlog:
    stale, recent = ts(stale_before), ts(failed_since)
    timers, overdue = connection.execute(
        "SELECT COUNT(*), COALESCE(SUM(due_at < ?), 0) FROM timers WHERE done_at IS NULL", (stale,)
    ).fetchone()
    waiting, stuck = connection.execute(
        "SELECT COUNT(*), COALESCE(SUM(not_before < ?), 0) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        (stale,),
    ).fetchone()
    failed, failed_recently = connection.execute(
        "SELECT COUNT(*), COALESCE(SUM(failed_at >= ?), 0) FROM outbox WHERE failed_at IS NOT NULL", (recent,)
    ).fetchone()
    has_quarantine = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'quarantined_updates'").fetchone()
    quarantined = connection.execute("SELECT COUNT(*) FROM quarantined_updates").fetchone()[0] if has_quarantine else 0
    return Backlog(timers, overdue, waiting, stuck, failed, failed_recently, quarantined)
