"""The SQLite storage: migrations, refusal of a newer schema, atomic transactions, the audit log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.domain import intake
from bot.domain.people import User
from bot.domain.severity import Severity
from bot.domain.sla import SlaTerms
from bot.domain.ticket import Action, Ticket, opened_event, transition
from storage import SchemaTooNew, open_storage
from storage.sqlite import migrations
from tests.conftest import START

REPORTER = User(id=7, name="Alice", language="en")


def _ticket(number: str) -> Ticket:
    return Ticket(number=number, reporter_id=7, description="jam", severity=Severity.P2,
                  opened_at=START, sla=SlaTerms(tier=None, clock="24x7"))


async def test_fresh_database_is_migrated_in_wal_mode(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path / "h.db")
    try:
        assert await storage.schema_version() == migrations()[-1][0]
    finally:
        await storage.close()
    with sqlite3.connect(tmp_path / "h.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "assets", "tickets", "ticket_events", "drafts", "timers", "outbox"} <= tables


async def test_newer_schema_is_refused_clearly(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path / "h.db")
    await storage.close()
    with sqlite3.connect(tmp_path / "h.db") as db:
        db.execute("INSERT INTO schema_migrations VALUES (999, '2030-01-01')")
    with pytest.raises(SchemaTooNew, match="schema version 999"):
        await open_storage(tmp_path / "h.db")


async def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    for _ in range(2):
        storage = await open_storage(tmp_path / "h.db")
        await storage.close()
    with sqlite3.connect(tmp_path / "h.db") as db:
        assert db.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(migrations())


async def test_a_failed_transaction_writes_nothing(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path / "h.db")
    try:
        with pytest.raises(RuntimeError):
            async with storage.transaction() as tx:
                await tx.users.save(REPORTER, START)
                number = await tx.tickets.next_number(2026)
                await tx.tickets.add(_ticket(number), [opened_event(_ticket(number))])
                await tx.drafts.save(intake.start(7, START), START)
                raise RuntimeError("crash in the middle")
        async with storage.transaction() as tx:
            assert await tx.tickets.get("HD-2026-00001") is None
            assert await tx.drafts.get(7) is None
            assert await tx.users.get(7) is None
            assert await tx.tickets.next_number(2026) == "HD-2026-00001"  # the counter rolled back too
    finally:
        await storage.close()


async def test_audit_log_is_append_only_and_complete(tmp_path: Path) -> None:
    storage = await open_storage(tmp_path / "h.db")
    try:
        async with storage.transaction() as tx:
            await tx.users.save(REPORTER, START)
            ticket = _ticket(await tx.tickets.next_number(2026))
            await tx.tickets.add(ticket, [opened_event(ticket)])
            cancelled, event = transition(ticket, Action.CANCEL, actor_id=7, at=START, reason="fixed itself")
            await tx.tickets.update(cancelled, [event])
        async with storage.transaction() as tx:
            events = await tx.tickets.events(ticket.number)
            stored = await tx.tickets.get(ticket.number)
        assert [e.kind for e in events] == ["opened", "cancel"]
        assert stored is not None and stored.status.value == "cancelled" and stored.cancel_reason == "fixed itself"
    finally:
        await storage.close()
    with sqlite3.connect(tmp_path / "h.db") as db:
        for statement in ("UPDATE ticket_events SET kind = 'x'", "DELETE FROM ticket_events"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(statement)


async def test_draft_round_trips_every_field(tmp_path: Path) -> None:
    draft = intake.set_severity(intake.set_room(intake.set_site(intake.choose_device_type(
        intake.add_photo(intake.describe(intake.start(7, START), "无法开机"), "photo-1", 10, 100), "pc"),
        "总部"), "1203"), "P1")
    storage = await open_storage(tmp_path / "h.db")
    try:
        async with storage.transaction() as tx:
            await tx.drafts.save(draft, START)
        async with storage.transaction() as tx:
            assert await tx.drafts.get(7) == draft
    finally:
        await storage.close()




async def test_waiting_for_another_process_lock_does_not_hold_up_the_loop(tmp_path: Path) -> None:
    """Statements run on the event loop's thread: a lock held elsewhere (a CLI command writing) must be
    waited for with asyncio sleeps, so other chats' work goes on meanwhile, and then succeed."""
    import asyncio

    storage = await open_storage(tmp_path / "h.db")
    blocker = sqlite3.connect(tmp_path / "h.db", timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def meanwhile() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    async def write() -> None:
        async with storage.transaction() as tx:
            await tx.users.save(REPORTER, START)

    other = asyncio.create_task(meanwhile())
    writing = asyncio.create_task(write())
    try:
        await asyncio.sleep(0.15)
        assert not writing.done()  # still waiting for the lock …
        assert ticks >= 10  # … while the loop kept running other work
        blocker.rollback()
        await asyncio.wait_for(writing, 2)
    finally:
        other.cancel()
        blocker.close()
    async with storage.transaction() as tx:
        assert await tx.users.get(REPORTER.id) == REPORTER
    await storage.close()


async def test_an_upgraded_database_keeps_every_pause_as_an_interval(tmp_path: Path) -> None:
    """Schema 7 keeps a ticket's SLA pauses as intervals; a database written by schema 6 (totals only)
    gets them back from the audit log: an ended pause, a repeated 'paused' line inside it (not a new
    pause), a pause ended by the resolve, and one still standing."""
    from datetime import timedelta

    from storage.sqlite.codec import ts
    from storage.sqlite.connection import _statements

    db_path = tmp_path / "h.db"
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        for version, sql in migrations():
            if version <= 6:
                for statement in _statements(sql):
                    db.execute(statement)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, ts(START)))
        db.execute("INSERT INTO users (id, name, language, created_at, updated_at) VALUES (7, 'Alice', 'en', ?, ?)",
                   (ts(START), ts(START)))
        for number, paused_since in (("HD-2026-00001", None), ("HD-2026-00002", START + timedelta(hours=5))):
            db.execute("""INSERT INTO tickets (number, reporter_id, status, severity, description, sla_clock,
                            opened_at, updated_at, paused_seconds, paused_since)
                          VALUES (?, 7, 'accepted', 'P2', 'jam', '24x7', ?, ?, 0, ?)""",
                       (number, ts(START), ts(START), ts(paused_since) if paused_since else None))
        h = timedelta(hours=1)
        one, two = "HD-2026-00001", "HD-2026-00002"
        log = [(one, 1 * h, "paused"), (one, 2 * h, "paused"), (one, 3 * h, "resumed"), (one, 4 * h, "paused"),
               (one, 6 * h, "resolve"), (two, 5 * h, "paused")]
        for number, after, kind in log:
            db.execute("""INSERT INTO ticket_events (ticket_id, at, actor_id, kind, data)
                          SELECT id, ?, 1001, ?, '{}' FROM tickets WHERE number = ?""",
                       (ts(START + after), kind, number))
    storage = await open_storage(db_path)
    try:
        assert await storage.schema_version() == migrations()[-1][0]
        async with storage.transaction() as uow:
            first, second = await uow.tickets.get("HD-2026-00001"), await uow.tickets.get("HD-2026-00002")
    finally:
        await storage.close()
    assert first is not None and second is not None
    assert first.pauses == ((START + 1 * h, START + 3 * h), (START + 4 * h, START + 6 * h))
    assert first.paused_seconds == 4 * 3600 and first.paused_since is None
    assert second.pauses == ((START + 5 * h, None),) and second.paused_since == START + 5 * h


async def test_the_register_keeps_core_retired_and_the_day_each_asset_joined(tmp_path: Path) -> None:
    from datetime import date, timedelta

    from bot.domain.assets import Asset

    storage = await open_storage(tmp_path / "h.db")
    try:
        async with storage.transaction() as tx:
            await tx.assets.upsert([Asset("A-1", "printer", "HQ", core=True)], START)
        later = START + timedelta(days=40)
        async with storage.transaction() as tx:  # A-1 updated (retired), A-2 new
            await tx.assets.upsert([Asset("A-1", "printer", "HQ", core=True, retired=date(2027, 1, 1)),
                                    Asset("A-2", "pc", "HQ")], later)
        async with storage.transaction() as tx:
            register = await tx.assets.register()
    finally:
        await storage.close()
    (a1, since1), (a2, since2) = register
    assert (a1.core, a1.retired, since1) == (True, date(2027, 1, 1), START)  # an update keeps the day it joined
    assert (a2.core, a2.retired, since2) == (False, None, later)


async def test_the_highest_update_id_counts_handled_waiting_and_quarantined_ones(tmp_path: Path) -> None:
    """The sandbox numbers a restarted stand-in's updates after it: each table must count, or a new update
    would reuse the id of one kept there and be dropped as a repeat (or confirmed away unread)."""
    storage = await open_storage(tmp_path / "h.db")
    try:
        async with storage.transaction() as tx:
            assert await tx.updates.highest() == 0
            assert await tx.updates.claim(7, START)
            assert await tx.updates.highest() == 7
            await tx.inbox.add([(12, "{}")], START)
            assert await tx.updates.highest() == 12
            await tx.inbox.quarantine(30, "{bad", "unreadable", START)
            assert await tx.updates.highest() == 30
            await tx.inbox.done([12])
            assert await tx.updates.claim(3, START)
            assert await tx.updates.highest() == 30
    finally:
        await storage.close()
