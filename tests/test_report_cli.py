"""`helpdesk report` with a fake loader: the period it asks for, and each output."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.cli.report import main
from bot.config import Weights
from bot.domain.kpi import ReportData
from tests.test_kpi import END, NOW, SHANGHAI, START, month


class FakeLoader:
    """Hands out October and remembers what it was asked for."""

    def __init__(self) -> None:
        self.calls: list[tuple[datetime, datetime]] = []

    async def __call__(self, start: datetime, end: datetime) -> ReportData:
        self.calls.append((start, end))
        return month()


def run(*argv: str) -> tuple[int, str, str, FakeLoader]:
    loader = FakeLoader()
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), loader, tz=SHANGHAI, weights=(0.5, 0.2, 0.3), now=NOW, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue(), loader


OCTOBER = ("--from", "2026-10-01", "--to", "2026-10-31")


def test_text_summary_for_local_dates_with_an_inclusive_end() -> None:
    code, out, err, loader = run(*OCTOBER)
    assert (code, err) == (0, "")
    assert loader.calls == [(START, END)]  # 1 Oct 00:00 to 1 Nov 00:00 Shanghai, as UTC
    assert "• Response on time: 83.3% (15/18) · target ≥ 95% ❌" in out.splitlines()
    assert "Contract score: 68.0 points → pays 80%" in out


def test_json_has_every_figure() -> None:
    code, out, _, _ = run(*OCTOBER, "--json")
    assert code == 0
    report = json.loads(out)
    response = report["figures"]["response_attainment"]
    assert (response["numerator"], response["denominator"], response["target"]) == (15, 18, 0.95)
    assert response["value"] == pytest.approx(15 / 18)
    assert report["figures"]["deflection_rate"]["denominator"] == 24
    assert report["tickets"] == 21 and report["score"]["pay_share"] == 0.8
    assert report["period"]["timezone"] == "Asia/Shanghai"


def test_filters_reach_the_figures() -> None:
    code, out, _, _ = run(*OCTOBER, "--json", "--site", "hq-12f", "--severity", "p1")
    assert code == 0
    report = json.loads(out)
    # P1 at HQ-12F: T01, T06 (cancelled), T12, T21 (cancelled)
    assert (report["tickets"], report["cancelled"]) == (4, 2)
    assert report["selection"] == {"site": "hq-12f", "severity": "P1"}
    assert report["figures"]["deflection_rate"]["value"] is None
    code, out, _, _ = run(*OCTOBER, "--json", "--engineer", "1002", "--device", "打印机")
    assert json.loads(out)["tickets"] == 3  # T04, T20, T23: printers of engineer 1002


def test_xlsx_output(tmp_path: Path) -> None:
    target = tmp_path / "october.xlsx"
    code, out, _, _ = run(*OCTOBER, "--xlsx", str(target), "--lang", "zh")
    assert code == 0 and str(target) in out
    book = load_workbook(target)
    rows = list(book["Work orders"].iter_rows(values_only=True))
    assert rows[0][0] == "工单号" and len(rows) == 22
    assert [row[1] for row in book["KPIs"].iter_rows(values_only=True) if row[0] == "总分"] == [68]


def test_xlsx_of_a_selection_has_only_its_tickets(tmp_path: Path) -> None:
    target = tmp_path / "site.xlsx"
    assert run(*OCTOBER, "--xlsx", str(target), "--site", "Branch-North")[0] == 0
    rows = list(load_workbook(target)["Work orders"].iter_rows(values_only=True))
    assert [row[7] for row in rows[1:]] == ["Branch-North"] * 3  # T15, T04, T11


def test_png_output(tmp_path: Path) -> None:
    target = tmp_path / "october.png"
    code, _, _, _ = run(*OCTOBER, "--png", str(target))
    assert code == 0
    with Image.open(target) as image:
        assert image.format == "PNG" and image.size == (1100, 880)


def test_weights_may_come_from_the_configuration() -> None:
    out = io.StringIO()
    code = main([*OCTOBER, "--json"], FakeLoader(), tz=SHANGHAI, now=NOW, stdout=out, stderr=io.StringIO(),
                weights=Weights(service=0.2, reporting=0.2, satisfaction=0.6))
    assert code == 0
    assert json.loads(out.getvalue())["score"]["total"] == pytest.approx(0.2 * 50 + 0.2 * 90 + 0.6 * 83.33, abs=0.01)


@pytest.mark.parametrize(("argv", "message"), [
    (("--from", "2026-10-31", "--to", "2026-10-01"), "is before --from"),
    (("--from", "2026-10-01", "--to", "31/10/2026"), "is not a date"),
    (("--to", "2026-10-31"), "--from"),
    ((*OCTOBER, "--severity", "P9"), "is not a severity"),
    ((*OCTOBER, "--device", "toaster"), "is not a device type"),
    ((*OCTOBER, "--engineer", "wang"), "invalid int value"),
    ((*OCTOBER, "--json", "--png", "x.png"), "not allowed with"),
    ((*OCTOBER, "--lang", "fr"), "invalid choice"),
    ((*OCTOBER, "--frobnicate"), "unrecognized arguments"),
])
def test_bad_arguments_exit_2_before_loading(argv: tuple[str, ...], message: str) -> None:
    code, out, err, loader = run(*argv)
    assert code == 2 and out == ""
    assert message in err and err.startswith("usage: helpdesk report")
    assert loader.calls == []


def test_unwritable_output_exits_1(tmp_path: Path) -> None:
    code, _, err, _ = run(*OCTOBER, "--png", str(tmp_path / "missing" / "chart.png"))
    assert code == 1 and "cannot write" in err


def test_help_goes_to_stdout() -> None:
    code, out, err, loader = run("--help")
    assert code == 0 and "--xlsx FILE" in out and err == "" and loader.calls == []
