"""Handle different chats at once, each chat's updates one at a time and in order, and fairly.

PTB processes updates one by one unless told otherwise; with many reporters that leaves the bot
waiting on Telegram's HTTP round trips. Running everything concurrently would instead let two quick
messages of one reporter race each other through the same report. This processor does both right:
concurrency across chats, order within a chat.

Fairness is the order of the waits. An update first waits for its chat's turn, and only then takes
one of the concurrency slots, so a chat with 500 updates queued holds at most one slot and everyone
else's updates still find one free. Within the turn, the sender's throttle (bot.domain.flood) may
make it wait or drop it, still without a slot. The slot covers the handler's work (its transaction);
the sends it leaves behind (`after_slot`) run after the slot is given back, still in the chat's turn,
so a reply waiting for the rate limiter holds up only its own chat. Updates that are not for this
bot (another bot's command in a group) never wait for anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import BaseUpdateProcessor

from bot.domain.flood import Admission, InputThrottle
from bot.telegram.admission import chat_key, fingerprint, sender_of

log = logging.getLogger(__name__)

_AFTER: ContextVar[list[Awaitable[Any]] | None] = ContextVar("after_slot", default=None)


async def after_slot(work: Awaitable[Any]) -> None:
    """Run `work` (sending) once the handler has given its concurrency slot back; at once if there is
    no slot to give back (a scheduler job, a test calling a handler directly)."""
    pending = _AFTER.get()
    if pending is None:
        await work
    else:
        pending.append(work)


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0
    """Updates of this chat holding or waiting for the lock: the entry may go only when none is left
    (dropping it while one waits would let the chat's next update run beside that one)."""


class PerChatOrder(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = 64,
        *,
        throttle: InputThrottle | None = None,
        exempt: frozenset[int] = frozenset(),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._turns: dict[int, _Turn] = {}
        self.throttle = throttle
        self.exempt = exempt
        """Senders never throttled: the configured staff, who are known people doing their job."""
        self.monotonic = monotonic
        self.listeners: list[Callable[[object], None]] = []
        """Told of each update that is done with, handled or deliberately dropped (the durable polling
        strikes it from its inbox; the tests' tracker wakes up). Not told of an update left for the next
        start by a shutdown."""
        self.ignore: Callable[[object], bool] = lambda update: False
        """Updates not for this bot, recognised without a turn or a slot (set once the bot's name is known)."""
        self.on_flood: Callable[[object], Awaitable[None]] | None = None
        """Tells a sender, once, that the bot slows down for them."""
        self._stopped: asyncio.Event | None = None
        self._crowded: set[int] = set()
        self._tidied = 0.0

    @property
    def stopping(self) -> bool:
        return self._stopped is not None and self._stopped.is_set()

    @stopping.setter
    def stopping(self, value: bool) -> None:
        """Set on shutdown: updates not yet started are left alone (they stay in the inbox for the next
        start), so a stop waits only for the ones being handled, not for a whole backlog."""
        if value:
            self._stop_event().set()

    def _stop_event(self) -> asyncio.Event:
        if self._stopped is None:
            self._stopped = asyncio.Event()
        return self._stopped

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """The chat's turn first, the slot second (PTB's own order is the other way round)."""
        if self.ignore(update):
            _close(coroutine)
            self._done(update)
            return
        key = chat_key(update)
        if key is None:
            if await self._handle(update, coroutine):
                self._done(update)
            return
        turn = self._turns.setdefault(key, _Turn())
        # A flood's backlog is cut short; staff's never is: an engineer's Accepts, a manager's dispatching
        # or the staff group's notes are the work itself, and dropping one would lose it.
        if (self.throttle is not None and turn.users >= self.throttle.policy.backlog
                and sender_of(update) not in self.exempt):
            if key not in self._crowded:
                self._crowded.add(key)
                log.warning("chat %s has %d updates waiting; dropping its new ones until it drains", key, turn.users)
            _close(coroutine)
            self._done(update)
            return
        turn.users += 1  # counted before waiting, so nobody drops the lock from under a waiter
        try:
            async with turn.lock:
                ran = await self._admitted(update, coroutine)
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[key]
                self._crowded.discard(key)
        if ran:
            self._done(update)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Not used: `process_update` does the waiting and the handling itself."""
        await coroutine

    async def _admitted(self, update: object, coroutine: Awaitable[Any]) -> bool:
        """The sender's throttle, then the handling; False if shutdown came first and it never ran."""
        admission = self._admission(update)
        if admission.warn and self.on_flood is not None and not self.stopping:
            try:
                await self.on_flood(update)
            except Exception:  # a notice only: the update itself is still handled
                log.exception("could not tell a sender to slow down")
        if admission.drop:
            _close(coroutine)
            return True
        if admission.delay > 0 and not self.stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_event().wait(), admission.delay)
        return await self._handle(update, coroutine)

    def _admission(self, update: object) -> Admission:
        sender = sender_of(update)
        if self.throttle is None or sender is None or sender in self.exempt:
            return Admission()
        now = self.monotonic()
        if now - self._tidied > 60:  # forget the senders who calmed down, once a minute
            self._tidied = now
            self.throttle.forget_calm(now)
        return self.throttle.admit(sender, fingerprint(update), now)

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> bool:
        if self.stopping:
            _close(coroutine)  # never started: nothing to undo
            return False
        async with self._slots:
            pending: list[Awaitable[Any]] = []
            token = _AFTER.set(pending)
            try:
                await coroutine
            finally:
                _AFTER.reset(token)
        for work in pending:  # the slot is free again; the chat's turn is still held, so order is kept
            try:
                await work
            except Exception:  # what was sent is marked so; what was not stays in the outbox
                log.exception("sending the answer to an update failed")
        return True

    def _done(self, update: object) -> None:
        for listener in self.listeners:
            listener(update)

    async def initialize(self) -> None:
        """Nothing to set up: the locks are created on demand."""

    async def shutdown(self) -> None:
        self._turns.clear()


def _close(coroutine: Awaitable[Any]) -> None:
    if inspect.iscoroutine(coroutine):
        coroutine.close()
