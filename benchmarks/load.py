"""Load through the real HTTP path: the production bot in its own process, beside a bare PTB echo bot.

How it measures, and why so:

* The bot under test is `python -m bot.cli run`, the production entry point, as a child process with
  HELPDESK_RATE_LIMIT=off (PTB's AIORateLimiter would otherwise hold it to Telegram's real 30
  messages/s), on a database prefilled with --prefill earlier tickets. It long-polls the Bot API
  stand-in (bot/sandbox/standin/) that runs in this process beside the simulated people, so the bot has its
  own core and its own event loop, as in production, instead of sharing ours.
* The floor is benchmarks/echo_bot.py, a bare PTB bot, also a child process with the same poll
  timeout: once with PTB's default (one update at a time) and once with concurrent_updates(64). The
  help desk handles different chats concurrently (up to 64 updates at once), so the concurrent echo
  bot is the fair floor; both are shown. The help desk talks HTTP through aiohttp (bot/telegram/http.py)
  instead of PTB's default httpx, whose connection pool costs much CPU under concurrency, so the
  concurrent echo bot is also run with that client: the floor with the same per-call cost.
* Throughput, a closed loop: N reporters file a full report at once without pausing, each step waiting
  for the bot's answer (describe → skip the suggested guides → device → site → room: skip → severity →
  phone → submit: 8 round trips). The echo bots get the same round trips, texts and presses in the
  same order.
* Latency at a human pace: the N reporters are all in the middle of a report at once, but each pauses
  a think time (uniform, --think) between an answer and the next step; starts are staggered over the
  first think time. Reply latency = the update made available to getUpdates (pushed) → the stand-in
  receiving the expected answer (the question with the expected button or text), both stamped in the
  stand-in. Engineers accept every card the moment it arrives. With --manager-every, a manager also
  asks for last month's /report and /export in turn meanwhile: drawing them must not hold anyone up.
* CPU is sampled each second: the bot's process, this one (the stand-in and the simulated people,
  the "driver") and the rest of the machine, to tell where the time goes and whether a neighbour
  skewed the run; and this process's event-loop lag: a saturated driver inflates the latencies.
* Finally the bot's database is read (read-only): every submitted report is exactly one ticket of
  that reporter and description, every ticket was paged, and every page was accepted.

    .venv/bin/python benchmarks/load.py [--reporters 500] [--prefill 100000] [--reports-each 2] [--think 2 8]
                                        [--manager-every 10]
    .venv/bin/python benchmarks/load.py --quick        # 50 reporters, 1,000 tickets, short pauses: < 1 min
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import math
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import telegram  # noqa: E402

from bot.domain.people import User  # noqa: E402
from bot.domain.severity import Severity  # noqa: E402
from bot.domain.sla import SlaTerms  # noqa: E402
from bot.domain.ticket import Status, Ticket, opened_event  # noqa: E402
from bot.sandbox.standin import BotApiStandIn, FakeUser, SentMessage  # noqa: E402
from storage import open_storage  # noqa: E402
from tests.soak_support import query, said  # noqa: E402

ENGINEERS = (1001, 1002, 1003)
STAFF = tuple(FakeUser(id=e, first_name=f"E{e}", language_code="en") for e in ENGINEERS)
MANAGER = FakeUser(id=9001, first_name="M9001", language_code="en")
TOKEN = "123456:" + "A" * 35
"""The stand-in's default token is too short for the bot's own check of TELEGRAM_BOT_TOKEN."""
POLL_TIMEOUT = 10
"""`helpdesk run` long-polls with 10 s; the echo bot is given the same."""
ECHO_BOT = REPO / "benchmarks" / "echo_bot.py"
SKIP = "Skip — report it to an engineer"
ACCEPT_LABELS = ("✅ Accept", "✅ 接单")
PHONE = "138 0000 1234"
CONFIRMED_RE = re.compile(r"Ticket (HD-\d{4}-\d{5,}) is open")
NUMBER_RE = re.compile(r"HD-\d{4}-\d{5,}")
FIRST_REPORTER = {"throughput": 1_000_000, "latency": 2_000_000}
"""User ids of the simulated reporters by phase (the prefill's reporters are 90,000–90,199)."""

CONFIG = """\
# benchmarks/load.py: three engineers in one rotation around the clock, two sites, English.
[bot]
timezone = "Asia/Shanghai"
default_language = "en"

[intake]
sites = ["HQ-12F", "HQ-3F"]

{engineers}
[[managers]]
id = 9001
name = "M9001"

[[rotations]]
name = "all"
engineers = [{ids}]
period = "daily"
covers = "all"
"""


def write_config(path: Path) -> Path:
    """The configuration the bot is started with (the TOML shape of helpdesk.example.toml)."""
    engineers = "".join(f'[[engineers]]\nid = {e}\nname = "E{e}"\n\n' for e in ENGINEERS)
    path.write_text(CONFIG.format(engineers=engineers, ids=", ".join(map(str, ENGINEERS))), encoding="utf-8")
    return path


async def prefill(storage, count: int) -> None:  # type: ignore[no-untyped-def]
    """A database that has seen a year of tickets, so indexes and queries are measured at size."""
    start = datetime.now(UTC) - timedelta(days=365)
    async with storage.transaction() as tx:
        for reporter in range(200):
            await tx.users.save(User(id=90_000 + reporter, name=f"old{reporter}", language="en"), start)
        for i in range(count):
            opened = start + timedelta(minutes=5 * i)
            number = await tx.tickets.next_number(opened.year)
            ticket = Ticket(number=number, reporter_id=90_000 + i % 200, description="old fault",
                            severity=Severity.P3, opened_at=opened, sla=SlaTerms(None, "24x7"),
                            status=Status.CLOSED, device_type="printer", asset_no=f"A-{i % 3000}",
                            assignee_id=ENGINEERS[i % 3], resolved_at=opened + timedelta(hours=2))
            await tx.tickets.add(ticket, [opened_event(ticket)])


# ---- the scripts: what a person does, and which answer they wait for -----------------------------------
def _labels(m: SentMessage) -> list[str]:
    return [label for row in m.buttons() for label in row]


def button(label: str, *, exact: bool = True) -> Callable[[SentMessage], bool]:
    """The answer is a question offering `label` (a KB guide "📘 Printer paper jam" is no "Printer")."""
    if exact:
        return lambda m: label in _labels(m)
    return lambda m: any(label in b for b in _labels(m))


def text_has(fragment: str) -> Callable[[SentMessage], bool]:
    return lambda m: fragment in (m.text or "")


def any_message(m: SentMessage) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    kind: str
    """"text" (typed) or "press" (a button on the previous answer)."""
    value: str
    expect: Callable[[SentMessage], bool]
    name: str = ""
    """what the step answers, for the table of latency by step"""


def report_script(user: FakeUser, case: int) -> list[Step]:
    """A full fault report; the knowledge base's suggestions for this description are skipped."""
    return [
        Step("text", f"Printer of {user.first_name} shows paper jam, case {case}", button(SKIP),
             "description → suggested guides"),
        Step("press", SKIP, lambda m: "Printer" in _labels(m) and "PC" in _labels(m), "skip guides → device?"),
        Step("press", "Printer", button("HQ-3F"), "device → site?"),
        Step("press", "HQ-3F", lambda m: said(m).startswith("Which room") and "Skip" in _labels(m),
             "site → room?"),
        Step("press", "Skip", button("Badly affected", exact=False), "room: skip → severity?"),
        Step("press", "Badly affected", text_has("reach you"), "severity → phone?"),
        Step("text", PHONE, button("Submit", exact=False), "phone → summary"),
        Step("press", "Submit", lambda m: CONFIRMED_RE.search(m.text or "") is not None,
             "submit → ticket (engineer paged)"),
    ]


def echo_script(user: FakeUser, case: int) -> list[Step]:
    """The same round trips for the echo bot: texts and presses in the report's order."""
    return [Step(kind, f"step {i} of case {case}" if kind == "text" else "ok", any_message, kind)
            for i, kind in enumerate(step.kind for step in report_script(user, case))]


@dataclass
class Bot:
    name: str
    argv: list[str]
    script: Callable[[FakeUser, int], list[Step]]
    desk: bool = False


# ---- the child process ------------------------------------------------------------------------------
class Child:
    """A bot in its own process (the production entry point, or the echo bot), polling the stand-in."""

    def __init__(self, bot: Bot, tg: BotApiStandIn, env: dict[str, str], log: Path, cwd: Path = REPO) -> None:
        self.bot = bot
        self.cwd = cwd
        """Where it runs: `python -m bot.cli` there imports that folder's bot (another commit's checkout)."""
        self.tg = tg
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("HELPDESK_", "TELEGRAM_"))},
            "TELEGRAM_BOT_TOKEN": tg.token, "HELPDESK_TELEGRAM_API_URL": tg.base_url, "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 120.0) -> None:
        """Start it and wait until it long-polls (the help desk first opens the database and so on)."""
        mark = len(self.tg.requests)
        with open(self.log, "ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *self.bot.argv, cwd=self.cwd, env=self.env, stdin=asyncio.subprocess.DEVNULL, stdout=log,
                stderr=asyncio.subprocess.STDOUT)

        def polled() -> bool:
            return any(method == "getUpdates" for method, _ in self.tg.requests[mark:])

        deadline = time.perf_counter() + timeout
        while not polled():
            if self.proc.returncode is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"{self.bot.name} did not start (exit code {self.proc.returncode}):\n{self.tail()}")
            with contextlib.suppress(AssertionError):  # woken by its first poll; looks at its exit every 0.2 s
                await self.tg.wait_for(polled, 0.2, what=f"{self.bot.name} to poll")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def peak_rss_mib(self) -> float:
        """VmHWM: the process's peak resident memory so far."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return math.nan

    async def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, as systemd would; killed if it does not exit within `timeout`. The exit code."""
        assert self.proc is not None
        if self.proc.returncode is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            return None

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (ours included: the stand-in and every simulated person)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds() -> float:
    """CPU time the whole machine spent busy (every process, every core), from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class Cpu:
    """Shares of one core, on average over a phase and in its busiest second."""

    bot: tuple[float, float]
    driver: tuple[float, float]
    others: tuple[float, float]
    """every other process on the machine: a busy neighbour skews the figures"""


class Monitor:
    """Each second: the share of a core the bot, this process and everything else used; each 0.1 s: our lag."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.seconds: list[tuple[float, float, float]] = []
        self.lag: list[float] = []
        self._task: asyncio.Task[None] | None = None
        self._start = (0.0, 0.0, 0.0, 0.0)

    def _now(self) -> tuple[float, float, float, float]:
        return time.perf_counter(), cpu_seconds(self.pid), cpu_seconds(os.getpid()), busy_cpu_seconds()

    @staticmethod
    def _shares(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> tuple[float, ...]:
        wall = b[0] - a[0]
        bot, driver, busy = (b[1] - a[1]) / wall, (b[2] - a[2]) / wall, (b[3] - a[3]) / wall
        return bot, driver, max(0.0, busy - bot - driver)

    def start(self) -> None:
        self._start = self._now()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        previous = self._now()
        tick = 0.1
        while True:
            before = time.perf_counter()
            await asyncio.sleep(tick)
            self.lag.append(time.perf_counter() - before - tick)
            now = self._now()
            if now[0] - previous[0] >= 1.0:
                self.seconds.append(self._shares(previous, now))  # type: ignore[arg-type]
                previous = now

    async def stop(self) -> Cpu:
        """Stop sampling; the CPU figures since start()."""
        assert self._task is not None
        self._task.cancel()
        await asyncio.wait([self._task])  # (a cancellation of our own caller still goes through)
        average = self._shares(self._start, self._now())
        peak = [max((s[i] for s in self.seconds), default=math.nan) for i in range(3)]
        return Cpu(*((average[i], peak[i]) for i in range(3)))


# ---- simulated people -------------------------------------------------------------------------------
@dataclass
class Sample:
    pushed: float
    """perf_counter() when the update was pushed"""
    latency: float
    """update pushed → expected answer received"""
    fetched: float
    """update pushed → first handed to the bot by getUpdates"""
    step: str


@dataclass
class Filed:
    reporter: int
    description: str
    number: str
    submitted_at: float
    """perf_counter() when the Submit press was pushed"""


@dataclass
class People:
    """What the simulated people saw in one phase."""

    samples: list[Sample] = field(default_factory=list)
    filed: list[Filed] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    finished_at: float = 0.0


async def round_trip(tg: BotApiStandIn, user: FakeUser, step: Step, previous: SentMessage | None,
                     timeout: float, people: People) -> tuple[SentMessage, int]:
    """One step and its answer, timed in the stand-in: (the answer, the update's id)."""
    seen = tg.message_count(user.id)
    edited = previous.changed_at if previous is not None else None
    if step.kind == "text":
        update_id = tg.send_text(user, step.value)
    else:
        assert previous is not None
        update_id = tg.press(user, previous, step.value)
    found: list[SentMessage] = []

    def answered() -> bool:
        """A new message that is the answer, or the pressed one edited into it (bot.messages.Continues)."""
        found.extend(m for m in tg.messages_to(user.id)[seen:] if step.expect(m))
        if (not found and step.kind == "press" and previous is not None and previous.changed_at != edited
                and step.expect(previous)):
            found.append(previous)
        return bool(found)

    await tg.wait_for_chat(user.id, answered, timeout, what=f"the answer to {step.name or step.value!r}")
    answer = found[0]
    pushed = tg.pushed_at[update_id]
    fetched = tg.delivered_at.get(update_id, math.nan) - pushed
    received = answer.changed_at if answer is previous and answer.changed_at is not None else answer.received_at
    people.samples.append(Sample(pushed, received - pushed, fetched, step.name))
    return answer, update_id


async def reporter(tg: BotApiStandIn, user: FakeUser, bot: Bot, reports: int, think: tuple[float, float] | None,
                   rng: random.Random, timeout: float, people: People, ramp: float = 0.0) -> None:
    """Files `reports` reports; with `think`, pauses that long (uniform) before each step; starts within `ramp`."""
    answer: SentMessage | None = None
    try:
        if think is not None:
            await asyncio.sleep(rng.uniform(0.0, ramp or think[1]))
        for case in range(reports):
            script = bot.script(user, case)
            for i, step in enumerate(script):
                if think is not None and (case, i) != (0, 0):
                    await asyncio.sleep(rng.uniform(*think))
                answer, update_id = await round_trip(tg, user, step, answer, timeout, people)
                if bot.desk and i == len(script) - 1:
                    number = CONFIRMED_RE.search(answer.text or "")[1]  # type: ignore[index]
                    people.filed.append(Filed(user.id, script[0].value, number, tg.pushed_at[update_id]))
    except (AssertionError, KeyError) as exc:  # no (expected) answer in time, or its button is missing
        recent = "\n".join(f"    ← {m.describe()}" for m in tg.messages_to(user.id)[-6:])
        people.failures.append(f"reporter {user.id}: {str(exc).splitlines()[0]}\n{recent}")
    people.finished_at = max(people.finished_at, time.perf_counter())


@dataclass
class Card:
    engineer: int
    number: str
    received_at: float
    pressed: int
    """the update id of the Accept press"""


class Manager:
    """Asks for last month's report and export in turn every `every` seconds, while the reporters file:
    drawing them (1–3 s at 100,000 tickets) must not hold up the reporters."""

    COMMANDS = (("/report last", "sendPhoto"), ("/export last", "sendDocument"))

    def __init__(self, tg: BotApiStandIn, every: float) -> None:
        self.tg = tg
        self.every = every
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.every > 0:
            self._task = asyncio.create_task(self._work())

    async def _work(self) -> None:
        tg, user = self.tg, MANAGER
        for turn in itertools.count():
            await asyncio.sleep(self.every)
            command, method = self.COMMANDS[turn % 2]
            seen = tg.message_count(user.id)
            update_id = tg.send_text(user, command)
            try:
                await tg.wait_for_chat(user.id, lambda seen=seen, method=method: any(
                    m.method == method for m in tg.messages_to(user.id)[seen:]), timeout=120, what=command)
            except AssertionError as exc:
                self.failures.append(f"manager {command}: {exc}")
                continue
            got = next(m for m in tg.messages_to(user.id)[seen:] if m.method == method)
            self.latencies.append(got.received_at - tg.pushed_at[update_id])

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])


class Engineers:
    """Every engineer presses Accept on each card the moment it arrives, all of them at once."""

    def __init__(self, tg: BotApiStandIn) -> None:
        self.tg = tg
        self.cards: list[Card] = []
        self.failures: list[str] = []
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work(user)) for user in STAFF]

    async def _work(self, user: FakeUser) -> None:
        tg = self.tg
        done = tg.message_count(user.id)
        while True:
            await tg.wait_for_chat(user.id, lambda seen=done: tg.message_count(user.id) > seen, timeout=1e6,
                                   what="a card")
            for m in tg.messages_to(user.id)[done:]:
                label = next((a for a in ACCEPT_LABELS if a in _labels(m)), None)
                found = NUMBER_RE.search(m.text or "")
                if label is None or found is None:
                    continue
                try:
                    self.cards.append(Card(user.id, found[0], m.received_at, tg.press(user, m, label)))
                except (KeyError, AssertionError) as exc:
                    self.failures.append(f"engineer {user.id} could not accept {m.describe()}: {exc}")
            done = tg.message_count(user.id)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)


async def greet(tg: BotApiStandIn, timeout: float) -> None:
    """The engineers open their chat with the bot (/start) and get an answer: the bot can page them."""
    async def hello(user: FakeUser) -> None:
        seen = tg.message_count(user.id)
        tg.send_text(user, "/start")
        await tg.next_message(user.id, seen, timeout=timeout)

    await asyncio.gather(*(hello(user) for user in (*STAFF, MANAGER)))


# ---- one phase ----------------------------------------------------------------------------------------
@dataclass
class Result:
    bot: str
    phase: str
    reporters: int
    reports: int
    seconds: float
    samples: list[Sample]
    cpu: Cpu
    lag: list[float]
    peak_rss: float
    pages: int = 0
    pages_seconds: float = math.nan
    card_latencies: list[float] = field(default_factory=list)
    manager_latencies: list[float] = field(default_factory=list)
    """a manager's /report or /export pushed → its chart or workbook received"""
    filed: list[Filed] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    exit_code: int | None = 0


async def settle(db: Path, first_reporter: int, filed: int, timeout: float) -> str | None:
    """Wait until every ticket of the phase is accepted (the database, polled read-only); a problem or None."""
    deadline = time.perf_counter() + timeout
    sql = "SELECT COUNT(*), SUM(status = 'accepted') FROM tickets WHERE reporter_id >= ? AND reporter_id < ?"
    while True:
        tickets, accepted = query(db, sql, (first_reporter, first_reporter + 1_000_000))[0]
        if tickets >= filed and tickets == (accepted or 0):
            return None
        if time.perf_counter() > deadline:
            return f"after {timeout:.0f} s: {accepted or 0} of {tickets} tickets accepted ({filed} reports filed)"
        await asyncio.sleep(0.25)


async def run_phase(bot: Bot, phase: str, tg: BotApiStandIn, child: Child, args: argparse.Namespace,
                    db: Path | None) -> Result:
    n = args.reporters
    first = FIRST_REPORTER[phase]
    users = [FakeUser(id=first + i, first_name=f"R{first + i}", language_code="en") for i in range(n)]
    reports = args.throughput_reports if phase == "throughput" else args.reports_each
    think = None if phase == "throughput" else (args.think[0], args.think[1])
    rng = random.Random(f"{args.seed}-{phase}")
    people = People()
    engineers = Engineers(tg)
    manager = Manager(tg, args.manager_every if bot.desk and phase == "latency" else 0)
    if bot.desk:
        engineers.start()
        manager.start()
    gc.collect()
    gc.freeze()  # what exists now (e.g. earlier phases' records) is never scanned again: shorter GC pauses here
    monitor = Monitor(child.pid)
    monitor.start()
    started = time.perf_counter()
    await asyncio.gather(*(reporter(tg, u, bot, reports, think, random.Random(rng.random()), args.answer_timeout,
                                    people, args.ramp) for u in users))
    seconds = people.finished_at - started
    cpu = await monitor.stop()
    problem = None
    if bot.desk:  # the last pages may still be on their way, and their Accept presses
        assert db is not None
        problem = await settle(db, first, len(people.filed), args.settle_timeout)
    await engineers.stop()
    await manager.stop()
    peak = child.peak_rss_mib()
    gc.unfreeze()
    result = Result(bot.name, phase, n, n * reports, seconds, people.samples, cpu, monitor.lag, peak,
                    filed=people.filed, cards=engineers.cards, manager_latencies=manager.latencies,
                    failures=people.failures + engineers.failures + manager.failures
                    + ([f"settle: {problem}"] if problem else []))
    if bot.desk:
        submitted = {f.number: f.submitted_at for f in people.filed}
        result.pages = len(engineers.cards)
        if engineers.cards:
            result.pages_seconds = max(c.received_at for c in engineers.cards) - started
        result.card_latencies = [c.received_at - submitted[c.number] for c in engineers.cards if c.number in submitted]
    return result


async def run_bot(bot: Bot, phases: Sequence[str], args: argparse.Namespace, folder: Path,
                  db: Path | None) -> list[Result]:
    """One stand-in per bot; a fresh bot process per phase, so each phase's peak memory is its own."""
    results = []
    async with BotApiStandIn(token=TOKEN) as tg:
        tg.introduce(*STAFF)
        env = {"HELPDESK_RATE_LIMIT": "off"}
        if db is not None:
            env.update(HELPDESK_DB=str(db), HELPDESK_CONFIG=str(folder / "helpdesk.toml"))
        for phase in phases:
            child = Child(bot, tg, env, folder / f"{re.sub(r'[^a-z0-9]+', '-', bot.name)}-{phase}.log")
            print(f"· {bot.name}: {phase} …", file=sys.stderr, flush=True)
            await child.start()
            try:
                await greet(tg, timeout=60)
                result = await run_phase(bot, phase, tg, child, args, db)
            except Exception:
                print(child.tail(), file=sys.stderr)
                raise
            finally:
                code = await child.stop()
            result.exit_code = code
            results.append(result)
    return results


# ---- the audit ---------------------------------------------------------------------------------------
def audit(db: Path, results: list[Result]) -> tuple[str, list[str]]:
    """Every report told to its reporter is one ticket; each was paged and each page accepted."""
    filed = [f for r in results for f in r.filed]
    cards = [c for r in results for c in r.cards]
    problems: list[str] = []
    rows = query(db, "SELECT id, number, reporter_id, description, status FROM tickets WHERE reporter_id >= ?",
                 (min(FIRST_REPORTER.values()),))
    tickets = {number: (reporter, description, status, tid) for tid, number, reporter, description, status in rows}
    for f in filed:
        found = tickets.get(f.number)
        if found is None:
            problems.append(f"{f.number}, told to {f.reporter}, is not in the database")
        elif found[:2] != (f.reporter, f.description):
            problems.append(f"{f.number} was told to {f.reporter} for {f.description!r}, the database has {found[:2]}")
    per_report = Counter((reporter, description) for reporter, description, _, _ in tickets.values())
    problems += [f"reporter {r} has {n} tickets for {d!r}" for (r, d), n in per_report.items() if n > 1]
    told = {f.number for f in filed}
    problems += [f"{number} was never confirmed to its reporter" for number in tickets if number not in told]
    problems += [f"{number} is {status!r}, not accepted" for number, (_, _, status, _) in tickets.items()
                 if status != "accepted"]
    by_id = {tid: number for number, (_, _, _, tid) in tickets.items()}
    pinged: set[tuple[str, int]] = set()
    for ticket_id, data in query(db, "SELECT ticket_id, data FROM ticket_events WHERE kind = 'pinged'"):
        if ticket_id in by_id:
            engineer = re.search(r'"engineer":\s*(\d+)', data)
            pinged.add((by_id[ticket_id], int(engineer[1]) if engineer else 0))
    paged = {number for number, _ in pinged}
    problems += [f"{number}: nobody was paged" for number in tickets if number not in paged]
    pressed = {(c.number, c.engineer) for c in cards}
    problems += [f"the card of {n} never reached engineer {e}" for n, e in sorted(pinged - pressed)]
    summary = (f"{len(filed)} reports submitted → {len(tickets)} tickets, {len(told & set(tickets))} of them exactly "
               f"the reports told; {len(pinged)} pages, {len(pressed & pinged)} of them accepted on the card; "
               f"{sum(1 for t in tickets.values() if t[2] == 'accepted')} tickets accepted")
    return summary, problems


# ---- the tables -------------------------------------------------------------------------------------
def pct(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100); NaN when there is nothing."""
    data = sorted(v for v in values if not math.isnan(v))
    if not data:
        return math.nan
    return data[min(len(data) - 1, max(0, math.ceil(p / 100 * len(data)) - 1))]


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "—"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def share(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.0%} / {pair[1]:.0%}" if not math.isnan(pair[1]) else f"{pair[0]:.0%}"


def cpu_columns(r: Result) -> str:
    return f"{share(r.cpu.bot)} | {share(r.cpu.driver)} | {share(r.cpu.others)}"


CPU_HEADS = "bot CPU avg / max | driver CPU avg / max | other processes avg / max"


def steps_table(results: list[Result]) -> str:
    """The help desk's reply latency by step, one column pair per phase: which answers cost the most."""
    desk = [r for r in results if r.bot == "help desk"]
    if not desk:
        return ""
    names = list(dict.fromkeys(s.step for r in desk for s in r.samples))
    lines = ["| help desk: step | " + " | ".join(f"{r.phase} p50 | {r.phase} p95" for r in desk) + " |",
             "|---|" + "---:|---:|" * len(desk)]
    for name in names:
        cells = []
        for r in desk:
            latencies = [s.latency for s in r.samples if s.step == name]
            cells += [ms(pct(latencies, 50)), ms(pct(latencies, 95))]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _reply_cells(r: Result) -> tuple[str, str, str]:
    """The cells both tables share: reply p50 | p95 | p99, fetched p50 / p99, pages per second."""
    latencies = [s.latency for s in r.samples]
    fetched = [s.fetched for s in r.samples]
    return (f"{ms(pct(latencies, 50))} | {ms(pct(latencies, 95))} | {ms(pct(latencies, 99))}",
            f"{ms(pct(fetched, 50))} / {ms(pct(fetched, 99))}",
            f"{r.pages / r.pages_seconds:.1f}" if r.pages else "—")


def throughput_table(results: list[Result]) -> str:
    lines = [f"| bot | reporters | round trips | seconds | reports/s | round trips/s | reply p50 | p95 | p99 | "
             f"fetched p50 / p99 | pages/s | {CPU_HEADS} | bot peak RSS |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        replies, fetched, pages = _reply_cells(r)
        lines.append(f"| {r.bot} | {r.reporters} | {len(r.samples)} | {r.seconds:.1f} | "
                     f"{r.reports / r.seconds:.1f} | {len(r.samples) / r.seconds:.0f} | {replies} | "
                     f"{fetched} | {pages} | {cpu_columns(r)} | {r.peak_rss:.0f} MiB |")
    desk = next((r for r in results if r.bot == "help desk"), None)
    ratios = [f"help desk / {r.bot}: **{(len(desk.samples) / desk.seconds) / (len(r.samples) / r.seconds):.2f}**"
              for r in results if desk is not None and r is not desk]
    return "\n".join(lines) + ("\n\nRound trips per second, " + "; ".join(ratios) + "." if ratios else "")


def latency_table(results: list[Result]) -> str:
    lines = ["| bot | reporters | round trips | round trips/s | reply p50 | p95 | p99 | max | fetched p50 / p99 | "
             f"pages/s | card p50 | card p95 | {CPU_HEADS} | driver lag p99 / max | bot peak RSS |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        replies, fetched, pages = _reply_cells(r)
        worst = ms(max((s.latency for s in r.samples), default=math.nan))
        lines.append(f"| {r.bot} | {r.reporters} | {len(r.samples)} | {len(r.samples) / r.seconds:.0f} | "
                     f"{replies} | {worst} | {fetched} | "
                     f"{pages} | {ms(pct(r.card_latencies, 50))} | {ms(pct(r.card_latencies, 95))} | "
                     f"{cpu_columns(r)} | {ms(pct(r.lag, 99))} / {ms(max(r.lag, default=math.nan))} | "
                     f"{r.peak_rss:.0f} MiB |")
    return "\n".join(lines)


# ---- main ---------------------------------------------------------------------------------------------
def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 50 reporters, 1,000 tickets, 1 report each, pauses of 0.2–1 s "
                             "(flags given explicitly still win)")
    parser.add_argument("--reporters", type=int, default=500, help="simulated reporters at once (default 500)")
    parser.add_argument("--prefill", type=int, default=100_000, help="earlier tickets in the database (100,000)")
    parser.add_argument("--reports-each", type=int, default=2, help="reports per reporter in the latency phase (2)")
    parser.add_argument("--throughput-reports", type=int, default=1,
                        help="reports per reporter in the throughput phase, one after the other (1)")
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 8.0], metavar=("MIN", "MAX"),
                        help="a reporter's pause before each step in the latency phase, uniform (2 8 seconds)")
    parser.add_argument("--ramp", type=float, default=0.0,
                        help="seconds over which the reporters start in the latency phase (default: the longest "
                             "think time, so all are mid-report at once and reach the costly steps together; "
                             "about one report's length, e.g. 40, gives a steady state instead)")
    parser.add_argument("--phases", default="throughput,latency", help="throughput,latency (both by default)")
    parser.add_argument("--bots", default="help desk,echo,echo concurrent,echo concurrent aiohttp",
                        help=f"which bots, comma-separated, of: {', '.join(BOTS)} (all but the sequential "
                             f"aiohttp echo by default)")
    parser.add_argument("--echo-concurrency", type=int, default=64, help="the concurrent echo bot's limit (64)")
    parser.add_argument("--answer-timeout", type=float, default=300.0, help="seconds a reporter waits for an answer")
    parser.add_argument("--settle-timeout", type=float, default=120.0,
                        help="seconds to wait for every page to be accepted after the reporters are done")
    parser.add_argument("--manager-every", type=float, default=0.0,
                        help="in the help desk's latency phase, a manager asks for last month's /report and "
                             "/export in turn every so many seconds (default: no manager)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep the database and the bots' logs here (default: a temp dir)")
    if "--quick" in argv:
        parser.set_defaults(reporters=50, prefill=1000, reports_each=1, think=[0.2, 1.0])
    args = parser.parse_args(argv)
    if not 0 < args.reporters < 1_000_000 or args.think[0] > args.think[1] or args.think[0] < 0:
        parser.error("--reporters must be 1–999,999 and --think MIN MAX with 0 <= MIN <= MAX")
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    args.bots = [b.strip() for b in args.bots.split(",") if b.strip()]
    if set(args.phases) - set(FIRST_REPORTER) or set(args.bots) - set(BOTS):
        parser.error(f"unknown phase or bot in {args.phases} / {args.bots}")
    return args


BOTS = ("help desk", "echo", "echo concurrent", "echo aiohttp", "echo concurrent aiohttp")


def bots(args: argparse.Namespace) -> list[Bot]:
    """The help desk, and the echo bot: PTB's defaults, concurrent, and either with the help desk's HTTP client."""
    echo = [sys.executable, str(ECHO_BOT), "--poll-timeout", str(POLL_TIMEOUT)]
    concurrent = ["--concurrent", str(args.echo_concurrency)]
    every = {
        "help desk": Bot("help desk", [sys.executable, "-m", "bot.cli", "run"], report_script, desk=True),
        "echo": Bot("echo", echo, echo_script),
        "echo concurrent": Bot(f"echo concurrent({args.echo_concurrency})", [*echo, *concurrent], echo_script),
        "echo aiohttp": Bot("echo, aiohttp", [*echo, "--http", "aiohttp"], echo_script),
        "echo concurrent aiohttp": Bot(f"echo concurrent({args.echo_concurrency}), aiohttp",
                                       [*echo, *concurrent, "--http", "aiohttp"], echo_script),
    }
    return [every[name] for name in args.bots]


async def run(argv: list[str]) -> int:
    args = parse_args(argv)
    python = sys.executable if not sys.executable.startswith(str(REPO)) else os.path.relpath(sys.executable, REPO)
    command = shlex.join([python, *sys.argv])
    if argv != sys.argv[1:]:
        command += f"` (load.py `{shlex.join(argv)}`)"
    results: list[Result] = []
    with contextlib.ExitStack() as stack:
        folder = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-")))
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "helpdesk.db"
        fill_time = math.nan
        if "help desk" in args.bots:
            if db.exists():
                raise SystemExit(f"{db} exists: give an empty --workdir")
            write_config(folder / "helpdesk.toml")
            print(f"· prefilling {args.prefill:,} tickets …", file=sys.stderr, flush=True)
            started = time.perf_counter()
            storage = await open_storage(db)
            try:
                await prefill(storage, args.prefill)
            finally:
                await storage.close()  # before the bot opens it
            fill_time = time.perf_counter() - started
        for bot in bots(args):
            results += await run_bot(bot, args.phases, args, folder, db if bot.desk else None)
        summary, problems = audit(db, results) if "help desk" in args.bots else ("", [])

    print(f"Command: `{command}`\n")
    print(f"Python {sys.version.split()[0]}, python-telegram-bot {telegram.__version__}, {os.cpu_count()} CPU cores. "
          f"The bots run in child processes; the Bot API stand-in and all simulated people share this one "
          f"(\"driver\"). CPU: share of one core (\"other processes\": the rest of the machine, kernel network "
          f"work included). Latencies are stamped in the stand-in: update pushed → the expected answer received "
          f"(\"fetched\": pushed → handed out by getUpdates). The help desk also pages an engineer per report and "
          f"handles the Accept press (answer, card edited, reporter told): work the echo bots do not have.")
    print(f"The help desk: {revision()}.")
    if not math.isnan(fill_time):
        print(f"The help desk's database was prefilled with {args.prefill:,} tickets in {fill_time:.0f} s.")
    if "throughput" in args.phases:
        print(f"\n### Throughput: {args.reporters} reporters at once, no pauses (closed loop), "
              f"{args.throughput_reports} full report(s) each (8 round trips per report)\n")
        print(throughput_table([r for r in results if r.phase == "throughput"]))
    if "latency" in args.phases:
        print(f"\n### Latency: {args.reporters} reporters at a human pace ({args.think[0]:g}–{args.think[1]:g} s "
              f"before each step, uniform), starting within {args.ramp or args.think[1]:g} s, {args.reports_each} "
              f"report(s) each; engineers accept each card at once\n")
        print(latency_table([r for r in results if r.phase == "latency"]))
        print("\ncard = the report's Submit pushed → the engineer's card received.")
        for r in results:
            if r.manager_latencies:
                print(f"\nMeanwhile a manager asked for last month's /report and /export in turn every "
                      f"{args.manager_every:g} s: {len(r.manager_latencies)} drawn and received, in "
                      f"{ms(pct(r.manager_latencies, 50))} (p50) to {ms(max(r.manager_latencies))} (max).")
    for r in results:
        problems += [f"{r.bot}, {r.phase}: {f}" for f in r.failures]
        if r.exit_code != 0:
            problems.append(f"{r.bot}, {r.phase}: exit code {r.exit_code} after SIGTERM (expected 0)")
    if steps := steps_table(results):
        print(f"\n{steps}")
    busy = [f"{r.bot} {r.phase} ({r.cpu.others[0]:.0%})" for r in results if r.cpu.others[0] > 0.2]
    if busy:
        print(f"\n⚠ Other processes kept the machine busy during: {', '.join(busy)}; those figures are skewed.")
    if summary:
        print(f"\nNothing lost? {summary}.")
    if problems:
        print(f"\n**{len(problems)} problem(s):**\n" + "\n".join(f"- {p}" for p in problems[:20]))
        return 1
    print("No problems." if summary else "")
    return 0


def revision() -> str:
    """Which bot was measured: the commit, and whether bot/ or storage/ had changes not yet committed."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "bot", "storage"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "revision unknown (no git)"
    return f"commit {commit}" + (" with uncommitted changes in bot/ or storage/" if dirty else "")


async def run_until_terminated(argv: list[str]) -> int:
    """run(), but SIGTERM cancels it, so the bots' processes are stopped too rather than left polling."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await run(argv)


def main(argv: list[str] | None = None) -> int:
    """The exit code: 0 when nothing was lost and every bot behaved, 1 with problems, 143 when stopped."""
    try:
        return asyncio.run(run_until_terminated(sys.argv[1:] if argv is None else argv))
    except (asyncio.CancelledError, KeyboardInterrupt):
        print("load.py: stopped before the end; the bots were stopped too", file=sys.stderr)
        return 128 + signal.SIGTERM


if __name__ == "__main__":
    sys.exit(main())
