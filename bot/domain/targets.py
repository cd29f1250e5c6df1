"""What each KPI must reach: the contracts' defaults (domain.md), in the order a report lists them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


@dataclass(frozen=True)
class Target:
    """What a figure must reach; `bound` None means the contracts set no target for it."""

    bound: float | None
    rule: Rule = Rule.AT_LEAST

    def met(self, value: float | None) -> bool | None:
        if value is None or self.bound is None:
            return None
        return value >= self.bound - 1e-12 if self.rule is Rule.AT_LEAST else value <= self.bound + 1e-12


@dataclass(frozen=True)
class KpiSpec:
    """A figure's name (the Kpis field), its default target, and whether it is a share (shown in %)."""

    name: str
    target: Target
    share: bool = True


KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("response_attainment", Target(0.95)),
    KpiSpec("onsite_attainment", Target(0.90)),
    KpiSpec("resolve_attainment", Target(0.90)),
    KpiSpec("resolution_rate", Target(0.90)),
    KpiSpec("first_visit_resolution", Target(0.95)),
    KpiSpec("satisfaction_share", Target(0.90)),
    KpiSpec("satisfaction_mean", Target(4.0), share=False),
    KpiSpec("repeat_repair_rate", Target(0.15, Rule.AT_MOST)),
    KpiSpec("deflection_rate", Target(0.30)),
    KpiSpec("survey_response_rate", Target(None)),
)
"""The figures in report order, with domain.md's defaults. Deflection: the contracts expect 30–50% of
requests to end in self-service; 30% is the bar, more is never a failure."""
DEFAULT_TARGETS: Mapping[str, Target] = {spec.name: spec.target for spec in KPIS}
SPECS: Mapping[str, KpiSpec] = {spec.name: spec for spec in KPIS}
