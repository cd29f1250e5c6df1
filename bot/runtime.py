"""Starting and stopping the bot: the same lifecycle for production, the sandbox and the tests.

PTB's documented manual lifecycle (initialize → start → fetch updates … stop → shutdown) is spelled
out here so that anything embedding the bot (the sandbox, the test harness) runs exactly what
production runs. Updates are fetched by :class:`~bot.chat.polling.DurablePolling` instead of PTB's
Updater, so that none is lost to a crash.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.chat.app import TICK_SECONDS, build_application, stopping
from bot.chat.ordering import PerChatOrder
from bot.chat.polling import DurablePolling
from bot.config import Config, Settings
from bot.domain.clock import Clock, SystemClock
from bot.knowledge_base import KnowledgeBase
from storage import Storage, open_storage

log = logging.getLogger(__name__)


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


async def run_forever(settings: Settings, config: Config) -> None:
    """`helpdesk run`: long polling against Telegram (or HELPDESK_TELEGRAM_API_URL) until SIGTERM."""
    assert settings.token is not None
    clock = SystemClock()
    storage = await open_storage(settings.db_path, now=clock.now())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running_bot(
            token=settings.token, base_url=settings.api_url,
            base_file_url=_file_url(settings.api_url), config=config, storage=storage, clock=clock,
            rate_limit=settings.rate_limit,
        ):
            # What start-up built (the knowledge base's index, PTB, the libraries) lives as long as the
            # process: out of the collector's way, a full collection no longer stalls replies for tens of ms.
            gc.collect()
            gc.freeze()
            log.info("the help desk is running (database %s); stop with Ctrl-C", settings.db_path)
            await stop.wait()
            log.info("stopping")
    finally:
        await storage.close()


def _file_url(api_url: str) -> str | None:
    """Telegram serves files at /file/bot…; a self-hosted server at the same place beside /bot."""
    if api_url.rstrip("/").endswith("/bot"):
        return api_url.rstrip("/")[: -len("/bot")] + "/file/bot"
    return None


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
