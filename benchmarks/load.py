"""Load through the real HTTP path: many reporters filing at once while engineers accept the pages.

Reply latency (update pushed → the bot's answer received by the stand-in) p50/p95/p99, reports and
pages per second, peak memory, on a database that already holds N tickets; beside a bare PTB echo
bot on the same stand-in.

    .venv/bin/python benchmarks/load.py [--reporters 500] [--prefill 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report_throughput import SKIP, bench_echo
from bot.config import parse_config
from bot.domain.clock import SystemClock
from bot.domain.people import User
from bot.domain.severity import Severity
from bot.domain.sla import SlaTerms
from bot.domain.ticket import Status, Ticket, opened_event
from bot.runtime import running_bot
from bot.standin import BotApiStandIn, FakeUser
from storage import open_storage

ENGINEERS = (1001, 1002, 1003)


async def prefill(storage, count: int) -> None:  # type: ignore[no-untyped-def]
    """A database that has seen a year of tickets, so indexes and queries are measured at size."""
    start = datetime.now(UTC) - timedelta(days=365)
    async with storage.transaction() as tx:
        for reporter in range(200):
            await tx.save_user(User(id=90_000 + reporter, name=f"old{reporter}", language="en"), start)
        for i in range(count):
            opened = start + timedelta(minutes=5 * i)
            number = await tx.next_ticket_number(opened.year)
            ticket = Ticket(number=number, reporter_id=90_000 + i % 200, description="old fault",
                            severity=Severity.P3, opened_at=opened, sla=SlaTerms(None, "24x7"),
                            status=Status.CLOSED, device_type="printer", asset_no=f"A-{i % 3000}",
                            assignee_id=ENGINEERS[i % 3], resolved_at=opened + timedelta(hours=2))
            await tx.insert_ticket(ticket, opened_event(ticket))


async def reporter(tg: BotApiStandIn, user: FakeUser, latencies: list[float]) -> None:
    script = [("text", f"Printer {user.id} shows paper jam", SKIP), ("press", SKIP, "Printer"),
              ("press", "Printer", "HQ-3F"), ("press", "HQ-3F", "Skip"), ("press", "Skip", "Badly affected"),
              ("press", "Badly affected", None), ("text", "138 0000 1234", "Submit"), ("press", "Submit", None)]
    message = None
    for kind, value, expect in script:
        seen = len(tg.messages_to(user.id))
        started = time.perf_counter()
        if kind == "text":
            tg.send_text(user, value)
        else:
            tg.press(user, message, value)

        def arrived(seen: int = seen, expect: str | None = expect) -> bool:
            messages = tg.messages_to(user.id)
            return len(messages) > seen and (
                expect is None or any(expect in b for row in messages[-1].buttons() for b in row))

        await tg.wait_for(arrived, timeout=300, what=f"an answer to {user.id}")
        latencies.append(time.perf_counter() - started)
        message = tg.messages_to(user.id)[-1]


async def engineers_accept(tg: BotApiStandIn, stop: asyncio.Event, accepted: set[str]) -> None:
    staff = [FakeUser(id=e, first_name=f"E{e}") for e in ENGINEERS]
    while not stop.is_set():
        for engineer in staff:
            for message in tg.messages_to(engineer.id):
                if "✅ Accept" in [b for row in message.buttons() for b in row] and message.message_id not in accepted:
                    accepted.add(message.message_id)  # type: ignore[arg-type]
                    tg.press(engineer, message, "✅ Accept")
        await asyncio.sleep(0.05)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=500)
    parser.add_argument("--prefill", type=int, default=100_000)
    args = parser.parse_args()
    config = parse_config({
        "bot": {"default_language": "en"}, "intake": {"sites": ["HQ-12F", "HQ-3F"]},
        "engineers": [{"id": e, "name": f"E{e}"} for e in ENGINEERS],
        "rotations": [{"name": "all", "engineers": list(ENGINEERS), "covers": "all", "period": "daily"}],
    })
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        storage = await open_storage(Path(folder) / "load.db")
        fill_started = time.perf_counter()
        await prefill(storage, args.prefill)
        fill_time = time.perf_counter() - fill_started
        try:
            async with BotApiStandIn() as tg, running_bot(
                token=tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url, config=config,
                storage=storage, clock=SystemClock(), poll_timeout=1, rate_limit=False,
            ):
                tg.introduce(*(FakeUser(id=e, first_name=f"E{e}") for e in ENGINEERS))
                users = [FakeUser(id=10_000 + i, first_name=f"R{i}", language_code="en") for i in range(args.reporters)]
                stop, accepted = asyncio.Event(), set()
                acceptor = asyncio.create_task(engineers_accept(tg, stop, accepted))
                started = time.perf_counter()
                await asyncio.gather(*(reporter(tg, u, latencies) for u in users))
                elapsed = time.perf_counter() - started
                await tg.wait_for(lambda: len(accepted) >= args.reporters, timeout=300, what="every page accepted")
                paged = time.perf_counter() - started
                pages = sum(1 for e in ENGINEERS for m in tg.messages_to(e) if "HD-" in (m.text or ""))
                stop.set()
                await acceptor
            async with storage.transaction() as tx:
                new = sum([len(await tx.tickets_of(u.id)) for u in users])
        finally:
            await storage.close()
    echo_time = await bench_echo(args.reporters)
    q = statistics.quantiles(latencies, n=100)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Database prefilled with {args.prefill:,} tickets in {fill_time:.0f} s.\n")
    print("| reporters at once | replies | p50 | p95 | p99 | reports/s | pages/s | echo reports/s | ratio | peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rate, echo_rate = args.reporters / elapsed, args.reporters / echo_time
    print(f"| {args.reporters} | {len(latencies)} | {q[49] * 1000:.0f} ms | {q[94] * 1000:.0f} ms | "
          f"{q[98] * 1000:.0f} ms | {rate:.1f} | {pages / paged:.1f} | {echo_rate:.1f} | {rate / echo_rate:.2f} | "
          f"{rss:.0f} MiB |")
    print(f"\nnothing lost: {new} tickets for {args.reporters} reports; {len(accepted)} pages accepted")


if __name__ == "__main__":
    asyncio.run(main())
