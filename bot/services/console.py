"""The dispatcher's console (服务台): every open ticket by its next deadline, and what a manager does to one.

Managers are the dispatchers (`Act.DISPATCH` in the permission table). They see the open tickets in
the order their next deadline falls, narrowed by filters, and act on one: give it to an engineer
(who gets the card to accept, as after any hand-over), escalate it now (the next step of its chain),
change its severity with a reason (the deadlines are planned anew from the SLA policy, counted from
the report as every deadline is, and the SLA checkpoints follow), or cancel it with a reason. Each
action is an event on the ticket with who did it and why, and the people concerned are told.

`console_buttons` are a ticket's console buttons; they ride on every alert the managers get about a
ticket, which is why the dispatcher imports this module and this module must not import the
dispatcher nor the ticket desk (which imports the dispatcher): the hand-over and the chain's restart
are asked of them through the `HandOvers` and `Chain` protocols.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.dispatch import WAITING, escalation_step, steps_taken
from bot.domain.escalation import EscalationPolicy, EscalationStep, checkpoints
from bot.domain.milestones import MILESTONES, Due, next_due
from bot.domain.people import User
from bot.domain.roster import on_duty
from bot.domain.severity import Severity
from bot.domain.sites import site_key
from bot.domain.sla import compute_terms
from bot.domain.ticket import Happening, Ticket, happened
from bot.domain.timers import Timer, TimerKind
from bot.messages import Button, Text, t
from bot.services import cancellation
from bot.services.cards import Cards, console_buttons
from bot.services.deployment import Deployment
from bot.services.notify import Notifier
from bot.services.roster import Roster
from storage.ports import Tickets, Timers, Users

Buttons = tuple[tuple[Button, ...], ...]


def due_text(due: Due | None, now: datetime) -> Text:
    """"respond in 25 min" or "on site 1 h 10 min late", in whole minutes."""
    if due is None:
        return t("console.no_deadline")
    minutes = int(abs((due.at - now).total_seconds()) // 60)
    key = "console.late" if due.at < now else "console.left"
    return t(key, milestone=t(f"milestone.{due.milestone}"), duration=t("duration", minutes=minutes))


@dataclass(frozen=True)
class Filters:
    """What `/open` was narrowed to. Words of one kind widen (P1 P2: either), kinds narrow each other
    (P1 overdue: both); "unassigned" and engineers are one kind, who has the ticket."""

    unassigned: bool = False
    """Nobody has accepted it yet (offered to an engineer or to nobody)."""
    engineers: frozenset[int] = frozenset()
    overdue: bool = False
    sites: frozenset[str] = frozenset()
    """Site keys (`bot.domain.sites.site_key`)."""
    severities: frozenset[Severity] = frozenset()

    def admits(self, ticket: Ticket, due: Due | None, now: datetime) -> bool:
        who = not (self.unassigned or self.engineers) or (self.unassigned and ticket.status in WAITING) or (
            ticket.assignee_id in self.engineers)
        late = not self.overdue or (due is not None and due.at < now)
        where = not self.sites or site_key(ticket.site) in self.sites
        level = not self.severities or ticket.severity in self.severities
        return who and late and where and level


@dataclass(frozen=True)
class Candidate:
    """An engineer a ticket can be given to, as the pick list shows them."""

    id: int
    name: str
    tier: int
    on_duty: bool
    reachable: bool
    """The bot can write to them: they started it and have not blocked it."""


class HandOvers(Protocol):
    """What the console asks of the ticket desk (`bot.services.tickets.TicketDesk`): the one hand-over
    path (the card to the new engineer, the old cards' buttons gone, the reporter told)."""

    async def hand_over(self, ticket: Ticket, engineer_id: int, by: User, now: datetime) -> Ticket: ...

    async def hand_over_failed(self, ticket: Ticket, engineer_id: int, by: User, now: datetime) -> None: ...


class Chain(Protocol):
    """What the console asks of the dispatcher (`bot.services.dispatch.Dispatcher`)."""

    async def start_chain(self, ticket: Ticket, since: datetime) -> None: ...


class Console:
    def __init__(self, deployment: Deployment, tickets: Tickets, timers: Timers, users: Users, roster: Roster,
                 cards: Cards, notify: Notifier, hand_overs: HandOvers, chain: Chain) -> None:
        self.deployment = deployment
        self.tickets = tickets
        self.timers = timers
        self.users = users
        self.roster = roster
        self.cards = cards
        self.notify = notify
        self.hand_overs = hand_overs
        self.chain = chain

    async def board(self, now: datetime) -> list[tuple[Ticket, Due | None]]:
        """Every open ticket with its next deadline, the soonest (or latest overdue) first, then those
        that owe nothing more."""
        clocks = self.deployment.sla_clocks
        listed = [(ticket, next_due(ticket, now, clocks)) for ticket in await self.tickets.open_tickets()]
        listed.sort(key=lambda item: (item[1] is None, item[1].at if item[1] else now, item[0].number))
        return listed

    async def engineers(self, now: datetime) -> list[Candidate]:
        """The engineers in configuration order, marked with who is on duty now and who can be reached."""
        shift = on_duty(await self.roster.current(now), now)
        return [Candidate(e.id, e.name, e.tier, shift is not None and shift.engineer_id == e.id,
                          await self.reachable(e.id))
                for e in self.deployment.base_roster.engineers.values()]

    async def reachable(self, user_id: int) -> bool:
        """The bot can write to them: they opened a chat with it and have not blocked it (the one rule,
        for the console's list and the engineer's hand-over alike)."""
        user = await self.users.get(user_id)
        return user is not None and not user.blocked

    # ---- the actions (the conversation checked who may, and that the ticket is open) -----------------
    async def assign(self, ticket: Ticket, engineer_id: int, by: User, now: datetime) -> Ticket:
        """The engineer gets the card to accept (a hand-over like any other, the reporter told); the one
        who had it hears it is off their list."""
        previous = ticket.assignee_id
        ticket = await self.hand_overs.hand_over(ticket, engineer_id, by, now)
        if previous is not None and previous != engineer_id:
            await self.notify.tell(previous, t("console.taken_off", number=ticket.number, manager=by.name,
                                               engineer=self.deployment.engineer_name(engineer_id)), now,
                                   ticket=ticket.number)
        return ticket

    async def unreachable(self, ticket: Ticket, engineer_id: int, by: User, now: datetime) -> None:
        """A pick the bot could not deliver: on the ticket's log, and the ticket stays where it is."""
        await self.hand_overs.hand_over_failed(ticket, engineer_id, by, now)

    async def escalate(self, ticket: Ticket, by: User, now: datetime) -> tuple[int, ...] | None:
        """The next step of the chain, now, on behalf of `by`: the engineers it reached (empty: nobody
        could be, and the other managers are told), or None when the ticket no longer waits. A step
        that would only tell the managers is passed over (a manager is escalating), and the chain
        starts again from now."""
        if ticket.status not in WAITING:
            return None
        policy = EscalationPolicy.from_json(ticket.escalation)
        index, _ = steps_taken(ticket, await self.tickets.events(ticket.number))
        index, step = _next_engineer_step(policy, index)
        decision = escalation_step(ticket, await self.roster.current(now), step, index, now,
                                   managers=self.deployment.managers)
        if decision is None:
            return None
        *pings, escalated = decision.events
        escalated = replace(escalated, actor_id=by.id, data={**escalated.data, "requested_by": by.id})
        await self.tickets.update(decision.ticket, [*pings, escalated])
        note = t("console.card_note", manager=by.name)
        for engineer in decision.cards:
            lang = await self.notify.language_of(engineer)
            await self.notify.send(await self.cards.for_engineer(decision.ticket, engineer, lang, now, note=note), now)
        if not decision.cards:
            await self.notify.tell_managers(t("console.nobody_to_escalate_managers", number=ticket.number,
                                              manager=by.name), now, buttons=console_buttons(decision.ticket),
                                            except_for=by.id)
        await self.timers.cancel(ticket.number, [TimerKind.ESCALATE], now)
        await self.chain.start_chain(decision.ticket, now)
        return decision.cards

    async def change_severity(self, ticket: Ticket, severity: Severity, reason: str, by: User,
                              now: datetime) -> Ticket:
        """New deadlines from the SLA policy for the new severity (from the report, on the ticket's tier),
        its escalation chain, the checkpoints planned anew; the assignee and the reporter are told."""
        terms = compute_terms(self.deployment.sla_policy, severity, opened_at=ticket.opened_at, site=ticket.site,
                              reporter_id=ticket.reporter_id, clocks=self.deployment.sla_clocks)
        changed = replace(ticket, severity=severity, sla=terms,
                          escalation=self.deployment.escalation(severity).to_json())
        changed, event = happened(changed, Happening.SEVERITY_CHANGED, actor_id=by.id, at=now, reason=reason,
                                  **{"from": ticket.severity.value, "to": severity.value}, tier=terms.tier,
                                  deadlines={k: v.isoformat() if v else None
                                             for k, v in terms.deadlines.as_dict().items()})
        await self.tickets.replan(changed, [event])
        await self.timers.cancel(ticket.number, [TimerKind.CHECKPOINT], now)
        await self._watch(changed, now)
        if changed.status in WAITING:
            await self.timers.cancel(ticket.number, [TimerKind.ESCALATE], now)
            await self.chain.start_chain(changed, now)
        params = dict(number=ticket.number, old=ticket.severity.value, new=t(f"severity.{severity.value}"),
                      reason=reason, manager=by.name, deadlines=self.deadlines_text(changed, now))
        if changed.assignee_id is not None:
            await self.notify.tell(changed.assignee_id, t("console.severity_engineer", **params), now,
                                   ticket=ticket.number)
        await self.notify.tell_reporter(ticket.reporter_id, ticket.number, t("console.severity_reporter", **params),
                                        now)
        return changed

    async def cancel(self, ticket: Ticket, reason: str, by: User, now: datetime) -> Ticket:
        """Cancelled by the service desk: the chain and the checkpoints stop, every card's buttons die,
        the reporter, the engineer and the duty group hear why (IllegalTransition when it is no longer
        open). Not the ticket desk's `cancel`, which speaks for the reporter who withdrew it."""
        params = dict(number=ticket.number, manager=by.name, reason=reason)
        cancelled = await cancellation.cancel(
            ticket, reason, by.id, now, tickets=self.tickets, timers=self.timers, notify=self.notify,
            duty_chat=self.deployment.config.bot.duty_chat_id,
            engineers_told=t("console.cancelled_engineer", **params))
        await self.notify.tell_reporter(ticket.reporter_id, ticket.number, t("console.cancelled_reporter", **params),
                                        now)
        return cancelled

    def deadlines_text(self, ticket: Ticket, now: datetime) -> Text:
        return t("console.deadlines", **{m: ticket.deadline(m, now, clocks=self.deployment.sla_clocks)
                                         for m in MILESTONES})

    async def _watch(self, ticket: Ticket, now: datetime) -> None:
        """The checkpoints of the new deadlines; a warning for a deadline already past is not worth giving.
        The keys carry the instant, so they never meet the first plan's (keys stay taken once done)."""
        warning_at = self.deployment.config.escalation.sla_warning_at
        deadlines = ticket.sla.deadlines.as_dict()
        for point in checkpoints(ticket.opened_at, deadlines, warning_at):
            deadline = deadlines[point.milestone]
            if ticket.reached(point.milestone) or (point.kind == "warn" and deadline is not None and deadline <= now):
                continue
            await self.timers.schedule(Timer(
                TimerKind.CHECKPOINT, point.due, ticket.number, {"milestone": point.milestone, "kind": point.kind},
                key=f"checkpoint:{ticket.number}:{point.milestone}:{point.kind}:{now.isoformat()}"))


def _next_engineer_step(policy: EscalationPolicy, index: int) -> tuple[int, EscalationStep]:
    """The chain's step at `index` or the first after it that reaches engineers; the backup if none does."""
    for offset in range(len(policy.steps)):
        step = policy.step(index + offset)
        if step.notify != "managers":
            return index + offset, step
    return index, EscalationStep(after=timedelta(0), notify="backup")
