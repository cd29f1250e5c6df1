"""The soak scenario: the real `helpdesk run` process, killed and restarted under load, then audited.

Shared by `tests/test_soak.py` (small, part of the normal suite) and `benchmarks/soak.py` (bigger,
prints figures). The bot runs as a child process (`python -m bot.cli run`, long polling) against the
in-process Bot API stand-in, exactly as in production; its SQLite file is only ever read, read-only.
The audit borrows two definitions from the bot: the state machine (`TRANSITIONS`) and the rendering
of stored replies, to recognise an outbox row in what the stand-in received.

The simulated people
--------------------
* A reporter files reports one after the other, each with a unique description, and answers what the
  bot last asked: the newest question (buttons, the phone prompt) or the confirmation. When a step
  gets no question back within `answer_timeout` (the bot was killed, a reply was lost to an injected
  error, a button was refused as stale, the bot said "something went wrong"), they send /start, which
  re-asks the pending question of a report in progress, and carry on from there. When /start shows
  that no report is in progress (the welcome alone):
  - before they ever pressed Submit, the description never arrived: they send it again;
  - after Submit, they check /my, as a person would: a ticket number they have not seen before is
    their report (counted as "found with /my": opened, but the confirmation never reached them).
  So a reporter never describes a fault again once it may have been filed: two tickets for one
  description would be the bot's doing.
* An engineer presses Accept (✅ Accept / ✅ 接单) on every card they receive, again every few seconds
  until the press is answered (answerCallbackQuery).

SoakStandIn hooks into a few private methods of `BotApiStandIn` to count what it injects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.standin import BotApiStandIn, FakeUser, SentMessage

REPO = Path(__file__).resolve().parents[1]
TOKEN = "123456:" + "A" * 35
"""The stand-in's default token is too short for the bot's own check of TELEGRAM_BOT_TOKEN."""
TZ = ZoneInfo("Asia/Shanghai")

ENGINEERS = (
    FakeUser(id=1001, first_name="Wang Wei", language_code="zh"),
    FakeUser(id=1002, first_name="Liu Yang", language_code="en"),
    FakeUser(id=1003, first_name="Chen Jie", language_code="zh"),
)
MANAGER = FakeUser(id=9001, first_name="Zhao Min", language_code="zh")
"""helpdesk.example.toml's engineers and manager; they opened a chat with the bot when they joined."""

SKIP_KB = "Skip — report it to an engineer"
ACCEPT_LABELS = ("✅ Accept", "✅ 接单")
DEVICES = ("Printer", "PC", "Projector")
SITES = ("HQ-3F", "HQ-12F", "Branch-North")
SEVERITIES = ("Work has stopped", "Badly affected", "A part fails", "Question or planned job")
PHONE = "138 0000 1234"
CONFIRMED_RE = re.compile(r"Ticket (HD-\d{4}-\d{5,}) is open")
NUMBER_RE = re.compile(r"HD-\d{4}-\d{5,}")


class SoakError(AssertionError):
    """The scenario could not finish (a stuck reporter, a bot that would not start or settle)."""


# ---- configuration ------------------------------------------------------------------------------------
def write_config(path: Path) -> Path:
    """helpdesk.example.toml as it ships, with the follow-up quiet hours switched off."""
    text = (REPO / "helpdesk.example.toml").read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^quiet_hours\s*=.*$", 'quiet_hours = "00:00-00:00"', text)
    if n != 1:
        raise SoakError("helpdesk.example.toml has no single quiet_hours line to switch off")
    path.write_text(text, encoding="utf-8")
    return path


# ---- the stand-in, counting what it injects -----------------------------------------------------------
class SoakStandIn(BotApiStandIn):
    """The Bot API stand-in, plus bookkeeping for the soak checks.

    * `faults`: injected errors by kind ("429", "500", "timeout", "drop");
    * `sent_meta[i]` for `sent[i]`: (bot incarnation that sent it, whether its answer was lost);
    * `answers`: answerCallbackQuery calls by query id; `polls`: getUpdates calls.
    """

    def __init__(self) -> None:
        super().__init__(token=TOKEN)
        self.generation = 0
        self.faults: Counter[str] = Counter()
        self.sent_meta: list[tuple[int, bool]] = []
        self.answers: dict[str, dict] = {}
        self.polls = 0
        self.delivered: dict[int, int] = {}
        """update id → the bot incarnation getUpdates first handed it to."""
        self.ended: list[str] = []
        """How each incarnation ended: "kill" (SIGKILL) or "term" (SIGTERM, exited by itself)."""
        self._answer_lost = False

    def _take_fault(self, method: str):  # type: ignore[no-untyped-def]
        fault = super()._take_fault(method)
        # `_serve` calls the method right after this, without awaiting in between: the flag is exact.
        self._answer_lost = fault is not None and fault.kind == "timeout"
        if fault is not None:
            self.faults[fault.kind if fault.kind != "error" else "429" if fault.status == 429 else "500"] += 1
        if method == "getUpdates":
            self.polls += 1
            self._notify()
        return fault

    async def _get_updates(self, p: dict) -> list[dict]:
        updates = await super()._get_updates(p)
        for update in updates:
            self.delivered.setdefault(update["update_id"], self.generation)
        return updates

    def _record_sent(self, m: SentMessage) -> dict:
        self.sent_meta.append((self.generation, self._answer_lost))
        return super()._record_sent(m)

    def _answer_callback_query(self, p: dict, files: dict) -> bool:
        result = super()._answer_callback_query(p, files)
        self.answers[str(p.get("callback_query_id", ""))] = self.callback_answers[-1]
        return result

    @property
    def injected(self) -> int:
        return sum(self.faults.values())


def original_text(m: SentMessage) -> str:
    """What a message said when it was sent (a card is edited in place after Accept)."""
    for edit in m.edits:
        if "raw_text" in edit.get("previous", {}):
            return edit["previous"]["raw_text"] or ""
    return m.raw_text or m.text or ""


# ---- the bot process ----------------------------------------------------------------------------------
class BotProcess:
    """`python -m bot.cli run`, the production entry point, as a child process."""

    def __init__(self, tg: SoakStandIn, workdir: Path, db: Path, config: Path) -> None:
        self.tg = tg
        self.workdir = workdir
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("HELPDESK_", "TELEGRAM_"))},
            "TELEGRAM_BOT_TOKEN": tg.token, "HELPDESK_TELEGRAM_API_URL": tg.base_url,
            "HELPDESK_DB": str(db), "HELPDESK_CONFIG": str(config), "PYTHONUNBUFFERED": "1",
        }
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0
        self.terminations: list[tuple[int | None, float]] = []
        """(exit code, seconds) of every SIGTERM."""

    @property
    def logs(self) -> list[Path]:
        return [self.workdir / f"bot-{n}.log" for n in range(1, self.starts + 1)]

    async def start(self, timeout: float = 30.0) -> None:
        """Start the bot and wait until it polls for updates."""
        self.starts += 1
        polls = self.tg.polls
        with open(self.workdir / f"bot-{self.starts}.log", "wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", cwd=REPO, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=asyncio.subprocess.STDOUT,
            )
        ready = asyncio.ensure_future(self.tg.wait_for(lambda: self.tg.polls > polls, timeout, what="the bot to poll"))
        exited = asyncio.ensure_future(self.proc.wait())
        await asyncio.wait({ready, exited}, return_when=asyncio.FIRST_COMPLETED)
        exited.cancel()
        if not ready.done() or ready.exception() is not None:
            ready.cancel()
            with contextlib.suppress(BaseException):
                await ready
            raise SoakError(f"the bot did not start (exit code {self.proc.returncode}):\n{self.tail()}")

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, like a power cut or the OOM killer."""
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()
        self.tg.ended.append("kill")
        self.tg.generation += 1
        self.kills += 1

    async def terminate(self, timeout: float) -> tuple[int | None, float]:
        """SIGTERM; (exit code, or None if it had to be killed after `timeout`; seconds taken)."""
        assert self.proc is not None
        started = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code: int | None = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            code = None
            self.proc.kill()
            await self.proc.wait()
        self.tg.ended.append("term" if code is not None else "kill")  # (a problem either way)
        self.tg.generation += 1
        self.terminations.append((code, time.perf_counter() - started))
        return self.terminations[-1]

    async def ensure_stopped(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    def tail(self, lines: int = 30) -> str:
        if not self.logs or not self.logs[-1].exists():
            return "(no log)"
        return "\n".join(self.logs[-1].read_text(errors="replace").splitlines()[-lines:])

    def error_lines(self) -> list[str]:
        found = []
        for path in self.logs:
            if path.exists():
                found += [line for line in path.read_text(errors="replace").splitlines() if " ERROR " in line]
        return found


# ---- the database, read-only --------------------------------------------------------------------------
def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def outbox_backlog(db: Path) -> int:
    return query(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")[0][0]


def tickets_waiting(db: Path) -> int:
    """Tickets nobody has accepted yet."""
    return query(db, "SELECT COUNT(*) FROM tickets WHERE status IN ('new', 'assigned', 'reopened')")[0][0]


async def settle(tg: SoakStandIn, db: Path, timeout: float, *, accepted: bool = False) -> float:
    """Wait (bounded) until every update is fetched and the outbox is drained; seconds it took.

    The bot is another process: its database is polled read-only every 0.2 s.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + timeout
    while True:
        await tg.wait_until_consumed(max(0.1, deadline - loop.time()))
        backlog, waiting = outbox_backlog(db), tickets_waiting(db) if accepted else 0
        if backlog == 0 and waiting == 0 and tg.pending_updates == 0:
            return loop.time() - started
        if loop.time() > deadline:
            raise SoakError(f"the bot did not settle within {timeout:.0f}s: outbox backlog {backlog}, "
                            f"tickets not accepted {waiting}, updates pending {tg.pending_updates}")
        await asyncio.sleep(0.2)


# ---- simulated people ---------------------------------------------------------------------------------
def _labels(m: SentMessage) -> list[str]:
    return [label for row in m.buttons() for label in row]


def _inline(m: SentMessage) -> bool:
    return bool(m.reply_markup and m.reply_markup.get("inline_keyboard"))


STRONG = frozenset({"confirmed", "suggest", "device", "site", "room", "severity", "contact", "summary",
                    "describe", "my"})
"""What a reporter acts on. Weak: "welcome" (a question may follow) and "error"."""


ANSWER_MARK = "✔ Your answer: "


def said(m: SentMessage) -> str:
    """What a message says last: below the answer it states (a press answered in the pressed message,
    which keeps its question above; bot.messages.Continues), or all of it."""
    text = "\n\n" + (m.text or "")
    if "\n\n" + ANSWER_MARK not in text:
        return m.text or ""
    return text.rsplit("\n\n" + ANSWER_MARK, 1)[1].partition("\n\n")[2]


def classify(m: SentMessage) -> str:
    """What a reporter makes of one of the bot's messages (English texts, see bot/texts/en.py)."""
    text = said(m)
    if CONFIRMED_RE.search(text):
        return "confirmed"
    if _inline(m):
        labels = _labels(m)
        if SKIP_KB in labels:
            return "suggest"
        if "Printer" in labels and "PC" in labels:
            return "device"
        if "HQ-3F" in labels:
            return "site"
        if text.startswith("Which room") and "Skip" in labels:
            return "room"
        if any("Badly affected" in label for label in labels):
            return "severity"
        if any("Submit" in label for label in labels):
            return "summary"
    if text.startswith("How can the engineer reach you"):
        return "contact"
    if text.startswith("What's wrong?"):
        return "describe"
    if text.startswith(("Your tickets", "You have no tickets")):
        return "my"
    if text.startswith("Hello "):
        return "welcome"
    if text.startswith("Sorry, "):
        return "error"
    return "other"


@dataclass
class Progress:
    """Shared counters; reporters' actions drive the kill schedule."""

    actions: int = 0
    recoveries: Counter[str] = field(default_factory=Counter)
    """/start sent because a step got no usable answer, by what happened instead."""
    my_checks: int = 0


@dataclass
class Filed:
    reporter: int
    description: str
    number: str
    how: str
    """"confirmed": the bot's "Ticket … is open"; "my": found with /my after the confirmation never came."""


class Reporter:
    """A person filing reports; see the module's docstring for what they do when no answer comes."""

    def __init__(self, tg: SoakStandIn, user: FakeUser, descriptions: list[str], rng: random.Random,
                 progress: Progress, answer_timeout: float, report_timeout: float) -> None:
        self.tg = tg
        self.user = user
        self.descriptions = descriptions
        self.rng = rng
        self.progress = progress
        self.answer_timeout = answer_timeout
        self.report_timeout = report_timeout
        self.filed: list[Filed] = []
        self.known: set[str] = set()
        self._seen = 0
        self._query: str | None = None
        self._pressed: tuple[SentMessage, float | None] | None = None
        self.actions: list[tuple[int, str]] = []

    async def run(self) -> None:
        for description in self.descriptions:
            try:
                await asyncio.wait_for(self.file(description), self.report_timeout)
            except TimeoutError:
                raise SoakError(f"reporter {self.user.id} could not file {description!r} within "
                                f"{self.report_timeout:.0f}s:\n{self.conversation()}") from None

    async def file(self, description: str) -> None:
        device, site = self.rng.choice(DEVICES), self.rng.choice(SITES)
        severity = self.rng.choice(SEVERITIES)
        submitted = False
        empty_checks = 0
        self._send(description)
        while True:
            kind, m = await self._answer()
            if kind == "confirmed":
                assert m is not None
                number = CONFIRMED_RE.search(m.text or "")[1]  # type: ignore[index]
                self._filed(description, number, "confirmed")
                return
            if kind == "my":
                assert m is not None
                new = [n for n in NUMBER_RE.findall(m.text or "") if n not in self.known]
                if submitted and new:
                    self._filed(description, new[0], "my")
                    return
                empty_checks += submitted
                if empty_checks > 3:
                    raise SoakError(f"reporter {self.user.id}: {description!r} was submitted, but neither "
                                    f"confirmed nor listed by /my, and no report is in progress")
                self._recover("no new ticket in /my")
            elif m is not None and kind in ("suggest", "device", "site", "room", "severity", "summary"):
                label = {"suggest": SKIP_KB, "device": device, "site": site, "room": "Skip",
                         "severity": severity, "summary": "Submit"}[kind]
                if kind == "summary":
                    submitted, empty_checks = True, 0
                self._press(m, label)
            elif kind == "contact":
                self._send(PHONE)
            elif kind in ("describe", "welcome"):  # no report in progress (the welcome came alone)
                if submitted:
                    self._check_my()
                else:  # the description never arrived (e.g. the bot was killed before handling it)
                    self._send(description)
            else:  # no answer, an error, a refused (stale) button
                self._recover(kind)

    def conversation(self, last: int = 16) -> str:
        """The reporter's side (→) and the bot's (←), interleaved, for a failure message."""
        lines = [((i, 1), f"  ← {m.describe()}") for i, m in enumerate(self.tg.messages_to(self.user.id))]
        lines += [((seen, 0), f"  → {what}") for seen, what in self.actions]
        return "\n".join(line for _, line in sorted(lines, key=lambda x: x[0])[-last:])

    def _filed(self, description: str, number: str, how: str) -> None:
        self.known.add(number)
        self.filed.append(Filed(self.user.id, description, number, how))

    # ---- acting ---------------------------------------------------------------------------------------
    def _send(self, text: str) -> None:
        self._seen = len(self.tg.messages_to(self.user.id))
        self._query = None
        self._pressed = None
        self.progress.actions += 1
        self.actions.append((self._seen, repr(text)))
        self.tg.send_text(self.user, text)

    def _press(self, m: SentMessage, label: str) -> None:
        self._seen = len(self.tg.messages_to(self.user.id))
        self._pressed = (m, m.changed_at)  # the answer may come as an edit of this message
        try:
            update_id = self.tg.press(self.user, m, label)
        except (KeyError, AssertionError):  # the buttons changed meanwhile: as good as no answer
            self._recover("buttons gone")
            return
        self._query = self.tg.updates[update_id]["callback_query"]["id"]
        self.progress.actions += 1
        self.actions.append((self._seen, f"press {label!r} on #{m.message_id}"))

    def _recover(self, why: str) -> None:
        self.progress.recoveries[why] += 1
        self._send("/start")

    def _check_my(self) -> None:
        self.progress.my_checks += 1
        self._send("/my")

    # ---- waiting for the bot --------------------------------------------------------------------------
    def _latest(self, kinds: frozenset[str]) -> tuple[str, SentMessage] | None:
        new = list(reversed(self.tg.messages_to(self.user.id)[self._seen:]))
        if self._pressed is not None and self._pressed[0].changed_at != self._pressed[1]:
            new.append(self._pressed[0])  # edited since the press: said in the pressed message
        for m in new:
            kind = classify(m)
            if kind == "confirmed" and CONFIRMED_RE.search(m.text or "")[1] in self.known:  # type: ignore[index]
                continue  # a late copy about an earlier report
            if kind in kinds:
                return kind, m
        return None

    def _refused(self) -> bool:
        answer = self.tg.answers.get(self._query or "")
        return bool(answer and answer["show_alert"])

    async def _answer(self) -> tuple[str, SentMessage | None]:
        """The newest question since the last action; ("timeout", None) when none comes in time."""
        weak = frozenset({"welcome", "error"})
        try:
            await self.tg.wait_for(
                lambda: self._latest(STRONG) is not None or self._refused() or self._latest(weak) is not None,
                self.answer_timeout, what="an answer")
        except AssertionError:
            return "timeout", None
        if (found := self._latest(STRONG)) is not None:
            return found
        if self._refused():
            return "refused", None
        # The welcome or an error: a question may still follow (e.g. the welcome, then the pending question).
        with contextlib.suppress(AssertionError):
            await self.tg.wait_for(lambda: self._latest(STRONG) is not None, 1.5, what="a question")
        found = self._latest(STRONG) or self._latest(weak)
        return found if found is not None else ("timeout", None)


@dataclass
class Card:
    presses: list[str] = field(default_factory=list)
    last: float = 0.0


class Engineer:
    """Presses Accept on every card, again after `retry` seconds until the press is answered."""

    def __init__(self, tg: SoakStandIn, user: FakeUser, retry: float = 3.0) -> None:
        self.tg = tg
        self.user = user
        self.retry = retry
        self.cards: dict[int, Card] = {}
        self.presses = 0

    def _todo(self, now: float) -> list[tuple[SentMessage, str]]:
        work = []
        for m in self.tg.messages_to(self.user.id):
            label = next((a for a in ACCEPT_LABELS if a in _labels(m)), None)
            if label is None or m.deleted:
                continue
            card = self.cards.get(m.message_id)
            if card is None or (not any(q in self.tg.answers for q in card.presses) and now - card.last >= self.retry):
                work.append((m, label))
        return work

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            for m, label in self._todo(loop.time()):
                card = self.cards.setdefault(m.message_id, Card())
                update_id = self.tg.press(self.user, m, label)
                card.presses.append(self.tg.updates[update_id]["callback_query"]["id"])
                card.last = loop.time()
                self.presses += 1
            with contextlib.suppress(AssertionError):  # woken by new cards; retries every 0.5 s
                await self.tg.wait_for(lambda: bool(self._todo(loop.time())), 0.5, what="a card")


# ---- the scenario -------------------------------------------------------------------------------------
@dataclass
class SoakResult:
    figures: dict[str, Any]
    problems: list[str]
    conversations: dict[int, str] = field(default_factory=dict)
    """Reporters whose reports went wrong or had to be found with /my: their conversation with the bot."""


async def run_soak(
    workdir: Path,
    *,
    reporters: int = 40,
    reports_each: int = 1,
    stops: int = 3,
    interrupt: str = "kill",
    error_rate: float = 0.05,
    seed: int = 1,
    answer_timeout: float = 6.0,
    report_timeout: float = 60.0,
    settle_timeout: float = 30.0,
    sigterm_timeout: float = 5.0,
) -> SoakResult:
    """Reporters and engineers at work while the bot fails to talk and is stopped `stops` times.

    `interrupt`: "kill" (SIGKILL) or "term" (SIGTERM, which must exit with 0 within `sigterm_timeout`);
    the bot is restarted right after each. At the end: no more errors, settle, SIGTERM, the audit.
    """
    rng = random.Random(seed)
    db = workdir / "helpdesk.db"
    config = write_config(workdir / "helpdesk.toml")
    started = time.perf_counter()
    async with SoakStandIn() as tg:
        tg.introduce(*ENGINEERS, MANAGER)
        bot = BotProcess(tg, workdir, db, config)
        progress = Progress()
        people = [
            Reporter(tg, FakeUser(id=20_000 + i, first_name=f"R{i}", language_code="en"),
                     [f"Soak {seed}: device of reporter {i} fails, case {j}" for j in range(reports_each)],
                     random.Random(rng.random()), progress, answer_timeout, report_timeout)
            for i in range(reporters)
        ]
        engineers = [Engineer(tg, user) for user in ENGINEERS]
        stop_engineers = asyncio.Event()
        tasks: list[asyncio.Task] = []
        try:
            await bot.start()
            tg.set_error_rate(error_rate, seed=seed)
            tasks += [asyncio.create_task(e.run(stop_engineers)) for e in engineers]
            users = asyncio.gather(*(p.run() for p in people))
            stopper = asyncio.ensure_future(_stop_now_and_then(
                bot, tg, progress, users, stops, interrupt, reporters * reports_each * 8, rng, sigterm_timeout))
            tasks += [users, stopper]  # type: ignore[list-item]
            await asyncio.wait([users, stopper], return_when=asyncio.FIRST_EXCEPTION)
            await stopper
            await users
            load_seconds = time.perf_counter() - started
            tg.set_error_rate(0.0)
            settle_seconds = await settle(tg, db, settle_timeout, accepted=True)
            stop_engineers.set()
            await asyncio.gather(*tasks)
            await settle(tg, db, settle_timeout)
            await bot.terminate(sigterm_timeout)
        finally:
            stop_engineers.set()
            for task in tasks:
                task.cancel()
            await bot.ensure_stopped()
        filed = [f for p in people for f in p.filed]
        figures, problems = audit(db, tg, filed, reporters * reports_each)
    problems += [f"SIGTERM: exit code {code} after {seconds:.1f}s (expected 0 within {sigterm_timeout:.0f}s)"
                 for code, seconds in bot.terminations if code != 0 or seconds > sigterm_timeout]
    figures.update(
        reporters=reporters, kills=bot.kills, sigterms=len(bot.terminations), injected_errors=tg.injected,
        injected_by_kind=dict(sorted(tg.faults.items())), recoveries=dict(progress.recoveries),
        my_checks=progress.my_checks, engineer_presses=sum(e.presses for e in engineers),
        bot_error_log_lines=len(bot.error_lines()), load_seconds=round(load_seconds, 1),
        settle_seconds=round(settle_seconds, 1),
        sigterm_exits=[(code, round(seconds, 2)) for code, seconds in bot.terminations],
        seconds=round(time.perf_counter() - started, 1),
    )
    conversations = {p.user.id: p.conversation(60) for p in people if p.user.id in figures["reporters_to_look_at"]}
    return SoakResult(figures, problems, conversations)


async def _stop_now_and_then(bot: BotProcess, tg: SoakStandIn, progress: Progress, users: asyncio.Future,
                             times: int, interrupt: str, expected_actions: int, rng: random.Random,
                             sigterm_timeout: float) -> None:
    """Stop the bot `times` times at random points of the load, restarting it right after each."""
    marks = [(0.15 + 0.7 * (i + rng.random()) / times) * expected_actions for i in range(times)]
    for mark in marks:
        while progress.actions < mark and not users.done():
            with contextlib.suppress(AssertionError):
                await tg.wait_for(lambda m=mark: progress.actions >= m, 0.5, what="progress")
        if users.done():
            return
        await asyncio.sleep(rng.uniform(0.0, 0.4))
        if interrupt == "kill":
            await bot.kill()
        else:
            await bot.terminate(sigterm_timeout)
        await asyncio.sleep(rng.uniform(0.0, 0.5))
        await bot.start()


# ---- the audit ----------------------------------------------------------------------------------------
def audit(db: Path, tg: SoakStandIn, filed: list[Filed], reports: int) -> tuple[dict[str, Any], list[str]]:
    """Compare what the reporters were told, what the stand-in saw and what the database holds."""
    from bot.domain.ticket import TRANSITIONS
    from bot.messages import reply_from_json
    from bot.texts import render

    problems: list[str] = []
    tickets = {number: (reporter, description, status, tid) for tid, number, reporter, description, status
               in query(db, "SELECT id, number, reporter_id, description, status FROM tickets")}
    by_id = {tid: number for number, (_, _, _, tid) in tickets.items()}

    # Reports: each one told (or found by /my) is exactly one ticket of that reporter and description.
    confirmed = [f for f in filed if f.how == "confirmed"]
    missing = [f for f in filed if f.number not in tickets]
    for f in filed:
        if f.number in tickets and tickets[f.number][:2] != (f.reporter, f.description):
            problems.append(f"{f.number} was {f.how} to {f.reporter} for {f.description!r}, "
                            f"but the database has {tickets[f.number][:2]}")
    problems += [f"{f.number} was {f.how} to {f.reporter} but is not in the database" for f in missing]
    per_report = Counter((reporter, description) for reporter, description, _, _ in tickets.values())
    duplicated = {key: n for key, n in per_report.items() if n > 1}
    problems += [f"reporter {r} has {n} tickets for {d!r}" for (r, d), n in duplicated.items()]
    intended = {(f.reporter, f.description) for f in filed}
    strays = [n for n, (r, d, _, _) in tickets.items() if (r, d) not in intended]
    confused = sorted({tickets[n][0] for n in strays} | {f.reporter for f in filed if f.how == "my"}
                      | {f.reporter for f in missing} | {r for r, _ in duplicated})
    problems += [f"{n} ({tickets[n][:2]}) is no report anybody filed" for n in strays]
    if len(filed) != reports:
        problems.append(f"{reports - len(filed)} of {reports} reports did not end in a ticket")
    told = {CONFIRMED_RE.search(m.text or "")[1] for m in tg.sent  # type: ignore[index]
            if m.method == "sendMessage" and CONFIRMED_RE.search(m.text or "")}
    tried = {match[1] for method, params in tg.requests if method == "sendMessage"
             and (match := CONFIRMED_RE.search(str(params.get("text", ""))))}

    # The audit log agrees with the tickets and follows the state machine.
    moves = {action.value: ({s.value for s in allowed}, target.value) for action, (allowed, target)
             in TRANSITIONS.items()}
    events: dict[str, list[tuple[str, dict]]] = {}
    for ticket_id, kind, data in query(db, "SELECT ticket_id, kind, data FROM ticket_events ORDER BY id"):
        events.setdefault(by_id.get(ticket_id, f"#{ticket_id}"), []).append((kind, json.loads(data)))
    pages_due: set[tuple[str, int]] = set()
    for number, (_, _, status, _) in tickets.items():
        log = events.get(number, [])
        if [k for k, _ in log].count("opened") != 1 or log[0][0] != "opened":
            problems.append(f"{number}: the audit log does not start with exactly one 'opened' event")
        state = "new"
        for kind, data in log:
            if kind == "pinged":
                pages_due.add((number, data.get("engineer")))
            if kind not in moves:
                continue
            allowed, target = moves[kind]
            if data.get("from") != state or state not in allowed or data.get("to") != target:
                problems.append(f"{number}: '{kind}' {data.get('from')}→{data.get('to')} after {state}")
            state = data.get("to", state)
        if state != status:
            problems.append(f"{number}: the audit log ends in {state!r}, the ticket is {status!r}")
        if status != "accepted":
            problems.append(f"{number}: {status!r}, but the engineers accept every card")
        if not any(kind in ("pinged", "nobody_on_duty") for kind, _ in log):
            problems.append(f"{number}: nobody was paged")

    # What the stand-in received: every page arrived; copies of one message only after a lost answer.
    received: dict[tuple[int, str], list[tuple[int, bool]]] = {}
    for m, meta in zip(tg.sent, tg.sent_meta, strict=True):
        if m.method == "sendMessage":
            received.setdefault((m.chat_id, original_text(m)), []).append(meta)
    page_texts: dict[int, list[str]] = {}
    for chat_id, text in received:
        page_texts.setdefault(chat_id, []).append(text)
    pages_sent = {(n, e) for n, e in pages_due if any(n in text and "🎫" in text for text in page_texts.get(e, ()))}
    problems += [f"the card of {n} never reached engineer {e}" for n, e in sorted(pages_due - pages_sent)]

    # An answer said in the pressed message (bot.messages.Continues) arrives as an edit ending in it (or,
    # when Telegram refused the edit, as a new message that does); repeating an edit changes nothing.
    shown: dict[int, list[str]] = {}
    for m in tg.sent:
        shown.setdefault(m.chat_id, []).extend(
            [original_text(m)] + [edit["text"] for edit in m.edits if edit.get("text")])
    rows: dict[tuple[int, str], list[tuple[str | None, str | None]]] = {}
    for chat_id, payload, sent_at, failed_at, error in query(
            db, "SELECT chat_id, payload, sent_at, failed_at, last_error FROM outbox"):
        reply = reply_from_json(json.loads(payload))
        text = render(reply.text, reply.lang, TZ)
        if failed_at is not None:
            problems.append(f"an outbox row to {chat_id} failed for good ({error}): {payload[:80]}")
        if reply.continues is not None:
            if sent_at is None and failed_at is None:
                problems.append(f"an answer to a press, to {chat_id}, never sent: {text[:60]!r}")
            elif sent_at is not None and not any(said.endswith("\n\n" + text) for said in shown.get(chat_id, ())):
                problems.append(f"an answer to a press, to {chat_id}, marked sent but never shown: {text[:60]!r}")
            continue
        rows.setdefault((chat_id, text), []).append((sent_at, failed_at))
    duplicates = Counter[str]()
    unexplained: list[str] = []
    for key, states in rows.items():
        pending = sum(1 for sent_at, failed_at in states if sent_at is None and failed_at is None)
        marked_sent = sum(1 for sent_at, _ in states if sent_at is not None)
        copies = received.get(key, [])
        if pending:
            problems.append(f"{pending} outbox row(s) to {key[0]} never sent: {key[1][:60]!r}")
        if len(copies) < marked_sent:
            problems.append(f"outbox row(s) to {key[0]} marked sent {marked_sent}×, received {len(copies)}×: "
                            f"{key[1][:60]!r}")
        extra = len(copies) - marked_sent
        if extra <= 0:
            continue
        # A copy whose sending was never recorded is sent again (once per such copy): its answer was lost,
        # or the bot that sent it was SIGKILLed before it could mark its row sent.
        lost = sum(1 for _, answer_lost in copies if answer_lost)
        killed = sum(1 for generation, answer_lost in copies
                     if not answer_lost and generation < len(tg.ended) and tg.ended[generation] == "kill")
        duplicates["lost answer"] += min(extra, lost)
        duplicates["killed before recording"] += min(extra - min(extra, lost), killed)
        if extra > lost + killed:
            unexplained.append(f"{len(copies)}× for {marked_sent} row(s) to {key[0]}: {key[1][:50]!r} "
                               f"(copies as (bot incarnation, answer lost): {copies})")
    if unexplained:
        problems.append(f"{len(unexplained)} outbox message(s) reached Telegram more often than their rows, lost "
                        f"answers and kills explain (the bot sent a row twice), e.g. " + "; ".join(unexplained[:5]))
    failed = sum(1 for states in rows.values() for _, failed_at in states if failed_at is not None)

    # Updates: each one handled (claimed in processed_updates), unless the bot that fetched it was killed
    # before handling it: polling confirms an update to Telegram when the next poll starts, not when the
    # update has been handled.
    claimed = dict(query(db, "SELECT update_id, at FROM processed_updates"))
    handled = set(claimed)
    unhandled = sorted(set(tg.updates) - handled)
    # One chat's updates are handled one at a time, in order (bot/telegram/ordering.py): the instant each was
    # claimed (taken when its handling began) must grow with the update id within a chat.
    last_claim: dict[int, tuple[int, str]] = {}
    out_of_order: list[str] = []
    for uid in sorted(handled & set(tg.updates)):
        update = tg.updates[uid]
        chat = (update.get("message") or update.get("callback_query", {}).get("message") or {}).get("chat", {})
        previous = last_claim.get(chat.get("id", 0))
        if previous is not None and claimed[uid] < previous[1]:
            out_of_order.append(f"update {uid} of chat {chat.get('id')} was handled before update {previous[0]}")
        if previous is None or claimed[uid] > previous[1]:
            last_claim[chat.get("id", 0)] = (uid, claimed[uid])
    if out_of_order:
        problems.append(f"{len(out_of_order)} update(s) handled out of order within their chat: "
                        + "; ".join(out_of_order[:5]))
    lost_to_kills = [uid for uid in unhandled if uid in tg.delivered and tg.delivered[uid] < len(tg.ended)
                     and tg.ended[tg.delivered[uid]] == "kill"]
    # Fetched updates are kept in the bot's inbox before Telegram is told they arrived (bot/telegram/polling.py),
    # so not even a SIGKILL between fetching and handling may lose one.
    problems += [f"update {uid} was never handled{' (fetched before a SIGKILL)' if uid in lost_to_kills else ''}: "
                 f"{tg.updates[uid]}" for uid in unhandled]

    figures = {
        "reports": reports, "confirmed": len(confirmed), "found_with_my": len(filed) - len(confirmed),
        "tickets": len(tickets), "missing": len(missing), "duplicated": sum(n - 1 for n in duplicated.values()),
        "tickets_never_confirmed": sum(1 for n in tickets if n not in told),
        "confirmations_failed_to_send": sum(1 for n in tickets if n not in told and n in tried),
        "pages_due": len(pages_due), "pages_sent": len(pages_sent), "outbox_rows": sum(map(len, rows.values())),
        "outbox_failed": failed, "duplicate_sends": sum(duplicates.values()),
        "updates": len(tg.updates), "updates_lost_to_kills": len(lost_to_kills),
        "updates_out_of_order": len(out_of_order),
        "duplicate_sends_by_cause": dict(duplicates),
        "reporters_to_look_at": confused,
    }
    return figures, problems


def table(figures: dict[str, Any]) -> str:
    """The figures as the Markdown table benchmarks/soak.py prints."""
    columns: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("reports confirmed", lambda f: f"{f['confirmed']} (+{f['found_with_my']} via /my) of {f['reports']}"),
        ("tickets", lambda f: f["tickets"]),
        ("missing", lambda f: f["missing"]),
        ("duplicated", lambda f: f["duplicated"]),
        ("kills", lambda f: f["kills"]),
        ("injected errors", lambda f: f"{f['injected_errors']} {f['injected_by_kind']}"),
        ("pages sent", lambda f: f"{f['pages_sent']} of {f['pages_due']}"),
        ("duplicate sends", lambda f: f"{f['duplicate_sends']} {f['duplicate_sends_by_cause'] or ''}".strip()),
        ("time", lambda f: f"{f['seconds']} s"),
    ]
    head = "| " + " | ".join(name for name, _ in columns) + " |"
    rule = "|" + "|".join("---:" for _ in columns) + "|"
    return "\n".join([head, rule, "| " + " | ".join(str(value(figures)) for _, value in columns) + " |"])
