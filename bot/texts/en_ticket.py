"""English texts for ticket (see bot/texts/__init__.py); keys start with "ticket." so files cannot clash."""

from __future__ import annotations

from bot.texts.shapes import Template

EN_TICKET: dict[str, Template] = {
}
