"""The inspection figures (巡检) of a report: what counts as done on time, late, missed or under way; a
missed visit costing reporting points like a missing report; the summary, the JSON, the workbook's
sheet and the chart's panel. Plain data, no database: the loader is tested end to end in
tests/test_inspection_flow.py."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from PIL import Image

from bot.domain.inspection_visit import CheckedItem, VisitRecord, VisitStatus, figures, standing
from bot.domain.kpi import compute_kpis
from bot.domain.score import quarter_score
from bot.services.reports.chart import chart_png
from bot.services.reports.summary import as_json, render_lines, summary
from bot.services.reports.workbook import INSPECTION_COLUMNS, workbook_xlsx
from tests.test_kpi import SHANGHAI, month

TODAY = date(2026, 10, 20)
NOW = datetime(2026, 10, 20, 2, tzinfo=UTC)  # 10:00 in Shanghai


def _visit(key: str, site: str, due_by: date, finished: datetime | None, results: tuple[str | None, ...],
           engineer: int = 1001) -> VisitRecord:
    items = tuple(CheckedItem(f"{key}-{n}", "printer", f"HP {key}-{n}", result, "toner 5%" if result == "low" else None,
                              "HD-2026-00009" if result == "fault" else None,
                              finished if result is not None else None)
                  for n, result in enumerate(results))
    status = VisitStatus.DONE if finished is not None else VisitStatus.STARTED if any(results) else VisitStatus.PUSHED
    return VisitRecord(None, key, site, date(2026, 10, 1), due_by, ("core",), engineer, status, items,
                       pushed_at=datetime(2026, 10, 1, 1, tzinfo=UTC), finished_at=finished)


# finished 23:59 Shanghai time on its last day: on time; 00:01 the next day: late
ON_TIME = _visit("a", "HQ-3F", date(2026, 10, 14), datetime(2026, 10, 14, 15, 59, tzinfo=UTC), ("ok", "low", "fault"))
LATE = _visit("b", "HQ-12F", date(2026, 10, 14), datetime(2026, 10, 14, 16, 1, tzinfo=UTC), ("cleaned",))
MISSED = _visit("c", "HQ-12F", date(2026, 10, 19), None, ("ok", None), engineer=1002)
OPEN = _visit("d", "HQ-3F", date(2026, 10, 20), None, (None, None))
"""Its window closes today: still under way, not missed yet."""
VISITS = (ON_TIME, LATE, MISSED, OPEN)


def test_each_visit_stands_on_time_late_missed_or_under_way_by_its_local_last_day() -> None:
    assert [standing(v, SHANGHAI, TODAY) for v in VISITS] == ["on_time", "late", "missed", "open"]
    assert standing(OPEN, SHANGHAI, date(2026, 10, 21)) == "missed"  # the next morning it is
    assert standing(LATE, UTC, TODAY) == "on_time"  # 16:01 UTC is still the 14th in UTC: the zone decides
    found = figures(VISITS, SHANGHAI, TODAY)
    assert (found.due, found.done_on_time, found.done_late, found.missed, found.under_way) == (4, 1, 1, 1, 1)
    assert (found.devices, found.findings, found.warnings) == (5, 1, 1)  # devices checked, not listed
    assert found.on_time_rate == 0.25


def test_a_missed_inspection_costs_reporting_points_like_a_missing_report() -> None:
    data = replace(month(), visits=VISITS, tz=SHANGHAI)
    kpis = compute_kpis(data, now=NOW)
    assert kpis.inspections is not None and kpis.inspections.missed == 1
    score = quarter_score(replace(kpis, reports_late=1))
    assert score.reporting == 80.0
    assert ("monthly_reports", 10.0) in score.deductions and ("inspections", 10.0) in score.deductions
    many = replace(kpis, inspections=replace(kpis.inspections, missed=12))
    assert quarter_score(many).reporting == 0.0  # never below 0
    assert ("inspections", 90.0) in quarter_score(many).deductions  # what the late report left
    late_only = replace(data, visits=(ON_TIME, LATE, OPEN))  # late is on record, not missed
    assert not any(code == "inspections" for code, _ in quarter_score(compute_kpis(late_only, now=NOW)).deductions)


def test_a_deployment_without_inspections_has_no_figures_and_a_view_is_cut_by_site_and_engineer() -> None:
    assert compute_kpis(month(), now=NOW).inspections is None  # visits None: nothing planned here
    empty = compute_kpis(replace(month(), visits=()), now=NOW).inspections
    assert empty is not None and empty.due == 0 and empty.on_time_rate is None
    data = replace(month(), visits=VISITS, tz=SHANGHAI)
    site = compute_kpis(data, now=NOW, site="hq-12f").inspections  # the site as people type it
    assert site is not None and (site.due, site.done_late, site.missed) == (2, 1, 1)
    engineer = compute_kpis(data, now=NOW, engineer=1002).inspections
    assert engineer is not None and engineer.due == 1
    assert compute_kpis(data, now=NOW, device_type="printer").inspections is None  # a list is not one device type


def test_the_summary_and_the_json_carry_the_inspection_figures_in_both_languages() -> None:
    data = replace(month(), visits=VISITS, tz=SHANGHAI)
    kpis = compute_kpis(data, now=NOW)
    lines = summary(kpis, quarter_score(kpis))
    en = render_lines(lines, "en", SHANGHAI).splitlines()
    assert ("• Inspections: 1/4 visits done on time (25.0%) · 1 late · 1 missed · 1 under way · 5 devices "
            "inspected · 1 faults found · 1 consumable warnings") in en
    assert "− 10 reporting points: inspections missed (not done within their window)" in en
    zh = render_lines(lines, "zh", SHANGHAI).splitlines()
    assert ("• 巡检：按时完成 1/4 次（25.0%）· 逾期完成 1 · 漏检 1 · 进行中 1 · 已检设备 5 台 · 发现故障 1 · "
            "耗材预警 1") in zh
    assert "− 10 分（报告合规）：巡检漏检（未在窗口期内完成）" in zh
    block = as_json(kpis, None, SHANGHAI)["inspections"]
    assert block == {"due": 4, "done_on_time": 1, "done_late": 1, "missed": 1, "under_way": 1, "on_time_rate": 0.25,
                     "devices_inspected": 5, "faults_found": 1, "consumable_warnings": 1}
    nothing = compute_kpis(replace(month(), visits=()), now=NOW)
    assert "• Inspections: none was due yet" in render_lines(summary(nothing, None), "en", SHANGHAI)
    assert "inspections" not in as_json(compute_kpis(month(), now=NOW), None, SHANGHAI)


def test_the_workbook_lists_every_inspected_device_and_the_chart_gains_a_panel() -> None:
    data = replace(month(), visits=VISITS, tz=SHANGHAI)
    kpis = compute_kpis(data, now=NOW)
    book = load_workbook(io.BytesIO(workbook_xlsx(data, kpis, quarter_score(kpis), "en", SHANGHAI)))
    rows = list(book["Inspections"].iter_rows(values_only=True))
    assert len(rows[0]) == len(INSPECTION_COLUMNS) and rows[0][4] == "Visit"
    assert len(rows) == 1 + 3 + 1 + 2 + 2  # a row per device of each list
    assert rows[1][:5] == ("2026-10-01", "HQ-3F", 1001, "2026-10-14", "on time")
    assert rows[3][8:11] == ("fault found", None, "HD-2026-00009")
    assert rows[3][12] == datetime(2026, 10, 14, 23, 59)  # local time, as people on site saw it
    assert [r[4] for r in rows[4:]] == ["done late", "missed", "missed", "under way", "under way"]
    kpi_rows = [r[:2] for r in book["KPIs"].iter_rows(values_only=True)]
    assert ("Visits due", 4) in kpi_rows and ("Missed", 1) in kpi_rows
    assert "Inspections" not in load_workbook(io.BytesIO(workbook_xlsx(
        month(), compute_kpis(month(), now=NOW), None, "en", SHANGHAI))).sheetnames

    with_panel = Image.open(io.BytesIO(chart_png(data, kpis, NOW, "en", tz=SHANGHAI)))
    without = Image.open(io.BytesIO(chart_png(month(), compute_kpis(month(), now=NOW), NOW, "en", tz=SHANGHAI)))
    assert with_panel.size[0] == without.size[0] and with_panel.size[1] > without.size[1]
    # the panel's bar: green (on time), yellow (late) and red (missed) are all drawn in the bottom part
    bottom = with_panel.convert("RGB").crop((0, with_panel.size[1] * 3 // 4, with_panel.size[0], with_panel.size[1]))
    colours = {colour for _, colour in bottom.getcolors(maxcolors=1 << 20)}
    assert {(0x1a, 0x98, 0x50), (0xfe, 0xe0, 0x8b), (0xd7, 0x30, 0x27)} <= colours
