"""Escalation when nobody accepts a ticket, and the SLA checkpoints that warn before a breach.

The policy is frozen onto a ticket when it opens (as plain data), so editing the configuration later
does not change what a running ticket was promised. Steps are counted from the dispatch: with
"10m → backup, 20m → managers" the backup is pinged 10 minutes after the dispatch and the managers
20 minutes after it; the chain then repeats `repeat` more times, each round shifted by the last
step's delay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bot.domain.business_hours import BusinessHoursClock
from bot.domain.severity import Severity
from bot.domain.sla import SlaClock
from bot.domain.ticket import Ticket

Notify = Literal["backup", "tier2", "managers", "assignee"]
Milestone = Literal["respond", "onsite", "resolve"]


@dataclass(frozen=True)
class EscalationStep:
    after: timedelta
    notify: Notify


@dataclass(frozen=True)
class EscalationPolicy:
    steps: tuple[EscalationStep, ...]
    repeat: int = 0

    def due(self, dispatched_at: datetime, index: int) -> datetime | None:
        """When step number `index` (counting across rounds) falls due; None past the last round."""
        if not self.steps or index < 0:
            return None
        round_, position = divmod(index, len(self.steps))
        if round_ > self.repeat:
            return None
        return dispatched_at + round_ * self.steps[-1].after + self.steps[position].after

    def step(self, index: int) -> EscalationStep:
        return self.steps[index % len(self.steps)]

    def to_json(self) -> dict[str, Any]:
        return {"steps": [{"after": s.after.total_seconds(), "notify": s.notify} for s in self.steps],
                "repeat": self.repeat}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EscalationPolicy:
        return cls(
            steps=tuple(EscalationStep(timedelta(seconds=s["after"]), s["notify"]) for s in data.get("steps", ())),
            repeat=int(data.get("repeat", 0)),
        )


@dataclass(frozen=True)
class Checkpoint:
    """A moment to check a milestone: warn the assignee before the deadline, tell managers at it."""

    milestone: Milestone
    kind: Literal["warn", "breach"]
    due: datetime


def checkpoints(opened_at: datetime, deadlines: dict[str, datetime | None], warning_at: float) -> list[Checkpoint]:
    """Warnings at `warning_at` of each deadline's span (wall time), and the breach at the deadline."""
    found: list[Checkpoint] = []
    for milestone in ("respond", "onsite", "resolve"):
        deadline = deadlines.get(milestone)
        if deadline is None:
            continue
        span = deadline - opened_at
        if span > timedelta():
            found.append(Checkpoint(milestone, "warn", opened_at + span * warning_at))  # type: ignore[arg-type]
        found.append(Checkpoint(milestone, "breach", deadline))  # type: ignore[arg-type]
    return found


def quiet_until(ticket: Ticket, now: datetime, clocks: Mapping[str, SlaClock]) -> datetime | None:
    """When a reminder or escalation step about `ticket` that falls due `now` should be sent instead:
    a ticket on the 5×8 clock waits for the desk to open (a P3 warning at 02:00 is noise, nobody can
    act on it before 09:00); a P1, and any ticket on the 24×7 clock, never waits. None: send now."""
    if ticket.severity is Severity.P1:
        return None
    clock = clocks.get(ticket.sla.clock)
    if not isinstance(clock, BusinessHoursClock) or clock.is_open(now):
        return None
    return clock.next_opening(now)
