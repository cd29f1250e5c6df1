"""Chinese texts for intake (see bot/texts/__init__.py); keys start with "intake." so files cannot clash."""

from __future__ import annotations

from bot.texts.shapes import Template

ZH_INTAKE: dict[str, Template] = {
}
