"""The report's summary lines, chart and workbook, on the hand-counted October of test_kpi."""

from __future__ import annotations

import io
import logging
import string
import subprocess
import sys
import warnings
from dataclasses import replace
from datetime import datetime

import pytest
from openpyxl import load_workbook
from PIL import Image, ImageStat

from bot.domain.kpi import KbOutcome, ReportData, compute_kpis
from bot.domain.score import quarter_score
from bot.domain.targets import KPIS
from bot.services.reports.chart import chart_png
from bot.services.reports.summary import as_json, render_lines, summary
from bot.services.reports.workbook import KPI_COLUMNS, WORK_ORDER_COLUMNS, workbook_xlsx
from bot.texts import TEXTS
from bot.texts.en_reports import EN_REPORTS as EN
from bot.texts.zh_reports import ZH_REPORTS as ZH
from tests.test_kpi import END, NOW, SHANGHAI, START, T01, T07, T10, T12, month, oct_

KPIS_OF_MONTH = compute_kpis(month(), now=NOW)
SCORE = quarter_score(KPIS_OF_MONTH)


# ---- texts -------------------------------------------------------------------------------------------
def _placeholders(template: object) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(str(template)) if name}


def test_both_languages_have_the_same_keys_and_placeholders_and_are_part_of_the_bot() -> None:
    assert EN.keys() == ZH.keys()
    for key, template in EN.items():
        assert key.startswith("report."), key
        assert _placeholders(template) == _placeholders(ZH[key]), key
        assert TEXTS["en"][key] is template and TEXTS["zh"][key] is ZH[key]
    assert all(f"report.kpi.{spec.name}" in EN for spec in KPIS)


def test_the_report_needs_neither_telegram_nor_its_drawing_libraries_until_it_draws() -> None:
    """The texts are channel-free, and matplotlib and openpyxl are imported on first use."""
    code = ("import sys, bot.texts, bot.services.reports.summary, bot.services.reports.chart, "
            "bot.services.reports.workbook; print(sorted({'telegram', 'matplotlib', 'openpyxl'} & set(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


# ---- summary -----------------------------------------------------------------------------------------
def test_summary_says_what_each_figure_rests_on() -> None:
    text = render_lines(summary(KPIS_OF_MONTH, SCORE), "en", SHANGHAI)
    lines = text.splitlines()
    assert lines[0] == "📊 Service report 2026-10-01 00:00 – 2026-10-31 23:59"
    assert "21 tickets opened, 2 cancelled; 2 open past a deadline." in lines
    assert "• Response on time: 83.3% (15/18) · target ≥ 95% ❌" in lines
    assert "• Resolution rate: 92.9% (13/14) · target ≥ 90% ✅" in lines
    assert "• Mean rating: 3.83 (n = 12) · target ≥ 4.0 ❌" in lines
    assert "• 30-day repeat repairs: 22.2% (4/18) · target ≤ 15% ❌" in lines
    assert "• Follow-ups answered: 92.9% (13/14)" in lines  # no contract target: no mark
    assert "By severity: P1 5 · P2 9 · P3 5 · P4 2" in lines
    assert "• Printer: 7" in lines
    assert "Contract score: 68.0 points → pays 80%" in lines
    assert "− 20 service points: response on time below 90%" in lines


def test_summary_in_chinese_and_for_an_empty_filtered_view() -> None:
    zh = render_lines(summary(KPIS_OF_MONTH, SCORE), "zh", SHANGHAI)
    assert "• 响应及时率：83.3%（15/18） · 目标 ≥ 95% ❌" in zh
    assert "考核得分：68.0 分 → 支付 80%" in zh
    empty = compute_kpis(month(), now=NOW, site="Nowhere")
    lines = render_lines(summary(empty, None), "en", SHANGHAI).splitlines()
    assert "Site: Nowhere" in lines and "No tickets were opened in this period." in lines
    assert "• Response on time: no data yet" in lines
    assert not any("Contract score" in line for line in lines)


def test_a_period_with_nothing_to_score_says_so_instead_of_a_score() -> None:
    empty = compute_kpis(ReportData(START, END, [], {}, [], [], []), now=NOW)
    en = render_lines(summary(empty, quarter_score(empty)), "en", SHANGHAI).splitlines()
    assert ("Contract score: n/a, nothing to score for service and satisfaction (no deadline reached or "
            "missed, no rating)") in en
    assert "Service — · reporting 100 · satisfaction —" in en
    zh = render_lines(summary(empty, quarter_score(empty)), "zh", SHANGHAI)
    assert "考核得分：无法计算" in zh and "支付" not in zh
    book = load_workbook(io.BytesIO(workbook_xlsx(ReportData(START, END, [], {}, [], [], []), empty,
                                                  quarter_score(empty), "en", SHANGHAI)))
    labels = {row[0]: row[1] for row in _rows(book["KPIs"]) if row and row[0]}
    assert labels["Total points"] is None and labels["Not scored"].startswith("satisfaction")


def test_summary_params_are_plain_data_the_bot_can_store() -> None:
    for key, params in summary(KPIS_OF_MONTH, SCORE):
        assert key in EN
        for value in params.values():
            assert value is None or isinstance(value, str | int | datetime) or hasattr(value, "key"), (key, value)


def test_json_has_every_figure_with_its_basis() -> None:
    data = as_json(KPIS_OF_MONTH, SCORE, SHANGHAI)
    assert data["period"]["from"] == "2026-10-01" and data["period"]["to"] == "2026-10-31"
    assert set(data["figures"]) == {spec.name for spec in KPIS}
    assert data["figures"]["onsite_attainment"] == {"value": 0.75, "numerator": 12, "denominator": 16,
                                                    "target": 0.9, "rule": "at_least", "met": False}
    assert data["figures"]["repeat_repair_rate"]["rule"] == "at_most"
    assert data["score"]["total"] == 68.0


# ---- chart ---------------------------------------------------------------------------------------------
def _image(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_chart_is_a_drawn_png() -> None:
    image = _image(chart_png(month(), KPIS_OF_MONTH, NOW, "en", tz=SHANGHAI))
    assert image.size == (1100, 880)
    stat = ImageStat.Stat(image)
    assert min(stat.stddev) > 20  # not a blank canvas
    assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50
    # the on-time bars: the target-met green of week 4 (4/4) and the orange of the others are both there
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 16) or []}
    assert (26, 152, 80) in colours and (252, 141, 89) in colours


def test_chinese_chart_uses_a_cjk_font_without_missing_glyphs() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        zh = chart_png(month(), KPIS_OF_MONTH, NOW, "zh", tz=SHANGHAI)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    en = chart_png(month(), KPIS_OF_MONTH, NOW, "en", tz=SHANGHAI)
    assert _image(zh).size == (1100, 880) and zh != en


def test_without_a_cjk_font_the_chart_falls_back_to_english_and_says_so(monkeypatch: pytest.MonkeyPatch,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr("bot.services.reports.chart.cjk_font", lambda: None)
    with caplog.at_level(logging.WARNING, logger="bot.services.reports.chart"):
        fallback = chart_png(month(), KPIS_OF_MONTH, NOW, "zh", tz=SHANGHAI)
    assert "English labels" in caplog.text
    assert fallback == chart_png(month(), KPIS_OF_MONTH, NOW, "en", tz=SHANGHAI)


def test_chart_of_an_empty_period_still_renders() -> None:
    empty = ReportData(START, END, [], {}, [], [], [])
    kpis = compute_kpis(empty, now=NOW)
    image = _image(chart_png(empty, kpis, NOW, "en", tz=SHANGHAI))
    assert image.size == (1100, 880) and min(ImageStat.Stat(image).stddev) > 5


# ---- workbook ------------------------------------------------------------------------------------------
def _rows(sheet: object) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))  # type: ignore[attr-defined]


def test_workbook_has_every_work_order_in_local_time() -> None:
    book = load_workbook(io.BytesIO(workbook_xlsx(month(), KPIS_OF_MONTH, SCORE, "en", SHANGHAI)))
    assert book.sheetnames == ["Work orders", "KPIs", "Self-service"]
    sheet = book["Work orders"]
    rows = _rows(sheet)
    header = rows[0]
    assert len(header) == len(WORK_ORDER_COLUMNS) == 36
    assert header[:4] == ("Ticket", "Opened", "Status", "Severity")
    assert len(rows) == 1 + 21  # the ticket opened on 1 November is not October's
    assert sheet.freeze_panes == "B2"
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    first = by_number[T01.number]
    assert first["Opened"] == datetime(2026, 10, 12, 9, 0)  # 01:00Z in Shanghai
    assert first["Respond by"] == datetime(2026, 10, 12, 9, 30)
    assert (first["Status"], first["Response SLA"], first["On-site SLA"]) == ("closed", "met", "met")
    assert first["Rating"] == 5
    late = by_number[T10.number]
    assert (late["Response SLA"], late["On-site SLA"], late["Paused (min)"]) == ("breached", "met", 240)
    assert late["Service time held (min)"] == 240 and late["Late by"] == "respond +10 min"  # why it breached
    assert first["Late by"] is None
    assert late["On site by"] == datetime(2026, 10, 8, 17, 0)  # 4 h + the 4 h pause, local
    assert late["Follow-up answer"] is None and by_number[T07.number]["Follow-up answer"] == "working"
    assert (by_number[T07.number]["Visits"], by_number[T07.number]["Reopened"]) == (2, 1)
    assert by_number[T07.number]["Articles tried"] == "kb-jam"
    assert by_number[T12.number]["Status"] == "new" and by_number[T12.number]["Resolve SLA"] == "breached"
    assert by_number[T12.number]["Resolution notes"] is None and by_number[T12.number]["Dispatched"] is None
    assert header[12] == "Fault" and sheet.column_dimensions["M"].width >= 30  # free text is not squeezed
    assert 10 <= sheet.column_dimensions["B"].width <= 20  # a date column fits its dates
    # rows are in opening order
    opened = [row[1] for row in rows[1:]]
    assert opened == sorted(opened)


def test_kpi_sheet_and_score() -> None:
    book = load_workbook(io.BytesIO(workbook_xlsx(month(), KPIS_OF_MONTH, SCORE, "en", SHANGHAI)))
    sheet = book["KPIs"]
    rows = _rows(sheet)
    assert rows[0][: len(KPI_COLUMNS)] == ("KPI", "Value", "Numerator", "Out of (n)", "Target", "Met")
    response = rows[1]
    assert response[0] == "Response on time"
    assert response[1] == pytest.approx(15 / 18) and response[2:6] == (15, 18, 0.95, "no")
    assert sheet["B2"].number_format == "0.0%"
    labels = {row[0]: row[1] for row in rows if row and row[0]}
    assert labels["Tickets opened"] == 21 and labels["Open past a deadline"] == 2
    assert labels["Period"] == "2026-10-01 – 2026-10-31" and labels["Time zone"] == "Asia/Shanghai"
    assert labels["Total points"] == 68 and labels["Pay share"] == 0.8
    deductions = [row[1] for row in rows if row[0] == "Deduction"]
    assert deductions == ["− 20 service points: response on time below 90%",
                          "− 30 service points: on site on time below 90%",
                          "− 10 reporting points: monthly reports late or missing"]


def test_self_service_sheet_shows_what_the_deflection_figure_rests_on_article_by_article() -> None:
    """The deflection report: per article, who said it fixed it, which of those count as solved requests
    (the KPI's numerator), who said it did not, and the tickets whose reporter had tried it."""
    data = month()
    data = replace(data, kb_outcomes=[*data.kb_outcomes, KbOutcome(oct_(21, 3), 9001, "kb-jam", True, True)])
    book = load_workbook(io.BytesIO(workbook_xlsx(data, compute_kpis(data, now=NOW), None, "en", SHANGHAI)))
    rows = _rows(book["Self-service"])
    assert rows[0] == ("Article", "Fixed it (reporters)", "Solved requests", "Didn't help", "Fixed with (engineers)",
                       "Tried before a ticket")
    by_article = {row[0]: row[1:] for row in rows[1:]}
    assert by_article["kb-jam"] == (2, 1, 1, 1, 1)  # the second "fixed it" was followed by a ticket naming it
    assert by_article["kb-toner"] == (2, 2, 0, 0, 0) and by_article["kb-wifi"] == (1, 1, 1, 0, 0)
    assert sum(row[2] for row in rows[1:]) == KPIS_OF_MONTH.deflection_rate.numerator  # one rule for both
    assert compute_kpis(data, now=NOW).deflection_rate == KPIS_OF_MONTH.deflection_rate  # a ticket is no deflection


def test_workbook_in_chinese_without_score() -> None:
    book = load_workbook(io.BytesIO(workbook_xlsx(month(), KPIS_OF_MONTH, None, "zh", SHANGHAI)))
    assert _rows(book["Work orders"])[0][:3] == ("工单号", "报修时间", "状态")
    labels = [row[0] for row in _rows(book["KPIs"])]
    assert "响应及时率" in labels and "总分" not in labels


def test_user_text_cannot_become_a_formula_or_break_the_file() -> None:
    sneaky = replace(T01, description='=HYPERLINK("http://x","click")', room="3\x07F")
    data = month(tickets=[sneaky])
    kpis = compute_kpis(data, now=NOW)
    sheet = load_workbook(io.BytesIO(workbook_xlsx(data, kpis, None, "en", SHANGHAI)))["Work orders"]
    header = [cell.value for cell in sheet[1]]
    fault = sheet.cell(row=2, column=header.index("Fault") + 1)
    assert fault.data_type == "s" and fault.value == '=HYPERLINK("http://x","click")'
    assert sheet.cell(row=2, column=header.index("Room") + 1).value == "3F"
