"""A planned visit as it is carried out: pushed, started, each device checked, finished; and its figures.

The planner (`bot.domain.inspection`) says what is due; this is the record of what was done about it,
one per site and day, stored whole (its checklist results inside it), so a visit is never half
written: every press changes one device's result in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from bot.domain.calendar import local_date


class VisitStatus(StrEnum):
    PUSHED = "pushed"
    """The list went to its engineer (or, with nobody on duty, to the managers)."""
    STARTED = "started"
    DONE = "done"


@dataclass(frozen=True)
class CheckedItem:
    """One device on the list, and what the engineer found."""

    asset_no: str
    device_type: str
    label: str
    result: str | None = None
    """None until checked; then one of CHECK_RESULTS (ok, cleaned, low, fault)."""
    note: str | None = None
    ticket: str | None = None
    """The ticket a fault found opened."""
    checked_at: datetime | None = None
    photos: tuple[str, ...] = ()
    """Telegram file ids of the photos the engineer sent while this device was being checked."""


@dataclass(frozen=True)
class VisitChange:
    """A visit moved to another day or handed to another engineer: who, when, why (the visit's log)."""

    kind: str
    """"moved" or "handed_over"."""
    at: datetime
    by: int
    reason: str = ""
    day: date | None = None
    """moved: the day it was planned on before."""
    engineer_id: int | None = None
    """handed_over: the engineer it had before."""


@dataclass(frozen=True)
class VisitRecord:
    id: int | None
    key: str
    site: str
    day: date
    due_by: date
    classes: tuple[str, ...]
    engineer_id: int | None
    status: VisitStatus
    items: tuple[CheckedItem, ...]
    pushed_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    changes: tuple[VisitChange, ...] = ()

    @property
    def next_index(self) -> int | None:
        """The first device not checked yet (None: all are)."""
        return next((n for n, item in enumerate(self.items) if item.result is None), None)

    @property
    def done(self) -> bool:
        return self.status is VisitStatus.DONE

    def checked(self, index: int, result: str, note: str | None, ticket: str | None, at: datetime) -> VisitRecord:
        """The visit with device `index` checked; finished when it was the last one."""
        items = list(self.items)
        items[index] = replace(items[index], result=result, note=note, ticket=ticket, checked_at=at)
        visit = replace(self, items=tuple(items), status=VisitStatus.STARTED, started_at=self.started_at or at)
        if visit.next_index is None:
            visit = replace(visit, status=VisitStatus.DONE, finished_at=at)
        return visit

    def moved(self, day: date, reason: str, by: int, at: datetime) -> VisitRecord:
        """Planned for `day` instead (its list goes out again that morning), with the reason on its log."""
        return replace(self, day=day, changes=(*self.changes, VisitChange("moved", at, by, reason, day=self.day)))

    def handed_over(self, engineer_id: int, by: int, at: datetime) -> VisitRecord:
        return replace(self, engineer_id=engineer_id,
                       changes=(*self.changes, VisitChange("handed_over", at, by, engineer_id=self.engineer_id)))

    def with_photo(self, index: int, file_id: str) -> VisitRecord:
        """Device `index` with one more photo (the same photo delivered twice is kept once)."""
        item = self.items[index]
        if file_id in item.photos:
            return self
        items = list(self.items)
        items[index] = replace(item, photos=(*item.photos, file_id))
        return replace(self, items=tuple(items))

    def count(self, result: str) -> int:
        return sum(1 for item in self.items if item.result == result)

    def on_time(self, tz: tzinfo) -> bool:
        """Finished by the end of its window's last working day, local time."""
        return self.finished_at is not None and local_date(self.finished_at, tz) <= self.due_by


@dataclass(frozen=True)
class InspectionFigures:
    """The contract's inspection KPIs over a period (visits planned on its days)."""

    due: int
    done_on_time: int
    done_late: int
    missed: int
    """Due by a day that has passed and still not finished: counts like a missing report."""
    devices: int
    findings: int
    warnings: int

    @property
    def on_time_rate(self) -> float | None:
        return self.done_on_time / self.due if self.due else None

    @property
    def under_way(self) -> int:
        """Due, not done, and its window still open."""
        return self.due - self.done_on_time - self.done_late - self.missed


MAX_RESCHEDULE_CHOICES = 6


def reschedule_days(visit: VisitRecord, is_working_day: Callable[[date], bool], today: date) -> list[date]:
    """The days a visit may move to: working days after today and after its planned day, up to the end of
    its window (moving it past the window would make it late by choice: that is the managers' call)."""
    days: list[date] = []
    d = max(today, visit.day) + timedelta(days=1)
    while d <= visit.due_by and len(days) < MAX_RESCHEDULE_CHOICES:
        if is_working_day(d):
            days.append(d)
        d += timedelta(days=1)
    return days


def standing(visit: VisitRecord, tz: tzinfo, today: date) -> str:
    """"on_time", "late" (done after its window), "missed" (its window closed before `today` and it is
    still not done: counts like a missing report) or "open" (under way, its window still open)."""
    if visit.done:
        return "on_time" if visit.on_time(tz) else "late"
    return "missed" if visit.due_by < today else "open"


def figures(visits: Iterable[VisitRecord], tz: tzinfo, today: date) -> InspectionFigures:
    """Counted from the stored visits; a visit still open whose window has not closed is neither
    done nor missed yet (it is due, so the rate can only rise)."""
    visits = list(visits)
    states = [standing(visit, tz, today) for visit in visits]
    return InspectionFigures(
        due=len(visits), done_on_time=states.count("on_time"), done_late=states.count("late"),
        missed=states.count("missed"),
        devices=sum(1 for visit in visits for item in visit.items if item.result is not None),
        findings=sum(visit.count("fault") for visit in visits),
        warnings=sum(visit.count("low") for visit in visits),
    )
