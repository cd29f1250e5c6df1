"""The follow-up loop after a repair: schedule, send (never in quiet hours), remind once, expire.

Runs inside the caller's transaction like the duty service; messages go through the outbox.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.config import Config
from bot.domain import followup as fu
from bot.domain.followup import FollowUp, FollowUpState
from bot.domain.ticket import Action, Status, Ticket, transition
from bot.domain.timers import Timer
from bot.duty import Duty
from bot.messages import Button, Text, t, verbatim
from storage import UnitOfWork

COMPLAINT_WINDOW = timedelta(days=7)
KINDS = ("confirm_timeout", "followup_send", "followup_remind", "followup_expire")


class FollowUps:
    def __init__(self, config: Config, duty: Duty) -> None:
        self.config = config
        self.duty = duty
        self.section = config.followup

    def quiet(self, at: datetime) -> datetime:
        return fu.outside_quiet_hours(at, self.section.quiet_hours, self.config.tz)

    async def after_resolve(self, tx: UnitOfWork, ticket: Ticket, now: datetime) -> None:
        """Wait for the reporter's "fixed?"; without an answer the follow-up is scheduled anyway."""
        await tx.timers.schedule(Timer("confirm_timeout", now + self.section.confirm_wait, ticket.number, {},
                                key=f"confirm:{ticket.number}:{now.isoformat()}"))

    async def schedule(self, tx: UnitOfWork, ticket: Ticket, now: datetime) -> FollowUp:
        existing = await tx.followups.get(ticket.number)
        if existing is not None and existing.state is FollowUpState.SCHEDULED:
            return existing
        followup = fu.schedule(ticket.number, ticket.reporter_id, ticket.resolved_at or now, self.section.delay,
                               self.section.quiet_hours, self.config.tz)
        await tx.followups.save(followup)
        await tx.timers.cancel(ticket.number, ["confirm_timeout"], now)
        await tx.timers.schedule(Timer("followup_send", followup.due_at, ticket.number, {},
                                key=f"followup:{ticket.number}:{followup.due_at.isoformat()}"))
        return followup

    async def fire(self, tx: UnitOfWork, timer: Timer, now: datetime) -> None:
        ticket = await tx.tickets.get(timer.ticket) if timer.ticket else None
        if ticket is None:
            return
        if timer.kind == "confirm_timeout":
            if ticket.status is Status.RESOLVED and await tx.followups.get(ticket.number) is None:
                await self.schedule(tx, ticket, now)
            return
        followup = await tx.followups.get(ticket.number)
        if followup is None:
            return
        if timer.kind == "followup_send":
            await self.send(tx, ticket, followup, now)
        elif timer.kind == "followup_remind" and followup.state is FollowUpState.SENT:
            await tx.followups.save(replace(followup, reminded_at=now))
            await self.ask(tx, ticket, now, reminder=True)
        elif timer.kind == "followup_expire":
            expired = fu.expire(followup, now)
            if expired is not None:
                await tx.followups.save(expired)
                await self.close(tx, ticket, now, reason="followup_expired")

    async def send(self, tx: UnitOfWork, ticket: Ticket, followup: FollowUp, now: datetime) -> None:
        if followup.state is not FollowUpState.SCHEDULED or ticket.status is not Status.RESOLVED:
            return  # reopened, cancelled or already sent meanwhile
        if self.quiet(now) > now:  # a restart after a long stop must not wake people at night
            await tx.timers.schedule(Timer("followup_send", self.quiet(now), ticket.number, {},
                                    key=f"followup:{ticket.number}:{self.quiet(now).isoformat()}"))
            return
        followup = fu.sent(followup, now, self.section.expire)
        await tx.followups.save(followup)
        await self.ask(tx, ticket, now)
        remind = self.quiet(now + self.section.reminder)
        if remind < followup.expires_at:  # type: ignore[operator]
            await tx.timers.schedule(Timer("followup_remind", remind, ticket.number, {}, key=f"remind:{ticket.number}"))
        await tx.timers.schedule(Timer("followup_expire", followup.expires_at, ticket.number, {},  # type: ignore[arg-type]
                                key=f"expire:{ticket.number}"))

    async def ask(self, tx: UnitOfWork, ticket: Ticket, now: datetime, *, reminder: bool = False) -> None:
        asset = await tx.assets.get(ticket.asset_no) if ticket.asset_no else None
        device: Text = verbatim(asset.label) if asset else t(f"device.{ticket.device_type or 'other'}")
        text = t("followup.question", number=ticket.number, device=device,
                 engineer=self.duty.engineer_name(ticket.assignee_id), date=ticket.resolved_at,
                 reminder=t("followup.reminder") if reminder else None)
        n = ticket.number
        await self.duty.tell(tx, ticket.reporter_id, text, now, buttons=(
            (Button(t("btn.still_working"), f"u:{n}:working"),),
            (Button(t("btn.same_fault"), f"u:{n}:same_fault"),),
            (Button(t("btn.other_problem"), f"u:{n}:other_problem"),),
        ))

    async def close(self, tx: UnitOfWork, ticket: Ticket, now: datetime, **data: object) -> Ticket:
        if ticket.status is not Status.RESOLVED:
            return ticket
        closed, event = transition(ticket, Action.CLOSE, actor_id=None, at=now, **data)
        await tx.tickets.update(closed, [event])
        return closed

    async def complaint(self, tx: UnitOfWork, ticket: Ticket, rating: int, comment: str | None,
                        now: datetime) -> None:
        due = now + COMPLAINT_WINDOW
        complaint_id = await tx.complaints.add(ticket.number, rating, comment, now, due)
        text = t("followup.complaint", number=ticket.number, rating=rating, comment=comment, due=due,
                 engineer=self.duty.engineer_name(ticket.assignee_id))
        for manager in self.duty.managers:
            await self.duty.tell(tx, manager, text, now, buttons=(
                (Button(t("btn.complaint_handled"), f"m:{complaint_id}:handled"),),))
