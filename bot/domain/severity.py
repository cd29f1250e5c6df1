"""Severity P1–P4, as the maintenance contracts' four-colour scale defines it (domain.md)."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """P1 red (work stopped) … P4 blue (question or planned job)."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().upper())
        except ValueError:
            raise ValueError(f"{text!r} is not a severity; use P1, P2, P3 or P4") from None
