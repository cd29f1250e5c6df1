"""The board's actions: assign, escalate, change severity — the dispatcher's console's service calls.

Each is one unit of work over `bot.services.console.Console`, exactly as the chat's console makes it
(`bot.conversation.console`): the same checks in the same order, the same audit-log events with the
manager as their actor, the same notifications to the engineer and the reporter (queued in the same
transaction, delivered by the courier), and the same texts for what is refused. An `Outcome` is what
the page is told: a text in the manager's language, and whether it was done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.dispatch import WAITING
from bot.domain.people import User
from bot.domain.permissions import Act, Role
from bot.domain.severity import Severity
from bot.domain.text import has_words
from bot.domain.ticket import IllegalTransition, Ticket
from bot.messages import Text, t, verbatim
from bot.services.wiring import Services

MAX_REASON = 500
"""As long as a reason typed in the chat's console may be."""


@dataclass(frozen=True)
class Outcome:
    done: bool
    message: Text
    ticket: Ticket | None = None


def _refused(message: Text) -> Outcome:
    return Outcome(False, message)


def check(services: Services, role: Role, user_id: int, ticket: Ticket | None, number: str) -> Outcome | None:
    """Why nothing can be done to this ticket by this person (None: go on), as the chat says it."""
    if (reason := services.deployment.permissions.refusal(Act.DISPATCH, role, user_id, number)) is not None:
        return _refused(t(reason))
    if ticket is None:
        return _refused(t("dashboard.error.no_ticket", number=number))
    if not ticket.is_open:
        return _refused(t("console.not_open", number=ticket.number, status=t(f"status.{ticket.status.value}")))
    return None


async def assign(services: Services, ticket: Ticket, engineer_id: int, by: User, now: datetime) -> Outcome:
    deployment = services.deployment
    if engineer_id not in deployment.base_roster.engineers:
        return _refused(t("dashboard.error.no_engineer"))
    name = deployment.engineer_name(engineer_id)
    if engineer_id == ticket.assignee_id:
        return _refused(t("console.already_theirs", number=ticket.number, engineer=name))
    if not await services.console.reachable(engineer_id):  # the card would fail silently: the ticket stays
        await services.console.unreachable(ticket, engineer_id, by, now)
        return _refused(t("console.unreachable", number=ticket.number, engineer=name))
    try:
        changed = await services.console.assign(ticket, engineer_id, by, now)
    except IllegalTransition as illegal:
        return _refused(t("console.not_open", number=ticket.number, status=t(f"status.{illegal.status.value}")))
    return Outcome(True, t("console.assigned", number=ticket.number, engineer=name), changed)


async def escalate(services: Services, ticket: Ticket, by: User, now: datetime) -> Outcome:
    if ticket.status not in WAITING:
        return _refused(t("console.cannot_escalate", number=ticket.number, status=t(f"status.{ticket.status.value}")))
    reached = await services.console.escalate(ticket, by, now)
    if reached is None:
        return _refused(t("console.cannot_escalate", number=ticket.number, status=t(f"status.{ticket.status.value}")))
    if not reached:
        return Outcome(True, t("console.nobody_to_escalate", number=ticket.number), await services.uow.tickets.get(
            ticket.number))
    names = ", ".join(services.deployment.engineer_name(e) for e in reached)
    return Outcome(True, t("console.escalated", number=ticket.number, engineers=verbatim(names)),
                   await services.uow.tickets.get(ticket.number))


async def change_severity(services: Services, ticket: Ticket, level: str, reason: str, by: User,
                          now: datetime) -> Outcome:
    if level not in Severity.__members__:
        return _refused(t("dashboard.error.bad_severity"))
    severity = Severity(level)
    if severity is ticket.severity:
        return _refused(t("console.same_severity", number=ticket.number, severity=severity.value))
    reason = " ".join(reason.split())
    if not has_words(reason) or len(reason) > MAX_REASON:
        return _refused(t("console.bad_reason", limit=MAX_REASON))
    old = ticket.severity
    changed = await services.console.change_severity(ticket, severity, reason, by, now)
    return Outcome(True, t("console.severity_changed", number=ticket.number, old=old.value, new=severity.value,
                           deadlines=services.console.deadlines_text(changed, now)), changed)
