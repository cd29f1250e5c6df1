"""Preventive maintenance (巡检): which device is inspected when, grouped into one visit per site and day.

The contracts say "core devices monthly, others quarterly, the report within 24 hours". A deployment
states that as inspection classes (`InspectionClass`: which assets, how often, within how many
working days of the period's start); the planner turns the asset register into visits. Everything
here is pure: the calendar decides the working days (public holidays and 调休 included), the duty
roster who goes, and nothing reads a clock: callers pass the dates.

Choices the contracts leave open, made here once:

* A period's inspection is due in its *window*: the first `window` working days of the period. A
  site's visit goes on one of those days, sites spread evenly over them (sorted by name, so the plan
  is the same every time it is computed), so one engineer does not get every site on the first day.
* All classes due at a site on the same day are one visit: "HQ-3F: 14 devices", not two lists.
* A device is due in a period if it was on the register by the window's first day and not retired by
  the visit's day. One added mid-quarter waits for the next window (a new device was just installed
  and checked); one retired mid-period is dropped from visits after its retirement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.assets import Asset
from bot.domain.calendar import WorkCalendar, wall_to_utc
from bot.domain.roster import DutyRoster, on_duty

WEEK_ANCHOR = date(2024, 1, 1)
"""A Monday: "every N weeks" periods are counted from it, so they do not depend on when the plan is
computed."""


class Every(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    WEEKS = "weeks"


@dataclass(frozen=True)
class Cadence:
    """How often: monthly, quarterly, or every N weeks (from `WEEK_ANCHOR`)."""

    every: Every
    weeks: int = 0

    def __post_init__(self) -> None:
        if (self.every is Every.WEEKS) != (self.weeks > 0):
            raise ValueError("a cadence of weeks needs a number of weeks (and only it)")

    def period_of(self, d: date) -> tuple[date, date]:
        """The period containing `d`: its first day and the first day of the next one."""
        if self.every is Every.WEEKS:
            length = 7 * self.weeks
            start = WEEK_ANCHOR + timedelta(days=(d - WEEK_ANCHOR).days // length * length)
            return start, start + timedelta(days=length)
        months = 1 if self.every is Every.MONTH else 3
        first = (d.month - 1) // months * months + 1
        start = date(d.year, first, 1)
        return start, _add_months(start, months)

    def periods(self, first: date, last: date) -> Iterator[tuple[date, date]]:
        """Every period that overlaps [first, last], in order."""
        start, end = self.period_of(first)
        while start <= last:
            yield start, end
            start, end = self.period_of(end)


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class InspectionClass:
    """Which assets (by device type, site, core flag; empty means any) are inspected how often."""

    name: str
    cadence: Cadence
    window: int = 10
    """Working days from the period's start within which the inspection is due."""
    device_types: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    core: bool | None = None

    def matches(self, asset: Asset) -> bool:
        return ((not self.device_types or asset.device_type in self.device_types)
                and (not self.sites or asset.site in self.sites)
                and (self.core is None or asset.core == self.core))

    def window_days(self, start: date, end: date, calendar: WorkCalendar) -> list[date]:
        """The first `window` working days of the period [start, end)."""
        days: list[date] = []
        d = start
        while d < end and len(days) < self.window:
            if calendar.is_working_day(d):
                days.append(d)
            d += timedelta(days=1)
        return days


CHECK_RESULTS = ("ok", "cleaned", "low", "fault")
"""What an engineer records per device: fine, cleaned, a consumable running low (预警), a fault found."""

CHECK_ITEMS: tuple[str, ...] = (
    "running", "selftest", "toner", "drum", "paper_path", "scan_glass", "clean", "driver", "firmware",
    "disk", "updates", "antivirus", "lamp", "filter", "image", "cables", "ports", "cabinet", "backup",
    "battery", "load",
)
"""Every checklist item there is a text for (`inspection.item.<id>`, zh and en)."""

DEFAULT_CHECKLISTS: Mapping[str, tuple[str, ...]] = {
    # the contracts' four areas: running state, consumables, internal cleaning, software
    "printer": ("running", "selftest", "toner", "drum", "paper_path", "clean", "driver"),
    "copier": ("running", "selftest", "toner", "drum", "paper_path", "scan_glass", "clean", "firmware"),
    "pc": ("running", "disk", "clean", "updates", "antivirus", "driver"),
    "laptop": ("running", "disk", "battery", "updates", "antivirus"),
    "projector": ("running", "lamp", "filter", "image", "cables"),
    "network": ("running", "ports", "firmware", "cabinet", "backup"),
    "ups": ("running", "selftest", "battery", "load", "clean"),
    "other": ("running", "clean", "cables"),
}
"""What is checked per device type unless the configuration says otherwise; "other" is the fallback."""


@dataclass(frozen=True)
class InspectionPolicy:
    """The deployment's inspection classes (the first that matches an asset wins) and checklists."""

    classes: tuple[InspectionClass, ...] = ()
    checklists: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_CHECKLISTS), hash=False)
    """Device type → checklist item ids (texts `inspection.item.<id>`); "other" is the fallback."""
    start_at: time = time(9)
    """When a day's visit lists are pushed to the engineers (local time)."""
    finish_within: timedelta = timedelta(hours=24)
    """A visit not finished this long after it was pushed is told to the managers."""

    @property
    def enabled(self) -> bool:
        return bool(self.classes)

    def class_of(self, asset: Asset) -> InspectionClass | None:
        return next((c for c in self.classes if c.matches(asset)), None)

    def checklist(self, device_type: str) -> tuple[str, ...]:
        return self.checklists.get(device_type) or self.checklists.get("other") or DEFAULT_CHECKLISTS["other"]


@dataclass(frozen=True)
class Registered:
    """An asset with the day it joined the register (None: always there)."""

    asset: Asset
    since: date | None = None

    def in_service(self, window_start: date, day: date) -> bool:
        retired = self.asset.retired
        return (self.since is None or self.since <= window_start) and (retired is None or retired > day)


@dataclass(frozen=True)
class Visit:
    """One site's inspection list for one day: what an engineer is sent to do."""

    site: str
    day: date
    due_by: date
    """The last working day of the window: done after it, the inspection is late."""
    assets: tuple[str, ...]
    classes: tuple[str, ...]

    @property
    def key(self) -> str:
        """The visit's identity: planning it twice keeps one."""
        return f"{self.day.isoformat()}|{self.site}"


def plan(policy: InspectionPolicy, register: Iterable[Registered], calendar: WorkCalendar,
         first: date, last: date) -> list[Visit]:
    """The visits on the days [first, last], by day and site."""
    members: dict[str, list[Registered]] = {c.name: [] for c in policy.classes}
    sites: set[str] = set()
    for entry in register:
        cls = policy.class_of(entry.asset)
        if cls is not None:
            members[cls.name].append(entry)
            sites.add(entry.asset.site)
    slot = {site: n for n, site in enumerate(sorted(sites))}
    merged: dict[tuple[date, str], tuple[date, list[str], set[str]]] = {}
    for cls in policy.classes:
        for start, end in cls.cadence.periods(first, last):
            days = cls.window_days(start, end, calendar)
            if not days:
                continue
            for entry in members[cls.name]:
                site = entry.asset.site
                day = days[slot[site] % len(days)]
                if not first <= day <= last or not entry.in_service(days[0], day):
                    continue
                due_by, assets, names = merged.setdefault((day, site), (days[-1], [], set()))
                assets.append(entry.asset.asset_no)
                names.add(cls.name)
                merged[(day, site)] = (max(due_by, days[-1]), assets, names)
    return [Visit(site, day, due_by, tuple(sorted(assets)), tuple(sorted(names)))
            for (day, site), (due_by, assets, names) in sorted(merged.items())]


def due(visits: Iterable[Visit], at: date) -> list[Visit]:
    """The visits that must be done by `at` and are planned on or before it (the caller drops the
    finished ones)."""
    return [v for v in visits if v.day <= at]


def assignee(visit: Visit, roster: DutyRoster, start_at: time) -> int | None:
    """Who goes: the engineer on duty when the day's lists are pushed, or None if nobody is."""
    shift = on_duty(roster, push_instant(visit, roster, start_at))
    return shift.engineer_id if shift else None


def push_instant(visit: Visit, roster: DutyRoster, start_at: time) -> datetime:
    """When the visit list goes to its engineer (UTC)."""
    return wall_to_utc(visit.day, start_at, roster.tz)
