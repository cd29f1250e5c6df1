"""Who may do what: one table, consulted by every handler, tested cell by cell through the chat.

Roles are relative to a ticket: the same engineer is the *assignee* of one ticket and just an
*engineer* for another; a reporter is the *reporter* of their own ticket and *another reporter* for
someone else's. A *stranger* has never talked to the desk before. Staff roles come from the
configuration, never from anything a user can send. A deployment may grant more than the defaults
(`[duty] engineers_may_swap`): that is a changed table, built once from the configuration
(`bot.services.deployment.permissions`), so there is still exactly one place that decides.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

log = logging.getLogger("bot.permissions")


class Role(StrEnum):
    STRANGER = "stranger"
    REPORTER = "reporter"
    OTHER_REPORTER = "other_reporter"
    ENGINEER = "engineer"
    ASSIGNEE = "assignee"
    MANAGER = "manager"


class Act(StrEnum):
    ACCEPT = "accept"
    WORK = "work"                  # on my way, on site, need a part, spare machine: the assignee's steps
    RESOLVE = "resolve"
    HAND_OVER = "hand_over"
    SEE_QUEUE = "see_queue"        # /queue: one's open tickets by deadline
    SEE_DUTY_PHONES = "see_duty_phones"  # /oncall shows the engineers' phone numbers (to others: names only)
    SWAP_SHIFTS = "swap_shifts"    # /cover and /swap: who is on duty when
    EDIT_ROSTER = "edit_roster"    # /holiday and /rotation: the calendar and the turn orders
    EDIT_KB = "edit_kb"
    REPORT = "report"
    EXPORT = "export"
    HANDLE_COMPLAINTS = "handle_complaints"
    SEE_TICKET = "see_ticket"
    RATE = "rate"
    CANCEL = "cancel"
    ADD_INFO = "add_info"          # a line or a photo added to one's open ticket, an answer to the engineer
    DISPATCH = "dispatch"          # /open and the console: assign, escalate, re-grade or cancel any ticket
    INSPECT = "inspect"            # record an inspection visit's checklist: its engineer (or a manager)


_STAFF_ON_TICKET = frozenset({Role.ASSIGNEE, Role.MANAGER})
_STAFF = frozenset({Role.ENGINEER, Role.ASSIGNEE, Role.MANAGER})

PERMISSIONS: Mapping[Act, frozenset[Role]] = MappingProxyType({
    Act.ACCEPT: frozenset({Role.ENGINEER, Role.ASSIGNEE}),
    Act.WORK: _STAFF_ON_TICKET,
    Act.RESOLVE: _STAFF_ON_TICKET,
    Act.HAND_OVER: _STAFF_ON_TICKET,
    Act.SEE_QUEUE: _STAFF,
    Act.SEE_DUTY_PHONES: _STAFF,
    Act.SWAP_SHIFTS: frozenset({Role.MANAGER}),
    Act.EDIT_ROSTER: frozenset({Role.MANAGER}),
    Act.EDIT_KB: _STAFF,
    Act.REPORT: frozenset({Role.MANAGER}),
    Act.EXPORT: frozenset({Role.MANAGER}),
    Act.HANDLE_COMPLAINTS: frozenset({Role.MANAGER}),
    Act.SEE_TICKET: frozenset({Role.REPORTER, Role.ENGINEER, Role.ASSIGNEE, Role.MANAGER}),
    Act.RATE: frozenset({Role.REPORTER}),
    Act.CANCEL: frozenset({Role.REPORTER}),
    Act.ADD_INFO: frozenset({Role.REPORTER}),
    Act.DISPATCH: frozenset({Role.MANAGER}),
    Act.INSPECT: _STAFF_ON_TICKET,
})
"""act → the roles allowed to do it by default. Everything else is refused with REFUSALS[act]."""

REFUSALS: Mapping[Act, str] = MappingProxyType({
    Act.ACCEPT: "duty.only_engineers",
    Act.WORK: "duty.not_yours",
    Act.RESOLVE: "duty.not_yours",
    Act.HAND_OVER: "duty.not_yours",
    Act.SEE_QUEUE: "duty.only_engineers",
    Act.SEE_DUTY_PHONES: "duty.only_engineers",
    Act.SWAP_SHIFTS: "duty.only_managers",
    Act.EDIT_ROSTER: "duty.only_managers",
    Act.EDIT_KB: "kb.not_allowed",
    Act.REPORT: "report.only_managers",
    Act.EXPORT: "report.only_managers",
    Act.HANDLE_COMPLAINTS: "followup.only_managers",
    Act.SEE_TICKET: "ticket_not_found",
    Act.RATE: "followup.not_yours",
    Act.CANCEL: "ticket_not_found",
    Act.ADD_INFO: "ticket_not_found",
    Act.DISPATCH: "console.only_managers",
    Act.INSPECT: "inspection.not_yours",
})
"""act → the text that says why it was refused (seeing a ticket one may not see reads as "not found")."""


def role_of(staff_role: str, user_id: int, *, known: bool, reporter_id: int | None = None,
            assignee_id: int | None = None) -> Role:
    """A person's role for one ticket (or for no ticket: reporter_id None)."""
    if staff_role == "manager":
        return Role.MANAGER
    if staff_role == "engineer":
        return Role.ASSIGNEE if assignee_id is not None and assignee_id == user_id else Role.ENGINEER
    if reporter_id is not None and reporter_id == user_id:
        return Role.REPORTER
    return Role.OTHER_REPORTER if known else Role.STRANGER


@dataclass(frozen=True)
class Permissions:
    """A permission table: the defaults, or the defaults with a deployment's grants."""

    table: Mapping[Act, frozenset[Role]]

    def allowed(self, act: Act, role: Role) -> bool:
        return role in self.table[act]

    def refusal(self, act: Act, role: Role, user_id: int, subject: str = "") -> str | None:
        """None if allowed; else the text key of the reason, and a log line (the only trace a refusal leaves)."""
        if self.allowed(act, role):
            return None
        log.info("refused %s to user %s (%s) %s", act.value, user_id, role.value, subject)
        return REFUSALS[act]

    def granting(self, act: Act, role: Role) -> Permissions:
        """This table with `role` also allowed to do `act`."""
        return Permissions(MappingProxyType({**self.table, act: self.table[act] | {role}}))


DEFAULT_PERMISSIONS = Permissions(PERMISSIONS)
