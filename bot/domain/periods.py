"""Report periods as managers type them: this month, last month, a quarter, a given month or quarter.

A period is [start, end) between local midnights of the deployment's zone, held as UTC instants, with
the label its title shows ("2026-11", "2026-Q4"). Anything else is refused with PeriodError, so a
typo never silently reports the wrong month.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo


class PeriodError(ValueError):
    """Not a period this desk knows how to read; the message is what was typed."""


def period_of(arg: str, now: datetime, tz: tzinfo) -> tuple[datetime, datetime, str]:
    """A period as managers type it (see _period_of); PeriodError for anything else, e.g. year 9999."""
    try:
        return _period_of(arg, now, tz)
    except (ValueError, OverflowError) as exc:
        raise PeriodError(arg) from exc


def _period_of(arg: str, now: datetime, tz: tzinfo) -> tuple[datetime, datetime, str]:
    """`month` (this month so far), `quarter` (this quarter so far), `YYYY-MM`, `YYYY-Qn` or
    `last` (the previous month) → [start, end) in UTC and a label."""
    today = now.astimezone(tz).date()
    arg = (arg or "month").strip().lower()
    if arg == "month":
        first = today.replace(day=1)
        return _bounds(first, next_month(first), tz, first.strftime("%Y-%m"))
    if arg == "last":
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        return _bounds(first, next_month(first), tz, first.strftime("%Y-%m"))
    if arg == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return _bounds(first, _add_months(first, 3), tz, f"{first.year}-Q{(first.month - 1) // 3 + 1}")
    if match := re.fullmatch(r"(\d{4})-(\d{2})", arg):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(arg)
        first = date(year, month, 1)
        return _bounds(first, next_month(first), tz, arg)
    if match := re.fullmatch(r"(\d{4})-q([1-4])", arg):
        first = date(int(match[1]), 3 * (int(match[2]) - 1) + 1, 1)
        return _bounds(first, _add_months(first, 3), tz, arg.upper())
    raise PeriodError(arg)


def _bounds(first: date, after: date, tz: tzinfo, label: str) -> tuple[datetime, datetime, str]:
    start = datetime.combine(first, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(after, time(), tzinfo=tz).astimezone(UTC)
    return start, end, label


def next_month(first: date) -> date:
    return _add_months(first, 1)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def report_due_by(due_at: datetime, day: int, tz: tzinfo) -> datetime:
    """The instant a monthly report pushed at `due_at` must have gone out by to be on time: the end of
    day `day` of that month in the deployment's zone ("by the 5th" is before the 6th begins there),
    whatever day and hour the push itself is set for."""
    local = due_at.astimezone(tz).date().replace(day=day)
    return datetime.combine(local + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
