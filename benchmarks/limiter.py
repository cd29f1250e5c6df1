"""Within Telegram's limits (issue 21): the bot's own rate limiter against PTB's AIORateLimiter, side by side.

Each run starts `python -m bot.cli run` (the production entry point, rate limiter ON, as deployed) on a
fresh database against the Bot API stand-in in this process; "before" runs the same from a git worktree
of an older commit (main, with PTB's AIORateLimiter), in the same run, same venv. Reporters file one full
report each at a human pace (benchmarks/load.py's: 2–8 s before each step, starts spread over 8 s), three
engineers accept every card at once. Scenarios:

* r100, r300: 100 or 300 reporters;
* r300+fu: 300 reporters, and --followups follow-ups (resolved tickets of other users, seeded into the
  database before the start) all falling due at once --due-after seconds after the start;
* flood: 50 reporters, and 3 s in one more user sends --flood distinct texts at once (benchmarks/flood.py).

Reply = update made available → the expected answer received, stamped in the stand-in; card = Submit →
the engineer's card. "waiting" is the queue of people seen from outside: round trips pushed and not yet
answered, sampled every 5 s (the same measure for either limiter). For r300+fu also: the replies' p95
in the 30 s after the follow-ups fell due, and when the last follow-up arrived.

    .venv/bin/python benchmarks/limiter.py [--before main] [--scenarios r100,r300,r300+fu,flood]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.flood import FLOODER, checkout  # noqa: E402
from benchmarks.load import (  # noqa: E402
    STAFF,
    TOKEN,
    Bot,
    Child,
    Engineers,
    People,
    greet,
    ms,
    pct,
    report_script,
    reporter,
    revision,
    write_config,
)
from bot.sandbox.standin import BotApiStandIn, FakeUser  # noqa: E402

SCENARIOS = ("r100", "r300", "r300+fu", "flood")
FOLLOWUP_USER = 50_000
FOLLOWUP_TEXT = "still working since"

SEED = textwrap.dedent("""
    import asyncio, sys
    from datetime import UTC, datetime, timedelta
    from pathlib import Path
    from bot.domain import followup as fu
    from bot.domain.people import User
    from bot.domain.severity import Severity
    from bot.domain.sla import SlaTerms
    from bot.domain.ticket import Status, Ticket, opened_event
    from bot.domain.timers import Timer, TimerKind
    from storage import open_storage

    async def main(db, count, first_user, due):
        storage = await open_storage(Path(db))
        due = datetime.fromtimestamp(due, UTC)
        async with storage.transaction() as tx:
            for i in range(count):
                user = first_user + i
                await tx.users.save(User(id=user, name=f"F{i}", language="en"), due)
                number = await tx.tickets.next_number(due.year)
                opened = due - timedelta(days=3)
                ticket = Ticket(number=number, reporter_id=user, description="printer jam", severity=Severity.P3,
                                opened_at=opened, sla=SlaTerms(None, "24x7"), status=Status.RESOLVED,
                                device_type="printer", resolved_at=opened + timedelta(hours=1), assignee_id=1001)
                await tx.tickets.add(ticket, [opened_event(ticket)])
                await tx.followups.save(fu.FollowUp(number, user, fu.FollowUpState.SCHEDULED, due))
                await tx.timers.schedule(Timer(TimerKind.FOLLOWUP_SEND, due, number, {}, key=f"followup:{number}"))
        await storage.close()

    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))
""")
"""Run with the tree's own code (`-c` in its folder), so its own migrations make the database."""


@dataclass
class Run:
    code: str
    scenario: str
    latencies: list[float]
    samples: list[tuple[float, float]]
    """(pushed, latency) of every reporter's round trip"""
    steps: list[str]
    """the step each sample answers"""
    cards: list[float]
    failures: list[str]
    started: float
    due: float | None = None
    followups: list[float] = field(default_factory=list)
    """perf_counter() when each follow-up arrived"""
    flooder_replies: int = 0
    pace: tuple[int, int, int] = (0, 0, 0)
    """peaks(): the most calls in 1 s overall, in 1 s in one private chat, in 10 s in one private chat"""


class Stamped(list):  # type: ignore[type-arg]
    """The stand-in's request log, with the instant each request came in (to measure the pace kept)."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    def append(self, item) -> None:  # type: ignore[no-untyped-def, override]
        super().append(item)
        self.at.append(time.perf_counter())


def peaks(log: Stamped) -> tuple[int, int, int]:
    """Requests to a chat: the most in any 1 s overall; in one private chat, the most in any 1 s and in
    any 10 s (Telegram: about 30 a second overall, about one a second in a chat, short bursts pass)."""
    overall: list[float] = []
    chats: dict[int, list[float]] = {}
    for (method, params), at in zip(log, log.at, strict=True):
        chat = params.get("chat_id") if isinstance(params, dict) else None
        if chat is None or method == "getUpdates":
            continue
        overall.append(at)
        with contextlib.suppress(ValueError, TypeError):
            if int(chat) > 0:
                chats.setdefault(int(chat), []).append(at)
    return (window(overall, 1.0), max((window(v, 1.0) for v in chats.values()), default=0),
            max((window(v, 10.0) for v in chats.values()), default=0))


def window(instants: list[float], seconds: float) -> int:
    """The most instants in any window of `seconds` (instants in order)."""
    best, first = 0, 0
    for last, at in enumerate(instants):
        while at - instants[first] >= seconds:
            first += 1
        best = max(best, last - first + 1)
    return best


def outstanding(samples: list[tuple[float, float]], start: float, every: float = 5.0) -> list[int]:
    """People waiting for an answer (pushed, not yet answered) at start, start + every, … until the last answer."""
    end = max((p + lat for p, lat in samples), default=start)
    points = []
    t = start
    while t <= end + every:
        points.append(sum(1 for p, lat in samples if p <= t < p + lat))
        t += every
    return points


async def one_run(code: str, cwd: Path, scenario: str, args: argparse.Namespace, folder: Path) -> Run:
    work = Path(tempfile.mkdtemp(prefix=f"{scenario.replace('+', '-')}-", dir=folder))
    config = write_config(work / "helpdesk.toml")
    config.write_text(config.read_text() + '\n[followup]\nquiet_hours = "00:00-00:00"\n', encoding="utf-8")
    reporters = {"r100": 100, "r300": 300, "r300+fu": 300, "flood": 50}[scenario]
    bot = Bot("help desk", [sys.executable, "-m", "bot.cli", "run"], report_script, desk=True)
    recipients = [FakeUser(id=FOLLOWUP_USER + i, first_name=f"F{i}", language_code="en")
                  for i in range(args.followups if scenario == "r300+fu" else 0)]
    due: float | None = None
    db = work / "helpdesk.db"
    if recipients:
        wall_due = time.time() + args.due_after
        due = time.perf_counter() + args.due_after
        subprocess.run([sys.executable, "-c", SEED, str(db), str(len(recipients)), str(FOLLOWUP_USER), str(wall_due)],
                       cwd=cwd, check=True, env={**os.environ, "PYTHONPATH": str(cwd)})
    async with BotApiStandIn(token=TOKEN) as tg:
        tg.requests = log = Stamped()
        tg.introduce(*STAFF, FLOODER, *recipients)
        arrived: list[float] = []

        def seen(message) -> None:  # type: ignore[no-untyped-def]
            if FOLLOWUP_TEXT in (message.text or ""):
                arrived.append(message.received_at)

        tg.on_message = seen
        env = {"HELPDESK_DB": str(db), "HELPDESK_CONFIG": str(config)}
        child = Child(bot, tg, env, work / "bot.log", cwd=cwd)  # no HELPDESK_RATE_LIMIT: on, as deployed
        print(f"· {code}: {scenario} …", file=sys.stderr, flush=True)
        await child.start()
        try:
            await greet(tg, timeout=60)
            people, engineers = People(), Engineers(tg)
            engineers.start()
            users = [FakeUser(id=3_000_000 + i, first_name=f"R{i}", language_code="en") for i in range(reporters)]
            rng = random.Random(args.seed)
            started = time.perf_counter()

            async def flood() -> None:
                if scenario == "flood":
                    await asyncio.sleep(3.0)
                    for i in range(args.flood):
                        tg.send_text(FLOODER, f"hello? are you there {i}")

            await asyncio.gather(flood(), *(
                reporter(tg, u, bot, 1, (args.think[0], args.think[1]), random.Random(rng.random()),
                         args.answer_timeout, people) for u in users))
            if recipients:  # the follow-ups still on their way
                with contextlib.suppress(AssertionError):
                    await tg.wait_for(lambda: len(arrived) >= len(recipients), timeout=180, what="the follow-ups")
            await asyncio.sleep(2)  # the last cards and their Accept presses
            await engineers.stop()
        finally:
            await child.stop()
        submitted = {f.number: f.submitted_at for f in people.filed}
        cards = [c.received_at - submitted[c.number] for c in engineers.cards if c.number in submitted]
        samples = people.samples
        return Run(code, scenario, [s.latency for s in samples], [(s.pushed, s.latency) for s in samples],
                   [s.step for s in samples], cards, people.failures + engineers.failures, started, due,
                   sorted(arrived), tg.message_count(FLOODER.id), peaks(log))


def table(runs: list[Run]) -> str:
    lines = ["| code | scenario | round trips | reply p50 | p95 | p99 | max | card p95 | waiting, max | "
             "calls/1 s, most | one chat: /1 s | /10 s | failures |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        worst = max(r.latencies, default=math.nan)
        lines.append(f"| {r.code} | {r.scenario} | {len(r.latencies)} | {ms(pct(r.latencies, 50))} | "
                     f"{ms(pct(r.latencies, 95))} | {ms(pct(r.latencies, 99))} | {ms(worst)} | "
                     f"{ms(pct(r.cards, 95))} | {max(outstanding(r.samples, r.started), default=0)} | "
                     f"{r.pace[0]} | {r.pace[1]} | {r.pace[2]} | {len(r.failures)} |")
    return "\n".join(lines)


def step_table(runs: list[Run]) -> str:
    names = list(dict.fromkeys(name for r in runs for name in r.steps))
    lines = ["| step (reply p95) | " + " | ".join(f"{r.code[:16]} {r.scenario}" for r in runs) + " |",
             "|---|" + "---:|" * len(runs)]
    for name in names:
        cells = [ms(pct([lat for (_, lat), step in zip(r.samples, r.steps, strict=True) if step == name], 95))
                 for r in runs]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def queue_lines(runs: list[Run]) -> str:
    out = ["People waiting for an answer, every 5 s from the first reporter's start:", ""]
    for r in runs:
        out.append(f"- {r.code} {r.scenario}: " + " ".join(map(str, outstanding(r.samples, r.started))))
    return "\n".join(out)


def followup_lines(runs: list[Run]) -> str:
    out = []
    for r in runs:
        if r.due is None:
            continue
        window = [lat for p, lat in r.samples if r.due <= p < r.due + 30]
        last = f"{r.followups[-1] - r.due:.1f} s" if r.followups else "none"
        out.append(f"- {r.code} {r.scenario}: {len(r.followups)} follow-ups arrived, the last {last} after they fell "
                   f"due; replies pushed in the 30 s after: {len(window)}, p50 {ms(pct(window, 50))}, "
                   f"p95 {ms(pct(window, 95))}, max {ms(max(window, default=math.nan))}")
    return "\n".join(out)


async def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="also run an older commit (e.g. main), side by side")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--followups", type=int, default=2000)
    parser.add_argument("--due-after", type=float, default=30.0, help="seconds after the bot's start (30)")
    parser.add_argument("--flood", type=int, default=500)
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 8.0])
    parser.add_argument("--answer-timeout", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="limiter-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        codes = [(revision(), REPO)]
        if args.before:
            codes.append((f"before ({args.before})", stack.enter_context(checkout(args.before, folder))))
        for scenario in [s for s in args.scenarios.split(",") if s]:
            for code, cwd in codes:
                runs.append(await one_run(code, cwd, scenario, args, folder))
    print(f"Command: `{' '.join(['benchmarks/limiter.py', *argv])}`; {os.cpu_count()} CPU cores; rate limiter on.\n")
    print(table(runs))
    print()
    print(step_table(runs))
    print()
    print(queue_lines(runs))
    if lines := followup_lines(runs):
        print()
        print(lines)
    flooders = [f"{r.code}: {r.flooder_replies}" for r in runs if r.scenario == "flood"]
    if flooders:
        print("\nMessages to the flooder: " + ", ".join(flooders))
    problems = [f"{r.code} {r.scenario}: {f}" for r in runs for f in r.failures]
    if problems:
        print(f"\n{len(problems)} failure(s):\n" + "\n".join(f"- {p.splitlines()[0]}" for p in problems[:10]))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run(sys.argv[1:])))
