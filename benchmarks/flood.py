"""One noisy chat against everyone else: the production bot with Telegram's rate limit ON (issue 12).

Each run starts `python -m bot.cli run` (the production entry point, rate limiter on, as deployed) on a
fresh database, against the Bot API stand-in in this process, with N reporters filing one full report
each at a human pace (load.py's reporters: 2–8 s before each step, starts spread over the first 8 s) and
three engineers accepting every card at once. Three scenarios, the same reporters and seeds:

* quiet: nothing else;
* flood: 3 s in, one more user sends --flood distinct texts at once (a stuck key, a script);
* group: 3 s in, --group commands addressed to another bot (`/x@other_bot`) arrive from a group the
  bot is in (a group with a chatty bot beside this one, privacy mode off).

The reporters' reply latency (update made available → the expected answer received, stamped in the
stand-in) is what is measured: p50, p95, max. With --before REV the same scenarios also run on an older
commit, checked out into a temporary git worktree and run with this venv, side by side in one run.

    .venv/bin/python benchmarks/flood.py [--reporters 50] [--flood 500] [--group 150] [--before a9f702c]
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
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

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

FLOODER = FakeUser(id=4_000_000, first_name="Flood", language_code="en")
GROUP_MEMBER = FakeUser(id=4_000_001, first_name="Chatty", language_code="en")
GROUP_ID = -100_4000
SCENARIOS = ("quiet", "flood", "group")


@dataclass
class Run:
    code: str
    scenario: str
    latencies: list[float]
    cards: list[float]
    failures: list[str]
    flooder_replies: int
    group_replies: int
    seconds: float


async def noise(tg: BotApiStandIn, scenario: str, count: int, delay: float) -> None:
    await asyncio.sleep(delay)
    if scenario == "flood":
        for i in range(count):
            tg.send_text(FLOODER, f"hello? are you there {i}")
    elif scenario == "group":
        for _ in range(count):
            tg.send_in_group(GROUP_MEMBER, "/x@other_bot", group_id=GROUP_ID)


async def one_run(code: str, cwd: Path, scenario: str, args: argparse.Namespace, folder: Path) -> Run:
    work = folder / f"{code}-{scenario}"
    work.mkdir()
    write_config(work / "helpdesk.toml")
    bot = Bot("help desk", [sys.executable, "-m", "bot.cli", "run"], report_script, desk=True)
    async with BotApiStandIn(token=TOKEN) as tg:
        tg.introduce(*STAFF, FLOODER, GROUP_MEMBER)
        env = {"HELPDESK_DB": str(work / "helpdesk.db"), "HELPDESK_CONFIG": str(work / "helpdesk.toml")}
        child = Child(bot, tg, env, work / "bot.log", cwd=cwd)  # no HELPDESK_RATE_LIMIT: on, as deployed
        print(f"· {code}: {scenario} …", file=sys.stderr, flush=True)
        await child.start()
        try:
            await greet(tg, timeout=60)
            people, engineers = People(), Engineers(tg)
            engineers.start()
            users = [FakeUser(id=3_000_000 + i, first_name=f"R{i}", language_code="en") for i in range(args.reporters)]
            rng = random.Random(args.seed)
            count = args.flood if scenario == "flood" else args.group
            started = time.perf_counter()
            await asyncio.gather(
                noise(tg, scenario, count, 3.0),
                *(reporter(tg, u, bot, 1, (args.think[0], args.think[1]), random.Random(rng.random()),
                           args.answer_timeout, people) for u in users))
            seconds = time.perf_counter() - started
            await asyncio.sleep(2)  # the last cards and their Accept presses
            await engineers.stop()
        finally:
            await child.stop()
        submitted = {f.number: f.submitted_at for f in people.filed}
        cards = [c.received_at - submitted[c.number] for c in engineers.cards if c.number in submitted]
        return Run(code, scenario, [s.latency for s in people.samples], cards,
                   people.failures + engineers.failures, tg.message_count(FLOODER.id),
                   tg.message_count(GROUP_ID), seconds)


@contextlib.contextmanager
def checkout(rev: str, folder: Path):  # type: ignore[no-untyped-def]
    """An older commit's tree in a git worktree (removed afterwards)."""
    path = folder / f"tree-{rev}"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=REPO, check=True,
                   capture_output=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=REPO, capture_output=True)


def table(runs: list[Run]) -> str:
    lines = ["| code | scenario | reporters' round trips | reply p50 | p95 | p99 | max | card p95 | "
             "flooder got | group got | failures |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        worst = max(r.latencies, default=math.nan)
        lines.append(f"| {r.code} | {r.scenario} | {len(r.latencies)} | {ms(pct(r.latencies, 50))} | "
                     f"{ms(pct(r.latencies, 95))} | {ms(pct(r.latencies, 99))} | {ms(worst)} | "
                     f"{ms(pct(r.cards, 95))} | {r.flooder_replies} | {r.group_replies} | {len(r.failures)} |")
    return "\n".join(lines)


async def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--flood", type=int, default=500, help="texts the flooder sends at once (500)")
    parser.add_argument("--group", type=int, default=150, help="other bots' commands in the group (150)")
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 8.0])
    parser.add_argument("--answer-timeout", type=float, default=300.0)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--before", help="also run an older commit (e.g. a9f702c), side by side")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    scenarios = [s for s in args.scenarios.split(",") if s]
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="flood-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        codes = [("this", REPO)]
        if args.before:
            codes.append((args.before, stack.enter_context(checkout(args.before, folder))))
        for scenario in scenarios:
            for code, cwd in codes:
                runs.append(await one_run(code, cwd, scenario, args, folder))
    print(f"Command: `{' '.join(['benchmarks/flood.py', *argv])}`; this = {revision()}; "
          f"{os.cpu_count()} CPU cores; rate limiter on.\n")
    print(table(runs))
    problems = [f"{r.code} {r.scenario}: {f}" for r in runs for f in r.failures]
    if problems:
        print(f"\n{len(problems)} failure(s):\n" + "\n".join(f"- {p.splitlines()[0]}" for p in problems[:10]))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run(sys.argv[1:])))
