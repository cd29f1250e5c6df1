"""What every SQLite port shares: the transaction's connection and four ways to run a statement.

The statements run on the event loop's own thread (see :mod:`storage.sqlite.connection` for why);
inside a transaction that holds the write lock nothing can make them wait.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from storage.base import StorageUnavailable


def explain(exc: sqlite3.Error) -> str:
    """An SQLite error in words an operator can act on."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the database is locked by another process (is another helpdesk running?)"
    if "readonly" in text or "read-only" in text:
        return "the database file or its folder is not writable"
    if "unable to open" in text:
        return "the database file cannot be opened (does its folder exist, is it writable?)"
    return text


class SqlPort:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        return self._db.execute(sql, params).fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._db.execute(sql, params).fetchall()

    def _each(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """The rows one at a time, for the bulk reads of a report: a year's 100,000 tickets and half a
        million log lines, fetched all at once, held a second copy of the year as rows (1 GiB more)."""
        return self._db.execute(sql, params)

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._insert(sql, params).rowcount

    def _insert(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise StorageUnavailable(explain(exc)) from exc
