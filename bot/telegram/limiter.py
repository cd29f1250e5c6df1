"""The bot's own rate limiter: PTB's BaseRateLimiter driven by the pure plan in bot.domain.pacing.

PTB's AIORateLimiter makes every request with a `chat_id` wait in one line for 30 a second: a backlog
of 2,000 follow-ups, or one chat's 300 replies, is in front of the person who just pressed a button,
and one 429 stops every chat. Here each request waits for its own turn: the plan decides the order
(people before bulk, chats in turn, each chat at Telegram's pace) and this module only makes requests
wait for that decision, and tries a request again after a RetryAfter, holding what the 429 concerns.

How a request says which lane it is in: the PRIORITY context variable, PERSON by default, so every
reply a handler sends is a person's; the courier sets BULK around a notification that the scheduler
wrote for nobody in particular (see `bulk_lane`). A context variable rather than PTB's
`rate_limit_args` because those are refused when the limiter is off (benchmarks, tests).
Requests without a `chat_id` (answerCallbackQuery, getMe, setMyCommands) are not paced, as with
PTB's limiter; only a global hold makes them wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.domain.pacing import Chat, Lane, Limits, SendPlan

log = logging.getLogger(__name__)

PRIORITY: ContextVar[Lane] = ContextVar("helpdesk_send_lane", default=Lane.PERSON)
"""The lane of the requests made in this context (an asyncio task copies it into the tasks it starts)."""


@contextlib.contextmanager
def lane(which: Lane) -> Iterator[None]:
    """Requests made inside go in `which` lane."""
    token = PRIORITY.set(which)
    try:
        yield
    finally:
        PRIORITY.reset(token)


def bulk_lane(bulk: bool) -> contextlib.AbstractContextManager[None]:
    """BULK for a notification nobody is waiting for, PERSON otherwise."""
    return lane(Lane.BULK if bulk else Lane.PERSON)


class FairLimiter(BaseRateLimiter[Lane]):
    """Paces requests by the plan; `monotonic` is injectable so a test can hold time still."""

    def __init__(self, limits: Limits | None = None, *, max_retries: int = 3,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self.max_retries = max_retries
        self._clock = monotonic
        self._plan = SendPlan(self.limits, monotonic())
        self._waiters: dict[int, asyncio.Future[None]] = {}
        self._poke: asyncio.Event | None = None
        self._pump: asyncio.Task[None] | None = None

    async def initialize(self) -> None:
        """Nothing to do: the pump starts with the first request that has to wait."""

    async def shutdown(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        for future in self._waiters.values():
            future.cancel()
        self._waiters.clear()

    def waiting(self, which: Lane | None = None) -> int:
        """Requests waiting for their turn now (the queue's length)."""
        return self._plan.waiting(which)

    def hurry(self, chat: Chat) -> None:
        """Someone in `chat` waits for a reply now: what the chat has waiting in the bulk lane goes with it."""
        self._plan.hurry(chat)
        self.poke()

    def poke(self) -> None:
        """Look at the plan again now (something changed: a request, a hold, the test's clock)."""
        self._release()
        if self._poke is not None:
            self._poke.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Lane | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat = _chat_of(data)
        which = rate_limit_args if isinstance(rate_limit_args, Lane) else PRIORITY.get()
        for attempt in range(self.max_retries + 1):
            await self._turn(chat, which, again=attempt > 0)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self.max_retries:
                    log.warning("%s to %s: still rate limited after %d retries", endpoint, chat, attempt)
                    raise
                seconds = _seconds(exc)
                everything = self._plan.retry_after(chat, seconds, self._clock())
                log.info("%s to %s: Telegram says retry after %.1f s (%s)", endpoint, chat, seconds,
                         "everything waits" if everything else "this chat waits")
                self.poke()
        raise AssertionError("unreachable")  # pragma: no cover  (the last attempt returns or raises)

    async def _turn(self, chat: Chat | None, which: Lane, *, again: bool) -> None:
        """Return when the plan lets this request go."""
        if chat is None:  # not paced; waits only while everything is held
            while (hold := self._plan.free_at() - self._clock()) > 0:
                await asyncio.sleep(hold)
            return
        ticket = self._plan.add(chat, which, self._clock(), first=again)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[ticket] = future
        self._release()
        if future.done():
            return
        self._start_pump()
        try:
            await future
        except asyncio.CancelledError:
            if self._waiters.pop(ticket, None) is not None:
                self._plan.cancel(ticket)
            raise

    def _release(self) -> None:
        for ticket in self._plan.release(self._clock()):
            future = self._waiters.pop(ticket, None)
            if future is not None and not future.done():
                future.set_result(None)

    def _start_pump(self) -> None:
        if self._poke is None:
            self._poke = asyncio.Event()
        self._poke.set()
        if self._pump is None or self._pump.done():
            self._pump = asyncio.get_running_loop().create_task(self._run(self._poke), name="rate limiter")

    async def _run(self, poke: asyncio.Event) -> None:
        """Release requests as the limits allow; sleep until the next can go, or something changes."""
        while True:
            poke.clear()
            self._release()
            now = self._clock()
            wake = self._plan.wake_at(now)
            timeout = None if wake is None else max(wake - now, 0.001)
            with contextlib.suppress(TimeoutError):  # asyncio.timeout, not wait_for: 3.11's can swallow a cancel
                async with asyncio.timeout(timeout):
                    await poke.wait()


def _chat_of(data: dict[str, Any]) -> Chat | None:
    chat = data.get("chat_id")
    if chat is None:
        return None
    if isinstance(chat, str):
        with contextlib.suppress(ValueError):
            return int(chat)
    return chat if isinstance(chat, int | str) else str(chat)


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta; either is read
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = exc.retry_after
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)
