"""The engineer's side in chat: the ticket card's buttons, the resolution note, `/queue`.

Every press is checked against the stored ticket and the pressing user (never trusted from the
button): the permission table says who may, the domain's state machine says what the ticket allows
now. An old card's button on a ticket that has moved on gets "no longer possible" and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from bot.callbacks import SaveAsArticle, TicketAction
from bot.conversation.session import Session
from bot.domain.dispatch import WAITING
from bot.domain.permissions import Act
from bot.domain.ticket import IllegalTransition, Status, Ticket, parse_number
from bot.messages import Button, Reply, rows, t, verbatim
from bot.services.cards import buttons_for, work_buttons
from bot.services.tickets import WORK_STEPS

MAX_NOTE = 1000
ACTS = {"accept": Act.ACCEPT, "decline": Act.ACCEPT, "resolve": Act.RESOLVE, "noparts": Act.RESOLVE,
        "handover": Act.HAND_OVER, "tier2": Act.HAND_OVER, "card": Act.SEE_TICKET}
"""A card button's action → what the permission table calls it (everything else is the assignee's WORK)."""
_WORKING = frozenset({Status.ACCEPTED, Status.ON_SITE})
"""States in which work is recorded on a ticket: accepted or on site."""


async def on_card_button(s: Session, button: TicketAction) -> None:
    number = parse_number(button.number)
    ticket = await s.uow.tickets.get(number) if number else None
    if ticket is None:
        s.refuse(t("button_invalid"))
        return
    action = button.action
    act = ACTS.get(action, Act.HAND_OVER if button.hand_over_to is not None else Act.WORK)
    reason = s.refused(act, ticket)
    if reason is not None:
        s.refuse(t(reason, number=ticket.number, assignee=s.deployment.engineer_name(ticket.assignee_id)))
        return
    try:
        if action in ("accept", "decline"):
            await _accept_or_decline(s, ticket, action)
        elif ticket.status in WAITING and act not in (Act.HAND_OVER, Act.SEE_TICKET):
            s.refuse(t("duty.accept_first"))
        else:
            await _work(s, ticket, button)
    except IllegalTransition as illegal:  # an old card's button: the ticket has moved on
        s.refuse(t("duty.cannot", status=t(f"status.{illegal.status.value}")))


async def _accept_or_decline(s: Session, ticket: Ticket, action: str) -> None:
    if ticket.status not in WAITING:
        s.refuse(t("duty.already_taken", number=ticket.number, engineer=s.deployment.engineer_name(ticket.assignee_id),
                   status=t(f"status.{ticket.status.value}")))
        return
    if action == "accept":
        ticket = await s.services.tickets.accept(ticket, s.user, s.now)
        s.chose(None)
        await _replace_card(s, ticket)
        s.outcome.answer = t("duty.accepted_toast", number=ticket.number)
        return
    await s.services.dispatch.decline(ticket, s.user.id, s.now)
    s.chose(t("btn.decline"))
    s.outcome.answer = t("duty.declined_toast")


async def _work(s: Session, ticket: Ticket, button: TicketAction) -> None:
    action = button.action
    if action == "card":
        card = await s.services.cards.card(ticket, s.user.language, private=True, now=s.now)
        await s.say(card, buttons=buttons_for(ticket))
        return
    if action in (*WORK_STEPS, "tier2") and action != "arrive" and ticket.status not in _WORKING:
        s.refuse(t("duty.cannot", status=t(f"status.{ticket.status.value}")))
        return
    if action in WORK_STEPS:
        ticket = await s.services.tickets.record_step(ticket, action, s.user, s.now)
        await _replace_card(s, ticket)
    elif action == "handover":
        others = [e for e in s.deployment.base_roster.engineers.values() if e.id != ticket.assignee_id]
        await s.say(t("duty.handover_to", number=ticket.number), buttons=rows(
            [Button(verbatim(e.name), TicketAction(ticket.number, f"to{e.id}").pack()) for e in others], 2))
    elif button.hand_over_to is not None:
        await _hand_over(s, ticket, button.hand_over_to)
    elif action == "tier2":
        count = await s.services.dispatch.to_tier2(ticket, s.user.id, s.user.name, s.now)
        if count:
            s.outcome.answer = t("duty.tier2_sent", count=count)
        else:
            s.refuse(t("duty.no_tier2"))
    elif action == "resolve":
        if ticket.status not in _WORKING:
            s.refuse(t("duty.cannot", status=t(f"status.{ticket.status.value}")))
            return
        s.await_answer({"kind": "resolve", "ticket": ticket.number, "stage": "note"})
        await s.say(t("duty.ask_resolution", number=ticket.number))
    elif action == "noparts":
        await resolution_answer(s, None)
    else:
        s.refuse(t("button_invalid"))


async def _hand_over(s: Session, ticket: Ticket, engineer_id: int) -> None:
    if engineer_id not in s.deployment.base_roster.engineers or engineer_id == ticket.assignee_id:
        s.refuse(t("button_invalid"))
        return
    if ticket.status not in (Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE, Status.NEW, Status.REOPENED):
        s.refuse(t("duty.cannot", status=t(f"status.{ticket.status.value}")))
        return
    ticket = await s.services.tickets.hand_over(ticket, engineer_id, s.user, s.now)
    name = s.deployment.engineer_name(engineer_id)
    s.chose(verbatim(name))
    await s.say(t("duty.handed_over", number=ticket.number, engineer=name))


async def _replace_card(s: Session, ticket: Ticket) -> None:
    """The pressed card becomes the ticket as it is now, with the buttons its state allows."""
    card = await s.services.cards.card(ticket, s.user.language, private=True, now=s.now)
    s.outcome.replace_pressed = Reply(s.msg.chat_id, card, s.user.language, buttons=work_buttons(ticket))


# ---- resolving: a note, the parts, then the reporter confirms ----------------------------------------
async def answer_resolution(s: Session, text: str) -> None:
    """The typed answers after "✅ Resolve": first what was done, then the parts replaced."""
    awaiting = s.awaiting
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_NOTE:
        await s.say(t("duty.bad_note", limit=MAX_NOTE))
        return
    if awaiting.get("stage") == "note":
        s.await_answer({**awaiting, "stage": "parts", "note": cleaned})
        await s.say(t("duty.ask_parts"), buttons=((
            Button(t("btn.no_parts"), TicketAction(awaiting["ticket"], "noparts").pack()),),))
        return
    await resolution_answer(s, cleaned)


async def resolution_answer(s: Session, parts: str | None) -> None:
    awaiting = s.awaiting
    if awaiting.get("kind") != "resolve" or awaiting.get("stage") != "parts":
        s.refuse(t("button_stale"))
        return
    s.await_answer(None)
    ticket = await s.uow.tickets.get(awaiting["ticket"])
    if ticket is None:
        return
    reason = s.refused(Act.RESOLVE, ticket)  # handed over meanwhile: no longer theirs to resolve
    if reason is not None:
        await s.say(t(reason, number=ticket.number, assignee=s.deployment.engineer_name(ticket.assignee_id)))
        return
    try:
        ticket = await s.services.tickets.resolve(ticket, awaiting["note"], parts, s.user, s.now)
    except IllegalTransition:
        return
    s.chose(t("btn.no_parts") if parts is None else None)
    await s.say(t("duty.resolved", number=ticket.number),
                buttons=((Button(t("btn.save_as_article"), SaveAsArticle(ticket.number).pack()),),))


# ---- /queue -----------------------------------------------------------------------------------------
async def cmd_queue(s: Session, args: str) -> None:
    if s.refused(Act.SEE_QUEUE) is not None:
        await s.say(t("duty.only_engineers"))
        return
    tickets = await s.uow.tickets.open_of(s.user.id)
    if not tickets:
        await s.say(t("duty.queue_empty"))
        return

    def due(ticket: Ticket) -> datetime | None:
        for milestone in ("respond", "onsite", "resolve"):
            deadline = ticket.deadline(milestone, s.now)
            if deadline and ticket.reached(milestone) is None:
                return deadline
        return None

    tickets.sort(key=lambda tk: (due(tk) is None, due(tk) or s.now))
    lines = [t("duty.queue_line", number=tk.number, severity=tk.severity.value, status=t(f"status.{tk.status.value}"),
               place=tk.location or "—", due=due(tk)) for tk in tickets]
    await s.say(t("duty.queue", lines=lines), buttons=tuple(
        (Button(verbatim(f"🎫 {tk.number}"), TicketAction(tk.number, "card").pack()),) for tk in tickets[:10]))
