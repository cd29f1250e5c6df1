"""Durable timers: what must happen at a later instant (an escalation step, an SLA warning, a reminder).

They are rows in the database, not in-memory jobs, so a restart loses none and a crash repeats none:
the scheduler claims a due timer in the same transaction as the action it triggers. What each kind
does is one table, `bot.services.timers.HANDLERS`; the kinds themselves are named here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class TimerKind(StrEnum):
    ESCALATE = "escalate"
    """The next step of the escalation chain when nobody accepted."""
    CHECKPOINT = "checkpoint"
    """An SLA warning before a deadline, or the breach at it."""
    SPARE_DUE = "spare_due"
    """The day before a lent spare machine's faulty unit is due back."""
    CALENDAR_CHECK = "calendar_check"
    """Daily: does the holiday calendar know the coming year?"""
    CONFIRM_TIMEOUT = "confirm_timeout"
    """The reporter did not say whether the repair worked: schedule the follow-up anyway."""
    FOLLOWUP_SEND = "followup_send"
    FOLLOWUP_REMIND = "followup_remind"
    FOLLOWUP_EXPIRE = "followup_expire"
    INSPECTION_DAY = "inspection_day"
    """Daily at the inspections' start time: the day's visit lists are planned, stored and pushed."""
    INSPECTION_MOVED = "inspection_moved"
    """The morning a visit list was moved to: it goes to its engineer again."""
    INSPECTION_LATE = "inspection_late"
    """A visit list still not finished this long after it was pushed: the managers are told."""
    REPORT = "report"
    """A manager's /report or /export, drawn in the report worker."""
    MONTHLY_REPORT = "monthly_report"
    """The monthly push to the managers, drawn in the report worker."""


REPORT_KINDS = frozenset({TimerKind.REPORT, TimerKind.MONTHLY_REPORT})
"""Timers whose firing draws a report off the event loop, outside the transaction that claims them."""


@dataclass(frozen=True)
class Timer:
    kind: TimerKind
    due_at: datetime
    ticket: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    """Unique per purpose: scheduling the same key twice keeps one timer."""
    id: int | None = None
