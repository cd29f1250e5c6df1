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
