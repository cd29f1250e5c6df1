"""English texts for intake (see bot/texts/__init__.py); keys start with "intake." so files cannot clash."""

from __future__ import annotations

from bot.texts.shapes import Template

EN_INTAKE: dict[str, Template] = {
    "intake.courtesy.thanks": (
        "You're welcome! 😊 If something else is wrong, just describe it here (or send /new) and I'll "
        "open a ticket."
    ),
    "intake.courtesy.thanks_open": (
        "You're welcome! 😊 Your ticket {number} is being handled: /status {number} shows where it stands. "
        "If something else is wrong, just describe it here (or send /new)."
    ),
    "intake.reject.no_words_description": (
        "I can't find any words in that. Please describe the problem in a sentence — for example "
        "“The printer on 3F says paper jam” — or send a photo."
    ),
    "intake.reject.courtesy_description": (
        "You're welcome! To report a fault, describe the problem in a sentence (or send a photo); "
        "/cancel discards this report."
    ),
    "intake.reject.no_words_place": (
        "That isn't a place I can use. Please pick one of the buttons, or type the building, floor or "
        "branch in words."
    ),
    "intake.reject.no_words_room": "Please type the room or desk (for example “Room 305”), or press Skip.",
    "intake.site.did_you_mean": "Did you mean {site}?",
    "intake.site.which_one": "Did you mean one of these places?",
    "intake.btn.keep_typed": "✏️ Keep “{typed}”",
}
