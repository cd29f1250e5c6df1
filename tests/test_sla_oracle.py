"""The SLA clock with pauses against an oracle written from the definition, not from the implementation.

The definition (domain.md, the contracts): the clock runs only while the desk is open (5×8: working
days 09:00–18:00 by the official calendar, 调休 Saturdays included, holidays not) and not paused; a
deadline is the moment the running time reaches the target. A pause that begins after the deadline
has passed changes nothing. The oracle walks the timeline minute by minute and asks the calendar, day
by day, only whether the day is worked (and, for a desk that closes for lunch, whether the minute is
in one of its ranges): none of `BusinessHoursClock.add`, `business_time_between` or
`deadline_after_pauses` is used. Hypothesis draws openings over 2025–2026 (nights, weekends, holidays,
swapped working days, period borders), targets, and up to three pauses, some open, some after the
deadline; the figures are in docs/benchmarks.md.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.business_hours import BusinessHoursClock
from bot.domain.calendar import DayKind
from bot.domain.sla import ROUND_THE_CLOCK, Pause, deadline_after_pauses
from bot.services.holidays import china_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = china_calendar()
CLOCK = BusinessHoursClock({day: (time(9), time(18)) for day in range(5)}, CALENDAR, SHANGHAI)
LUNCH = ((time(9), time(12)), (time(13), time(18)))
SPLIT = BusinessHoursClock({day: LUNCH for day in range(5)}, CALENDAR, SHANGHAI)
"""A desk that closes for lunch, 12:00–13:00."""
MINUTE = timedelta(minutes=1)
CASES = 400
"""Examples per property (each walks up to a few thousand minutes)."""


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


def _worked(day: date) -> bool:
    kind = CALENDAR.day(day).kind
    if kind is DayKind.HOLIDAY:
        return False
    return kind is DayKind.SWAPPED_WORKDAY or day.weekday() < 5


def _open(minute: datetime, ranges: tuple[tuple[time, time], ...] = ((time(9), time(18)),)) -> bool:
    local = minute.astimezone(SHANGHAI)
    return _worked(local.date()) and any(opens <= local.time() < closes for opens, closes in ranges)


def oracle(opened: datetime, target: timedelta, pauses: list[Pause], until: datetime, *,
           business: bool, ranges: tuple[tuple[time, time], ...] = ((time(9), time(18)),)) -> datetime:
    """Walk minute by minute from the opening; a minute runs the clock when the desk is open (always,
    on 24×7) and no pause that began before `until` covers it. The deadline is the end of the minute
    in which the running time reaches the target."""
    if target <= timedelta(0):
        return opened
    ran = timedelta(0)
    minute = opened
    while True:
        stopped = any(start <= minute < min(end or until, until) for start, end in pauses if start < until)
        if (not business or _open(minute, ranges)) and not stopped:
            ran += MINUTE
            if ran >= target:
                return minute + MINUTE
        minute += MINUTE


minutes = st.integers(min_value=0, max_value=59).map(lambda m: m)
instants = st.builds(
    lambda d, h, m: datetime(d.year, d.month, d.day, h, m, tzinfo=SHANGHAI).astimezone(UTC),
    st.dates(date(2025, 1, 1), date(2026, 12, 20)), st.integers(0, 23), minutes,
)
targets = st.sampled_from([timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2), timedelta(hours=4),
                           timedelta(hours=8), timedelta(hours=24)])


@st.composite
def tickets(draw: st.DrawFn) -> tuple[datetime, timedelta, list[Pause], datetime]:
    """An opening, a target, pauses after it (in order, not overlapping, the last maybe still open)
    and the moment the milestone was reached (or now)."""
    opened = draw(instants)
    target = draw(targets)
    pauses: list[Pause] = []
    cursor = opened
    for _ in range(draw(st.integers(0, 3))):
        start = cursor + timedelta(minutes=draw(st.integers(0, 60 * 30)))
        length = timedelta(minutes=draw(st.integers(1, 60 * 72)))
        still = draw(st.booleans()) and draw(st.booleans())
        pauses.append((start, None if still else start + length))
        cursor = start + length
        if still:
            break
    until = opened + timedelta(minutes=draw(st.integers(0, 60 * 24 * 8)))
    return opened, target, pauses, until


@settings(max_examples=CASES, deadline=None, derandomize=True, database=None)
@given(tickets())
def test_business_hours_deadlines_with_pauses_agree_with_the_definition(case) -> None:  # type: ignore[no-untyped-def]
    opened, target, pauses, until = case
    promised = CLOCK.add(opened, target)
    expected = oracle(opened, target, pauses, until, business=True)
    assert deadline_after_pauses(promised, pauses, until, CLOCK) == expected


@settings(max_examples=CASES, deadline=None, derandomize=True, database=None)
@given(tickets())
def test_split_hours_deadlines_with_pauses_agree_with_the_definition(case) -> None:  # type: ignore[no-untyped-def]
    opened, target, pauses, until = case
    promised = SPLIT.add(opened, target)
    assert promised == oracle(opened, target, [], opened, business=True, ranges=LUNCH)
    assert deadline_after_pauses(promised, pauses, until, SPLIT) == oracle(opened, target, pauses, until,
                                                                          business=True, ranges=LUNCH)


@settings(max_examples=CASES, deadline=None, derandomize=True, database=None)
@given(tickets())
def test_round_the_clock_deadlines_with_pauses_agree_with_the_definition(case) -> None:  # type: ignore[no-untyped-def]
    opened, target, pauses, until = case
    promised = opened + target
    expected = oracle(opened, target, pauses, until, business=False)
    assert deadline_after_pauses(promised, pauses, until, ROUND_THE_CLOCK) == expected


@pytest.mark.parametrize(("opened", "target", "pauses", "resolved", "deadline", "met"), [
    # issue 15: a pause over closed hours moves nothing (the project said Thu 03:00, met)
    (sh(2026, 3, 6, 15), timedelta(hours=8), [(sh(2026, 3, 6, 19), sh(2026, 3, 9, 8))], sh(2026, 3, 11, 10),
     sh(2026, 3, 9, 14), False),
    # issue 15: seven open hours of pause (11:00–18:00) move Monday 14:00 to Tuesday 12:00 (the project: missed)
    (sh(2026, 3, 9, 10), timedelta(hours=4), [(sh(2026, 3, 9, 11), sh(2026, 3, 9, 19))], sh(2026, 3, 10, 10, 30),
     sh(2026, 3, 10, 12), True),
    # a pause that begins after the deadline passed does not undo the breach
    (sh(2026, 3, 9, 10), timedelta(hours=4), [(sh(2026, 3, 9, 15), sh(2026, 3, 10, 12))], sh(2026, 3, 10, 12, 30),
     sh(2026, 3, 9, 14), False),
])
def test_the_cases_the_issue_names(opened: datetime, target: timedelta, pauses: list[Pause], resolved: datetime,
                                   deadline: datetime, met: bool) -> None:
    moved = deadline_after_pauses(CLOCK.add(opened, target), pauses, resolved, CLOCK)
    assert moved == deadline and (resolved <= moved) is met
