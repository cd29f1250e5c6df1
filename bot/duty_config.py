"""From the loaded configuration to the domain's duty roster and business-hours clock.

The domain objects take plain data; this is the one place that knows how the [business_hours],
[[engineers]] and [[rotations]] sections map onto them, so the bot, the CLI and the services build
them the same way. Overrides live in the database and are passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.config import Config
from bot.domain.business_hours import BusinessHoursClock
from bot.domain.roster import DutyRoster, EngineerInfo, Override, RotationRule
from bot.holiday_calendar import calendar_from_config


def roster_from_config(config: Config, overrides: Iterable[Override] = ()) -> DutyRoster:
    """The duty roster the configuration describes, with the given overrides applied on top."""
    engineers = {
        e.id: EngineerInfo(
            id=e.id, name=e.name, phone=e.phone, tier=e.tier, skills=tuple(e.skills), sites=tuple(e.sites)
        )
        for e in config.engineers
    }
    rotations = tuple(
        RotationRule(
            name=r.name,
            engineers=tuple(r.engineers),
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
        calendar=calendar_from_config(config.business_hours),
        tz=config.tz,
    )


def business_clock_from_config(config: Config) -> BusinessHoursClock:
    """The SLA clock for tiers and policies whose clock is "business"."""
    return BusinessHoursClock(
        hours=config.business_hours.hours(),
        calendar=calendar_from_config(config.business_hours),
        tz=config.tz,
    )
