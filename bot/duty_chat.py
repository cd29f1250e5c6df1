"""The engineer's and the manager's side in chat: the ticket card's buttons, /queue, /oncall, the roster.

Every action is checked against the ticket's state and the pressing user (never trusted from the
button), changes the ticket through the domain's state machine, and tells the reporter in their
language through the outbox.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot.domain.permissions import Act, Role
from bot.domain.roster import Override, next_handover, on_duty, on_duty_until, shifts
from bot.domain.ticket import Action, Happening, IllegalTransition, Status, Ticket, happened, parse_number, transition
from bot.duty import WAITING
from bot.messages import Button, Reply, Text, rows, t, verbatim
from bot.session import Session

MAX_NOTE = 1000
_ACTS = {"accept": Act.ACCEPT, "decline": Act.ACCEPT, "resolve": Act.RESOLVE, "noparts": Act.RESOLVE,
         "handover": Act.HAND_OVER, "tier2": Act.HAND_OVER, "card": Act.SEE_TICKET}
"""A card button's action → what the permission table calls it (everything else is the assignee's WORK)."""
_WORKING_STEPS = frozenset({"way", "part", "resume", "spare", "spareback", "tier2"})
"""Steps that record work in progress: only while the ticket is accepted or on site."""


class DutySession(Session):
    @property
    def duty(self):  # type: ignore[no-untyped-def]
        return self.svc.duty

    # ---- the card's buttons -----------------------------------------------------------------------
    async def on_ticket_button(self, number_text: str, action: str) -> None:
        number = parse_number(number_text)
        ticket = await self.tx.tickets.get(number) if number else None
        if ticket is None:
            self.refuse(t("button_invalid"))
            return
        act = _ACTS.get(action, Act.HAND_OVER if action.startswith("to") else Act.WORK)
        reason = self.refused(act, ticket)
        if reason is not None:
            self.refuse(t(reason, number=ticket.number, assignee=self.duty.engineer_name(ticket.assignee_id)))
            return
        try:
            if action == "accept":
                await self.accept(ticket)
            elif action == "decline":
                await self.decline(ticket)
            elif ticket.status in WAITING and act is not Act.HAND_OVER and act is not Act.SEE_TICKET:
                self.refuse(t("duty.accept_first"))
            else:
                await self.work(ticket, action)
        except IllegalTransition as illegal:  # an old card's button: the ticket has moved on
            self.refuse(t("duty.cannot", status=t(f"status.{illegal.status.value}")))

    async def accept(self, ticket: Ticket) -> None:
        if ticket.status not in WAITING:
            who = self.duty.engineer_name(ticket.assignee_id)
            self.refuse(t("duty.already_taken", number=ticket.number, engineer=who,
                          status=t(f"status.{ticket.status.value}")))
            return
        ticket = await self.change(ticket, Action.ACCEPT)
        await self.tx.timers.cancel(ticket.number, ["escalate"], self.now)
        self.outcome.chosen = None
        await self.replace_card(ticket)
        engineer = self.duty.base_roster.engineers.get(self.user.id)
        await self.duty.tell_reporter(self.tx, ticket, t(
            "reporter.accepted", number=ticket.number, engineer=self.user.name,
            phone=engineer.phone if engineer and engineer.phone else None,
            onsite=ticket.deadline("onsite", self.now), resolve=ticket.deadline("resolve", self.now)), self.now)
        self.outcome.answer = t("duty.accepted_toast", number=ticket.number)

    async def decline(self, ticket: Ticket) -> None:
        if ticket.status not in WAITING:
            self.refuse(t("duty.already_taken", number=ticket.number,
                          engineer=self.duty.engineer_name(ticket.assignee_id),
                          status=t(f"status.{ticket.status.value}")))
            return
        ticket, event = happened(ticket, Happening.DECLINED, actor_id=self.user.id, at=self.now)
        await self.tx.tickets.update(ticket, [event])
        await self.duty.escalate_now(self.tx, ticket, self.now, declined_by=self.user.id)
        self.outcome.chosen = t("btn.decline")
        self.outcome.answer = t("duty.declined_toast")

    async def work(self, ticket: Ticket, action: str) -> None:
        if action == "card":
            await self.show_card(ticket)
            return
        if action in _WORKING_STEPS and ticket.status not in (Status.ACCEPTED, Status.ON_SITE):
            self.refuse(t("duty.cannot", status=t(f"status.{ticket.status.value}")))
            return
        if action == "way":
            ticket = await self.note(ticket, Happening.ON_THE_WAY)
            await self.reporter_update(ticket, t("reporter.on_the_way", number=ticket.number, engineer=self.user.name))
        elif action == "arrive":
            ticket = await self.change(ticket, Action.ARRIVE)
            await self.reporter_update(ticket, t("reporter.on_site", number=ticket.number, engineer=self.user.name))
        elif action == "part":
            ticket = await self.note(ticket, Happening.PAUSED, reason="part")
            await self.reporter_update(ticket, t("reporter.waiting_part", number=ticket.number))
        elif action == "resume":
            ticket = await self.note(ticket, Happening.RESUMED)
            await self.reporter_update(ticket, t("reporter.part_arrived", number=ticket.number))
        elif action == "spare":
            due = self.duty.spare_due_date(self.now.astimezone(self.svc.config.tz).date())
            ticket = await self.note(ticket, Happening.SPARE_LENT, due=due)
            await self.duty.schedule_spare_reminder(self.tx, ticket, due)
            await self.reporter_update(ticket, t("reporter.spare", number=ticket.number, due=due.isoformat()))
        elif action == "spareback":
            ticket = await self.note(ticket, Happening.SPARE_RETURNED)
            await self.tx.timers.cancel(ticket.number, ["spare_due"], self.now)
        elif action == "handover":
            others = [e for e in self.duty.base_roster.engineers.values() if e.id != ticket.assignee_id]
            await self.say(t("duty.handover_to", number=ticket.number), buttons=rows(
                [Button(verbatim(e.name), f"t:{ticket.number}:to{e.id}") for e in others], 2))
            return
        elif action.startswith("to") and action[2:].isdigit():
            await self.hand_over(ticket, int(action[2:]))
            return
        elif action == "tier2":
            await self.to_tier2(ticket)
            return
        elif action == "resolve":
            if ticket.status not in (Status.ACCEPTED, Status.ON_SITE):
                self.refuse(t("duty.cannot", status=t(f"status.{ticket.status.value}")))
                return
            self.user = replace(self.user, awaiting={"kind": "resolve", "ticket": ticket.number, "stage": "note"})
            await self.say(t("duty.ask_resolution", number=ticket.number))
            return
        elif action == "noparts":
            await self.resolution_answer(None)
            return
        else:
            self.refuse(t("button_invalid"))
            return
        await self.replace_card(ticket)

    async def hand_over(self, ticket: Ticket, engineer_id: int) -> None:
        if engineer_id not in self.duty.base_roster.engineers or engineer_id == ticket.assignee_id:
            self.refuse(t("button_invalid"))
            return
        if ticket.status not in (Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE, Status.NEW, Status.REOPENED):
            self.refuse(t("duty.cannot", status=t(f"status.{ticket.status.value}")))
            return
        ticket = await self.change(ticket, Action.ASSIGN, assignee=engineer_id, handed_over_by=self.user.id)
        self.outcome.chosen = verbatim(self.duty.engineer_name(engineer_id))
        await self.duty.push_card(self.tx, ticket, engineer_id, self.now,
                                  note=t("duty.card.handed_over", engineer=self.user.name))
        await self.tx.timers.cancel(ticket.number, ["escalate"], self.now)
        await self.duty.schedule_chain(self.tx, ticket, self.now)
        await self.reporter_update(ticket, t("reporter.handed_over", number=ticket.number,
                                             engineer=self.duty.engineer_name(engineer_id)))
        await self.say(t("duty.handed_over", number=ticket.number, engineer=self.duty.engineer_name(engineer_id)))

    async def to_tier2(self, ticket: Ticket) -> None:
        experts = [e for e in self.duty.base_roster.engineers.values() if e.tier == 2 and e.id != self.user.id]
        if not experts:
            self.refuse(t("duty.no_tier2"))
            return
        ticket = await self.note(ticket, Happening.ESCALATED, notify="tier2", requested_by=self.user.id)
        for expert in experts:
            await self.duty.push_card(self.tx, ticket, expert.id, self.now,
                                      note=t("duty.card.tier2", engineer=self.user.name))
        await self.duty.tell_managers(self.tx, t("duty.tier2_requested", number=ticket.number,
                                                 engineer=self.user.name), self.now)
        self.outcome.answer = t("duty.tier2_sent", count=len(experts))

    # ---- resolving: a note, the parts, then the reporter confirms ----------------------------------------
    async def answer_resolution(self, text: str) -> None:
        awaiting = self.user.awaiting or {}
        cleaned = text.strip()
        if not cleaned or len(cleaned) > MAX_NOTE:
            await self.say(t("duty.bad_note", limit=MAX_NOTE))
            return
        if awaiting.get("stage") == "note":
            self.user = replace(self.user, awaiting={**awaiting, "stage": "parts", "note": cleaned})
            await self.say(t("duty.ask_parts"), buttons=((
                Button(t("btn.no_parts"), f"t:{awaiting['ticket']}:noparts"),),))
            return
        await self.resolution_answer(cleaned)

    async def resolution_answer(self, parts: str | None) -> None:
        awaiting = self.user.awaiting or {}
        if awaiting.get("kind") != "resolve" or awaiting.get("stage") != "parts":
            self.refuse(t("button_stale"))
            return
        self.user = replace(self.user, awaiting=None)
        ticket = await self.tx.tickets.get(awaiting["ticket"])
        if ticket is None:
            return
        reason = self.refused(Act.RESOLVE, ticket)  # handed over meanwhile: no longer theirs to resolve
        if reason is not None:
            await self.say(t(reason, number=ticket.number, assignee=self.duty.engineer_name(ticket.assignee_id)))
            return
        try:
            ticket = await self.change(ticket, Action.RESOLVE, resolution=awaiting["note"], parts=parts)
        except IllegalTransition:
            return
        await self.tx.timers.cancel(ticket.number, ["escalate"], self.now)
        await self.svc.followups.after_resolve(self.tx, ticket, self.now)
        self.outcome.chosen = t("btn.no_parts") if parts is None else None
        await self.say(t("duty.resolved", number=ticket.number),
                       buttons=((Button(t("btn.save_as_article"), f"s:{ticket.number}"),),))
        await self.duty.tell_reporter(self.tx, ticket, t(
            "reporter.resolved", number=ticket.number, engineer=self.user.name, note=ticket.resolution,
            parts=ticket.parts), self.now, buttons=((
                Button(t("btn.fixed"), f"f:{ticket.number}:yes"), Button(t("btn.not_fixed"), f"f:{ticket.number}:no"),
            ),))

    async def reporter_confirms(self, number_text: str, answer: str) -> None:
        """The reporter says the repair worked (follow-up comes later) or not (reopened at once)."""
        number = parse_number(number_text)
        ticket = await self.tx.tickets.get(number) if number else None
        if ticket is None or ticket.reporter_id != self.user.id or answer not in ("yes", "no"):
            self.refuse(t("button_invalid"))
            return
        if ticket.status is not Status.RESOLVED:
            self.refuse(t("button_stale"))
            return
        if answer == "yes":
            ticket, event = happened(ticket, Happening.REPORTER_CONFIRMED, actor_id=self.user.id, at=self.now)
            await self.tx.tickets.update(ticket, [event])
            await self.svc.followups.schedule(self.tx, ticket, self.now)
            self.outcome.chosen = t("btn.fixed")
            await self.say(t("reporter.thanks_confirmed", number=ticket.number))
            return
        ticket = await self.change(ticket, Action.REOPEN, reason="not fixed")
        await self.tx.timers.cancel(ticket.number, ["confirm_timeout"], self.now)
        self.outcome.chosen = t("btn.not_fixed")
        await self.say(t("reporter.reopened", number=ticket.number))
        ticket = await self.duty.dispatch(self.tx, ticket, self.now, urgent=True)

    # ---- commands -----------------------------------------------------------------------------------
    async def cmd_queue(self, args: str) -> None:
        if self.role_for() not in (Role.ENGINEER, Role.MANAGER):
            await self.say(t("duty.only_engineers"))
            return
        tickets = await self.tx.tickets.open_of(self.user.id)
        if not tickets:
            await self.say(t("duty.queue_empty"))
            return
        def due(ticket: Ticket) -> datetime:
            for milestone in ("respond", "onsite", "resolve"):
                deadline = ticket.deadline(milestone, self.now)
                if deadline and ticket.reached(milestone) is None:
                    return deadline
            return datetime.max.replace(tzinfo=self.now.tzinfo)
        tickets.sort(key=due)
        lines = [t("duty.queue_line", number=tk.number, severity=tk.severity.value,
                   status=t(f"status.{tk.status.value}"), place=tk.location or "—",
                   due=None if due(tk).year == 9999 else due(tk)) for tk in tickets]
        await self.say(t("duty.queue", lines=lines), buttons=tuple(
            (Button(verbatim(f"🎫 {tk.number}"), f"t:{tk.number}:card"),) for tk in tickets[:10]))

    async def cmd_oncall(self, args: str) -> None:
        roster = await self.duty.roster(self.tx, self.now)
        shift = on_duty(roster, self.now)
        following = next_handover(roster, self.now)
        private = self.role_for() in (Role.ENGINEER, Role.MANAGER)
        def who(engineer_id: int | None) -> Text:
            info = roster.engineers.get(engineer_id) if engineer_id is not None else None
            if info is None:
                return t("duty.nobody")
            phone = f" {info.phone}" if private and info.phone else ""
            return verbatim(f"{info.name}{phone}")
        await self.say(t("duty.oncall", now=who(shift.engineer_id if shift else None),
                         rotation=shift.rotation if shift else "—",
                         until=on_duty_until(roster, self.now) if shift else None,
                         next=who(following.engineer_id) if following else t("duty.nobody"),
                         next_at=following.start if following else None))

    async def cmd_cover(self, args: str) -> None:
        """/cover ENGINEER_ID FROM TO [reason]: somebody covers a period (sickness, leave)."""
        if not self.may_edit_roster():
            await self.say(t("duty.only_managers"))
            return
        parts = args.split(maxsplit=3)
        try:
            engineer = int(parts[0])
            start, end = self.when(parts[1]), self.when(parts[2])
        except (IndexError, ValueError):
            await self.say(t("duty.cover_usage"))
            return
        if engineer not in self.duty.base_roster.engineers or end <= start or not (
                self.plannable(start.date()) and self.plannable(end.date())):
            await self.say(t("duty.cover_usage"))
            return
        reason = parts[3] if len(parts) > 3 else ""
        await self.add_override(Override(None, start, end, engineer, None, "cover", reason, self.user.id))
        await self.say(t("duty.covered", engineer=self.duty.engineer_name(engineer), start=start, end=end))

    async def cmd_swap(self, args: str) -> None:
        """/swap DATE ENGINEER_A ENGINEER_B: A and B exchange their shifts of that local date."""
        if not self.may_edit_roster():
            await self.say(t("duty.only_managers"))
            return
        parts = args.split()
        try:
            day = date.fromisoformat(parts[0])
            a, b = int(parts[1]), int(parts[2])
        except (IndexError, ValueError):
            await self.say(t("duty.swap_usage"))
            return
        engineers = self.duty.base_roster.engineers
        if a not in engineers or b not in engineers or a == b or not self.plannable(day):
            await self.say(t("duty.swap_usage"))
            return
        roster = await self.duty.roster(self.tx, self.now)
        tz = self.svc.config.tz
        start = datetime.combine(day, time(0), tzinfo=tz)
        swapped = 0
        for shift in shifts(roster, start, start + timedelta(days=1)):
            if shift.engineer_id in (a, b):
                other = b if shift.engineer_id == a else a
                await self.add_override(Override(None, shift.start, shift.end, other, None, "swap",
                                                 f"swap {a}↔{b}", self.user.id), report=False)
                swapped += 1
        if not swapped:
            await self.say(t("duty.swap_nothing", day=day.isoformat()))
            return
        await self.duty.report_gaps(self.tx, self.now)
        await self.say(t("duty.swapped", a=engineers[a].name, b=engineers[b].name, day=day.isoformat(), count=swapped))

    async def cmd_holiday(self, args: str) -> None:
        """/holiday DATE [name] · /holiday workday DATE · /holiday remove DATE (managers)."""
        if self.refused(Act.EDIT_ROSTER):
            await self.say(t("duty.only_managers"))
            return
        parts = args.split(maxsplit=1)
        try:
            if parts and parts[0] in ("workday", "remove"):
                day, kind, name = date.fromisoformat(parts[1].split()[0]), parts[0], ""
            else:
                day, kind = date.fromisoformat(parts[0]), "holiday"
                name = args.split(maxsplit=1)[1] if len(args.split(maxsplit=1)) > 1 else ""
        except (IndexError, ValueError):
            await self.say(t("duty.holiday_usage"))
            return
        if not self.plannable(day):
            await self.say(t("duty.holiday_usage"))
            return
        await self.tx.roster.set_calendar_day(day, None if kind == "remove" else kind, name, self.user.id, self.now)
        await self.say(t(f"duty.calendar_{kind}", day=day.isoformat()))
        await self.duty.report_gaps(self.tx, self.now)

    async def cmd_rotation(self, args: str) -> None:
        """/rotation NAME ID,ID,…: a new turn order for a rotation (managers)."""
        if self.refused(Act.EDIT_ROSTER):
            await self.say(t("duty.only_managers"))
            return
        parts = args.split()
        names = [r.name for r in self.duty.base_roster.rotations]
        try:
            name = parts[0]
            ids = [int(x) for x in parts[1].split(",") if x]
        except (IndexError, ValueError):
            await self.say(t("duty.rotation_usage", names=", ".join(names)))
            return
        unknown = [i for i in ids if i not in self.duty.base_roster.engineers]
        if name not in names or not ids or unknown:
            await self.say(t("duty.rotation_usage", names=", ".join(names)))
            return
        await self.tx.roster.set_rotation(name, ids, self.user.id, self.now)
        await self.say(t("duty.rotation_set", name=name,
                         engineers=", ".join(self.duty.engineer_name(i) for i in ids)))
        await self.duty.report_gaps(self.tx, self.now)

    # ---- helpers ------------------------------------------------------------------------------------
    def may_edit_roster(self) -> bool:
        """Managers; engineers too for /cover and /swap when the deployment allows it."""
        if self.role_for() is Role.ENGINEER and self.svc.config.duty.engineers_may_swap:
            return True
        return self.refused(Act.EDIT_ROSTER) is None

    def plannable(self, day: date) -> bool:
        """Roster changes are for the coming two years (and the last month, to fix the record)."""
        today = self.now.astimezone(self.svc.config.tz).date()
        return today - timedelta(days=31) <= day <= today + timedelta(days=2 * 366)

    def when(self, text: str) -> datetime:
        """A local date ("2026-02-16" = its midnight) or date and time ("2026-02-16T18:00")."""
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.svc.config.tz)
        return parsed

    async def add_override(self, override: Override, report: bool = True) -> None:
        await self.tx.roster.add_override(override, self.now)
        if report:
            await self.duty.report_gaps(self.tx, self.now)

    async def change(self, ticket: Ticket, action: Action, **data: object) -> Ticket:
        ticket, event = transition(ticket, action, actor_id=self.user.id, at=self.now, **data)
        await self.tx.tickets.update(ticket, [event])
        return ticket

    async def note(self, ticket: Ticket, what: Happening, **data: object) -> Ticket:
        ticket, event = happened(ticket, what, actor_id=self.user.id, at=self.now, **data)
        await self.tx.tickets.update(ticket, [event])
        return ticket

    async def reporter_update(self, ticket: Ticket, text: Text) -> None:
        await self.duty.tell_reporter(self.tx, ticket, text, self.now)

    async def replace_card(self, ticket: Ticket) -> None:
        card = await self.duty.card(self.tx, ticket, self.user.language, private=True, now=self.now)
        self.outcome.replace_pressed = Reply(self.msg.chat_id, card, self.user.language,
                                             buttons=self.duty.work_buttons(ticket))

    async def show_card(self, ticket: Ticket) -> None:
        card = await self.duty.card(self.tx, ticket, self.user.language, private=True, now=self.now)
        buttons = self.duty.work_buttons(ticket) if ticket.status not in WAITING else self.duty.waiting_buttons(ticket)
        await self.say(card, buttons=buttons)
