"""The storage interface the service layer programs against.

Every multi-row change happens inside one :meth:`Storage.transaction`, which commits on success and
rolls back on any error, so nothing is ever half-written.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from bot.domain.assets import Asset
from bot.domain.people import User
from bot.domain.report import ReportDraft
from bot.domain.ticket import Ticket, TicketEvent
from knowledge.article import Article


class StorageUnavailable(RuntimeError):
    """The database cannot be used right now (locked, read-only, missing); nothing was changed."""


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of the bot; refusing beats corrupting it."""


class Transaction(ABC):
    """The operations available inside one transaction."""

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


class Storage(ABC):
    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...
