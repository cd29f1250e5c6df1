"""The business-hours SLA clock: under a 5×8 contract the deadline only runs while the desk is open.

A "4 h to resolve" ticket opened Friday at 17:00 is due Monday at 12:00, not Friday at 21:00; one
opened on the eve of Spring Festival is due after the festival; and the Saturday China swaps in as a
working day (调休) counts like a weekday. The clock implements :class:`bot.domain.sla.SlaClock`, so a
ticket does not know which clock computed its deadlines.

Rules, all in the deployment's wall-clock time (instants in and out are UTC):

* Opening hours are per weekday (Monday = 0): one range, or several in order for a desk that
  closes for lunch ("09:00-12:00,13:00-18:00"). A single range whose end is not after its start
  ("22:00-06:00", "00:00-00:00") crosses midnight and belongs to the day it starts on.
* A public holiday is closed, whatever the hours say.
* A swapped working day keeps the hours of the weekday it stands in for when the calendar knows it
  (Saturday 14 February 2026 is worked instead of Friday 20 February → Friday's hours), else
  Monday's, else the first configured weekday's — a working day must not end up closed.
* A regular working day opens with its weekday's hours; a plain rest day opens only if hours are
  configured for its weekday (a deployment with "sat" hours works ordinary Saturdays, not holidays).
* Time outside the hours does not count; a start outside them starts counting at the next opening.
  A zero duration owes nothing and returns the start unchanged.
* Daylight saving: the hours are wall-clock times resolved by
  :func:`bot.domain.calendar.wall_to_utc`, so an opening at 09:00 stays at 09:00 local.

The arithmetic walks day by day (never minute by minute), and gives up with
:class:`NoBusinessHoursError` after ``max_closed_days`` consecutive closed days instead of looping
forever on a configuration in which the desk never opens.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from bot.domain.calendar import ONE_DAY, DayKind, WorkCalendar, as_utc, local_date, wall_to_utc
from bot.domain.durations import parse_time_range

Hours = tuple[time, time]
"""One opening range of a day, local wall-clock times."""
DayHours = tuple[Hours, ...]
"""A day's opening ranges, in order."""


class NoBusinessHoursError(ValueError):
    """The desk never opens within the search bound: the hours or the calendar are misconfigured."""


@dataclass(frozen=True)
class BusinessHoursClock:
    """Adds durations counted in business hours only; pure, built from data (no clock, no I/O)."""

    hours: Mapping[int, Hours | DayHours] = field(hash=False)
    """Weekday → its opening range, or its ranges in order (a lunch break between them)."""
    calendar: WorkCalendar
    tz: ZoneInfo
    max_closed_days: int = 400
    """Consecutive closed days after which the search stops (a year of holidays is not plausible)."""

    def __post_init__(self) -> None:
        if not self.hours:
            raise NoBusinessHoursError("no opening hours are configured")
        if any(not 0 <= weekday <= 6 for weekday in self.hours):
            raise ValueError("opening hours are keyed by weekday number 0 (Monday) … 6 (Sunday)")
        if self.max_closed_days < 1:
            raise ValueError("max_closed_days must be at least 1")
        ranges = {day: day_ranges(value) for day, value in self.hours.items()}
        object.__setattr__(self, "hours", MappingProxyType(ranges))

    def hours_on(self, d: date) -> DayHours | None:
        """The local opening ranges of date `d`, or None when the desk is closed that day."""
        day = self.calendar.day(d)
        hours: Mapping[int, DayHours] = self.hours  # type: ignore[assignment]
        if day.kind is DayKind.HOLIDAY:
            return None
        if day.kind is DayKind.SWAPPED_WORKDAY:
            substituted = self.calendar.substituted_weekday(d)
            if substituted is not None and substituted in hours:
                return hours[substituted]
            return hours.get(0) or hours[min(hours)]
        return hours.get(d.weekday())

    def open_intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """The UTC instants the desk opens and closes on date `d`, range by range (a night range's
        close may fall on the next date); empty when it is closed."""
        out = []
        for opens, closes in self.hours_on(d) or ():
            end_day = d if closes > opens else d + ONE_DAY
            start, end = wall_to_utc(d, opens, self.tz), wall_to_utc(end_day, closes, self.tz)
            if end > start:
                out.append((start, end))
        return out

    def is_open(self, at: datetime) -> bool:
        """Whether `at` lies inside business hours."""
        at = as_utc(at)
        today = local_date(at, self.tz)
        return any(opens <= at < closes for d in (today - ONE_DAY, today) for opens, closes in self.open_intervals(d))

    def _intervals_from(self, instant: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals in time order from the day before `instant` (a night shift may spill over)."""
        d = local_date(instant, self.tz) - ONE_DAY
        closed = 0
        while True:
            intervals = self.open_intervals(d)
            if not intervals:
                closed += 1
                if closed > self.max_closed_days:
                    raise NoBusinessHoursError(
                        f"the desk is closed for more than {self.max_closed_days} days after "
                        f"{d - timedelta(days=closed - 1)}: check [business_hours] and the holidays"
                    )
            else:
                closed = 0
                yield from intervals
            d += ONE_DAY

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of business time has elapsed since `start` (UTC)."""
        if duration < timedelta(0):
            raise ValueError("an SLA duration cannot be negative")
        cursor = as_utc(start)
        if duration == timedelta(0):
            return cursor
        remaining = duration
        for opens, closes in self._intervals_from(cursor):
            opens = max(opens, cursor)
            if closes <= opens:
                continue
            if closes - opens >= remaining:
                return opens + remaining
            remaining -= closes - opens
            cursor = closes
        raise AssertionError("unreachable: the interval search either yields or raises")

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself if the desk is open, else the moment it next opens."""
        at = as_utc(at)
        for opens, closes in self._intervals_from(at):
            if closes > at:
                return max(opens, at)
        raise AssertionError("unreachable: the interval search either yields or raises")

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Business time from `a` to `b`; negative when `b` is before `a` (so it is antisymmetric)."""
        a, b = as_utc(a), as_utc(b)
        if b < a:
            return -self.business_time_between(b, a)
        total = timedelta(0)
        cursor = a
        d = local_date(a, self.tz) - ONE_DAY
        last = local_date(b, self.tz)
        while d <= last:
            for interval in self.open_intervals(d):
                opens, closes = max(interval[0], cursor), min(interval[1], b)
                if closes > opens:
                    total += closes - opens
                    cursor = closes
            d += ONE_DAY
        return total


def day_ranges(value: Hours | DayHours) -> DayHours:
    """A day's ranges from one (opens, closes) pair or several; several must each end after they start
    and follow one another (only a lone range may cross midnight)."""
    ranges: DayHours = (value,) if len(value) == 2 and all(isinstance(v, time) for v in value) else value  # type: ignore[assignment]
    if not ranges:
        raise ValueError("a day's opening hours need at least one range")
    if len(ranges) > 1:
        for (opens, closes), after in zip(ranges, (*ranges[1:], None), strict=True):
            if closes <= opens or (after is not None and after[0] < closes):
                raise ValueError("split opening hours are ranges within the day, in order, not overlapping "
                                 "(like 09:00-12:00,13:00-18:00)")
    return tuple(ranges)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_day_hours(text: str) -> DayHours:
    """A weekday's opening hours as written: "09:00-18:00", or "09:00-12:00,13:00-18:00" with a lunch
    break (checked by :func:`day_ranges`)."""
    return day_ranges(tuple(parse_time_range(part.strip()) for part in text.split(",")))


def parse_weekday_hours(entries: Mapping[str, object]) -> dict[int, DayHours]:
    """{"mon-fri": "09:00-18:00", "sat": "09:00-12:00"} → weekday number → opening ranges."""
    result: dict[int, DayHours] = {}
    for key, value in entries.items():
        days = key.split("-")
        if len(days) > 2 or any(day not in WEEKDAYS for day in days):
            raise ValueError(f"unknown key {key!r}: use weekdays like 'mon-fri' or 'sat'")
        if not isinstance(value, str):
            raise ValueError("opening hours are a string like '09:00-18:00' or '09:00-12:00,13:00-18:00'")
        for day in range(WEEKDAYS.index(days[0]), WEEKDAYS.index(days[-1]) + 1):
            result[day] = parse_day_hours(value)
    return result
