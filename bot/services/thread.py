"""The conversation on a ticket: what the reporter adds, what the engineer asks, and the answer.

A ticket is not only worked on, it is talked about: the reporter remembers the error code after the
report went in, the engineer on the way needs to know which floor's printer it is. Each message is an
event on the ticket (so `/status` and the audit log show it) and is passed on to the other side in the
same unit of work; a photo travels by its Telegram file id and joins the ticket's photos, so an
engineer who gets the ticket later sees it on the card too.
"""

from __future__ import annotations

from datetime import datetime

from bot.callbacks import TicketThread
from bot.domain.people import User
from bot.domain.ticket import Happening, Ticket, TicketEvent, happened
from bot.messages import Button, Reply, Text, t
from bot.services.notify import Notifier
from storage.ports import Tickets


class ThreadDesk:
    def __init__(self, tickets: Tickets, notify: Notifier) -> None:
        self.tickets = tickets
        self.notify = notify

    async def add_info(self, ticket: Ticket, reporter: User, now: datetime, *, text: str | None = None,
                       photo: str | None = None) -> int | None:
        """A line or a photo (with its caption) added by the reporter; the assignee gets it at once.
        Returns the engineer told (None: nobody has the ticket yet; it waits on the ticket's page)."""
        ticket, event = happened(ticket, Happening.INFO_ADDED, actor_id=reporter.id, at=now,
                                 **_said(text=text, photo=photo))
        await self.tickets.update(ticket, [event])
        if ticket.assignee_id is not None:
            await self._pass_on(ticket, ticket.assignee_id, t(
                "ticket.info_to_engineer", number=ticket.number, reporter=reporter.name, text=text,
                photo=photo is not None), photo, now)
        return ticket.assignee_id

    async def ask(self, ticket: Ticket, engineer: User, question: str, now: datetime) -> int:
        """The engineer's question goes to the reporter with an Answer button; returns its number on the
        ticket (the button names it, so an answer lands on the question it answers)."""
        n = 1 + sum(1 for e in await self.tickets.events(ticket.number) if e.kind == Happening.QUESTION_ASKED)
        ticket, event = happened(ticket, Happening.QUESTION_ASKED, actor_id=engineer.id, at=now, n=n,
                                 question=question)
        await self.tickets.update(ticket, [event])
        await self.notify.tell_reporter(
            ticket.reporter_id, ticket.number,
            t("ticket.question_to_reporter", number=ticket.number, engineer=engineer.name, question=question),
            now, buttons=((Button(t("ticket.btn.answer"), TicketThread(ticket.number, f"a{n}").pack()),),))
        return n

    async def question(self, number: str, n: int) -> tuple[TicketEvent | None, bool]:
        """Question `n` of the ticket (None if it was never asked), and whether it is answered."""
        events = await self.tickets.events(number)
        asked = next((e for e in events if e.kind == Happening.QUESTION_ASKED and e.data.get("n") == n), None)
        answered = any(e.kind == Happening.QUESTION_ANSWERED and e.data.get("n") == n for e in events)
        return asked, answered

    async def answer(self, ticket: Ticket, reporter: User, asked: TicketEvent, now: datetime, *,
                     text: str | None = None, photo: str | None = None) -> list[int]:
        """The reporter's answer: on the ticket, and to whoever asked (and the assignee, if the ticket
        changed hands since). Returns the engineers told."""
        question = str(asked.data.get("question", ""))
        ticket, event = happened(ticket, Happening.QUESTION_ANSWERED, actor_id=reporter.id, at=now,
                                 n=asked.data.get("n"), question=question, **_said(answer=text, photo=photo))
        await self.tickets.update(ticket, [event])
        told = [who for who in (asked.actor_id, ticket.assignee_id) if who is not None]
        told = list(dict.fromkeys(told))
        for engineer in told:
            await self._pass_on(ticket, engineer, t(
                "ticket.answer_to_engineer", number=ticket.number, reporter=reporter.name, question=question,
                answer=text, photo=photo is not None), photo, now)
        return told

    async def _pass_on(self, ticket: Ticket, chat: int, text: Text, photo: str | None, now: datetime) -> None:
        """A message about the ticket, with the reporter's photo forwarded by its file id."""
        reply = Reply(chat, text, await self.notify.language_of(chat), photos=(photo,) if photo else (),
                      ticket=ticket.number)
        await self.notify.send(reply, now)


def _said(**parts: str | None) -> dict[str, str]:
    """What an event keeps of a message: the parts it has."""
    return {key: value for key, value in parts.items() if value}
