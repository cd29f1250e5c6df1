"""The one door to the database. Callers see :class:`Storage` and :class:`Transaction`; SQL stays here.

SQLite (one file, WAL) is the embedded default; the interface is small and portable so a
PostgreSQL backend can sit beside it later.
"""

from storage.base import SchemaTooNew, Storage, StorageUnavailable, Transaction
from storage.sqlite import SqliteStorage, open_storage

__all__ = [
    "SchemaTooNew",
    "SqliteStorage",
    "Storage",
    "StorageUnavailable",
    "Transaction",
    "open_storage",
]
