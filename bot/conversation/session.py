"""One incoming update, handled inside one unit of work.

A Session claims the Telegram update id first (a redelivered update is acted on once), loads the
sender, lets a flow decide, and collects the replies; the unit of work commits when the session ends,
and only then run the in-memory updates that must follow a successful commit (the search index).
Replies are written to the outbox in the same transaction as the change that caused them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from bot.domain.clock import Clock
from bot.domain.people import User, language_from_telegram
from bot.domain.permissions import Act, Role, role_of
from bot.domain.ticket import Ticket, parse_number
from bot.messages import Continues, Outcome, Reply, Text, t
from bot.services.deployment import Deployment
from bot.services.knowledge import KnowledgeBase
from bot.services.reports.orders import Reports
from bot.services.wiring import Services
from storage import Storage, UnitOfWork


@dataclass(frozen=True)
class DeskContext:
    """What every session works with, built once at start (see `bot.conversation.desk.Desk`)."""

    storage: Storage
    deployment: Deployment
    clock: Clock
    kb: KnowledgeBase | None
    reports: Reports
    photo_limit: int
    """The largest photo a report takes, in bytes."""


@dataclass(frozen=True)
class Sender:
    """Who sent an update, as the channel tells it."""

    id: int
    name: str
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class Pressed:
    """The message whose button was pressed, when it can still become the answer to the press: a text
    message (one with a photo cannot be edited into text) that Telegram still lets the bot edit."""

    message_id: int
    text: str


@dataclass(frozen=True)
class Incoming:
    update_id: int | None
    """None for what the bot says of its own accord (a notice about an update not handled yet), which
    claims no update."""
    sender: Sender
    chat_id: int
    thread_id: int | None = None
    """The forum topic it was written in (a ticket's topic in the staff group): answers go there too."""
    pressed: Pressed | None = None
    """For a button press: the pressed message, if the first answer may be said by editing it."""


class Session:
    """One update being handled; the flows read and change `user`, say things, and use `services`."""

    def __init__(self, context: DeskContext, msg: Incoming) -> None:
        self.context = context
        self.msg = msg
        self.deployment = context.deployment
        self.config = context.deployment.config
        self.kb = context.kb
        self.now: datetime = context.clock.now()
        self.outcome = Outcome()
        self.duplicate = False
        self.first_contact = False
        self.after_commit: list[Callable[[], None]] = []
        """In-memory updates (the search index) that must happen only once the change is stored."""
        self._transaction = context.storage.transaction()

    async def __aenter__(self) -> Session:
        self.uow: UnitOfWork = await self._transaction.__aenter__()
        try:
            update_id = self.msg.update_id
            if update_id is not None and not await self.uow.updates.claim(update_id, self.now):
                self.duplicate = True
                self.outcome.duplicate = True
                return self
            self.user = await self._load_user()
            self._original_user = self.user
        except BaseException as exc:
            await self._transaction.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        return self

    async def __aexit__(self, exc_type, exc, tb) -> bool | None:  # type: ignore[no-untyped-def]
        if exc is None and not self.duplicate:
            if self.user != self._original_user:
                await self.uow.users.save(self.user, self.now)
            self.outcome.queued = True
            self.outcome.lang = self.user.language
            self.outcome.chats = tuple(self.uow.outbox.enqueued_chats)
        suppressed = await self._transaction.__aexit__(exc_type, exc, tb)
        if exc is None:
            for action in self.after_commit:
                action()
        return suppressed

    @cached_property
    def services(self) -> Services:
        return Services(self.deployment, self.kb, self.uow)

    async def _load_user(self) -> User:
        sender = self.msg.sender
        user = await self.uow.users.get(sender.id)
        role = self.deployment.role_of(sender.id)
        self.first_contact = user is None
        if user is None:
            user = User(
                id=sender.id,
                name=sender.name,
                username=sender.username,
                language=language_from_telegram(sender.language_code, self.deployment.default_language),
                role=role,
            )
            await self.uow.users.save(user, self.now)
        elif (user.name, user.username, user.role, user.blocked) != (sender.name, sender.username, role, False):
            user = replace(user, name=sender.name, username=sender.username, role=role, blocked=False)
        return user

    # ---- who may ---------------------------------------------------------------------------------
    def role_for(self, ticket: Ticket | None = None) -> Role:
        """This person's role, for `ticket` or in general (see bot.domain.permissions)."""
        return role_of(self.user.role, self.user.id, known=not self.first_contact,
                       reporter_id=ticket.reporter_id if ticket else None,
                       assignee_id=ticket.assignee_id if ticket else None)

    async def ticket_named(self, number: str) -> Ticket | None:
        """The stored ticket a button or a command names; None when the number is malformed or unknown
        (a forged or foreign button)."""
        parsed = parse_number(number)
        return await self.uow.tickets.get(parsed) if parsed else None

    def may(self, act: Act, ticket: Ticket | None = None) -> bool:
        """Whether this person may do `act`, asked without logging a refusal (to choose what to show)."""
        return self.deployment.permissions.allowed(act, self.role_for(ticket))

    def refused(self, act: Act, ticket: Ticket | None = None) -> str | None:
        """The reason `act` is refused to this person (logged), or None when it is allowed."""
        return self.deployment.permissions.refusal(act, self.role_for(ticket), self.user.id,
                                                   ticket.number if ticket else "")

    # ---- awaiting a typed answer -------------------------------------------------------------------
    @property
    def awaiting(self) -> dict[str, Any]:
        """The free-text answer the bot asked this person for (empty: none)."""
        return self.user.awaiting or {}

    def await_answer(self, awaiting: dict[str, Any] | None) -> None:
        self.user = replace(self.user, awaiting=awaiting)

    # ---- replies ----------------------------------------------------------------------------------
    async def say(self, text: Text, **extra: object) -> None:
        """Answer the sender. The reply is stored with the change that caused it, in this transaction:
        a crash after the commit cannot lose it (the courier sends it after a restart), and messages
        keep the order they were said in, notifications to the same person included."""
        if self.msg.thread_id is not None and "topic" not in extra:
            extra.setdefault("thread_id", self.msg.thread_id)
        reply = Reply(self.msg.chat_id, text, self.user.language, **extra)  # type: ignore[arg-type]
        reply = self._fold(reply)
        await self.uow.outbox.enqueue(reply, self.now)
        self.outcome.replies.append(reply)

    def _fold(self, reply: Reply) -> Reply:
        """The first answer to a taken button press is said in the pressed message itself (it states the
        answer above the next question): one call to Telegram instead of marking the choice and then
        sending. Only once, only for what an edit can show, and not when the press replaces the message
        with something else (a ticket card)."""
        pressed, chosen = self.msg.pressed, self.outcome.chosen
        if (chosen is None or self.outcome.folded or self.outcome.replace_pressed is not None
                or reply.thread_id != self.msg.thread_id):
            return reply
        if reply.plain and pressed is not None:
            self.outcome.folded = True
            return replace(reply, continues=Continues(pressed.message_id, pressed.text, chosen))
        if replace(reply, options=(), request_contact=None).plain:
            # the pressed message cannot be edited (a photo, too old), or a reply keyboard ("share my
            # number") must come with a new message: that message states the answer, and the pressed
            # question keeps its buttons (pressed again, they say it was answered), saving a second call
            self.outcome.folded = True
            return replace(reply, text=t("then", first=t("answered", chosen=chosen), second=reply.text))
        return reply

    def refuse(self, text: Text) -> None:
        """A button press that is not taken: tell why, as an alert, and change nothing."""
        self.outcome.answer = text
        self.outcome.alert = True

    def chose(self, label: Text | None) -> None:
        """A button press that was taken: its label replaces the question's buttons."""
        self.outcome.chosen = label
