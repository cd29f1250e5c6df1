"""The ticket (work order, 工单) and its lifecycle as an explicit state machine.

Every change goes through :func:`transition`, which refuses an illegal move with a reason and hands
back the audit event to store beside the new ticket, so the log can never miss a change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.severity import Severity
from bot.domain.sla import ROUND_THE_CLOCK, Pause, SlaClock, SlaTerms, deadline_after_pauses


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    ON_SITE = "on_site"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    CANCELLED = "cancelled"


class Action(StrEnum):
    ASSIGN = "assign"
    ACCEPT = "accept"
    ARRIVE = "arrive"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    CANCEL = "cancel"


class Happening(StrEnum):
    """Things that happen to a ticket without changing its state; they go to the audit log too."""

    PINGED = "pinged"
    DECLINED = "declined"
    ESCALATED = "escalated"
    ON_THE_WAY = "on_the_way"
    NEED_PART = "need_part"
    PAUSED = "paused"
    RESUMED = "resumed"
    SPARE_LENT = "spare_lent"
    SPARE_RETURNED = "spare_returned"
    WARNED = "warned"
    BREACHED = "breached"
    NOBODY_ON_DUTY = "nobody_on_duty"
    REPORTER_CONFIRMED = "reporter_confirmed"
    DELIVERY_FAILED = "delivery_failed"
    SEVERITY_CHANGED = "severity_changed"
    """A manager changed the severity (with a reason); the deadlines follow the new one."""
    INFO_ADDED = "info_added"
    """The reporter added a line or a photo to the open ticket."""
    QUESTION_ASKED = "question_asked"
    """The engineer asked the reporter something from the card."""
    QUESTION_ANSWERED = "question_answered"
    HANDOVER_FAILED = "handover_failed"
    """A hand-over to an engineer the bot cannot reach: the ticket stayed where it was."""
    STAFF_NOTE = "staff_note"
    """A staff member wrote in the ticket's topic of the staff group: an internal note, never shown to
    the reporter."""
    STAFF_REPLY = "staff_reply"
    """A staff member's message from the ticket's topic that went to the reporter ("> …")."""
    COMPLAINT_ANSWERED = "complaint_answered"  # a manager handled the reporter's complaint: the answer given


_OPEN = frozenset({Status.NEW, Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE, Status.REOPENED})

TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.ASSIGN: (
        frozenset({Status.NEW, Status.REOPENED, Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE}),
        Status.ASSIGNED,
    ),
    Action.ACCEPT: (frozenset({Status.NEW, Status.ASSIGNED, Status.REOPENED}), Status.ACCEPTED),
    Action.ARRIVE: (frozenset({Status.ACCEPTED}), Status.ON_SITE),
    Action.RESOLVE: (frozenset({Status.ACCEPTED, Status.ON_SITE}), Status.RESOLVED),
    Action.CLOSE: (frozenset({Status.RESOLVED}), Status.CLOSED),
    Action.REOPEN: (frozenset({Status.RESOLVED, Status.CLOSED}), Status.REOPENED),
    Action.CANCEL: (_OPEN, Status.CANCELLED),
}
"""action → (the states it may start from, the state it leads to)."""


class IllegalTransition(ValueError):
    """A change the lifecycle does not allow; `reason` is a stable code for the user-facing text."""

    def __init__(self, action: Action, status: Status) -> None:
        super().__init__(f"cannot {action.value} a ticket that is {status.value}")
        self.action = action
        self.status = status


NUMBER_RE = re.compile(r"^HD-(\d{4})-(\d{5,})$", re.IGNORECASE)


def format_number(year: int, sequence: int) -> str:
    """Readable ticket numbers, per year: HD-2026-00042."""
    return f"HD-{year:04d}-{sequence:05d}"


def parse_number(text: str) -> str | None:
    """The canonical form of a typed ticket number, or None if it is not one."""
    match = NUMBER_RE.match(text.strip())
    return f"HD-{match.group(1)}-{match.group(2)}" if match else None


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """One line of the append-only audit log: who did what to which ticket, when."""

    at: datetime
    actor_id: int | None
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ticket:
    number: str
    reporter_id: int
    description: str
    severity: Severity
    opened_at: datetime
    sla: SlaTerms
    status: Status = Status.NEW
    photos: tuple[str, ...] = ()
    device_type: str | None = None
    asset_no: str | None = None
    site: str | None = None
    room: str | None = None
    contact_phone: str | None = None
    contact_name: str | None = None
    cancel_reason: str | None = None
    updated_at: datetime | None = None
    tried_articles: tuple[str, ...] = ()
    """Knowledge-base articles the reporter tried before the ticket opened (shown to the engineer)."""
    assignee_id: int | None = None
    escalation: dict[str, Any] = field(default_factory=dict)
    """The escalation policy frozen onto the ticket when it opened (EscalationPolicy.to_json)."""
    dispatched_at: datetime | None = None
    accepted_at: datetime | None = None
    arrived_at: datetime | None = None
    resolved_at: datetime | None = None
    pauses: tuple[Pause, ...] = ()
    """The SLA clock's pauses, oldest first, as (start, end) with end None while it still stands: the
    one record of them (:attr:`paused_since` and :attr:`paused_seconds` are read from it), kept as
    intervals because a deadline counts only the pauses before its milestone was reached."""
    pause_reason: str | None = None
    spare_due: date | None = None
    resolution: str | None = None
    parts: str | None = None
    source: str = "chat"
    """Where it came from: "chat" (a report) or "inspection" (a fault found on a preventive visit)."""

    @property
    def paused_since(self) -> datetime | None:
        """When the pause still standing began (waiting for a part or the reporter); None if none is."""
        if self.pauses and self.pauses[-1][1] is None:
            return self.pauses[-1][0]
        return None

    @property
    def paused_seconds(self) -> int:
        """Whole seconds of the pauses that have ended."""
        ended = sum((end - start for start, end in self.pauses if end is not None), timedelta())
        return int(ended.total_seconds())

    def deadline(self, milestone: str, now: datetime, *, clocks: Mapping[str, SlaClock],
                 pauses: Sequence[Pause] | None = None) -> datetime | None:
        """A deadline moved on by the pauses before its milestone was reached (or before `now` while it
        is not; see :func:`bot.domain.sla.deadline_after_pauses`): the "respond by" an engineer met or
        missed stays put when they later wait for a part. The pauses count on the ticket's own clock
        (`clocks` by name: the deployment's "24x7" and "business"). `pauses`: the ticket's own unless
        given (the KPIs pass the audit log's)."""
        promised = self.sla.deadlines.as_dict()[milestone]
        if promised is None:
            return None
        reached = self.reached(milestone)
        until = min(reached, now) if reached is not None else now
        return deadline_after_pauses(promised, self.pauses if pauses is None else pauses, until,
                                     clocks.get(self.sla.clock, ROUND_THE_CLOCK))

    def reached(self, milestone: str) -> datetime | None:
        """When a milestone was reached: respond = accepted, onsite = arrived, resolve = resolved."""
        return {"respond": self.accepted_at, "onsite": self.arrived_at, "resolve": self.resolved_at}[milestone]

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN

    @property
    def location(self) -> str:
        return " / ".join(part for part in (self.site, self.room) if part)


def transition(
    ticket: Ticket, action: Action, *, actor_id: int | None, at: datetime, **data: Any
) -> tuple[Ticket, TicketEvent]:
    """Apply `action`, or raise IllegalTransition; returns the new ticket and its audit event."""
    allowed_from, target = TRANSITIONS[action]
    if ticket.status not in allowed_from:
        raise IllegalTransition(action, ticket.status)
    changes: dict[str, Any] = {"status": target, "updated_at": at}
    if action is Action.ASSIGN:
        changes.update(assignee_id=data["assignee"], dispatched_at=ticket.dispatched_at or at)
    elif action is Action.ACCEPT:
        changes.update(assignee_id=actor_id, accepted_at=ticket.accepted_at or at,
                       dispatched_at=ticket.dispatched_at or at)
    elif action is Action.ARRIVE:
        changes.update(arrived_at=ticket.arrived_at or at)
    elif action is Action.RESOLVE:
        changes.update(resolved_at=at, resolution=data.get("resolution"), parts=data.get("parts"),
                       **_resumed(ticket, at))
    elif action is Action.REOPEN:
        changes.update(resolved_at=None)
    elif action is Action.CANCEL:
        changes["cancel_reason"] = data.get("reason")
    event = TicketEvent(
        at=at,
        actor_id=actor_id,
        kind=action.value,
        data={"from": ticket.status.value, "to": target.value, **data},
    )
    return replace(ticket, **changes), event


def happened(
    ticket: Ticket, what: Happening, *, actor_id: int | None, at: datetime, **data: Any
) -> tuple[Ticket, TicketEvent]:
    """Record something that does not change the state (a ping, a pause, a spare machine…)."""
    changes: dict[str, Any] = {"updated_at": at}
    if what is Happening.PAUSED and ticket.paused_since is None:
        changes.update(pauses=(*ticket.pauses, (at, None)), pause_reason=data.get("reason"))
    elif what is Happening.RESUMED:
        changes.update(_resumed(ticket, at))
    elif what is Happening.SPARE_LENT:
        changes.update(spare_due=data["due"])
    elif what is Happening.SPARE_RETURNED:
        changes.update(spare_due=None)
    elif what in (Happening.INFO_ADDED, Happening.QUESTION_ANSWERED) and data.get("photo"):
        changes.update(photos=tuple(dict.fromkeys((*ticket.photos, data["photo"]))))  # the card sends them all
    event_data = {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in data.items()}
    return replace(ticket, **changes), TicketEvent(at=at, actor_id=actor_id, kind=what.value, data=event_data)


def _resumed(ticket: Ticket, at: datetime) -> dict[str, Any]:
    """The pause still standing ends at `at` (a resume, or the resolve that needs no resume)."""
    since = ticket.paused_since
    if since is None:
        return {}
    return {"pauses": (*ticket.pauses[:-1], (since, at)), "pause_reason": None}


def opened_event(ticket: Ticket) -> TicketEvent:
    """The first line of a ticket's audit log: every field it was opened with."""
    return TicketEvent(
        at=ticket.opened_at,
        actor_id=ticket.reporter_id,
        kind="opened",
        data={
            "severity": ticket.severity.value,
            "device_type": ticket.device_type,
            "asset_no": ticket.asset_no,
            "site": ticket.site,
            "room": ticket.room,
            "photos": len(ticket.photos),
            "tried_articles": list(ticket.tried_articles),
            "sla_tier": ticket.sla.tier,
            "deadlines": {
                k: v.isoformat() if v else None for k, v in ticket.sla.deadlines.as_dict().items()
            },
        },
    )
