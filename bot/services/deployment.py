"""The one mapping from the configuration to the domain: roster, calendar, SLA, escalation, permissions.

`helpdesk.toml` is validated into `bot.config.Config` (pydantic models that know keys and types);
the domain takes plain frozen data. This module is the only place that knows how the one becomes the
other, so the bot, the CLI, the doctor and the tests build the same roster, the same SLA clock and
the same permission table from the same file. Edits made from chat (rotation turn orders, local
holidays, overrides) live in the database and are laid on top by the caller (see services.roster).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from bot.config import BusinessHoursSection, Config, Targets
from bot.domain.business_hours import BusinessHoursClock, parse_weekday_hours
from bot.domain.calendar import WorkCalendar
from bot.domain.escalation import EscalationPolicy, EscalationStep
from bot.domain.flood import FloodPolicy
from bot.domain.inspection import DEFAULT_CHECKLISTS, Cadence, Every, InspectionClass, InspectionPolicy
from bot.domain.periods import report_due_by
from bot.domain.permissions import DEFAULT_PERMISSIONS, Act, Permissions, Role
from bot.domain.roster import DutyRoster, EngineerInfo, Override, RotationRule
from bot.domain.severity import Severity
from bot.domain.sla import RoundTheClock, SlaClock, SlaPolicy, SlaTargets, SlaTier
from bot.services.holidays import china_calendar


def calendar_from_config(section: BusinessHoursSection) -> WorkCalendar:
    """The calendar the [business_hours] section asks for: "CN" or "none" (weekends only)."""
    if section.calendar == "CN":
        return china_calendar(section.extra_holidays, section.extra_workdays)
    return WorkCalendar.weekends_only(section.extra_holidays, section.extra_workdays)


def work_calendar(
    config: Config,
    holidays: Mapping[date, str | None] | None = None,
    workdays: Mapping[date, str | None] | None = None,
    official_years: Iterable[int] = (),
) -> WorkCalendar:
    """The configured calendar, plus local days stored later (they win over the configuration's) and
    the years whose official schedule was loaded from a file."""
    calendar = calendar_from_config(config.business_hours)
    years = frozenset(official_years)
    return calendar.with_extras(holidays, workdays, years) if holidays or workdays or years else calendar


def roster_from_config(
    config: Config,
    overrides: Iterable[Override] = (),
    *,
    rotation_engineers: Mapping[str, Sequence[int]] | None = None,
    holidays: Mapping[date, str | None] | None = None,
    workdays: Mapping[date, str | None] | None = None,
    official_years: Iterable[int] = (),
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
        calendar=work_calendar(config, holidays, workdays, official_years),
        tz=config.tz,
    )


def business_clock_from_config(
    config: Config,
    holidays: Mapping[date, str | None] | None = None,
    workdays: Mapping[date, str | None] | None = None,
    official_years: Iterable[int] = (),
) -> BusinessHoursClock:
    """The SLA clock for tiers and policies whose clock is "business"."""
    return BusinessHoursClock(
        hours=config.business_hours.hours(),
        calendar=work_calendar(config, holidays, workdays, official_years),
        tz=config.tz,
    )


def monthly_report_deadline(config: Config) -> Callable[[datetime], datetime]:
    """When a monthly report pushed at a given instant must have gone out by (`[reports] due_by`)."""
    day, tz = config.reports.due_by, config.tz
    return lambda due_at: report_due_by(due_at, day, tz)


def tier_clock(name: str) -> str:
    """The clock name of a tier with its own business hours ("business:vip")."""
    return f"business:{name}"


def sla_clocks(config: Config, holidays: Mapping[date, str | None] | None = None,
               workdays: Mapping[date, str | None] | None = None,
               official_years: Iterable[int] = ()) -> Mapping[str, SlaClock]:
    """The SLA clocks a ticket's terms name: "24x7", "business", and "business:<tier>" for each tier
    with hours of its own (all with the local holidays and working days managers set from chat or
    loaded from a file, as the roster has them)."""
    business = business_clock_from_config(config, holidays, workdays, official_years)
    clocks: dict[str, SlaClock] = {"24x7": RoundTheClock(), "business": business}
    for name, tier in config.sla.tiers.items():
        if tier.hours:
            clocks[tier_clock(name)] = BusinessHoursClock(parse_weekday_hours(tier.hours), business.calendar,
                                                          config.tz)
    return clocks


class DutyGroup:
    """What Telegram said at start of the staff group (bot.duty_chat_id): a forum (topics on) gets a
    topic per ticket; a plain group, or none, gets the cards as before."""

    def __init__(self) -> None:
        self.forum = False


class CalendarEdits:
    """The local holidays and working days managers set from chat (`/holiday`): loaded at start and
    replaced after each edit commits, so the SLA clock closes on a declared holiday as the roster does."""

    def __init__(self) -> None:
        self.holidays: dict[date, str | None] = {}
        self.workdays: dict[date, str | None] = {}
        self.official_years: frozenset[int] = frozenset()
        self.version = 0

    def replace(self, holidays: Mapping[date, str | None], workdays: Mapping[date, str | None],
                official_years: Iterable[int] = ()) -> None:
        self.holidays, self.workdays = dict(holidays), dict(workdays)
        self.official_years = frozenset(official_years)
        self.version += 1


def _targets(section: Targets) -> SlaTargets:
    return SlaTargets(section.respond, section.onsite, section.resolve)


def sla_policy(config: Config) -> SlaPolicy:
    """The [sla] table and its tiers."""
    sla = config.sla
    base = {level: _targets(getattr(sla, level.value)) for level in Severity}
    tiers = tuple(
        SlaTier(
            name=name,
            targets={level: _targets(targets) for level in Severity
                     if (targets := getattr(tier, level.value)) is not None},
            sites=frozenset(tier.sites),
            reporters=frozenset(tier.reporters),
            clock=tier_clock(name) if tier.hours else tier.clock,
        )
        for name, tier in sla.tiers.items()
    )
    return SlaPolicy(targets=base, tiers=tiers, clock=sla.clock)


def escalation_policy(config: Config, severity: Severity) -> EscalationPolicy:
    """The [escalation] chain for a severity (its own, else the default), frozen onto a new ticket."""
    section = config.escalation
    steps = getattr(section, severity.value) or section.default
    return EscalationPolicy(tuple(EscalationStep(s.after, s.notify) for s in steps), section.repeat)


def permissions(config: Config) -> Permissions:
    """The permission table, with what the deployment grants beyond the defaults."""
    table = DEFAULT_PERMISSIONS
    if config.duty.engineers_may_swap:
        table = table.granting(Act.SWAP_SHIFTS, Role.ENGINEER)
    return table


def inspection_policy(config: Config) -> InspectionPolicy:
    """[inspections] as the planner needs it: the classes in order, the default checklists with the
    deployment's own lists on top."""
    section = config.inspections
    classes = tuple(
        InspectionClass(c.name, Cadence(Every(c.every), c.weeks), c.window, frozenset(c.device_types),
                        frozenset(c.sites), c.core)
        for c in section.classes
    )
    return InspectionPolicy(classes, {**DEFAULT_CHECKLISTS, **section.checklists}, section.start_at,
                            section.finish_within)


@dataclass(frozen=True)
class Deployment:
    """This deployment's configuration as the domain needs it, built once at start."""

    config: Config
    calendar: CalendarEdits = field(default_factory=CalendarEdits, compare=False)
    duty_group: DutyGroup = field(default_factory=DutyGroup, compare=False)

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    @property
    def default_language(self) -> str:
        return self.config.bot.default_language

    @cached_property
    def base_roster(self) -> DutyRoster:
        """The roster of the file alone, without the edits made from chat."""
        return roster_from_config(self.config)

    @property
    def sla_clocks(self) -> Mapping[str, SlaClock]:
        """The clocks with the calendar as it is now (rebuilt only after a `/holiday` edit)."""
        cached = self.__dict__.get("_clocks")
        if cached is None or cached[0] != self.calendar.version:
            cached = (self.calendar.version, sla_clocks(self.config, self.calendar.holidays, self.calendar.workdays,
                                                        self.calendar.official_years))
            object.__setattr__(self, "_clocks", cached)
        return cached[1]

    @cached_property
    def sla_policy(self) -> SlaPolicy:
        return sla_policy(self.config)

    @cached_property
    def permissions(self) -> Permissions:
        return permissions(self.config)

    @cached_property
    def inspections(self) -> InspectionPolicy:
        return inspection_policy(self.config)

    @cached_property
    def managers(self) -> tuple[int, ...]:
        return tuple(m.id for m in self.config.managers)

    @cached_property
    def staff(self) -> frozenset[int]:
        """The engineers and managers: known people, whom the flood throttle leaves alone."""
        return frozenset((*self.base_roster.engineers, *self.managers))

    @cached_property
    def flood_policy(self) -> FloodPolicy:
        bot = self.config.bot
        return FloodPolicy(burst=bot.flood_burst, per_second=bot.flood_per_second)

    def escalation(self, severity: Severity) -> EscalationPolicy:
        return escalation_policy(self.config, severity)

    def engineer(self, engineer_id: int | None) -> EngineerInfo | None:
        return self.base_roster.engineers.get(engineer_id) if engineer_id is not None else None

    def engineer_name(self, engineer_id: int | None) -> str:
        """How an engineer is named to others: the configured name, else the id."""
        info = self.engineer(engineer_id)
        return info.name if info else str(engineer_id)

    def role_of(self, user_id: int) -> str:
        """A user's staff role comes from the configuration, never from anything a user can send."""
        return self.config.role_of(user_id)
