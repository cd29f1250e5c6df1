"""The SQLite backend, the embedded default: one file in WAL mode (see `connection` for the design)."""

from storage.sqlite.connection import (
    SqliteStorage,
    SqliteUnitOfWork,
    latest_version,
    migrations,
    open_storage,
    read_snapshot,
)
from storage.sqlite.inspect import UnreadableDatabase, inspect_database

__all__ = [
    "SqliteStorage",
    "SqliteUnitOfWork",
    "UnreadableDatabase",
    "inspect_database",
    "latest_version",
    "migrations",
    "open_storage",
    "read_snapshot",
]
