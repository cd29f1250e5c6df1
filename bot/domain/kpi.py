"""The KPIs the maintenance contracts score, and the quarterly score that decides the pay.

Pure arithmetic over tickets, their audit log and follow-ups: no I/O, so an auditor can re-run a
month from an export and get the same figures, and every figure says how many cases it rests on.

The cohort of a report is the tickets OPENED in the period [start, end), judged by what is known at
`now` (a ticket opened on the 30th and resolved on the 2nd counts, with its resolution, in the month
it was opened). Cancelled tickets are left out of every rate: a duplicate or a mistaken report is
neither a success nor a failure of the service. The exact definitions are on each function below and
in the docstring of :class:`Kpis`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Protocol

from bot.domain.assets import asset_key
from bot.domain.followup import Answer, FollowUp, FollowUpState
from bot.domain.severity import Severity
from bot.domain.sites import site_key
from bot.domain.sla import Pause, paused_within
from bot.domain.ticket import Status, Ticket, TicketEvent

MILESTONES: tuple[str, ...] = ("respond", "onsite", "resolve")
REPEAT_WINDOW = timedelta(days=30)
"""A ticket on an asset that had another ticket opened this long before it is a repeat repair."""
DEFLECTION_GRACE = timedelta(hours=24)
"""A "helped" self-service outcome followed this soon by a ticket naming the same article did not help."""


@dataclass(frozen=True)
class KbOutcome:
    """A reporter's verdict on a knowledge-base article they tried instead of opening a ticket."""

    at: datetime
    reporter_id: int
    article_id: str
    helped: bool


@dataclass(frozen=True)
class ReportData:
    """Everything a report is computed from; the loader fetches it, nothing here reads a database."""

    start: datetime
    end: datetime
    """The period [start, end), UTC instants."""
    tickets: list[Ticket]
    """Tickets OPENED in the period, any status (others are ignored)."""
    events: Mapping[str, list[TicketEvent]]
    """The audit log by ticket number: reopens, visits, pauses, part waits."""
    followups: list[FollowUp]
    """Follow-ups of those tickets."""
    kb_outcomes: list[KbOutcome]
    """Self-service outcomes in the period."""
    earlier: list[Ticket]
    """Other tickets, only to look up an asset's previous repair: those opened in the 30 days before
    `start` (and, in a :func:`filtered` view, the period's tickets outside the selection)."""
    monthly_reports_due: int = 0
    monthly_reports_late: int = 0
    """Monthly reports due in the period, and how many of them were late or missing."""
    selection: tuple[tuple[str, str], ...] = ()
    """The filters this view was cut by (("site", "HQ-12F"), …); empty for the whole desk."""


class Rule(StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


@dataclass(frozen=True)
class Target:
    """What a figure must reach; `bound` None means the contracts set no target for it."""

    bound: float | None
    rule: Rule = Rule.AT_LEAST

    def met(self, value: float | None) -> bool | None:
        if value is None or self.bound is None:
            return None
        return value >= self.bound - 1e-12 if self.rule is Rule.AT_LEAST else value <= self.bound + 1e-12


@dataclass(frozen=True)
class KpiSpec:
    """A figure's name (the Kpis field), its default target, and whether it is a share (shown in %)."""

    name: str
    target: Target
    share: bool = True


KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("response_attainment", Target(0.95)),
    KpiSpec("onsite_attainment", Target(0.90)),
    KpiSpec("resolution_rate", Target(0.90)),
    KpiSpec("first_visit_resolution", Target(0.95)),
    KpiSpec("satisfaction_share", Target(0.90)),
    KpiSpec("satisfaction_mean", Target(4.0), share=False),
    KpiSpec("repeat_repair_rate", Target(0.15, Rule.AT_MOST)),
    KpiSpec("deflection_rate", Target(0.30)),
    KpiSpec("survey_response_rate", Target(None)),
)
"""The figures in report order, with domain.md's defaults. Deflection: the contracts expect 30–50% of
requests to end in self-service; 30% is the bar, more is never a failure."""
DEFAULT_TARGETS: Mapping[str, Target] = {spec.name: spec.target for spec in KPIS}
SPECS: Mapping[str, KpiSpec] = {spec.name: spec for spec in KPIS}


@dataclass(frozen=True)
class Figure:
    """One KPI: the value (None when there is nothing to count), what it is computed from, the target."""

    value: float | None
    numerator: float
    denominator: int
    target: float | None
    met: bool | None


@dataclass(frozen=True)
class Kpis:
    """The figures of one period (see the module docstring for the cohort).

    - response_attainment: tickets accepted by their respond deadline / tickets with a respond
      deadline whose outcome is known (accepted, or not accepted and the deadline passed at `now`).
    - onsite_attainment: arrived by the onsite deadline / tickets with an onsite deadline that were
      dispatched on site: arrived, or neither arrived nor resolved by a deadline that has passed. A
      ticket resolved remotely before its onsite deadline needed no visit and is left out.
    - resolution_rate: closed tickets with a resolution on record whose repair held / closed tickets.
      Under today's state machine every close follows a resolve, so what lowers it is a follow-up
      that reported the same fault without a later resolution, or a close recorded without one
      (an import, a manual fix). A close by follow-up expiry keeps its resolution: silence is not
      a failed repair.
    - first_visit_resolution: resolved tickets fixed on one visit (one arrival, never reopened, no
      return trip for a part or a spare machine, the repair held) / resolved tickets with a visit.
    - satisfaction_share: ratings 3–5 / ratings given; satisfaction_mean: mean of the 1–5 ratings.
    - repeat_repair_rate: tickets whose asset had another (non-cancelled) ticket opened in the 30 days
      before it, in the period or in `earlier` / tickets with an asset number. domain.md divides by
      "all tickets"; a ticket without an asset can never be a repeat, so counting it would let
      unregistered devices dilute the rate. A reopen is the same ticket, not a repeat: it shows in
      first-visit resolution instead.
    - deflection_rate: self-service outcomes that helped / (those + non-cancelled tickets); only for
      the whole desk, as an outcome has no site, device or engineer.
    - survey_response_rate: follow-ups answered / follow-ups sent, leaving out those still inside
      their answer window and unanswered. The contracts set no target for it.
    - open_breaches: open tickets with a deadline passed at `now` and its milestone not reached.

    Deadlines move on by the SLA pauses that happened before the milestone (see
    :func:`effective_deadline`).
    """

    response_attainment: Figure
    onsite_attainment: Figure
    resolution_rate: Figure
    first_visit_resolution: Figure
    satisfaction_share: Figure
    satisfaction_mean: Figure
    repeat_repair_rate: Figure
    deflection_rate: Figure
    survey_response_rate: Figure
    open_breaches: int
    tickets: int
    cancelled: int
    by_severity: dict[str, int]
    by_device: dict[str, int]
    reports_due: int = 0
    reports_late: int = 0
    start: datetime | None = None
    end: datetime | None = None
    as_of: datetime | None = None
    selection: tuple[tuple[str, str], ...] = ()

    def figures(self) -> list[tuple[str, Figure]]:
        """(name, figure) in report order."""
        return [(spec.name, getattr(self, spec.name)) for spec in KPIS]


# ---- a ticket's audit log, read once ---------------------------------------------------------------
class MilestoneOutcome(StrEnum):
    MET = "met"
    MISSED = "missed"
    PENDING = "pending"
    """The deadline has not passed and the milestone is not reached yet."""
    EXEMPT = "exempt"
    """Not counted: the ticket was cancelled, or it was resolved remotely before the on-site deadline."""


@dataclass(frozen=True)
class Facts:
    """What the audit log says about one ticket, beyond its current fields."""

    arrivals: int
    reopens: int
    resolves: tuple[datetime, ...]
    second_trip: bool
    """The fix needed the engineer to come back: a wait for a part, or a spare machine lent."""
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
    second_trip = False
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
    return Facts(arrivals, reopens, tuple(resolves), second_trip, tuple(pauses), bool(ordered))


def pauses_of(ticket: Ticket, facts: Facts) -> tuple[Pause, ...]:
    """The SLA pauses a report counts: the audit log's, so the figures can be re-done from an export.

    When the log has no pause lines (an import, a partial log) the ticket's own intervals are used
    instead: they are the only evidence there is."""
    return facts.pauses or ticket.pauses


def paused_before(ticket: Ticket, facts: Facts, until: datetime) -> timedelta:
    """How long the SLA clock stood still before `until` (see :func:`pauses_of`)."""
    return paused_within(pauses_of(ticket, facts), until)


def effective_deadline(ticket: Ticket, milestone: str, facts: Facts, now: datetime) -> datetime | None:
    """The ticket's deadline by the one rule (:meth:`Ticket.deadline`: the pauses before the milestone
    was reached, or before `now` while it is not), over the pauses of :func:`pauses_of`."""
    return ticket.deadline(milestone, now, pauses=pauses_of(ticket, facts))


def milestone_outcome(ticket: Ticket, milestone: str, facts: Facts, now: datetime) -> MilestoneOutcome | None:
    """Met (reached by the deadline, inclusive), missed, pending or exempt for one milestone; None when
    nothing was promised for it. A milestone reached after `now` counts as not reached yet."""
    deadline = effective_deadline(ticket, milestone, facts, now)
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


# ---- selection ------------------------------------------------------------------------------------
def filtered(data: ReportData, *, site: str | None = None, engineer: int | None = None,
             device_type: str | None = None, severity: Severity | str | None = None) -> ReportData:
    """The same report cut down to one site, engineer (current assignee), device type or severity.

    Tickets outside the selection move to `earlier`, where they still count as an asset's previous
    repair; follow-ups and the log keep only the selection's tickets. Self-service outcomes cannot be
    placed at a site or engineer, so a filtered view has no deflection figure."""
    chosen: list[tuple[str, str]] = []
    level = Severity.parse(severity) if isinstance(severity, str) else severity
    if site is not None:
        chosen.append(("site", site))
    if engineer is not None:
        chosen.append(("engineer", str(engineer)))
    if device_type is not None:
        chosen.append(("device", device_type))
    if level is not None:
        chosen.append(("severity", level.value))
    if not chosen:
        return data
    want_site = site_key(site) if site is not None else None
    want_device = device_type.strip().casefold() if device_type is not None else None

    def keep(ticket: Ticket) -> bool:
        return ((want_site is None or site_key(ticket.site) == want_site)
                and (engineer is None or ticket.assignee_id == engineer)
                and (want_device is None or (ticket.device_type or "").casefold() == want_device)
                and (level is None or ticket.severity is level))

    kept = [ticket for ticket in data.tickets if keep(ticket)]
    numbers = {ticket.number for ticket in kept}
    return replace(
        data,
        tickets=kept,
        events={number: log for number, log in data.events.items() if number in numbers},
        followups=[f for f in data.followups if f.ticket in numbers],
        earlier=[*data.earlier, *(ticket for ticket in data.tickets if ticket.number not in numbers)],
        selection=(*data.selection, *chosen),
    )


# ---- the figures ----------------------------------------------------------------------------------
def _figure(numerator: float, denominator: int, target: Target) -> Figure:
    if denominator == 0:
        return Figure(None, numerator, 0, target.bound, None)
    value = numerator / denominator
    return Figure(value, numerator, denominator, target.bound, target.met(value))


def cohort(data: ReportData) -> list[Ticket]:
    """The tickets the report is about: opened in [start, end), whatever the loader over-fetched."""
    return [t for t in data.tickets if data.start <= t.opened_at < data.end]


class _Context:
    """The lookups every figure shares, built once per report."""

    def __init__(self, data: ReportData) -> None:
        self.tickets = cohort(data)
        self.facts = {t.number: facts_of(t, data.events.get(t.number, ())) for t in self.tickets}
        numbers = set(self.facts)
        self.followups: dict[str, FollowUp] = {}
        for followup in data.followups:
            if followup.ticket in numbers:
                self.followups[followup.ticket] = followup


def compute_kpis(data: ReportData, *, now: datetime, site: str | None = None, engineer: int | None = None,
                 device_type: str | None = None, severity: Severity | str | None = None,
                 targets: Mapping[str, Target] | None = None) -> Kpis:
    """Every figure of the period as known at `now`, optionally for one selection (see :func:`filtered`).

    `targets` overrides domain.md's defaults per figure name (a deployment's own contract)."""
    view = filtered(data, site=site, engineer=engineer, device_type=device_type, severity=severity)
    goal = {**DEFAULT_TARGETS, **(targets or {})}
    ctx = _Context(view)
    live = [t for t in ctx.tickets if t.status is not Status.CANCELLED]

    response = _attainment(live, "respond", ctx, now)
    onsite = _attainment(live, "onsite", ctx, now)

    closed = [t for t in live if t.status is Status.CLOSED]
    resolved_ok = sum(1 for t in closed
                      if is_resolved(t, ctx.facts[t.number]) and repair_held(ctx.facts[t.number],
                                                                            ctx.followups.get(t.number)))
    resolved = [t for t in live if is_resolved(t, ctx.facts[t.number])]
    visited = [t for t in resolved if ctx.facts[t.number].arrivals >= 1]
    first_visit = sum(1 for t in visited if _fixed_on_first_visit(ctx.facts[t.number])
                      and repair_held(ctx.facts[t.number], ctx.followups.get(t.number)))

    ratings = [f.rating for f in ctx.followups.values() if f.rating is not None]
    good = sum(1 for r in ratings if r >= 3)
    sent, answered = _survey(ctx.followups.values(), now)
    repeats, with_asset = _repeats(live, view)
    deflected, requests = _deflection(view, live)

    def fig(name: str, numerator: float, denominator: int) -> Figure:
        return _figure(numerator, denominator, goal[name])

    return Kpis(
        response_attainment=fig("response_attainment", *response),
        onsite_attainment=fig("onsite_attainment", *onsite),
        resolution_rate=fig("resolution_rate", resolved_ok, len(closed)),
        first_visit_resolution=fig("first_visit_resolution", first_visit, len(visited)),
        satisfaction_share=fig("satisfaction_share", good, len(ratings)),
        satisfaction_mean=fig("satisfaction_mean", sum(ratings), len(ratings)),
        repeat_repair_rate=fig("repeat_repair_rate", repeats, with_asset),
        deflection_rate=fig("deflection_rate", deflected, requests),
        survey_response_rate=fig("survey_response_rate", answered, sent),
        open_breaches=sum(1 for t in live if _breached(t, ctx.facts[t.number], now)),
        tickets=len(ctx.tickets),
        cancelled=len(ctx.tickets) - len(live),
        by_severity=_by_severity(ctx.tickets),
        by_device=_by_device(ctx.tickets),
        reports_due=view.monthly_reports_due,
        reports_late=view.monthly_reports_late,
        start=view.start,
        end=view.end,
        as_of=now,
        selection=view.selection,
    )


def _attainment(tickets: Iterable[Ticket], milestone: str, ctx: _Context, now: datetime) -> tuple[int, int]:
    met = counted = 0
    for ticket in tickets:
        outcome = milestone_outcome(ticket, milestone, ctx.facts[ticket.number], now)
        if outcome is MilestoneOutcome.MET:
            met += 1
            counted += 1
        elif outcome is MilestoneOutcome.MISSED:
            counted += 1
    return met, counted


def _fixed_on_first_visit(facts: Facts) -> bool:
    """One arrival, never reopened, and no return trip for a part or a spare machine."""
    return facts.arrivals == 1 and facts.reopens == 0 and not facts.second_trip


def _survey(followups: Iterable[FollowUp], now: datetime) -> tuple[int, int]:
    """(sent, answered); a survey still inside its answer window and unanswered is not counted yet."""
    sent = answered = 0
    for followup in followups:
        if followup.sent_at is None:
            continue
        replied = followup.answer is not None or followup.rating is not None
        waiting = followup.state is FollowUpState.SENT and (followup.expires_at is None or followup.expires_at > now)
        if not replied and waiting:
            continue
        sent += 1
        answered += replied
    return sent, answered


def _asset_of(ticket: Ticket) -> str | None:
    """The ticket's asset in the register's one form (:func:`bot.domain.assets.asset_key`), so
    "Ａ－0042" typed by a Chinese IME and "a-0042 " are one device here as at intake; None when the
    ticket names no asset (it can never be a repeat, so it is not counted)."""
    return asset_key(ticket.asset_no or "") or None


def _repeats(tickets: list[Ticket], data: ReportData) -> tuple[int, int]:
    """(repeats, tickets with an asset): a repeat had another non-cancelled ticket on the same asset
    opened within the 30 days before it, in the period or in `earlier`."""
    opened: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for ticket in (*data.earlier, *data.tickets):
        key = _asset_of(ticket)
        if key is not None and ticket.status is not Status.CANCELLED:
            opened[key].append((ticket.opened_at, ticket.number))
    repeats = with_asset = 0
    for ticket in tickets:
        key = _asset_of(ticket)
        if key is None:
            continue
        with_asset += 1
        since = ticket.opened_at - REPEAT_WINDOW
        if any(since <= at < ticket.opened_at and number != ticket.number for at, number in opened[key]):
            repeats += 1
    return repeats, with_asset


def _deflection(data: ReportData, live: list[Ticket]) -> tuple[int, int]:
    """(self-resolved, requests). A helped outcome does not count when the same reporter opened a
    ticket naming that article as tried within 24 h (the article did not, in the end, help)."""
    if data.selection:
        return 0, 0
    tried: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for ticket in data.tickets:
        for article in ticket.tried_articles:
            tried[(ticket.reporter_id, article)].append(ticket.opened_at)
    deflected = 0
    for outcome in data.kb_outcomes:
        if not outcome.helped or not data.start <= outcome.at < data.end:
            continue
        later = tried.get((outcome.reporter_id, outcome.article_id), ())
        if not any(outcome.at <= at <= outcome.at + DEFLECTION_GRACE for at in later):
            deflected += 1
    return deflected, deflected + len(live)


def _breached(ticket: Ticket, facts: Facts, now: datetime) -> bool:
    if not ticket.is_open:
        return False
    return any(
        (ticket.reached(m) is None or ticket.reached(m) > now)  # type: ignore[operator]
        and milestone_outcome(ticket, m, facts, now) is MilestoneOutcome.MISSED
        for m in MILESTONES
    )


def _by_severity(tickets: Iterable[Ticket]) -> dict[str, int]:
    counts = Counter(t.severity.value for t in tickets)
    return {level.value: counts.get(level.value, 0) for level in Severity}


def _by_device(tickets: Iterable[Ticket]) -> dict[str, int]:
    """Most reported first; a ticket without a device type counts as "other"."""
    counts = Counter(t.device_type or "other" for t in tickets)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# ---- chart series ---------------------------------------------------------------------------------
def weekly_attainment(data: ReportData, now: datetime, *, tz: tzinfo = UTC,
                      target: Target | None = None) -> list[tuple[date, Figure]]:
    """Response attainment per ISO week of opening (the Monday, local date), every week of the period
    listed even when nothing was opened in it, so a chart shows gaps as gaps."""
    goal = target or DEFAULT_TARGETS["response_attainment"]
    ctx = _Context(data)
    tally: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for ticket in ctx.tickets:
        if ticket.status is Status.CANCELLED:
            continue
        outcome = milestone_outcome(ticket, "respond", ctx.facts[ticket.number], now)
        if outcome in (MilestoneOutcome.MET, MilestoneOutcome.MISSED):
            week = _monday(ticket.opened_at, tz)
            tally[week][0] += outcome is MilestoneOutcome.MET
            tally[week][1] += 1
    first = _monday(data.start, tz)
    last = _monday(max(data.start, data.end - timedelta(microseconds=1)), tz)
    weeks = []
    week = first
    while week <= last:
        met, counted = tally.get(week, (0, 0))
        weeks.append((week, _figure(met, counted, goal)))
        week += timedelta(days=7)
    return weeks


def _monday(instant: datetime, tz: tzinfo) -> date:
    day = instant.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def ratings_histogram(data: ReportData) -> dict[int, int]:
    """How many follow-ups of the period's tickets were rated 1, 2, 3, 4 and 5."""
    ctx = _Context(data)
    counts = Counter(f.rating for f in ctx.followups.values() if f.rating is not None)
    return {rating: counts.get(rating, 0) for rating in range(1, 6)}


# ---- the quarterly score --------------------------------------------------------------------------
class _WeightsLike(Protocol):
    service: float
    reporting: float
    satisfaction: float


Weights = tuple[float, float, float]


def as_weights(weights: Weights | _WeightsLike) -> Weights:
    """(service, reporting, satisfaction) from a tuple or the configuration's [reports.weights]."""
    if hasattr(weights, "service"):
        values = (weights.service, weights.reporting, weights.satisfaction)  # type: ignore[union-attr]
    else:
        values = tuple(weights)  # type: ignore[arg-type]
    if len(values) != 3 or any(w < 0 for w in values) or abs(sum(values) - 1) > 1e-6:
        raise ValueError("the weights are three non-negative numbers that add up to 1")
    return (float(values[0]), float(values[1]), float(values[2]))


@dataclass(frozen=True)
class ScoreRules:
    """The contract's scoring constants, with one contract's figures as defaults (domain.md)."""

    threshold: float = 0.90
    """Attainment below this costs service points…"""
    step: float = 0.05
    points_per_step: float = 10.0
    """…this many per started step below it (88% and 85% cost 10, 84.9% costs 20)."""
    points_per_late_report: float = 10.0
    full_pay_from: float = 90.0
    reduced_pay_below: float = 75.0
    reduced_pay: float = 0.80
    pay_cut_per_false_report: float = 0.10


DEFAULT_RULES = ScoreRules()


@dataclass(frozen=True)
class QuarterScore:
    """Points 0–100 per part, the deductions that made them, the weighted total and the pay share.

    `deductions` are (code, amount): service and reporting codes in points of their part;
    "false_reports" in percentage points of pay."""

    service: float
    reporting: float
    satisfaction: float
    deductions: list[tuple[str, float]]
    total: float
    pay_share: float


def quarter_score(kpis: Kpis, weights: Weights | _WeightsLike = (0.5, 0.2, 0.3), *, false_reports: int = 0,
                  rules: ScoreRules = DEFAULT_RULES) -> QuarterScore:
    """The quarterly score: 50% on-site service, 20% reporting, 30% satisfaction by default.

    - service = 100 − 10 points per started 5% that response attainment is below 90%, and the same
      for on-site attainment (both are the on-site service the part pays for); a figure with
      nothing to count costs nothing; never below 0.
    - reporting = 100 − 10 per monthly report late or missing; never below 0.
    - satisfaction = share of ratings 3–5 × 100; no ratings at all scores 0, because the follow-up
      survey is itself a contract duty.
    - pay: total ≥ 90 pays 100%, below 75 pays 80%, in between linearly from 80% to 100% (no cliff
      at a single point); then −10% of pay per false report, never below 0.
    """
    w_service, w_reporting, w_satisfaction = as_weights(weights)
    deductions: list[tuple[str, float]] = []
    service = 100.0
    for name in ("response_attainment", "onsite_attainment"):
        value = getattr(kpis, name).value
        if value is None or value >= rules.threshold - 1e-12:
            continue
        steps = math.ceil((rules.threshold - value) / rules.step - 1e-9)
        points = min(steps * rules.points_per_step, service)
        if points:
            deductions.append((name, points))
            service -= points
    late = max(kpis.reports_late, 0)
    reporting = max(100.0 - late * rules.points_per_late_report, 0.0)
    if late:
        deductions.append(("monthly_reports", 100.0 - reporting))
    share = kpis.satisfaction_share.value
    satisfaction = round(share * 100, 2) if share is not None else 0.0
    if share is None:
        deductions.append(("no_survey", 100.0))
    total = round(w_service * service + w_reporting * reporting + w_satisfaction * satisfaction, 2)
    pay = _pay_share(total, rules)
    if false_reports > 0:
        cut = false_reports * rules.pay_cut_per_false_report
        deductions.append(("false_reports", round(cut * 100, 2)))
        pay = max(pay - cut, 0.0)
    return QuarterScore(service=service, reporting=reporting, satisfaction=satisfaction, deductions=deductions,
                        total=total, pay_share=round(pay, 4))


def _pay_share(total: float, rules: ScoreRules) -> float:
    if total >= rules.full_pay_from:
        return 1.0
    if total < rules.reduced_pay_below:
        return rules.reduced_pay
    span = rules.full_pay_from - rules.reduced_pay_below
    return rules.reduced_pay + (1.0 - rules.reduced_pay) * (total - rules.reduced_pay_below) / span
