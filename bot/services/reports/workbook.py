"""The auditor's workbook: every work order of a period and the KPIs, as an .xlsx (`/export`).

Apart from the summary because it is the one part that needs openpyxl (imported on first use, so the
bot does not load it for a text reply) and because its rules are the spreadsheet's: local times
without a zone, text that must never become a formula, columns sized before the first row.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from itertools import chain, islice
from typing import Any, BinaryIO

from bot.domain.calendar import local_date
from bot.domain.deflection import by_article
from bot.domain.followup import FollowUp
from bot.domain.inspection_visit import standing
from bot.domain.kpi import Kpis, ReportData, cohort
from bot.domain.milestones import (
    MILESTONES,
    Facts,
    MilestoneOutcome,
    effective_deadline,
    milestone_outcome,
    paused_before,
    pauses_of,
)
from bot.domain.score import DEFAULT_RULES, QuarterScore, ScoreRules
from bot.domain.sla import ROUND_THE_CLOCK, SlaClock, paused_within
from bot.domain.targets import KPIS
from bot.domain.ticket import Ticket
from bot.services.reports.summary import device_label, label, period_dates, render_line
from bot.services.reports.xlsx_rows import Rows, write_with_rows

WORK_ORDER_COLUMNS: tuple[str, ...] = (
    "number", "opened", "status", "severity", "tier", "device", "asset", "site", "room", "reporter",
    "contact_name", "contact_phone", "description", "assignee", "dispatched", "accepted", "arrived", "resolved",
    "respond_by", "onsite_by", "resolve_by", "respond_outcome", "onsite_outcome", "resolve_outcome", "paused",
    "held", "late", "visits", "reopens", "parts", "resolution", "tried", "followup", "rating", "comment",
    "cancel_reason",
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
    by pauses. Written in openpyxl's streaming mode so a year of tickets fits in memory, the work
    orders' rows straight into the sheet's XML (:mod:`bot.services.reports.xlsx_rows`: 2 s for a
    year's rows where openpyxl's cells took 30)."""
    output = io.BytesIO()
    write_workbook(output, data, kpis, score, lang, tz, rules=rules)
    return output.getvalue()


def write_workbook(output: BinaryIO, data: ReportData, kpis: Kpis, score: QuarterScore | None, lang: str,
                   tz: tzinfo, *, rules: ScoreRules = DEFAULT_RULES) -> None:
    """:func:`workbook_xlsx` written to `output`, e.g. the file of `helpdesk report --xlsx`."""
    from openpyxl import Workbook

    now = kpis.as_of or datetime.now(UTC)
    book = Workbook(write_only=True)
    work_orders = _work_orders_sheet(book, data, now, lang, tz)
    _kpi_sheet(book, data, kpis, score, lang, tz, rules)
    _self_service_sheet(book, data, lang)
    if data.visits is not None:
        _inspections_sheet(book, data, now, lang, tz)
    buffer = io.BytesIO()
    book.save(buffer)
    write_with_rows(output, buffer.getvalue(), work_orders, len(WORK_ORDER_COLUMNS))


def _local(instant: datetime | None, tz: tzinfo) -> datetime | None:
    """Excel has no time zones: the local wall-clock time, without tzinfo."""
    return instant.astimezone(tz).replace(tzinfo=None) if instant is not None else None


@lru_cache(maxsize=256)
def _word(key: str, lang: str) -> str:
    """A label without parameters (a status, an outcome, a device): rendered once per report, not on
    each of a year's 100,000 rows (half a million renders, 3 s)."""
    return label(key, lang)


def _outcome(value: MilestoneOutcome | None, lang: str) -> str | None:
    return _word(f"report.outcome.{value.value}", lang) if value is not None else None


def _ticket_row(ticket: Ticket, facts: Facts, followup: FollowUp | None, now: datetime, lang: str,
                tz: tzinfo, clocks: Mapping[str, SlaClock]) -> list[Any]:
    due = {m: effective_deadline(ticket, m, facts, now, clocks) for m in MILESTONES}
    met = {m: milestone_outcome(ticket, m, facts, now, clocks) for m in MILESTONES}
    deadlines = [_local(due[m], tz) for m in MILESTONES]
    outcomes = [_outcome(met[m], lang) for m in MILESTONES]
    paused = paused_before(ticket, facts, now)
    clock = clocks.get(ticket.sla.clock, ROUND_THE_CLOCK)
    held = paused_within(pauses_of(ticket, facts), now, clock)
    answer = followup.answer if followup else None
    return [
        ticket.number, _local(ticket.opened_at, tz), _word(f"report.status.{ticket.status.value}", lang),
        ticket.severity.value, ticket.sla.tier, _device(ticket.device_type, lang) if ticket.device_type else None,
        ticket.asset_no, ticket.site, ticket.room, ticket.reporter_id, ticket.contact_name, ticket.contact_phone,
        ticket.description, ticket.assignee_id, _local(ticket.dispatched_at, tz), _local(ticket.accepted_at, tz),
        _local(ticket.arrived_at, tz), _local(ticket.resolved_at, tz), *deadlines, *outcomes,
        round(paused.total_seconds() / 60), round(held.total_seconds() / 60),
        _lateness(ticket, due, met, now, lang), facts.arrivals, facts.reopens, ticket.parts, ticket.resolution,
        ", ".join(ticket.tried_articles) or None,
        _word(f"report.answer.{answer.value}", lang) if answer else None,
        followup.rating if followup else None, followup.comment if followup else None, ticket.cancel_reason,
    ]


@lru_cache(maxsize=256)
def _device(code: str, lang: str) -> str:
    return device_label(code, lang)


def _lateness(ticket: Ticket, due: Mapping[str, datetime | None], met: Mapping[str, MilestoneOutcome | None],
              now: datetime, lang: str) -> str | None:
    """Why it was breached: each missed step and by how much, against the deadline its pauses moved
    ("respond +65 min · resolve +130 min"); a step still not reached counts until `now`."""
    late = []
    for milestone in MILESTONES:
        deadline = due[milestone]
        if met[milestone] is not MilestoneOutcome.MISSED or deadline is None:
            continue
        reached = ticket.reached(milestone)
        until = min(reached, now) if reached is not None else now
        late.append(label("report.late", lang, milestone=label(f"report.milestone.{milestone}", lang),
                          minutes=str(max(0, round((until - deadline).total_seconds() / 60)))))
    return " · ".join(late) or None


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


def _work_orders_sheet(book: Any, data: ReportData, now: datetime, lang: str, tz: tzinfo) -> Rows:
    """The sheet with its header, and its rows to stream into the saved workbook (:func:`with_rows`).

    Rows are made one at a time as they are written; only the first few hundred are held, to size the
    columns (a streaming sheet takes its widths before its first row)."""
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet("Work orders")
    tickets = sorted(cohort(data), key=lambda t: (t.opened_at, t.number))
    followups = {f.ticket: f for f in data.followups}
    header = [label(f"report.col.{name}", lang) for name in WORK_ORDER_COLUMNS]
    rows = (_ticket_row(t, data.facts_for(t), followups.get(t.number), now, lang, tz, data.clocks)
            for t in tickets)
    sample = list(islice(rows, _WIDTH_SAMPLE))
    floors = {WORK_ORDER_COLUMNS.index(name): width for name, width in _TEXT_FLOORS.items()}
    _set_widths(sheet, [header, *sample], floors=floors)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(tickets) + 1}"
    sheet.append([_cell(sheet, name, bold=True) for name in header])
    dated = _cell(sheet, now.replace(tzinfo=None))  # the date style, registered as openpyxl's own dates are
    return Rows(sheet, chain(sample, rows), first=2, date_style=dated.style_id)


def _kpi_sheet(book: Any, data: ReportData, kpis: Kpis, score: QuarterScore | None, lang: str, tz: tzinfo,
               rules: ScoreRules) -> None:
    sheet = book.create_sheet("KPIs")
    yes, no = label("report.xlsx.yes", lang), label("report.xlsx.no", lang)
    rows: list[tuple[list[Any], str | None]] = []
    """(values, number format of the value and target columns)."""
    for spec in KPIS:
        figure = getattr(kpis, spec.name)
        rows.append(([label(f"report.kpi.{spec.name}", lang), figure.value, figure.numerator, figure.denominator,
                      figure.target, None if figure.met is None else (yes if figure.met else no)],
                     "0.0%" if spec.share else "0.00"))
    first, last = period_dates(kpis, data, tz)
    selection = ", ".join(f"{kind} = {value}" for kind, value in kpis.selection)
    plain: list[list[Any]] = [
        [],
        [label("report.xlsx.tickets", lang), kpis.tickets],
        [label("report.xlsx.cancelled", lang), kpis.cancelled],
        [label("report.xlsx.breaches", lang), kpis.open_breaches],
        *([level, count] for level, count in kpis.by_severity.items()),
        *([device_label(code, lang), count] for code, count in kpis.by_device.items()),
        [],
        [label("report.xlsx.period", lang), f"{first} – {last}"],
        [label("report.xlsx.as_of", lang), _local(kpis.as_of, tz)],
        [label("report.xlsx.timezone", lang), getattr(tz, "key", str(tz))],
        [label("report.xlsx.selection", lang), selection or label("report.xlsx.whole_desk", lang)],
    ]
    found = kpis.inspections
    if found is not None:
        plain += [
            [],
            [label("report.xlsx.inspections", lang)],
            *([label(f"report.xlsx.insp_{name}", lang), value] for name, value in (
                ("due", found.due), ("on_time", found.done_on_time), ("late", found.done_late),
                ("missed", found.missed), ("devices", found.devices), ("findings", found.findings),
                ("warnings", found.warnings))),
        ]
    rows += [(row, None) for row in plain]
    if score is not None:
        rows += [
            ([], None),
            ([label("report.xlsx.score", lang)], None),
            ([label("report.xlsx.service", lang), score.service], None),
            ([label("report.xlsx.reporting", lang), score.reporting], None),
            ([label("report.xlsx.satisfaction", lang), score.satisfaction], None),
            ([label("report.xlsx.total", lang), score.total], None),
            ([label("report.xlsx.pay", lang), score.pay_share], "0%"),
            *(([label("report.xlsx.lacking", lang), label(f"report.lacking.{part}", lang)], None)
              for part in score.lacking),
            *(([label("report.xlsx.deduction", lang),
                render_line(f"report.deduction.{code}",
                            {"points": f"{points:g}", "threshold": f"{rules.threshold * 100:g}%"}, lang, tz)], None)
              for code, points in score.deductions),
        ]
    header = [label(f"report.xlsx.{name}", lang) for name in KPI_COLUMNS]
    _set_widths(sheet, [header, *(row for row, _ in rows)], least=10, most=60)
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, value, bold=True) for value in header])
    for row, number_format in rows:
        bold = len(row) == 1
        sheet.append([_cell(sheet, value, bold=bold and column == 0,
                            number_format=number_format if column in (1, 4) and value is not None else None)
                      for column, value in enumerate(row)])


SELF_SERVICE_COLUMNS: tuple[str, ...] = ("article", "fixed", "deflected", "not_helped", "fixed_with", "tried")


def _self_service_sheet(book: Any, data: ReportData, lang: str) -> None:
    """What the deflection figure rests on, article by article: who said it fixed it (and which of those
    count as solved requests), who said it did not, the tickets an engineer resolved with it and those
    whose reporter had tried it. `helpdesk kb eval --outcomes` shows what the matcher learned from them."""
    sheet = book.create_sheet("Self-service")
    header = [label(f"report.ss.{name}", lang) for name in SELF_SERVICE_COLUMNS]
    rows = [[r.article_id, r.fixed, r.deflected, r.not_helped, r.fixed_with, r.tried]
            for r in by_article(data.kb_outcomes, data.tickets, data.start, data.end)]
    _set_widths(sheet, [header, *rows], least=10, most=40)
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, value, bold=True) for value in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


INSPECTION_COLUMNS: tuple[str, ...] = ("day", "site", "engineer", "due_by", "visit", "asset", "device", "label",
                                       "result", "note", "ticket", "checked", "finished")
"""The "Inspections" sheet: one row per device of each visit list (headers are report.ic.<name>)."""


def _inspections_sheet(book: Any, data: ReportData, now: datetime, lang: str, tz: tzinfo) -> None:
    """Each visit's devices and what was found, with the visit's standing (on time, late, missed, under
    way): the list the contract's inspection report is checked against."""
    sheet = book.create_sheet("Inspections")
    header = [label(f"report.ic.{name}", lang) for name in INSPECTION_COLUMNS]
    today = local_date(now, tz)
    rows = []
    for visit in data.visits or ():
        state = label(f"report.insp.{standing(visit, tz, today)}", lang)
        for item in visit.items:
            rows.append([visit.day.isoformat(), visit.site, visit.engineer_id, visit.due_by.isoformat(), state,
                         item.asset_no, device_label(item.device_type, lang), item.label,
                         label(f"inspection.result.{item.result}", lang) if item.result else None, item.note,
                         item.ticket, _local(item.checked_at, tz), _local(visit.finished_at, tz)])
    _set_widths(sheet, [header, *rows], least=8, most=40)
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, value, bold=True) for value in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
