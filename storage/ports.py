"""The narrow ports the services program against: one per aggregate, each a handful of methods.

A service asks for the ports it uses (the dispatcher: tickets, timers, the roster's edits, the outbox)
and nothing else, so a reader sees what a use case touches from its constructor, a service test can
hand it the ports of a real in-memory store, and a second backend implements the same small
interfaces rather than one wide one. All of them work inside the one :class:`~storage.base.UnitOfWork`
they belong to: its commit makes every change of a use case durable together, or none.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.assets import Asset
from bot.domain.followup import Complaint, FollowUp
from bot.domain.inspection_visit import CheckedItem, VisitRecord
from bot.domain.intake import Draft
from bot.domain.people import User
from bot.domain.roster import Override
from bot.domain.ticket import Ticket, TicketEvent
from bot.domain.timers import Timer, TimerKind
from bot.domain.topics import Topic
from bot.messages import Reply
from knowledge.article import Article
from knowledge.evidence import Outcome


class UpdateLog(ABC):
    """The Telegram updates already acted on: a redelivered update is recognised and left alone."""

    @abstractmethod
    async def claim(self, update_id: int, at: datetime) -> bool:
        """Remember an update as handled; False if it already was (a redelivery)."""
    @abstractmethod
    async def highest(self) -> int:
        """The highest update id this database has seen (handled, waiting in the inbox or quarantined),
        0 if none: a Bot API stand-in restarted on the same database numbers its updates after it, or
        the bot would drop each new one as a repeat of an update handled before."""


class Users(ABC):
    @abstractmethod
    async def get(self, user_id: int) -> User | None: ...
    @abstractmethod
    async def save(self, user: User, at: datetime) -> None: ...


class Drafts(ABC):
    """The fault report a reporter is filling in, kept after every answer."""

    @abstractmethod
    async def get(self, reporter_id: int) -> Draft | None: ...
    @abstractmethod
    async def save(self, draft: Draft, at: datetime) -> None: ...
    @abstractmethod
    async def delete(self, reporter_id: int) -> None: ...


class Assets(ABC):
    """The asset register (设备登记)."""

    @abstractmethod
    async def find(self, code: str) -> Asset | None:
        """By asset number or serial, however it was typed."""
    @abstractmethod
    async def get(self, asset_no: str) -> Asset | None: ...
    @abstractmethod
    async def upsert(self, assets: Sequence[Asset], at: datetime) -> tuple[int, int]:
        """Add or replace assets by number; returns (added, updated). A replaced asset keeps the
        instant it first joined the register."""
    @abstractmethod
    async def register(self) -> list[tuple[Asset, datetime | None]]:
        """Every asset, with the instant it joined the register (None: before that was recorded)."""


class Topics(ABC):
    """Each ticket's forum topic in the staff group (bot.domain.topics)."""

    @abstractmethod
    async def get(self, ticket: str) -> Topic | None: ...

    @abstractmethod
    async def save(self, topic: Topic) -> None:
        """Add or replace the ticket's topic (its name and closed state as last asked of Telegram)."""

    @abstractmethod
    async def ticket_of(self, chat_id: int, thread_id: int) -> str | None:
        """The ticket whose topic this is (None: a topic the bot did not open)."""

    @abstractmethod
    async def to_follow(self, limit: int = 200) -> list[tuple[Topic, Ticket]]:
        """Topics with their tickets, leaving out those closed with a finished ticket (nothing to mirror)."""


class Inspections(ABC):
    """The inspection visits (bot.domain.inspection_visit), one per site and day."""

    @abstractmethod
    async def add(self, visit: VisitRecord) -> int | None:
        """Store a new visit; None (and nothing written) when one with its key exists already."""

    @abstractmethod
    async def get(self, visit_id: int) -> VisitRecord | None: ...

    @abstractmethod
    async def save(self, visit: VisitRecord) -> None:
        """Its day, engineer, status, results, times and log (what a visit's life changes)."""

    @abstractmethod
    async def between(self, first: date, last: date) -> list[VisitRecord]:
        """The visits planned on the local days [first, last], by day and site."""

    @abstractmethod
    async def findings_of(self, asset_no: str, limit: int = 3) -> list[tuple[date, CheckedItem]]:
        """The asset's latest inspection findings (consumable low, fault found), newest first: its history."""


class Tickets(ABC):
    """Tickets and their append-only audit log: every change is saved with the events that explain it."""

    @abstractmethod
    async def next_number(self, year: int) -> str: ...
    @abstractmethod
    async def add(self, ticket: Ticket, events: Sequence[TicketEvent]) -> None: ...
    @abstractmethod
    async def update(self, ticket: Ticket, events: Sequence[TicketEvent]) -> None:
        """Store the ticket's new state and append its events, in one write."""
    @abstractmethod
    async def get(self, number: str) -> Ticket | None: ...
    @abstractmethod
    async def of_reporter(self, reporter_id: int, limit: int = 10) -> list[Ticket]:
        """A reporter's tickets, newest first."""
    @abstractmethod
    async def open_of(self, engineer_id: int) -> list[Ticket]:
        """An engineer's open tickets."""
    @abstractmethod
    async def open_tickets(self, limit: int = 2000) -> list[Ticket]:
        """Every open ticket, oldest first (the dispatcher's console sorts and filters them)."""
    @abstractmethod
    async def replan(self, ticket: Ticket, events: Sequence[TicketEvent]) -> None:
        """Like `update`, and the ticket's promises too (tier, clock, deadlines, escalation chain): the one
        door for a severity a manager changed, so no other change can move what a ticket was promised."""
    @abstractmethod
    async def asset_history(self, asset_no: str, before: datetime, limit: int = 5) -> list[Ticket]:
        """The asset's earlier tickets, newest first (the engineer's card shows them)."""
    @abstractmethod
    async def events(self, number: str) -> list[TicketEvent]: ...


class Timers(ABC):
    """Durable timers: escalation steps, SLA checkpoints, follow-ups, report orders."""

    @abstractmethod
    async def schedule(self, timer: Timer) -> None:
        """Add a timer; one with the key of a pending timer is ignored."""
    @abstractmethod
    async def due(self, now: datetime, limit: int = 100) -> list[Timer]: ...
    @abstractmethod
    async def finish(self, timer_id: int, at: datetime) -> bool:
        """Claim a timer as done; False if it was done already (then do not act on it)."""
    @abstractmethod
    async def has_pending(self, kind: TimerKind) -> bool: ...
    @abstractmethod
    async def next_due(self) -> datetime | None:
        """When the earliest pending timer falls due (so the scheduler can wake up just then)."""
    @abstractmethod
    async def cancel(self, ticket: str, kinds: Sequence[TimerKind], at: datetime) -> int: ...


class Inbox(ABC):
    """Updates fetched from Telegram and not yet handled (a crash in between replays them)."""

    @abstractmethod
    async def add(self, updates: Sequence[tuple[int, str]], at: datetime) -> list[int]:
        """Keep fetched updates (update_id, JSON); returns the ids that were not kept already."""
    @abstractmethod
    async def done(self, update_ids: Sequence[int]) -> None:
        """Forget handled updates."""
    @abstractmethod
    async def pending(self) -> list[tuple[int, str]]:
        """Updates fetched but not handled, oldest first."""
    @abstractmethod
    async def quarantine(self, update_id: int, payload: str, error: str, at: datetime) -> None:
        """Keep aside an update that cannot be read, so polling moves past it and an operator can look."""


@dataclass(frozen=True)
class Pending:
    """A message waiting in the outbox."""

    id: int
    reply: Reply
    attempts: int
    """Tries so far (a retry backs off by this)."""
    parts_sent: int = 0
    """Parts already delivered: 0 the text, 1… its photos, then its attachment."""


class Outbox(ABC):
    """Messages written with the change that causes them, delivered chat by chat by the courier."""

    enqueued_chats: dict[int, None]
    """Chats this unit of work left messages for, in order (so they can be delivered at once)."""

    @abstractmethod
    async def enqueue(self, reply: Reply, at: datetime) -> None: ...
    @abstractmethod
    async def pending(self, chat_id: int, now: datetime, limit: int = 50) -> list[Pending]:
        """One chat's messages, in order, up to the first one not due yet."""
    @abstractmethod
    async def chats(self, now: datetime, limit: int = 500) -> list[int]:
        """Chats with a message due to be sent."""
    @abstractmethod
    async def sent(self, item_ids: Sequence[int], at: datetime, message_id: int | None = None) -> None:
        """Delivered; `message_id` is Telegram's id for it, kept for a card whose buttons may have to die."""
    @abstractmethod
    async def live_cards(self, ticket: str) -> list[tuple[int, int]]:
        """(chat, message id) of the delivered messages about `ticket` that carry buttons."""
    @abstractmethod
    async def forget_card(self, chat_id: int, message_id: int) -> None:
        """That message's buttons are gone (edited away): it is no longer a live card."""
    @abstractmethod
    async def retry(self, item_id: int, at: datetime, retry_at: datetime, error: str) -> None: ...
    @abstractmethod
    async def failed(self, item_id: int, at: datetime, error: str) -> None: ...
    @abstractmethod
    async def progress(self, item_id: int, parts_sent: int, message_id: int | None = None) -> None:
        """Some of a message's parts went out (the text, then photos): a retry starts after them."""


class Housekeeping(ABC):
    """Forgetting what is no longer needed, so the database neither grows forever nor keeps personal
    data (phone numbers in delivered messages) longer than the deployment allows."""

    @abstractmethod
    async def prune(self, before: datetime) -> dict[str, int]:
        """Delete delivered or given-up messages, update ids and quarantined updates older than
        `before`; returns how many of each."""


class RosterEdits(ABC):
    """What managers changed in the duty roster from chat; the configuration holds the rest."""

    @abstractmethod
    async def add_override(self, override: Override, at: datetime) -> int: ...
    @abstractmethod
    async def overrides(self, start: datetime, end: datetime) -> list[Override]:
        """Overrides (not cancelled) that overlap [start, end)."""
    @abstractmethod
    async def rotation_edits(self) -> dict[str, tuple[int, ...]]: ...
    @abstractmethod
    async def set_rotation(self, name: str, engineers: Sequence[int], by: int, at: datetime) -> None: ...
    @abstractmethod
    async def calendar_days(self) -> dict[date, tuple[str, str]]:
        """Local days a manager declared a holiday or a working day: day → (kind, name)."""
    @abstractmethod
    async def set_calendar_day(self, day: date, kind: str | None, name: str, by: int, at: datetime) -> None:
        """kind None removes the day's entry."""
    @abstractmethod
    async def official_years(self) -> set[int]:
        """Years whose official schedule was loaded from a file."""
    @abstractmethod
    async def load_official_year(self, year: int, days: Mapping[date, tuple[str, str]], by: int | None,
                                 at: datetime) -> None:
        """Replace the year's calendar days by `days` (day → (kind, name)) and mark the year loaded."""


class Notices(ABC):
    """Warnings that must be given exactly once (a gap in the roster, an unknown calendar year)."""

    @abstractmethod
    async def once(self, key: str, at: datetime) -> bool:
        """True the first time a key is seen."""


class FollowUps(ABC):
    @abstractmethod
    async def get(self, ticket: str) -> FollowUp | None: ...
    @abstractmethod
    async def save(self, followup: FollowUp) -> None: ...


class Complaints(ABC):
    """Low ratings the managers must answer within a week."""

    @abstractmethod
    async def add(self, ticket: str, rating: int, comment: str | None, at: datetime, due: datetime) -> int: ...
    @abstractmethod
    async def add_comment(self, ticket: str, comment: str) -> None:
        """The reporter's words on an open complaint, for the manager who handles it."""
    @abstractmethod
    async def open(self) -> list[Complaint]:
        """Complaints not handled yet, the most urgent first."""
    @abstractmethod
    async def get(self, complaint_id: int) -> Complaint | None: ...
    @abstractmethod
    async def handled(self, limit: int = 20) -> list[Complaint]:
        """Complaints answered already, the latest answer first (`/complaints all`)."""
    @abstractmethod
    async def handle(self, complaint_id: int, by: int, at: datetime, answer: str) -> bool:
        """Mark one handled with the answer given to the reporter; False if it already was (or does not exist)."""


class CommandMenus(ABC):
    """The chats given a command menu of their own (staff), so a person no longer staff loses theirs."""

    @abstractmethod
    async def chats(self) -> dict[int, str]:
        """chat id → the role whose menu it was given."""
    @abstractmethod
    async def remember(self, chat_id: int, role: str, at: datetime) -> None: ...
    @abstractmethod
    async def forget(self, chat_id: int) -> None: ...


class KnowledgeStore(ABC):
    """Articles written or edited from chat (or imported), and what reporters said of them."""

    @abstractmethod
    async def articles(self) -> list[Article]:
        """Every stored language version."""
    @abstractmethod
    async def save(self, article: Article, by: int | None, at: datetime) -> None:
        """Add or replace one language version."""
    @abstractmethod
    async def record_outcome(self, reporter_id: int, article_id: str, helped: bool, query: str,
                             at: datetime, *, ticket_number: str | None = None) -> bool:
        """A reporter said an article fixed it (a self-resolved request) or did not help; with
        `ticket_number`, the engineer (`reporter_id`) resolved that ticket with the article. False when
        that ticket already has this verdict (a second press changes nothing)."""
    @abstractmethod
    async def outcomes(self) -> list[Outcome]:
        """Every verdict, oldest first: what the matcher learns from."""
    @abstractmethod
    async def removed_evidence(self) -> set[tuple[str, str]]:
        """(article id, query key) of the learned phrasings an engineer removed."""
    @abstractmethod
    async def remove_evidence(self, article_id: str, key: str, by: int, at: datetime) -> None:
        """An engineer removed a learned phrasing; it stays removed."""


class ReportQueries(ABC):
    """Everything about the tickets opened in a period, in a few bulk reads, for the manager's report."""

    @abstractmethod
    async def tickets_opened(self, start: datetime, end: datetime) -> list[Ticket]: ...
    @abstractmethod
    async def logs_of_tickets_opened(self, start: datetime, end: datetime) -> Iterator[tuple[str, list[TicketEvent]]]:
        """(ticket number, its log in order) of each ticket opened in [start, end) that has one, one
        ticket at a time as it is read: a report replays each log into its Facts and keeps those, not
        the year's half a million log lines (110 MiB)."""
    @abstractmethod
    async def followups_of_tickets_opened(self, start: datetime, end: datetime) -> list[FollowUp]: ...
    @abstractmethod
    async def kb_outcomes_between(self, start: datetime, end: datetime) -> list[tuple[datetime, int, str, bool, bool]]:
        """(at, person id, article id, helped, by an engineer) of the knowledge-base verdicts in [start, end)."""
    @abstractmethod
    async def record_delivery(self, period: str, due: datetime, sent: datetime | None) -> None:
        """A monthly report went out (for the punctuality figure); a later record keeps the first send."""
    @abstractmethod
    async def deliveries(self) -> dict[str, tuple[datetime, datetime | None]]:
        """period → (due, sent or None)."""
