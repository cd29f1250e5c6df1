"""What a transaction of the bot's size costs: aiosqlite (each statement handed to a worker thread)
against sqlite3 on the event loop's own thread, as storage/sqlite/connection.py does now.

A reply's transaction is about ten statements (claim the update, load the user and the draft, save
the draft, queue the reply, …). This runs the same shape, BEGIN IMMEDIATE, one INSERT, eight indexed
SELECTs and COMMIT, on a WAL database with synchronous=NORMAL, many times, and reports CPU time (both
threads) and wall time per transaction.

    .venv/bin/pip install aiosqlite   # no longer one of the bot's dependencies
    .venv/bin/python benchmarks/sqlite_statements.py [--transactions 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE outbox (id INTEGER PRIMARY KEY, chat_id INTEGER, body TEXT, sent_at TEXT);
CREATE INDEX outbox_chat ON outbox (chat_id, sent_at);
"""
INSERT = "INSERT INTO outbox (chat_id, body) VALUES (?, ?)"
SELECT = "SELECT * FROM outbox WHERE chat_id = ? AND sent_at IS NULL LIMIT 5"
READS = 8


async def with_aiosqlite(path: Path, count: int) -> tuple[float, float]:
    import aiosqlite

    db = await aiosqlite.connect(path, isolation_level=None)
    await db.execute("PRAGMA journal_mode = WAL")
    await db.execute("PRAGMA synchronous = NORMAL")
    await db.executescript(SCHEMA)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(count):
        await db.execute("BEGIN IMMEDIATE")
        await db.execute(INSERT, (i % 500, "x" * 200))
        for _ in range(READS):
            await db.execute_fetchall(SELECT, (i % 500,))
        await db.commit()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await db.close()
    return cpu / count, wall / count


async def inline(path: Path, count: int) -> tuple[float, float]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.executescript(SCHEMA)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(count):
        db.execute("BEGIN IMMEDIATE")
        db.execute(INSERT, (i % 500, "x" * 200))
        for _ in range(READS):
            db.execute(SELECT, (i % 500,)).fetchall()
        db.execute("COMMIT")
        await asyncio.sleep(0)  # a turn of the event loop per transaction, as the bot gives one
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    db.close()
    return cpu / count, wall / count


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=3000)
    args = parser.parse_args()
    statements = READS + 3
    with tempfile.TemporaryDirectory() as folder:
        rows = [("sqlite3 on the event loop", await inline(Path(folder) / "inline.db", args.transactions))]
        try:
            rows.insert(0, ("aiosqlite", await with_aiosqlite(Path(folder) / "aio.db", args.transactions)))
        except ImportError:
            print("(aiosqlite is not installed: `.venv/bin/pip install aiosqlite` to compare)\n")
    print(f"{args.transactions} transactions of {statements} statements each\n")
    print("| how | CPU per transaction | wall per transaction | CPU per statement |")
    print("|---|---:|---:|---:|")
    for name, (cpu, wall) in rows:
        print(f"| {name} | {cpu * 1e3:.3f} ms | {wall * 1e3:.3f} ms | {cpu / statements * 1e6:.0f} µs |")


if __name__ == "__main__":
    asyncio.run(main())
