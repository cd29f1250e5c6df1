"""English texts for console (see bot/texts/__init__.py); keys start with "console." so files cannot clash."""

from __future__ import annotations

from bot.texts.shapes import Template

EN_CONSOLE: dict[str, Template] = {
}
