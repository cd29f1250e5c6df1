"""Starting the sandbox beside its database, and the terminal loop that feeds it typed lines.

Beside ``sandbox.db`` the sandbox keeps what a newcomer may want to look at or keep: ``sandbox.log`` (the
bot's log, which in the terminal would drown the chat), ``sandbox-files/`` (the charts and workbooks the
bot sent) and ``sandbox.db.clock`` (how far `:wait` moved the clock; see `bot.sandbox.travel`).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.config import Config, load_config
from bot.config_dashboard import DashboardSection
from bot.domain.clock import Clock
from bot.sandbox.lines import Composer, read_line, use_readline
from bot.sandbox.people import personas
from bot.sandbox.standin import BotApiStandIn
from bot.sandbox.terminal import Machinery, Sandbox, readable
from bot.sandbox.travel import ClockFile, TravelClock, shown
from bot.telegram.app import TICK_SECONDS
from bot.telegram.lifecycle import UpdateTracker, running_bot
from storage import open_storage

EXAMPLE = Path(__file__).resolve().parents[2] / "helpdesk.example.toml"


@dataclass(frozen=True)
class Beside:
    """The files the sandbox keeps beside its database."""

    db: Path

    @property
    def log(self) -> Path:
        return self.db.with_suffix(".log")

    @property
    def files(self) -> Path:
        return self.db.with_name(f"{self.db.stem}-files")

    @property
    def clock(self) -> Path:
        return self.db.with_name(f"{self.db.name}.clock")


def uses_example(config: Config) -> bool:
    """Without engineers configured, the engineer and manager personas would have nothing to do (no card
    to accept, reports refused): the sandbox then runs on helpdesk.example.toml."""
    return not config.engineers and EXAMPLE.is_file()


def with_staff(config: Config) -> tuple[Config, str | None]:
    """The configuration the sandbox runs on, and the line that says so when it is the example."""
    if not uses_example(config):
        return config, None
    return load_config(EXAMPLE), (f"(No engineers are configured, so the sandbox uses {EXAMPLE.name}: "
                                  "its engineers, manager, rotations and settings.)")


@asynccontextmanager
async def open_sandbox(config: Config, db_path: Path, out: TextIO = sys.stdout, *,
                       real: Clock | None = None, tick_seconds: float | None = TICK_SECONDS) -> AsyncIterator[Sandbox]:
    """The bot running on the stand-in with every persona a known chat, on the clock a previous run
    reached; `real` stands for the wall clock (tests pass a FakeClock)."""
    beside = Beside(db_path)
    if not config.dashboard.enabled:  # the live board on a free local port: `:dashboard` prints its link
        config = config.model_copy(update={"dashboard": DashboardSection(listen="127.0.0.1:0")})
    clock_file = ClockFile(beside.clock)
    # a new database starts at real time: the offset belonged to the tickets and timers of the old one
    clock = TravelClock(real, clock_file.load() if db_path.exists() else timedelta(0))
    storage = await open_storage(db_path)
    try:
        async with storage.transaction() as tx:  # a restarted sandbox goes on with the same sequence of ids
            seen = await tx.updates.highest()
        people = personas(config)
        async with BotApiStandIn() as standin:
            # every persona opened the bot before (staff when they joined): known chats from the start,
            # before the bot sets each staff member's command menu
            standin.introduce(*people.values())
            standin.continue_after(seen)
            async with running_bot(
                token=standin.token, base_url=standin.base_url, base_file_url=standin.base_file_url,
                config=config, storage=storage, clock=clock, poll_timeout=1, rate_limit=False,
                tick_seconds=tick_seconds,
            ) as bot:
                tracker = UpdateTracker()
                tracker.attach(bot.app)
                machinery = Machinery(bot, tracker, clock, clock_file, config.tz, beside.files)
                sandbox = Sandbox(standin, people, out=out, machinery=machinery)
                await _staff_open_the_bot(sandbox, tracker)
                if clock.offset:
                    sandbox.say(f"⏩ the clock goes on where the last run left it ({beside.clock.name}): "
                                f"now {shown(clock.now(), config.tz)}")
                yield sandbox
    finally:
        await storage.close()


async def _staff_open_the_bot(sandbox: Sandbox, tracker: UpdateTracker) -> None:
    """Staff send /start once when they join; the bot writes only to people it knows (a hand-over to an
    engineer it has never heard from is refused as unreachable). In a new sandbox database every
    configured engineer and manager does that first, quietly; their reply keyboard is theirs."""
    storage = sandbox.machinery.bot.storage if sandbox.machinery else None
    if storage is None:
        return
    async with storage.transaction() as tx:
        new = [user for name, user in sandbox.personas.items()
               if not name.startswith("reporter") and await tx.users.get(user.id) is None]
    sandbox.quiet = True
    try:
        for user in new:
            await tracker.wait(sandbox.standin.send_text(user, "/start"), timeout=15)
    finally:
        sandbox.quiet = False
    if new:
        sandbox.say("(the staff opened the bot once, as they do when they join: "
                    + ", ".join(user.first_name for user in new) + ")")


def _log_to(path: Path) -> None:
    """The bot's log goes to a file: in the terminal a warning would land in the middle of the chat."""
    root = logging.getLogger()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for old in list(root.handlers):
        for kept in old.filters:  # the token's redaction, if the CLI set one up
            handler.addFilter(kept)
        root.removeHandler(old)
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    logging.captureWarnings(True)


async def run_sandbox(config: Config, db_path: Path) -> int:
    """`helpdesk sandbox`: read the terminal until `:quit` or the end of input."""
    config, note = with_staff(config)
    if note:
        print(note)
    beside = Beside(db_path)
    _log_to(beside.log)
    terminal = use_readline()
    async with open_sandbox(config, db_path) as sandbox:
        sandbox.say(sandbox.help())
        sandbox.say(f"The bot's log: {readable(beside.log)}; files it sends are saved in "
                    f"{readable(beside.files)}/")
        sandbox.say(f"You are '{sandbox.current}' ({sandbox.user.first_name}). Try: 打印机卡纸了  or  /new")
        await drive(sandbox, lambda prompt: read_line(prompt, terminal))
    return 0


async def drive(sandbox: Sandbox, read: Callable[[str], str]) -> None:
    """Typed lines to the sandbox until `:quit` or the end of input; `read(prompt)` blocks for one line
    (EOFError at the end), so it runs in a thread while the bot goes on answering and ticking."""
    composer = Composer()
    while True:
        try:
            raw = await asyncio.to_thread(read, composer.prompt(sandbox.current))
        except EOFError:
            last = composer.finish()  # the end of input ends a paste
            if last:
                await sandbox.type(last)
            return
        text = composer.feed(raw)
        if text is not None and not await sandbox.type(text):
            return
