"""English texts for roles (see bot/texts/__init__.py); keys start with "roles." so files cannot clash."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts.shapes import Template, lines


def _handled_line_en(p: Mapping[str, Any]) -> str:
    said = f"\n  “{p['comment']}”" if p["comment"] else ""
    answer = p["answer"] or "(no answer recorded)"
    return f"• {p['number']} · rated {p['rating']} · answered {p['at']} by {p['manager']}{said}\n  ↳ {answer}"


def _all_complaints_en(p: Mapping[str, Any]) -> str:
    return lines(f"Open complaints (answer within a week):\n{p['open']}" if p["open"] else "No open complaints.",
                 f"\nAnswered (latest first):\n{p['handled']}" if p["handled"] else None)


def _ask_answer_en(p: Mapping[str, Any]) -> str:
    said = f" (“{p['comment']}”)" if p["comment"] else ""
    return (f"✍️ The complaint about {p['number']}, rated {p['rating']}{said}: what do you answer the reporter? "
            f"Write it in one message (at most {p['limit']} characters). They are sent it, and it is kept "
            "with the complaint and on the ticket. /cancel: not now.")


EN_ROLES: dict[str, Template] = {
    # /help, by role: the intro, then one line a command
    "roles.help": "{intro}\n\n{lines}",
    "roles.help.intro.reporter": (
        "How to report a fault: just describe it here (or send /new). I'll ask which device, where, how urgent "
        "and how to reach you, then open a ticket with promised response times."
    ),
    "roles.help.intro.engineer": (
        "You are an engineer of the help desk. Tickets come to you as cards: accept one, then work it from the "
        "card's buttons (on my way, on site, need a part, spare lent, hand over, resolve). Your commands:"
    ),
    "roles.help.intro.manager": (
        "You are a manager of the help desk: escalations, complaints and the monthly report come to you, and "
        "you keep the duty roster. Your commands:"
    ),
    "roles.help.everyone": "\nFor everyone:",
    "roles.help.new": "/new — report a fault (or just describe it)",
    "roles.help.my": "/my — your tickets",
    "roles.help.status": "/status HD-2026-00001 — one ticket: its state, engineer, deadlines and history",
    "roles.help.cancel": "/cancel — discard the report you are filling in, or cancel one of your tickets",
    "roles.help.kb": "/kb WORDS — search the knowledge base for a fix (e.g. /kb printer offline)",
    "roles.help.oncall": "/oncall — who is on duty now, and who comes next",
    "roles.help.lang": "/lang — 中文 / English",
    "roles.help.help": "/help — this list",
    "roles.help.queue": "/queue — your open tickets, by deadline",
    "roles.help.kb_add": "/kb add [id] — write a knowledge-base article, or edit one by its id",
    "roles.help.open": (
        "/open [unassigned|overdue|P1…P4|site|engineer] — the dispatcher console: open tickets by deadline, "
        "to assign, escalate, change severity or cancel (e.g. /open overdue HQ-12F)"
    ),
    "roles.help.cover": "/cover ENGINEER FROM TO [reason] — someone covers a period (e.g. /cover 1002 2026-12-01 "
                        "2026-12-03 sick leave)",
    "roles.help.swap": "/swap DATE A B — two engineers exchange their shifts of that day",
    "roles.help.holiday": "/holiday DATE [name] · /holiday workday DATE · /holiday remove DATE — the holiday calendar",
    "roles.help.rotation": "/rotation NAME ID,ID,… — a new turn order for a rotation",
    "roles.help.complaints": "/complaints — open complaints, to answer · /complaints all — the answered ones too",
    "roles.help.report": "/report [month|quarter|last|YYYY-MM|YYYY-Qn] — the KPI summary and chart",
    "roles.help.dashboard": "/dashboard — the live board: open tickets by deadline, KPIs, charts",
    "roles.help.export": "/export [the same periods] — the work-order register as .xlsx",
    # the Telegram command menu (short: it is shown beside the command)
    "roles.cmd.new": "report a fault", "roles.cmd.my": "my tickets", "roles.cmd.status": "one ticket: /status HD-…",
    "roles.cmd.cancel": "discard a report or cancel a ticket", "roles.cmd.kb": "search the knowledge base",
    "roles.cmd.oncall": "who is on duty now", "roles.cmd.lang": "中文 / English",
    "roles.cmd.help": "what I can do for you", "roles.cmd.queue": "my open tickets by deadline",
    "roles.cmd.open": "open tickets: assign, escalate, cancel",
    "roles.cmd.cover": "someone covers a period", "roles.cmd.swap": "two engineers swap a day's shifts",
    "roles.cmd.holiday": "the holiday calendar", "roles.cmd.rotation": "a rotation's turn order",
    "roles.cmd.complaints": "complaints to answer", "roles.cmd.report": "KPI report and chart",
    "roles.cmd.dashboard": "live board",
    "roles.cmd.export": "work-order register as .xlsx",
    # complaints, answered
    "roles.complaints.usage": "/complaints lists the open complaints; /complaints all the answered ones too.",
    "roles.complaints.none_at_all": "No complaints so far.",
    "roles.complaints.all": _all_complaints_en,
    "roles.complaints.handled_line": _handled_line_en,
    "roles.complaint.ask_answer": _ask_answer_en,
    "roles.complaint.toast_write": "Write the answer to the reporter.",
    "roles.complaint.bad_answer": (
        "Please write the answer in words, at most {limit} characters, in one message (or /cancel)."
    ),
    "roles.complaint.handled": "✅ The complaint about {number} is handled; the reporter is sent your answer.",
    "roles.complaint.answered_to_reporter": (
        "📝 About your complaint on {number}, {manager} of the help desk answers:\n{answer}"
    ),
    "roles.complaint.answered_to_managers": "✅ {manager} answered the complaint about {number}: {answer}",
}
