"""The engineer's side in chat: the ticket card's buttons, the resolution note, `/queue`.

Every press is checked against the stored ticket and the pressing user (never trusted from the
button): the permission table says who may, the domain's state machine says what the ticket allows
now. An old card's button on a ticket that has moved on gets "no longer possible" and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from bot.callbacks import SaveAsArticle, TicketAction
from bot.conversation import console
from bot.conversation.kb import fixed_with_buttons
from bot.conversation.session import Session
from bot.domain.dispatch import WAITING
from bot.domain.milestones import next_due
from bot.domain.permissions import Act
from bot.domain.ticket import Happening, IllegalTransition, Status, Ticket
from bot.messages import Button, Reply, rows, t, verbatim
from bot.services.cards import buttons_for, work_buttons
from bot.services.tickets import WORK_STEPS
from bot.texts import render

MAX_NOTE = 1000
DECLINE_REASONS = {"declbusy": "duty.decline.busy", "decloff": "duty.decline.off", "declskill": "duty.decline.skill"}
"""The quick reasons offered for "can't take" (a typed one is taken too)."""
ACTS = {"accept": Act.ACCEPT, "decline": Act.ACCEPT, "resolve": Act.RESOLVE, "noparts": Act.RESOLVE,
        "handover": Act.HAND_OVER, "tier2": Act.HAND_OVER, "card": Act.SEE_TICKET,
        **dict.fromkeys(DECLINE_REASONS, Act.ACCEPT)}
"""A card button's action → what the permission table calls it (everything else is the assignee's WORK)."""
_WORKING = frozenset({Status.ACCEPTED, Status.ON_SITE})
"""States in which work is recorded on a ticket: accepted or on site."""


async def on_card_button(s: Session, button: TicketAction) -> None:
    ticket = await s.ticket_named(button.number)
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
        if action in ("accept", "decline", *DECLINE_REASONS):
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
        if s.awaiting.get("kind") == "decline_reason":
            s.await_answer(None)  # changed their mind: took it after all
        ticket = await s.services.tickets.accept(ticket, s.user, s.now)
        s.chose(None)
        await _replace_card(s, ticket)
        s.outcome.answer = t("duty.accepted_toast", number=ticket.number)
        return
    if not await s.services.dispatch.may_decline(ticket, s.user.id):
        s.refuse(t("duty.not_offered", number=ticket.number))
        return
    if action == "decline":  # first the reason: the next one offered the ticket, and the managers, read it
        s.await_answer({"kind": "decline_reason", "ticket": ticket.number})
        await s.say(t("duty.ask_decline_reason", number=ticket.number), buttons=tuple(
            (Button(t(key), TicketAction(ticket.number, quick).pack()),) for quick, key in DECLINE_REASONS.items()))
        s.outcome.answer = t("duty.decline_asked")
        return
    s.chose(t(DECLINE_REASONS[action]))
    await _decline(s, ticket, render(t(DECLINE_REASONS[action]), s.user.language, s.deployment.tz))


async def _decline(s: Session, ticket: Ticket, reason: str) -> None:
    """The reason is kept as the engineer gave it (the log, the next engineer and the managers read it)."""
    s.await_answer(None)
    moved = await s.services.dispatch.decline(ticket, s.user.id, reason, s.now)
    if ticket.assignee_id != s.user.id:  # a backup saying no: the ticket stays with whoever has it
        s.outcome.answer = t("duty.declined_toast")
        return
    if moved.assignee_id not in (None, s.user.id):
        await s.say(t("duty.declined_moved", number=ticket.number,
                      engineer=s.deployment.engineer_name(moved.assignee_id)))
    else:
        await s.say(t("duty.declined_to_managers_told", number=ticket.number))
    s.outcome.answer = t("duty.declined_toast")


async def answer_decline_reason(s: Session, text: str) -> None:
    """The typed reason after "🚫 Can't take"."""
    number = s.awaiting.get("ticket", "")
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 300:
        await s.say(t("duty.bad_decline_reason"))
        return
    ticket = await s.uow.tickets.get(number)
    if ticket is None or not await s.services.dispatch.may_decline(ticket, s.user.id):
        s.await_answer(None)
        await s.say(t("duty.not_offered", number=number))
        return
    await _decline(s, ticket, cleaned)


async def _work(s: Session, ticket: Ticket, button: TicketAction) -> None:
    action = button.action
    if action == "card":
        way = await _on_the_way(s, ticket)
        card = await s.services.cards.card(ticket, s.user.language, private=True, now=s.now, on_the_way=way)
        await s.say(card, buttons=buttons_for(ticket, on_the_way=way), ticket=ticket.number)
        return
    if action in (*WORK_STEPS, "tier2") and action != "arrive" and ticket.status not in _WORKING:
        s.refuse(t("duty.cannot", status=t(f"status.{ticket.status.value}")))
        return
    if action in WORK_STEPS:
        if action == "way" and await _on_the_way(s, ticket):
            s.refuse(t("duty.already_on_the_way"))
            return
        ticket = await s.services.tickets.record_step(ticket, action, s.user, s.now)
        await _replace_card(s, ticket, on_the_way=action == "way" or await _on_the_way(s, ticket))
        s.outcome.answer = t(f"duty.toast.{action}")
    elif action == "handover":
        others = [e for e in s.deployment.base_roster.engineers.values() if e.id != ticket.assignee_id]
        labels = [t("duty.handover_label", name=e.name) if await _reachable(s, e.id)
                  else t("duty.handover_label_unreachable", name=e.name) for e in others]
        await s.say(t("duty.handover_to", number=ticket.number), buttons=rows(
            [Button(label, TicketAction(ticket.number, f"to{e.id}").pack()) for e, label in zip(others, labels,
                                                                                             strict=True)], 2))
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
    """To another engineer, who must be reachable: a card the bot cannot deliver would leave the ticket
    with nobody while everyone believes it moved (an IllegalTransition, from a closed ticket, is the
    caller's "no longer possible")."""
    if engineer_id not in s.deployment.base_roster.engineers or engineer_id == ticket.assignee_id:
        s.refuse(t("button_invalid"))
        return
    name = s.deployment.engineer_name(engineer_id)
    if not await _reachable(s, engineer_id):
        await s.services.tickets.hand_over_failed(ticket, engineer_id, s.user, s.now)
        s.refuse(t("duty.handover_unreachable", engineer=name, number=ticket.number))
        return
    ticket = await s.services.tickets.hand_over(ticket, engineer_id, s.user, s.now)
    s.chose(verbatim(name))
    await s.say(t("duty.handed_over", number=ticket.number, engineer=name))
    s.outcome.answer = t("duty.toast.handed_over", engineer=name)


async def _reachable(s: Session, engineer_id: int) -> bool:
    """The bot can write to them: they opened a chat with it and have not blocked it."""
    return await s.services.console.reachable(engineer_id)


async def _on_the_way(s: Session, ticket: Ticket) -> bool:
    """Accepted, and "on my way" pressed since: the card then offers only "on site"."""
    if ticket.status is not Status.ACCEPTED:
        return False
    events = await s.uow.tickets.events(ticket.number)
    accepted = max((i for i, e in enumerate(events) if e.kind == "accept"), default=-1)
    return any(e.kind == Happening.ON_THE_WAY.value for e in events[accepted + 1:])


async def _replace_card(s: Session, ticket: Ticket, *, on_the_way: bool = False) -> None:
    """The pressed card becomes the ticket as it is now, with the buttons its state allows."""
    card = await s.services.cards.card(ticket, s.user.language, private=True, now=s.now, on_the_way=on_the_way)
    s.outcome.replace_pressed = Reply(s.msg.chat_id, card, s.user.language,
                                      buttons=work_buttons(ticket, on_the_way=on_the_way))


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
    await s.say(t("duty.resolved", number=ticket.number), buttons=(
        *fixed_with_buttons(s, ticket), (Button(t("btn.save_as_article"), SaveAsArticle(ticket.number).pack()),)))


# ---- /queue -----------------------------------------------------------------------------------------
async def cmd_queue(s: Session, args: str) -> None:
    """An engineer's open tickets by deadline; a manager's queue is every open ticket (the console)."""
    if s.may(Act.DISPATCH):
        await console.cmd_open(s, args)
        return
    if s.refused(Act.SEE_QUEUE) is not None:
        await s.say(t("duty.only_engineers"))
        return
    tickets = [tk for tk in await s.uow.tickets.open_of(s.user.id)
               if tk.status not in WAITING or await s.services.dispatch.may_decline(tk, s.user.id)]
    # a ticket they said they cannot take waits for the managers, not in their queue
    if not tickets:
        await s.say(t("duty.queue_empty"))
        return

    def due(ticket: Ticket) -> datetime | None:
        found = next_due(ticket, s.now, s.deployment.sla_clocks)
        return found.at if found else None

    tickets.sort(key=lambda tk: (due(tk) is None, due(tk) or s.now))
    lines = [t("duty.queue_line", number=tk.number, severity=tk.severity.value, status=t(f"status.{tk.status.value}"),
               place=tk.location or "—", due=due(tk)) for tk in tickets]
    await s.say(t("duty.queue", lines=lines), buttons=tuple(
        (Button(verbatim(f"🎫 {tk.number}"), TicketAction(tk.number, "card").pack()),) for tk in tickets[:10]))
