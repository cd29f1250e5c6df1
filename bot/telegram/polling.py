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
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.domain.clock import Clock
from bot.telegram.http import AiohttpRequest
from storage import Storage, StorageUnavailable

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0


class DurablePolling:
    def __init__(self, app: Application, storage: Storage, clock: Clock, *, timeout: float = 10,
                 raw: AiohttpRequest | None = None) -> None:
        self.app = app
        self.raw = raw
        """getUpdates' own connection, keeping the last answer: updates are stored as Telegram sent them."""
        self.storage = storage
        self.clock = clock
        self.timeout = timeout
        self._offset: int | None = None
        self._handled: list[int] = []
        """Handled updates not yet struck from the inbox."""
        self._task: asyncio.Task[None] | None = None
        self._fetch: asyncio.Future[tuple[Update, ...]] | None = None
        self._stopping = asyncio.Event()

    def handled(self, update: object) -> None:
        """Called by the update processor when an update's handling has finished."""
        if isinstance(update, Update):
            self._handled.append(update.update_id)

    async def start(self) -> int:
        """Queue what a crash left in the inbox, then poll in the background; returns how many were replayed."""
        async with self.storage.transaction() as tx:
            left = await tx.inbox.pending()
        for update_id, payload in left:
            await self.app.update_queue.put(Update.de_json(json.loads(payload), self.app.bot))
            self._offset = update_id + 1
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
            except InvalidToken:
                log.critical("Telegram refused the bot token; no more updates will be fetched")
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

    def _payloads(self, updates: tuple[Update, ...]) -> list[tuple[int, str]]:
        """(update_id, JSON) as Telegram sent them; serialising PTB's objects back costs ten times more."""
        sent: dict[int, str] = {}
        body = self.raw.last_body if self.raw is not None else None
        if body:
            with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
                sent = {item["update_id"]: json.dumps(item, ensure_ascii=False) for item in json.loads(body)["result"]}
        return [(u.update_id, sent.get(u.update_id) or json.dumps(u.to_dict(), ensure_ascii=False)) for u in updates]

    async def _pause(self, seconds: float) -> None:
        """Wait before trying again, unless told to stop meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _poll_once(self) -> None:
        if self._stopping.is_set():
            return
        self._fetch = asyncio.ensure_future(self.app.bot.get_updates(
            offset=self._offset, timeout=int(self.timeout), allowed_updates=Update.ALL_TYPES,
        ))
        try:
            updates = await self._fetch
        finally:
            self._fetch = None
        if not updates:
            await self.forget_handled()  # a quiet moment: tidy up
            return
        done, self._handled = self._handled, []
        try:
            async with self.storage.transaction() as tx:
                fresh = set(await tx.inbox.add(self._payloads(updates), self.clock.now()))
                await tx.inbox.done(done)  # in the same transaction: one per batch of updates
        except BaseException as exc:
            self._handled = done + self._handled  # struck next time
            if not isinstance(exc, StorageUnavailable):
                raise
            # The database is locked or gone: the handlers will fail the same way and tell each sender
            # that nothing was saved, which is better than leaving them without an answer.
            log.error("could not keep fetched updates (%s); handling them without a safety net", exc)
            fresh = {u.update_id for u in updates}
        self._offset = updates[-1].update_id + 1  # confirmed to Telegram by the next poll, now that they are kept
        for update in updates:
            if update.update_id in fresh:  # one still in the inbox is queued already
                await self.app.update_queue.put(update)
