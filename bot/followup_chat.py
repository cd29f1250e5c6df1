"""The reporter answers the follow-up in chat; managers see and close complaints.

Answers are checked against the stored follow-up (never the button alone): an answer after expiry,
a second answer, a rating outside 1–5 or somebody else's ticket get a clear reply and change nothing.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain import followup as fu
from bot.domain import report as intake
from bot.domain.followup import Answer, FollowUpRefused, FollowUpState
from bot.domain.permissions import Act
from bot.domain.ticket import Action, Status, parse_number, transition
from bot.messages import Button, t
from bot.session import Session


class FollowUpSession(Session):
    async def on_followup_button(self, number_text: str, value: str) -> None:
        number = parse_number(number_text)
        ticket = await self.tx.tickets.get(number) if number else None
        followup = await self.tx.followups.get(number) if number else None
        if ticket is None or followup is None or self.refused(Act.RATE, ticket):
            self.refuse(t("followup.not_yours"))
            return
        followups = self.svc.followups
        try:
            if value in ("working", "same_fault", "other_problem"):
                followup = fu.answer(followup, Answer(value), self.now)
            elif value.startswith("r") and value[1:].isdigit():
                followup = fu.rate(followup, int(value[1:]), self.now)
            elif value == "nocomment":
                followup = fu.finish_without_comment(followup)
            else:
                raise FollowUpRefused("followup.not_now")
        except FollowUpRefused as refused:
            self.refuse(t(refused.code))
            return
        await self.tx.followups.save(followup)
        await self.tx.timers.cancel(ticket.number, ["followup_remind"], self.now)
        if value == "working":
            self.outcome.chosen = t("btn.still_working")
            await self.say(t("followup.ask_rating"), buttons=(tuple(
                Button(t(f"rating.{n}"), f"u:{ticket.number}:r{n}") for n in range(1, 6)),))
        elif value == "same_fault":
            self.outcome.chosen = t("btn.same_fault")
            reopened, event = transition(ticket, Action.REOPEN, actor_id=self.user.id, at=self.now,
                                         reason="same fault after repair", repeat_repair=True)
            await self.tx.tickets.update(reopened, [event])
            await self.tx.timers.cancel(ticket.number, ["followup_expire"], self.now)
            if ticket.assignee_id:
                fault_back = t("followup.fault_back", number=ticket.number)
                await self.svc.duty.tell(self.tx, ticket.assignee_id, fault_back, self.now)
            await self.svc.duty.dispatch(self.tx, reopened, self.now, urgent=True)
            await self.say(t("reporter.reopened", number=ticket.number))
        elif value == "other_problem":
            self.outcome.chosen = t("btn.other_problem")
            await self.tx.timers.cancel(ticket.number, ["followup_expire"], self.now)
            await followups.close(self.tx, ticket, self.now, reason="followup_other_problem")
            draft = await self.tx.drafts.get(self.user.id) or intake.start(self.user.id, self.now)
            await self.tx.drafts.save(draft, self.now)
            await self.say(t("followup.new_report"))
        elif value.startswith("r"):
            await self.rated(ticket, followup)
        else:
            self.outcome.chosen = t("btn.skip")
            self.user = replace(self.user, awaiting=None)
            await self.say(t("followup.thanks"))

    async def rated(self, ticket, followup) -> None:  # type: ignore[no-untyped-def]
        rating = followup.rating
        self.outcome.chosen = t(f"rating.{rating}")
        first_rating = ticket.status is Status.RESOLVED
        if first_rating:
            await self.tx.timers.cancel(ticket.number, ["followup_expire"], self.now)
            await self.svc.followups.close(self.tx, ticket, self.now, rating=rating)
            self.user = replace(self.user, awaiting={"kind": "followup_comment", "ticket": ticket.number})
            skip = Button(t("btn.skip"), f"u:{ticket.number}:nocomment")
            await self.say(t("followup.ask_comment"), buttons=((skip,),))
        else:
            await self.say(t("followup.rating_changed", rating=rating))
        if fu.is_complaint(rating) and (first_rating or not await self.has_complaint(ticket.number)):
            await self.svc.followups.complaint(self.tx, ticket, rating, None, self.now)

    async def has_complaint(self, number: str) -> bool:
        return any(c.ticket == number for c in await self.tx.complaints.open())

    async def answer_followup_comment(self, text: str) -> None:
        awaiting = self.user.awaiting or {}
        self.user = replace(self.user, awaiting=None)
        followup = await self.tx.followups.get(awaiting.get("ticket", ""))
        if followup is None or followup.state is not FollowUpState.COMMENT:
            await self.say(t("followup.not_now"))
            return
        await self.tx.followups.save(fu.comment(followup, text, self.now))
        if fu.is_complaint(followup.rating):
            await self.tx.complaints.add_comment(followup.ticket, text.strip())
            ticket = await self.tx.tickets.get(followup.ticket)
            if ticket is not None and ticket.assignee_id is not None:
                for manager in self.svc.duty.managers:
                    await self.svc.duty.tell(self.tx, manager, t("followup.complaint_comment",
                                                                  number=ticket.number, comment=text.strip()), self.now)
        await self.say(t("followup.thanks"))

    # ---- complaints (managers) -------------------------------------------------------------------------
    async def cmd_complaints(self, args: str) -> None:
        if self.refused(Act.REPORT):
            await self.say(t("duty.only_managers"))
            return
        complaints = await self.tx.complaints.open()
        if not complaints:
            await self.say(t("followup.no_complaints"))
            return
        lines = [t("followup.complaint_line", number=c.ticket, rating=c.rating, due=c.due_at,
                   late=c.due_at < self.now, comment=c.comment or "") for c in complaints]
        await self.say(t("followup.complaints", lines=lines), buttons=tuple(
            (Button(t("btn.complaint_handled_n", number=c.ticket), f"m:{c.id}:handled"),)
            for c in complaints[:10]))

    async def on_complaint_button(self, complaint_id: str, action: str) -> None:
        if self.refused(Act.REPORT):
            self.refuse(t("duty.only_managers"))
            return
        if action != "handled" or not complaint_id.isdigit():
            self.refuse(t("button_invalid"))
            return
        if not await self.tx.complaints.handle(int(complaint_id), self.user.id, self.now):
            self.refuse(t("followup.complaint_already"))
            return
        self.outcome.chosen = t("btn.complaint_handled")
        self.outcome.answer = t("followup.complaint_closed")
