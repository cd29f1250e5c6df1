"""What a ticket's audit log says about each promise: visits, reopens, pauses, and whether each
milestone (respond, on site, resolve) was met, missed, still pending or exempt.

The log is replayed once per ticket (`facts_of`); the deadline a milestone is judged by is the
ticket's own rule (`Ticket.deadline`: only the pauses before the milestone was reached count), over the
log's pauses, so the figures can be re-done from an export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.followup import Answer, FollowUp
from bot.domain.sla import Pause, SlaClock, paused_within
from bot.domain.ticket import Status, Ticket, TicketEvent

MILESTONES: tuple[str, ...] = ("respond", "onsite", "resolve")


@dataclass(frozen=True)
class Due:
    """A ticket's next unmet milestone and its deadline (pauses counted)."""

    milestone: str
    at: datetime


def next_due(ticket: Ticket, now: datetime, clocks: Mapping[str, SlaClock]) -> Due | None:
    """The first promised milestone not reached yet, as `/queue` and `/open` order tickets; None:
    nothing is owed."""
    for milestone in MILESTONES:
        deadline = ticket.deadline(milestone, now, clocks=clocks)
        if deadline and ticket.reached(milestone) is None:
            return Due(milestone, deadline)
    return None


class MilestoneOutcome(StrEnum):
    MET = "met"
    MISSED = "missed"
    PENDING = "pending"
    """The deadline has not passed and the milestone is not reached yet."""
    EXEMPT = "exempt"
    """Not counted: the ticket was cancelled, or it was resolved remotely before the on-site deadline."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the audit log says about one ticket, beyond its current fields."""

    arrivals: int
    reopens: int
    resolves: tuple[datetime, ...]
    second_trip: bool
    """The fix needed the engineer to come back: a wait for a part, or a spare machine lent."""
    part_on_first_visit: bool
    pauses: tuple[Pause, ...]
    logged: bool
    """The log had lines for this ticket. Without them (or where they are missing) the ticket's own
    fields are the evidence: its arrival counts as one visit, its resolved_at as one resolution."""


_PART_WAIT = frozenset({"need_part", "spare_lent"})


def facts_of(ticket: Ticket, events: Sequence[TicketEvent]) -> Facts:
    """Replay one ticket's log: visits, reopens, resolutions and the SLA pauses as intervals.

    A pause starts at "paused" (unless already paused) and ends at "resumed" or "resolve", as
    :func:`bot.domain.ticket.happened` and :func:`~bot.domain.ticket.transition` apply them."""
    ordered = sorted(events, key=lambda e: e.at)
    arrivals = reopens = 0
    resolves: list[datetime] = []
    pauses: list[Pause] = []
    second_trip = part_on_first_visit = False
    since: datetime | None = None
    for event in ordered:
        kind = event.kind
        if kind == "arrive":
            arrivals += 1
        elif kind == "reopen":
            reopens += 1
        elif kind == "resolve":
            resolves.append(event.at)
        if kind in _PART_WAIT or (kind == "paused" and event.data.get("reason") == "part"):
            second_trip = True
            part_on_first_visit = part_on_first_visit or arrivals <= 1
        if kind == "paused" and since is None:
            since = event.at
        elif kind in ("resumed", "resolve") and since is not None:
            pauses.append((since, event.at))
            since = None
    if since is not None:
        pauses.append((since, None))
    if ticket.arrived_at is not None and arrivals == 0:
        arrivals = 1  # a partial log must not hide a visit the ticket itself records
    if ticket.resolved_at is not None and ticket.resolved_at not in resolves:
        resolves.append(ticket.resolved_at)
    return Facts(arrivals, reopens, tuple(resolves), second_trip, part_on_first_visit, tuple(pauses), bool(ordered))


def pauses_of(ticket: Ticket, facts: Facts) -> tuple[Pause, ...]:
    """The SLA pauses a report counts: the audit log's, so the figures can be re-done from an export.

    When the log has no pause lines (an import, a partial log) the ticket's own intervals are used
    instead: they are the only evidence there is."""
    return facts.pauses or ticket.pauses


def paused_before(ticket: Ticket, facts: Facts, until: datetime) -> timedelta:
    """How long the SLA clock stood still before `until` (see :func:`pauses_of`)."""
    return paused_within(pauses_of(ticket, facts), until)


def effective_deadline(ticket: Ticket, milestone: str, facts: Facts, now: datetime,
                       clocks: Mapping[str, SlaClock]) -> datetime | None:
    """The ticket's deadline by the one rule (:meth:`Ticket.deadline`: the pauses before the milestone
    was reached, or before `now` while it is not, on the ticket's clock), over the pauses of
    :func:`pauses_of`."""
    return ticket.deadline(milestone, now, clocks=clocks, pauses=pauses_of(ticket, facts))


def milestone_outcome(ticket: Ticket, milestone: str, facts: Facts, now: datetime,
                      clocks: Mapping[str, SlaClock]) -> MilestoneOutcome | None:
    """Met (reached by the deadline, inclusive), missed, pending or exempt for one milestone; None when
    nothing was promised for it. A milestone reached after `now` counts as not reached yet."""
    deadline = effective_deadline(ticket, milestone, facts, now, clocks)
    if deadline is None:
        return None
    if ticket.status is Status.CANCELLED:
        return MilestoneOutcome.EXEMPT
    reached = ticket.reached(milestone)
    if reached is not None and reached <= now:
        return MilestoneOutcome.MET if reached <= deadline else MilestoneOutcome.MISSED
    if milestone == "onsite" and ticket.resolved_at is not None and ticket.resolved_at <= deadline:
        return MilestoneOutcome.EXEMPT  # fixed remotely in time: nobody had to come
    return MilestoneOutcome.MISSED if now > deadline else MilestoneOutcome.PENDING


def is_resolved(ticket: Ticket, facts: Facts) -> bool:
    """Resolved now: RESOLVED or CLOSED with a resolution on record (resolved_at or a resolve line)."""
    return ticket.status in (Status.RESOLVED, Status.CLOSED) and (
        ticket.resolved_at is not None or bool(facts.resolves)
    )


def repair_held(facts: Facts, followup: FollowUp | None) -> bool:
    """False when the follow-up reported the same fault and no resolution came after that answer."""
    if followup is None or followup.answer is not Answer.SAME_FAULT:
        return True
    answered = followup.answered_at
    return answered is not None and any(at > answered for at in facts.resolves)


def approximate_years(ticket: Ticket, clocks: Mapping[str, SlaClock]) -> list[int]:
    """The years a 5×8 ticket's deadlines run through whose official calendar is not loaded: its
    deadlines there were counted with computed holidays and no swapped working days, so they are
    approximate (load the year with `helpdesk calendar import`). Empty on the 24×7 clock."""
    clock = clocks.get(ticket.sla.clock)
    calendar = getattr(clock, "calendar", None)
    if calendar is None:
        return []
    tz = getattr(clock, "tz", None)
    last = max((d for d in ticket.sla.deadlines.as_dict().values() if d is not None), default=ticket.opened_at)
    return calendar.unknown_years(ticket.opened_at.astimezone(tz).date(), last.astimezone(tz).date())
