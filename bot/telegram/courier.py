"""Delivers the outbox: notifications written in the same transaction as the change that caused them.

A notification is marked sent only after Telegram accepted it. Network errors, timeouts, 5xx and 429
(with its retry_after) put it back with a delay; a permanent refusal (the user blocked the bot, the
chat does not exist) is recorded and not retried. One delivery runs at a time, so a notification is
never sent by two workers at once.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.domain.clock import Clock
from bot.domain.topics import Topic
from bot.messages import Reply, t
from bot.telegram.render import markup
from bot.texts import render
from storage import Storage
from storage.ports import Pending

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=2)
MAX_BACKOFF = timedelta(minutes=5)
MAX_ATTEMPTS = 25
MAX_TEXT = 4096
"""Telegram's limit on a message's text, in characters."""
"""With backoff doubling up to 5 minutes, about 1.5 hours of retrying before a message is given up."""


class Courier:
    def __init__(self, bot: Bot, storage: Storage, clock: Clock, tz: ZoneInfo,
                 on_undeliverable: Callable[[int, Reply, str], Awaitable[list[int]]] | None = None) -> None:
        self.bot = bot
        self.storage = storage
        self.clock = clock
        self.tz = tz
        self.on_undeliverable = on_undeliverable
        """Told about a permanent failure (the ticket's log and the managers hear of it)."""
        self.stopping = False
        """Set on shutdown: a backlog flush ends early (what is left stays in the outbox for the next start)."""
        self._locks: dict[int, asyncio.Lock] = {}
        """One per chat ever written to (a few hundred bytes each); never dropped, because dropping a lock
        another task is about to take would let two deliveries of one chat run side by side."""

    async def flush(self, concurrency: int = 16) -> int:
        """Send everything due now, chat by chat (several chats at once); returns how many were sent."""
        sent = 0
        limit = asyncio.Semaphore(concurrency)

        async def one(chat: int) -> int:
            async with limit:
                return 0 if self.stopping else await self.flush_chat(chat)

        while not self.stopping:
            async with self.storage.transaction() as tx:
                chats = await tx.outbox.chats(self.clock.now())
            if not chats:
                return sent

            counts = await asyncio.gather(*(one(chat) for chat in chats))
            sent += sum(counts)
            if not any(counts):
                return sent  # what is left waits for its retry time
        return sent

    async def flush_chat(self, chat_id: int) -> int:
        """Send one chat's due messages in order; only one delivery per chat runs at a time."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        sent = 0
        async with lock:
            pending = await self._due(chat_id)
            while pending:
                delivered, pending = await self._deliver(chat_id, pending)
                sent += delivered
                if self.stopping:  # shutting down: one message per chat still goes, the rest waits for the next start
                    break
        return sent

    async def _due(self, chat_id: int) -> list[Pending]:
        async with self.storage.transaction() as tx:
            return await tx.outbox.pending(chat_id, self.clock.now())

    async def _deliver(self, chat_id: int, pending: list[Pending]) -> tuple[int, list[Pending]]:
        """(sent, what is due next); a message that must wait for a retry holds back the chat's later ones.

        Each message is marked sent right after Telegram accepted it: a crash can then repeat at most
        the one message in flight, never a whole batch. Marking the last one and looking for more
        share a transaction (one per message is what a reply costs the database)."""
        sent = 0
        for index, item in enumerate(pending):
            if self.stopping and index:
                return sent, []
            outcome, parts_sent, message_id = await self._send(item)
            now = self.clock.now()
            async with self.storage.transaction() as tx:
                if outcome is None:
                    await tx.outbox.sent([item.id], now, message_id)
                    sent += 1
                    if index == len(pending) - 1:
                        return sent, await tx.outbox.pending(chat_id, now)
                    continue
                if parts_sent > item.parts_sent:
                    await tx.outbox.progress(item.id, parts_sent)  # a retry sends only the rest
                if isinstance(outcome, timedelta) and item.attempts + 1 < MAX_ATTEMPTS:
                    # 429 says how long to wait; other failures back off, doubling per attempt
                    delay = outcome or min(FIRST_RETRY * 2**item.attempts, MAX_BACKOFF)
                    await tx.outbox.retry(item.id, now, now + delay, "retry")
                    return sent, []
                reason = outcome if isinstance(outcome, str) else "gave up after repeated network errors"
                await tx.outbox.failed(item.id, now, reason)
                await self._blocked(tx, item.reply.chat_id, reason)
            if item.reply.edits is not None:  # an old card that could not be edited (deleted, too old): no harm
                log.info("could not edit message %s in %s: %s", item.reply.edits, item.reply.chat_id, reason)
                continue
            log.warning("could not deliver a message to %s: %s", item.reply.chat_id, reason)
            if self.on_undeliverable is not None:
                told = await self.on_undeliverable(item.reply.chat_id, item.reply, reason)
                for chat in told:
                    if chat != item.reply.chat_id:  # the managers hear of it now, not at the next tick
                        await self.flush_chat(chat)
        return sent, await self._due(chat_id)

    def _parts(self, reply: Reply) -> list[Callable[[], Awaitable[object]]]:
        """A reply as Telegram takes it: the text (with the buttons), each photo, the attachment; or, for
        a reply that `edits` an earlier message, that message's new buttons (none: they are removed)."""
        if reply.edits is not None:
            return [lambda: call(self.bot, "editMessageReplyMarkup", chat_id=reply.chat_id, message_id=reply.edits,
                                 reply_markup=markup(reply, self.tz) or {"inline_keyboard": []})]
        if reply.topic is not None and reply.topic.action != "post":
            return [partial(self._change_topic, reply)]
        if reply.continues is not None:
            return [partial(self._continue, reply)]
        text = _fit(render(reply.text, reply.lang, self.tz))
        if reply.topic is not None:
            return [partial(self._open_topic, reply),
                    partial(self._in_topic, reply, "sendMessage", text=text, reply_markup=markup(reply, self.tz)),
                    *(partial(self._in_topic, reply, "sendPhoto", photo=photo) for photo in reply.photos)]
        parts: list[Callable[[], Awaitable[object]]] = [
            lambda: call(self.bot, "sendMessage", chat_id=reply.chat_id, text=text, reply_markup=markup(reply, self.tz),
                         message_thread_id=reply.thread_id)
        ]
        parts += [partial(call, self.bot, "sendPhoto", chat_id=reply.chat_id, photo=photo,
                          message_thread_id=reply.thread_id) for photo in reply.photos]
        if reply.attachment is not None:
            parts.append(partial(send_attachment, self.bot, reply))
        return parts

    async def _continue(self, reply: Reply) -> object:
        """The pressed message becomes its question, the answer given and this reply (one call). If Telegram
        will not edit it (too old, deleted, no longer text), the reply goes as a new message that states
        the answer; an edit that changes nothing (a press delivered twice) is already what it should be."""
        folded = reply.continues
        assert folded is not None
        answer = render(t("answered", chosen=folded.chosen), reply.lang, self.tz)
        below = f"{answer}\n\n{render(reply.text, reply.lang, self.tz)}"
        try:
            return await call(self.bot, "editMessageText", chat_id=reply.chat_id, message_id=folded.message_id,
                              text=continued(folded.above, below), reply_markup=markup(reply, self.tz))
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return {"message_id": folded.message_id}
            log.info("could not edit message %s in %s (%s): sending the answer instead",
                     folded.message_id, reply.chat_id, exc.message)
        return await call(self.bot, "sendMessage", chat_id=reply.chat_id, text=_fit(below),
                          reply_markup=markup(reply, self.tz), message_thread_id=reply.thread_id)

    async def _send(self, item: Pending) -> tuple[timedelta | str | None, int, int | None]:
        """(None when delivered, a delay to retry after, or the reason it can never be delivered;
        how many of its parts have gone out; Telegram's id for a card with buttons, to edit it later).
        Parts sent on an earlier attempt are not sent again: a card whose second photo failed is not
        sent twice, with two sets of live buttons."""
        parts = self._parts(item.reply)
        done = item.parts_sent
        message_id = None
        try:
            while done < len(parts):
                result = await parts[done]()
                if done == 0 and item.reply.buttons and item.reply.ticket and isinstance(result, dict):
                    message_id = result.get("message_id")
                done += 1
                if done < len(parts):  # recorded before the next part: the card is never sent again, even after a crash
                    async with self.storage.transaction() as tx:
                        await tx.outbox.progress(item.id, done, message_id)
        except RetryAfter as exc:
            delay = exc.retry_after
            return (delay if isinstance(delay, timedelta) else timedelta(seconds=float(delay))), done, message_id
        except Forbidden as exc:
            return f"forbidden: {exc.message}", done, message_id
        except BadRequest as exc:
            return f"bad request: {exc.message}", done, message_id
        except (NetworkError, TelegramError) as exc:  # timeouts, dropped connections, 5xx
            log.info("delivery to %s failed, will retry: %s", item.reply.chat_id, exc)
            return timedelta(), done, message_id  # back off by the number of attempts so far
        return None, done, message_id

    # ---- a ticket's forum topic in the staff group (bot.domain.topics) ---------------------------------
    async def _topic(self, ticket: str) -> Topic | None:
        async with self.storage.transaction() as tx:
            return await tx.topics.get(ticket)

    async def _open_topic(self, reply: Reply) -> None:
        """The ticket's topic, created the first time (its id kept before anything is posted in it)."""
        topic = reply.topic
        if topic is None or await self._topic(topic.ticket) is not None:
            return
        name = topic.name or topic.ticket
        created = await call(self.bot, "createForumTopic", chat_id=reply.chat_id, name=name)
        thread = int(created["message_thread_id"])  # type: ignore[index]
        async with self.storage.transaction() as tx:
            await tx.topics.save(Topic(topic.ticket, reply.chat_id, thread, name))

    async def _in_topic(self, reply: Reply, method: str, **params: object) -> object:
        topic = await self._topic(reply.topic.ticket) if reply.topic else None
        return await call(self.bot, method, chat_id=reply.chat_id,
                          message_thread_id=topic.thread_id if topic else None, **params)

    async def _change_topic(self, reply: Reply) -> None:
        """Rename, close or reopen the ticket's topic; a topic that was never made, or already shows
        what is asked (Telegram's TOPIC_NOT_MODIFIED), needs nothing."""
        topic = await self._topic(reply.topic.ticket) if reply.topic else None
        if topic is None or reply.topic is None:
            return
        method, extra = {"rename": ("editForumTopic", {"name": reply.topic.name}),
                         "close": ("closeForumTopic", {}), "reopen": ("reopenForumTopic", {})}[reply.topic.action]
        try:
            await call(self.bot, method, chat_id=topic.chat_id, message_thread_id=topic.thread_id, **extra)
        except BadRequest as exc:
            if "TOPIC_NOT_MODIFIED" not in exc.message.upper():
                raise

    async def _blocked(self, tx, chat_id: int, reason: str) -> None:  # type: ignore[no-untyped-def]
        if reason.startswith("forbidden"):
            user = await tx.users.get(chat_id)
            if user is not None and not user.blocked:
                await tx.users.save(replace(user, blocked=True), self.clock.now())


# Bot.do_api_request warns that Bot has a method of that name; calling it this way is the point here.
warnings.filterwarnings("ignore", category=PTBUserWarning,
                        message=r"Please use 'Bot\.(sendMessage|sendPhoto|editMessageText|editMessageReplyMarkup"
                                r"|getUpdates|createForumTopic|editForumTopic|closeForumTopic|reopenForumTopic)'")


def _fit(text: str) -> str:
    """Telegram refuses a text over 4096 characters; cut, rather than lose it all."""
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def continued(above: str, below: str) -> str:
    """A pressed question kept above what follows it, within Telegram's limit: when the two are too long
    (a chain of answered questions grows), the oldest lines of `above` give way first."""
    if len(below) + 2 >= MAX_TEXT:
        return _fit(below)
    room = MAX_TEXT - len(below) - 2
    if len(above) > room:
        cut = above[len(above) - room + 2:]
        above = "…\n" + cut[cut.find("\n") + 1:] if "\n" in cut else "…" + cut[1:]
    return f"{above}\n\n{below}"


async def call(bot: Bot, method: str, **params: object) -> object:
    """A Bot API call whose answer is not read: PTB's own methods build a Message from every answer,
    a tenth of a millisecond each, and the courier sends thousands. Errors, retries and the rate
    limiter are PTB's as for any call."""
    return await bot.do_api_request(method, api_kwargs={k: v for k, v in params.items() if v is not None})


async def send_attachment(bot: Bot, reply: Reply) -> None:
    """A chart goes as a photo, a workbook as a document."""
    attachment = reply.attachment
    if attachment is None:
        return
    upload = InputFile(attachment.data, filename=attachment.filename)
    if attachment.kind == "photo":
        await bot.send_photo(chat_id=reply.chat_id, photo=upload, message_thread_id=reply.thread_id)
    else:
        await bot.send_document(chat_id=reply.chat_id, document=upload, message_thread_id=reply.thread_id)
