"""The duty plan as people read it (值班表): a day's shifts as JSON-ready data, for the CLI and scripts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from bot.domain.calendar import ONE_DAY, local_midnight
from bot.domain.roster import (
    DutyRoster,
    Override,
    Shift,
    shifts,
)


def shift_json(roster: DutyRoster, shift: Shift) -> dict[str, Any]:
    """One shift as JSON-ready data, times in the deployment's zone with their offset."""
    engineer = roster.engineers.get(shift.engineer_id)
    return {
        "start": shift.start.astimezone(roster.tz).isoformat(),
        "end": shift.end.astimezone(roster.tz).isoformat(),
        "engineer": {"id": shift.engineer_id, "name": engineer.name if engineer else None},
        "rotation": shift.rotation,
        "override": shift.override,
    }


def day_plan(roster: DutyRoster, d: date) -> dict[str, Any]:
    """The published duty plan of local date `d` (值班表): what the day is and who covers it when."""
    day = roster.calendar.day(d)
    start, end = local_midnight(d, roster.tz), local_midnight(d + ONE_DAY, roster.tz)
    return {
        "date": d.isoformat(),
        "kind": day.kind.value,
        "name": day.name,
        "shifts": [shift_json(roster, shift) for shift in shifts(roster, start, end)],
    }


def with_overrides(roster: DutyRoster, overrides: Iterable[Override]) -> DutyRoster:
    """The same roster with these overrides added (the stored ones are kept)."""
    return DutyRoster(roster.engineers, roster.rotations, (*roster.overrides, *overrides), roster.calendar, roster.tz)
