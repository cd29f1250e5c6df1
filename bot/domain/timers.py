"""Durable timers: what must happen at a later instant (an escalation step, an SLA warning, a reminder).

They are rows in the database, not in-memory jobs, so a restart loses none and a crash repeats none:
the scheduler claims a due timer in the same transaction as the action it triggers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Timer:
    kind: str
    """escalate | checkpoint | spare_due | calendar_check | …"""
    due_at: datetime
    ticket: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    """Unique per purpose: scheduling the same key twice keeps one timer."""
    id: int | None = None
