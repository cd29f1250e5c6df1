"""English texts for preventive maintenance (巡检) (see bot/texts/__init__.py); keys start with "inspection."."""

from __future__ import annotations

from bot.texts.shapes import Template

EN_INSPECTION: dict[str, Template] = {
    "inspection.list": (
        "🧰 Inspection today ({day}): {site} — {count} device(s)\n{devices}\n"
        "Due by {due_by}. Press Start at the site; each device then gets its checklist."
    ),
    "inspection.list_line": "• {label} — {device}",
    "inspection.nobody": "⚠ Nobody is on duty for this inspection; assign it by hand:\n{visit}",
    "inspection.btn.start": "▶ Start",
    "inspection.btn.ok": "✅ OK",
    "inspection.btn.cleaned": "🧽 Cleaned",
    "inspection.btn.low": "🪫 Consumable low",
    "inspection.btn.fault": "⚠ Fault found",
    "inspection.device": "🧰 {site} · {n}/{count}: {label} — {device}\nCheck:\n{items}",
    "inspection.ask_note.low": (
        "🪫 Which consumable is low on {label}, and what do you propose? (one message; the managers get it "
        "as a warning)"
    ),
    "inspection.ask_note.fault": (
        "⚠ What fault did you find on {label}? (one message; it opens a ticket on this device)"
    ),
    "inspection.note_empty": "Please describe it in a few words.",
    "inspection.fault_ticket": "🎫 Ticket {number} is open for {label}.",
    "inspection.warning": (
        "🪫 Consumable warning (预警) at {site}: {label}\n{note}\n— {engineer}, during the inspection"
    ),
    "inspection.report": (
        "📋 Inspection report: {site}, {day} ({engineer})\n"
        "{count} device(s): {ok} OK, {cleaned} cleaned, {low} consumable low, {fault} fault(s) found\n"
        "{findings}\n{on_time}"
    ),
    "inspection.report_line": "• {label}: {result} — {note} {ticket}",
    "inspection.no_findings": "No findings.",
    "inspection.on_time": "Done within its window.",
    "inspection.late_done": "Done after its window closed (counted late).",
    "inspection.overdue": (
        "⏰ The inspection of {site} ({day}) is not finished: {checked} of {count} devices checked, "
        "engineer {engineer}."
    ),
    "inspection.btn.move": "📅 Reschedule",
    "inspection.btn.handover": "🔁 Hand over",
    "inspection.move_to": "📅 Move the inspection of {site} to which day? (its window ends {due_by})",
    "inspection.move_none": (
        "Its window ends {due_by}: no working day is left in it to move to. Hand it over, or ask a manager."
    ),
    "inspection.move_gone": "That day can no longer be chosen; press 📅 Reschedule again.",
    "inspection.ask_move_reason": "Why is it moved to {day}? (one message; the managers get it)",
    "inspection.moved": "📅 The inspection of {site} is moved to {day}; its list comes again that morning.",
    "inspection.moved_notice": "📅 The inspection of {site} is moved from {before} to {day} by {by}: {reason}",
    "inspection.handover_to": "🔁 Hand the inspection of {site} ({day}) to:",
    "inspection.handover_unreachable": (
        "{engineer} has never opened a chat with the bot (or blocked it): the list could not reach them. "
        "The inspection stays where it was."
    ),
    "inspection.handed": "🔁 The inspection of {site} is handed to {engineer}.",
    "inspection.handed_to_you": "🔁 {by} handed you this inspection:\n{visit}",
    "inspection.handed_notice": "🔁 The inspection of {site} ({day}) is handed from {before} to {engineer} by {by}.",
    "inspection.photo_kept": "📷 Photo kept for {label} ({count}). Now choose its result above.",
    "inspection.note_kept": "📝 Note kept for {label}. Now choose its result above.",
    "inspection.finding_line": "  🧰 {day} inspection: {result} — {note}",
    "inspection.day_choice": "{weekday} {day}",
    "inspection.weekday.0": "Mon",
    "inspection.weekday.1": "Tue",
    "inspection.weekday.2": "Wed",
    "inspection.weekday.3": "Thu",
    "inspection.weekday.4": "Fri",
    "inspection.weekday.5": "Sat",
    "inspection.weekday.6": "Sun",
    "inspection.not_yours": "This inspection round is not yours: it was given to another engineer.",
    "inspection.done_already": "This inspection is finished already.",
    "inspection.stale": "That device was recorded already; use the latest message.",
    "inspection.result.ok": "OK",
    "inspection.result.cleaned": "cleaned",
    "inspection.result.low": "consumable low",
    "inspection.result.fault": "fault found",
    "inspection.item.running": "• running state, error log",
    "inspection.item.selftest": "• self-test / test page",
    "inspection.item.toner": "• toner / ink level",
    "inspection.item.drum": "• drum / imaging unit",
    "inspection.item.paper_path": "• paper path and rollers",
    "inspection.item.scan_glass": "• scanner glass and document feeder",
    "inspection.item.clean": "• internal cleaning (dust, paper debris)",
    "inspection.item.driver": "• drivers",
    "inspection.item.firmware": "• firmware version",
    "inspection.item.disk": "• disk health and free space",
    "inspection.item.updates": "• system updates",
    "inspection.item.antivirus": "• antivirus up to date",
    "inspection.item.lamp": "• lamp hours",
    "inspection.item.filter": "• air filter",
    "inspection.item.image": "• image: focus, colour, keystone",
    "inspection.item.cables": "• cables and connectors",
    "inspection.item.ports": "• ports and link errors",
    "inspection.item.cabinet": "• cabinet: cooling, tidiness",
    "inspection.item.backup": "• configuration backed up",
    "inspection.item.battery": "• battery health and runtime",
    "inspection.item.load": "• load within rating",
}
