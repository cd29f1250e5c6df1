"""First-line deflection: the requests the knowledge base solved without a ticket, and what each article did.

One rule decides whether a "✅ This fixed it" counts as a solved request, for the KPI and for the
per-article breakdown of the manager's workbook alike: it is a reporter's (an engineer's "📗 Fixed
with" is a ticket that was opened, not one that was avoided), it falls in the period, and the same
reporter did not open a ticket naming that article as tried within `DEFLECTION_GRACE` of it (then the
article did not, in the end, help).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.ticket import Ticket

DEFLECTION_GRACE = timedelta(hours=24)
"""A "helped" self-service outcome followed this soon by a ticket naming the same article did not help."""


@dataclass(frozen=True)
class KbOutcome:
    """A verdict on a knowledge-base article: a reporter's, who tried it instead of opening a ticket, or
    an engineer's, who resolved a ticket with it (that one is no deflection: the ticket was opened)."""

    at: datetime
    reporter_id: int
    article_id: str
    helped: bool
    by_engineer: bool = False


@dataclass(frozen=True)
class ArticleRecord:
    """What one article did in a period: the workbook's self-service rows."""

    article_id: str
    fixed: int = 0
    """"This fixed it" from reporters."""
    deflected: int = 0
    """Of those, the ones that count as a solved request (see the module docstring)."""
    not_helped: int = 0
    """"Didn't help" from reporters."""
    fixed_with: int = 0
    """Tickets an engineer resolved with it."""
    tried: int = 0
    """Tickets opened in the period whose reporter had tried it."""


def _tried(tickets: Iterable[Ticket]) -> dict[tuple[int, str], list[datetime]]:
    tried: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for ticket in tickets:
        for article in ticket.tried_articles:
            tried[(ticket.reporter_id, article)].append(ticket.opened_at)
    return tried


def _deflects(outcome: KbOutcome, tried: dict[tuple[int, str], list[datetime]], start: datetime,
              end: datetime) -> bool:
    if not outcome.helped or outcome.by_engineer or not start <= outcome.at < end:
        return False
    later = tried.get((outcome.reporter_id, outcome.article_id), ())
    return not any(outcome.at <= at <= outcome.at + DEFLECTION_GRACE for at in later)


def deflected(outcomes: Sequence[KbOutcome], tickets: Sequence[Ticket], start: datetime, end: datetime) -> int:
    """How many requests of [start, end) the knowledge base solved (see the module docstring)."""
    tried = _tried(tickets)
    return sum(_deflects(o, tried, start, end) for o in outcomes)


def by_article(outcomes: Sequence[KbOutcome], tickets: Sequence[Ticket], start: datetime,
               end: datetime) -> list[ArticleRecord]:
    """Each article's verdicts and tries in [start, end), the most helpful first."""
    tried = _tried(tickets)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for o in outcomes:
        if not start <= o.at < end:
            continue
        row = counts[o.article_id]
        if o.by_engineer:
            row["fixed_with"] += o.helped
        elif o.helped:
            row["fixed"] += 1
            row["deflected"] += _deflects(o, tried, start, end)
        else:
            row["not_helped"] += 1
    for ticket in tickets:
        if start <= ticket.opened_at < end:
            for article in ticket.tried_articles:
                counts[article]["tried"] += 1
    records = [ArticleRecord(article_id, **row) for article_id, row in counts.items()]
    return sorted(records, key=lambda r: (-r.deflected, -r.fixed_with, r.article_id))
