"""The deployment's configuration: helpdesk.toml read into typed, validated settings.

Validation happens once, at start, before anything runs: a typo'd key or a wrong type is refused with
the key's dotted path and the reason (pydantic does the checking; we only word the errors). Secrets
never live in the file: the bot token and the URLs come from the environment (:class:`Settings`).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.config_dashboard import DashboardSection
from bot.config_inspections import InspectionsSection
from bot.domain.business_hours import parse_weekday_hours
from bot.domain.devices import DEVICE_TYPES
from bot.domain.durations import parse_clock_time, parse_duration, parse_time_range
from bot.domain.severity import Severity
from bot.domain.sla import DEFAULT_TARGETS, SlaTargets

DEFAULT_API_URL = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """A setting that cannot be used; the message names the key and the reason."""


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError("a duration is a string like '10m', '2h' or '3d'")
    return parse_duration(value)


def _clock_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise ValueError("a time of day is a string like '09:00'")
    return parse_clock_time(value)


def _time_range(value: Any) -> tuple[time, time]:
    if isinstance(value, tuple):
        return value
    if not isinstance(value, str):
        raise ValueError("a range of hours is a string like '09:00-18:00'")
    return parse_time_range(value)


Duration = Annotated[timedelta, BeforeValidator(_duration)]
ClockTime = Annotated[time, BeforeValidator(_clock_time)]
TimeRange = Annotated[tuple[time, time], BeforeValidator(_time_range)]


class _Section(BaseModel):
    """Every section refuses unknown keys: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BotSection(_Section):
    timezone: str = "Asia/Shanghai"
    default_language: Literal["zh", "en"] = "zh"
    languages: tuple[Literal["zh", "en"], ...] = ("zh", "en")
    duty_chat_id: int = 0
    username: str = Field("", pattern=r"^(@?[A-Za-z][A-Za-z0-9_]{3,31})?$")
    """The bot's @username: the QR stickers' links (https://t.me/<username>?start=…) need it."""
    phone_region: str = Field("CN", min_length=2, max_length=2)
    flood_burst: int = Field(20, ge=1)
    """Messages a person (not staff) may send at once before the bot slows down for them."""
    flood_per_second: float = Field(1.0, gt=0)
    """The pace their messages are then handled at."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name like 'Asia/Shanghai'") from None
        return value


class IntakeSection(_Section):
    sites: tuple[str, ...] = ()
    max_photo_mb: int = Field(10, ge=1, le=20)


class Targets(_Section):
    respond: Duration | None = None
    onsite: Duration | None = None
    resolve: Duration | None = None

    @classmethod
    def of(cls, targets: SlaTargets) -> Targets:
        """The domain's default table as configuration defaults."""
        return cls(respond=targets.respond, onsite=targets.onsite, resolve=targets.resolve)


Clock = Literal["24x7", "business"]


class Tier(_Section):
    P1: Targets | None = None
    P2: Targets | None = None
    P3: Targets | None = None
    P4: Targets | None = None
    sites: tuple[str, ...] = ()
    reporters: tuple[int, ...] = ()
    clock: Clock | None = None
    hours: dict[str, str] = {}
    """This tier's own opening hours for its "business" clock (a contract with longer service
    hours), as [business_hours] writes them; empty: the desk's."""

    @model_validator(mode="after")
    def _hours_are_valid(self) -> Tier:
        parse_weekday_hours(self.hours)
        return self


class SlaSection(_Section):
    clock: Clock = "24x7"
    P1: Targets = Targets.of(DEFAULT_TARGETS[Severity.P1])
    P2: Targets = Targets.of(DEFAULT_TARGETS[Severity.P2])
    P3: Targets = Targets.of(DEFAULT_TARGETS[Severity.P3])
    P4: Targets = Targets.of(DEFAULT_TARGETS[Severity.P4])
    tiers: dict[str, Tier] = {}

    @model_validator(mode="after")
    def _tier_hours_need_the_business_clock(self) -> SlaSection:
        for name, tier in self.tiers.items():
            if tier.hours and (tier.clock or self.clock) != "business":
                raise ValueError(f"tiers.{name}.hours only apply to a tier on the business clock")
        return self


class BusinessHoursSection(BaseModel):
    """Opening hours per weekday ("mon-fri" = "09:00-18:00", or "09:00-12:00,13:00-18:00" with a lunch
    break), plus the holiday calendar."""

    model_config = ConfigDict(extra="allow", frozen=True)
    calendar: Literal["CN", "none"] = "CN"
    extra_holidays: tuple[date, ...] = ()
    extra_workdays: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _weekday_keys(self) -> BusinessHoursSection:
        parse_weekday_hours(self.model_extra or {})
        return self

    def hours(self) -> dict[int, tuple[tuple[time, time], ...]]:
        """Weekday number (Monday = 0) → its opening ranges (several with a lunch break)."""
        return parse_weekday_hours(self.model_extra or {}) or {day: ((time(9), time(18)),) for day in range(5)}


class Engineer(_Section):
    id: int
    name: str = Field(min_length=1)
    phone: str = ""
    tier: Literal[1, 2] = 1
    skills: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()

    @field_validator("skills")
    @classmethod
    def _known_skills(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [skill for skill in value if skill not in DEVICE_TYPES]
        if unknown:
            raise ValueError(f"unknown skill {unknown[0]!r}; use {', '.join(DEVICE_TYPES)}")
        return value


class Manager(_Section):
    id: int
    name: str = Field(min_length=1)


class Rotation(_Section):
    name: str = Field(min_length=1)
    engineers: tuple[int, ...] = Field(min_length=1)
    period: Literal["daily", "weekly"] = "weekly"
    handover: ClockTime = time(9)
    covers: Literal["workdays", "restdays", "all"] = "all"
    hours: TimeRange | None = None
    backup: str | None = None
    """The rotation whose engineer on duty backs this one up; None = the next engineer in this one."""
    start: date = date(2026, 1, 5)
    """The first period begins at the hand-over on this date with the first engineer (anchors the turn)."""


class EscalationStep(_Section):
    after: Duration
    notify: Literal["backup", "tier2", "managers", "assignee"]


class EscalationSection(_Section):
    P1: tuple[EscalationStep, ...] | None = None
    P2: tuple[EscalationStep, ...] | None = None
    P3: tuple[EscalationStep, ...] | None = None
    P4: tuple[EscalationStep, ...] | None = None
    default: tuple[EscalationStep, ...] = (
        EscalationStep(after=timedelta(minutes=30), notify="backup"),
        EscalationStep(after=timedelta(hours=1), notify="managers"),
    )
    repeat: int = Field(2, ge=0, le=20)
    sla_warning_at: float = Field(0.8, gt=0, lt=1)


class DutySection(_Section):
    engineers_may_swap: bool = False
    """Whether engineers (not only managers) may /swap and /cover duty periods themselves."""


class FollowupSection(_Section):
    confirm_wait: Duration = timedelta(hours=24)
    """How long to wait for the reporter's "fixed?" before scheduling the follow-up anyway."""
    delay: Duration = timedelta(hours=72)
    quiet_hours: TimeRange = (time(20), time(8))
    reminder: Duration = timedelta(hours=24)
    expire: Duration = timedelta(hours=72)


class Weights(_Section):
    service: float = Field(0.5, ge=0, le=1)
    reporting: float = Field(0.2, ge=0, le=1)
    satisfaction: float = Field(0.3, ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        if abs(self.service + self.reporting + self.satisfaction - 1) > 1e-6:
            raise ValueError("the weights must add up to 1")
        return self


class ReportsSection(_Section):
    monthly_day: int = Field(1, ge=1, le=28)
    monthly_time: ClockTime = time(9)
    due_by: int = Field(5, ge=1, le=28)
    """The monthly report is on time if it went out by the end of this day of the month (the
    deployment's time zone); the contracts say "by the 5th"."""
    weights: Weights = Weights()

    @model_validator(mode="after")
    def _due_after_the_push(self) -> ReportsSection:
        if self.due_by < self.monthly_day:
            raise ValueError(f"due_by ({self.due_by}) is before monthly_day ({self.monthly_day}): every "
                             "monthly report would be late")
        return self


class RetentionSection(_Section):
    days: int = Field(30, ge=2, le=3650)
    """Delivered messages (with the phone numbers in them), handled update ids and quarantined updates
    are forgotten after this many days. At least 2: Telegram redelivers an update for up to a day, and
    its id must still be known then so it is not acted on twice."""


class Config(_Section):
    bot: BotSection = BotSection()
    intake: IntakeSection = IntakeSection()
    sla: SlaSection = SlaSection()
    business_hours: BusinessHoursSection = BusinessHoursSection()
    engineers: tuple[Engineer, ...] = ()
    managers: tuple[Manager, ...] = ()
    rotations: tuple[Rotation, ...] = ()
    escalation: EscalationSection = EscalationSection()
    duty: DutySection = DutySection()
    followup: FollowupSection = FollowupSection()
    reports: ReportsSection = ReportsSection()
    retention: RetentionSection = RetentionSection()
    inspections: InspectionsSection = InspectionsSection()
    dashboard: DashboardSection = DashboardSection()

    @model_validator(mode="after")
    def _people_are_consistent(self) -> Config:
        names = [r.name for r in self.rotations]
        if len(names) != len(set(names)):
            raise ValueError("rotations: a rotation name appears twice")
        for rotation in self.rotations:
            if rotation.backup is not None and rotation.backup not in names:
                raise ValueError(f"rotations.{rotation.name}.backup: no rotation named {rotation.backup!r}")
        ids = [e.id for e in self.engineers]
        if len(ids) != len(set(ids)):
            raise ValueError("engineers: an engineer id appears twice")
        known = set(ids)
        both = [m.id for m in self.managers if m.id in known]
        if both:
            raise ValueError(
                f"managers: {both[0]} is also in [[engineers]]; one person has one role here (a manager cannot "
                "accept a page, so one listed as both would be paged and refused): keep them in one list"
            )
        for rotation in self.rotations:
            missing = [i for i in rotation.engineers if i not in known]
            if missing:
                raise ValueError(
                    f"rotations.{rotation.name}.engineers: {missing[0]} is not in [[engineers]]"
                )
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.bot.timezone)

    def role_of(self, user_id: int) -> str:
        """A user's role is the configuration's word, not something a user can claim in chat."""
        if any(m.id == user_id for m in self.managers):
            return "manager"
        if any(e.id == user_id for e in self.engineers):
            return "engineer"
        return "reporter"


def load_config(path: Path, *, required: bool = False) -> Config:
    """Read and validate the TOML file; a missing optional file means every default."""
    if not path.exists():
        if required:
            raise ConfigError(f"HELPDESK_CONFIG names {path}, and there is no such file")
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_config(data, source=str(path))


def parse_config(data: dict[str, Any], source: str = "config") -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: " + "; ".join(_describe(e) for e in exc.errors())) from None


def _describe(error: Any) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key (a typo?)"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{key}: {message}" if key else message


@dataclass(frozen=True)
class Settings:
    """What comes from the environment: the secret token and where things live."""

    token: str | None
    api_url: str
    db_path: Path
    config_path: Path
    rate_limit: bool = True
    """Keep under Telegram's limits (PTB's AIORateLimiter). Off only against a local stand-in, for
    benchmarks: HELPDESK_RATE_LIMIT=off."""
    config_required: bool = False
    """HELPDESK_CONFIG was set: the file it names must exist (a typo must not start a desk with no engineers)."""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
        if token is not None and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", token):
            raise ConfigError("TELEGRAM_BOT_TOKEN: does not look like a bot token ('123456:ABC…')")
        api_url = env.get("HELPDESK_TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
        if not re.match(r"https?://", api_url):
            raise ConfigError("HELPDESK_TELEGRAM_API_URL: must start with http:// or https://")
        rate_limit = env.get("HELPDESK_RATE_LIMIT", "on").strip().lower() or "on"
        if rate_limit not in ("on", "off"):
            raise ConfigError("HELPDESK_RATE_LIMIT: must be 'on' (the default) or 'off' (benchmarks only)")
        return cls(
            token=token,
            api_url=api_url,
            db_path=Path(env.get("HELPDESK_DB", "").strip() or "helpdesk.db"),
            config_path=Path(env.get("HELPDESK_CONFIG", "").strip() or "helpdesk.toml"),
            rate_limit=rate_limit == "on",
            config_required=bool(env.get("HELPDESK_CONFIG", "").strip()),
        )
