"""A ticket's page: what `/status HD-…` and the 🎫 buttons of `/my` show.

One message that answers what a reporter (or an engineer picking the ticket up) asks about it: where
it stands, who has it, how much time each promise has left or how late it is, whether the clock is
paused, what happened so far and by whom (the last lines of the audit log, in the deployment's time
zone), how it was fixed, and a spare machine to give back. The page is built from the stored ticket
and its events alone, so it can never say something the record does not. Its buttons are what the
viewer may do next: the reporter adds information, answers a question or cancels; the assignee opens
the card.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.callbacks import CancelTicket, TicketAction, TicketThread
from bot.conversation.session import Session
from bot.domain.milestones import MILESTONES, approximate_years
from bot.domain.permissions import Act
from bot.domain.severity import Severity
from bot.domain.sla import ROUND_THE_CLOCK, SlaClock
from bot.domain.ticket import Happening, Status, Ticket, TicketEvent
from bot.messages import Button, Text, t, verbatim
from bot.services.deployment import Deployment
from storage.ports import Users

HISTORY_SHOWN = 15
"""The last lines of the audit log on the page: enough to see how it went, short enough to read."""
SHORT = 80
"""What a history line keeps of a typed text (a note, a question): the full text is on the ticket."""
_PLAIN = frozenset({"opened", "accept", "arrive", "close", "on_the_way", "need_part", "resumed",
                    "spare_returned", "nobody_on_duty", "reporter_confirmed"})
"""Kinds of event whose history line needs no detail."""
_WHOM = frozenset({"backup", "assignee", "tier2", "managers"})

Buttons = tuple[tuple[Button, ...], ...]


async def show(s: Session, ticket: Ticket) -> None:
    """Say the ticket's page to the viewer, with the buttons that fit them."""
    events = await s.uow.tickets.events(ticket.number)
    if s.user.id not in s.deployment.staff:  # the staff's notes in the ticket's topic are theirs alone
        events = [e for e in events if e.kind != Happening.STAFF_NOTE]
    names = await _names(s, ticket, events)
    await s.say(page(s, ticket, events, names), buttons=buttons(s, ticket, events))


def page(s: Session, ticket: Ticket, events: list[TicketEvent], names: dict[int, str]) -> Text:
    lines: list[Text | None] = [
        t("ticket.line.severity", severity=t(f"severity.{ticket.severity.value}")),
        t("ticket.line.problem", description=ticket.description or t("photos_only")),
        t("ticket.line.device", device=t(f"device.{ticket.device_type or 'other'}"), asset=ticket.asset_no or "—"),
        t("ticket.line.place", place=ticket.location or "—"),
        _engineer(s, ticket),
        t("ticket.line.photos", count=len(ticket.photos)) if ticket.photos else None,
        t("ticket.line.opened", at=ticket.opened_at),
        *(_deadline(ticket, milestone, s.now, s.deployment.sla_clocks) for milestone in MILESTONES),
        _approximate(ticket, s.deployment.sla_clocks),
        *(_pause(ticket, start, end, s.now, s.deployment.sla_clocks) for start, end in ticket.pauses),
        t("ticket.line.resolution", note=ticket.resolution) if ticket.resolution else None,
        t("ticket.line.parts", parts=ticket.parts) if ticket.parts else None,
        t("ticket.line.spare", due=ticket.spare_due.isoformat()) if ticket.spare_due else None,
        t("ticket.line.cancelled", reason=ticket.cancel_reason) if ticket.cancel_reason else None,
    ]
    question = open_question(events) if ticket.is_open else None
    if question is not None:
        lines.append(t("ticket.line.question", engineer=_name(names, question.actor_id),
                       question=_short(str(question.data.get("question", "")))))
    lines.append(t("ticket.line.history"))
    if len(events) > HISTORY_SHOWN:
        lines.append(t("ticket.line.history_more", count=len(events) - HISTORY_SHOWN))
    lines += [t("ticket.event", at=e.at, who=_name(names, e.actor_id), what=event_text(e, names))
              for e in events[-HISTORY_SHOWN:]]
    return t("ticket.page", number=ticket.number, status=t(f"status.{ticket.status.value}"),
             lines=[line for line in lines if line is not None])


def buttons(s: Session, ticket: Ticket, events: list[TicketEvent]) -> Buttons:
    """The reporter: add information, answer the open question, cancel; the assignee: the card."""
    if not ticket.is_open:
        return ()
    role, allowed = s.role_for(ticket), s.deployment.permissions.allowed
    found: list[tuple[Button, ...]] = []
    if allowed(Act.ADD_INFO, role):
        row = [Button(t("ticket.btn.add_info"), TicketThread(ticket.number, "info").pack())]
        if allowed(Act.CANCEL, role):
            row.append(Button(t("ticket.btn.cancel"), CancelTicket(ticket.number).pack()))
        found.append(tuple(row))
        question = open_question(events)
        if question is not None:
            found.append((Button(t("ticket.btn.answer"),
                                 TicketThread(ticket.number, f"a{question.data.get('n')}").pack()),))
    if ticket.assignee_id == s.user.id and allowed(Act.WORK, role):
        found.append((Button(t("ticket.btn.card"), TicketAction(ticket.number, "card").pack()),))
    return tuple(found)


def open_question(events: list[TicketEvent]) -> TicketEvent | None:
    """The latest question of the engineer the reporter has not answered yet."""
    answered = {e.data.get("n") for e in events if e.kind == Happening.QUESTION_ANSWERED}
    return next((e for e in reversed(events)
                 if e.kind == Happening.QUESTION_ASKED and e.data.get("n") not in answered), None)


def duration(delta: timedelta) -> Text:
    return t("duration", minutes=max(0, int(delta.total_seconds() // 60)))


# ---- the lines ---------------------------------------------------------------------------------------
def _engineer(s: Session, ticket: Ticket) -> Text:
    if ticket.assignee_id is None:
        return t("ticket.line.no_engineer")
    info = s.deployment.engineer(ticket.assignee_id)
    working = ticket.status in (Status.ACCEPTED, Status.ON_SITE)  # the reporter was given the number then
    return t("ticket.line.engineer", engineer=s.deployment.engineer_name(ticket.assignee_id),
             phone=info.phone if info and info.phone and working else None)


def _deadline(ticket: Ticket, milestone: str, now: datetime, clocks: Mapping[str, SlaClock]) -> Text | None:
    """A promise with what is left, how late it is, or when it was kept."""
    deadline = ticket.deadline(milestone, now, clocks=clocks)
    if deadline is None:
        return None
    reached = ticket.reached(milestone)
    if reached is not None:
        state = (t("ticket.state.met_late", at=reached, late=duration(reached - deadline))
                 if reached - deadline >= timedelta(minutes=1) else t("ticket.state.met", at=reached))
    elif not ticket.is_open:
        state = t("ticket.state.not_reached")
    elif now <= deadline:
        state = t("ticket.state.left", left=duration(deadline - now))
    else:
        state = t("ticket.state.late", late=duration(now - deadline))
    return t("ticket.line.deadline", milestone=t(f"ticket.milestone.{milestone}"), deadline=deadline, state=state)


def _approximate(ticket: Ticket, clocks: Mapping[str, SlaClock]) -> Text | None:
    years = approximate_years(ticket, clocks)
    return t("ticket.line.approximate", years=", ".join(map(str, years))) if years else None


def _pause(ticket: Ticket, start: datetime, end: datetime | None, now: datetime,
           clocks: Mapping[str, SlaClock]) -> Text:
    """A pause, with the service time it held the clock back on the ticket's own clock (on 5×8, only
    the open hours it covered: what moved the deadlines)."""
    clock = clocks.get(ticket.sla.clock, ROUND_THE_CLOCK)
    held = duration(clock.business_time_between(start, min(end or now, now)))
    if end is not None:
        return t("ticket.line.paused", start=start, end=end, held=held)
    return t("ticket.line.paused_now", start=start, reason=_pause_reason(ticket.pause_reason), held=held)


def _pause_reason(reason: object) -> Text:
    return t("ticket.pause.part") if reason == "part" else verbatim(str(reason or "—"))


# ---- the history ---------------------------------------------------------------------------------------
async def _names(s: Session, ticket: Ticket, events: list[TicketEvent]) -> dict[int, str]:
    return await names_in(s.deployment, s.uow.users, ticket, events)


async def names_in(deployment: Deployment, users: Users, ticket: Ticket, events: list[TicketEvent]) -> dict[int, str]:
    """Everybody the history names, as others know them: engineers and managers by their configured
    names, reporters by their Telegram names (this page's and the dashboard's)."""
    managers = {m.id: m.name for m in deployment.config.managers}
    ids = {ticket.reporter_id, *(e.actor_id for e in events if e.actor_id is not None)}
    ids |= {int(v) for e in events for k, v in e.data.items()
            if k in ("assignee", "engineer", "chat") and isinstance(v, int)}
    names: dict[int, str] = {}
    for who in ids:
        if deployment.engineer(who) is not None:
            names[who] = deployment.engineer_name(who)
        elif who in managers:
            names[who] = managers[who]
        else:
            user = await users.get(who)
            names[who] = user.name if user else str(who)
    return names


def _name(names: dict[int, str], who: object) -> Text:
    if not isinstance(who, int):
        return t("ticket.who.desk")
    return verbatim(names.get(who, str(who)))


def event_text(event: TicketEvent, names: dict[int, str]) -> Text:
    """What one event of the audit log says, in words (the ticket's page here, the dashboard's too)."""
    kind, d = event.kind, event.data
    if kind in _PLAIN:
        return t(f"ticket.ev.{kind}")
    if kind == "assign":
        key = "ticket.ev.handed_over" if d.get("handed_over_by") else "ticket.ev.assign"
        return t(key, engineer=_name(names, d.get("assignee")))
    if kind in ("pinged", "handover_failed"):
        return t(f"ticket.ev.{kind}", engineer=_name(names, d.get("engineer", d.get("assignee"))))
    if kind == "resolve":
        return t("ticket.ev.resolve", note=_short(d.get("resolution")))
    if kind in ("reopen", "cancel"):
        return t(f"ticket.ev.{kind}", reason=_short(d.get("reason")))
    if kind == "declined":
        return t("ticket.ev.declined_reason", reason=_short(d["reason"])) if d.get("reason") else \
            t("ticket.ev.declined")
    if kind == "escalated":
        notify = str(d.get("notify", "managers"))
        return t("ticket.ev.escalated", whom=t(f"ticket.whom.{notify}") if notify in _WHOM else verbatim(notify))
    if kind == "paused":
        return t("ticket.ev.paused", reason=_pause_reason(d.get("reason")))
    if kind == "spare_lent":
        return t("ticket.ev.spare_lent", due=d.get("due"))
    if kind in ("warned", "breached"):
        return t(f"ticket.ev.{kind}", milestone=t(f"milestone.{d.get('milestone', 'resolve')}"))
    if kind == "delivery_failed":
        return t("ticket.ev.delivery_failed", who=_name(names, d.get("chat")))
    if kind == "severity_changed":
        level = str(d.get("to") or d.get("severity") or "")
        shown = t(f"severity.{level}") if level in Severity.__members__ else verbatim(level or "—")
        return t("ticket.ev.severity_changed", severity=shown, reason=_short(d.get("reason")))
    if kind == "info_added":
        return t("ticket.ev.info_added", text=_short(d["text"])) if d.get("text") else t("ticket.ev.info_photo")
    if kind == "complaint_answered":
        return t("ticket.ev.complaint_answered", answer=_short(d.get("answer")))
    if kind in ("staff_note", "staff_reply"):
        return t(f"ticket.ev.{kind}", text=_short(d["text"]) if d.get("text") else "📷")
    if kind == "question_asked":
        return t("ticket.ev.question_asked", question=_short(d.get("question")))
    if kind == "question_answered":
        return t("ticket.ev.question_answered", answer=_short(d.get("answer")) if d.get("answer") else "📷")
    return t("ticket.ev.other", kind=kind)


def _short(text: object, limit: int = SHORT) -> str | None:
    if not text:
        return None
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
