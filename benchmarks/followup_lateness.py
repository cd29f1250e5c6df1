"""How late do follow-ups go out (due → sent) while the bot is busy with reporters?

The real bot runs against the Bot API stand-in with its production scheduler (PTB JobQueue, one tick
every TICK_SECONDS). N follow-ups fall due spread over a few seconds while simulated reporters file
fault reports at the same time. Lateness = the instant the stand-in received the follow-up message
minus the instant it was due.

    .venv/bin/python benchmarks/followup_lateness.py [--followups 2000] [--reporters 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report_throughput import _one_report
from bot.config import parse_config
from bot.domain import followup as fu
from bot.domain.clock import SystemClock
from bot.domain.people import User
from bot.domain.severity import Severity
from bot.domain.sla import SlaTerms
from bot.domain.ticket import Status, Ticket, opened_event
from bot.domain.timers import Timer, TimerKind
from bot.sandbox.standin import BotApiStandIn, FakeUser
from bot.telegram.app import TICK_SECONDS
from bot.telegram.lifecycle import running_bot
from storage import open_storage


async def seed(storage, count: int, first_due: datetime, spread: float) -> dict[str, datetime]:  # type: ignore[no-untyped-def]
    """Resolved tickets whose follow-ups fall due between first_due and first_due + spread seconds."""
    due_at: dict[str, datetime] = {}
    async with storage.transaction() as tx:
        for i in range(count):
            reporter = 50_000 + i
            await tx.users.save(User(id=reporter, name=f"R{i}", language="en"), first_due)
            number = await tx.tickets.next_number(2026)
            opened = first_due - timedelta(days=3)
            ticket = Ticket(number=number, reporter_id=reporter, description="printer jam", severity=Severity.P3,
                            opened_at=opened, sla=SlaTerms(None, "24x7"), status=Status.RESOLVED,
                            device_type="printer", resolved_at=opened + timedelta(hours=1), assignee_id=1001)
            await tx.tickets.add(ticket, [opened_event(ticket)])
            due = first_due + timedelta(seconds=spread * i / count)
            await tx.followups.save(fu.FollowUp(number, reporter, fu.FollowUpState.SCHEDULED, due))
            await tx.timers.schedule(Timer(TimerKind.FOLLOWUP_SEND, due, number, {}, key=f"followup:{number}"))
            due_at[number] = due
    return due_at


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followups", type=int, default=2000)
    parser.add_argument("--reporters", type=int, default=100)
    args = parser.parse_args()
    config = parse_config({
        "bot": {"default_language": "en"}, "intake": {"sites": ["HQ-12F", "HQ-3F"]},
        "followup": {"quiet_hours": "00:00-00:00"},
        "engineers": [{"id": 1001, "name": "Wang Wei"}],
        "rotations": [{"name": "all", "engineers": [1001], "covers": "all"}],
    })
    received: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        storage = await open_storage(Path(folder) / "bench.db")
        first_due = datetime.now(UTC) + timedelta(seconds=3)
        due_at = await seed(storage, args.followups, first_due, spread=10.0)
        try:
            async with BotApiStandIn() as tg:
                tg.introduce(*(FakeUser(id=50_000 + i, first_name=f"R{i}") for i in range(args.followups)),
                             FakeUser(id=1001, first_name="Wang Wei"))

                def arrived(message) -> None:  # type: ignore[no-untyped-def]
                    if "still working since" in (message.text or ""):
                        number = message.text.rsplit("(", 1)[1].rstrip(")")
                        received.setdefault(number, time.time())

                tg.on_message = arrived
                async with running_bot(token=tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url,
                                       config=config, storage=storage, clock=SystemClock(), poll_timeout=1,
                                       rate_limit=False):
                    users = [FakeUser(id=10_000 + i, first_name=f"U{i}") for i in range(args.reporters)]
                    started = time.perf_counter()
                    await asyncio.gather(*(_one_report(tg, u) for u in users))
                    reports_time = time.perf_counter() - started
                    deadline = time.time() + 60
                    while len(received) < args.followups and time.time() < deadline:
                        await tg.wait_for(lambda: len(received) >= args.followups, timeout=60,
                                          what="all follow-ups")
        finally:
            await storage.close()
    lateness = sorted(received[n] - due_at[n].timestamp() for n in received)
    q = statistics.quantiles(lateness, n=100)
    print("| follow-ups due | sent | reporters filing meanwhile | tick | lateness p50 | p95 | max |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.followups} | {len(received)} | {args.reporters} ({args.reporters / reports_time:.1f} reports/s) | "
          f"{TICK_SECONDS:.0f} s | {q[49]:.2f} s | {q[94]:.2f} s | {lateness[-1]:.2f} s |")


if __name__ == "__main__":
    asyncio.run(main())
