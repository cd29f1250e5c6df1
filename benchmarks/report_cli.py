"""`helpdesk report` on a year of 100,000 tickets, end to end, and what it does to a bot writing meanwhile.

Each run is the real command in a child process (`python -m bot.cli report …`: interpreter start,
imports, the read, the drawing, the file written), of this checkout ("after") and of `--baseline`
("before", extracted with `git archive` into a temporary folder), on the same database, alternating
so that the machine's load falls on both alike. For each run: wall time, the child's peak RSS
(`ru_maxrss` from `os.wait4`, what `/usr/bin/time -v` reports), and a writer in this process that
commits a small transaction every 20 ms the way the bot does (`BEGIN IMMEDIATE`, waiting up to the
bot's 5 s for the lock): its slowest commit and how often it gave up with "database is locked".

    .venv/bin/python benchmarks/report_cli.py [--tickets 100000] [--baseline main] [--rounds 1]
        [--db /tmp/helpdesk-report-cli-100000.db]

The database is the year of `report_bench.generate` (tickets with their log, follow-ups and
self-service outcomes) written through the storage ports; it is kept, and reused when it exists.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from report_bench import generate  # noqa: E402

from bot.domain.people import User  # noqa: E402
from storage import open_storage  # noqa: E402

CONFIG = """[bot]
timezone = "Asia/Shanghai"
default_language = "zh"

[[managers]]
id = 9001
name = "M9001"
"""
PERIOD = ("--from", "2026-01-01", "--to", "2026-12-31")
BUSY_WAIT = 5.0
"""The bot's wait for the write lock (storage.sqlite.connection.BUSY_TIMEOUT_MS)."""
WRITER_ID = 99_999


async def prefill(path: Path, count: int) -> None:
    """The generated year, stored as the bot stores it: tickets with their log, follow-ups, KB outcomes."""
    year = generate(count)
    storage = await open_storage(path)
    try:
        at = datetime(2025, 12, 1, tzinfo=UTC)
        async with storage.transaction() as tx:
            people = {t.reporter_id for t in year.tickets} | {t.assignee_id for t in year.tickets if t.assignee_id}
            people |= {k.reporter_id for k in year.kb_outcomes} | {WRITER_ID}
            for person in sorted(people):
                await tx.users.save(User(id=person, name=f"u{person}", language="zh"), at)
            for ticket in year.tickets:
                await tx.tickets.add(ticket, year.events[ticket.number])
            for followup in year.followups:
                await tx.followups.save(followup)
            for outcome in year.kb_outcomes:
                await tx.kb.record_outcome(outcome.reporter_id, outcome.article_id, outcome.helped, "printer jam",
                                           outcome.at)
    finally:
        await storage.close()


@dataclass
class Writer:
    """Commits a one-row change every 20 ms while a report runs, as the bot's transactions do."""

    path: Path
    latencies: list[float] = field(default_factory=list)
    locked: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        db = sqlite3.connect(str(self.path), isolation_level=None, timeout=BUSY_WAIT)
        try:
            n = 0
            while not self.stop.is_set():
                n += 1
                began = time.perf_counter()
                try:
                    db.execute("BEGIN IMMEDIATE")
                    db.execute("UPDATE users SET last_room = ? WHERE id = ?", (str(n), WRITER_ID))
                    db.execute("COMMIT")
                    self.latencies.append(time.perf_counter() - began)
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) and "busy" not in str(exc):
                        raise
                    self.locked += 1
                    self.latencies.append(time.perf_counter() - began)
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                self.stop.wait(0.02)
        finally:
            db.close()


@dataclass
class Run:
    variant: str
    command: str
    wall: float
    peak_rss_mib: float
    exit_code: int
    output_bytes: int
    writer: Writer


def run_once(variant: str, source: Path, command: str, db: Path, config: Path, out_dir: Path) -> Run:
    """The command in a child process with the writer going; wall time and peak RSS from wait4."""
    target = out_dir / f"{variant}-{command}.xlsx"
    target.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "bot.cli", "report", "--db", str(db), "--config", str(config), *PERIOD]
    if command == "xlsx":
        argv += ["--xlsx", str(target), "--lang", "zh"]
    env = {**os.environ, "PYTHONPATH": str(source)}
    writer = Writer(db)
    thread = threading.Thread(target=writer.run, daemon=True)
    thread.start()
    time.sleep(0.2)  # the writer is going before the command starts
    began = time.perf_counter()
    child = subprocess.Popen(argv, cwd=source, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             preexec_fn=_as_from_a_terminal)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read().decode() if child.stderr else ""
    time.sleep(0.2)
    writer.stop.set()
    thread.join()
    if child.returncode:
        print(f"{variant} {command} exited {child.returncode}:\n{errors}", file=sys.stderr)
    size = target.stat().st_size if target.exists() else 0
    return Run(variant, command, wall, usage.ru_maxrss / 1024, child.returncode, size, writer)


def _as_from_a_terminal() -> None:
    """Ctrl-C as a terminal has it, whoever started the benchmark. A shell's background job ignores
    SIGINT and its children inherit that; Python then installs no handler of its own, and neither does
    `asyncio.run`, whose restoring of it is what repr'd the whole year on the baseline (8 s, 1 GiB):
    started with `&`, the baseline measured 47 s and 594 MiB instead of 51 s and 1553 MiB."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def extract(commit: str, into: Path) -> Path:
    """The baseline's tree (`git archive`), without touching the repository's worktrees or index."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit], check=True,
                             capture_output=True).stdout
    into.mkdir(parents=True)
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--baseline", default="main", help="the commit to compare with (main)")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each variant and command")
    parser.add_argument("--db", type=Path, help="the database (default: /tmp/helpdesk-report-cli-N.db)")
    parser.add_argument("--commands", default="summary,xlsx", help="summary, xlsx or both")
    args = parser.parse_args(argv)

    db = args.db or Path(tempfile.gettempdir()) / f"helpdesk-report-cli-{args.tickets}.db"
    if not db.exists():
        began = time.perf_counter()
        print(f"· prefilling {args.tickets:,} tickets into {db} …", file=sys.stderr, flush=True)
        asyncio.run(prefill(db, args.tickets))
        print(f"· prefilled in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    baseline = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.baseline], check=True,
                              capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="report-cli-") as scratch:
        work = Path(scratch)
        config = work / "helpdesk.toml"
        config.write_text(CONFIG, encoding="utf-8")
        variants = {f"before ({baseline})": extract(args.baseline, work / "before"),
                    f"after ({head}{'+' if dirty else ''})": REPO}
        Path(db).read_bytes()  # into the page cache before the first run, so neither side pays for it
        runs: list[Run] = []
        for _ in range(args.rounds):
            for command in args.commands.split(","):
                for name, source in variants.items():
                    runs.append(run_once(name.split()[0], source, command, db, config, work))
                    last = runs[-1]
                    print(f"· {name} {command}: {last.wall:.1f} s, {last.peak_rss_mib:.0f} MiB", file=sys.stderr,
                          flush=True)
        shutil.rmtree(work / "before", ignore_errors=True)
    names = {name.split()[0]: name for name in variants}
    print(f"{args.tickets:,} tickets over 2026 in {db.name} ({db.stat().st_size / 2**20:.0f} MiB); "
          f"`helpdesk report {' '.join(PERIOD)}`, Python {sys.version.split()[0]}.\n")
    print("| command | code | wall time | peak RSS | exit | file | writer's commits | slowest commit | "
          "gave up (database is locked) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for run in runs:
        what = "report (summary)" if run.command == "summary" else "report --xlsx"
        file = f"{run.output_bytes / 2**20:.1f} MiB" if run.output_bytes else "—"
        slowest = max(run.writer.latencies, default=0.0)
        print(f"| {what} | {names[run.variant]} | {run.wall:.1f} s | {run.peak_rss_mib:.0f} MiB | {run.exit_code} | "
              f"{file} | {len(run.writer.latencies)} | {slowest * 1000:.0f} ms | {run.writer.locked} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
