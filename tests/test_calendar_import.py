"""`helpdesk calendar import FILE`: a year's official schedule replaces the package's guesses for it,
all or nothing, and the roster and the SLA clock both count it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.cli.calendar_import import ScheduleError, parse_schedule
from bot.domain.calendar import DayKind
from bot.domain.clock import FakeClock
from bot.services.holidays import china_calendar
from tests.conftest import ALICE, make_config
from tests.harness import harness

ROOT = Path(__file__).parents[1]
SCHEDULE = """# 2027, as the State Council might publish it
2027-01-01 holiday 元旦
2027-02-06 workday 春节调休
2027-02-08 休 春节
2027-02-09 holiday
"""


def _helpdesk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_DB": str(tmp_path / "h.db"),
           "HELPDESK_CONFIG": os.devnull}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_the_file_format_and_its_bad_lines() -> None:
    years = parse_schedule(SCHEDULE)
    assert list(years) == [2027] and years[2027][date(2027, 2, 8)] == ("holiday", "春节")
    assert years[2027][date(2027, 2, 6)] == ("workday", "春节调休")
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("2027-02-30 holiday\n2027-03-01 off\n2027-01-01 holiday\n2027-01-01 holiday\n"
                       "2027-03-02 workday\n")
    assert caught.value.problems == [
        "line 1: '2027-02-30' is not a date like 2027-01-01", "line 2: say holiday or workday after the date",
        "line 4: 2027-01-01 is listed twice", "line 5: 2027-03-02 is a weekday, a working day anyway"]
    with pytest.raises(ScheduleError, match="lists no day"):
        parse_schedule("# nothing\n\n")


def test_a_loaded_year_is_the_files_alone_and_counts_as_known() -> None:
    cn = china_calendar()
    assert not cn.is_known(2027)  # the package has not got 2027's schedule yet
    days = parse_schedule(SCHEDULE)[2027]
    loaded = cn.with_extras({d: n or None for d, (k, n) in days.items() if k == "holiday"},
                            {d: n or None for d, (k, n) in days.items() if k == "workday"}, {2027})
    assert loaded.is_known(2027) and loaded.unknown_years(date(2027, 1, 1), date(2027, 12, 31)) == []
    assert loaded.day(date(2027, 2, 8)).kind is DayKind.HOLIDAY
    assert loaded.day(date(2027, 2, 6)).kind is DayKind.SWAPPED_WORKDAY  # a Saturday worked
    assert loaded.day(date(2027, 10, 1)).kind is DayKind.WORKDAY  # not in the file: an ordinary Friday
    assert cn.day(date(2027, 10, 1)).kind is DayKind.HOLIDAY  # … which the package guessed a holiday
    assert loaded.day(date(2026, 10, 1)).kind is DayKind.HOLIDAY  # other years keep the package's days


async def test_imported_from_the_command_line_it_moves_sla_deadlines_and_a_bad_file_changes_nothing(
        tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("2027-01-01 holiday\n2027-01-04 maybe\n", encoding="utf-8")
    refused = _helpdesk(tmp_path, "calendar", "import", str(bad))
    assert refused.returncode == 1 and "nothing was changed" in refused.stderr and "line 2" in refused.stderr
    good = tmp_path / "2027.txt"
    good.write_text(SCHEDULE + "2027-03-01 holiday 本地假日\n", encoding="utf-8")
    loaded = _helpdesk(tmp_path, "calendar", "import", str(good))
    assert loaded.returncode == 0, loaded.stderr
    assert "2027: 4 holidays and 1 swapped working days loaded" in loaded.stdout
    config = make_config(sla={"clock": "business"}, business_hours={"mon-fri": "09:00-18:00", "calendar": "CN"})
    clock = FakeClock(datetime(2027, 2, 26, 9, 30, tzinfo=UTC))  # Friday 26 February 2027, 17:30 local
    async with harness(config, clock, tmp_path / "h.db") as desk:
        replies = await desk.report(ALICE, description="Scanner not found", device="Scanner", site="HQ-3F",
                                    room=None, severity="Badly affected", phone="13800001234")
        assert "respond by 2027-03-02 09:30" in replies[-1].text  # Monday 1 March is the file's holiday


async def test_deadlines_in_a_year_not_loaded_say_they_are_approximate(tmp_path: Path) -> None:
    from bot.domain.kpi import ReportData, compute_kpis
    from bot.services.reports.summary import render_lines, summary

    config = make_config(sla={"clock": "business"}, business_hours={"mon-fri": "09:00-18:00", "calendar": "CN"})
    clock = FakeClock(datetime(2027, 2, 26, 9, 30, tzinfo=UTC))
    async with harness(config, clock, tmp_path / "h.db") as desk:
        await desk.report(ALICE, description="Scanner not found", device="Scanner", site="HQ-3F",
                          room=None, severity="Badly affected", phone="13800001234")
        page = (await desk.say(ALICE, "/status HD-2027-00001"))[0].text
        assert "⚠️ Approximate: the official holiday calendar for 2027 is not loaded yet" in page
        async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
            (ticket,) = await tx.tickets.of_reporter(ALICE.id)
        clocks = desk.helpdesk.desk.deployment.sla_clocks
        start, end = datetime(2027, 1, 31, 16, tzinfo=UTC), datetime(2027, 2, 28, 16, tzinfo=UTC)
        kpis = compute_kpis(ReportData(start, end, [ticket], {}, [], [], [], clocks=clocks), now=clock.now())
        assert kpis.approximate == 1
        assert "1 tickets' deadlines run through a year whose official holiday calendar is not loaded" in (
            render_lines(summary(kpis, None), "en", config.tz))
        loaded = _helpdesk(tmp_path, "calendar", "import", str(_write(tmp_path, SCHEDULE)))
        assert loaded.returncode == 0, loaded.stderr
        await desk.restart()  # SLA deadlines count the loaded year from the next start
        page = (await desk.say(ALICE, "/status HD-2027-00001"))[0].text
        assert "Approximate" not in page


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedule.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_fifo_or_a_huge_file_is_refused_without_being_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    refused = _helpdesk(tmp_path, "calendar", "import", str(tmp_path / "pipe.txt"))
    assert refused.returncode == 2 and "not a regular file" in refused.stderr
    huge = tmp_path / "huge.txt"
    huge.write_text("2027-01-01 holiday\n" * 20_000, encoding="utf-8")
    refused = _helpdesk(tmp_path, "calendar", "import", str(huge))
    assert refused.returncode == 2 and "larger than the limit" in refused.stderr
