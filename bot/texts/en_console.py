"""English texts for console (see bot/texts/__init__.py); keys start with "console." so files cannot clash.

The dispatcher's console: `/open` and its lines, a ticket's console card and buttons, and what the
engineers and reporters are told when a manager assigns, escalates, re-grades or cancels a ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts.shapes import Template, lines


def _line(p: Mapping[str, Any]) -> str:
    engineer = f"👷 {p['engineer']}" if p["engineer"] else "👷 nobody"
    return f"• {p['number']} · {p['severity']} · {p['status']} · {p['place']} · {engineer} · {p['due']}"


def _list(p: Mapping[str, Any]) -> str:
    head = f"📋 Open tickets{' (filtered)' if p['filtered'] == 'True' else ''}, next deadline first: {p['count']}"
    more = f"… and {p['hidden']} more not shown: narrow the list, e.g. /open overdue" if p["hidden"] != "0" else None
    return lines(head, p["lines"], more, "Press a ticket to act on it.")


def _engineer(p: Mapping[str, Any]) -> str:
    marks = [m for m in ("on duty" if p["on_duty"] == "True" else None, "tier 2" if p["tier"] == "2" else None,
                         "can't be reached" if p["reachable"] != "True" else None) if m]
    head = ("🟢 " if p["on_duty"] == "True" else "📵 " if p["reachable"] != "True" else "") + p["name"]
    return f"{head} — {', '.join(marks)}" if marks else head


def _deadlines(p: Mapping[str, Any]) -> str:
    return lines(
        f"• respond by {p['respond']}" if p["respond"] else None,
        f"• be on site by {p['onsite']}" if p["onsite"] else None,
        f"• resolve by {p['resolve']}" if p["resolve"] else None,
        f"(times are {p['tz']})" if p["respond"] or p["onsite"] or p["resolve"] else "• no deadline is promised",
    )


EN_CONSOLE: dict[str, Template] = {
    "console.only_managers": "Only managers can dispatch tickets.",
    "console.unknown_filter": (
        "I don't know the filter “{word}”. /open takes any of: unassigned (nobody has accepted it yet), "
        "overdue, P1 P2 P3 P4, a site ({sites}), an engineer ({engineers}). Combine them freely, "
        "e.g. /open overdue P1"
    ),
    "console.none": "📋 No open tickets.",
    "console.none_filtered": "📋 No open tickets match /open {filters}.",
    "console.list": _list,
    "console.line": _line,
    "console.left": "⏰ {milestone} in {duration}",
    "console.late": "⚠️ {milestone} {duration} late",
    "console.no_deadline": "no deadline",
    "console.open_button": "🎫 {number}",
    "console.card": "🎛 Console · {due}\n{card}",
    "console.btn.assign": "👷 Assign", "console.btn.reassign": "👷 Reassign",
    "console.btn.escalate": "⬆️ Escalate now", "console.btn.severity": "🎚 Severity",
    "console.btn.cancel": "✖️ Cancel ticket",
    "console.not_open": "{number} is {status}: there is nothing to dispatch any more.",
    # ---- assign -----------------------------------------------------------------------------------------
    "console.pick_engineer": (
        "Who should take {number}? (now: {current})\n🟢 on duty now · 📵 the bot cannot reach them "
        "(blocked it, or never started it)"
    ),
    "console.engineer": _engineer,
    "console.nobody": "nobody",
    "console.unreachable": (
        "{engineer} cannot be reached by the bot (blocked it, or never started it), so {number} stays where it "
        "is. Pick someone else."
    ),
    "console.already_theirs": "{number} is already with {engineer}.",
    "console.assigned": "👷 {number} is offered to {engineer}: they have the card to accept it. The reporter is told.",
    "console.assigned_toast": "Sent to {engineer}.",
    "console.taken_off": "🔄 {manager} gave {number} to {engineer}: it is off your list, nothing more to do on it.",
    # ---- escalate ----------------------------------------------------------------------------------------
    "console.card_note": "⬆️ Escalated by {manager} (service desk): please take it now.",
    "console.escalated": "⬆️ {number} escalated: {engineers} got the card.",
    "console.escalated_toast": "Escalated.",
    "console.nobody_to_escalate": "Nobody else can be reached for {number}: assign it to an engineer by hand.",
    "console.nobody_to_escalate_managers": (
        "🚨 {manager} escalated {number}, but no engineer could be reached: it needs assigning by hand."
    ),
    "console.cannot_escalate": "{number} is {status}: there is nobody to escalate to. Reassign it instead.",
    # ---- severity ----------------------------------------------------------------------------------------
    "console.pick_severity": "New severity for {number} (now {severity})?",
    "console.severity_option": "{level} · {name}",
    "console.same_severity": "{number} already is {severity}.",
    "console.ask_severity_reason": (
        "Why does {number} become {new}? Type the reason in one message; the engineer and the reporter read it."
    ),
    "console.severity_changed": "🎚 {number}: {old} → {new}. Deadlines now, counted from the report:\n{deadlines}",
    "console.severity_engineer": (
        "🎚 {manager} changed {number} from {old} to {new}: {reason}\nDeadlines now:\n{deadlines}"
    ),
    "console.severity_reporter": (
        "🎚 The service desk changed the urgency of your ticket {number} to {new}: {reason}\n"
        "We now promise to:\n{deadlines}"
    ),
    "console.deadlines": _deadlines,
    # ---- cancel ------------------------------------------------------------------------------------------
    "console.ask_cancel_reason": (
        "Why is {number} cancelled? Type the reason in one message; the reporter and the engineer read it."
    ),
    "console.bad_reason": "Please type the reason in words, in one message of at most {limit} characters.",
    "console.cancelled": "✖️ {number} is cancelled; the reporter and the engineer are told.",
    "console.cancelled_reporter": "✖️ Your ticket {number} was cancelled by the service desk ({manager}): {reason}",
    "console.cancelled_engineer": "✖️ {number} was cancelled by {manager}: {reason}. Nothing more to do on it.",
}
