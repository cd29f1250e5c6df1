"""Watching a ticket's deadlines: warnings before a breach, the breach itself, the spare machine's return.

A new ticket gets a durable timer per checkpoint (a warning at 80% of each deadline's span, the
breach at the deadline); when one fires it checks the ticket as it is then — a milestone reached or
a ticket closed meanwhile ends the matter, and a pause that moved the deadline re-arms the breach
check for the new deadline. On a 5×8 ticket (not P1) a checkpoint that falls due while the desk is
closed waits for it to open. A spare machine lent (备机) means the faulty unit is due back within 7
working days; the engineer and the managers are reminded the day before.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot.domain.escalation import checkpoints, quiet_until
from bot.domain.ticket import Happening, Status, Ticket, happened
from bot.domain.timers import Timer, TimerKind
from bot.messages import t
from bot.services.console import console_buttons
from bot.services.deployment import Deployment
from bot.services.notify import Notifier
from storage.ports import Tickets, Timers

SPARE_DAYS = 7
"""domain.md: a unit that cannot be fixed on site comes back within 7 working days."""


class Deadlines:
    def __init__(self, deployment: Deployment, tickets: Tickets, timers: Timers, notify: Notifier) -> None:
        self.deployment = deployment
        self.tickets = tickets
        self.timers = timers
        self.notify = notify

    async def watch(self, ticket: Ticket) -> None:
        """Arm the checkpoints of a newly dispatched ticket."""
        warning_at = self.deployment.config.escalation.sla_warning_at
        for point in checkpoints(ticket.opened_at, ticket.sla.deadlines.as_dict(), warning_at):
            await self.timers.schedule(Timer(
                TimerKind.CHECKPOINT, point.due, ticket.number, {"milestone": point.milestone, "kind": point.kind},
                key=f"checkpoint:{ticket.number}:{point.milestone}:{point.kind}"))

    async def on_checkpoint(self, timer: Timer, now: datetime) -> None:
        ticket = await self.tickets.get(timer.ticket) if timer.ticket else None
        if ticket is None:
            return
        milestone, kind = timer.payload["milestone"], timer.payload["kind"]
        if ticket.status in (Status.CANCELLED, Status.RESOLVED, Status.CLOSED) or ticket.reached(milestone):
            return
        deadline = ticket.deadline(milestone, now, clocks=self.deployment.sla_clocks)
        if deadline is None:
            return
        wait = quiet_until(ticket, now, self.deployment.sla_clocks)
        if wait is not None:  # a 5×8 ticket's warning waits for the desk to open
            await self.timers.schedule(replace(timer, id=None, due_at=wait, key=f"{timer.key}:at:{wait.isoformat()}"))
            return
        if kind == "breach" and deadline > now:  # a pause moved the deadline: check again then
            await self.timers.schedule(Timer(
                TimerKind.CHECKPOINT, deadline, ticket.number, timer.payload,
                key=f"checkpoint:{ticket.number}:{milestone}:breach:{deadline.isoformat()}"))
            return
        ticket, event = happened(ticket, Happening.WARNED if kind == "warn" else Happening.BREACHED,
                                 actor_id=None, at=now, milestone=milestone)
        await self.tickets.update(ticket, [event])
        text = t(f"duty.{kind}", number=ticket.number, milestone=t(f"milestone.{milestone}"), deadline=deadline)
        if kind == "breach":
            await self.notify.tell_managers(text, now, buttons=console_buttons(ticket))
        if ticket.assignee_id:
            await self.notify.tell(ticket.assignee_id, text, now)

    # ---- the spare machine -----------------------------------------------------------------------
    def spare_due_date(self, today: date) -> date:
        """7 working days from today, by the holiday calendar."""
        day, counted = today, 0
        while counted < SPARE_DAYS:
            day += timedelta(days=1)
            if self.deployment.base_roster.calendar.is_working_day(day):
                counted += 1
        return day

    async def remind_spare(self, ticket: Ticket, due: date) -> None:
        """The reminder at 09:00 the day before the unit is due back."""
        at = datetime.combine(due - timedelta(days=1), time(9), tzinfo=self.deployment.tz)
        await self.timers.schedule(Timer(TimerKind.SPARE_DUE, at, ticket.number, {"due": due.isoformat()},
                                         key=f"spare:{ticket.number}:{due.isoformat()}"))

    async def on_spare_due(self, timer: Timer, now: datetime) -> None:
        ticket = await self.tickets.get(timer.ticket) if timer.ticket else None
        if ticket is None or ticket.spare_due is None:
            return
        text = t("duty.spare_due", number=ticket.number, due=ticket.spare_due.isoformat())
        if ticket.assignee_id:
            await self.notify.tell(ticket.assignee_id, text, now)
        await self.notify.tell_managers(text, now)
