"""Everything the bot says in chat, in English: reporters, engineers, managers.

One module per language and reader, so a translator works on one file at a time and a new language
is a new pair of modules, registered in `bot/texts/__init__.py`. The manager's report texts are in
`en_reports.py`. Keys and placeholders must match `zh.py`; `tests/test_config_and_texts.py` checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts.shapes import Template, article, card, lines, queue_line


def _duration_en(p: Mapping[str, Any]) -> str:
    """A span of minutes as people say it: "2 d 3 h", "1 h 05 min", "15 min"."""
    minutes = int(p["minutes"])
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def _submitted_en(p: Mapping[str, Any]) -> str:
    return lines(
        f"✅ Ticket {p['number']} is open.",
        f"Severity: {p['severity']}" + (f" ({p['tier']} service)" if p["tier"] else ""),
        "We promise to:",
        f"• respond by {p['respond']}" if p["respond"] else None,
        f"• be on site by {p['onsite']}" if p["onsite"] else None,
        f"• resolve by {p['resolve']}" if p["resolve"] else None,
        f"(times are {p['tz']})",
        "Use /status " + p["number"] + " to follow it, /my to see all your tickets.",
    )


def _my_line_en(p: Mapping[str, Any]) -> str:
    due = f" · due {p['due']}" if p["due"] and p["open"] == "True" else ""
    return f"• {p['number']} · {p['device']} · {p['severity']} · {p['status']}{due}"


def _accepted_en(p: Mapping[str, Any]) -> str:
    return lines(
        f"👷 {p['engineer']} has taken your ticket {p['number']}.",
        f"Phone: {p['phone']}" if p["phone"] else None,
        f"On site by {p['onsite']}" if p["onsite"] else None,
        f"Fixed by {p['resolve']}" if p["resolve"] else None,
    )


def _resolved_en(p: Mapping[str, Any]) -> str:
    return lines(
        f"🔧 {p['engineer']} has resolved {p['number']}: {p['note']}",
        f"Parts replaced: {p['parts']}" if p["parts"] else None,
        "Is it working again?",
    )


def _oncall_en(p: Mapping[str, Any]) -> str:
    return lines(
        f"On duty now: {p['now']} ({p['rotation']})" + (f" until {p['until']}" if p["until"] else ""),
        f"Next: {p['next']}" + (f" from {p['next_at']}" if p["next_at"] else ""),
    )


def _followup_en(p: Mapping[str, Any]) -> str:
    head = f"{p['reminder']} " if p["reminder"] else ""
    return f"{head}Is the {p['device']} still working since {p['engineer']} repaired it on {p['date']}? ({p['number']})"


def _complaint_en(p: Mapping[str, Any]) -> str:
    return lines(f"😠 Complaint: {p['number']} was rated {p['rating']} (engineer {p['engineer']}).",
                  f"Comment: {p['comment']}" if p["comment"] else None, f"Please answer by {p['due']}.")


def _complaint_line_en(p: Mapping[str, Any]) -> str:
    late = " ⚠️ overdue" if p["late"] == "True" else ""
    said = f"\n  “{p['comment']}”" if p["comment"] else ""
    return f"• {p['number']} · rated {p['rating']} · answer by {p['due']}{late}{said}"


EN: dict[str, Template] = {
    "verbatim": "{text}",
    "welcome": (
        "Hello {name}! I'm the IT help desk. Tell me what's wrong — a broken printer, a PC that won't "
        "start, no network — in a sentence or with a photo, and I'll open a ticket for you.\n"
        "Commands: /new report a fault · /my your tickets · /status HD-… one ticket · "
        "/cancel · /lang 中文/English · /help"
    ),
    "unknown_command": "I don't know the command {command}. Try /help.",
    "unsupported": "I can't use {kind} here. Please type the problem, or send a photo.",
    "kind.sticker": "stickers", "kind.voice": "voice messages", "kind.video": "videos",
    "kind.document": "files", "kind.location": "locations", "kind.other": "this kind of message",
    "kind.audio": "audio", "kind.video_note": "video messages", "kind.animation": "GIFs",
    "kind.poll": "polls",
    "duration": _duration_en,
    "edited_ignored": (
        "I noticed you edited a message. Edits don't change a report: use Edit on the summary instead."
    ),
    "flood.slow_down": (
        "⏳ That is a lot of messages at once, so I'll read the rest one by one, a little slower. "
        "Nothing you are filling in is lost; messages repeated word for word are skipped."
    ),
    "group_only_private": (
        "I take fault reports in private chat only, to keep your details private. "
        "Open a chat with me and send /new."
    ),
    "draft_in_progress": "You already have a report in progress; let's finish it (or /cancel it).",
    "my_none": "You have no tickets yet. Describe a problem here to report one.",
    "my_list": "Your tickets (newest first):\n{lines}",
    "my_line": _my_line_en,
    "status_usage": "Write the ticket number after the command, e.g. /status HD-2026-00042.",
    "ticket_not_found": "I can't find a ticket {number} that you may see.",
    "draft_cancelled": "Report discarded. Describe a problem any time to start again.",
    "cancel_aborted": "OK, nothing was cancelled.",
    "cancel_usage": "To cancel a ticket: /cancel HD-2026-00042 and the reason.",
    "cancel_ask_reason": "Why do you want to cancel {number}? Write the reason in one message (or /cancel to keep it).",
    "cancel_reason_bad": "Please write a reason of at most {limit} characters.",
    "cancel_nothing": "You have nothing to cancel: no report in progress and no open ticket.",
    "cancel_pick": "Which ticket do you want to cancel?",
    "cancel_not_open": "{number} can't be cancelled: it is {status}.",
    "ticket_cancelled": "❎ Ticket {number} is cancelled.",
    "lang_choose": "Choose your language:",
    "lang_set": "OK, I'll write in English.",
    "reject.empty": "That message is empty. Please describe the problem in words.",
    "reject.too_long": (
        "That's too long ({length} characters); please keep it under {limit}. "
        "A short description plus a photo works best."
    ),
    "reject.no_photo": "There is no photo yet: describe the problem in words, or send a photo.",
    "reject.photo_too_big": "That photo is too large (the limit is {limit_mb} MB). Please send a smaller one.",
    "reject.too_many_photos": "That's enough photos ({limit} at most); this one was not added.",
    "reject.bad_choice": "That is not one of the choices; please use the buttons.",
    "reject.bad_phone": (
        "That doesn't look like a phone number. Type it like 138 0000 1234 or 010-6500 1234, "
        "or press “Share my phone number”."
    ),
    "asset_unknown": (
        "I can't find asset “{code}” in the register. Check the number on the sticker and type it "
        "again, or pick the kind of device."
    ),
    "photo_added": "📷 Photo saved ({count}).",
    "contact_unexpected": "Thanks, but I don't need a phone number right now.",
    "contact_not_own": "Please share your own number with the button, or type a number.",
    "contact_saved": "📞 Got your number.",
    "answered": "✔ Your answer: {chosen}",
    "then": "{first}\n\n{second}",
    "button_stale": "This question was already answered. Please use the latest message.",
    "button_invalid": "This button is not valid.",
    "button_old_report": "This button belongs to a report that was already submitted or discarded.",
    "use_buttons": "Please answer with the buttons below.",
    "field.describe": "Problem", "field.device": "Device", "field.site": "Location",
    "field.severity": "Urgency", "field.contact": "Phone",
    "btn.photos_only": "Continue with the photo only", "btn.skip": "Skip",
    "btn.yes": "Yes, that's it", "btn.no": "No, another device",
    "btn.submit": "✅ Submit", "btn.edit": "✏️ Edit", "btn.cancel": "✖️ Cancel",
    "btn.share_contact": "📱 Share my phone number",
    "device.printer": "Printer", "device.copier": "Copier", "device.scanner": "Scanner",
    "device.pc": "PC", "device.laptop": "Laptop", "device.monitor": "Monitor",
    "device.network": "Network", "device.projector": "Projector", "device.phone": "Phone", "device.ups": "UPS",
    "device.software": "Software", "device.account": "Account", "device.other": "Other",
    "severity.P1": "🔴 Work has stopped", "severity.P2": "🟠 Badly affected",
    "severity.P3": "🟡 A part fails, work goes on", "severity.P4": "🔵 Question or planned job",
    "status.new": "open, waiting for an engineer", "status.assigned": "assigned to an engineer",
    "status.accepted": "accepted by an engineer", "status.on_site": "engineer on site",
    "status.resolved": "resolved", "status.closed": "closed", "status.reopened": "reopened",
    "status.cancelled": "cancelled",
    "warranty.in": "under warranty", "warranty.out": "out of warranty", "warranty.unknown": "warranty unknown",
    "edit_which": "What do you want to change?",
    "ask.describe": "What's wrong? Describe the problem in a sentence (a photo helps too).",
    "ask.device": (
        "Which device is it? Type the asset number from the sticker (e.g. A-0042) or its serial "
        "number, or pick the kind of device:"
    ),
    "ask.confirm_asset": "Is it this device?\n{label} — {device}\n📍 {place}\n🛡 {warranty}",
    "ask.site": "Where is it? Pick a place or type the site/building:",
    "ask.room": "Which room or desk at {site}? (type it, or skip)",
    "ask.severity": "How bad is it?",
    "ask.contact": "How can the engineer reach you? Press the button to share your number, or type a phone number.",
    "ask.contact_known": "How can the engineer reach you? Press your number below, or type another one.",
    "ask.share_contact": "Press “📱 Share my phone number” below to send your number.",
    "photos_only": "(see photos)",
    "summary": (
        "Please check your report:\n"
        "• Problem: {description}\n• Photos: {photos}\n• Device: {device}\n• Where: {place}\n"
        "• Urgency: {severity}\n• Phone: {phone}"
    ),
    "submitted": _submitted_en,
    "followup.question": _followup_en,
    "followup.reminder": "Reminder:",
    "btn.still_working": "👍 Yes, it works", "btn.same_fault": "🔁 The same fault is back",
    "btn.other_problem": "🆕 Another problem",
    "followup.ask_rating": (
        "Glad to hear it! How satisfied are you with the repair? (1 very dissatisfied … 5 very satisfied)"
    ),
    "rating.1": "1 😠", "rating.2": "2 🙁", "rating.3": "3 😐", "rating.4": "4 🙂", "rating.5": "5 😄",
    "followup.ask_comment": "Thank you! Anything you'd like to add? Write a comment, or skip.",
    "followup.thanks": "Thank you for your feedback!",
    "followup.rating_changed": "Your rating is changed to {rating}.",
    "followup.new_report": "OK, let's report the new problem. What's wrong?",
    "followup.not_yours": "This survey is not yours or no longer exists.",
    "followup.only_managers": "Only managers handle complaints.",
    "followup.expired": "This survey has expired; the ticket is closed. If something is wrong, just describe it here.",
    "followup.already_answered": "You have already answered this survey.",
    "followup.already_rated": "You have already rated this repair.",
    "followup.bad_rating": "A rating is a number from 1 to 5.",
    "followup.not_now": "There is no question waiting for this answer.",
    "followup.fault_back": "🔁 {number}: the reporter says the same fault is back after your repair. It is reopened.",
    "followup.complaint": _complaint_en,
    "followup.complaint_comment": "💬 Comment on the complaint about {number}: {comment}",
    "followup.no_complaints": "No open complaints.",
    "followup.complaints": "Open complaints (answer within a week):\n{lines}",
    "followup.complaint_line": _complaint_line_en,
    "followup.complaint_already": "This complaint is already handled.",
    "followup.complaint_closed": "Marked as handled.",
    "btn.complaint_handled": "✅ Mark handled", "btn.complaint_handled_n": "✅ {number} handled",
    "duty.card": card({"status": "Status", "device": "Device", "where": "Where", "problem": "Problem",
                        "reporter": "Reporter", "photos": "Photos", "tried": "Already tried",
                        "history": "This device's history", "respond": "Respond by",
                        "onsite": "On site by", "resolve": "Resolve by", "spare": "Spare machine due back"}),
    "duty.card.with_note": "{note}\n{card}",
    "duty.card.urgent": "🔁 REOPENED: the same fault is back.",
    "duty.card.escalated": "⏰ Still not accepted after {minutes} min.",
    "duty.card.handed_over": "🤝 Handed over to you by {engineer}.",
    "duty.card.tier2": "⬆️ {engineer} asks an expert (tier 2) to take this.",
    "duty.history_line": "  {number} · {opened} · {status}",
    "topic.to_reporter": "💬 {engineer} about {number}:\n{text}",
    "topic.from_reporter": "➕ {reporter} added: {text}",
    "topic.noted": "📝 Noted on the ticket (staff only).",
    "topic.sent": "↪️ Sent to the reporter, and noted on the ticket.",
    "duty.paused": "⏸ SLA clock paused: waiting for {reason}",
    "btn.accept": "✅ Accept", "btn.decline": "🚫 Can't take", "btn.on_the_way": "🚗 On my way",
    "btn.on_site": "📍 On site", "btn.need_part": "🔩 Need a part", "btn.part_arrived": "📦 Part arrived",
    "btn.spare": "🖥 Spare lent", "btn.spare_back": "↩️ Spare returned", "btn.hand_over": "🤝 Hand over",
    "btn.tier2": "⬆️ Tier 2", "btn.resolve": "✅ Resolve", "btn.no_parts": "No parts replaced",
    "btn.fixed": "👍 Fixed", "btn.not_fixed": "👎 Not fixed",
    "milestone.respond": "response", "milestone.onsite": "arrival on site", "milestone.resolve": "resolution",
    "duty.nobody_on_duty": "⚠️ Nobody is on duty for new ticket {number} ({severity}). Please assign it.",
    "duty.escalated_to_managers": (
        "🚨 {number} ({severity}) opened {opened} is still not accepted (assigned to {assignee})."
    ),
    "duty.warn": "⏰ {number}: the {milestone} deadline {deadline} is close.",
    "duty.breach": "🚨 {number}: the {milestone} deadline {deadline} has passed.",
    "duty.spare_due": "🖥 {number}: the spare machine is due back on {due}; the repaired unit must be returned.",
    "duty.unknown_year": (
        "📅 The holiday calendar does not know {year}'s public holidays yet. Load the official schedule "
        "with helpdesk calendar import FILE (or add days with /holiday) so duty and SLA clocks stay right."
    ),
    "duty.gap": "⚠️ Nobody is on duty from {start} to {end}. Use /cover to fill the gap.",
    "duty.undeliverable": (
        "📵 I cannot write to {who} about {number}: {reason}. They need to open the bot in Telegram "
        "(or unblock it); until then they get nothing from me."
    ),
    "duty.only_engineers": "Only engineers can act on tickets.",
    "duty.only_managers": "Only managers can change the duty roster.",
    "duty.not_yours": "This ticket is with {assignee}; only they or a manager can act on it.",
    "duty.accept_first": "Accept the ticket first.",
    "duty.already_taken": "{number} is already {status} ({engineer}).",
    "duty.accepted_toast": "You have {number}. The reporter is told.",
    "duty.declined_toast": "OK, noted: it moves on.",
    "duty.cannot": "Not possible while the ticket is {status}.",
    "duty.handover_to": "Hand {number} over to whom?",
    "duty.handed_over": "🤝 {number} is handed over to {engineer}.",
    "duty.decline.busy": "Busy with another job", "duty.decline.off": "Not on duty / away",
    "duty.decline.skill": "Not my field (needs someone else)",
    "duty.not_offered": "{number} was not offered to you (or you already said you can't take it).",
    "duty.ask_decline_reason": "Why can't you take {number}? Pick one, or type a short reason:",
    "duty.decline_asked": "Tell me why, and it moves on.",
    "duty.bad_decline_reason": "Please type a short reason (up to 300 characters), or pick one above.",
    "duty.declined_moved": "🚫 Noted. {number} now goes to {engineer}.",
    "duty.declined_to_managers_told": "🚫 Noted. Nobody else could be reached for {number}: the managers are told.",
    "duty.card.declined": "🚫 {engineer} can't take it: {reason}",
    "duty.declined_to_managers": (
        "🚫 {engineer} can't take {number} ({severity}): {reason}. Nobody else on the chain could be reached; "
        "please assign it."
    ),
    "duty.already_on_the_way": "You already said you are on your way.",
    "duty.toast.way": "🚗 On your way: the reporter is told.",
    "duty.toast.arrive": "📍 On site: the reporter is told.",
    "duty.toast.part": "⏸ Waiting for a part: the SLA clock stops.",
    "duty.toast.resume": "▶️ Part arrived: the SLA clock runs again.",
    "duty.toast.spare": "🔁 Spare machine lent: the reporter is told when it is due back.",
    "duty.toast.spareback": "✅ Spare machine back.",
    "duty.toast.handed_over": "Handed over to {engineer}.",
    "duty.handover_label": "{name}",
    "duty.handover_label_unreachable": "{name} ⚠️ can't be reached",
    "duty.handover_unreachable": (
        "⚠️ {engineer} has not opened a chat with the bot (or blocked it), so they cannot get the card. "
        "{number} stays with you; pick someone else or call them."
    ),
    "duty.status_on_the_way": "engineer on the way",
    "duty.cancelled_by_reporter": "❌ {number} was cancelled by the reporter: {reason}. No need to go.",
    "duty.no_tier2": "There is no tier-2 engineer configured.",
    "duty.tier2_requested": "⬆️ {engineer} asked tier 2 to take {number}.",
    "duty.tier2_sent": "Sent to {count} tier-2 engineer(s).",
    "duty.ask_resolution": "Resolving {number}: what was wrong and what did you do? (one message)",
    "duty.ask_parts": "Which parts did you replace? Type them, or press the button.",
    "duty.bad_note": "Please write it in one message of at most {limit} characters.",
    "duty.resolved": "✅ {number} is resolved; the reporter is asked to confirm.",
    "duty.queue_empty": "You have no open tickets.",
    "duty.queue": "Your open tickets, most urgent first:\n{lines}",
    "duty.queue_line": queue_line,
    "duty.nobody": "nobody", "duty.oncall": _oncall_en,
    "duty.cover_usage": (
        "Usage: /cover ENGINEER_ID FROM TO [reason], e.g. /cover 1002 2026-02-16T09:00 2026-02-17T09:00 sick"
    ),
    "duty.covered": "🗓 {engineer} is on duty from {start} to {end}.",
    "duty.swap_usage": "Usage: /swap DATE ENGINEER_A ENGINEER_B, e.g. /swap 2026-02-16 1001 1002",
    "duty.swap_nothing": "Neither engineer is on duty on {day}: nothing to swap.",
    "duty.swapped": "🔁 {a} and {b} swapped their {count} shift(s) on {day}.",
    "duty.holiday_usage": "Usage: /holiday DATE [name] · /holiday workday DATE · /holiday remove DATE",
    "duty.calendar_holiday": "📅 {day} is now a holiday.", "duty.calendar_workday": "📅 {day} is now a working day.",
    "duty.calendar_remove": "📅 {day} follows the official calendar again.",
    "duty.rotation_usage": "Usage: /rotation NAME ID,ID,… (rotations: {names})",
    "duty.rotation_set": "🔁 Rotation {name}: {engineers}.",
    "reporter.accepted": _accepted_en,
    "reporter.on_the_way": "🚗 {engineer} is on the way for {number}.",
    "reporter.on_site": "📍 {engineer} has arrived for {number}.",
    "reporter.waiting_part": "🔩 {number}: a spare part is needed; the engineer will come back when it arrives.",
    "reporter.part_arrived": "📦 {number}: the part has arrived; the repair continues.",
    "reporter.spare": "🖥 {number}: you got a spare machine. Your own unit will be back by {due}.",
    "reporter.handed_over": "🤝 {number} is now with {engineer}.",
    "reporter.resolved": _resolved_en,
    "reporter.thanks_confirmed": "Thank you! {number} is confirmed as fixed. We'll check in with you in a few days.",
    "reporter.reopened": "Sorry! {number} is reopened and an engineer is on it again.",
    "kb.suggest": "These guides may fix it right now, in a few minutes. Open one, or skip to report it to an engineer:",
    "kb.did_you_mean": (
        "Is it one of these? Open a guide that sounds like your problem, or skip to report it to an engineer:"
    ),
    "btn.kb_skip": "Skip — report it to an engineer",
    "btn.kb_fixed": "✅ This fixed it", "btn.kb_not_fixed": "❌ Didn't help",
    "kb.fixed": "🎉 Great, glad it works again! No ticket was needed. If the problem comes back, just write to me.",
    "kb.continue": "Sorry it didn't help. Let's get an engineer on it.",
    "kb.gone": "That article is no longer available.",
    "kb.only_in.zh": "(This guide exists only in Chinese.)", "kb.only_in.en": "(This guide exists only in English.)",
    "kb.article": article,
    "kb.usage": (
        "Write what you are looking for after the command, e.g. /kb printer offline. Engineers: /kb add to "
        "write an article, /kb learned to review what the knowledge base learned from outcomes."
    ),
    "kb.no_match": "No guide matches that. Describe your problem here and I'll open a ticket.",
    "kb.results": "Guides that match:",
    "kb.results_unsure": "Did you mean one of these?",
    "kb.not_allowed": "Only engineers and managers can add or edit articles.",
    "kb.bad_id": "An article id is lower-case letters, digits and dashes, like printer-offline.",
    "kb.long_id": (
        "That id is too long: an article id has at most {limit} characters, because it travels in the "
        "chat buttons that open the article. Choose a shorter one, like printer-offline, or send /kb add "
        "alone and the id is made from the title."
    ),
    "kb.cannot_keep": "There is nothing to keep here; please answer the question.",
    "kb.bad_title": "Please send a title of at most {limit} characters.",
    "kb.bad_symptoms": "Send 1 to {limit} phrasings, one per line, each at most {length} characters.",
    "kb.bad_steps": "Please send the steps as one message of at most {limit} characters.",
    "kb.invalid": "The article is not valid: {reason}",
    "kb.ask.title": "New article. Send its title (what users would call the problem).\nNow: {current}",
    "kb.ask.device": "Which kind of device is it about?",
    "kb.ask.symptoms": "Send the ways users describe this problem, one per line.\nNow:\n{current}",
    "kb.ask.steps": (
        "Send the steps a non-expert can follow, numbered, ending with when to ask for an engineer.\nNow:\n{current}"
    ),
    "kb.preview": "Please check the article:\n\n{article}\n\nDevice: {device}\nUsers say:\n{symptoms}",
    "kb.discarded": "The article was not saved.",
    "kb.saved": "📘 Saved “{title}” as {id}. It is searchable now.",
    "kb.text_only": "Articles take text only; photos are not stored with them.",
    "btn.keep": "Keep as is", "btn.save": "💾 Save", "btn.save_as_article": "📘 Save as article",
    "error.storage": "Sorry, I couldn't save that just now. Nothing was changed; please try again in a minute.",
    "error.internal": "Sorry, something went wrong on my side. Nothing was changed; please try again.",
}
