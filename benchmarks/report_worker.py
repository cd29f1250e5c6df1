"""The report worker: how long a manager's /report and /export take to draw at 100,000 tickets, and
what the worker process holds in memory.

The bot draws reports in one worker process (bot/services/reports/worker.py), from a read-only snapshot of the
database, so the event loop and the write lock stay free. This fills a database with a year of
tickets (as benchmarks/load.py does), then asks the worker for last month's chart, last month's
workbook and this quarter's workbook, each for two managers in two languages, as the bot would.

    .venv/bin/python benchmarks/report_worker.py [--prefill 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from load import prefill, write_config  # noqa: E402

from bot.config import load_config  # noqa: E402
from bot.domain.timers import Timer, TimerKind  # noqa: E402
from bot.services.reports import worker  # noqa: E402
from bot.services.reports.orders import Reports  # noqa: E402
from storage import open_storage  # noqa: E402

ASKED = (("last", False, "last month, summary and chart"), ("last", True, "last month, workbook"),
         ("quarter", True, "this quarter so far, workbook"))


def worker_memory() -> str:
    """The worker's peak and current resident memory, from /proc."""
    pool = worker._pool
    pids = list(getattr(pool, "_processes", {})) if pool else []
    if not pids:
        return "(no worker)"
    status = Path(f"/proc/{pids[0]}/status").read_text().splitlines()
    fields = {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith(("VmHWM", "VmRSS"))}
    return f"peak {fields['VmHWM'] / 1024:.0f} MiB, now {fields['VmRSS'] / 1024:.0f} MiB"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefill", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="report-worker-") as folder:
        storage = await open_storage(Path(folder) / "helpdesk.db")
        try:
            started = time.perf_counter()
            await prefill(storage, args.prefill)
            print(f"{args.prefill:,} tickets over a year written in {time.perf_counter() - started:.1f} s\n")
            drawer = Reports(load_config(write_config(Path(folder) / "helpdesk.toml")))
            now = datetime.now(UTC)
            print("| report | drawn and back in | attachments | worker memory after |")
            print("|---|---:|---|---|")
            for index, (period, workbook, what) in enumerate(ASKED):
                payload = {"chat": 1, "period": period, "lang": "en", "workbook": workbook, "asked_at": now.isoformat()}
                timer = Timer(TimerKind.REPORT, now, None, payload, key=f"bench:{index}", id=index + 1)
                started = time.perf_counter()
                drawn = await drawer.prepare(storage, timer, [(1, "en"), (2, "zh")], now)
                took = time.perf_counter() - started
                sizes = ", ".join(f"{len(r.attachment.data) / 1024:.0f} KiB" for r in drawn if r.attachment)
                note = " (includes starting the worker)" if index == 0 else ""
                print(f"| {what}, en and zh | {took:.2f} s{note} | {sizes} | {worker_memory()} |")
        finally:
            worker.stop_drawing()
            await storage.close()


if __name__ == "__main__":  # the worker is spawned: it imports this file, which must not run main() again
    asyncio.run(main())
