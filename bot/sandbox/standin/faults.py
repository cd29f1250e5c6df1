"""Failures on demand: a blocked user, an injected error or disconnect, a random error rate (reproducible).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from bot.sandbox.standin.protocol import FAULTY_METHODS


@dataclass
class Fault:
    kind: str  # "error" | "drop" | "timeout"
    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None




class Faults:
    """How the stand-in fails (mixed into BotApiStandIn)."""

    # ---------------------------------------------------------------- failure simulation

    def block(self, user_id: int) -> None:
        """The user blocks the bot: anything sent to their chat gets 403 Forbidden."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        self._blocked.discard(user_id)

    def inject_error(
        self,
        method: str,
        *,
        status: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Fail the next ``times`` calls of ``method`` (before Telegram would act on them).

        429 always carries ``parameters.retry_after`` (default 1) so PTB raises RetryAfter.
        """
        name = self._canonical.get(method.lower(), method)
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            if description == "Internal Server Error":
                description = f"Too Many Requests: retry after {retry_after}"
        fault = Fault("error", status, description, retry_after)
        self._faults.setdefault(name, deque()).extend(fault for _ in range(times))

    def inject_disconnect(self, method: str, *, times: int = 1, after_processing: bool = False) -> None:
        """Close the connection without an answer on the next ``times`` calls of ``method``.

        With ``after_processing`` the call takes effect first (the message *is* sent) and only
        the answer is lost: the case that makes naive retries send duplicates.
        """
        name = self._canonical.get(method.lower(), method)
        fault = Fault("timeout" if after_processing else "drop")
        self._faults.setdefault(name, deque()).extend(fault for _ in range(times))

    def set_error_rate(
        self,
        rate: float,
        *,
        seed: int = 0,
        methods: set[str] | None = None,
        kinds: Iterable[str] = ("429", "500", "timeout", "drop"),
        retry_after: int = 1,
        hang: float = 0.05,
    ) -> None:
        """Fail a random ``rate`` share of calls, reproducibly (``seed``).

        Kinds: ``"429"`` (RetryAfter ``retry_after``), ``"500"``, ``"drop"`` (connection closed
        before acting) and ``"timeout"`` (the call takes effect, then the server hangs ``hang``
        seconds and closes the connection without answering; a real read timeout would make
        tests slow). ``methods=None`` means the conversation methods (:data:`FAULTY_METHODS`:
        sending, editing, deleting, answering, getFile); start-up calls (getMe, deleteWebhook,
        setMyCommands ...) are spared so the bot can boot, and getUpdates too, because PTB
        answers a failed poll by pausing a second or more. Name any of them to include it.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        kinds = tuple(kinds)
        unknown = set(kinds) - {"429", "500", "timeout", "drop"}
        if unknown or not kinds:
            raise ValueError(f"unknown fault kinds {unknown or kinds}")
        self._error_rate = rate
        self._error_rng = random.Random(seed)
        self._error_methods = None if methods is None else frozenset(self._canonical.get(m.lower(), m) for m in methods)
        self._error_kinds = kinds
        self._error_retry_after = retry_after
        self._error_hang = hang

    def _take_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        if queue:
            return queue.popleft()
        if self._error_rate <= 0.0:
            return None
        if method not in (self._error_methods or FAULTY_METHODS):
            return None
        if self._error_rng.random() >= self._error_rate:
            return None
        kind = self._error_rng.choice(self._error_kinds)
        if kind == "429":
            ra = self._error_retry_after
            return Fault("error", 429, f"Too Many Requests: retry after {ra}", ra)
        if kind == "500":
            return Fault("error", 500, "Internal Server Error")
        return Fault(kind)
