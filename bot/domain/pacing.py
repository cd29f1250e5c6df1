"""Who may talk to Telegram next: people before bulk, chats in turn, each chat at Telegram's pace.

Telegram allows a bot about 30 messages a second overall, about one a second in one private chat (short
bursts pass) and 20 a minute in one group. Within those limits this module decides the order: a
request in the PERSON lane (a reply someone is waiting for, a page, an escalation) goes before any
BULK one (follow-ups, reminders, SLA warnings, roster notices), which use the rate left over; inside a
lane the chats with waiting requests take turns, one request each, so a chat with 300 queued replies
cannot push the others behind it. A 429 (RetryAfter) holds only the chat it came from, unless several
chats get one at once, which means the whole bot is being held back.

Pure: no asyncio and no Telegram. Time is a float of seconds from a monotonic clock, passed in by the
caller (bot/telegram/limiter.py in production, a number in the tests). The adapter adds a request
(`add`), asks which may go now (`release`) and when to ask again (`wake_at`).
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass
from enum import IntEnum

Chat = int | str
"""A chat id as the Bot API takes it: a number, or a channel's or supergroup's "@name"."""

TOLERANCE = 1e-9
"""Slack in comparing token counts, so a bucket due to refill at t is full at t despite rounding."""


class Lane(IntEnum):
    PERSON = 0
    """Someone is waiting for this (a reply, the next question), or it must not wait (a page, an escalation)."""
    BULK = 1
    """Nobody is waiting this second: follow-ups, reminders, SLA warnings, roster notices."""


@dataclass(frozen=True)
class Limits:
    overall_rate: float = 30.0
    """Messages per second to all chats together (Telegram: about 30)."""
    group_rate: float = 20.0
    """Messages per minute in one group (Telegram: 20)."""
    private_rate: float = 1.0
    """Messages per second in one private chat, sustained (Telegram: about one)."""
    overall_burst: int = 3
    """How many may go at once after a quiet moment. Small: a bucket of a whole second's worth (PTB's
    AIORateLimiter) lets 60 through in the second after a lull, twice the limit; with 3, any second
    holds at most 33."""
    private_burst: int = 3
    """How many may go at once in a private chat before its pace applies: Telegram lets short bursts
    pass, and one step of a conversation is often two calls (mark the answer, ask the next question)."""
    group_burst: int = 20
    """The same for a group: a minute's worth at once, as PTB's AIORateLimiter allows."""
    global_hold_chats: int = 3
    """This many chats answered 429 within `global_hold_window` seconds: the hold is on the whole bot."""
    global_hold_window: float = 1.0


def is_group(chat: Chat) -> bool:
    """Groups, supergroups and channels have negative ids (or an @name); private chats positive ones."""
    return isinstance(chat, str) or chat < 0


class Bucket:
    """A token bucket: `capacity` at once, refilled at `rate` a second."""

    __slots__ = ("at", "capacity", "rate", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self.tokens = self.capacity
        self.at = now

    def _fill(self, now: float) -> None:
        if now > self.at:
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
            self.at = now

    def ready_at(self, now: float) -> float:
        """The instant one token is there (now, if it is)."""
        self._fill(now)
        missing = 1.0 - self.tokens
        return now if missing <= TOLERANCE else now + missing / self.rate

    def take(self, now: float) -> None:
        self._fill(now)
        self.tokens -= 1.0

    def full(self, now: float) -> bool:
        self._fill(now)
        return self.tokens >= self.capacity - TOLERANCE


class _ChatState:
    __slots__ = ("bucket", "held_until", "waiting")

    def __init__(self, bucket: Bucket) -> None:
        self.bucket = bucket
        self.held_until = -math.inf
        self.waiting: dict[Lane, deque[int]] = {lane: deque() for lane in Lane}

    def ready_at(self, now: float) -> float:
        return max(self.held_until, self.bucket.ready_at(now))

    def idle(self) -> bool:
        return not any(self.waiting.values())


class SendPlan:
    """The queue of requests waiting for their turn, and the decision which goes next."""

    SWEEP_ABOVE = 1024
    """Idle chats (nothing waiting, bucket full) are forgotten once more than this many are known."""
    SWEEP_EVERY = 10.0
    """…and at most this often (seconds), so a busy minute does not pay for it at every release."""

    def __init__(self, limits: Limits, now: float) -> None:
        self.limits = limits
        self._overall = Bucket(limits.overall_rate, limits.overall_burst, now)
        self._chats: dict[Chat, _ChatState] = {}
        self._turns: dict[Lane, OrderedDict[Chat, None]] = {lane: OrderedDict() for lane in Lane}
        """Per lane, the chats with requests waiting in it, in the order of their next turn."""
        self._where: dict[int, tuple[Chat, Lane]] = {}
        self._held_until = -math.inf
        self._recent_holds: deque[tuple[float, Chat]] = deque()
        self._tickets = 0
        self._swept_at = now

    # ---- what the adapter tells it -------------------------------------------------------------------
    def add(self, chat: Chat, lane: Lane, now: float, *, first: bool = False) -> int:
        """A request for `chat` waits in `lane`; the ticket names it. `first`: before the chat's others
        (a request tried again after a 429 keeps its place)."""
        self._tickets += 1
        ticket = self._tickets
        state = self._state(chat, now)
        if first:
            state.waiting[lane].appendleft(ticket)
        else:
            state.waiting[lane].append(ticket)
        self._turns[lane].setdefault(chat, None)
        self._where[ticket] = (chat, lane)
        return ticket

    def cancel(self, ticket: int) -> None:
        """The request is no longer wanted (its sender gave up)."""
        where = self._where.pop(ticket, None)
        if where is None:
            return
        chat, lane = where
        queue = self._chats[chat].waiting[lane]
        queue.remove(ticket)
        if not queue:
            self._turns[lane].pop(chat, None)

    def hurry(self, chat: Chat) -> None:
        """Someone in `chat` is waiting now: its bulk requests move into the PERSON lane, ahead of its
        person ones (they were there first, and the chat's messages go out in order)."""
        state = self._chats.get(chat)
        if state is None or not state.waiting[Lane.BULK]:
            return
        moved = state.waiting[Lane.BULK]
        state.waiting[Lane.BULK] = deque()
        self._turns[Lane.BULK].pop(chat, None)
        for ticket in moved:
            self._where[ticket] = (chat, Lane.PERSON)
        state.waiting[Lane.PERSON].extendleft(reversed(moved))
        self._turns[Lane.PERSON].setdefault(chat, None)

    def retry_after(self, chat: Chat | None, seconds: float, now: float) -> bool:
        """Telegram said "retry after `seconds`" to a request for `chat` (None: a request to no chat).
        Holds that chat, or everything when the hold is not the chat's own; True if it is global."""
        until = now + max(0.0, seconds)
        everything = chat is None
        if chat is not None:
            state = self._state(chat, now)
            state.held_until = max(state.held_until, until)
            self._recent_holds.append((now, chat))
            while self._recent_holds and self._recent_holds[0][0] < now - self.limits.global_hold_window:
                self._recent_holds.popleft()
            everything = len({c for _, c in self._recent_holds}) >= self.limits.global_hold_chats
        if everything:
            self._held_until = max(self._held_until, until)
        return everything

    # ---- what it answers ---------------------------------------------------------------------------
    def release(self, now: float) -> list[int]:
        """The requests that may go now, in the order they should; each is counted against the limits."""
        released: list[int] = []
        while self._held_until <= now and self._overall.ready_at(now) <= now:
            ticket = self._pick(now)
            if ticket is None:
                break
            self._overall.take(now)
            released.append(ticket)
        if len(self._chats) > self.SWEEP_ABOVE and now - self._swept_at >= self.SWEEP_EVERY:
            self._sweep(now)
        return released

    def wake_at(self, now: float) -> float | None:
        """When a waiting request can next go (None: nothing waits)."""
        soonest = math.inf
        for lane in Lane:
            for chat in self._turns[lane]:
                soonest = min(soonest, self._chats[chat].ready_at(now))
                if soonest <= now:
                    break
        if soonest == math.inf:
            return None
        return max(soonest, self._held_until, self._overall.ready_at(now))

    def free_at(self) -> float:
        """Until when everything is held (a global 429); -inf when nothing is."""
        return self._held_until

    def waiting(self, lane: Lane | None = None) -> int:
        """How many requests wait (in one lane, or in all)."""
        lanes = list(Lane) if lane is None else [lane]
        return sum(len(self._chats[chat].waiting[one]) for one in lanes for chat in self._turns[one])

    # ---- inside -------------------------------------------------------------------------------------
    def _state(self, chat: Chat, now: float) -> _ChatState:
        state = self._chats.get(chat)
        if state is None:
            limits = self.limits
            bucket = (Bucket(limits.group_rate / 60.0, limits.group_burst, now) if is_group(chat)
                      else Bucket(limits.private_rate, limits.private_burst, now))
            state = self._chats[chat] = _ChatState(bucket)
        return state

    def _pick(self, now: float) -> int | None:
        """The first chat in turn whose pace allows a message now, PERSON lane first; it goes to the end."""
        for lane in Lane:
            turns = self._turns[lane]
            for chat in turns:
                state = self._chats[chat]
                if state.ready_at(now) > now:
                    continue
                queue = state.waiting[lane]
                ticket = queue.popleft()
                state.bucket.take(now)
                del turns[chat]
                if queue:
                    turns[chat] = None  # its next request waits for everyone else's turn
                del self._where[ticket]
                return ticket
        return None

    def _sweep(self, now: float) -> None:
        self._swept_at = now
        for chat in [c for c, s in self._chats.items() if s.idle() and s.held_until <= now and s.bucket.full(now)]:
            del self._chats[chat]
