"""How fast one person may talk to the bot before the bot slows down for them (and only them).

A person filling in a report answers every few seconds; a stuck key, a script or an angry user sends
hundreds of messages a minute. Each costs the bot a reply, and Telegram lets a bot send about thirty
messages a second in all, so one flood would make everyone else wait. Each person has a bucket of
`burst` messages that refills at `per_second`: within it, everything is handled at once; beyond it,
their messages are handled one by one at the refill rate (lazily: nothing is dropped that could be a
report's answer), a message repeated word for word is dropped, and they are told once per `warn_every`
seconds why the bot is slower. Times are in seconds of a monotonic clock: this is a rate, not a
deadline, and it must follow real time even where a test moves the business clock.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FloodPolicy:
    burst: int = 20
    """Messages one person may send at once, unthrottled: a quick reporter sends a handful."""
    per_second: float = 1.0
    """Beyond the burst, messages are handled at this pace: faster than anyone reads the replies."""
    warn_every: float = 60.0
    """Seconds between two "slow down" notices to the same person."""
    backlog: int = 100
    """Updates of one chat that may wait at most; later ones are dropped until it drains (no person
    filling in a report has a hundred answers unread)."""


@dataclass(frozen=True)
class Admission:
    delay: float = 0.0
    """Seconds to wait before handling the message (0: now)."""
    drop: bool = False
    """A word-for-word repetition beyond the burst: not handled at all."""
    warn: bool = False
    """Tell the sender, this once, that they are being slowed down."""


@dataclass
class Bucket:
    tokens: float
    at: float
    warned_at: float | None = None
    last: str | None = None
    """What the last message handled said (a fingerprint), to recognise pure repetition."""


class InputThrottle:
    """One bucket per sender; buckets that have refilled are forgotten, so memory follows the floods."""

    def __init__(self, policy: FloodPolicy | None = None) -> None:
        self.policy = policy or FloodPolicy()
        self._buckets: dict[int, Bucket] = {}

    def admit(self, sender: int, fingerprint: str | None, now: float) -> Admission:
        """Decide about one message of `sender`, taken in their order; `fingerprint` None: never a repeat."""
        policy = self.policy
        bucket = self._buckets.get(sender)
        if bucket is None:
            bucket = self._buckets[sender] = Bucket(tokens=float(policy.burst), at=now)
        bucket.tokens = min(float(policy.burst), bucket.tokens + (now - bucket.at) * policy.per_second)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.last = fingerprint
            return Admission()
        warn = bucket.warned_at is None or now - bucket.warned_at >= policy.warn_every
        if warn:
            bucket.warned_at = now
        if fingerprint is not None and fingerprint == bucket.last:
            return Admission(drop=True, warn=warn)
        delay = (1 - bucket.tokens) / policy.per_second
        bucket.tokens -= 1  # the token that will have accrued by then is this message's
        bucket.last = fingerprint
        return Admission(delay=delay, warn=warn)

    def forget_calm(self, now: float) -> None:
        """Drop the buckets of senders who have been quiet long enough to be full again."""
        policy = self.policy
        full = [s for s, b in self._buckets.items()
                if b.tokens + (now - b.at) * policy.per_second >= policy.burst
                and (b.warned_at is None or now - b.warned_at >= policy.warn_every)]
        for sender in full:
            del self._buckets[sender]
