"""Drive the real bot through the Bot API stand-in, as users would, and wait without sleeping.

`bot.telegram.lifecycle.UpdateTracker` tells when an update has been fully handled, so tests wait on events,
never on the clock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, closing
from datetime import timedelta
from pathlib import Path

from bot.config import Config
from bot.domain.clock import FakeClock
from bot.domain.flood import FloodPolicy
from bot.sandbox.standin import BotApiStandIn, FakeUser, SentMessage
from bot.services.knowledge import KnowledgeBase
from bot.telegram.handlers import HelpDesk
from bot.telegram.lifecycle import RunningBot, UpdateTracker, running_bot
from storage import SqliteStorage, open_storage

TESTS_PACE = FloodPolicy(burst=1_000_000)


class BotHarness:
    def __init__(self, standin: BotApiStandIn, config: Config, clock: FakeClock, db_path: Path) -> None:
        self.tg = standin
        self.config = config
        self.clock = clock
        self.db_path = db_path
        self.storage: SqliteStorage | None = None
        self.bot: RunningBot | None = None
        self._stack: AsyncExitStack | None = None
        self.tracker = UpdateTracker()
        self.fresh_kb = False
        """True: load the knowledge base anew (for tests that add articles); else share one."""

    flood = TESTS_PACE
    """Tests drive users faster than any person; the tests of the throttle itself set a stricter one."""

    async def start(self) -> None:
        self._stack = AsyncExitStack()
        self.storage = await open_storage(self.db_path)
        self._stack.push_async_callback(self.storage.close)
        kb = await KnowledgeBase.load(self.storage) if self.fresh_kb else await shared_kb(self.storage)
        self.bot = await self._stack.enter_async_context(running_bot(
            token=self.tg.token, base_url=self.tg.base_url, base_file_url=self.tg.base_file_url,
            config=self.config, storage=self.storage, clock=self.clock, poll_timeout=1, rate_limit=False,
            kb=kb[0] if isinstance(kb, tuple) else kb, tick_seconds=None, flood=self.flood,
        ))
        self.tracker.attach(self.bot.app)

    async def stop(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the bot's database directly, as an auditor would (a second connection; WAL lets it read)."""
        with closing(sqlite3.connect(self.db_path)) as db:
            return [tuple(row) for row in db.execute(sql, params)]

    async def handled(self, update_id: int, timeout: float = 15.0) -> None:
        """Wait until the update was handled; generous, since a first /report starts the report worker
        process, which takes seconds on a loaded CI machine (it only matters when a test fails)."""
        await self.tracker.wait(update_id, timeout)

    @property
    def helpdesk(self) -> HelpDesk:
        """The parts the running bot is made of (desk, scheduler, courier)."""
        return self.bot.app.bot_data["helpdesk"]  # type: ignore[union-attr]

    async def tick(self, advance: timedelta | None = None) -> int:
        """Move the fake clock, then run the scheduler job once, as PTB's JobQueue would."""
        if advance is not None:
            self.clock.advance(advance)
        fired = await self.helpdesk.scheduler.tick()
        await self.helpdesk.courier.flush()  # type: ignore[union-attr]
        return fired

    async def run(self, user: FakeUser, push_update_id: int) -> list[SentMessage]:
        """Wait for an update pushed as `user` to be handled; return the new messages to them."""
        before = self._count(user.id)
        await self.handled(push_update_id)
        return self.tg.messages_to(user.id)[before:]

    def _count(self, chat_id: int) -> int:
        return len(self.tg.messages_to(chat_id))

    # ---- acting as a user ---------------------------------------------------------------------
    async def say(self, user: FakeUser, text: str) -> list[SentMessage]:
        before = self._count(user.id)
        await self.handled(self.tg.send_text(user, text))
        return self.tg.messages_to(user.id)[before:]

    async def describe(self, user: FakeUser, text: str) -> list[SentMessage]:
        """Describe a fault; if the knowledge base offers guides, skip them like a hurried reporter."""
        replies = await self.say(user, text)
        if replies and self._is_button(user, "Skip — report it to an engineer"):
            replies = await self.press(user, "Skip — report it to an engineer")
        elif replies and self._is_button(user, "跳过，直接报修"):
            replies = await self.press(user, "跳过，直接报修")
        return replies

    async def press(self, user: FakeUser, label: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Press a button; returns what the press showed: the pressed message first when the answer was
        said in it (edited into the next question, see bot.messages.Continues), then any new messages."""
        message = message or self.last_with_buttons(user)
        before, edits = self._count(user.id), len(message.edits)
        await self.handled(self.tg.press(user, message, label))
        new = self.tg.messages_to(user.id)[before:]
        return [message, *new] if continued(message, edits) else new

    async def photo(self, user: FakeUser, **kwargs: object) -> list[SentMessage]:
        before = self._count(user.id)
        await self.handled(self.tg.send_photo(user, **kwargs))  # type: ignore[arg-type]
        return self.tg.messages_to(user.id)[before:]

    async def contact(self, user: FakeUser, phone: str, **kwargs: object) -> list[SentMessage]:
        before = self._count(user.id)
        await self.handled(self.tg.send_contact(user, phone, **kwargs))  # type: ignore[arg-type]
        return self.tg.messages_to(user.id)[before:]

    def last_with_buttons(self, user: FakeUser) -> SentMessage:
        for message in reversed(self.tg.messages_to(user.id)):
            if message.buttons():
                return message
        raise AssertionError(f"no message with buttons to {user.first_name}")

    def last_text(self, user: FakeUser) -> str:
        return self.tg.last_to(user.id).shown_text

    def last_answer(self) -> dict:
        return self.tg.callback_answers[-1]

    async def report(self, user: FakeUser, *, description: str, device: str, site: str,
                     room: str | None, severity: str, phone: str) -> list[SentMessage]:
        """A whole report by buttons and text; returns the messages after Submit."""
        await self.describe(user, description)
        await self.press(user, device)
        if self._is_button(user, site):
            await self.press(user, site)
        else:
            await self.say(user, site)
        if room is None:
            await self.press(user, self._label(user, "Skip", "跳过"))
        else:
            await self.say(user, room)
        await self.press(user, severity)
        await self.say(user, phone)
        return await self.press(user, self._label(user, "Submit", "提交"))

    def _is_button(self, user: FakeUser, label: str) -> bool:
        try:
            self.last_with_buttons(user).callback_data(label)
        except KeyError:
            return False
        return True

    def _label(self, user: FakeUser, en: str, zh: str) -> str:
        message = self.last_with_buttons(user)
        return en if any(en in b for row in message.buttons() for b in row) else zh


def continued(message: SentMessage, edits_before: int) -> bool:
    """Whether an edit since `edits_before` said an answer in `message` (the bot's "✔" line below the
    pressed question), rather than only marking the choice or changing a card."""
    return any(edit["method"] == "editMessageText" and any(mark in (edit.get("text") or "")
                                                           for mark in ("✔ Your answer:", "✔ 您的回答："))
               for edit in message.edits[edits_before:])


def answered(message: SentMessage) -> tuple[str, str]:
    """(the answer stated, the text below it) of a message a press was answered in; ("", whole text) else."""
    for mark in ("\n\n✔ Your answer: ", "\n\n✔ 您的回答："):
        if mark in message.shown_text:
            answer, _, below = message.shown_text.rsplit(mark, 1)[1].partition("\n\n")
            return answer, below
    return "", message.shown_text


STAFF = (
    FakeUser(id=1001, first_name="Wang Wei", language_code="zh"),
    FakeUser(id=1002, first_name="Liu Yang", language_code="en"),
    FakeUser(id=1003, first_name="Chen Jie", language_code="zh"),
    FakeUser(id=9001, first_name="Zhao Min", language_code="zh"),
)
"""The configured engineers and manager, who opened a chat with the bot when they joined."""

_SHARED_KB: KnowledgeBase | None = None


async def shared_kb(storage: SqliteStorage) -> KnowledgeBase:
    """The shipped knowledge base, indexed once per test run (tests that add articles use their own)."""
    global _SHARED_KB
    if _SHARED_KB is None:
        _SHARED_KB, _ = await KnowledgeBase.load(storage)
    return _SHARED_KB


@asynccontextmanager
async def harness(
    config: Config, clock: FakeClock, db_path: Path, *, fresh_kb: bool = False, flood: FloodPolicy | None = None,
) -> AsyncIterator[BotHarness]:
    async with BotApiStandIn() as standin:
        standin.clock = lambda: clock.now().timestamp()  # messages dated by the bot's (fake) time
        standin.introduce(*STAFF)
        h = BotHarness(standin, config, clock, db_path)
        h.fresh_kb = fresh_kb
        h.flood = flood or TESTS_PACE
        await h.start()
        for member in STAFF:  # staff opened the bot when they joined: it knows their language
            await h.say(member, "/start")
        try:
            yield h
        finally:
            await h.stop()
