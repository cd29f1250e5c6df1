"""The work orders streamed into the sheet's XML read back exactly as openpyxl's own cells would.

The workbook's rows no longer go through openpyxl's cells (30 s for a year); these tests hold the
shortcut to what openpyxl wrote: the same sheets, values, types, date formats and column widths, a
text that looks like a formula stays text, characters XML refuses are dropped, and the file opens.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook, load_workbook

from bot.domain.kpi import cohort
from bot.domain.milestones import facts_of
from bot.services.reports.workbook import WORK_ORDER_COLUMNS, _cell, _ticket_row, workbook_xlsx
from bot.services.reports.xlsx_rows import Rows, column_letters, with_rows
from tests.test_kpi import NOW, SHANGHAI, month
from tests.test_report_render import KPIS_OF_MONTH, SCORE


def _cells(book: Any, sheet: str) -> list[list[tuple[Any, str, str]]]:
    """Every cell of a sheet as (value, number format, type)."""
    return [[(c.value, c.number_format, c.data_type) for c in row] for row in book[sheet].iter_rows()]


def _reference(rows: list[list[Any]]) -> Any:
    """The same rows written the way the workbook wrote them before: through openpyxl's cells."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Work orders")
    sheet.append(["header"])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def _streamed(rows: list[list[Any]]) -> Any:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Work orders")
    sheet.append(["header"])
    style = _cell(sheet, datetime(2026, 1, 1)).style_id
    buffer = io.BytesIO()
    book.save(buffer)
    width = max(len(row) for row in rows)
    return load_workbook(io.BytesIO(with_rows(buffer.getvalue(), Rows(sheet, rows, 2, style), width)))


def test_a_months_work_orders_read_back_as_openpyxl_wrote_them() -> None:
    data = month()
    followups = {f.ticket: f for f in data.followups}
    rows = [_ticket_row(t, facts_of(t, data.events.get(t.number, ())), followups.get(t.number), NOW, "zh", SHANGHAI,
                        data.clocks)
            for t in sorted(cohort(data), key=lambda t: (t.opened_at, t.number))]
    assert len(rows) > 10 and any(isinstance(v, datetime) for v in rows[0])
    assert _cells(_streamed(rows), "Work orders") == _cells(_reference(rows), "Work orders")


def test_awkward_values_read_back_as_openpyxl_wrote_them() -> None:
    rows: list[list[Any]] = [
        ["=HYPERLINK(\"http://x\")", "a <b> & 'c' \"d\"", " padded ", "bell\x07 and tab\t", None, "", "中文"],
        [0, -3, 2**40, 1.25, 1 / 3, True, datetime(2026, 2, 28, 23, 59, 59, 999000)],
        [None, None, None, None, None, None, datetime(1999, 12, 31, 0, 0)],
    ]
    streamed, reference = _streamed(rows), _reference(rows)
    assert _cells(streamed, "Work orders") == _cells(reference, "Work orders")
    assert streamed["Work orders"]["A2"].value.startswith("=") and streamed["Work orders"]["A2"].data_type == "s"
    assert streamed["Work orders"]["D2"].value == "bell and tab\t"


def test_the_workbook_keeps_its_sheets_columns_formats_and_figures() -> None:
    book = load_workbook(io.BytesIO(workbook_xlsx(month(), KPIS_OF_MONTH, SCORE, "en", SHANGHAI)))
    assert book.sheetnames == ["Work orders", "KPIs", "Self-service"]
    orders = book["Work orders"]
    assert orders.max_column == len(WORK_ORDER_COLUMNS) and orders.max_row == KPIS_OF_MONTH.tickets + 1
    assert orders.freeze_panes == "B2"
    assert orders.auto_filter.ref == f"A1:{column_letters(len(WORK_ORDER_COLUMNS))[-1]}{orders.max_row}"
    assert orders["A1"].font.b and orders["A1"].value == "Ticket"
    opened = orders["B2"]
    assert isinstance(opened.value, datetime) and opened.number_format == "yyyy-mm-dd hh:mm"
    assert orders.column_dimensions["M"].width >= 30  # the description's floor
    figures = {row[0]: row[1] for row in book["KPIs"].iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert figures["Response on time"] == KPIS_OF_MONTH.response_attainment.value


def test_column_letters_past_z() -> None:
    assert column_letters(28)[-3:] == ["Z", "AA", "AB"] and column_letters(36)[-1] == "AJ"
