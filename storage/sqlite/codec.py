"""How domain objects become rows and back: the one place that knows the SQLite representation.

Instants are stored as fixed-width UTC text, so string order is time order and an index on a
timestamp column answers range queries.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import asdict, fields
from datetime import UTC, date, datetime
from typing import Any

from bot.domain.assets import Asset
from bot.domain.followup import Answer as FollowUpAnswer
from bot.domain.followup import FollowUp, FollowUpState
from bot.domain.intake import Draft
from bot.domain.people import User
from bot.domain.severity import Severity
from bot.domain.sla import Deadlines, Pause, SlaTerms
from bot.domain.ticket import Status, Ticket, TicketEvent

_SEVERITIES = {level.value: level for level in Severity}
_STATUSES = {status.value: status for status in Status}
_FOLLOWUP_STATES = {state.value: state for state in FollowUpState}
"""Enum members by value: `Severity(text)` goes through Enum's metaclass, 2 µs a call, a second
for a year's report, where a dict lookup takes a tenth of it."""


def shared(text: str | None) -> str | None:
    """One string object for a value many rows repeat (a site, a device type, an event's kind):
    a year's report holds 100,000 tickets and half a million log lines, each with its own copy of
    every column as SQLite returns them. Only for short values from a small set, never free text."""
    return sys.intern(text) if text is not None else None


def json_list(text: str) -> tuple[Any, ...]:
    """A JSON array column as a tuple; "[]", what nearly every row holds, without a parse."""
    return () if text == "[]" else tuple(json.loads(text))


def json_object(text: str) -> dict[str, Any]:
    """A JSON object column; "{}", what nearly every row holds, without a parse (a new dict each time)."""
    return {} if text == "{}" else json.loads(text)


def ts(instant: datetime) -> str:
    """UTC instants as fixed-width text, so that string order is time order."""
    if instant.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass a timezone-aware instant")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_ts(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text)  # what ts() wrote, "Z" and all; 50 times faster than strptime


def opt_ts(instant: datetime | None) -> str | None:
    return ts(instant) if instant else None


def pauses_to_json(pauses: tuple[Pause, ...]) -> str:
    """The SLA pauses as a JSON list of [start, end|null] instants in ts() form (the `pauses` column)."""
    return json.dumps([[ts(start), opt_ts(end)] for start, end in pauses])


def pauses_from_json(text: str) -> tuple[Pause, ...]:
    if text == "[]":  # most tickets never pause: skip the parse on a report's 100,000 rows
        return ()
    return tuple((from_ts(start), from_ts(end)) for start, end in json.loads(text))  # type: ignore[misc]


def user_from_row(row: sqlite3.Row) -> User:
    return User(
        id=row["id"], name=row["name"], language=row["language"], role=row["role"],
        username=row["username"], blocked=bool(row["blocked"]), last_site=row["last_site"],
        last_room=row["last_room"], last_phone=row["last_phone"],
        awaiting=json.loads(row["awaiting"]) if row["awaiting"] else None,
    )


def asset_from_row(row: sqlite3.Row) -> Asset:
    return Asset(
        asset_no=row["asset_no"], device_type=row["device_type"], site=row["site"],
        department=row["department"], user=row["user_name"], brand=row["brand"],
        model=row["model"], warranty=row["warranty"],
        production_date=date.fromisoformat(row["production_date"]) if row["production_date"] else None,
        serial=row["serial"], ip=row["ip"], os=row["os"], core=bool(row["core"]),
        retired=date.fromisoformat(row["retired"]) if row["retired"] else None,
    )


def ticket_columns(ticket: Ticket) -> dict[str, Any]:
    """The ticket as table columns.

    `pauses` is the record of the SLA pauses; `paused_since` and `paused_seconds` (the columns before
    schema 7) are still written, from it, for whoever reads the table directly, and never read back."""
    d = ticket.sla.deadlines
    return {
        "number": ticket.number, "reporter_id": ticket.reporter_id, "status": ticket.status.value,
        "severity": ticket.severity.value, "description": ticket.description,
        "photos": json.dumps(list(ticket.photos)), "device_type": ticket.device_type,
        "asset_no": ticket.asset_no, "site": ticket.site, "room": ticket.room,
        "contact_phone": ticket.contact_phone, "contact_name": ticket.contact_name,
        "sla_tier": ticket.sla.tier, "sla_clock": ticket.sla.clock, "respond_by": opt_ts(d.respond_by),
        "onsite_by": opt_ts(d.onsite_by), "resolve_by": opt_ts(d.resolve_by),
        "cancel_reason": ticket.cancel_reason, "opened_at": ts(ticket.opened_at),
        "updated_at": ts(ticket.updated_at or ticket.opened_at),
        "tried_articles": json.dumps(list(ticket.tried_articles)), "assignee_id": ticket.assignee_id,
        "escalation": json.dumps(ticket.escalation), "dispatched_at": opt_ts(ticket.dispatched_at),
        "accepted_at": opt_ts(ticket.accepted_at), "arrived_at": opt_ts(ticket.arrived_at),
        "resolved_at": opt_ts(ticket.resolved_at), "pauses": pauses_to_json(ticket.pauses),
        "paused_since": opt_ts(ticket.paused_since), "paused_seconds": ticket.paused_seconds,
        "pause_reason": ticket.pause_reason,
        "spare_due": ticket.spare_due.isoformat() if ticket.spare_due else None,
        "resolution": ticket.resolution, "parts": ticket.parts, "source": ticket.source,
    }


FROZEN_COLUMNS = ("number", "reporter_id", "opened_at", "sla_tier", "sla_clock", "respond_by", "onsite_by",
                  "resolve_by", "escalation")
"""What a ticket was promised when it opened never changes (the audit log's triggers agree)."""


def ticket_from_row(row: sqlite3.Row) -> Ticket:
    return Ticket(
        number=row["number"], reporter_id=row["reporter_id"], description=row["description"],
        severity=_SEVERITIES[row["severity"]], opened_at=from_ts(row["opened_at"]),  # type: ignore[arg-type]
        sla=SlaTerms(
            tier=shared(row["sla_tier"]), clock=shared(row["sla_clock"]),  # type: ignore[arg-type]
            deadlines=Deadlines(from_ts(row["respond_by"]), from_ts(row["onsite_by"]), from_ts(row["resolve_by"])),
        ),
        status=_STATUSES[row["status"]], photos=json_list(row["photos"]),
        device_type=shared(row["device_type"]), asset_no=shared(row["asset_no"]), site=shared(row["site"]),
        room=shared(row["room"]), contact_phone=shared(row["contact_phone"]), contact_name=shared(row["contact_name"]),
        cancel_reason=row["cancel_reason"], updated_at=from_ts(row["updated_at"]),
        tried_articles=json_list(row["tried_articles"]), assignee_id=row["assignee_id"],
        escalation=json_object(row["escalation"]), dispatched_at=from_ts(row["dispatched_at"]),
        accepted_at=from_ts(row["accepted_at"]), arrived_at=from_ts(row["arrived_at"]),
        resolved_at=from_ts(row["resolved_at"]), pauses=pauses_from_json(row["pauses"]),
        pause_reason=shared(row["pause_reason"]),
        spare_due=date.fromisoformat(row["spare_due"]) if row["spare_due"] else None,
        resolution=row["resolution"], parts=shared(row["parts"]), source=shared(row["source"]),  # type: ignore[arg-type]
    )


def event_from_row(row: sqlite3.Row) -> TicketEvent:
    return TicketEvent(at=from_ts(row["at"]), actor_id=row["actor_id"], kind=shared(row["kind"]),  # type: ignore[arg-type]
                       data=json_object(row["data"]))


def followup_from_row(row: sqlite3.Row) -> FollowUp:
    return FollowUp(
        ticket=row["number"], reporter_id=row["reporter_id"], state=_FOLLOWUP_STATES[row["state"]],
        due_at=from_ts(row["due_at"]), sent_at=from_ts(row["sent_at"]),  # type: ignore[arg-type]
        reminded_at=from_ts(row["reminded_at"]), expires_at=from_ts(row["expires_at"]),
        answer=FollowUpAnswer(row["answer"]) if row["answer"] else None,
        answered_at=from_ts(row["answered_at"]), rating=row["rating"], rated_at=from_ts(row["rated_at"]),
        comment=row["comment"],
    )


def draft_to_json(draft: Draft) -> str:
    data = asdict(draft)
    data["started_at"] = ts(draft.started_at)
    data["severity"] = draft.severity.value if draft.severity else None
    return json.dumps(data, ensure_ascii=False)


def draft_from_json(text: str) -> Draft:
    data = json.loads(text)
    known = {f.name for f in fields(Draft)}
    data = {k: v for k, v in data.items() if k in known}
    data["started_at"] = from_ts(data["started_at"])
    data.update({key: tuple(value) for key, value in data.items() if isinstance(value, list)})
    data["severity"] = Severity(data["severity"]) if data.get("severity") else None
    return Draft(**data)
