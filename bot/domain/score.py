"""The quarterly score that decides the pay: service, reporting and satisfaction points, weighted.

Constants are one contract's (domain.md) and configurable; every deduction is listed with its reason,
so a manager can explain the number to the customer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from bot.domain.kpi import Kpis


class _WeightsLike(Protocol):
    service: float
    reporting: float
    satisfaction: float


Weights = tuple[float, float, float]


def as_weights(weights: Weights | _WeightsLike) -> Weights:
    """(service, reporting, satisfaction) from a tuple or the configuration's [reports.weights]."""
    if hasattr(weights, "service"):
        values = (weights.service, weights.reporting, weights.satisfaction)  # type: ignore[union-attr]
    else:
        values = tuple(weights)  # type: ignore[arg-type]
    if len(values) != 3 or any(w < 0 for w in values) or abs(sum(values) - 1) > 1e-6:
        raise ValueError("the weights are three non-negative numbers that add up to 1")
    return (float(values[0]), float(values[1]), float(values[2]))


@dataclass(frozen=True)
class ScoreRules:
    """The contract's scoring constants, with one contract's figures as defaults (domain.md)."""

    threshold: float = 0.90
    """Attainment below this costs service points…"""
    step: float = 0.05
    points_per_step: float = 10.0
    """…this many per started step below it (88% and 85% cost 10, 84.9% costs 20)."""
    points_per_late_report: float = 10.0
    points_per_missed_inspection: float = 10.0
    """A visit list not done by its window's end costs like a missing report (domain.md, 巡检)."""
    full_pay_from: float = 90.0
    reduced_pay_below: float = 75.0
    reduced_pay: float = 0.80
    pay_cut_per_false_report: float = 0.10


DEFAULT_RULES = ScoreRules()


@dataclass(frozen=True)
class QuarterScore:
    """Points 0–100 per part, the deductions that made them, the weighted total and the pay share.

    `deductions` are (code, amount): service and reporting codes in points of their part;
    "false_reports" in percentage points of pay. A part with nothing to measure is None and named in
    `lacking` ("service": no ticket reached or missed a deadline; "satisfaction": no rating); then
    there is no total and no pay share either: a score made of defaults would be a number nobody
    can defend."""

    service: float | None
    reporting: float
    satisfaction: float | None
    deductions: list[tuple[str, float]]
    total: float | None
    pay_share: float | None
    lacking: tuple[str, ...] = ()


def quarter_score(kpis: Kpis, weights: Weights | _WeightsLike = (0.5, 0.2, 0.3), *, false_reports: int = 0,
                  rules: ScoreRules = DEFAULT_RULES) -> QuarterScore:
    """The quarterly score: 50% on-site service, 20% reporting, 30% satisfaction by default.

    - service = 100 − 10 points per started 5% that response attainment is below 90%, and the same
      for on-site attainment (both are the on-site service the part pays for); a figure with
      nothing to count costs nothing, and with neither to count the part cannot be scored.
    - reporting = 100 − 10 per monthly report late or missing, and − 10 per inspection visit missed
      (not done by the end of its window); never below 0. A visit done late is on record, not missed.
    - satisfaction = share of ratings 3–5 × 100; with no rating at all it cannot be scored.
    - pay: total ≥ 90 pays 100%, below 75 pays 80%, in between linearly from 80% to 100% (no cliff
      at a single point); then −10% of pay per false report, never below 0.
    - a part that cannot be scored leaves the total and the pay "n/a" (`lacking` says which).
    """
    w_service, w_reporting, w_satisfaction = as_weights(weights)
    deductions: list[tuple[str, float]] = []
    lacking: list[str] = []
    service: float | None = 100.0
    attainments = [getattr(kpis, name).value for name in ("response_attainment", "onsite_attainment")]
    if all(value is None for value in attainments):
        service = None
        lacking.append("service")
    for name, value in zip(("response_attainment", "onsite_attainment"), attainments, strict=True):
        if service is None or value is None or value >= rules.threshold - 1e-12:
            continue
        steps = math.ceil((rules.threshold - value) / rules.step - 1e-9)
        points = min(steps * rules.points_per_step, service)
        if points:
            deductions.append((name, points))
            service -= points
    late = max(kpis.reports_late, 0)
    reporting = max(100.0 - late * rules.points_per_late_report, 0.0)
    if late:
        deductions.append(("monthly_reports", 100.0 - reporting))
    missed = kpis.inspections.missed if kpis.inspections is not None else 0
    if missed:
        points = min(missed * rules.points_per_missed_inspection, reporting)
        if points:
            deductions.append(("inspections", points))
            reporting -= points
    share = kpis.satisfaction_share.value
    satisfaction = round(share * 100, 2) if share is not None else None
    if satisfaction is None:
        lacking.append("satisfaction")
    if false_reports > 0:
        deductions.append(("false_reports", round(false_reports * rules.pay_cut_per_false_report * 100, 2)))
    if service is None or satisfaction is None:
        return QuarterScore(service=service, reporting=reporting, satisfaction=satisfaction,
                            deductions=deductions, total=None, pay_share=None, lacking=tuple(lacking))
    total = round(w_service * service + w_reporting * reporting + w_satisfaction * satisfaction, 2)
    pay = max(_pay_share(total, rules) - max(false_reports, 0) * rules.pay_cut_per_false_report, 0.0)
    return QuarterScore(service=service, reporting=reporting, satisfaction=satisfaction, deductions=deductions,
                        total=total, pay_share=round(pay, 4))


def _pay_share(total: float, rules: ScoreRules) -> float:
    if total >= rules.full_pay_from:
        return 1.0
    if total < rules.reduced_pay_below:
        return rules.reduced_pay
    span = rules.full_pay_from - rules.reduced_pay_below
    return rules.reduced_pay + (1.0 - rules.reduced_pay) * (total - rules.reduced_pay_below) / span
