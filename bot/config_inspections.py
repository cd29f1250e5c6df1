"""`[inspections]` of helpdesk.toml: preventive maintenance (巡检) classes, windows and checklists.

Its own module because the configuration file's module is full; the section is validated like every
other (unknown keys refused, the key named), and `bot/services/deployment.py` turns it into the
domain's `InspectionPolicy`. No `[[inspections.classes]]` means no inspections: the contracts ask for
them, but a deployment without an asset register has nothing to inspect, so the example enables them.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from bot.domain.devices import DEVICE_TYPES
from bot.domain.durations import parse_clock_time, parse_duration
from bot.domain.inspection import CHECK_ITEMS


def _clock(value: object) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise ValueError("a time of day is a string like '09:00'")
    return parse_clock_time(value)


def duration_value(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError("a duration is a string like '24h'")
    return parse_duration(value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InspectionClassSection(_Strict):
    """One class: which assets (empty lists and no `core` mean every asset) and how often."""

    name: str = Field(min_length=1, max_length=40)
    every: Literal["month", "quarter", "weeks"]
    weeks: int = Field(0, ge=0, le=52)
    window: int = Field(10, ge=1, le=60)
    device_types: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    core: bool | None = None

    @field_validator("device_types")
    @classmethod
    def _known_devices(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [d for d in value if d not in DEVICE_TYPES]
        if unknown:
            raise ValueError(f"unknown device type {unknown[0]!r}; use {', '.join(DEVICE_TYPES)}")
        return value

    @model_validator(mode="after")
    def _weeks_with_weeks(self) -> InspectionClassSection:
        if (self.every == "weeks") != (self.weeks > 0):
            raise ValueError("every = \"weeks\" needs weeks = N (1–52), and weeks is only for it")
        return self


class InspectionsSection(_Strict):
    classes: tuple[InspectionClassSection, ...] = ()
    start_at: Annotated[time, BeforeValidator(_clock)] = time(9)
    finish_within: Annotated[timedelta, BeforeValidator(duration_value)] = timedelta(hours=24)
    checklists: dict[str, tuple[str, ...]] = {}
    """Device type → item ids, replacing that type's default list (bot/domain/inspection.py)."""

    @field_validator("checklists")
    @classmethod
    def _known_items(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for device, items in value.items():
            if device not in DEVICE_TYPES:
                raise ValueError(f"{device}: unknown device type; use {', '.join(DEVICE_TYPES)}")
            if not items:
                raise ValueError(f"{device}: an empty checklist (leave the type out for the default)")
            unknown = [i for i in items if i not in CHECK_ITEMS]
            if unknown:
                raise ValueError(f"{device}: unknown item {unknown[0]!r}; use {', '.join(CHECK_ITEMS)}")
        return value

    @model_validator(mode="after")
    def _names_unique(self) -> InspectionsSection:
        names = [c.name for c in self.classes]
        if len(names) != len(set(names)):
            raise ValueError("classes: a class name appears twice")
        if self.finish_within <= timedelta(0):
            raise ValueError("finish_within must be positive")
        return self
