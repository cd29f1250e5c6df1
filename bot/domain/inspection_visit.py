"""A planned visit as it is carried out: pushed, started, each device checked, finished; and its figures.

The planner (`bot.domain.inspection`) says what is due; this is the record of what was done about it,
one per site and day, stored whole (its checklist results inside it), so a visit is never half
written: every press changes one device's result in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
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
