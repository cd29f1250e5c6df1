"""The report's summary lines and its JSON: what `/report` says and `helpdesk report` prints.

The summary is data ((text key, params) pairs) so the bot renders it in the manager's language like
every other text. The chart (`chart.py`) and the workbook (`workbook.py`) use the label and period
helpers at the end of this module. Nothing here imports matplotlib or openpyxl: the bot and the CLI
import this module for the summary and should not pay for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, timedelta, tzinfo
from typing import Any

from bot.domain.inspection_visit import InspectionFigures
from bot.domain.kpi import Kpis, ReportData
from bot.domain.score import DEFAULT_RULES, QuarterScore, ScoreRules
from bot.domain.targets import SPECS, KpiSpec, Rule
from bot.messages import Text
from bot.texts import TEXTS, render

Line = tuple[str, dict[str, Any]]


# ---- numbers as people read them --------------------------------------------------------------------
def format_value(spec: KpiSpec, value: float | None) -> str | None:
    """96.2% for a share, 4.31 for the mean rating; None stays None (the text says "no data")."""
    if value is None:
        return None
    return f"{value * 100:.1f}%" if spec.share else f"{value:.2f}"


def format_target(spec: KpiSpec, bound: float | None) -> str | None:
    """"≥ 95%", "≤ 15%", "≥ 4.0"; None when the contracts set no target."""
    if bound is None:
        return None
    sign = "≥" if spec.target.rule is Rule.AT_LEAST else "≤"
    number = f"{bound * 100:g}%" if spec.share else f"{bound:.1f}"
    return f"{sign} {number}"


def _count(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _mark(met: bool | None) -> str | None:
    return None if met is None else ("✅" if met else "❌")


# ---- the summary --------------------------------------------------------------------------------------
def summary(kpis: Kpis, score: QuarterScore | None, *, rules: ScoreRules = DEFAULT_RULES) -> list[Line]:
    """The lines of the short report, as (text key, params) for the manager's language.

    Each figure says what it rests on ("25/26"; "n = 26" for the mean) so nobody reads 100% of two
    tickets as a good month."""
    lines: list[Line] = []
    if kpis.start is not None and kpis.end is not None:
        # the last minute of the period, so a month reads "11-01 00:00 – 11-30 23:59", not "– 12-01 00:00"
        lines.append(("report.summary.period", {"start": kpis.start, "end": kpis.end - timedelta(minutes=1)}))
    for kind, value in kpis.selection:
        lines.append((f"report.summary.filter.{kind}", {"value": value}))
    if kpis.tickets == 0:
        lines.append(("report.summary.nothing", {}))
    else:
        lines.append(("report.summary.volume", {"tickets": kpis.tickets, "cancelled": kpis.cancelled,
                                                 "breaches": kpis.open_breaches}))
        if kpis.approximate:
            lines.append(("report.summary.approximate", {"tickets": kpis.approximate}))
    for name, figure in kpis.figures():
        spec = SPECS[name]
        basis = f"{_count(figure.numerator)}/{figure.denominator}" if spec.share else f"n = {figure.denominator}"
        lines.append(("report.summary.figure", {
            "name": Text(f"report.kpi.{name}", {}), "value": format_value(spec, figure.value), "basis": basis,
            "target": format_target(spec, figure.target), "mark": _mark(figure.met),
        }))
    if kpis.tickets:
        lines.append(("report.summary.severity", {level.lower(): n for level, n in kpis.by_severity.items()}))
        lines.append(("report.summary.devices", {}))
        lines += [("report.summary.device", {"device": Text(f"device.{device}", {}), "count": n})
                  for device, n in kpis.by_device.items()]
    if kpis.inspections is not None:
        lines.append(("report.summary.inspections", inspection_params(kpis.inspections)))
    if score is not None:
        if score.total is None or score.pay_share is None:
            lines.append(("report.summary.score_na", {
                "lacking": Text("report.lacking." + "_and_".join(score.lacking), {})}))
        else:
            lines.append(("report.summary.score", {"total": f"{score.total:.1f}",
                                                    "pay": f"{score.pay_share * 100:.0f}%"}))
        lines.append(("report.summary.score_parts", {"service": _points(score.service),
                                                      "reporting": _points(score.reporting),
                                                      "satisfaction": _points(score.satisfaction)}))
        lines += [(f"report.deduction.{code}", {"points": f"{points:g}", "threshold": f"{rules.threshold * 100:g}%"})
                  for code, points in score.deductions]
    return lines


def inspection_params(figures: InspectionFigures) -> dict[str, Any]:
    rate = figures.on_time_rate
    return {"due": figures.due, "on_time": figures.done_on_time, "rate": f"{rate * 100:.1f}%" if rate is not None
            else "—", "late": figures.done_late, "missed": figures.missed, "open": figures.under_way,
            "devices": figures.devices, "findings": figures.findings, "warnings": figures.warnings}


def _points(value: float | None) -> str | None:
    return f"{value:g}" if value is not None else None


def as_json(kpis: Kpis, score: QuarterScore | None, tz: tzinfo) -> dict[str, Any]:
    """Every figure with what it rests on, for scripts and spreadsheets (`helpdesk report --json`).

    Shares are fractions (0.962), not percentages; "rule" says which side of the target passes."""
    start, end = kpis.start, kpis.end
    result: dict[str, Any] = {
        "period": {
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "from": start.astimezone(tz).date().isoformat() if start else None,
            "to": (end - timedelta(microseconds=1)).astimezone(tz).date().isoformat() if end else None,
            "timezone": getattr(tz, "key", str(tz)),
        },
        "as_of": kpis.as_of.isoformat() if kpis.as_of else None,
        "selection": dict(kpis.selection),
        "tickets": kpis.tickets,
        "cancelled": kpis.cancelled,
        "open_breaches": kpis.open_breaches,
        "approximate_deadlines": kpis.approximate,
        "by_severity": kpis.by_severity,
        "by_device": kpis.by_device,
        "figures": {
            name: {"value": figure.value, "numerator": figure.numerator, "denominator": figure.denominator,
                   "target": figure.target, "rule": SPECS[name].target.rule.value, "met": figure.met}
            for name, figure in kpis.figures()
        },
        "reports": {"due": kpis.reports_due, "late": kpis.reports_late},
    }
    if kpis.inspections is not None:
        found = kpis.inspections
        result["inspections"] = {"due": found.due, "done_on_time": found.done_on_time, "done_late": found.done_late,
                                 "missed": found.missed, "under_way": found.under_way,
                                 "on_time_rate": found.on_time_rate, "devices_inspected": found.devices,
                                 "faults_found": found.findings, "consumable_warnings": found.warnings}
    if score is not None:
        result["score"] = {"service": score.service, "reporting": score.reporting,
                           "satisfaction": score.satisfaction, "total": score.total, "pay_share": score.pay_share,
                           "lacking": list(score.lacking),
                           "deductions": [{"code": code, "amount": amount} for code, amount in score.deductions]}
    return result


def render_line(key: str, params: Mapping[str, Any], lang: str, tz: tzinfo) -> str:
    """One text in `lang`, rendered exactly as the bot renders its own messages."""
    return render(Text(key, dict(params)), lang, tz)


def render_lines(lines: Sequence[Line], lang: str, tz: tzinfo) -> str:
    return "\n".join(render_line(key, params, lang, tz) for key, params in lines)


def label(key: str, lang: str, **params: Any) -> str:
    """A label of the chart or the workbook in `lang`; its parameters are plain strings, so UTC will do."""
    return render_line(key, params, lang, UTC)


def device_label(code: str, lang: str) -> str:
    """The device's name in `lang` (the `device.*` texts every flow shows); an unknown code as it is."""
    key = f"device.{code}"
    return label(key, lang) if key in TEXTS["en"] else code


def period_dates(kpis: Kpis, data: ReportData, tz: tzinfo) -> tuple[str, str]:
    """The period as local dates, the last day inclusive ("2026-11-01", "2026-11-30")."""
    start = kpis.start or data.start
    end = kpis.end or data.end
    last = max(start, end - timedelta(microseconds=1))
    return start.astimezone(tz).date().isoformat(), last.astimezone(tz).date().isoformat()
