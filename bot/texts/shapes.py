"""The shapes both languages share: the template type and the texts laid out the same in zh and en.

A language module (`en.py`, `zh.py`, …) fills these with its own words, so a change of layout (a new
line on the engineer's card) is made once, here, and cannot drift between the languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Template = str | Callable[[Mapping[str, Any]], str]
"""A `str.format` template, or a function of the (already localised) parameters."""


def lines(*parts: str | None) -> str:
    """The parts that are there, one per line: a missing promise leaves no empty line."""
    return "\n".join(part for part in parts if part)


def article(p: Mapping[str, Any]) -> str:
    """The same shape in both languages: an optional language note, the title, the steps."""
    head = f"{p['note']}\n" if p["note"] else ""
    return f"{head}📘 {p['title']}\n\n{p['body']}"


def card(labels: Mapping[str, str]) -> Callable[[Mapping[str, Any]], str]:
    """The engineer's ticket card; the same layout in both languages, labels differ."""

    def filled(p: Mapping[str, Any]) -> str:
        return lines(
            f"🎫 {p['number']} · {p['severity']}",
            f"{labels['status']}: {p['status']}" + (f" · {p['assignee']}" if p["assignee"] else ""),
            f"{labels['device']}: {p['device']}" + (f" ({p['warranty']})" if p["warranty"] else ""),
            f"{labels['where']}: {p['place']}",
            f"{labels['problem']}: {p['description']}",
            f"{labels['reporter']}: {p['reporter']}" + (f" · 📞 {p['phone']}" if p["phone"] else "")
            if p["reporter"] else None,
            f"{labels['photos']}: {p['photos']}" if p["photos"] != "0" else None,
            f"{labels['tried']}: {p['tried']}".replace("\n", ", ") if p["tried"] else None,
            f"{labels['history']}:\n{p['history']}" if p["history"] else None,
            f"{labels['respond']}: {p['respond']}" if p["respond"] else None,
            f"{labels['onsite']}: {p['onsite']}" if p["onsite"] else None,
            f"{labels['resolve']}: {p['resolve']}" if p["resolve"] else None,
            p["paused"],
            f"{labels['spare']}: {p['spare']}" if p["spare"] else None,
        )

    return filled


def queue_line(p: Mapping[str, Any]) -> str:
    """One line of an engineer's /queue; numbers and places read the same in every language."""
    due = f" · ⏰ {p['due']}" if p["due"] else ""
    return f"• {p['number']} · {p['severity']} · {p['status']} · {p['place']}{due}"
