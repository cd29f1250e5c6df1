"""Handle different chats at once, but each chat's updates one at a time and in order.

PTB processes updates one by one unless told otherwise; with many reporters that leaves the bot
waiting on Telegram's HTTP round trips. Running everything concurrently would instead let two quick
messages of one reporter race each other through the same report. This processor does both right:
concurrency across chats, order within a chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            if not lock.locked():
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to set up: the locks are created on demand."""

    async def shutdown(self) -> None:
        self._locks.clear()


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None
