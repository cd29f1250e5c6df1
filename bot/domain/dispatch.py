"""Dispatch (派单) and escalation as decisions: who gets the ticket's card, and what the log records.

Pure functions of the ticket, the roster and the instant. Each returns the changed ticket, the audit
events that explain the change and the people to reach; the service then saves the ticket with all
its events in one write and sends the cards. A dispatch records its assignment and the ping of the
engineer on duty; an escalation step records every card it pushes and the step itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.candidates import backup_for, candidates
from bot.domain.escalation import EscalationStep
from bot.domain.roster import DutyRoster, on_duty
from bot.domain.ticket import Action, Happening, Status, Ticket, TicketEvent, happened, transition

WAITING = frozenset({Status.NEW, Status.ASSIGNED, Status.REOPENED})
"""States in which a ticket still waits for an engineer to accept it."""


@dataclass(frozen=True)
class Decision:
    """A ticket after a dispatch or an escalation step, what to log, and whom to reach."""

    ticket: Ticket
    events: tuple[TicketEvent, ...]
    cards: tuple[int, ...] = ()
    """Engineers who get the ticket's card, in this order."""
    managers: bool = False
    """The managers hear of it (nobody on duty, or the chain reached them)."""


def dispatch(ticket: Ticket, roster: DutyRoster, now: datetime, *, urgent: bool = False) -> Decision:
    """Give a new (or reopened) ticket to the engineer on duty, or to the best candidate for its
    device and site when the one on duty cannot take it; nobody on duty is for the managers."""
    shift = on_duty(roster, now)
    if shift is None:
        ticket, event = happened(ticket, Happening.NOBODY_ON_DUTY, actor_id=None, at=now)
        return Decision(ticket, (event,), managers=True)
    offered = candidates(roster, now, ticket.device_type, ticket.site)
    assignee = shift.engineer_id if shift.engineer_id in offered else offered[0]
    ticket, assigned = transition(ticket, Action.ASSIGN, actor_id=None, at=now, assignee=assignee,
                                  rotation=shift.rotation, urgent=urgent)
    ticket, pinged = happened(ticket, Happening.PINGED, actor_id=None, at=now, engineer=assignee)
    return Decision(ticket, (assigned, pinged), cards=(assignee,))


def hand_over(ticket: Ticket, engineer_id: int, by: int, now: datetime) -> Decision:
    """The assignee (or a manager) gives the ticket to another engineer, who gets its card."""
    ticket, assigned = transition(ticket, Action.ASSIGN, actor_id=by, at=now, assignee=engineer_id,
                                  handed_over_by=by)
    ticket, pinged = happened(ticket, Happening.PINGED, actor_id=None, at=now, engineer=engineer_id)
    return Decision(ticket, (assigned, pinged), cards=(engineer_id,))


def escalation_step(ticket: Ticket, roster: DutyRoster, step: EscalationStep, index: int, now: datetime, *,
                    managers: Sequence[int], declined_by: int | None = None) -> Decision | None:
    """One step of the chain, or None when somebody accepted meanwhile (the race is decided here).

    "assignee" re-pings the assignee; "backup" re-pings the assignee and pings the backup (the
    roster's backup for the shift, else the next candidate); "tier2" pings every second-line expert;
    "managers" tells the managers — and so does any step that reached nobody. An engineer who just
    declined is never pinged again by it."""
    if ticket.status not in WAITING:
        return None
    cards: list[int] = []
    if step.notify in ("backup", "assignee") and ticket.assignee_id and ticket.assignee_id != declined_by:
        cards.append(ticket.assignee_id)
    if step.notify == "backup":
        shift = on_duty(roster, now)
        backup = backup_for(roster, now, shift) if shift else None
        if backup is None:
            offered = candidates(roster, now, ticket.device_type, ticket.site)
            backup = next((e for e in offered if e not in (ticket.assignee_id, declined_by)), None)
        if backup is not None and backup not in cards and backup != declined_by:
            cards.append(backup)
    if step.notify == "tier2":
        cards += [e.id for e in roster.engineers.values()
                  if e.tier == 2 and e.id not in cards and e.id != declined_by]
    tell_managers = step.notify == "managers" or not cards
    events: list[TicketEvent] = []
    for engineer in cards:
        ticket, pinged = happened(ticket, Happening.PINGED, actor_id=None, at=now, engineer=engineer)
        events.append(pinged)
    notified = [*cards, *(managers if tell_managers else ())]
    ticket, escalated = happened(ticket, Happening.ESCALATED, actor_id=declined_by, at=now, step=index,
                                 notify=step.notify, notified=notified)
    return Decision(ticket, (*events, escalated), cards=tuple(cards), managers=tell_managers)


def offered_to(engineer_id: int, ticket: Ticket, events: Sequence[TicketEvent]) -> bool:
    """Was the ticket offered to this engineer since it was last dispatched, without their saying
    "can't take" since? Only they may decline it, and once per offer."""
    if ticket.status not in WAITING:
        return False
    last = max((i for i, e in enumerate(events) if e.kind in ("assign", "reopen")), default=-1)
    offered = ticket.assignee_id == engineer_id
    for event in events[last + 1:]:
        if event.kind == Happening.PINGED.value and event.data.get("engineer") == engineer_id:
            offered = True
        elif event.kind == Happening.DECLINED.value and event.actor_id == engineer_id:
            offered = False
    return offered


def decline(ticket: Ticket, roster: DutyRoster, step: EscalationStep | None, index: int, now: datetime, *,
            by: int, reason: str, managers: Sequence[int]) -> Decision:
    """"Can't take", with the reason: the chain's next step runs at once, and if the one declining had
    the ticket, it moves to the first engineer that step reaches (it leaves their queue). With nobody
    to reach, the managers are told and the ticket waits for them."""
    ticket, declined = happened(ticket, Happening.DECLINED, actor_id=by, at=now, reason=reason)
    fallback = EscalationStep(after=timedelta(0), notify="backup")  # a chain without steps still moves on
    decision = escalation_step(ticket, roster, step or fallback, index, now, managers=managers, declined_by=by)
    if decision is None:
        return Decision(ticket, (declined,))
    moved, events = decision.ticket, (declined, *decision.events)
    if ticket.assignee_id == by and decision.cards:
        moved, assigned = transition(moved, Action.ASSIGN, actor_id=None, at=now, assignee=decision.cards[0],
                                     declined_by=by)
        events = (*events, assigned)
    return Decision(moved, events, decision.cards, decision.managers)


def steps_taken(ticket: Ticket, events: list[TicketEvent]) -> tuple[int, datetime]:
    """Where the chain stands: steps taken since the latest dispatch, and when that dispatch was."""
    last_assign = max((i for i, e in enumerate(events) if e.kind in ("assign", "reopen")), default=-1)
    since = events[last_assign].at if last_assign >= 0 else ticket.opened_at
    taken = sum(1 for e in events[last_assign + 1:] if e.kind == Happening.ESCALATED.value)
    return taken, since
