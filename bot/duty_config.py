"""From the loaded configuration to the domain's duty roster and business-hours clock.

The domain objects take plain data; this is the one place that knows how the [business_hours],
[[engineers]] and [[rotations]] sections map onto them, so the bot, the CLI and the services build
them the same way. Overrides live in the database and are passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from bot.config import Config
from bot.domain.business_hours import BusinessHoursClock
from bot.domain.calendar import WorkCalendar
from bot.domain.roster import DutyRoster, EngineerInfo, Override, RotationRule
from bot.holiday_calendar import calendar_from_config


def work_calendar(
    config: Config,
    holidays: Mapping[date, str | None] | None = None,
    workdays: Mapping[date, str | None] | None = None,
) -> WorkCalendar:
    """The configured calendar, plus local days stored later (they win over the configuration's)."""
    calendar = calendar_from_config(config.business_hours)
    return calendar.with_extras(holidays, workdays) if holidays or workdays else calendar


def roster_from_config(
    config: Config,
    overrides: Iterable[Override] = (),
    *,
    rotation_engineers: Mapping[str, Sequence[int]] | None = None,
    holidays: Mapping[date, str | None] | None = None,
    workdays: Mapping[date, str | None] | None = None,
) -> DutyRoster:
    """The duty roster the configuration describes, with the given overrides applied on top.

    `rotation_engineers` replaces a rotation's engineer list by rotation name (an edit a manager made
    from chat, stored apart from the file); `holidays`/`workdays` are local days stored the same way.
    A name that matches no rotation is ignored: the configuration decides which rotations exist.
    """
    edits = rotation_engineers or {}
    engineers = {
        e.id: EngineerInfo(
            id=e.id, name=e.name, phone=e.phone, tier=e.tier, skills=tuple(e.skills), sites=tuple(e.sites)
        )
        for e in config.engineers
    }
    rotations = tuple(
        RotationRule(
            name=r.name,
            engineers=tuple(edits.get(r.name, r.engineers)),
            period=r.period,
            handover=r.handover,
            covers=r.covers,
            hours=r.hours,
            backup=r.backup,
            start=r.start,
        )
        for r in config.rotations
    )
    return DutyRoster(
        engineers=engineers,
        rotations=rotations,
        overrides=tuple(overrides),
        calendar=work_calendar(config, holidays, workdays),
        tz=config.tz,
    )


def business_clock_from_config(
    config: Config,
    holidays: Mapping[date, str | None] | None = None,
    workdays: Mapping[date, str | None] | None = None,
) -> BusinessHoursClock:
    """The SLA clock for tiers and policies whose clock is "business"."""
    return BusinessHoursClock(
        hours=config.business_hours.hours(),
        calendar=work_calendar(config, holidays, workdays),
        tz=config.tz,
    )
