"""The chart's series: response attainment week by week, the ratings' histogram, tickets by a key."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo

from bot.domain.kpi import DEFAULT_TARGETS, Figure, KpiContext, ReportData, Target, figure
from bot.domain.milestones import MILESTONES, MilestoneOutcome, milestone_outcome
from bot.domain.ticket import Status, Ticket


def weekly_attainment(data: ReportData, now: datetime, *, tz: tzinfo = UTC,
                      target: Target | None = None) -> list[tuple[date, Figure]]:
    """Response attainment per ISO week of opening (the Monday, local date), every week of the period
    listed even when nothing was opened in it, so a chart shows gaps as gaps."""
    goal = target or DEFAULT_TARGETS["response_attainment"]
    ctx = KpiContext(data)
    tally: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for ticket in ctx.tickets:
        if ticket.status is Status.CANCELLED:
            continue
        outcome = milestone_outcome(ticket, "respond", ctx.facts[ticket.number], now, ctx.clocks)
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
        weeks.append((week, figure(met, counted, goal)))
        week += timedelta(days=7)
    return weeks


def _monday(instant: datetime, tz: tzinfo) -> date:
    day = instant.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def ratings_histogram(data: ReportData) -> dict[int, int]:
    """How many follow-ups of the period's tickets were rated 1, 2, 3, 4 and 5."""
    ctx = KpiContext(data)
    counts = Counter(f.rating for f in ctx.followups.values() if f.rating is not None)
    return {rating: counts.get(rating, 0) for rating in range(1, 6)}


def breakdown(data: ReportData, now: datetime, key: Callable[[Ticket], str | None]) -> list[tuple[str, int, int]]:
    """(key, tickets, late) for the period's tickets grouped by `key` (None counts as "other"), most
    tickets first: late is a ticket that missed any promised milestone (the dashboard's bars by site,
    device and engineer). Cancelled tickets are left out, as from every rate."""
    ctx = KpiContext(data)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for ticket in ctx.tickets:
        if ticket.status is Status.CANCELLED:
            continue
        row = tally[key(ticket) or "other"]
        row[0] += 1
        row[1] += any(milestone_outcome(ticket, m, ctx.facts[ticket.number], now, ctx.clocks) is MilestoneOutcome.MISSED
                      for m in MILESTONES)
    return sorted(((k, n, late) for k, (n, late) in tally.items()), key=lambda row: (-row[1], row[0]))
