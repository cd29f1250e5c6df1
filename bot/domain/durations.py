"""Durations and times of day as people write them in the configuration: "45s", "10m", "2h", "3d",
"1h30m"; "09:00"; "09:00-18:00"."""

from __future__ import annotations

import re
from datetime import time, timedelta

_PART = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Parse "2h" or "1h30m"; raise ValueError saying what a valid duration looks like."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or _PART.sub("", cleaned):
        raise ValueError(f"{text!r} is not a duration; write e.g. '45s', '10m', '2h', '3d' or '1h30m'")
    total = timedelta()
    for amount, unit in _PART.findall(cleaned):
        total += timedelta(**{_UNITS[unit]: int(amount)})
    if total <= timedelta():
        raise ValueError(f"{text!r} must be longer than zero")
    return total


def format_duration(delta: timedelta) -> str:
    """The inverse of parse_duration, for messages and exports ("1h30m")."""
    seconds = int(delta.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def parse_clock_time(text: str) -> time:
    """ "09:00" → 09:00; ValueError saying what a time of day looks like."""
    if not re.fullmatch(r"\d{1,2}:\d{2}", text.strip()):
        raise ValueError("a time of day is a string like '09:00'")
    hours, minutes = (int(part) for part in text.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a time of day")
    return time(hours, minutes)


def parse_time_range(text: str) -> tuple[time, time]:
    """ "09:00-18:00" → (09:00, 18:00); the end may be before the start (a range over midnight)."""
    if text.count("-") != 1:
        raise ValueError("a range of hours is a string like '09:00-18:00'")
    start, end = (parse_clock_time(part) for part in text.split("-"))
    return start, end
