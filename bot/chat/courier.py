"""Delivers the outbox: notifications written in the same transaction as the change that caused them.

A notification is marked sent only after Telegram accepted it. Network errors, timeouts, 5xx and 429
(with its retry_after) put it back with a delay; a permanent refusal (the user blocked the bot, the
chat does not exist) is recorded and not retried. One delivery runs at a time, so a notification is
never sent by two workers at once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.chat.render import markup, render
from bot.domain.clock import Clock
from bot.messages import Reply
from storage import Storage

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=5)


class Courier:
    def __init__(self, bot: Bot, storage: Storage, clock: Clock, tz: ZoneInfo) -> None:
        self.bot = bot
        self.storage = storage
        self.clock = clock
        self.tz = tz
        self._lock = asyncio.Lock()

    async def flush(self, batch: int = 200) -> int:
        """Send everything due now, batch by batch; returns how many were sent."""
        sent = 0
        async with self._lock:
            while True:
                async with self.storage.transaction() as tx:
                    pending = await tx.pending_outbox(self.clock.now(), batch)
                sent += await self._deliver(pending)
                if len(pending) < batch:
                    return sent

    async def _deliver(self, pending: list[tuple[int, Reply, int]]) -> int:
        sent = 0
        for item_id, reply, _attempts in pending:
            outcome = await self._send(reply)
            now = self.clock.now()
            async with self.storage.transaction() as tx:
                if outcome is None:
                    await tx.outbox_sent(item_id, now)
                    sent += 1
                elif isinstance(outcome, timedelta):
                    await tx.outbox_retry(item_id, now, now + outcome, "retry")
                else:
                    await tx.outbox_failed(item_id, now, outcome)
                    await self._blocked(tx, reply.chat_id, outcome)
        return sent

    async def _send(self, reply: Reply) -> timedelta | str | None:
        """None when delivered; a delay to retry after; or the reason it can never be delivered."""
        try:
            await self.bot.send_message(
                chat_id=reply.chat_id, text=render(reply.text, reply.lang, self.tz), reply_markup=markup(reply, self.tz)
            )
            for photo in reply.photos:
                await self.bot.send_photo(chat_id=reply.chat_id, photo=photo)
            await send_attachment(self.bot, reply)
        except RetryAfter as exc:
            delay = exc.retry_after
            return delay if isinstance(delay, timedelta) else timedelta(seconds=float(delay))
        except Forbidden as exc:
            return f"forbidden: {exc.message}"
        except BadRequest as exc:
            return f"bad request: {exc.message}"
        except (NetworkError, TelegramError) as exc:
            log.info("delivery to %s failed, will retry: %s", reply.chat_id, exc)
            return timedelta(seconds=5)
        return None

    async def _blocked(self, tx, chat_id: int, reason: str) -> None:  # type: ignore[no-untyped-def]
        if reason.startswith("forbidden"):
            user = await tx.get_user(chat_id)
            if user is not None and not user.blocked:
                from dataclasses import replace

                await tx.save_user(replace(user, blocked=True), self.clock.now())
        log.warning("could not deliver a notification to %s: %s", chat_id, reason)


async def send_attachment(bot: Bot, reply: Reply) -> None:
    """A chart goes as a photo, a workbook as a document."""
    attachment = reply.attachment
    if attachment is None:
        return
    upload = InputFile(attachment.data, filename=attachment.filename)
    if attachment.kind == "photo":
        await bot.send_photo(chat_id=reply.chat_id, photo=upload)
    else:
        await bot.send_document(chat_id=reply.chat_id, document=upload)
