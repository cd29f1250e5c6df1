"""Handle different chats at once, but each chat's updates one at a time and in order.

PTB processes updates one by one unless told otherwise; with many reporters that leaves the bot
waiting on Telegram's HTTP round trips. Running everything concurrently would instead let two quick
messages of one reporter race each other through the same report. This processor does both right:
concurrency across chats, order within a chat.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0
    """Updates of this chat holding or waiting for the lock: the entry may go only when none is left
    (dropping it while one waits would let the chat's next update run beside that one)."""


class PerChatOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[int, _Turn] = {}
        self.on_handled: Callable[[object], None] | None = None
        """Told of each update whose handling has finished (the durable polling strikes it from its inbox)."""
        self.stopping = False
        """Set on shutdown: updates not yet started are left alone (they stay in the inbox for the next
        start), so a stop waits only for the ones being handled, not for a whole backlog."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not await self._in_turn(update, coroutine):
            return
        if self.on_handled is not None:  # not reached when cancelled: the update stays in the inbox
            self.on_handled(update)

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> bool:
        """Run the update's handling in its chat's turn; False if shutdown came first and it never ran."""
        key = _chat_key(update)
        if key is None:
            return await self._unless_stopping(coroutine)
        turn = self._turns.setdefault(key, _Turn())
        turn.users += 1  # counted before waiting, so nobody drops the lock from under a waiter
        try:
            async with turn.lock:
                return await self._unless_stopping(coroutine)
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[key]

    async def _unless_stopping(self, coroutine: Awaitable[Any]) -> bool:
        if self.stopping:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never started: nothing to undo
            return False
        await coroutine
        return True

    async def initialize(self) -> None:
        """Nothing to set up: the locks are created on demand."""

    async def shutdown(self) -> None:
        self._turns.clear()


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None
