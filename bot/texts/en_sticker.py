"""English texts of the devices' QR stickers: the printed labels and what a scan opens in chat; keys
start with "sticker."."""

from __future__ import annotations

from bot.texts.shapes import Template

EN_STICKER: dict[str, Template] = {
    "sticker.labels_title": "{name} — device stickers",
    "sticker.labels_scan": "Scan to report a fault",
    "sticker.desk_name": "IT Help Desk",
    "sticker.device": "🏷 {label} — {device}\n📍 {place}\n🛡 {warranty}\nRecent history:\n{history}",
    "sticker.no_history": "  none",
    "sticker.card": "{card}\nThe device is filled in from its sticker.",
    "sticker.already": (
        "{card}\n⚠️ A fault on this device is already reported: {number} ({status}, opened {opened}). {own}"
    ),
    "sticker.already.own": "It is your report: add what is new to it, or report a different fault.",
    "sticker.already.other": "The engineer is on it. If this is a different fault, report it here.",
    "sticker.btn.new_fault": "📝 Report a different fault",
    "sticker.unknown": (
        "This sticker's device “{code}” is not in the register. Tell me what's wrong and I'll take an ordinary "
        "report."
    ),
    "sticker.retired": (
        "{label} was retired on {day}, so this sticker is out of date. Tell me what's wrong and I'll take an "
        "ordinary report."
    ),
}
