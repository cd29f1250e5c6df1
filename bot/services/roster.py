"""The duty roster as it stands: the configuration, what managers changed from chat, and its health.

Who is on duty is a pure function of data (`bot.domain.roster`); this service gathers the data from
the configuration (`services.deployment`) and the stored edits, records the edits managers make in
chat, and tells the managers — once per stretch — when nobody will be on duty, and 60 days ahead
when the holiday calendar does not know a coming year yet.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.domain.roster import DutyRoster, Override, gaps, shifts
from bot.domain.timers import Timer, TimerKind
from bot.messages import t
from bot.services.deployment import Deployment, roster_from_config
from bot.services.holidays import years_to_flag
from bot.services.notify import Notifier
from storage.ports import Notices, RosterEdits, Timers

ROSTER_WINDOW = timedelta(days=62)
"""Overrides this far around an instant are enough to answer who is on duty then."""
GAP_LOOKAHEAD_DAYS = 30


async def stored_edits(edits: RosterEdits) -> dict[str, dict]:  # type: ignore[type-arg]
    """What managers changed from chat: rotation turn orders and local holidays / working days."""
    days = await edits.calendar_days()
    return {
        "rotation_engineers": await edits.rotation_edits(),
        "holidays": {d: name or None for d, (kind, name) in days.items() if kind == "holiday"},
        "workdays": {d: name or None for d, (kind, name) in days.items() if kind == "workday"},
        "official_years": await edits.official_years(),
    }


def calendar_of(edits: dict[str, dict]) -> dict:  # type: ignore[type-arg]
    """The calendar part of :func:`stored_edits`, as the SLA clocks and `CalendarEdits` take it."""
    return {key: edits[key] for key in ("holidays", "workdays", "official_years")}


class Roster:
    def __init__(self, deployment: Deployment, edits: RosterEdits, notices: Notices, timers: Timers,
                 notify: Notifier) -> None:
        self.deployment = deployment
        self.edits = edits
        self.notices = notices
        self.timers = timers
        self.notify = notify

    async def current(self, around: datetime) -> DutyRoster:
        """The roster at `around`: the configuration, the stored edits and the overrides near it."""
        overrides = await self.edits.overrides(around - ROSTER_WINDOW, around + ROSTER_WINDOW)
        return roster_from_config(self.deployment.config, overrides, **await stored_edits(self.edits))

    # ---- edits from chat (the conversation checked who may make them, and parsed them) ---------------
    async def cover(self, override: Override, now: datetime) -> None:
        """Somebody covers a period (sickness, leave)."""
        await self.edits.add_override(override, now)
        await self.report_gaps(now)

    async def swap(self, day: date, a: int, b: int, by: int, now: datetime) -> int:
        """A and B exchange their shifts of a local date; returns how many shifts changed hands."""
        roster = await self.current(now)
        start = datetime.combine(day, time(0), tzinfo=self.deployment.tz)
        swapped = 0
        for shift in shifts(roster, start, start + timedelta(days=1)):
            if shift.engineer_id in (a, b):
                other = b if shift.engineer_id == a else a
                await self.edits.add_override(Override(None, shift.start, shift.end, other, None, "swap",
                                                       f"swap {a}↔{b}", by), now)
                swapped += 1
        if swapped:
            await self.report_gaps(now)
        return swapped

    async def set_day(self, day: date, kind: str | None, name: str, by: int, now: datetime) -> None:
        """A local holiday or working day, or (kind None) back to the calendar's own. The caller
        reports the gaps this opens once it has confirmed the change."""
        await self.edits.set_calendar_day(day, kind, name, by, now)

    async def set_rotation(self, name: str, engineers: list[int], by: int, now: datetime) -> None:
        """A new turn order for a rotation (the caller reports the gaps, as for set_day)."""
        await self.edits.set_rotation(name, engineers, by, now)

    # ---- health -------------------------------------------------------------------------------------
    async def report_gaps(self, now: datetime, days: int = GAP_LOOKAHEAD_DAYS) -> int:
        """Tell the managers about every stretch nobody is on duty for, once per stretch."""
        roster = await self.current(now)
        found = 0
        for start, end in gaps(roster, now, now + timedelta(days=days)):
            if await self.notices.once(f"gap:{start.isoformat()}:{end.isoformat()}", now):
                found += 1
                await self.notify.tell_managers(t("duty.gap", start=start, end=end), now)
        return found

    async def check_calendar(self, now: datetime) -> None:
        """Warn the managers, once per year, when the next 60 days reach a year the calendar lacks;
        then look again tomorrow morning."""
        tz = self.deployment.tz
        today = now.astimezone(tz).date()
        if self.deployment.config.business_hours.calendar == "CN":
            for year in years_to_flag(self.deployment.base_roster.calendar, today):
                if await self.notices.once(f"calendar-year:{year}", now):
                    await self.notify.tell_managers(t("duty.unknown_year", year=year), now)
        tomorrow = datetime.combine(today + timedelta(days=1), time(8), tzinfo=tz)
        await self.timers.schedule(Timer(TimerKind.CALENDAR_CHECK, tomorrow, None, {},
                                         key=f"calendar_check:{tomorrow.date()}"))

    async def on_calendar_check(self, timer: Timer, now: datetime) -> None:
        await self.check_calendar(now)
