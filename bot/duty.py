"""Engineers on duty: dispatching a new ticket, escalating when nobody accepts, SLA checkpoints.

Everything here runs inside a transaction handed in by the caller (a Session for a chat update, the
scheduler for a due timer), and every message it causes is written to the outbox in that same
transaction: a crash either keeps the change and its notifications, or neither.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from bot.config import Config
from bot.domain.business_hours import BusinessHoursClock
from bot.domain.escalation import EscalationPolicy, EscalationStep, checkpoints
from bot.domain.roster import DutyRoster, backup_for, candidates, gaps, on_duty
from bot.domain.severity import Severity
from bot.domain.sla import RoundTheClock, SlaClock
from bot.domain.ticket import Action, Happening, Status, Ticket, happened, transition
from bot.domain.timers import Timer
from bot.duty_config import business_clock_from_config, roster_from_config
from bot.holiday_calendar import years_to_flag
from bot.knowledge_base import KnowledgeBase
from bot.messages import Button, Reply, Text, t, verbatim
from storage import UnitOfWork

log = logging.getLogger(__name__)

ROSTER_WINDOW = timedelta(days=62)
WAITING = frozenset({Status.NEW, Status.ASSIGNED, Status.REOPENED})
"""States in which a ticket still waits for an engineer to accept it."""
SPARE_DAYS = 7


async def roster_edits(tx: UnitOfWork) -> dict[str, dict]:  # type: ignore[type-arg]
    """What managers changed from chat: rotation turn orders and local holidays / working days."""
    days = await tx.roster.calendar_days()
    return {
        "rotation_engineers": await tx.roster.rotation_edits(),
        "holidays": {d: name or None for d, (kind, name) in days.items() if kind == "holiday"},
        "workdays": {d: name or None for d, (kind, name) in days.items() if kind == "workday"},
    }


class Duty:
    def __init__(self, config: Config, kb: KnowledgeBase | None = None) -> None:
        self.config = config
        self.kb = kb
        self.base_roster = roster_from_config(config)
        self.business_clock: BusinessHoursClock = business_clock_from_config(config)
        self.sla_clocks: dict[str, SlaClock] = {"24x7": RoundTheClock(), "business": self.business_clock}
        self.managers = tuple(m.id for m in config.managers)

    # ---- the roster as it stands: configuration + edits from chat + overrides ------------------------
    async def roster(self, tx: UnitOfWork, around: datetime) -> DutyRoster:
        overrides = await tx.roster.overrides(around - ROSTER_WINDOW, around + ROSTER_WINDOW)
        return roster_from_config(self.config, overrides, **await roster_edits(tx))

    def policy(self, severity: Severity) -> EscalationPolicy:
        section = self.config.escalation
        steps = getattr(section, severity.value) or section.default
        return EscalationPolicy(tuple(EscalationStep(s.after, s.notify) for s in steps), section.repeat)

    def article_title(self, article_id: str, lang: str) -> str:
        """What the engineer reads for an article the reporter tried: its title, else its id."""
        shown = self.kb.show(article_id, lang) if self.kb is not None else None
        return shown.article.title if shown else article_id

    def engineer_name(self, engineer_id: int | None) -> str:
        info = self.base_roster.engineers.get(engineer_id) if engineer_id is not None else None
        return info.name if info else str(engineer_id)

    # ---- dispatch -------------------------------------------------------------------------------------
    async def dispatch(self, tx: UnitOfWork, ticket: Ticket, now: datetime, *, urgent: bool = False) -> Ticket:
        """Give a new (or reopened) ticket to the engineer on duty, push the card, start the clocks."""
        roster = await self.roster(tx, now)
        offered = candidates(roster, now, ticket.device_type, ticket.site)
        shift = on_duty(roster, now)
        if shift is None:
            ticket, event = happened(ticket, Happening.NOBODY_ON_DUTY, actor_id=None, at=now)
            await tx.tickets.update(ticket, [event])
            await self.tell_managers(tx, t("duty.nobody_on_duty", number=ticket.number,
                                           severity=t(f"severity.{ticket.severity.value}")), now)
        else:
            assignee = shift.engineer_id if shift.engineer_id in offered else offered[0]
            ticket, event = transition(ticket, Action.ASSIGN, actor_id=None, at=now, assignee=assignee,
                                       rotation=shift.rotation, urgent=urgent)
            await tx.tickets.update(ticket, [event])
            await self.push_card(tx, ticket, assignee, now, urgent=urgent)
        await self.push_to_duty_chat(tx, ticket, now)
        await self.schedule_chain(tx, ticket, now)
        if not urgent:
            warning_at = self.config.escalation.sla_warning_at
            for point in checkpoints(ticket.opened_at, ticket.sla.deadlines.as_dict(), warning_at):
                await tx.timers.schedule(Timer("checkpoint", point.due, ticket.number,
                                        {"milestone": point.milestone, "kind": point.kind},
                                        key=f"checkpoint:{ticket.number}:{point.milestone}:{point.kind}"))
        return ticket

    async def schedule_chain(self, tx: UnitOfWork, ticket: Ticket, since: datetime) -> None:
        """Start the escalation chain anew, counted from `since` (a dispatch or a hand-over)."""
        first = EscalationPolicy.from_json(ticket.escalation).due(since, 0)
        if first is not None:
            await tx.timers.schedule(Timer("escalate", first, ticket.number, {"index": 0, "since": since.isoformat()},
                                    key=f"escalate:{ticket.number}:{since.isoformat()}:0"))

    async def push_card(self, tx: UnitOfWork, ticket: Ticket, engineer_id: int, now: datetime, *,
                        urgent: bool = False, note: Text | None = None) -> None:
        lang = await self.language_of(tx, engineer_id)
        card = await self.card(tx, ticket, lang, private=True, now=now)
        heading = note or (t("duty.card.urgent") if urgent else None)
        text = t("duty.card.with_note", note=heading, card=card) if heading else card
        await tx.outbox.enqueue(Reply(engineer_id, text, lang, buttons=self.waiting_buttons(ticket),
                               photos=ticket.photos, ticket=ticket.number), now)
        ticket, event = happened(ticket, Happening.PINGED, actor_id=None, at=now, engineer=engineer_id)
        await tx.tickets.update(ticket, [event])

    async def push_to_duty_chat(self, tx: UnitOfWork, ticket: Ticket, now: datetime) -> None:
        """The duty group sees every ticket, without the reporter's private data or buttons."""
        chat = self.config.bot.duty_chat_id
        if not chat:
            return
        lang = self.config.bot.default_language
        await tx.outbox.enqueue(Reply(chat, await self.card(tx, ticket, lang, private=False, now=now), lang), now)

    def waiting_buttons(self, ticket: Ticket) -> tuple[tuple[Button, ...], ...]:
        return ((Button(t("btn.accept"), f"t:{ticket.number}:accept"),
                 Button(t("btn.decline"), f"t:{ticket.number}:decline")),)

    def work_buttons(self, ticket: Ticket) -> tuple[tuple[Button, ...], ...]:
        """What the assignee can do next, by the ticket's state."""
        n = ticket.number
        if ticket.status is Status.RESOLVED:
            return ()
        first = [Button(t("btn.on_the_way"), f"t:{n}:way")] if ticket.status is Status.ACCEPTED else []
        if ticket.status is Status.ACCEPTED:
            first.append(Button(t("btn.on_site"), f"t:{n}:arrive"))
        part = (Button(t("btn.part_arrived"), f"t:{n}:resume") if ticket.paused_since
                else Button(t("btn.need_part"), f"t:{n}:part"))
        spare = (Button(t("btn.spare_back"), f"t:{n}:spareback") if ticket.spare_due
                 else Button(t("btn.spare"), f"t:{n}:spare"))
        return tuple(row for row in (
            tuple(first), (part, spare),
            (Button(t("btn.hand_over"), f"t:{n}:handover"), Button(t("btn.tier2"), f"t:{n}:tier2")),
            (Button(t("btn.resolve"), f"t:{n}:resolve"),),
        ) if row)

    async def card(self, tx: UnitOfWork, ticket: Ticket, lang: str, *, private: bool, now: datetime) -> Text:
        """The ticket as an engineer needs it on the way: what, where, who, history, deadlines."""
        asset = await tx.assets.get(ticket.asset_no) if ticket.asset_no else None
        history = await tx.tickets.asset_history(ticket.asset_no, ticket.opened_at) if ticket.asset_no else []
        reporter = await tx.users.get(ticket.reporter_id)
        tried = [verbatim(self.article_title(article, lang)) for article in ticket.tried_articles]
        return t(
            "duty.card",
            number=ticket.number, severity=t(f"severity.{ticket.severity.value}"),
            device=verbatim(asset.label) if asset else t(f"device.{ticket.device_type or 'other'}"),
            warranty=t(f"warranty.{asset.warranty_status(now.astimezone(self.config.tz).date())}") if asset else None,
            place=ticket.location or "—", description=ticket.description or t("photos_only"),
            reporter=(reporter.name if reporter else str(ticket.reporter_id)) if private else None,
            phone=ticket.contact_phone if private else None,
            history=[t("duty.history_line", number=h.number, opened=h.opened_at,
                       status=t(f"status.{h.status.value}")) for h in history] or None,
            tried=tried or None, photos=len(ticket.photos),
            respond=ticket.deadline("respond", now), onsite=ticket.deadline("onsite", now),
            resolve=ticket.deadline("resolve", now),
            paused=t("duty.paused", reason=ticket.pause_reason or "") if ticket.paused_since else None,
            spare=ticket.spare_due.isoformat() if ticket.spare_due else None,
            assignee=self.engineer_name(ticket.assignee_id) if ticket.assignee_id else None,
            status=t(f"status.{ticket.status.value}"),
        )

    # ---- notifications --------------------------------------------------------------------------------
    async def language_of(self, tx: UnitOfWork, user_id: int) -> str:
        user = await tx.users.get(user_id)
        return user.language if user else self.config.bot.default_language

    async def tell(self, tx: UnitOfWork, user_id: int, text: Text, now: datetime, **extra: object) -> None:
        await tx.outbox.enqueue(Reply(user_id, text, await self.language_of(tx, user_id), **extra), now)  # type: ignore[arg-type]

    async def tell_managers(self, tx: UnitOfWork, text: Text, now: datetime) -> None:
        for manager in self.managers:
            await self.tell(tx, manager, text, now)

    async def tell_reporter(self, tx: UnitOfWork, ticket: Ticket, text: Text, now: datetime, **extra: object) -> None:
        await self.tell(tx, ticket.reporter_id, text, now, ticket=ticket.number, **extra)

    # ---- timers ---------------------------------------------------------------------------------------
    async def fire(self, tx: UnitOfWork, timer: Timer, now: datetime) -> None:
        """Act on one due timer; the caller has claimed it in this same transaction."""
        if timer.kind == "calendar_check":
            await self.check_calendar(tx, now)
            return
        ticket = await tx.tickets.get(timer.ticket) if timer.ticket else None
        if ticket is None:
            return
        if timer.kind == "escalate":
            await self.escalate(tx, ticket, timer, now)
        elif timer.kind == "checkpoint":
            await self.checkpoint(tx, ticket, timer, now)
        elif timer.kind == "spare_due":
            await self.spare_reminder(tx, ticket, now)
        else:
            log.warning("unknown timer kind %s", timer.kind)

    async def escalate(self, tx: UnitOfWork, ticket: Ticket, timer: Timer, now: datetime,
                       *, declined_by: int | None = None) -> None:
        """One step of the chain; nothing if somebody accepted meanwhile (the race is decided here)."""
        if ticket.status not in WAITING:
            return
        policy = EscalationPolicy.from_json(ticket.escalation)
        index = int(timer.payload.get("index", 0))
        if not policy.steps:
            return
        step = policy.step(index)
        roster = await self.roster(tx, now)
        notified: list[int] = []
        note = t("duty.card.escalated", minutes=int((now - ticket.opened_at).total_seconds() // 60))
        if step.notify in ("backup", "assignee") and ticket.assignee_id and ticket.assignee_id != declined_by:
            await self.push_card(tx, ticket, ticket.assignee_id, now, note=note)
            notified.append(ticket.assignee_id)
        if step.notify == "backup":
            shift = on_duty(roster, now)
            backup = backup_for(roster, now, shift) if shift else None
            if backup is None:
                offered = candidates(roster, now, ticket.device_type, ticket.site)
                backup = next((e for e in offered if e not in (ticket.assignee_id, declined_by)), None)
            if backup is not None and backup not in notified and backup != declined_by:
                await self.push_card(tx, ticket, backup, now, note=note)
                notified.append(backup)
        if step.notify == "tier2":
            for engineer in roster.engineers.values():
                if engineer.tier == 2 and engineer.id not in notified and engineer.id != declined_by:
                    await self.push_card(tx, ticket, engineer.id, now, note=note)
                    notified.append(engineer.id)
        if step.notify == "managers" or not notified:
            await self.tell_managers(tx, t("duty.escalated_to_managers", number=ticket.number,
                                           severity=t(f"severity.{ticket.severity.value}"),
                                           assignee=self.engineer_name(ticket.assignee_id),
                                           opened=ticket.opened_at), now)
            notified.extend(self.managers)
        ticket = await tx.tickets.get(ticket.number) or ticket
        ticket, event = happened(ticket, Happening.ESCALATED, actor_id=declined_by, at=now, step=index,
                                 notify=step.notify, notified=notified)
        await tx.tickets.update(ticket, [event])
        since = datetime.fromisoformat(timer.payload.get("since", now.isoformat()))
        following = policy.due(since, index + 1)
        if following is not None:
            await tx.timers.schedule(Timer("escalate", max(following, now), ticket.number,
                                    {"index": index + 1, "since": since.isoformat()},
                                    key=f"escalate:{ticket.number}:{since.isoformat()}:{index + 1}"))

    async def checkpoint(self, tx: UnitOfWork, ticket: Ticket, timer: Timer, now: datetime) -> None:
        milestone, kind = timer.payload["milestone"], timer.payload["kind"]
        if ticket.status is Status.CANCELLED or ticket.reached(milestone) is not None:
            return
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            return
        deadline = ticket.deadline(milestone, now)
        if deadline is None:
            return
        if kind == "breach" and deadline > now:  # a pause moved the deadline: check again then
            await tx.timers.schedule(Timer("checkpoint", deadline, ticket.number, timer.payload,
                                    key=f"checkpoint:{ticket.number}:{milestone}:breach:{deadline.isoformat()}"))
            return
        what = Happening.WARNED if kind == "warn" else Happening.BREACHED
        ticket, event = happened(ticket, what, actor_id=None, at=now, milestone=milestone)
        await tx.tickets.update(ticket, [event])
        text = t(f"duty.{kind}", number=ticket.number, milestone=t(f"milestone.{milestone}"), deadline=deadline)
        if kind == "warn" and ticket.assignee_id:
            await self.tell(tx, ticket.assignee_id, text, now)
        elif kind == "breach":
            await self.tell_managers(tx, text, now)
            if ticket.assignee_id:
                await self.tell(tx, ticket.assignee_id, text, now)

    async def spare_reminder(self, tx: UnitOfWork, ticket: Ticket, now: datetime) -> None:
        if ticket.spare_due is None:
            return
        text = t("duty.spare_due", number=ticket.number, due=ticket.spare_due.isoformat())
        if ticket.assignee_id:
            await self.tell(tx, ticket.assignee_id, text, now)
        await self.tell_managers(tx, text, now)

    def spare_due_date(self, today: date) -> date:
        """7 working days from today, by the holiday calendar (domain.md: the unit back within 7)."""
        day, counted = today, 0
        while counted < SPARE_DAYS:
            day += timedelta(days=1)
            if self.base_roster.calendar.is_working_day(day):
                counted += 1
        return day

    async def schedule_spare_reminder(self, tx: UnitOfWork, ticket: Ticket, due: date) -> None:
        reminder_day = due - timedelta(days=1)
        at = datetime.combine(reminder_day, time(9), tzinfo=self.config.tz)
        await tx.timers.schedule(Timer("spare_due", at, ticket.number, {"due": due.isoformat()},
                                key=f"spare:{ticket.number}:{due.isoformat()}"))

    # ---- the roster's health ----------------------------------------------------------------------------
    async def check_calendar(self, tx: UnitOfWork, now: datetime) -> None:
        """Warn the managers, once per year, when the next 60 days reach a year the calendar lacks."""
        today = now.astimezone(self.config.tz).date()
        if self.config.business_hours.calendar == "CN":
            for year in years_to_flag(self.base_roster.calendar, today):
                if await tx.notices.once(f"calendar-year:{year}", now):
                    await self.tell_managers(tx, t("duty.unknown_year", year=year), now)
        tomorrow = datetime.combine(today + timedelta(days=1), time(8), tzinfo=self.config.tz)
        await tx.timers.schedule(Timer("calendar_check", tomorrow, None, {}, key=f"calendar_check:{tomorrow.date()}"))

    async def report_gaps(self, tx: UnitOfWork, now: datetime, days: int = 30) -> int:
        """Tell the managers about every stretch nobody is on duty for, once per stretch."""
        roster = await self.roster(tx, now)
        found = 0
        for start, end in gaps(roster, now, now + timedelta(days=days)):
            if await tx.notices.once(f"gap:{start.isoformat()}:{end.isoformat()}", now):
                found += 1
                await self.tell_managers(tx, t("duty.gap", start=start, end=end), now)
        return found

    async def next_escalation_index(self, tx: UnitOfWork, ticket: Ticket) -> tuple[int, datetime]:
        """Where the chain stands: steps taken since the latest dispatch, and when that was."""
        events = await tx.tickets.events(ticket.number)
        last_assign = max((i for i, e in enumerate(events) if e.kind in ("assign", "reopen")), default=-1)
        since = events[last_assign].at if last_assign >= 0 else ticket.opened_at
        taken = sum(1 for e in events[last_assign + 1:] if e.kind == Happening.ESCALATED.value)
        return taken, since

    async def escalate_now(self, tx: UnitOfWork, ticket: Ticket, now: datetime, declined_by: int) -> None:
        """"Can't take": the next step of the chain runs at once instead of at its time."""
        index, since = await self.next_escalation_index(tx, ticket)
        await tx.timers.cancel(ticket.number, ["escalate"], now)
        timer = Timer("escalate", now, ticket.number, {"index": index, "since": since.isoformat()})
        await self.escalate(tx, ticket, timer, now, declined_by=declined_by)
