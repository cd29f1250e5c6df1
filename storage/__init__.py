"""The one door to the database. Callers see :class:`Storage`, its :class:`UnitOfWork` and the narrow
ports of :mod:`storage.ports`; SQL stays in the backend (`storage.sqlite`, the embedded default).
"""

from storage.base import Backlog, DatabaseState, SchemaTooNew, Storage, StorageUnavailable, UnitOfWork
from storage.sqlite import (
    SqliteStorage,
    UnreadableDatabase,
    inspect_database,
    latest_version,
    open_storage,
    read_snapshot,
)

__all__ = [
    "Backlog",
    "DatabaseState",
    "SchemaTooNew",
    "SqliteStorage",
    "Storage",
    "StorageUnavailable",
    "UnitOfWork",
    "UnreadableDatabase",
    "inspect_database",
    "latest_version",
    "open_storage",
    "read_snapshot",
]
