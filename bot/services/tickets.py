"""A ticket's life as use cases: opened from a report, accepted, worked on, resolved, confirmed, cancelled.

Each use case changes the ticket through the domain's state machine (which returns the audit
event), saves it once, and tells the reporter in their own language. The conversation layer has
already checked who is asking (the permission table) and answers the person who pressed the button.
"""

from __future__ import annotations

from datetime import datetime

from bot.callbacks import ConfirmFix
from bot.domain.intake import Draft
from bot.domain.people import User
from bot.domain.sla import compute_terms
from bot.domain.ticket import Action, Happening, Ticket, happened, opened_event, transition
from bot.domain.timers import TimerKind
from bot.messages import Button, t
from bot.services import cancellation
from bot.services.deadlines import Deadlines
from bot.services.deployment import Deployment
from bot.services.dispatch import Dispatcher
from bot.services.followups import FollowUpDesk
from bot.services.notify import Notifier
from storage.ports import Drafts, Tickets, Timers

WORK_STEPS = ("way", "arrive", "part", "resume", "spare", "spareback")
"""The steps an engineer records on an accepted ticket, as the card's buttons name them."""


class TicketDesk:
    def __init__(self, deployment: Deployment, tickets: Tickets, drafts: Drafts, timers: Timers,
                 dispatcher: Dispatcher, deadlines: Deadlines, followups: FollowUpDesk, notify: Notifier) -> None:
        self.deployment = deployment
        self.tickets = tickets
        self.drafts = drafts
        self.timers = timers
        self.dispatcher = dispatcher
        self.deadlines = deadlines
        self.followups = followups
        self.notify = notify

    async def open(self, draft: Draft, reporter: User, now: datetime, *, source: str = "chat") -> Ticket:
        """The finished report becomes a ticket with the deadlines its severity and tier promise, and
        goes to the engineer on duty at once."""
        assert draft.severity is not None
        year = now.astimezone(self.deployment.tz).year
        number = await self.tickets.next_number(year)
        terms = compute_terms(self.deployment.sla_policy, draft.severity, opened_at=now, site=draft.site,
                              reporter_id=reporter.id, clocks=self.deployment.sla_clocks)
        ticket = Ticket(
            number=number, reporter_id=reporter.id, description=draft.description or "",
            severity=draft.severity, opened_at=now, sla=terms, photos=draft.photos,
            device_type=draft.device_type, asset_no=draft.asset_no, site=draft.site,
            room=draft.room, contact_phone=draft.phone, contact_name=draft.contact_name,
            updated_at=now, tried_articles=draft.tried,
            escalation=self.deployment.escalation(draft.severity).to_json(), source=source,
        )
        await self.tickets.add(ticket, [opened_event(ticket)])
        await self.drafts.delete(reporter.id)
        return await self.dispatcher.dispatch(ticket, now)

    async def cancel(self, ticket: Ticket, reason: str, by: int, now: datetime) -> Ticket:
        """The reporter withdraws the ticket (IllegalTransition when it is no longer open): whoever was on
        it hears of it at once and every card's buttons die, so nobody drives to a cancelled job."""
        return await cancellation.cancel(
            ticket, reason, by, now, tickets=self.tickets, timers=self.timers, notify=self.notify,
            duty_chat=self.deployment.config.bot.duty_chat_id,
            engineers_told=t("duty.cancelled_by_reporter", number=ticket.number, reason=reason))

    async def _working_on(self, ticket: Ticket) -> list[int]:
        return cancellation.working_on(ticket, await self.tickets.events(ticket.number))

    async def accept(self, ticket: Ticket, engineer: User, now: datetime) -> Ticket:
        """The engineer takes the ticket: the chain stops, the reporter hears who is coming and by when."""
        others = [p for p in await self._working_on(ticket) if p != engineer.id]
        ticket, event = transition(ticket, Action.ACCEPT, actor_id=engineer.id, at=now)
        await self.tickets.update(ticket, [event])
        await self.timers.cancel(ticket.number, [TimerKind.ESCALATE], now)
        await self.notify.retire_cards(ticket.number, now, chats=others)  # the others offered it: taken
        info = self.deployment.engineer(engineer.id)
        await self._tell_reporter(ticket, now, "reporter.accepted", engineer=engineer.name,
                                  phone=info.phone if info and info.phone else None,
                                  onsite=ticket.deadline("onsite", now, clocks=self.deployment.sla_clocks),
                                  resolve=ticket.deadline("resolve", now, clocks=self.deployment.sla_clocks))
        return ticket

    async def record_step(self, ticket: Ticket, step: str, engineer: User, now: datetime) -> Ticket:
        """On my way, on site, waiting for a part (the SLA clock stops), part arrived, spare machine lent
        or returned; the reporter hears of each but the spare machine's return."""
        if step == "way":
            ticket = await self._note(ticket, Happening.ON_THE_WAY, engineer, now)
            await self._tell_reporter(ticket, now, "reporter.on_the_way", engineer=engineer.name)
        elif step == "arrive":
            ticket, event = transition(ticket, Action.ARRIVE, actor_id=engineer.id, at=now)
            await self.tickets.update(ticket, [event])
            await self._tell_reporter(ticket, now, "reporter.on_site", engineer=engineer.name)
        elif step == "part":
            ticket = await self._note(ticket, Happening.PAUSED, engineer, now, reason="part")
            await self._tell_reporter(ticket, now, "reporter.waiting_part")
        elif step == "resume":
            ticket = await self._note(ticket, Happening.RESUMED, engineer, now)
            await self._tell_reporter(ticket, now, "reporter.part_arrived")
        elif step == "spare":
            due = self.deadlines.spare_due_date(now.astimezone(self.deployment.tz).date())
            ticket = await self._note(ticket, Happening.SPARE_LENT, engineer, now, due=due)
            await self.deadlines.remind_spare(ticket, due)
            await self._tell_reporter(ticket, now, "reporter.spare", due=due.isoformat())
        elif step == "spareback":
            ticket = await self._note(ticket, Happening.SPARE_RETURNED, engineer, now)
            await self.timers.cancel(ticket.number, [TimerKind.SPARE_DUE], now)
        else:
            raise ValueError(f"unknown step {step!r}")
        return ticket

    async def hand_over(self, ticket: Ticket, engineer_id: int, by: User, now: datetime) -> Ticket:
        """Another engineer gets the card; the cards of whoever had it lose their buttons."""
        before = [p for p in await self._working_on(ticket) if p != engineer_id]
        ticket = await self.dispatcher.hand_over(ticket, engineer_id, by.id, by.name, now)
        await self.notify.retire_cards(ticket.number, now, chats=before)
        await self._tell_reporter(ticket, now, "reporter.handed_over",
                                  engineer=self.deployment.engineer_name(engineer_id))
        return ticket

    async def hand_over_failed(self, ticket: Ticket, engineer_id: int, by: User, now: datetime) -> None:
        """A hand-over refused because the bot cannot reach that engineer: on the log, the ticket unmoved."""
        ticket, event = happened(ticket, Happening.HANDOVER_FAILED, actor_id=by.id, at=now, engineer=engineer_id,
                                 reason="unreachable")
        await self.tickets.update(ticket, [event])

    async def resolve(self, ticket: Ticket, note: str, parts: str | None, engineer: User, now: datetime) -> Ticket:
        """Fixed: the reporter is asked whether it works now; the follow-up waits for that answer."""
        ticket, event = transition(ticket, Action.RESOLVE, actor_id=engineer.id, at=now, resolution=note,
                                   parts=parts)
        await self.tickets.update(ticket, [event])
        await self.timers.cancel(ticket.number, [TimerKind.ESCALATE], now)
        await self.followups.after_resolve(ticket, now)
        n = ticket.number
        await self.notify.tell_reporter(ticket.reporter_id, n, t(
            "reporter.resolved", number=n, engineer=engineer.name, note=ticket.resolution, parts=ticket.parts),
            now, buttons=((Button(t("btn.fixed"), ConfirmFix(n, "yes").pack()),
                           Button(t("btn.not_fixed"), ConfirmFix(n, "no").pack())),))
        return ticket

    async def confirm_fixed(self, ticket: Ticket, reporter: User, now: datetime) -> None:
        """The reporter says it works: the follow-up is scheduled for 72 hours after the repair."""
        ticket, event = happened(ticket, Happening.REPORTER_CONFIRMED, actor_id=reporter.id, at=now)
        await self.tickets.update(ticket, [event])
        await self.followups.schedule(ticket, now)

    async def reopen(self, ticket: Ticket, by: int, now: datetime, *, reason: str, repeat_repair: bool = False,
                     cancel: tuple[TimerKind, ...] = ()) -> Ticket:
        """Not fixed (at once, or the same fault within the follow-up): back to the engineer on duty, urgently."""
        data: dict[str, object] = {"reason": reason}
        if repeat_repair:
            data["repeat_repair"] = True
        reopened, event = transition(ticket, Action.REOPEN, actor_id=by, at=now, **data)
        await self.tickets.update(reopened, [event])
        if cancel:
            await self.timers.cancel(ticket.number, list(cancel), now)
        return reopened

    async def _note(self, ticket: Ticket, what: Happening, actor: User, now: datetime, **data: object) -> Ticket:
        ticket, event = happened(ticket, what, actor_id=actor.id, at=now, **data)
        await self.tickets.update(ticket, [event])
        return ticket

    async def _tell_reporter(self, ticket: Ticket, now: datetime, key: str, **params: object) -> None:
        await self.notify.tell_reporter(ticket.reporter_id, ticket.number, t(key, number=ticket.number, **params), now)
