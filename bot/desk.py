"""The help desk's service layer: one entry point per kind of input, each one transaction.

The Telegram adapter translates an update into one of these calls and sends the Outcome. The flows
live in their own modules (reporting, kb_chat, duty_chat); DeskSession combines them, so a person
who is both a reporter and an engineer is served by one session.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from bot.config import Config
from bot.domain.clock import Clock
from bot.domain.people import language_from_telegram
from bot.domain.ticket import Happening, happened
from bot.domain.timers import Timer
from bot.duty import Duty
from bot.duty_chat import DutySession
from bot.followup_chat import FollowUpSession
from bot.followups import KINDS as FOLLOWUP_KINDS
from bot.followups import FollowUps
from bot.knowledge_base import KnowledgeBase
from bot.messages import Outcome, Reply, t
from bot.report_chat import ReportSession
from bot.reporting import ReporterSession
from bot.reports import REPORT_KINDS, Reports
from bot.session import Incoming
from storage import Storage

log = logging.getLogger(__name__)

DRAW_ATTEMPTS = 3
"""Tries at drawing a report (the command's and the ticks' after it) before its recipients are told it failed."""


class DeskSession(ReporterSession, DutySession, FollowUpSession, ReportSession):
    """The session every update gets: all flows; duty buttons and commands are routed here first."""

    DUTY_COMMANDS = ("queue", "oncall", "cover", "swap", "holiday", "rotation", "complaints", "report", "export")

    async def on_button(self, data: str) -> None:
        kind, _, rest = data.partition(":")
        number, _, action = rest.partition(":")
        if kind == "t" and action:
            await self.on_ticket_button(number, action)
        elif kind == "f" and action:
            await self.reporter_confirms(number, action)
        elif kind == "u" and action:
            await self.on_followup_button(number, action)
        elif kind == "m" and action:
            await self.on_complaint_button(number, action)
        else:
            await super().on_button(data)

    async def on_command(self, name: str, args: str) -> None:
        if name in self.DUTY_COMMANDS:
            if self.user.awaiting and self.user.awaiting.get("kind") == "resolve":
                self.user = replace(self.user, awaiting=None)
            await getattr(self, f"cmd_{name}")(args)
            return
        await super().on_command(name, args)

    async def answer_awaited(self, text: str) -> None:
        kind = (self.user.awaiting or {}).get("kind")
        if kind == "resolve":
            await self.answer_resolution(text)
            return
        if kind == "followup_comment":
            await self.answer_followup_comment(text)
            return
        await super().answer_awaited(text)


class Desk:
    """The entry points the Telegram adapter (and tests) call, one per kind of input."""

    def __init__(self, storage: Storage, config: Config, clock: Clock, kb: KnowledgeBase | None = None) -> None:
        self.storage = storage
        self.config = config
        self.clock = clock
        self.kb = kb
        self.duty = Duty(config, kb)
        self.followups = FollowUps(config, self.duty)
        self.reports = Reports(config)
        self._drawing: set[int] = set()
        """Report timers being drawn right now (in this process)."""
        self._draw_failures: dict[int, int] = {}
        """Failed attempts to draw a report timer, since this process started."""
        self.stopping = False
        """Set on shutdown: no report is started any more (its order waits in the database)."""
        self.sla_clocks = self.duty.sla_clocks
        self.photo_limit = config.intake.max_photo_mb * 1024 * 1024

    # ---- entry points, one per kind of input ------------------------------------------------
    async def text(self, msg: Incoming, text: str) -> Outcome:
        async with self._session(msg) as s:
            if s.duplicate:
                return s.outcome
            await s.on_text(text)
            return s.outcome

    async def photo(
        self, msg: Incoming, file_id: str, size: int | None, caption: str | None, media_group: str | None
    ) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await s.on_photo(file_id, size, caption, media_group)
            return s.outcome

    async def contact(self, msg: Incoming, phone: str, contact_user_id: int | None) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await s.on_contact(phone, contact_user_id)
            return s.outcome

    async def unsupported(self, msg: Incoming, kind: str) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await s.say(t("unsupported", kind=t(f"kind.{kind}")))
                await s.prompt_if_drafting()
            return s.outcome

    async def edited(self, msg: Incoming) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await s.say(t("edited_ignored"))
            return s.outcome

    async def command(self, msg: Incoming, name: str, args: str) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await s.on_command(name, args.strip())
            return s.outcome

    async def button(self, msg: Incoming, data: str) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await s.on_button(data)
            return s.outcome

    async def in_group(self, msg: Incoming) -> Outcome:
        """Reports are private: a group gets a pointer to the private chat, nothing else."""
        return Outcome(replies=[Reply(msg.chat_id, t("group_only_private"), self._group_lang(msg))])

    async def membership(self, msg: Incoming, blocked: bool) -> Outcome:
        """The user blocked (or unblocked) the bot: stop (or resume) writing to them."""
        async with self._session(msg) as s:
            if not s.duplicate:
                s.user = replace(s.user, blocked=blocked)
            return Outcome(duplicate=s.duplicate)

    async def mark_blocked(self, user_id: int) -> None:
        """A send failed because the user blocked the bot."""
        async with self.storage.transaction() as tx:
            user = await tx.users.get(user_id)
            if user is not None and not user.blocked:
                await tx.users.save(replace(user, blocked=True), self.clock.now())

    def _group_lang(self, msg: Incoming) -> str:
        return language_from_telegram(msg.sender.language_code, self.config.bot.default_language)

    def _session(self, msg: Incoming) -> DeskSession:
        return DeskSession(self, msg)

    async def tick(self, batch: int = 200) -> int:
        """Fire the durable timers that are due; each in its own transaction, claimed before acting."""
        fired = 0
        now = self.clock.now()
        while True:
            async with self.storage.transaction() as tx:
                due = await tx.timers.due(now, batch)
            fired += await self._fire(due, now)
            if len(due) < batch:
                return fired

    async def undeliverable(self, chat_id: int, reply: Reply, reason: str) -> list[int]:
        """A message can never be delivered: note it on its ticket and tell the managers, once per person.

        Returns the chats that got a message about it."""
        now = self.clock.now()
        async with self.storage.transaction() as tx:
            if reply.ticket:
                ticket = await tx.tickets.get(reply.ticket)
                if ticket is not None:
                    ticket, event = happened(ticket, Happening.DELIVERY_FAILED, actor_id=None, at=now,
                                             chat=chat_id, reason=reason)
                    await tx.tickets.update(ticket, [event])
            if reply.ticket and await tx.notices.once(f"undeliverable:{chat_id}", now):
                user = await tx.users.get(chat_id)
                who = f"{user.name} ({chat_id})" if user else str(chat_id)
                for manager in self.duty.managers:
                    if manager != chat_id:
                        await self.duty.tell(tx, manager, t("duty.undeliverable", who=who, number=reply.ticket,
                                                            reason=reason), now)
            return list(tx.outbox.enqueued_chats)

    async def next_due(self) -> datetime | None:
        async with self.storage.transaction() as tx:
            return await tx.timers.next_due()

    async def _fire(self, due: list[Timer], now: datetime) -> int:
        fired = 0
        for timer in due:
            if timer.kind in REPORT_KINDS:
                fired += await self._fire_report(timer, now)
                continue
            async with self.storage.transaction() as tx:
                if timer.id is None or not await tx.timers.finish(timer.id, now):
                    continue  # another tick claimed it first
                if timer.kind in FOLLOWUP_KINDS:
                    await self.followups.fire(tx, timer, now)
                else:
                    await self.duty.fire(tx, timer, now)
                fired += 1
        return fired

    async def reports_ordered(self) -> list[int]:
        """Draw the reports managers asked for that are waiting; the chats they went to.

        Called right after a /report or /export is stored, so the manager need not wait for the next
        tick; a report left undrawn by a crash is drawn by the tick after the restart."""
        now = self.clock.now()
        async with self.storage.transaction() as tx:
            due = [timer for timer in await tx.timers.due(now) if timer.kind == "report"]
        chats = []
        for timer in due:
            if await self._fire_report(timer, now):
                chats.append(int(timer.payload["chat"]))
        return chats

    async def _fire_report(self, timer: Timer, now: datetime) -> int:
        """Draw off the event loop with no lock held, then claim the timer and queue the replies at once.

        A report that fails to draw is tried again by the next ticks; after DRAW_ATTEMPTS failures its
        recipients are told why, once, and it is given up (a restart allows as many attempts again)."""
        if timer.id is None or timer.id in self._drawing or self.stopping:
            return 0  # being drawn already (a tick and a manager's command can meet here), or shutting down
        self._drawing.add(timer.id)
        try:
            if timer.kind == "report":
                recipients = [(int(timer.payload["chat"]), str(timer.payload["lang"]))]
            else:
                async with self.storage.transaction() as tx:
                    recipients = [(m, await self.duty.language_of(tx, m)) for m in self.duty.managers]
            drawn = True
            try:
                replies = await self.reports.prepare(self.storage, timer, recipients, now)
            except Exception as exc:  # whatever broke the drawing, the managers hear of it
                if self.stopping:
                    return 0  # stopped by the shutdown, not a failure
                failures = self._draw_failures[timer.id] = self._draw_failures.get(timer.id, 0) + 1
                log.exception("could not draw report %s (attempt %d of %d)", timer.key, failures, DRAW_ATTEMPTS)
                if failures < DRAW_ATTEMPTS:
                    return 0
                drawn = False
                reason = f"{type(exc).__name__}: {exc}"[:200]
                replies = [Reply(chat, t("report.failed", label=self.reports.label_of(timer), reason=reason), lang)
                           for chat, lang in recipients]
            async with self.storage.transaction() as tx:
                if not await tx.timers.finish(timer.id, now):
                    return 0
                await self.reports.deliver(tx, timer, replies, now, drawn=drawn)
            self._draw_failures.pop(timer.id, None)
            return 1
        finally:
            self._drawing.discard(timer.id)

    async def start_up(self) -> None:
        """Once at start: gaps in the roster and the calendar's coverage are told to the managers."""
        now = self.clock.now()
        async with self.storage.transaction() as tx:
            await self.duty.report_gaps(tx, now)
            await self.duty.check_calendar(tx, now)
            if not await tx.timers.has_pending("monthly_report"):  # a missed push is kept, not doubled
                await self.reports.schedule_monthly(tx, now)
