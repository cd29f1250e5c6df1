"""Starting and stopping the bot: the same lifecycle for production, the sandbox and the tests.

PTB's documented manual lifecycle (initialize → start → fetch updates … stop → shutdown) is spelled
out here so that anything embedding the bot (the sandbox, the test harness) runs exactly what
production runs. Updates are fetched by :class:`~bot.telegram.polling.DurablePolling` instead of PTB's
Updater, so that none is lost to a crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.config import Config
from bot.dashboard.server import DashboardServer
from bot.domain.clock import Clock, SystemClock
from bot.domain.flood import FloodPolicy
from bot.services.knowledge import KnowledgeBase
from bot.telegram.app import TICK_SECONDS, build_application, stopping
from bot.telegram.handlers import helpdesk
from bot.telegram.ordering import PerChatOrder
from bot.telegram.polling import MAX_BACKOFF_SECONDS, TOKEN_REFUSED, DurablePolling, FatalApiError
from storage import Storage

log = logging.getLogger(__name__)


@dataclass
class RunningBot:
    app: Application
    storage: Storage
    polling: DurablePolling
    """`polling.died` is set if Telegram refused the bot for good (`polling.fatal` says why)."""
    dashboard: DashboardServer | None = None
    """The managers' web dashboard, when `[dashboard] listen` is set."""


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
    flood: FloodPolicy | None = None,
    kb_cache: Path | None = None,
) -> AsyncIterator[RunningBot]:
    """The bot polling for updates until the block exits; stops cleanly even on errors.

    `kb` defaults to the shipped articles plus those stored in the database, its built profiles
    kept in `kb_cache` between starts when given.
    """
    if kb is None:
        kb, _ = await KnowledgeBase.load(storage, cache_path=kb_cache)
    app = build_application(
        token=token, base_url=base_url, base_file_url=base_file_url, config=config,
        storage=storage, clock=clock or SystemClock(), rate_limit=rate_limit, kb=kb,
        tick_seconds=tick_seconds, flood=flood,
    )
    await _connect(app)
    try:
        if app.post_init is not None:  # run_polling would call it; the manual lifecycle must too
            await app.post_init(app)
        polling = DurablePolling(app, storage, clock or SystemClock(), timeout=poll_timeout)
        assert isinstance(app.update_processor, PerChatOrder)
        app.update_processor.listeners.append(polling.handled)
        await app.start()
        await polling.start()
        dashboard = await _start_dashboard(app, token, config, storage, clock or SystemClock(), kb)
        try:
            yield RunningBot(app, storage, polling, dashboard)
        finally:
            if dashboard is not None:
                await dashboard.stop()
            await polling.stop()
            stopping(app)
            if app.running:
                await app.stop()  # finishes the updates being handled and the scheduler's running job
            await polling.forget_handled()
    finally:
        await app.shutdown()


async def _start_dashboard(app: Application, token: str, config: Config, storage: Storage, clock: Clock,
                           kb: KnowledgeBase) -> DashboardServer | None:
    """The web dashboard beside the bot, sharing its storage, clock and courier; None when not configured."""
    if not config.dashboard.enabled:
        return None
    desk = helpdesk(app)
    courier = desk.courier
    server = DashboardServer(deployment=desk.desk.deployment, storage=storage, clock=clock, token=token, kb=kb,
                             section=config.dashboard, deliver=courier.flush if courier is not None else None)
    await server.start()
    return server


async def _connect(app: Application) -> None:
    """Initialise the bot (PTB asks Telegram who it is), waiting out a network that is down.

    A refused token is final: retrying cannot help, so it ends the start with one clear sentence. An
    unreachable Telegram (no network yet at boot, a proxy restarting) is retried with backoff and one
    log line per try, not a traceback."""
    delay = 1.0
    try:
        while True:
            try:
                await app.initialize()
                return
            except InvalidToken:  # PTB's message quotes the token itself: never printed
                raise FatalApiError(TOKEN_REFUSED) from None
            except NetworkError as exc:  # TimedOut included
                log.warning("cannot reach Telegram (%s); trying again in %.0f s", exc.message, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
    except BaseException:  # PTB shuts down only what it initialised: the connections opened meanwhile
        for request in app.bot_data.get("requests", ()):
            await request.shutdown()
        raise


class UpdateTracker:
    """Tells when an update has been fully handled, for the sandbox and the tests.

    It listens to the update processor, which tells it once the update's handlers have run and the
    replies they left have been sent (or once the update was deliberately dropped).
    """

    def __init__(self) -> None:
        self._handled: set[int] = set()
        self._waiters: dict[int, asyncio.Future[None]] = {}

    def attach(self, app: Application) -> None:
        assert isinstance(app.update_processor, PerChatOrder)
        app.update_processor.listeners.append(self._mark)

    def _mark(self, update: object) -> None:
        if not isinstance(update, Update):
            return
        self._handled.add(update.update_id)
        waiter = self._waiters.pop(update.update_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, update_id: int, timeout: float = 5.0) -> None:
        if update_id in self._handled:
            return
        waiter = self._waiters.setdefault(update_id, asyncio.get_running_loop().create_future())
        await asyncio.wait_for(waiter, timeout)
