"""The reporter closes the loop: "is it fixed?" right after the repair, and the 72-hour follow-up.

Answers are checked against the stored ticket and follow-up (never the button alone): an answer after
expiry, a second answer, a rating outside 1–5 or somebody else's ticket get a clear reply and change
nothing. "Not fixed" and "the same fault is back" reopen the ticket and send it back to the engineer
on duty at once; a rating of 1 or 2 becomes a complaint the managers must answer within a week.
"""

from __future__ import annotations

from bot.callbacks import ConfirmFix, FollowUpAnswer
from bot.conversation.session import Session
from bot.domain import followup as fu
from bot.domain import intake
from bot.domain.followup import Answer, FollowUp, FollowUpRefused, FollowUpState
from bot.domain.permissions import Act
from bot.domain.ticket import Status, Ticket, parse_number
from bot.domain.timers import TimerKind
from bot.messages import Button, t


async def on_confirm_fix(s: Session, button: ConfirmFix) -> None:
    """The reporter says the repair worked (the follow-up comes later) or not (reopened at once)."""
    ticket = await s.ticket_named(button.number)
    if ticket is None or ticket.reporter_id != s.user.id or button.answer not in ("yes", "no"):
        s.refuse(t("button_invalid"))
        return
    if ticket.status is not Status.RESOLVED:
        s.refuse(t("button_stale"))
        return
    tickets = s.services.tickets
    if button.answer == "yes":
        await tickets.confirm_fixed(ticket, s.user, s.now)
        s.chose(t("btn.fixed"))
        await s.say(t("reporter.thanks_confirmed", number=ticket.number))
        return
    reopened = await tickets.reopen(ticket, s.user.id, s.now, reason="not fixed", cancel=(TimerKind.CONFIRM_TIMEOUT,))
    s.chose(t("btn.not_fixed"))
    await s.say(t("reporter.reopened", number=ticket.number))
    await s.services.dispatch.dispatch(reopened, s.now, urgent=True)


async def on_followup_button(s: Session, button: FollowUpAnswer) -> None:
    number = parse_number(button.number)
    ticket = await s.uow.tickets.get(number) if number else None
    followup = await s.uow.followups.get(number) if number else None
    if ticket is None or followup is None or s.refused(Act.RATE, ticket):
        s.refuse(t("followup.not_yours"))
        return
    value = button.value
    try:
        if value in ("working", "same_fault", "other_problem"):
            followup = fu.answer(followup, Answer(value), s.now)
        elif value.startswith("r") and value[1:].isdigit():
            followup = fu.rate(followup, int(value[1:]), s.now)
        elif value == "nocomment":
            followup = fu.finish_without_comment(followup)
        else:
            raise FollowUpRefused("followup.not_now")
    except FollowUpRefused as refused:
        s.refuse(t(refused.code))
        return
    await s.uow.followups.save(followup)
    await s.uow.timers.cancel(ticket.number, [TimerKind.FOLLOWUP_REMIND], s.now)
    if value == "working":
        s.chose(t("btn.still_working"))
        await s.say(t("followup.ask_rating"), buttons=(tuple(
            Button(t(f"rating.{n}"), FollowUpAnswer(ticket.number, f"r{n}").pack()) for n in range(1, 6)),))
    elif value == "same_fault":
        await _same_fault(s, ticket)
    elif value == "other_problem":
        s.chose(t("btn.other_problem"))
        await s.uow.timers.cancel(ticket.number, [TimerKind.FOLLOWUP_EXPIRE], s.now)
        await s.services.followups.close(ticket, s.now, reason="followup_other_problem")
        draft = await s.uow.drafts.get(s.user.id) or intake.start(s.user.id, s.now)
        await s.uow.drafts.save(draft, s.now)
        await s.say(t("followup.new_report"))
    elif value.startswith("r"):
        await _rated(s, ticket, followup)
    else:
        s.chose(t("btn.skip"))
        s.await_answer(None)
        await s.say(t("followup.thanks"))


async def _same_fault(s: Session, ticket: Ticket) -> None:
    """A repeat fault within the follow-up: the repair did not hold."""
    s.chose(t("btn.same_fault"))
    reopened = await s.services.tickets.reopen(ticket, s.user.id, s.now, reason="same fault after repair",
                                               repeat_repair=True, cancel=(TimerKind.FOLLOWUP_EXPIRE,))
    if ticket.assignee_id:
        await s.services.notify.tell(ticket.assignee_id, t("followup.fault_back", number=ticket.number), s.now)
    await s.services.dispatch.dispatch(reopened, s.now, urgent=True)
    await s.say(t("reporter.reopened", number=ticket.number))


async def _rated(s: Session, ticket: Ticket, followup: FollowUp) -> None:
    rating = followup.rating
    s.chose(t(f"rating.{rating}"))
    first_rating = ticket.status is Status.RESOLVED
    followups = s.services.followups
    if first_rating:
        await s.uow.timers.cancel(ticket.number, [TimerKind.FOLLOWUP_EXPIRE], s.now)
        await followups.close(ticket, s.now, rating=rating)
        s.await_answer({"kind": "followup_comment", "ticket": ticket.number})
        skip = Button(t("btn.skip"), FollowUpAnswer(ticket.number, "nocomment").pack())
        await s.say(t("followup.ask_comment"), buttons=((skip,),))
    else:
        await s.say(t("followup.rating_changed", rating=rating))
    if fu.is_complaint(rating) and (first_rating or not await followups.has_open_complaint(ticket.number)):
        await followups.complaint(ticket, rating, None, s.now)  # type: ignore[arg-type]


async def answer_comment(s: Session, text: str) -> None:
    """The reporter's words after a rating; on a complaint, the managers read them too."""
    awaiting = s.awaiting
    s.await_answer(None)
    followup = await s.uow.followups.get(awaiting.get("ticket", ""))
    if followup is None or followup.state is not FollowUpState.COMMENT:
        await s.say(t("followup.not_now"))
        return
    await s.uow.followups.save(fu.comment(followup, text, s.now))
    if fu.is_complaint(followup.rating):
        await s.uow.complaints.add_comment(followup.ticket, text.strip())
        ticket = await s.uow.tickets.get(followup.ticket)
        if ticket is not None and ticket.assignee_id is not None:
            await s.services.notify.tell_managers(
                t("followup.complaint_comment", number=ticket.number, comment=text.strip()), s.now)
    await s.say(t("followup.thanks"))
