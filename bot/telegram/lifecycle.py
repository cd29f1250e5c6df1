"""Starting and stopping the bot: the same lifecycle for production, the sandbox and the tests.

PTB's documented manual lifecycle (initialize → start → fetch updates … stop → shutdown) is spelled
out here so that anything embedding the bot (the sandbox, the test harness) runs exactly what
production runs. Updates are fetched by :class:`~bot.telegram.polling.DurablePolling` instead of PTB's
Updater, so that none is lost to a crash.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.config import Config
from bot.domain.clock import Clock, SystemClock
from bot.services.knowledge import KnowledgeBase
from bot.telegram.app import TICK_SECONDS, build_application, stopping
from bot.telegram.ordering import PerChatOrder
from bot.telegram.polling import DurablePolling
from storage import Storage


@dataclass
class RunningBot:
    app: Application
    storage: Storage


@asynccontextmanager
async def running_bot(
    *,
    token: str,
    base_url: str,
    base_file_url: str | None,
    config: Config,
    storage: Storage,
    clock: Clock | None = None,
    poll_timeout: float = 10,
    rate_limit: bool = True,
    kb: KnowledgeBase | None = None,
    tick_seconds: float | None = TICK_SECONDS,
) -> AsyncIterator[RunningBot]:
    """The bot polling for updates until the block exits; stops cleanly even on errors.

    `kb` defaults to the shipped articles plus those stored in the database.
    """
    if kb is None:
        kb, _ = await KnowledgeBase.load(storage)
    app = build_application(
        token=token, base_url=base_url, base_file_url=base_file_url, config=config,
        storage=storage, clock=clock or SystemClock(), rate_limit=rate_limit, kb=kb, tick_seconds=tick_seconds,
    )
    await app.initialize()
    try:
        if app.post_init is not None:  # run_polling would call it; the manual lifecycle must too
            await app.post_init(app)
        polling = DurablePolling(app, storage, clock or SystemClock(), timeout=poll_timeout,
                                 raw=app.bot_data.get("updates_request"))
        assert isinstance(app.update_processor, PerChatOrder)
        app.update_processor.on_handled = polling.handled
        await app.start()
        await polling.start()
        try:
            yield RunningBot(app, storage)
        finally:
            await polling.stop()
            stopping(app)
            if app.running:
                await app.stop()  # finishes the updates being handled and the scheduler's running job
            await polling.forget_handled()
    finally:
        await app.shutdown()


class UpdateTracker:
    """Tells when an update has been fully handled, for the sandbox and the tests.

    Registered in a late handler group: PTB runs groups in order and awaits each handler, so when
    the tracker sees an update, every reply to it has been sent.
    """

    GROUP = 1000

    def __init__(self) -> None:
        self._handled: set[int] = set()
        self._waiters: dict[int, asyncio.Future[None]] = {}

    def attach(self, app: Application) -> None:
        app.add_handler(TypeHandler(Update, self._mark), group=self.GROUP)

    async def _mark(self, update: Update, context: object) -> None:
        self._handled.add(update.update_id)
        waiter = self._waiters.pop(update.update_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, update_id: int, timeout: float = 5.0) -> None:
        if update_id in self._handled:
            return
        waiter = self._waiters.setdefault(update_id, asyncio.get_running_loop().create_future())
        await asyncio.wait_for(waiter, timeout)
