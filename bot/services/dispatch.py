"""Dispatch (派单): the ticket reaches the engineer on duty, and nobody can drop it silently.

`dispatch` asks the domain who gets the ticket (`bot.domain.dispatch`), saves the ticket with its
events in one write, pushes the card and starts two clocks: the escalation chain (backup, tier 2,
managers, until somebody accepts) and the SLA checkpoints. Everything happens in the caller's unit of
work, so a crash keeps the assignment and its messages together, or neither.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.dispatch import Decision, decline, escalation_step, hand_over, offered_to, steps_taken
from bot.domain.dispatch import dispatch as decide
from bot.domain.escalation import EscalationPolicy, quiet_until
from bot.domain.ticket import Happening, Ticket, TicketEvent, happened
from bot.domain.timers import Timer, TimerKind
from bot.messages import Text, t
from bot.services.cards import Cards
from bot.services.console import console_buttons
from bot.services.deadlines import Deadlines
from bot.services.deployment import Deployment
from bot.services.notify import Notifier
from bot.services.roster import Roster
from storage.ports import Tickets, Timers


class Dispatcher:
    def __init__(self, deployment: Deployment, tickets: Tickets, timers: Timers, roster: Roster,
                 deadlines: Deadlines, cards: Cards, notify: Notifier) -> None:
        self.deployment = deployment
        self.tickets = tickets
        self.timers = timers
        self.roster = roster
        self.deadlines = deadlines
        self.cards = cards
        self.notify = notify

    async def dispatch(self, ticket: Ticket, now: datetime, *, urgent: bool = False) -> Ticket:
        """Give a new (or reopened, `urgent`) ticket to the engineer on duty and start its clocks."""
        decision = decide(ticket, await self.roster.current(now), now, urgent=urgent)
        await self._carry_out(decision, now, note=t("duty.card.urgent") if urgent else None)
        if decision.managers:
            await self.notify.tell_managers(t("duty.nobody_on_duty", number=ticket.number,
                                              severity=t(f"severity.{ticket.severity.value}")), now,
                                            buttons=console_buttons(decision.ticket))
        card = await self.cards.for_duty_chat(decision.ticket, now)
        if card is not None:
            await self.notify.send(card, now)
        await self.start_chain(decision.ticket, now)
        if not urgent:
            await self.deadlines.watch(decision.ticket)
        return decision.ticket

    async def hand_over(self, ticket: Ticket, engineer_id: int, by_id: int, by_name: str, now: datetime) -> Ticket:
        """Another engineer gets the card; the chain starts again from now."""
        decision = hand_over(ticket, engineer_id, by_id, now)
        await self._carry_out(decision, now, note=t("duty.card.handed_over", engineer=by_name))
        await self.timers.cancel(ticket.number, [TimerKind.ESCALATE], now)
        await self.start_chain(decision.ticket, now)
        return decision.ticket

    async def to_tier2(self, ticket: Ticket, by_id: int, by_name: str, now: datetime) -> int:
        """The assignee asks the second-line experts for help; returns how many were asked (0: none exist)."""
        experts = [e.id for e in self.deployment.base_roster.engineers.values() if e.tier == 2 and e.id != by_id]
        if not experts:
            return 0
        ticket, asked = happened(ticket, Happening.ESCALATED, actor_id=by_id, at=now, notify="tier2",
                                 requested_by=by_id)
        events = [asked]
        for expert in experts:
            ticket, pinged = happened(ticket, Happening.PINGED, actor_id=None, at=now, engineer=expert)
            events.append(pinged)
        await self._carry_out(Decision(ticket, tuple(events), cards=tuple(experts)), now,
                              note=t("duty.card.tier2", engineer=by_name))
        await self.notify.tell_managers(t("duty.tier2_requested", number=ticket.number, engineer=by_name), now)
        return len(experts)

    async def may_decline(self, ticket: Ticket, engineer_id: int) -> bool:
        """Only an engineer the ticket was offered to may say "can't take", once per offer."""
        return offered_to(engineer_id, ticket, await self.tickets.events(ticket.number))

    async def decline(self, ticket: Ticket, by: int, reason: str, now: datetime) -> Ticket:
        """"Can't take", with the reason: the chain's next step runs at once instead of at its time, and
        the ticket leaves the queue of the one who declined it when someone else can be reached."""
        index, since = steps_taken(ticket, await self.tickets.events(ticket.number))
        policy = EscalationPolicy.from_json(ticket.escalation)
        decision = decline(ticket, await self.roster.current(now), policy.step(index) if policy.steps else None,
                           index, now, by=by, reason=reason, managers=self.deployment.managers)
        await self.timers.cancel(ticket.number, [TimerKind.ESCALATE], now)
        await self._carry_out(decision, now, note=t("duty.card.declined", engineer=self.deployment.engineer_name(by),
                                                    reason=reason))
        await self.notify.retire_cards(ticket.number, now, chats=[by])
        moved = decision.ticket.assignee_id != ticket.assignee_id
        if decision.managers:
            await self.notify.tell_managers(t("duty.declined_to_managers", number=ticket.number,
                                              engineer=self.deployment.engineer_name(by), reason=reason,
                                              severity=t(f"severity.{ticket.severity.value}")), now,
                                            buttons=console_buttons(decision.ticket))
        if moved:
            await self.start_chain(decision.ticket, now)  # the new assignee's own chain, as after a hand-over
        else:
            following = policy.due(since, index + 1)
            if following is not None:
                await self._schedule_step(decision.ticket, index + 1, since, max(following, now))
        return decision.ticket

    async def on_escalation_timer(self, timer: Timer, now: datetime) -> None:
        ticket = await self.tickets.get(timer.ticket) if timer.ticket else None
        if ticket is None:
            return
        wait = quiet_until(ticket, now, self.deployment.sla_clocks)
        if wait is not None and ticket.is_open:  # a 5×8 ticket's next step waits for the desk to open
            await self.timers.schedule(replace(timer, id=None, due_at=wait, key=f"{timer.key}:at:{wait.isoformat()}"))
            return
        since = datetime.fromisoformat(timer.payload.get("since", now.isoformat()))
        await self._escalate(ticket, int(timer.payload.get("index", 0)), since, now)

    async def start_chain(self, ticket: Ticket, since: datetime) -> None:
        """Start the escalation chain anew, counted from `since` (a dispatch or a hand-over)."""
        first = EscalationPolicy.from_json(ticket.escalation).due(since, 0)
        if first is not None:
            await self._schedule_step(ticket, 0, since, first)

    # ---- the steps ------------------------------------------------------------------------------------
    async def _escalate(self, ticket: Ticket, index: int, since: datetime, now: datetime, *,
                        declined_by: int | None = None, before: tuple[TicketEvent, ...] = ()) -> bool:
        """Step `index` of the chain (saved with the events `before` it); False if nothing was done."""
        policy = EscalationPolicy.from_json(ticket.escalation)
        if not policy.steps:
            return False
        decision = escalation_step(ticket, await self.roster.current(now), policy.step(index), index, now,
                                   managers=self.deployment.managers, declined_by=declined_by)
        if decision is None:
            return False  # accepted meanwhile
        minutes = int((now - ticket.opened_at).total_seconds() // 60)
        await self._carry_out(Decision(decision.ticket, (*before, *decision.events), decision.cards), now,
                              note=t("duty.card.escalated", minutes=minutes))
        if decision.managers:
            await self.notify.tell_managers(t("duty.escalated_to_managers", number=ticket.number,
                                              severity=t(f"severity.{ticket.severity.value}"),
                                              assignee=self.deployment.engineer_name(ticket.assignee_id),
                                              opened=ticket.opened_at), now,
                                            buttons=console_buttons(decision.ticket))
        following = policy.due(since, index + 1)
        if following is not None:
            await self._schedule_step(ticket, index + 1, since, max(following, now))
        return True

    async def _schedule_step(self, ticket: Ticket, index: int, since: datetime, due: datetime) -> None:
        await self.timers.schedule(Timer(TimerKind.ESCALATE, due, ticket.number,
                                         {"index": index, "since": since.isoformat()},
                                         key=f"escalate:{ticket.number}:{since.isoformat()}:{index}"))

    async def _carry_out(self, decision: Decision, now: datetime, *, note: Text | None = None) -> None:
        """Save the ticket with all its events at once, then push its card to each engineer named."""
        await self.tickets.update(decision.ticket, decision.events)
        for engineer in decision.cards:
            lang = await self.notify.language_of(engineer)
            await self.notify.send(await self.cards.for_engineer(decision.ticket, engineer, lang, now, note=note), now)
