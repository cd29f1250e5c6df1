"""The people who talk to the bot, and the language they are answered in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LANGUAGES = ("zh", "en")


def language_from_telegram(language_code: str | None, default: str) -> str:
    """zh* → zh, any other code → en; no code at all → the deployment's default."""
    if not language_code:
        return default
    return "zh" if language_code.lower().startswith("zh") else "en"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    language: str
    role: str = "reporter"
    """reporter | engineer | manager — decided by the configuration, never by the user."""
    username: str | None = None
    blocked: bool = False
    last_site: str | None = None
    last_room: str | None = None
    last_phone: str | None = None
    awaiting: dict[str, Any] | None = None
    """A free-text answer the bot asked for outside the report (e.g. a cancellation reason)."""
