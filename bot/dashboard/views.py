"""What the dashboard's page is sent: the board, a ticket's page, who is asking; plain JSON-ready dicts.

Everything is read from a snapshot (no lock: the bot goes on writing) through the same services the
chat uses (`Console.board` orders tickets as `/open` does, `on_duty` is the roster's one answer to
"who is on duty"), and every text is rendered from `bot/texts` in the viewer's language, so the page
shows nothing the chat would word differently.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.conversation.ticket_page import event_text, names_in
from bot.domain.milestones import Due, next_due
from bot.domain.permissions import Act, Role
from bot.domain.roster import next_handover, on_duty
from bot.domain.sites import site_key
from bot.domain.ticket import Severity, Ticket
from bot.messages import Text, t
from bot.services.deployment import Deployment
from bot.services.wiring import Services
from bot.texts import TEXTS, render

SUMMARY = 80
"""Characters of a description shown on the board."""
HISTORY = 200
"""Events of a ticket's log shown on its page, the latest."""
NEXT_WITHIN = timedelta(days=8)
"""How far ahead the board looks for the next engineer on duty."""


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


class Viewer:
    """Who is looking, in what language: renders texts for them."""

    def __init__(self, user_id: int, name: str, role: Role, lang: str, tz: tzinfo) -> None:
        self.id = user_id
        self.name = name
        self.role = role
        self.lang = lang
        self.tz = tz

    def say(self, text: Text) -> str:
        return render(text, self.lang, self.tz)

    def me(self, now: datetime) -> dict[str, Any]:
        texts = TEXTS.get(self.lang, TEXTS["en"])
        return {"user": {"id": self.id, "name": self.name}, "role": self.role.value, "lang": self.lang,
                "tz": getattr(self.tz, "key", str(self.tz)), "now": now.isoformat(),
                "texts": {key: value for key, value in texts.items()
                          if key.startswith("dashboard.") and isinstance(value, str)}}


def ticket_row(viewer: Viewer, deployment: Deployment, ticket: Ticket, due: Due | None,
               now: datetime) -> dict[str, Any]:
    """A ticket as the board lists it."""
    sites = {site_key(s): s for s in deployment.config.intake.sites}
    summary = " ".join(ticket.description.split())
    return {
        "number": ticket.number,
        "severity": ticket.severity.value,
        "status": ticket.status.value,
        "status_label": viewer.say(t(f"status.{ticket.status.value}")),
        "site": site_key(ticket.site) or None,
        "site_label": sites.get(site_key(ticket.site), ticket.site) if ticket.site else None,
        "room": ticket.room,
        "device": ticket.device_type,
        "device_label": viewer.say(t(f"device.{ticket.device_type}")) if ticket.device_type else None,
        "summary": summary if len(summary) <= SUMMARY else summary[: SUMMARY - 1] + "…",
        "assignee": ({"id": ticket.assignee_id, "name": deployment.engineer_name(ticket.assignee_id)}
                     if ticket.assignee_id is not None else None),
        "opened_at": ticket.opened_at.isoformat(),
        "due": ({"milestone": due.milestone, "milestone_label": viewer.say(t(f"milestone.{due.milestone}")),
                 "at": due.at.isoformat(), "breached": due.at <= now} if due else None),
        "paused": ticket.paused_since is not None,
    }


def selected(ticket: Ticket, site: str | None, device: str | None, severity: str | None) -> bool:
    return ((not site or site_key(ticket.site) == site_key(site))
            and (not device or ticket.device_type == device)
            and (not severity or ticket.severity.value == severity))


async def board(viewer: Viewer, services: Services, now: datetime, *, site: str | None = None,
                device: str | None = None, severity: str | None = None) -> dict[str, Any]:
    """The open tickets by deadline (an engineer's own only), the breaches, who is on duty now and next."""
    deployment = services.deployment
    listed = await services.console.board(now)
    if not sees_all(deployment, viewer):
        listed = [(ticket, due) for ticket, due in listed if ticket.assignee_id == viewer.id]
    rows = [ticket_row(viewer, deployment, ticket, due, now) for ticket, due in listed
            if selected(ticket, site, device, severity)]
    roster = await services.roster.current(now)
    shift = on_duty(roster, now)
    coming = next_handover(roster, now, NEXT_WITHIN)

    def person(engineer_id: int) -> dict[str, Any]:
        return {"id": engineer_id, "name": deployment.engineer_name(engineer_id)}

    devices = sorted({ticket.device_type for ticket, _ in listed if ticket.device_type})
    return {
        "now": now.isoformat(),
        "tickets": rows,
        "breached": sum(1 for row in rows if row["due"] and row["due"]["breached"]),
        "duty": {"now": [person(shift.engineer_id)] if shift and shift.engineer_id is not None else [],
                 "next": {"at": iso(coming.start) if coming else None,
                          "engineers": [person(coming.engineer_id)] if coming and coming.engineer_id is not None
                          else []}},
        "filters": {"sites": [{"key": site_key(s), "label": s} for s in deployment.config.intake.sites],
                    # for the figures' engineer filter: only those who see everyone's tickets get it
                    **({"engineers": [{"key": str(e.id), "label": e.name} for e in deployment.config.engineers]}
                       if sees_all(deployment, viewer) else {}),
                    "devices": [{"key": d, "label": viewer.say(t(f"device.{d}"))} for d in devices],
                    "severities": [level.value for level in Severity]},
    }


async def ticket_page(viewer: Viewer, services: Services, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """A ticket with its log, the actions the viewer may take and the engineers to assign it to."""
    deployment = services.deployment
    events = await services.uow.tickets.events(ticket.number)
    names = await names_in(deployment, services.uow.users, ticket, events)
    row = ticket_row(viewer, deployment, ticket, next_due(ticket, now, deployment.sla_clocks), now)
    row.update(description=ticket.description, reporter={"id": ticket.reporter_id, "name": names[ticket.reporter_id]},
               contact=" ".join(p for p in (ticket.contact_name, ticket.contact_phone) if p) or None,
               asset=ticket.asset_no)
    history = [{"at": e.at.isoformat(), "text": viewer.say(event_text(e, names)),
                "actor": names.get(e.actor_id) if e.actor_id is not None else viewer.say(t("ticket.who.desk"))}
               for e in events[-HISTORY:]]
    may_dispatch = deployment.permissions.allowed(Act.DISPATCH, viewer.role) and ticket.is_open
    engineers = []
    if may_dispatch:
        mine = {}
        for listed, _ in await services.console.board(now):
            if listed.assignee_id is not None:
                mine[listed.assignee_id] = mine.get(listed.assignee_id, 0) + 1
        engineers = [{"id": c.id, "name": c.name, "on_duty": c.on_duty, "reachable": c.reachable,
                      "open": mine.get(c.id, 0)} for c in await services.console.engineers(now)]
    return {"ticket": row, "history": history,
            "actions": ["assign", "escalate", "severity"] if may_dispatch else [], "engineers": engineers}


def sees_all(deployment: Deployment, viewer: Viewer) -> bool:
    """Who dispatches (the managers) sees every open ticket; anyone else on the board only their queue."""
    return deployment.permissions.allowed(Act.DISPATCH, viewer.role)


def seen_by(deployment: Deployment, viewer: Viewer, ticket: Ticket) -> bool:
    """A manager sees every ticket; an engineer those assigned to them (their queue)."""
    return sees_all(deployment, viewer) or ticket.assignee_id == viewer.id
