"""Service-level deadlines: what a ticket is owed, by severity and contract tier.

The policy is data (from the configuration); the arithmetic of "start + duration" is delegated to an
:class:`SlaClock`, so a business-hours clock can replace the 24×7 one without touching tickets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.severity import Severity
from bot.domain.sites import site_key


@dataclass(frozen=True)
class SlaTargets:
    """How long the provider has to respond, to be on site and to resolve; None = not promised."""

    respond: timedelta | None = None
    onsite: timedelta | None = None
    resolve: timedelta | None = None

    def overlaid(self, other: SlaTargets) -> SlaTargets:
        """These targets with every target that `other` sets replacing ours."""
        return SlaTargets(
            respond=other.respond or self.respond,
            onsite=other.onsite or self.onsite,
            resolve=other.resolve or self.resolve,
        )


@dataclass(frozen=True)
class SlaTier:
    """A contract tier (VIP, outlying branch…) that changes targets for some sites or reporters."""

    name: str
    targets: Mapping[Severity, SlaTargets]
    sites: frozenset[str] = frozenset()
    reporters: frozenset[int] = frozenset()
    clock: str | None = None
    """"24x7" or "business" for this tier; None = the policy's clock."""

    def applies_to(self, site: str | None, reporter_id: int) -> bool:
        return reporter_id in self.reporters or (site is not None and site_key(site) in {
            site_key(s) for s in self.sites
        })


@dataclass(frozen=True)
class SlaPolicy:
    """The table of domain.md, plus tiers; tiers matched by reporter win over tiers matched by site."""

    targets: Mapping[Severity, SlaTargets]
    tiers: tuple[SlaTier, ...] = ()
    clock: str = "24x7"

    def tier_for(self, site: str | None, reporter_id: int) -> SlaTier | None:
        """The tier a ticket falls under: a reporter's own tier first, then its site's, in order."""
        for tier in self.tiers:
            if reporter_id in tier.reporters:
                return tier
        for tier in self.tiers:
            if tier.applies_to(site, reporter_id):
                return tier
        return None

    def targets_for(self, severity: Severity, tier: SlaTier | None) -> SlaTargets:
        base = self.targets.get(severity, SlaTargets())
        if tier is None or severity not in tier.targets:
            return base
        return base.overlaid(tier.targets[severity])


class SlaClock(Protocol):
    """Adds a service duration to an instant; 24×7 counts every minute, business hours do not."""

    def add(self, start: datetime, duration: timedelta) -> datetime: ...

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The service time from `a` to `b` (what a pause over [a, b) holds the clock back)."""
        ...


class RoundTheClock:
    """The 24×7 clock: a 4-hour target ends 4 hours later, nights and holidays included."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        return b - a


ROUND_THE_CLOCK = RoundTheClock()


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The instants (UTC) a ticket must be responded to, reached on site and resolved by."""

    respond_by: datetime | None = None
    onsite_by: datetime | None = None
    resolve_by: datetime | None = None

    def as_dict(self) -> dict[str, datetime | None]:
        return {"respond": self.respond_by, "onsite": self.onsite_by, "resolve": self.resolve_by}


@dataclass(frozen=True, slots=True)
class SlaTerms:
    """What one ticket was promised when it opened: frozen, so later policy edits don't move it."""

    tier: str | None
    clock: str
    deadlines: Deadlines = field(default_factory=Deadlines)


def compute_terms(
    policy: SlaPolicy,
    severity: Severity,
    *,
    opened_at: datetime,
    site: str | None,
    reporter_id: int,
    clocks: Mapping[str, SlaClock],
) -> SlaTerms:
    """The deadlines a new ticket is owed, counted from the moment it opened on its tier's clock
    ("24x7" or "business", looked up in `clocks`)."""
    tier = policy.tier_for(site, reporter_id)
    targets = policy.targets_for(severity, tier)
    clock_name = (tier.clock if tier else None) or policy.clock
    clock = clocks[clock_name]

    def due(target: timedelta | None) -> datetime | None:
        return clock.add(opened_at, target) if target is not None else None

    return SlaTerms(
        tier=tier.name if tier else None,
        clock=clock_name,
        deadlines=Deadlines(
            respond_by=due(targets.respond),
            onsite_by=due(targets.onsite),
            resolve_by=due(targets.resolve),
        ),
    )


Pause = tuple[datetime, datetime | None]
"""A stretch the SLA clock stood still (waiting for a part, for the reporter): (start, end), end None
while it still stands."""


def paused_within(pauses: Iterable[Pause], until: datetime, clock: SlaClock = ROUND_THE_CLOCK) -> timedelta:
    """How much service time the clock stood still before `until`: the part of each pause before it,
    an open pause running up to it, counted by `clock` (a 5×8 clock counts only the open hours a pause
    covered: one from Friday 19:00 to Monday 08:00 holds nothing back)."""
    total = timedelta()
    for start, end in pauses:
        if start < until:
            total += clock.business_time_between(start, min(end or until, until))
    return total


def deadline_after_pauses(promised: datetime, pauses: Iterable[Pause], until: datetime,
                          clock: SlaClock = ROUND_THE_CLOCK) -> datetime:
    """A promised deadline moved on by the pauses before `until`: a stopped clock does not run out.

    THE rule for every deadline the bot shows, checks or scores (the card, /queue, the SLA
    checkpoints, the KPIs). `until` is when the milestone was reached, or now while it is not, so a
    pause after the engineer accepted does not move the respond-by they already met or missed. Each
    pause that began while the clock was still running moves the deadline by the service time it
    held back, counted and added on the ticket's own clock: seven open hours of pause on a 5×8 clock
    move a Monday-14:00 deadline to Tuesday 12:00, a pause from Friday 19:00 to Monday 08:00 moves
    nothing. A pause that begins after the deadline has passed changes nothing: a breach stays one."""
    deadline = promised
    for start, end in sorted(pauses, key=lambda pause: pause[0]):
        if start >= until or start >= deadline:
            break
        held = clock.business_time_between(start, min(end or until, until))
        if held > timedelta(0):
            deadline = clock.add(deadline, held)
    return deadline


DEFAULT_TARGETS: Mapping[Severity, SlaTargets] = {
    Severity.P1: SlaTargets(timedelta(minutes=30), timedelta(hours=2), timedelta(hours=4)),
    Severity.P2: SlaTargets(timedelta(hours=1), timedelta(hours=4), timedelta(hours=8)),
    Severity.P3: SlaTargets(timedelta(hours=4), timedelta(hours=24), None),
    Severity.P4: SlaTargets(timedelta(days=1), None, None),
}
"""domain.md's default table (P3 resolve is "set per contract", so unset)."""
