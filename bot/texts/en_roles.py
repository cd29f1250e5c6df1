"""English texts for roles (see bot/texts/__init__.py); keys start with "roles." so files cannot clash."""

from __future__ import annotations

from bot.texts.shapes import Template

EN_ROLES: dict[str, Template] = {
}
