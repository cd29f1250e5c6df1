"""The follow-up loop after a repair (回访): schedule, send (never in quiet hours), remind once, expire;
and the complaints a low rating raises.

A repair counts as good only if the device runs 72 hours without the same fault, so the reporter is
asked then: still working (and how satisfied), the same fault again (the ticket reopens and goes
back to the engineer on duty at once), or another problem (a new report). Messages go through the
outbox like every other.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.callbacks import ComplaintAction, FollowUpAnswer
from bot.domain import followup as fu
from bot.domain.followup import Complaint, FollowUp, FollowUpState
from bot.domain.ticket import Action, Happening, Status, Ticket, happened, transition
from bot.domain.timers import Timer, TimerKind
from bot.messages import Button, Text, t, verbatim
from bot.services.deployment import Deployment
from bot.services.notify import Notifier
from storage.ports import Assets, Complaints, FollowUps, Tickets, Timers

COMPLAINT_WINDOW = timedelta(days=7)
"""domain.md: a complaint is answered within a week."""


class FollowUpDesk:
    def __init__(self, deployment: Deployment, tickets: Tickets, followups: FollowUps, complaints: Complaints,
                 assets: Assets, timers: Timers, notify: Notifier) -> None:
        self.deployment = deployment
        self.section = deployment.config.followup
        self.tickets = tickets
        self.followups = followups
        self.complaints = complaints
        self.assets = assets
        self.timers = timers
        self.notify = notify

    def _after_quiet(self, at: datetime) -> datetime:
        return fu.outside_quiet_hours(at, self.section.quiet_hours, self.deployment.tz)

    async def after_resolve(self, ticket: Ticket, now: datetime) -> None:
        """Wait for the reporter's "fixed?"; without an answer the follow-up is scheduled anyway."""
        await self.timers.schedule(Timer(TimerKind.CONFIRM_TIMEOUT, now + self.section.confirm_wait, ticket.number,
                                         {}, key=f"confirm:{ticket.number}:{now.isoformat()}"))

    async def schedule(self, ticket: Ticket, now: datetime) -> FollowUp:
        existing = await self.followups.get(ticket.number)
        if existing is not None and existing.state is FollowUpState.SCHEDULED:
            return existing
        followup = fu.schedule(ticket.number, ticket.reporter_id, ticket.resolved_at or now, self.section.delay,
                               self.section.quiet_hours, self.deployment.tz)
        await self.followups.save(followup)
        await self.timers.cancel(ticket.number, [TimerKind.CONFIRM_TIMEOUT], now)
        await self.timers.schedule(Timer(TimerKind.FOLLOWUP_SEND, followup.due_at, ticket.number, {},
                                         key=f"followup:{ticket.number}:{followup.due_at.isoformat()}"))
        return followup

    # ---- the timers ---------------------------------------------------------------------------------
    async def on_confirm_timeout(self, timer: Timer, now: datetime) -> None:
        ticket = await self._ticket(timer)
        if ticket is not None and ticket.status is Status.RESOLVED and await self.followups.get(ticket.number) is None:
            await self.schedule(ticket, now)

    async def on_send(self, timer: Timer, now: datetime) -> None:
        ticket = await self._ticket(timer)
        followup = await self.followups.get(ticket.number) if ticket else None
        if ticket is None or followup is None:
            return
        if followup.state is not FollowUpState.SCHEDULED or ticket.status is not Status.RESOLVED:
            return  # reopened, cancelled or already sent meanwhile
        morning = self._after_quiet(now)
        if morning > now:  # a restart after a long stop must not wake people at night
            await self.timers.schedule(Timer(TimerKind.FOLLOWUP_SEND, morning, ticket.number, {},
                                             key=f"followup:{ticket.number}:{morning.isoformat()}"))
            return
        followup = fu.sent(followup, now, self.section.expire)
        await self.followups.save(followup)
        await self.ask(ticket, now)
        remind = self._after_quiet(now + self.section.reminder)
        if remind < followup.expires_at:  # type: ignore[operator]
            await self.timers.schedule(Timer(TimerKind.FOLLOWUP_REMIND, remind, ticket.number, {},
                                             key=f"remind:{ticket.number}"))
        await self.timers.schedule(Timer(TimerKind.FOLLOWUP_EXPIRE, followup.expires_at,  # type: ignore[arg-type]
                                         ticket.number, {}, key=f"expire:{ticket.number}"))

    async def on_remind(self, timer: Timer, now: datetime) -> None:
        ticket = await self._ticket(timer)
        followup = await self.followups.get(ticket.number) if ticket else None
        if ticket is not None and followup is not None and followup.state is FollowUpState.SENT:
            await self.followups.save(replace(followup, reminded_at=now))
            await self.ask(ticket, now, reminder=True)

    async def on_expire(self, timer: Timer, now: datetime) -> None:
        ticket = await self._ticket(timer)
        followup = await self.followups.get(ticket.number) if ticket else None
        expired = fu.expire(followup, now) if followup is not None else None
        if ticket is not None and expired is not None:
            await self.followups.save(expired)
            await self.close(ticket, now, reason="followup_expired")

    async def _ticket(self, timer: Timer) -> Ticket | None:
        return await self.tickets.get(timer.ticket) if timer.ticket else None

    # ---- asking and closing ---------------------------------------------------------------------------
    async def ask(self, ticket: Ticket, now: datetime, *, reminder: bool = False) -> None:
        asset = await self.assets.get(ticket.asset_no) if ticket.asset_no else None
        device: Text = verbatim(asset.label) if asset else t(f"device.{ticket.device_type or 'other'}")
        text = t("followup.question", number=ticket.number, device=device,
                 engineer=self.deployment.engineer_name(ticket.assignee_id), date=ticket.resolved_at,
                 reminder=t("followup.reminder") if reminder else None)
        n = ticket.number
        await self.notify.tell(ticket.reporter_id, text, now, buttons=(
            (Button(t("btn.still_working"), FollowUpAnswer(n, "working").pack()),),
            (Button(t("btn.same_fault"), FollowUpAnswer(n, "same_fault").pack()),),
            (Button(t("btn.other_problem"), FollowUpAnswer(n, "other_problem").pack()),),
        ))

    async def close(self, ticket: Ticket, now: datetime, **data: object) -> Ticket:
        """The repair is done with: closed (by a rating, an expired survey or another problem)."""
        if ticket.status is not Status.RESOLVED:
            return ticket
        closed, event = transition(ticket, Action.CLOSE, actor_id=None, at=now, **data)
        await self.tickets.update(closed, [event])
        return closed

    async def complaint(self, ticket: Ticket, rating: int, comment: str | None, now: datetime) -> None:
        """A low rating: the managers must answer within a week."""
        due = now + COMPLAINT_WINDOW
        complaint_id = await self.complaints.add(ticket.number, rating, comment, now, due)
        text = t("followup.complaint", number=ticket.number, rating=rating, comment=comment, due=due,
                 engineer=self.deployment.engineer_name(ticket.assignee_id))
        await self.notify.tell_managers(text, now, buttons=(
            (Button(t("btn.complaint_handled"), ComplaintAction(complaint_id, "handled").pack()),),))

    async def has_open_complaint(self, number: str) -> bool:
        return any(c.ticket == number for c in await self.complaints.open())

    async def answer_complaint(self, complaint_id: int, manager_id: int, answer: str,
                               now: datetime) -> Complaint | None:
        """A complaint is handled by answering the reporter (domain.md: in writing, within a week): the
        answer is kept with the complaint and on the ticket's history, the reporter reads it in their
        language, and the other managers learn it is done, so nobody answers twice. None: handled already."""
        complaint = await self.complaints.get(complaint_id)
        if complaint is None or not await self.complaints.handle(complaint_id, manager_id, now, answer):
            return None
        manager = self.manager_name(manager_id)
        ticket = await self.tickets.get(complaint.ticket)
        if ticket is not None:
            noted, event = happened(ticket, Happening.COMPLAINT_ANSWERED, actor_id=manager_id, at=now,
                                    complaint=complaint_id, rating=complaint.rating, answer=answer)
            await self.tickets.update(noted, [event])
            await self.notify.tell_reporter(ticket.reporter_id, ticket.number, t(
                "roles.complaint.answered_to_reporter", number=ticket.number, manager=manager, answer=answer), now)
        await self.notify.tell_managers(t("roles.complaint.answered_to_managers", number=complaint.ticket,
                                          manager=manager, answer=answer), now, except_for=manager_id)
        return replace(complaint, handled_at=now, handled_by=manager_id, answer=answer)

    def manager_name(self, manager_id: int | None) -> str:
        """How a manager is named to others: the configured name, else the id."""
        return next((m.name for m in self.deployment.config.managers if m.id == manager_id), str(manager_id))
