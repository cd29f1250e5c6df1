"""English texts for intake (see bot/texts/__init__.py); keys start with "intake." so files cannot clash."""

from __future__ import annotations

from bot.texts.shapes import Template

EN_INTAKE: dict[str, Template] = {
}
