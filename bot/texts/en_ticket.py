"""English texts for ticket (see bot/texts/__init__.py); keys start with "ticket." so files cannot clash.

A ticket's page (`/status`) and its conversation (information added, a question and its answer).
The page is laid out in code (`bot.conversation.ticket_page`), one key per line, so both languages
read the same lines in the same order and only the words differ here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts.shapes import Template, lines


def _engineer(p: Mapping[str, Any]) -> str:
    return f"Engineer: {p['engineer']}" + (f" · 📞 {p['phone']}" if p["phone"] else "")


def _info_to_engineer(p: Mapping[str, Any]) -> str:
    head = f"📷 {p['number']}: {p['reporter']} sent a photo" if p["photo"] == "True" else \
        f"➕ {p['number']}: {p['reporter']} adds"
    return f"{head}: {p['text']}" if p["text"] else f"{head}."


def _answer_to_engineer(p: Mapping[str, Any]) -> str:
    return lines(f"💬 {p['number']}: {p['reporter']} answers “{p['question']}”:",
                 p["answer"], "(with a photo)" if p["photo"] == "True" else None)


def _added(p: Mapping[str, Any]) -> str:
    what = "📷 Photo added" if p["photo"] == "True" else "➕ Added"
    told = f"{p['engineer']} has it too." if p["engineer"] else "The engineer will see it on the ticket."
    return f"{what} to {p['number']}. {told}"


EN_TICKET: dict[str, Template] = {
    # ---- the page -----------------------------------------------------------------------------------
    "ticket.page": "🎫 {number} — {status}\n{lines}",
    "ticket.line.severity": "Severity: {severity}",
    "ticket.line.problem": "Problem: {description}",
    "ticket.line.device": "Device: {device} · asset {asset}",
    "ticket.line.place": "Where: {place}",
    "ticket.line.engineer": _engineer,
    "ticket.line.no_engineer": "Engineer: nobody yet",
    "ticket.line.photos": "Photos: {count}",
    "ticket.line.opened": "Opened: {at}",
    "ticket.line.deadline": "{milestone}: {deadline} · {state}",
    "ticket.milestone.respond": "Respond by", "ticket.milestone.onsite": "On site by",
    "ticket.milestone.resolve": "Resolve by",
    "ticket.state.met": "✅ met {at}",
    "ticket.state.met_late": "⚠️ reached {at}, {late} late",
    "ticket.state.left": "⏳ {left} left",
    "ticket.state.late": "🚨 {late} late",
    "ticket.state.not_reached": "not reached",
    "ticket.line.approximate": "⚠️ Approximate: the official holiday calendar for {years} is not loaded yet",
    "ticket.line.paused": "⏸ Clock paused {start} – {end} (held back {held} of service time)",
    "ticket.line.paused_now": "⏸ Clock paused since {start}: {reason} (held back {held} so far)",
    "ticket.pause.part": "waiting for a part",
    "ticket.line.resolution": "Resolution: {note}",
    "ticket.line.parts": "Parts replaced: {parts}",
    "ticket.line.spare": "🖥 A spare machine is lent; the repaired unit is due back by {due}",
    "ticket.line.cancelled": "Cancelled because: {reason}",
    "ticket.line.question": "❓ Open question from {engineer}: {question}",
    "ticket.line.history": "History (times {tz}):",
    "ticket.line.history_more": "  … {count} earlier entries",
    "ticket.event": "  {at} · {who}: {what}",
    "ticket.who.desk": "help desk",
    # ---- one line of history per kind of event ----------------------------------------------------------
    "ticket.ev.opened": "reported it",
    "ticket.ev.assign": "assigned to {engineer}",
    "ticket.ev.handed_over": "handed over to {engineer}",
    "ticket.ev.accept": "accepted",
    "ticket.ev.arrive": "arrived on site",
    "ticket.ev.resolve": "resolved: {note}",
    "ticket.ev.close": "closed",
    "ticket.ev.reopen": "reopened: {reason}",
    "ticket.ev.cancel": "cancelled: {reason}",
    "ticket.ev.pinged": "paged {engineer}",
    "ticket.ev.declined": "could not take it",
    "ticket.ev.declined_reason": "could not take it: {reason}",
    "ticket.ev.escalated": "escalated to {whom}",
    "ticket.whom.backup": "the backup engineer", "ticket.whom.assignee": "the engineer again",
    "ticket.whom.tier2": "tier 2", "ticket.whom.managers": "the managers",
    "ticket.ev.on_the_way": "on the way",
    "ticket.ev.need_part": "needs a part",
    "ticket.ev.paused": "paused the clock: {reason}",
    "ticket.ev.resumed": "resumed the clock",
    "ticket.ev.spare_lent": "lent a spare machine, due back {due}",
    "ticket.ev.spare_returned": "the spare machine is back",
    "ticket.ev.warned": "the {milestone} deadline is close",
    "ticket.ev.breached": "the {milestone} deadline passed",
    "ticket.ev.nobody_on_duty": "nobody was on duty",
    "ticket.ev.reporter_confirmed": "confirmed the fix",
    "ticket.ev.delivery_failed": "could not reach {who}",
    "ticket.ev.severity_changed": "changed the severity to {severity}: {reason}",
    "ticket.ev.info_added": "added: {text}",
    "ticket.ev.info_photo": "added a photo",
    "ticket.ev.question_asked": "asked: {question}",
    "ticket.ev.question_answered": "answered: {answer}",
    "ticket.ev.handover_failed": "could not hand it over to {engineer}",
    "ticket.ev.staff_note": "noted (staff only): {text}",
    "ticket.ev.staff_reply": "wrote to the reporter: {text}",
    "ticket.ev.complaint_answered": "answered the complaint: {answer}",
    "ticket.ev.other": "{kind}",
    # ---- buttons -----------------------------------------------------------------------------------------
    "ticket.btn.add_info": "➕ Add information",
    "ticket.btn.cancel": "✖️ Cancel the ticket",
    "ticket.btn.answer": "💬 Answer",
    "ticket.btn.card": "🎫 Open the card",
    "ticket.btn.ask": "❓ Ask the reporter",
    "ticket.btn.open": "🎫 {number}",
    # ---- the conversation --------------------------------------------------------------------------------
    "ticket.add_ask": (
        "What would you like to add to {number}? Send one message, or a photo (an album counts as one). "
        "/cancel to stop."
    ),
    "ticket.add_bad": "Please write it in words, in one message of at most {limit} characters (or send a photo).",
    "ticket.added": _added,
    "ticket.too_many_photos": "{number} already has {limit} photos; this one was not added.",
    "ticket.not_open": "{number} is {status}: nothing can be added to it any more.",
    "ticket.info_to_engineer": _info_to_engineer,
    "ticket.ask_prompt": "What do you want to ask {reporter} about {number}? Write it in one message.",
    "ticket.ask_bad": "Please write the question in words, in one message of at most {limit} characters.",
    "ticket.asked": "❓ Sent to {reporter}. Their answer will come here and onto the ticket.",
    "ticket.question_to_reporter": "❓ {engineer} asks about {number}:\n{question}\nPress Answer to reply.",
    "ticket.answer_prompt": (
        "Your answer to {engineer} about {number}:\n“{question}”\nWrite it in one message (or send a photo)."
    ),
    "ticket.answered": "💬 Your answer is on {number}; {engineers} has it.",
    "ticket.already_answered": "You have already answered this question.",
    "ticket.answer_to_engineer": _answer_to_engineer,
    "ticket.stopped": "OK, nothing was added.",
}
