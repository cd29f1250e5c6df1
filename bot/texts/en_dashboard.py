"""English texts of the managers' dashboard (a Telegram Mini App) and of the chat that opens it; keys
start with "dashboard."."""

from __future__ import annotations

from bot.texts.shapes import Template

EN_DASHBOARD: dict[str, Template] = {
    "dashboard.chat.open": "📊 The live board: open tickets by deadline, who is on duty, this month's KPIs.",
    "dashboard.chat.button": "📊 Open the board",
    "dashboard.chat.menu": "Board",
    "dashboard.chat.off": "The live board is not set up on this help desk ([dashboard] listen in helpdesk.toml).",
    "dashboard.nobody": "(not assigned)",
    "dashboard.error.no_ticket": "There is no ticket {number} on your board.",
    "dashboard.error.no_engineer": "That engineer is not on the roster.",
    "dashboard.error.bad_severity": "The severity is one of P1, P2, P3 and P4.",
}
