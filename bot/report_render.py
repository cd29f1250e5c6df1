"""Turning computed KPIs into what a manager reads: summary lines, a PNG chart, an Excel workbook.

The summary is data ((text key, params) pairs) so the bot renders it in the manager's language like
every other text; the chart and the workbook are rendered here in `lang`. matplotlib and openpyxl
are imported on first use: the bot imports this module for the summary and should not pay for them.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Any

from bot.chat.report_texts import REPORT_TEXTS
from bot.domain.followup import FollowUp
from bot.domain.kpi import (
    DEFAULT_RULES,
    KPIS,
    SPECS,
    Facts,
    Kpis,
    KpiSpec,
    MilestoneOutcome,
    QuarterScore,
    ReportData,
    Rule,
    ScoreRules,
    Target,
    cohort,
    effective_deadline,
    facts_of,
    milestone_outcome,
    paused_before,
    ratings_histogram,
    weekly_attainment,
)
from bot.domain.ticket import Ticket
from bot.messages import Text

log = logging.getLogger(__name__)

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
        lines += [("report.summary.device", {"device": Text(f"report.device.{device}", {}), "count": n})
                  for device, n in kpis.by_device.items()]
    if score is not None:
        lines.append(("report.summary.score", {"total": f"{score.total:.1f}", "pay": f"{score.pay_share * 100:.0f}%"}))
        lines.append(("report.summary.score_parts", {"service": f"{score.service:g}",
                                                      "reporting": f"{score.reporting:g}",
                                                      "satisfaction": f"{score.satisfaction:g}"}))
        lines += [(f"report.deduction.{code}", {"points": f"{points:g}", "threshold": f"{rules.threshold * 100:g}%"})
                  for code, points in score.deductions]
    return lines


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
        "by_severity": kpis.by_severity,
        "by_device": kpis.by_device,
        "figures": {
            name: {"value": figure.value, "numerator": figure.numerator, "denominator": figure.denominator,
                   "target": figure.target, "rule": SPECS[name].target.rule.value, "met": figure.met}
            for name, figure in kpis.figures()
        },
        "reports": {"due": kpis.reports_due, "late": kpis.reports_late},
    }
    if score is not None:
        result["score"] = {"service": score.service, "reporting": score.reporting,
                           "satisfaction": score.satisfaction, "total": score.total, "pay_share": score.pay_share,
                           "deductions": [{"code": code, "amount": amount} for code, amount in score.deductions]}
    return result


def render_line(key: str, params: Mapping[str, Any], lang: str, tz: tzinfo) -> str:
    """One text in `lang`, rendered exactly as the bot renders its own messages."""
    from bot.chat.render import render

    return render(Text(key, dict(params)), lang, tz)


def render_lines(lines: Sequence[Line], lang: str, tz: tzinfo) -> str:
    return "\n".join(render_line(key, params, lang, tz) for key, params in lines)


def _label(key: str, lang: str, **params: Any) -> str:
    return render_line(key, params, lang, UTC)


def _device(code: str, lang: str) -> str:
    key = f"report.device.{code}"
    return _label(key, lang) if key in REPORT_TEXTS["en"] else code


def _period(kpis: Kpis, data: ReportData, tz: tzinfo) -> tuple[str, str]:
    """The period as local dates, the last day inclusive ("2026-11-01", "2026-11-30")."""
    start = kpis.start or data.start
    end = kpis.end or data.end
    last = max(start, end - timedelta(microseconds=1))
    return start.astimezone(tz).date().isoformat(), last.astimezone(tz).date().isoformat()


# ---- the chart ----------------------------------------------------------------------------------------
_RENDER_LOCK = threading.Lock()
"""matplotlib's settings are process-wide; one chart at a time keeps a zh chart's font out of an en one."""
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei")
_MPLFONTS_FILE = "NotoSansCJKsc-Regular.otf"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a Simplified-Chinese font matplotlib can use, registering mplfonts' Noto
    Sans CJK SC (OFL) when no such font is installed on the system; None when there is none at all."""
    from matplotlib import font_manager

    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    spec = importlib.util.find_spec("mplfonts")  # only its font files are wanted: find, do not import
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / _MPLFONTS_FILE
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    return None


def _chart_language(lang: str) -> tuple[str, list[str]]:
    """The language the chart can really be drawn in, and the font families to draw it with."""
    if lang != "zh":
        return lang, ["DejaVu Sans"]
    family = cjk_font()
    if family is None:
        log.warning("no Chinese font for the chart (install mplfonts); drawing it with English labels")
        return "en", ["DejaVu Sans"]
    return "zh", [family, "DejaVu Sans"]


_RATING_COLOURS = ("#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")


def chart_png(data: ReportData, kpis: Kpis, now: datetime, lang: str, *, tz: tzinfo = UTC) -> bytes:
    """One PNG with three panels: response attainment per week, the 1–5 ratings, tickets by device.

    `data` is the same view `kpis` was computed from (use :func:`bot.domain.kpi.filtered` for a
    selection). Weeks are the local ISO weeks of `tz`."""
    import matplotlib
    from matplotlib.figure import Figure

    lang, families = _chart_language(lang)
    target = kpis.response_attainment.target
    weeks = weekly_attainment(data, now, tz=tz, target=Target(target))
    ratings = ratings_histogram(data)
    first, last = _period(kpis, data, tz)
    with _RENDER_LOCK, matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False,
                                              "font.size": 10}):
        figure = Figure(figsize=(10, 8), dpi=110, layout="constrained")
        grid = figure.add_gridspec(2, 2, height_ratios=(1, 1.1))
        title = _label("report.chart.title", lang, start=first, end=last)
        if kpis.selection:
            title += "  ·  " + ", ".join(value for _, value in kpis.selection)
        weight = "normal" if lang == "zh" else "bold"  # the bundled CJK font has no bold face
        figure.suptitle(title, fontsize=14, fontweight=weight)
        _weekly_panel(figure.add_subplot(grid[0, :]), weeks, target, lang, weight)
        _ratings_panel(figure.add_subplot(grid[1, 0]), ratings, kpis, lang, weight)
        _devices_panel(figure.add_subplot(grid[1, 1]), kpis.by_device, lang, weight)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _no_data(axes: Any, lang: str) -> None:
    axes.text(0.5, 0.5, _label("report.chart.no_data", lang), ha="center", va="center",
              transform=axes.transAxes, color="#888888", fontsize=12)


def _weekly_panel(axes: Any, weeks: list, target: float | None, lang: str, weight: str) -> None:
    title = _label("report.chart.weekly", lang)
    axes.set_ylabel(_label("report.chart.attainment", lang))
    axes.set_xlabel(_label("report.chart.week_of", lang))
    axes.set_ylim(0, 109)
    positions = list(range(len(weeks)))
    values = [fig.value * 100 if fig.value is not None else 0 for _, fig in weeks]
    colours = ["#1a9850" if fig.met else "#fc8d59" for _, fig in weeks]
    bars = axes.bar(positions, values, color=colours, width=0.7)
    if len(weeks) <= 16:
        for bar, (_, fig) in zip(bars, weeks, strict=True):
            label = f"n={fig.denominator}" if fig.denominator else "—"
            axes.annotate(label, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom",
                          xytext=(0, 2), textcoords="offset points", fontsize=8, color="#444444")
    empty = [x for x, (_, fig) in zip(positions, weeks, strict=True) if not fig.denominator]
    if empty:  # nothing counted that week: a grey mark, so it is not read as 0%
        axes.scatter(empty, [1.5] * len(empty), marker="x", color="#999999", s=18, zorder=3)
    zero = [x for x, (_, fig) in zip(positions, weeks, strict=True) if fig.denominator and not fig.value]
    if zero:  # 0% on time: a bar of no height would look like no data
        axes.scatter(zero, [1.5] * len(zero), marker="v", color="#d73027", s=22, zorder=3)
    step = max(1, len(weeks) // 13)
    axes.set_xticks(positions[::step], [week.strftime("%m-%d") for week, _ in weeks][::step])
    if target is not None:
        axes.axhline(target * 100, color="#d73027", linestyle="--", linewidth=1.2)
        title += " " + _label("report.chart.target", lang, target=f"≥ {target * 100:g}%")
    axes.set_title(title, loc="left", fontweight=weight)
    if not any(fig.denominator for _, fig in weeks):
        _no_data(axes, lang)
    axes.grid(axis="y", alpha=0.3)


def _ratings_panel(axes: Any, ratings: dict[int, int], kpis: Kpis, lang: str, weight: str) -> None:
    mean = kpis.satisfaction_mean.value
    axes.set_title(_label("report.chart.ratings", lang, mean=f"{mean:.2f}" if mean is not None else "—",
                          n=kpis.satisfaction_mean.denominator), loc="left", fontweight=weight)
    axes.set_xlabel(_label("report.chart.rating", lang))
    axes.set_ylabel(_label("report.chart.count", lang))
    levels = list(ratings)
    bars = axes.bar(levels, [ratings[r] for r in levels], color=_RATING_COLOURS, width=0.7)
    axes.bar_label(bars, padding=2, fontsize=9)
    axes.set_xticks(levels)
    axes.margins(y=0.15)
    if not any(ratings.values()):
        _no_data(axes, lang)
    axes.grid(axis="y", alpha=0.3)


def _devices_panel(axes: Any, by_device: dict[str, int], lang: str, weight: str) -> None:
    axes.set_title(_label("report.chart.devices", lang), loc="left", fontweight=weight)
    axes.set_xlabel(_label("report.chart.tickets", lang))
    names = [_device(code, lang) for code in by_device]
    bars = axes.barh(names, list(by_device.values()), color="#4575b4")
    axes.bar_label(bars, padding=2, fontsize=9)
    axes.invert_yaxis()
    axes.margins(x=0.15)
    if not by_device:
        _no_data(axes, lang)
    axes.grid(axis="x", alpha=0.3)


# ---- the workbook -------------------------------------------------------------------------------------
WORK_ORDER_COLUMNS: tuple[str, ...] = (
    "number", "opened", "status", "severity", "tier", "device", "asset", "site", "room", "reporter",
    "contact_name", "contact_phone", "description", "assignee", "dispatched", "accepted", "arrived", "resolved",
    "respond_by", "onsite_by", "resolve_by", "respond_outcome", "onsite_outcome", "resolve_outcome", "paused",
    "visits", "reopens", "parts", "resolution", "tried", "followup", "rating", "comment", "cancel_reason",
)
"""The "Work orders" sheet, one column per field (headers are report.col.<name>)."""
KPI_COLUMNS: tuple[str, ...] = ("kpi", "value", "numerator", "denominator", "target", "met")
DATE_FORMAT = "yyyy-mm-dd hh:mm"
_WIDTH_SAMPLE = 300
_TEXT_FLOORS = {"description": 30, "resolution": 30, "comment": 24, "parts": 16, "tried": 16, "cancel_reason": 16}
"""Free-text columns stay readable even when the first rows happen to be short."""
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def workbook_xlsx(data: ReportData, kpis: Kpis, score: QuarterScore | None, lang: str, tz: tzinfo, *,
                  rules: ScoreRules = DEFAULT_RULES) -> bytes:
    """The auditor's workbook: every work order of the period, and the KPIs (with the score if given).

    Times are local to `tz` (what people on site saw); deadlines are the ones the KPIs judged, moved
    by pauses. Written in openpyxl's streaming mode so a year of tickets fits in memory."""
    from openpyxl import Workbook

    now = kpis.as_of or datetime.now(UTC)
    book = Workbook(write_only=True)
    _work_orders_sheet(book, data, now, lang, tz)
    _kpi_sheet(book, data, kpis, score, lang, tz, rules)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _local(instant: datetime | None, tz: tzinfo) -> datetime | None:
    """Excel has no time zones: the local wall-clock time, without tzinfo."""
    return instant.astimezone(tz).replace(tzinfo=None) if instant is not None else None


def _outcome(value: MilestoneOutcome | None, lang: str) -> str | None:
    return _label(f"report.outcome.{value.value}", lang) if value is not None else None


def _ticket_row(ticket: Ticket, facts: Facts, followup: FollowUp | None, now: datetime, lang: str,
                tz: tzinfo) -> list[Any]:
    deadlines = [_local(effective_deadline(ticket, m, facts, now), tz) for m in ("respond", "onsite", "resolve")]
    outcomes = [_outcome(milestone_outcome(ticket, m, facts, now), lang) for m in ("respond", "onsite", "resolve")]
    paused = paused_before(ticket, facts, now)
    answer = followup.answer if followup else None
    return [
        ticket.number, _local(ticket.opened_at, tz), _label(f"report.status.{ticket.status.value}", lang),
        ticket.severity.value, ticket.sla.tier, _device(ticket.device_type, lang) if ticket.device_type else None,
        ticket.asset_no, ticket.site, ticket.room, ticket.reporter_id, ticket.contact_name, ticket.contact_phone,
        ticket.description, ticket.assignee_id, _local(ticket.dispatched_at, tz), _local(ticket.accepted_at, tz),
        _local(ticket.arrived_at, tz), _local(ticket.resolved_at, tz), *deadlines, *outcomes,
        round(paused.total_seconds() / 60), facts.arrivals, facts.reopens, ticket.parts, ticket.resolution,
        ", ".join(ticket.tried_articles) or None,
        _label(f"report.answer.{answer.value}", lang) if answer else None,
        followup.rating if followup else None, followup.comment if followup else None, ticket.cancel_reason,
    ]


@lru_cache(maxsize=1)
def _openpyxl() -> tuple[Any, Any]:
    """openpyxl's streaming cell and the bold header font, imported once (not once per cell)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    return WriteOnlyCell, Font(bold=True)


def _cell(sheet: Any, value: Any, *, bold: bool = False, number_format: str | None = None) -> Any:
    """A value as a cell: text cleaned of what Excel refuses and never read as a formula."""
    formula = False
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        formula = value.startswith("=")
    elif isinstance(value, datetime):
        number_format = number_format or DATE_FORMAT
    if not (bold or number_format or formula):
        return value
    cell_type, bold_font = _openpyxl()
    cell = cell_type(sheet, value=value)
    if formula:
        cell.data_type = "s"  # a reporter's "=HYPERLINK(…)" stays text
    if bold:
        cell.font = bold_font
    if number_format:
        cell.number_format = number_format
    return cell


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    text = str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _set_widths(sheet: Any, rows: Sequence[Sequence[Any]], *, least: int = 6, most: int = 50,
                floors: Mapping[int, int] | None = None) -> None:
    """Widths from the longest value in `rows` (CJK counts double), within [least or floor, most]."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths.get(index, 0), _width(value))
    for index, width in widths.items():
        floor = max(least, (floors or {}).get(index, 0))
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(width + 2, floor), most)


def _work_orders_sheet(book: Any, data: ReportData, now: datetime, lang: str, tz: tzinfo) -> None:
    """Rows are made one at a time and streamed out; only the first few hundred are held, to size the
    columns (a streaming sheet takes its widths before its first row)."""
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet("Work orders")
    tickets = sorted(cohort(data), key=lambda t: (t.opened_at, t.number))
    followups = {f.ticket: f for f in data.followups}
    header = [_label(f"report.col.{name}", lang) for name in WORK_ORDER_COLUMNS]
    rows = (_ticket_row(t, facts_of(t, data.events.get(t.number, ())), followups.get(t.number), now, lang, tz)
            for t in tickets)
    sample = list(islice(rows, _WIDTH_SAMPLE))
    floors = {WORK_ORDER_COLUMNS.index(name): width for name, width in _TEXT_FLOORS.items()}
    _set_widths(sheet, [header, *sample], floors=floors)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(tickets) + 1}"
    sheet.append([_cell(sheet, name, bold=True) for name in header])
    for row in chain(sample, rows):
        sheet.append([_cell(sheet, value) for value in row])


def _kpi_sheet(book: Any, data: ReportData, kpis: Kpis, score: QuarterScore | None, lang: str, tz: tzinfo,
               rules: ScoreRules) -> None:
    sheet = book.create_sheet("KPIs")
    yes, no = _label("report.xlsx.yes", lang), _label("report.xlsx.no", lang)
    rows: list[tuple[list[Any], str | None]] = []
    """(values, number format of the value and target columns)."""
    for spec in KPIS:
        figure = getattr(kpis, spec.name)
        rows.append(([_label(f"report.kpi.{spec.name}", lang), figure.value, figure.numerator, figure.denominator,
                      figure.target, None if figure.met is None else (yes if figure.met else no)],
                     "0.0%" if spec.share else "0.00"))
    first, last = _period(kpis, data, tz)
    selection = ", ".join(f"{kind} = {value}" for kind, value in kpis.selection)
    plain: list[list[Any]] = [
        [],
        [_label("report.xlsx.tickets", lang), kpis.tickets],
        [_label("report.xlsx.cancelled", lang), kpis.cancelled],
        [_label("report.xlsx.breaches", lang), kpis.open_breaches],
        *([level, count] for level, count in kpis.by_severity.items()),
        *([_device(code, lang), count] for code, count in kpis.by_device.items()),
        [],
        [_label("report.xlsx.period", lang), f"{first} – {last}"],
        [_label("report.xlsx.as_of", lang), _local(kpis.as_of, tz)],
        [_label("report.xlsx.timezone", lang), getattr(tz, "key", str(tz))],
        [_label("report.xlsx.selection", lang), selection or _label("report.xlsx.whole_desk", lang)],
    ]
    rows += [(row, None) for row in plain]
    if score is not None:
        rows += [
            ([], None),
            ([_label("report.xlsx.score", lang)], None),
            ([_label("report.xlsx.service", lang), score.service], None),
            ([_label("report.xlsx.reporting", lang), score.reporting], None),
            ([_label("report.xlsx.satisfaction", lang), score.satisfaction], None),
            ([_label("report.xlsx.total", lang), score.total], None),
            ([_label("report.xlsx.pay", lang), score.pay_share], "0%"),
            *(([_label("report.xlsx.deduction", lang),
                render_line(f"report.deduction.{code}",
                            {"points": f"{points:g}", "threshold": f"{rules.threshold * 100:g}%"}, lang, tz)], None)
              for code, points in score.deductions),
        ]
    header = [_label(f"report.xlsx.{name}", lang) for name in KPI_COLUMNS]
    _set_widths(sheet, [header, *(row for row, _ in rows)], least=10, most=60)
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, value, bold=True) for value in header])
    for row, number_format in rows:
        bold = len(row) == 1
        sheet.append([_cell(sheet, value, bold=bold and column == 0,
                            number_format=number_format if column in (1, 4) and value is not None else None)
                      for column, value in enumerate(row)])
