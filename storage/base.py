"""The unit of work the services run in, the storage that opens it, and what can go wrong.

Every change of one use case happens inside one :meth:`Storage.transaction`, which commits on success
and rolls back on any error, so nothing is ever half-written. The unit of work hands out the narrow
ports of :mod:`storage.ports`; a service takes the ones it needs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from storage.ports import (
    Assets,
    CommandMenus,
    Complaints,
    Drafts,
    FollowUps,
    Housekeeping,
    Inbox,
    Inspections,
    KnowledgeStore,
    Notices,
    Outbox,
    ReportQueries,
    RosterEdits,
    Tickets,
    Timers,
    Topics,
    UpdateLog,
    Users,
)


class StorageUnavailable(RuntimeError):
    """The database cannot be used right now (locked, read-only, missing); nothing was changed."""


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of the bot; refusing beats corrupting it."""


class UnitOfWork:
    """One transaction's ports, as attributes (Cosmic Python's unit of work): what a use case may touch."""

    updates: UpdateLog
    users: Users
    drafts: Drafts
    assets: Assets
    inspections: Inspections
    tickets: Tickets
    topics: Topics
    timers: Timers
    inbox: Inbox
    outbox: Outbox
    roster: RosterEdits
    notices: Notices
    followups: FollowUps
    complaints: Complaints
    kb: KnowledgeStore
    reports: ReportQueries
    housekeeping: Housekeeping
    menus: CommandMenus


class Storage(ABC):
    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]: ...

    @abstractmethod
    def snapshots(self) -> Callable[[], AbstractAsyncContextManager[UnitOfWork]]:
        """Opens read-only snapshots, each on a connection of its own; picklable, so another process can
        use it (the reports are drawn in one). A snapshot holds no lock: the bot goes on writing meanwhile."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...


@dataclass(frozen=True)
class Backlog:
    """Work waiting in a database, as `helpdesk doctor` reports it."""

    timers: int
    overdue_timers: int
    waiting_messages: int
    stuck_messages: int
    failed_messages: int
    recently_failed: int
    quarantined: int = 0
    """Updates Telegram sent that the bot could not read, kept aside (see bot/telegram/polling.py)."""


@dataclass(frozen=True)
class DatabaseState:
    """What a look at a database file, without changing or creating anything, found."""

    version: int
    """Its schema version (0: no helpdesk tables yet)."""
    latest: int
    """The newest schema this code migrates to."""
    wal: bool
    backlog: Backlog | None
    """None when the schema is not one this code can read."""

