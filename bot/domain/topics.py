"""A ticket's forum topic in the staff group: its name follows the ticket, and it is closed with it.

When `bot.duty_chat_id` names a forum supergroup, every ticket gets a topic of its own there, so the
dispatcher sees each one and the engineers can talk about it without the reporter. The name is read in
the topic list at a glance: where the ticket stands, its number, how urgent, what and where
("✅ HD-2026-00042 · 🔴 打印机 · HQ-3F"). Telegram allows 1–128 characters.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.ticket import Status, Ticket

MAX_NAME = 128
STATE_MARKS: dict[Status, str] = {
    Status.NEW: "🆕", Status.ASSIGNED: "🆕", Status.ACCEPTED: "✅", Status.ON_SITE: "📍",
    Status.RESOLVED: "🛠", Status.CLOSED: "🔒", Status.REOPENED: "🔁", Status.CANCELLED: "✖",
}
SEVERITY_MARKS = {"P1": "🔴", "P2": "🟠", "P3": "🟡", "P4": "🔵"}
"""The colours of the severity buttons reporters press."""


@dataclass(frozen=True)
class Topic:
    """A ticket's topic as last asked of Telegram: its name, and whether it was closed."""

    ticket: str
    chat_id: int
    thread_id: int
    name: str
    closed: bool = False


def topic_name(ticket: Ticket, device: str) -> str:
    """The topic's name for the ticket as it stands; `device` is the device type in the group's language."""
    parts = [ticket.number, f"{SEVERITY_MARKS.get(ticket.severity.value, '')} {device}".strip()]
    if ticket.site:
        parts.append(ticket.site)
    name = f"{STATE_MARKS[ticket.status]} " + " · ".join(parts)
    return name if len(name) <= MAX_NAME else name[:MAX_NAME - 1] + "…"


def is_finished(ticket: Ticket) -> bool:
    """A closed or cancelled ticket's topic is closed; a reopened one's is open again."""
    return ticket.status in (Status.CLOSED, Status.CANCELLED)
