"""Waiting without sleeping: futures resolved when the stand-in's state changes, globally or per chat.

Many simulated users at once (load tests): a global waiter is re-checked on every event, which costs
O(users²); per-chat waiters are woken only by changes to their own chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from bot.sandbox.standin.records import SentMessage


def resolve_waiters(waiters: Iterable[tuple[Callable[[], bool], asyncio.Future[None]]]) -> None:
    """Resolve each waiting future whose predicate holds now (or fails: then with its exception)."""
    for predicate, fut in list(waiters):
        if fut.done():
            continue
        try:
            ok = predicate()
        except Exception as exc:
            fut.set_exception(exc)
            continue
        if ok:
            fut.set_result(None)


async def wait_in(waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]], predicate: Callable[[], bool],
                   timeout: float, what: str) -> None:
    """Wait, listed in `waiters`, until `predicate()` holds (see `resolve_waiters`); AssertionError on timeout."""
    if predicate():
        return
    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    entry = (predicate, fut)
    waiters.append(entry)
    try:
        await asyncio.wait_for(fut, timeout)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None
    finally:
        with contextlib.suppress(ValueError):
            waiters.remove(entry)




class Waiting:
    """The stand-in's waits (mixed into BotApiStandIn, whose state they read)."""

    # ---------------------------------------------------------------- waiting

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0, *, what: str = "condition") -> None:
        """Wait until ``predicate()`` holds; re-checked on every state change, never polled."""
        await wait_in(self._waiters, predicate, timeout, what)

    async def wait_for_chat(
        self, chat_id: int, predicate: Callable[[], bool], timeout: float = 5.0, *, what: str = "condition"
    ) -> None:
        """Like :meth:`wait_for`, but re-checked only when ``chat_id`` changes: cheap with many users.

        A change is a new bot message in the chat, an edit or deletion of one, or an answer to a
        callback query pressed in it; nothing else wakes the waiter, so the predicate must depend
        on this chat alone.
        """
        waiters = self._chat_waiters.setdefault(chat_id, [])
        try:
            await wait_in(waiters, predicate, timeout, f"{what} in chat {chat_id}")
        finally:
            if not waiters and self._chat_waiters.get(chat_id) is waiters:
                del self._chat_waiters[chat_id]

    async def next_message(
        self,
        chat_id: int,
        after: int = 0,
        match: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,
    ) -> SentMessage:
        """The first bot message to ``chat_id`` from index ``after`` on that ``match``es (any if None).

        Pattern: ``n = len(tg.messages_to(c)); tg.send_text(...); m = await tg.next_message(c, n)``.
        Only this chat's changes wake the waiter (see :meth:`wait_for_chat`); an edit counts,
        so ``match`` may look for a button that an edit adds.
        """
        found: list[SentMessage] = []

        def arrived() -> bool:
            messages = self._by_chat.get(chat_id, ())
            for m in itertools.islice(messages, after, None):
                if match is None or match(m):
                    found.append(m)
                    return True
            return False

        try:
            await self.wait_for_chat(chat_id, arrived, timeout, what=f"a message from #{after} on")
        except AssertionError as exc:
            listing = "\n".join(f"  {m.describe()}" for m in self._by_chat.get(chat_id, ())[after:])
            raise AssertionError(f"{exc}; got:\n{listing or '  (nothing)'}") from None
        return found[0]

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 5.0) -> list[SentMessage]:
        """Wait until at least ``count`` bot messages exist in ``chat_id``; return all of them.

        Pattern: ``n = len(tg.messages_to(c)); tg.send_text(...);
        msgs = await tg.wait_for_messages(c, n + 1)`` then look at ``msgs[n:]``.
        """
        try:
            await self.wait_for(
                lambda: len(self._by_chat.get(chat_id, ())) >= count,
                timeout,
                what=f"{count} messages to chat {chat_id}",
            )
        except AssertionError as exc:
            listing = "\n".join(f"  {m.describe()}" for m in self._by_chat.get(chat_id, ()))
            raise AssertionError(f"{exc}; got:\n{listing or '  (nothing)'}") from None
        return self.messages_to(chat_id)

    async def wait_for_answer(self, count: int, timeout: float = 5.0) -> list[dict]:
        """Wait until at least ``count`` answerCallbackQuery calls arrived; return them all."""
        await self.wait_for(
            lambda: len(self.callback_answers) >= count,
            timeout,
            what=f"{count} callback answers (have {len(self.callback_answers)})",
        )
        return list(self.callback_answers)

    async def wait_until_consumed(self, timeout: float = 5.0) -> None:
        """Wait until the bot fetched every pushed update and confirmed it via ``offset``."""
        await self.wait_for(lambda: not self._pending, timeout, what="the bot to confirm all pushed updates")

    async def wait_idle(self, timeout: float = 5.0, *, application: Any = None, settle: int = 50) -> None:
        """Wait until the bot is done with everything pushed so far.

        With ``application`` (a PTB ``Application``) this is exact for ordinary handlers: all
        updates confirmed, PTB's ``update_queue`` fully processed (``join()``; PTB calls
        ``task_done`` after each handler run) and no request in flight. Without it, the server
        can only see requests, so "no pending update and no request in flight" must hold across
        ``settle`` event-loop turns, a heuristic that fails for handlers slower than that.
        Work in ``block=False`` handlers, jobs or threads is invisible either way.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def idle() -> bool:
            return not self._pending and self._in_flight == 0

        while True:
            await self.wait_until_consumed(max(0.0, deadline - loop.time()))
            if application is not None:
                try:
                    await asyncio.wait_for(application.update_queue.join(), max(0.0, deadline - loop.time()))
                except TimeoutError:
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for the bot to process its updates"
                    ) from None
            await self.wait_for(idle, max(0.0, deadline - loop.time()), what="the bot to become idle")
            turns = 1 if application is not None else settle
            for _ in range(turns):
                await asyncio.sleep(0)
                if not idle():
                    break
            else:
                return

    def _notify(self) -> None:
        """Resolve waiters whose condition now holds."""
        resolve_waiters(self._waiters)

    def _notify_chat(self, chat_id: int | None) -> None:
        """Resolve the waiters of one chat whose condition now holds (see :meth:`wait_for_chat`)."""
        if chat_id is not None:
            resolve_waiters(self._chat_waiters.get(chat_id, ()))

    def _wake_pollers(self) -> None:
        pollers, self._pollers = self._pollers, []
        for fut in pollers:
            if not fut.done():
                fut.set_result(None)
