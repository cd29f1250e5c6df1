"""The commands that only read never take the bot's write lock, and cannot write.

`helpdesk report` once read inside `BEGIN IMMEDIATE`: a year's read held the lock 11.6 s, past the
bot's 5 s wait, and the bot logged "database is locked". Now every command that only reads opens a
read-only snapshot (storage.read_snapshot). Here each of them runs while another connection holds
the write lock, as the bot does mid-transaction (a command that asked for the lock would wait 5 s and
fail with exit 2), and the bot writes and commits while a report's read is under way.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import bot.services.reports.loading as loading
from bot.cli import main as helpdesk
from bot.domain.assets import parse_register
from bot.domain.people import User
from bot.domain.severity import Severity
from bot.domain.sla import SlaTerms
from bot.domain.ticket import Status, Ticket, TicketEvent
from storage import StorageUnavailable, open_storage, read_snapshot

ROOT = Path(__file__).parents[1]
OPENED = datetime(2026, 11, 10, 2, tzinfo=UTC)
REGISTER = "site,asset_no,device_type,brand,model\nHQ-12F,A-0042,printer,HP,LaserJet M404dn\n"


def _ticket(number: str, opened: datetime) -> Ticket:
    return Ticket(number=number, reporter_id=5001, description="printer jam", severity=Severity.P3, opened_at=opened,
                  sla=SlaTerms(None, "24x7"), status=Status.NEW, device_type="printer", asset_no="A-0042",
                  site="HQ-12F")


async def _add_ticket(storage, number: str, opened: datetime) -> None:  # type: ignore[no-untyped-def]
    async with storage.transaction() as tx:
        ticket = _ticket(number, opened)
        await tx.tickets.add(ticket, [TicketEvent(opened, 5001, "opened")])


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "h.db"

    async def fill() -> None:
        storage = await open_storage(path)
        try:
            async with storage.transaction() as tx:
                await tx.users.save(User(id=5001, name="Li", language="zh"), OPENED)
                await tx.assets.upsert(parse_register(REGISTER.encode()), OPENED)
            await _add_ticket(storage, "HD-2026-000001", OPENED)
        finally:
            await storage.close()

    asyncio.run(fill())
    monkeypatch.setenv("HELPDESK_DB", str(path))
    monkeypatch.setenv("HELPDESK_CONFIG", str(ROOT / "helpdesk.example.toml"))
    return path


READ_ONLY = {
    "report": ["report", "--from", "2026-11-01", "--to", "2026-11-30"],
    "report --json": ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--json"],
    "report --xlsx": ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--xlsx", "{tmp}/r.xlsx"],
    "roster who": ["roster", "who", "--at", "2026-11-10T10:00"],
    "roster show": ["roster", "show", "--from", "2026-11-01", "--to", "2026-11-07"],
    "inspections plan": ["inspections", "plan", "--from", "2026-11-01", "--to", "2026-11-30"],
    "inspections due": ["inspections", "due", "--at", "2026-11-10"],
    "kb search": ["kb", "search", "打印机卡纸"],
    "kb export": ["kb", "export", "{tmp}/kb"],
    "assets labels": ["assets", "labels", "--bot", "office_helpdesk_bot", "--out", "{tmp}/labels.pdf"],
}


@pytest.mark.parametrize("command", sorted(READ_ONLY))
def test_a_read_only_command_runs_while_the_bot_holds_the_write_lock(
        command: str, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bot = sqlite3.connect(db, isolation_level=None)
    bot.execute("BEGIN IMMEDIATE")  # the bot, mid-transaction: the write lock is taken
    bot.execute("UPDATE users SET name = 'Li Na' WHERE id = 5001")
    try:
        status = helpdesk([word.format(tmp=tmp_path) for word in READ_ONLY[command]])
    finally:
        bot.execute("COMMIT")
        bot.close()
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "locked" not in captured.err


def test_the_bot_commits_while_a_report_reads_and_the_report_keeps_its_snapshot(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real_load = loading.load
    committed: list[str] = []

    async def load_while_the_bot_writes(*args, **kwargs):  # type: ignore[no-untyped-def]
        # the report has begun reading (the roster's edits); the bot now opens a ticket in the period
        if committed:
            return await real_load(*args, **kwargs)
        storage = await open_storage(db)
        try:
            await _add_ticket(storage, "HD-2026-000002", OPENED + timedelta(days=1))  # StorageUnavailable if locked
            committed.append("HD-2026-000002")
        finally:
            await storage.close()
        return await real_load(*args, **kwargs)

    monkeypatch.setattr(loading, "load", load_while_the_bot_writes)
    assert helpdesk(["report", "--from", "2026-11-01", "--to", "2026-11-30", "--json"]) == 0
    assert committed == ["HD-2026-000002"]  # the writer was not held up
    assert json.loads(capsys.readouterr().out)["tickets"] == 1  # the read saw its snapshot, not the new ticket
    assert helpdesk(["report", "--from", "2026-11-01", "--to", "2026-11-30", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tickets"] == 2  # a later read sees it


async def test_a_snapshot_cannot_write(db: Path) -> None:
    async with read_snapshot(db) as uow:
        with pytest.raises(StorageUnavailable):
            await uow.users.save(User(id=5002, name="Zhao", language="en"), OPENED)
    async with read_snapshot(db) as uow:
        assert await uow.users.get(5002) is None
        assert (await uow.tickets.get("HD-2026-000001")) is not None


async def test_a_snapshot_never_upgrades_an_older_schema(db: Path) -> None:
    raw = sqlite3.connect(db, isolation_level=None)
    latest = raw.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
    raw.execute("DELETE FROM schema_migrations WHERE version = ?", (latest,))
    raw.close()
    with pytest.raises(StorageUnavailable, match="start the bot"):
        async with read_snapshot(db):
            pass
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == latest - 1  # left as it was
    raw.close()


def test_a_report_of_a_missing_database_creates_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_DB", str(tmp_path / "none.db"))
    monkeypatch.setenv("HELPDESK_CONFIG", str(ROOT / "helpdesk.example.toml"))
    assert helpdesk(["report", "--from", "2026-11-01", "--to", "2026-11-30"]) == 2
    assert not (tmp_path / "none.db").exists()
