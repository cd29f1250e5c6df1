"""`helpdesk run`: the bot in production, long polling until SIGTERM.

The lifecycle itself (the same for production, the sandbox and the tests) is
:func:`bot.telegram.lifecycle.running_bot`; this adds what only a real deployment needs: the
database file, the signals, and the collector tuning for a long-lived process.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from pathlib import Path

from bot.config import Config, Settings
from bot.domain.clock import SystemClock
from bot.telegram.lifecycle import running_bot
from storage import open_storage

log = logging.getLogger(__name__)


def kb_cache_beside(db_path: Path) -> Path | None:
    """The knowledge base's index cache (knowledge.cache) beside the database file: derived data,
    safe to delete, as private as the database; none for an in-memory database."""
    if str(db_path) == ":memory:":
        return None
    return Path(db_path).with_name(Path(db_path).name + ".kb-index")


async def run_forever(settings: Settings, config: Config) -> None:
    """`helpdesk run`: long polling against Telegram (or HELPDESK_TELEGRAM_API_URL) until SIGTERM."""
    assert settings.token is not None
    clock = SystemClock()
    storage = await open_storage(settings.db_path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    stack = contextlib.AsyncExitStack()
    try:
        starting = asyncio.ensure_future(stack.enter_async_context(running_bot(
            token=settings.token, base_url=settings.api_url,
            base_file_url=_file_url(settings.api_url), config=config, storage=storage, clock=clock,
            rate_limit=settings.rate_limit, kb_cache=kb_cache_beside(settings.db_path),
        )))
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():  # stopped while still waiting for Telegram to be reachable
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            return
        bot = starting.result()
        died = asyncio.ensure_future(bot.polling.died.wait())
        # What start-up built (the knowledge base's index, PTB, the libraries) lives as long as the
        # process: out of the collector's way, a full collection no longer stalls replies for tens of ms.
        gc.collect()
        gc.freeze()
        log.info("the help desk is running (database %s); stop with Ctrl-C", settings.db_path)
        await asyncio.wait({stopped, died}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (stopped, died):
            waiter.cancel()
        if bot.polling.fatal is not None:
            raise bot.polling.fatal
        log.info("stopping")
    finally:
        await stack.aclose()
        await storage.close()


def _file_url(api_url: str) -> str | None:
    """Telegram serves files at /file/bot…; a self-hosted server at the same place beside /bot."""
    if api_url.rstrip("/").endswith("/bot"):
        return api_url.rstrip("/")[: -len("/bot")] + "/file/bot"
    return None
