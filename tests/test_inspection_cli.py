"""`helpdesk inspections plan` and `due` from a shell: the plan per day and engineer from the stored
register and the duty roster, what is still due on a day, and the clear refusals (no database, a bad
range, no inspections configured) — all without writing to the database."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.cli import main as helpdesk
from bot.cli.inspections import main
from bot.domain.assets import parse_register
from bot.domain.inspection_visit import CheckedItem, VisitRecord, VisitStatus
from storage import open_storage
from tests.conftest import make_config
from tests.test_inspection_flow import INSPECTIONS, REGISTER

CONFIG = make_config(inspections=INSPECTIONS)
LOADED = datetime(2026, 11, 23, 2, tzinfo=UTC)
"""After November's window opened: the register's first visits are December's (as in the chat tests)."""


def _database(path: Path, *, done: bool = False) -> Path:
    async def fill() -> None:
        storage = await open_storage(path)
        try:
            async with storage.transaction() as tx:
                await tx.assets.upsert(parse_register(REGISTER.encode()), LOADED)
                if done:  # HQ-12F's list of 1 December, finished that day
                    at = datetime(2026, 12, 1, 3, tzinfo=UTC)
                    item = CheckedItem("A-0042", "printer", "HP LaserJet M404dn (A-0042)", "ok", checked_at=at)
                    await tx.inspections.add(VisitRecord(
                        None, "2026-12-01|HQ-12F", "HQ-12F", date(2026, 12, 1), date(2026, 12, 14), ("core",), 1002,
                        VisitStatus.DONE, (item,), pushed_at=at, started_at=at, finished_at=at))
        finally:
            await storage.close()

    asyncio.run(fill())
    return path


def _run(argv: list[str], db: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, CONFIG, db, out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_the_plan_per_day_and_engineer_as_text_and_json(tmp_path: Path) -> None:
    db = _database(tmp_path / "h.db")
    status, out, _ = _run(["plan", "--from", "2026-11-30", "--to", "2026-12-04"], db)
    assert status == 0
    assert out.splitlines() == [
        "Inspection plan 2026-11-30 – 2026-12-04 (Asia/Shanghai): 2 visit list(s), 4 device(s)",
        "2026-12-01 Tue  HQ-12F: 1 device  →  Liu Yang (1002)  by 2026-12-14  (core; planned)",
        "2026-12-02 Wed  HQ-3F: 3 devices  →  Liu Yang (1002)  by 2026-12-14  (core, others; planned)",
    ]
    status, out, _ = _run(["plan", "--from", "2027-01-01", "--to", "2027-01-31", "--json"], db)
    plan = json.loads(out)
    assert status == 0 and plan["from"] == "2027-01-01" and plan["timezone"] == "Asia/Shanghai"
    # New Year's Day is a holiday: January's first working day is the 4th
    assert [(v["day"], v["site"], v["devices"]) for v in plan["visits"]] == [
        ("2027-01-04", "HQ-12F", 1), ("2027-01-05", "HQ-3F", 3)]
    assert plan["visits"][1]["assets"] == ["B-0001", "B-0002", "B-0003"]
    assert plan["visits"][0]["engineer"]["id"] in (1001, 1002) and plan["visits"][0]["status"] == "planned"


def test_due_lists_what_is_still_to_do_and_leaves_out_what_is_done(tmp_path: Path) -> None:
    db = _database(tmp_path / "h.db", done=True)
    status, out, _ = _run(["due", "--at", "2026-12-03", "--json"], db)
    due = json.loads(out)
    assert status == 0 and due["at"] == "2026-12-03"
    assert [(v["day"], v["site"], v["status"]) for v in due["visits"]] == [("2026-12-02", "HQ-3F", "planned")]
    assert [v["status"] for v in json.loads(_run(["plan", "--from", "2026-12-01", "--to", "2026-12-01", "--json"],
                                                 db)[1])["visits"]] == ["done"]
    status, out, _ = _run(["due", "--at", "2026-12-01", "--json"], db)
    assert json.loads(out)["visits"] == []  # HQ-3F's list is the 2nd's, HQ-12F's is done
    status, out, _ = _run(["due", "--at", "2026-12-15", "--json"], db)
    assert json.loads(out)["visits"] == []  # the window closed on the 14th: missed, no longer due


def test_refusals_say_why_and_nothing_is_created(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    status, _, err = _run(["plan", "--from", "2026-12-01", "--to", "2026-12-31"], missing)
    assert status == 2 and "no database at" in err and not missing.exists()
    db = _database(tmp_path / "h.db")
    assert _run(["plan", "--from", "2026-12-31", "--to", "2026-12-01"], db)[2] == (
        "helpdesk inspections: --to is before --from\n")
    assert "not a date" in _run(["due", "--at", "tomorrow"], db)[2]
    assert "at most 366 days" in _run(["plan", "--from", "2026-01-01", "--to", "2027-12-31"], db)[2]
    out, err = io.StringIO(), io.StringIO()
    assert main(["due"], make_config(), db, out, stderr=err) == 2 and "no inspections are configured" in err.getvalue()


def test_the_helpdesk_command_runs_it_with_its_database_and_configuration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    db = _database(tmp_path / "h.db")
    toml = tmp_path / "helpdesk.toml"
    toml.write_text('[bot]\ntimezone = "Asia/Shanghai"\n\n[[engineers]]\nid = 1002\nname = "Liu Yang"\n\n'
                    '[[inspections.classes]]\nname = "all"\nevery = "quarter"\nwindow = 10\n', encoding="utf-8")
    monkeypatch.setenv("HELPDESK_DB", str(db))
    monkeypatch.setenv("HELPDESK_CONFIG", str(toml))
    assert helpdesk(["inspections", "plan", "--from", "2027-01-01", "--to", "2027-01-31", "--json"]) == 0
    visits = json.loads(capsys.readouterr().out)["visits"]
    assert [(v["day"], v["site"], v["classes"]) for v in visits] == [
        ("2027-01-04", "HQ-12F", ["all"]), ("2027-01-05", "HQ-3F", ["all"])]
    assert helpdesk(["inspections", "--help"]) == 0
    assert "plan" in capsys.readouterr().out
