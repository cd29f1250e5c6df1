"""Long polling that loses no update, not even to a crash between fetching and handling.

Telegram forgets an update once the next `getUpdates` asks for a later offset. PTB's own Updater asks
as soon as it has queued a batch, before the handlers ran, so a crash (SIGKILL, power cut) right
then loses those updates: a reporter's message without an answer and without a trace. Here a batch
is first written to the database's inbox, and only then confirmed to Telegram; a handled update is
struck from the inbox (in batches, with the next poll's write), and on start-up whatever is left in
the inbox is handled first. An update handled but not yet struck is replayed after a crash; the
update's transaction claims its update_id, so the replay is recognised and not acted on twice.
Striking shares the transaction that keeps the next batch, so under load the inbox costs the
database one short transaction per batch of updates, not per update.

On SIGTERM, updates fetched but not yet started stay in the inbox for the next start instead of
holding up the shutdown: only the ones already being handled are finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from telegram import Update
from telegram.error import EndPointNotFound, InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.domain.clock import Clock
from storage import Storage, StorageUnavailable

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0
READ_SLACK_SECONDS = 10.0
"""How much longer than the long poll itself an answer to getUpdates may take before it counts as lost."""


TOKEN_REFUSED = "Telegram refused the bot token (401/404): check TELEGRAM_BOT_TOKEN"


class FatalApiError(RuntimeError):
    """Telegram refused the bot itself (a revoked or wrong token): retrying cannot help, a person must act."""


class DurablePolling:
    def __init__(self, app: Application, storage: Storage, clock: Clock, *, timeout: float = 10) -> None:
        self.app = app
        self.storage = storage
        self.clock = clock
        self.timeout = timeout
        self._offset: int | None = None
        self._handled: list[int] = []
        """Handled updates not yet struck from the inbox."""
        self._task: asyncio.Task[None] | None = None
        self._fetch: asyncio.Future[tuple[Update, ...]] | None = None
        self._stopping = asyncio.Event()
        self.died = asyncio.Event()
        """Set when polling ended for good (`fatal` says why): the process should exit and be restarted."""
        self.fatal: FatalApiError | None = None

    def handled(self, update: object) -> None:
        """Called by the update processor when an update's handling has finished."""
        if isinstance(update, Update):
            self._handled.append(update.update_id)

    async def start(self) -> int:
        """Queue what a crash left in the inbox, then poll in the background; returns how many were replayed."""
        async with self.storage.transaction() as tx:
            left = await tx.inbox.pending()
        for update_id, payload in left:
            self._offset = update_id + 1
            update, error = self._parse(json.loads(payload))
            if update is None:
                await self._quarantine([(update_id, payload, error)])
                continue
            await self.app.update_queue.put(update)
        if left:
            log.warning("handling %d update(s) fetched before the last stop but never handled", len(left))
        self._task = asyncio.create_task(self._run(), name="durable-polling")
        return len(left)

    async def stop(self) -> None:
        """Stop fetching; updates queued but not started stay in the inbox for the next start.

        Only the long poll itself is cancelled: a batch being written to the inbox is finished, since
        a database call cut off half-way would leave the connection inside a transaction."""
        self._stopping.set()
        if self._fetch is not None:
            self._fetch.cancel()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        queue = self.app.update_queue
        while not queue.empty():  # Application.stop() would otherwise handle them all before exiting
            queue.get_nowait()
            queue.task_done()

    async def forget_handled(self) -> None:
        """Strike the handled updates from the inbox (also called once more after the last one is handled)."""
        done, self._handled = self._handled, []
        if done:
            try:
                async with self.storage.transaction() as tx:
                    await tx.inbox.done(done)
            except BaseException:
                self._handled = done + self._handled
                raise

    async def _run(self) -> None:
        backoff = 0.0
        while not self._stopping.is_set():
            try:
                await self._poll_once()
                backoff = 0.0
            except asyncio.CancelledError:
                raise
            except (InvalidToken, EndPointNotFound):
                # getUpdates always exists, so a 401/404 is the token (do_api_request words it as a missing
                # method). The process ends with this as its one line (bot/cli); a supervisor can restart it.
                self.fatal = FatalApiError(TOKEN_REFUSED)
                self.died.set()
                return
            except RetryAfter as exc:
                delay = exc.retry_after
                await self._pause(delay if isinstance(delay, int | float) else delay.total_seconds())
            except TimedOut:
                continue  # the long poll itself ran out: ask again
            except TelegramError as exc:  # network errors, 5xx, Conflict with another instance
                backoff = min(max(backoff * 2, 0.5), MAX_BACKOFF_SECONDS)
                log.warning("fetching updates failed (%s); trying again in %.1f s", exc, backoff)
                await self._pause(backoff)
            except Exception:  # the database, most likely: nothing was confirmed, so nothing is lost
                backoff = min(max(backoff * 2, 0.5), MAX_BACKOFF_SECONDS)
                log.exception("keeping fetched updates failed; trying again in %.1f s", backoff)
                await self._pause(backoff)

    def _parse(self, item: object) -> tuple[Update | None, str]:
        """One entry of a batch as an Update, or None and why not (the exception's kind only: its
        message may quote what a person wrote)."""
        try:
            update = Update.de_json(item, self.app.bot)  # type: ignore[arg-type]
        except Exception as exc:  # the library's own checks: a field missing, of the wrong type, …
            return None, type(exc).__name__
        return (update, "") if update is not None else (None, "empty")

    async def _quarantine(self, poison: list[tuple[int, str, str]]) -> None:
        async with self.storage.transaction() as tx:
            for update_id, payload, error in poison:
                await tx.inbox.quarantine(update_id, payload, error, self.clock.now())
        _log_quarantined(poison)

    async def _pause(self, seconds: float) -> None:
        """Wait before trying again, unless told to stop meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _poll_once(self) -> None:
        if self._stopping.is_set():
            return
        # The raw entries, not PTB's get_updates: that parses the whole batch at once, so one entry the
        # library cannot read fails the batch, the offset never moves, and nobody is answered again.
        self._fetch = asyncio.ensure_future(self.app.bot.do_api_request(
            "getUpdates", api_kwargs={"offset": self._offset, "timeout": int(self.timeout),
                                      "allowed_updates": list(Update.ALL_TYPES)},
            read_timeout=self.timeout + READ_SLACK_SECONDS,
        ))
        try:
            batch = await self._fetch
        finally:
            self._fetch = None
        entries = [e for e in batch if isinstance(e, dict) and isinstance(e.get("update_id"), int)] \
            if isinstance(batch, list) else []
        if not entries:
            await self.forget_handled()  # a quiet moment: tidy up
            return
        updates: list[Update] = []
        kept: list[tuple[int, str]] = []
        poison: list[tuple[int, str, str]] = []
        for entry in entries:
            payload = json.dumps(entry, ensure_ascii=False)  # kept as Telegram sent it
            update, error = self._parse(entry)
            if update is None:
                poison.append((entry["update_id"], payload, error))
            else:
                updates.append(update)
                kept.append((update.update_id, payload))
        done, self._handled = self._handled, []
        try:
            async with self.storage.transaction() as tx:
                fresh = set(await tx.inbox.add(kept, self.clock.now()))
                await tx.inbox.done(done)  # in the same transaction: one per batch of updates
                for update_id, payload, error in poison:
                    await tx.inbox.quarantine(update_id, payload, error, self.clock.now())
            _log_quarantined(poison)
        except BaseException as exc:
            self._handled = done + self._handled  # struck next time
            if not isinstance(exc, StorageUnavailable):
                raise
            # The database is locked or gone: the handlers will fail the same way and tell each sender
            # that nothing was saved, which is better than leaving them without an answer.
            log.error("could not keep fetched updates (%s); handling them without a safety net", exc)
            fresh = {u.update_id for u in updates}
        # confirmed to Telegram by the next poll, now that they are kept (or kept aside)
        self._offset = max(e["update_id"] for e in entries) + 1
        for update in updates:
            if update.update_id in fresh:  # one still in the inbox is queued already
                await self.app.update_queue.put(update)


def _log_quarantined(poison: list[tuple[int, str, str]]) -> None:
    """Once per update, without what it says (it may be a person's message)."""
    for update_id, _, error in poison:
        log.warning("update %d could not be read (%s); kept aside in quarantined_updates, see helpdesk doctor",
                    update_id, error)
