"""The storage interface the service layer programs against.

Every multi-row change happens inside one :meth:`Storage.transaction`, which commits on success and
rolls back on any error, so nothing is ever half-written.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any

from bot.domain.assets import Asset
from bot.domain.followup import FollowUp
from bot.domain.people import User
from bot.domain.report import ReportDraft
from bot.domain.roster import Override
from bot.domain.ticket import Ticket, TicketEvent
from bot.domain.timers import Timer
from bot.messages import Reply
from knowledge.article import Article


class StorageUnavailable(RuntimeError):
    """The database cannot be used right now (locked, read-only, missing); nothing was changed."""


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of the bot; refusing beats corrupting it."""


class Transaction(ABC):
    """The operations available inside one transaction."""

    enqueued_chats: dict[int, None]
    """Chats this transaction left outbox messages for, in order (so they can be delivered at once)."""

    @abstractmethod
    async def claim_update(self, update_id: int, at: datetime) -> bool:
        """Remember a Telegram update as handled; False if it already was (a redelivery)."""

    # people
    @abstractmethod
    async def get_user(self, user_id: int) -> User | None: ...
    @abstractmethod
    async def save_user(self, user: User, at: datetime) -> None: ...

    # the report being filled in
    @abstractmethod
    async def get_draft(self, reporter_id: int) -> ReportDraft | None: ...
    @abstractmethod
    async def save_draft(self, draft: ReportDraft, at: datetime) -> None: ...
    @abstractmethod
    async def delete_draft(self, reporter_id: int) -> None: ...

    # the asset register
    @abstractmethod
    async def find_asset(self, code: str) -> Asset | None:
        """By asset number or serial, however it was typed."""
    @abstractmethod
    async def get_asset(self, asset_no: str) -> Asset | None: ...
    @abstractmethod
    async def upsert_assets(self, assets: Sequence[Asset], at: datetime) -> tuple[int, int]:
        """Add or replace assets by number; returns (added, updated)."""

    # tickets and their audit log
    @abstractmethod
    async def next_ticket_number(self, year: int) -> str: ...
    @abstractmethod
    async def insert_ticket(self, ticket: Ticket, event: TicketEvent) -> None: ...
    @abstractmethod
    async def update_ticket(self, ticket: Ticket, event: TicketEvent) -> None: ...
    @abstractmethod
    async def get_ticket(self, number: str) -> Ticket | None: ...
    @abstractmethod
    async def tickets_of(self, reporter_id: int, limit: int = 10) -> list[Ticket]:
        """A reporter's tickets, newest first."""
    @abstractmethod
    async def events_of(self, number: str) -> list[TicketEvent]: ...

    # the knowledge base
    @abstractmethod
    async def kb_articles(self) -> list[Article]:
        """Articles added or edited from chat (or imported), every language version."""
    @abstractmethod
    async def save_kb_article(self, article: Article, by: int | None, at: datetime) -> None:
        """Add or replace one language version."""
    @abstractmethod
    async def record_kb_outcome(
        self, reporter_id: int, article_id: str, helped: bool, query: str, at: datetime
    ) -> None:
        """A reporter said an article fixed it (a self-resolved request) or did not help."""


    # durable timers
    @abstractmethod
    async def schedule(self, timer: Timer) -> None:
        """Add a timer; one with the key of a pending timer is ignored."""
    @abstractmethod
    async def due_timers(self, now: datetime, limit: int = 100) -> list[Timer]: ...
    @abstractmethod
    async def finish_timer(self, timer_id: int, at: datetime) -> bool:
        """Claim a timer as done; False if it was done already (then do not act on it)."""
    @abstractmethod
    async def has_pending_timer(self, kind: str) -> bool: ...
    @abstractmethod
    async def next_timer_due(self) -> datetime | None:
        """When the earliest pending timer falls due (so the scheduler can wake up just then)."""
    @abstractmethod
    async def cancel_timers(self, ticket: str, kinds: Sequence[str], at: datetime) -> int: ...

    # the inbox: updates fetched from Telegram and not yet handled
    @abstractmethod
    async def inbox_add(self, updates: Sequence[tuple[int, str]], at: datetime) -> list[int]:
        """Keep fetched updates (update_id, JSON); returns the ids that were not kept already."""
    @abstractmethod
    async def inbox_done(self, update_ids: Sequence[int]) -> None:
        """Forget handled updates."""
    @abstractmethod
    async def inbox_pending(self) -> list[tuple[int, str]]:
        """Updates fetched but not handled (a crash came between), oldest first."""

    # the outbox: notifications written with the change that causes them
    @abstractmethod
    async def enqueue(self, reply: Reply, at: datetime) -> None: ...
    @abstractmethod
    async def pending_outbox(self, chat_id: int, now: datetime, limit: int = 50) -> list[tuple[int, Reply, int]]:
        """(id, reply, attempts so far) of one chat, in order, up to the first one not due yet."""
    @abstractmethod
    async def outbox_chats(self, now: datetime, limit: int = 500) -> list[int]:
        """Chats with a message due to be sent."""
    @abstractmethod
    async def outbox_sent(self, item_ids: Sequence[int], at: datetime) -> None: ...
    @abstractmethod
    async def outbox_retry(self, item_id: int, at: datetime, retry_at: datetime, error: str) -> None: ...
    @abstractmethod
    async def outbox_failed(self, item_id: int, at: datetime, error: str) -> None: ...

    # the roster's changes made from chat
    @abstractmethod
    async def add_override(self, override: Override, at: datetime) -> int: ...
    @abstractmethod
    async def overrides(self, start: datetime, end: datetime) -> list[Override]:
        """Overrides (not cancelled) that overlap [start, end)."""
    @abstractmethod
    async def rotation_edits(self) -> dict[str, tuple[int, ...]]: ...
    @abstractmethod
    async def set_rotation_engineers(self, name: str, engineers: Sequence[int], by: int, at: datetime) -> None: ...
    @abstractmethod
    async def calendar_days(self) -> dict[date, tuple[str, str]]:
        """Local days a manager declared a holiday or a working day: day → (kind, name)."""
    @abstractmethod
    async def set_calendar_day(self, day: date, kind: str | None, name: str, by: int, at: datetime) -> None:
        """kind None removes the day's entry."""
    @abstractmethod
    async def notice_once(self, key: str, at: datetime) -> bool:
        """True the first time a key is seen: for warnings that must be given exactly once."""

    # ticket queries for the engineers
    @abstractmethod
    async def open_tickets_of(self, engineer_id: int) -> list[Ticket]: ...
    @abstractmethod
    async def asset_history(self, asset_no: str, before: datetime, limit: int = 5) -> list[Ticket]: ...


    # follow-ups and complaints
    @abstractmethod
    async def get_followup(self, ticket: str) -> FollowUp | None: ...
    @abstractmethod
    async def save_followup(self, followup: FollowUp) -> None: ...
    @abstractmethod
    async def add_complaint(
        self, ticket: str, rating: int, comment: str | None, at: datetime, due: datetime
    ) -> int: ...
    @abstractmethod
    async def complaint_comment(self, ticket: str, comment: str) -> None:
        """The reporter's words on an open complaint, for the manager who handles it."""
    @abstractmethod
    async def open_complaints(self) -> list[dict[str, Any]]: ...
    @abstractmethod
    async def handle_complaint(self, complaint_id: int, by: int, at: datetime) -> bool: ...


    # reports: everything about the tickets opened in a period, in a few bulk reads
    @abstractmethod
    async def tickets_opened(self, start: datetime, end: datetime) -> list[Ticket]: ...
    @abstractmethod
    async def events_of_tickets_opened(self, start: datetime, end: datetime) -> dict[str, list[TicketEvent]]: ...
    @abstractmethod
    async def followups_of_tickets_opened(self, start: datetime, end: datetime) -> list[FollowUp]: ...
    @abstractmethod
    async def kb_outcomes_between(self, start: datetime, end: datetime) -> list[tuple[datetime, int, str, bool]]:
        """(at, reporter id, article id, helped) of the self-service outcomes in [start, end)."""
    @abstractmethod
    async def report_delivery(self, period: str, due: datetime, sent: datetime | None) -> None: ...
    @abstractmethod
    async def report_deliveries(self) -> dict[str, tuple[datetime, datetime | None]]: ...


class Storage(ABC):
    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...

    @abstractmethod
    def snapshots(self) -> Callable[[], AbstractAsyncContextManager[Transaction]]:
        """Opens read-only snapshots, each on a connection of its own; picklable, so another process can
        use it (the reports are drawn in one). A snapshot holds no lock: the bot goes on writing meanwhile."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...
