"""Cancelling a ticket, whoever does it: the one set of effects the reporter's and the console's share.

A cancelled ticket must stop everything that was moving for it — the escalation chain, the SLA
checkpoints — and reach everyone who was working on it (the assignee, the engineers still offered it,
the duty group), and every message about it must lose the buttons that could only be refused now.
The reporter's `/cancel` and the dispatcher's console differ only in what each person is told.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.ticket import Action, Happening, Ticket, TicketEvent, transition
from bot.domain.timers import TimerKind
from bot.messages import Text
from bot.services.notify import Notifier
from storage.ports import Tickets, Timers


def working_on(ticket: Ticket, events: Sequence[TicketEvent]) -> list[int]:
    """The assignee and the engineers offered the ticket since it was last dispatched."""
    last = max((i for i, e in enumerate(events) if e.kind in ("assign", "reopen")), default=-1)
    offered = [e.data.get("engineer") for e in events[last + 1:] if e.kind == Happening.PINGED.value]
    return [p for p in dict.fromkeys([ticket.assignee_id, *offered]) if isinstance(p, int)]


async def cancel(ticket: Ticket, reason: str, by: int, now: datetime, *, tickets: Tickets, timers: Timers,
                 notify: Notifier, duty_chat: int, engineers_told: Text) -> Ticket:
    """Cancel (IllegalTransition when it is no longer open), stop its clocks, tell those working on it
    and the duty group `engineers_told`, and retire every card's buttons; returns the cancelled ticket."""
    people = working_on(ticket, await tickets.events(ticket.number))
    cancelled, event = transition(ticket, Action.CANCEL, actor_id=by, at=now, reason=reason)
    await tickets.update(cancelled, [event])
    await timers.cancel(ticket.number, [TimerKind.ESCALATE, TimerKind.CHECKPOINT], now)
    for chat in (*people, *([duty_chat] if duty_chat else [])):
        if chat != by:
            await notify.tell(chat, engineers_told, now)
    await notify.retire_cards(ticket.number, now)
    return cancelled
