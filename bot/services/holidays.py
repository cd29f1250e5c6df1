"""The adapter from the ``holidays`` package to the domain's :class:`~bot.domain.calendar.WorkCalendar`.

Why an adapter: the package is the only source of China's yearly swap schedule (调休), but its data
model (a dict-like of names, a ``weekend_workdays`` set, per-year tables) changes between releases.
Everything the help desk needs is copied once into frozen domain data here, so the SLA clock and the
roster never import the package and tests can build calendars by hand.

Which years are *known*: ``holidays.China`` computes the statutory holidays of any year (New Year,
the lunar festivals, the 补假 "observed" rule), but the days moved around them — the "Day off
(substituted from …)" entries and the Saturdays/Sundays worked instead — come only from its
``special_public_holidays`` table, one entry per year transcribed from the State Council's notice
(the class docstring lists the notices). A year is known exactly when that table has the year. For
any other year the calendar still answers with the package's computed holidays, and
:func:`years_to_flag` tells the managers before such a year is reached.

One caveat the table itself shows (2001-12-29, 2005-12-31, 2006-12-30/31, 2011-12-31): the last days
of a known year can become swapped working days when the *next* year's notice is published, so the
warning looks ahead across the year boundary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays

from bot.domain.calendar import SWAPPED_SUFFIX, WorkCalendar

LANGUAGE = "en_US"
"""Holiday names are shown in English; the package also has zh_CN, used by the package's default."""
EXTRA_UNKNOWN_YEARS = 10
"""How many years past the last published schedule get the package's computed (unofficial) holidays."""


@lru_cache(maxsize=1)
def _published_years() -> frozenset[int]:
    """The years for which the package carries the State Council's substitution table."""
    # The table is copied onto each instance (merged from the package's static-holiday classes);
    # an instance with no years populated is cheap and is the stable way to read it.
    table = getattr(holidays.China(years=()), "special_public_holidays", None) or {}
    return frozenset(int(year) for year in table)


def _substitutions(source: holidays.HolidayBase, years: range) -> dict[date, date]:
    """Swapped working day → the day off it pays for, from the package's per-year table.

    Entries are ``(to_month, to_day, from_month, from_day[, from_year])``: ``to`` is the day off,
    ``from`` the weekend day worked instead. Anything shaped otherwise (a plain special holiday) is
    skipped, so a format change degrades to "Monday's hours" rather than a crash.
    """
    result: dict[date, date] = {}
    table = getattr(source, "special_public_holidays", None) or {}
    for year, entries in table.items():
        if year not in years:
            continue
        if entries and not isinstance(entries[0], tuple):
            entries = (entries,)
        for entry in entries:
            if len(entry) < 4 or not all(isinstance(part, int) for part in entry[:4]):
                continue
            to_month, to_day, from_month, from_day, *rest = entry
            from_year = rest[0] if rest and isinstance(rest[0], int) else year
            try:
                result[date(from_year, from_month, from_day)] = date(year, to_month, to_day)
            except ValueError:
                continue
    return result


def _festival_of(day_off: date, names: dict[date, str], substituted: set[date], weekend_workdays: set[date]) -> str:
    """The festival a day off belongs to: the commonest holiday name in its block of days off.

    The day off itself is named "Day off (substituted from …)", which is true but useless on a duty
    plan; the block of consecutive non-working days around it holds the festival's real name.
    """
    def off(d: date) -> bool:
        return d in names or (d.weekday() >= 5 and d not in weekend_workdays)

    block = [day_off]
    d = day_off - timedelta(days=1)
    while off(d) and len(block) < 20:
        block.append(d)
        d -= timedelta(days=1)
    d = day_off + timedelta(days=1)
    while off(d) and len(block) < 40:
        block.append(d)
        d += timedelta(days=1)
    counts: Counter[str] = Counter()
    first_seen: dict[str, date] = {}
    for d in sorted(block):
        if d in substituted or d not in names:
            continue
        for name in names[d].split("; "):
            counts[name] += 1
            first_seen.setdefault(name, d)
    if not counts:
        return "Swapped working day"
    return min(counts, key=lambda n: (-counts[n], first_seen[n]))


@lru_cache(maxsize=32)
def _china_calendar(
    extra_holidays: frozenset[date], extra_workdays: frozenset[date], years: range
) -> WorkCalendar:
    source = holidays.China(years=years, language=LANGUAGE)
    names = {d: str(name) for d, name in source.items() if d.year in years}
    substitutes = _substitutions(source, years)
    weekend_workdays = {d for d in getattr(source, "weekend_workdays", set()) if d.year in years}
    weekend_workdays |= {d for d in substitutes if d.weekday() >= 5}
    substituted_days_off = set(substitutes.values())
    swapped = {}
    for d in sorted(weekend_workdays):
        paid_for = substitutes.get(d)
        festival = (
            _festival_of(paid_for, names, substituted_days_off, weekend_workdays)
            if paid_for is not None
            else "Swapped working day"
        )
        swapped[d] = festival if festival.endswith(SWAPPED_SUFFIX) else festival + SWAPPED_SUFFIX
        if paid_for in names and paid_for in substituted_days_off and festival != "Swapped working day":
            # The package names the day off "Day off (substituted from 02/14/2026)": true, but a duty
            # plan is clearer with the festival and an unambiguous ISO date.
            names[paid_for] = f"{festival} (day off; worked on {d.isoformat()} instead)"
    return WorkCalendar(
        holidays=names,
        swapped_workdays=swapped,
        weekend=(5, 6),
        known_years=frozenset(y for y in _published_years() if y in years),
        extra_holidays=extra_holidays,
        extra_workdays=extra_workdays,
        substitutes={d: off for d, off in substitutes.items() if d in weekend_workdays},
    )


def default_years() -> range:
    """Every published year, and a few past the last one (answered, but flagged as unknown)."""
    published = _published_years() or frozenset({2001})
    return range(min(published), max(published) + 1 + EXTRA_UNKNOWN_YEARS)


def china_calendar(
    extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = (), years: range | None = None
) -> WorkCalendar:
    """China's working calendar (statutory holidays, 调休 swaps) with the local extras on top.

    The result is cached per arguments: building it reads some thirty years from the package.
    """
    return _china_calendar(frozenset(extra_holidays), frozenset(extra_workdays), years or default_years())


def years_to_flag(calendar: WorkCalendar, today: date, ahead_days: int = 60) -> list[int]:
    """Years the next `ahead_days` reach into whose schedule the calendar does not know.

    The service that warns the managers calls this daily; 60 days ahead gives them time to enter the
    new year's holidays as extra_holidays/extra_workdays or to upgrade the package (the State Council
    usually publishes in November).
    """
    if ahead_days < 0:
        raise ValueError("ahead_days cannot be negative")
    return calendar.unknown_years(today, today + timedelta(days=ahead_days))
