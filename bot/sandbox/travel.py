"""Time travel in the sandbox: `:wait 72h`, `:at 2026-12-24 09:00`.

The follow-up comes 72 hours after a repair, an escalation 10 or 20 minutes after a page, the morning's
inspections at the roster's hour: a newcomer cannot wait for them. The sandbox's bot runs on a
:class:`TravelClock`, real time plus an offset that only grows, so the bot's clock keeps running between
commands (a tick fires what falls due on its own) and a command moves it ahead at once. The offset is
kept in a small text file beside the database (``sandbox.db.clock``), so a restarted sandbox does not go
back before the time it had reached: its tickets, timers and rosters were written at that time.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from bot.domain.clock import Clock, SystemClock

_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_PART = re.compile(r"(\d+)\s*([mhd])")
_DURATION = re.compile(r"(?:\d+\s*[mhd]\s*)+")
_AT_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


class TravelClock:
    """Real time plus an offset that only moves forward (what :class:`~bot.domain.clock.Clock` asks)."""

    def __init__(self, base: Clock | None = None, offset: timedelta = timedelta(0)) -> None:
        self.base = base or SystemClock()
        self.offset = offset

    def now(self) -> datetime:
        return self.base.now() + self.offset

    def advance(self, delta: timedelta) -> datetime:
        if delta <= timedelta(0):
            raise ValueError("time only goes forward")
        self.offset += delta
        return self.now()


def parse_duration(text: str) -> timedelta:
    """`72h`, `25m`, `2d`, `1d 12h`: a positive duration; ValueError with the reason otherwise."""
    cleaned = text.strip().lower()
    if not cleaned or not _DURATION.fullmatch(cleaned):
        raise ValueError(f"{text.strip() or '(nothing)'!r} is not a duration; write e.g. 72h, 25m, 2d or 1d 12h")
    delta = sum((int(n) * _UNITS[unit] for n, unit in _PART.findall(cleaned)), timedelta(0))
    if delta < timedelta(minutes=1):
        raise ValueError("waiting no time at all changes nothing; write e.g. 25m")
    return delta


def parse_local(text: str, tz: tzinfo) -> datetime:
    """`2026-12-24 09:00` (or a bare date, meaning 00:00) in the deployment's time zone."""
    for form in _AT_FORMATS:
        try:
            return datetime.strptime(text.strip(), form).replace(tzinfo=tz)
        except ValueError:
            continue
    raise ValueError(f"{text.strip() or '(nothing)'!r} is not a time; write it as 2026-12-24 09:00 (local time)")


def shown(instant: datetime, tz: tzinfo) -> str:
    """`Thu 2026-12-24 09:00 (Asia/Shanghai)`: how the sandbox prints the bot's time."""
    return f"{instant.astimezone(tz):%a %Y-%m-%d %H:%M} ({tz})"


class ClockFile:
    """The offset kept beside the database: whole seconds on the first line, a note for a reader after."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> timedelta:
        """The offset a previous run reached; none (zero) if there was no run or the file is unreadable."""
        try:
            first = self.path.read_text(encoding="utf-8").splitlines()[0]
            return max(timedelta(seconds=int(first.strip())), timedelta(0))
        except (OSError, IndexError, ValueError):
            return timedelta(0)

    def save(self, offset: timedelta) -> None:
        """Written after every move, so even a sandbox ended by Ctrl-C resumes at the time it reached."""
        self.path.write_text(f"{int(offset.total_seconds())}\nseconds the sandbox's clock is ahead of real time "
                             "(:wait / :at); delete this file to go back to real time\n", encoding="utf-8")
