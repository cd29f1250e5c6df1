"""Working days: which local dates are working days, rest days, public holidays or swapped working days.

China's working calendar is not "Monday to Friday minus holidays": every year the State Council moves
days around a festival so the days off are consecutive, and some Saturdays and Sundays become working
days (调休). The help desk needs that answer for two things — the business-hours SLA clock and the
duty roster — so it lives here as plain, frozen data that both can ask, with no knowledge of where the
data came from (the ``holidays`` package is read by :mod:`bot.services.holidays`, an adapter).

A calendar also knows which years it really *knows*. Fixed-date holidays can be computed for any year,
but the swap schedule is published yearly; for a year without it the calendar still answers (weekends
plus whatever statutory days its source could compute), and :meth:`WorkCalendar.unknown_years` lets
the service warn the managers ahead of time instead of guessing silently.

The local configuration always wins: a date in ``extra_holidays`` is a holiday and a date in
``extra_workdays`` is a working day, whatever the package says.

This module also holds the one rule that turns a local wall-clock time on a date into an instant
(:func:`wall_to_utc`), because rules are written in wall-clock time and both the roster and the SLA
clock must resolve daylight-saving gaps and repeats the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

LOCAL_HOLIDAY_NAME = "Local holiday"
"""The name of a configured extra holiday that the package does not name."""
LOCAL_WORKDAY_NAME = "Local working day"
"""The name of a configured extra working day (it may replace a package holiday)."""
SWAPPED_SUFFIX = " (swapped working day)"


class DayKind(StrEnum):
    """What a local date is for the help desk; ``swapped_workday`` is a weekend day worked (调休)."""

    WORKDAY = "workday"
    RESTDAY = "restday"
    HOLIDAY = "holiday"
    SWAPPED_WORKDAY = "swapped_workday"


@dataclass(frozen=True)
class Day:
    """One local date as the calendar sees it; ``name`` names the holiday or the swap's festival."""

    date: date
    kind: DayKind
    name: str | None = None

    @property
    def is_working(self) -> bool:
        return self.kind in (DayKind.WORKDAY, DayKind.SWAPPED_WORKDAY)


def _frozen_map(value: Mapping) -> Mapping:
    return value if isinstance(value, MappingProxyType) else MappingProxyType(dict(value))


@dataclass(frozen=True)
class WorkCalendar:
    """Immutable working-day data: public holidays, swapped working days, the weekend, local extras.

    ``known_years`` is the set of years whose official schedule the source had; ``None`` means the
    calendar has no external schedule at all (calendar = "none": only weekends), so every year is
    as known as it will ever be and nothing needs flagging.

    ``substitutes`` maps a swapped working day to the day off it pays for (Saturday 14 February 2026
    is worked so that Friday 20 February is free); the business-hours clock uses it to give the
    swapped day the opening hours of the weekday it stands in for.
    """

    holidays: Mapping[date, str] = field(default_factory=dict, hash=False)
    swapped_workdays: Mapping[date, str] = field(default_factory=dict, hash=False)
    weekend: tuple[int, ...] = (5, 6)
    known_years: frozenset[int] | None = None
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    substitutes: Mapping[date, date] = field(default_factory=dict, hash=False)
    extra_names: Mapping[date, str] = field(default_factory=dict, hash=False)
    """Names of local extra days (e.g. entered by a manager from chat); unnamed ones get a generic name."""
    official_years: frozenset[int] = frozenset()
    """Years whose official schedule was loaded from a file (`helpdesk calendar import`): their days
    are the local extras alone, the package's guesses for them are set aside, and they count as known."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra_names", _frozen_map(self.extra_names))
        object.__setattr__(self, "holidays", _frozen_map(self.holidays))
        object.__setattr__(self, "swapped_workdays", _frozen_map(self.swapped_workdays))
        object.__setattr__(self, "substitutes", _frozen_map(self.substitutes))
        object.__setattr__(self, "weekend", tuple(sorted(set(self.weekend))))
        object.__setattr__(self, "extra_holidays", frozenset(self.extra_holidays))
        object.__setattr__(self, "extra_workdays", frozenset(self.extra_workdays))
        object.__setattr__(self, "official_years", frozenset(self.official_years))
        if self.known_years is not None:
            object.__setattr__(self, "known_years", frozenset(self.known_years))
        if any(not 0 <= wd <= 6 for wd in self.weekend):
            raise ValueError("weekend days are weekday numbers 0 (Monday) … 6 (Sunday)")
        both = sorted(self.extra_holidays & self.extra_workdays)
        if both:
            # Refused rather than resolved: one of the two entries is a typo, and guessing which
            # would silently move SLA deadlines.
            raise ValueError(f"{both[0].isoformat()} is both an extra holiday and an extra working day")

    @classmethod
    def weekends_only(
        cls, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()
    ) -> WorkCalendar:
        """The calendar "none": Saturdays and Sundays off, plus the local extras."""
        return cls(extra_holidays=frozenset(extra_holidays), extra_workdays=frozenset(extra_workdays))

    def with_extras(
        self, holidays: Mapping[date, str | None] | None = None, workdays: Mapping[date, str | None] | None = None,
        official_years: Iterable[int] = (),
    ) -> WorkCalendar:
        """This calendar with more local days on top (days a manager entered later, e.g. from chat), and
        the years whose whole schedule they are (an official schedule loaded from a file).

        The newer entry wins over the configured one: a date given here as a holiday stops being an
        extra working day, and the other way round.
        """
        holidays, workdays = dict(holidays or {}), dict(workdays or {})
        both = sorted(set(holidays) & set(workdays))
        if both:
            raise ValueError(f"{both[0].isoformat()} is both an extra holiday and an extra working day")
        names = {d: n for d, n in self.extra_names.items() if d not in holidays and d not in workdays}
        names.update({d: n for d, n in (holidays | workdays).items() if n})
        return WorkCalendar(
            holidays=self.holidays,
            swapped_workdays=self.swapped_workdays,
            weekend=self.weekend,
            known_years=self.known_years,
            extra_holidays=(self.extra_holidays - set(workdays)) | set(holidays),
            extra_workdays=(self.extra_workdays - set(holidays)) | set(workdays),
            substitutes=self.substitutes,
            extra_names=names,
            official_years=self.official_years | frozenset(official_years),
        )

    def day(self, d: date) -> Day:
        """What `d` is; local extras first, then the package's holidays and swaps, then the weekend."""
        weekend = d.weekday() in self.weekend
        if d in self.extra_workdays:
            if d in self.extra_names:
                return Day(d, DayKind.SWAPPED_WORKDAY if weekend else DayKind.WORKDAY, self.extra_names[d])
            if weekend:
                return Day(d, DayKind.SWAPPED_WORKDAY, self.swapped_workdays.get(d, LOCAL_WORKDAY_NAME))
            return Day(d, DayKind.WORKDAY, LOCAL_WORKDAY_NAME)
        if d in self.extra_holidays:
            return Day(d, DayKind.HOLIDAY, self.extra_names.get(d) or self.holidays.get(d, LOCAL_HOLIDAY_NAME))
        if d.year in self.official_years:  # the loaded schedule is the whole truth for its year
            return Day(d, DayKind.RESTDAY if weekend else DayKind.WORKDAY, None)
        if d in self.holidays:
            return Day(d, DayKind.HOLIDAY, self.holidays[d])
        if d in self.swapped_workdays:
            return Day(d, DayKind.SWAPPED_WORKDAY, self.swapped_workdays[d])
        if weekend:
            return Day(d, DayKind.RESTDAY, None)
        return Day(d, DayKind.WORKDAY, None)

    def is_working_day(self, d: date) -> bool:
        """A working day is a regular workday or a swapped working day (调休)."""
        return self.day(d).is_working

    def substituted_weekday(self, d: date) -> int | None:
        """The weekday whose hours a swapped working day keeps, when the source says which day it pays for."""
        if self.day(d).kind is not DayKind.SWAPPED_WORKDAY:
            return None
        paid_for = self.substitutes.get(d)
        return paid_for.weekday() if paid_for is not None else None

    def is_known(self, year: int) -> bool:
        """Whether this year's official schedule is in the data (always, for a weekends-only calendar)."""
        return self.known_years is None or year in self.known_years or year in self.official_years

    def unknown_years(self, from_date: date, to_date: date) -> list[int]:
        """The years between the two dates (inclusive) whose schedule is not known."""
        first, last = sorted((from_date.year, to_date.year))
        return [year for year in range(first, last + 1) if not self.is_known(year)]


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The wall-clock date of an instant in the deployment's zone."""
    return _aware(instant).astimezone(tz).date()


@lru_cache(maxsize=65536)
def wall_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of the local wall-clock time `at` on `day`, resolved deterministically.

    Rules are written in wall-clock time, so a 09:00 hand-over is 09:00 local in summer and winter.
    Daylight saving makes two cases special, and both are resolved so that instants never run
    backwards as the wall time moves forward (the roster and the SLA clock rely on that order):

    * a time that does not exist (the spring-forward gap, 02:30 in Berlin on the last Sunday of
      March) is the instant the clocks jump, i.e. the first valid moment after it (03:00 CEST);
    * a time that happens twice (the autumn repeat) is its first occurrence (summer time).
    """
    naive = datetime.combine(day, at.replace(tzinfo=None))
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first == second or first.astimezone(tz).replace(tzinfo=None) == naive:
        return min(first, second)
    # A wall time in the gap: the jump lies between the two readings; find it to the second.
    low, high = sorted((first, second))
    after = high.astimezone(tz).utcoffset()
    lo, hi = int(low.timestamp()), int(high.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, UTC).astimezone(tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant a local date begins (its first valid moment, where midnight itself is skipped)."""
    return wall_to_utc(day, time(0), tz)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.tzinfo.utcoffset(instant) is None:
        raise ValueError(f"{instant!r} has no time zone; instants must be timezone-aware")
    return instant


def as_utc(instant: datetime) -> datetime:
    """A timezone-aware instant in UTC; naive datetimes are refused rather than guessed."""
    return _aware(instant).astimezone(UTC)


ONE_DAY = timedelta(days=1)
