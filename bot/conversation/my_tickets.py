"""A reporter's own tickets: `/my`, `/status HD-…` and `/cancel` (a report being filled in, or a ticket).

A ticket is shown only to its reporter, the engineers and the managers; to anybody else it does not
exist ("not found", never "not yours"). `/status` shows the ticket's page (`ticket_page`), and each
line of `/my` has a button that opens it. Cancelling asks for a reason, which the engineer and the
audit log keep.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.callbacks import CancelTicket, TicketThread
from bot.conversation import ticket_page
from bot.conversation.session import Session
from bot.domain import intake
from bot.domain.permissions import Act
from bot.domain.sla import SlaClock
from bot.domain.ticket import IllegalTransition, Ticket, parse_number
from bot.messages import Button, Text, rows, t, verbatim

MY_TICKETS_SHOWN = 10
MAX_REASON = intake.MAX_PLACE * 5
STOPPED = {"kb_add": "kb.discarded", "add_info": "ticket.stopped", "answer_question": "ticket.stopped",
           "ask_reporter": "ticket.stopped"}
"""What `/cancel` says when it drops an awaited answer, by its kind (else: nothing was cancelled)."""


async def cmd_my(s: Session, args: str) -> None:
    tickets = await s.uow.tickets.of_reporter(s.user.id, MY_TICKETS_SHOWN)
    if not tickets:
        await s.say(t("my_none"))
        return
    clocks = s.deployment.sla_clocks
    await s.say(t("my_list", lines=[ticket_line(ticket, s.now, clocks) for ticket in tickets]), buttons=rows(
        [Button(t("ticket.btn.open", number=tk.number), TicketThread(tk.number, "page").pack()) for tk in tickets], 2))


async def cmd_status(s: Session, args: str) -> None:
    number = parse_number(args) if args else None
    if number is None:
        await s.say(t("status_usage"))
        return
    ticket = await s.uow.tickets.get(number)
    if ticket is None or s.refused(Act.SEE_TICKET, ticket) is not None:
        await s.say(t("ticket_not_found", number=number))
        return
    await ticket_page.show(s, ticket)


async def cmd_cancel(s: Session, args: str) -> None:
    """`/cancel` drops the report being filled in (or a pending answer); `/cancel HD-… reason` cancels a
    ticket; a bare `/cancel` with open tickets offers them."""
    if s.awaiting and not args:  # the innermost thing first: the answer asked for, then the report
        kind = s.awaiting.get("kind")
        s.await_answer(None)
        await s.say(t(STOPPED.get(str(kind), "cancel_aborted")))
        return
    draft = await s.uow.drafts.get(s.user.id)
    number = parse_number(args.split(maxsplit=1)[0]) if args else None
    if number is None and draft is not None:
        await s.uow.drafts.delete(s.user.id)
        await s.say(t("draft_cancelled"), remove_keyboard=True)
        return
    if number is None:
        if args:
            await s.say(t("cancel_usage"))
            return
        await _offer_cancellable(s)
        return
    reason = args.split(maxsplit=1)[1].strip() if len(args.split(maxsplit=1)) > 1 else ""
    ticket = await own_open_ticket(s, number)
    if ticket is None:
        return
    if reason:
        await _cancel(s, ticket, reason)
    else:
        s.await_answer({"kind": "cancel_reason", "ticket": number})
        await s.say(t("cancel_ask_reason", number=number))


async def on_cancel_button(s: Session, button: CancelTicket) -> None:
    number = parse_number(button.number)
    if number is None:
        s.refuse(t("button_invalid"))
        return
    ticket = await own_open_ticket(s, number, quiet=True)
    if ticket is None:
        s.refuse(t("button_stale"))
        return
    s.await_answer({"kind": "cancel_reason", "ticket": ticket.number})
    s.chose(verbatim(ticket.number))
    await s.say(t("cancel_ask_reason", number=ticket.number))


async def answer_cancel_reason(s: Session, text: str) -> None:
    """The reason typed after `/cancel HD-…`."""
    awaiting = s.awaiting
    reason = text.strip()
    if not reason or len(reason) > MAX_REASON:
        await s.say(t("cancel_reason_bad", limit=MAX_REASON))
        return
    s.await_answer(None)
    ticket = await own_open_ticket(s, awaiting["ticket"])
    if ticket is not None:
        await _cancel(s, ticket, reason)


async def own_open_ticket(s: Session, number: str, quiet: bool = False) -> Ticket | None:
    ticket = await s.uow.tickets.get(number)
    if ticket is None or s.refused(Act.CANCEL, ticket):
        if not quiet:
            await s.say(t("ticket_not_found", number=number))
        return None
    if not ticket.is_open:
        if not quiet:
            await s.say(t("cancel_not_open", number=number, status=t(f"status.{ticket.status.value}")))
        return None
    return ticket


async def _offer_cancellable(s: Session) -> None:
    open_tickets = [tk for tk in await s.uow.tickets.of_reporter(s.user.id, 50) if tk.is_open]
    if not open_tickets:
        await s.say(t("cancel_nothing"))
        return
    await s.say(t("cancel_pick"), buttons=tuple(
        (Button(verbatim(f"{tk.number} · {_short(tk.description)}"), CancelTicket(tk.number).pack()),)
        for tk in open_tickets[:10]
    ))


async def _cancel(s: Session, ticket: Ticket, reason: str) -> None:
    try:
        await s.services.tickets.cancel(ticket, reason, s.user.id, s.now)
    except IllegalTransition as exc:
        await s.say(t("cancel_not_open", number=ticket.number, status=t(f"status.{exc.status.value}")))
        return
    await s.say(t("ticket_cancelled", number=ticket.number))


def ticket_line(ticket: Ticket, now: datetime, clocks: Mapping[str, SlaClock]) -> Text:
    """One line of `/my`: what, how it stands, and (while open) the resolve-by as the pauses moved it."""
    return t(
        "my_line", number=ticket.number, device=t(f"device.{ticket.device_type or 'other'}"),
        status=t(f"status.{ticket.status.value}"), severity=ticket.severity.value,
        due=ticket.deadline("resolve", now, clocks=clocks) or ticket.deadline("respond", now, clocks=clocks),
        open=ticket.is_open,
    )


def _short(text: str, limit: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
