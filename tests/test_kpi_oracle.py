"""The KPI edges of issue 15 against an oracle written from their definitions, not from kpi.py.

Hypothesis draws a period, tickets opened around it (some cancelled, some naming articles they tried),
their ratings, self-service verdicts (some by engineers) and monthly pushes (sent, late, missing).
The oracle re-counts, straight from the definitions:

* satisfaction: the ratings of the period's non-cancelled tickets (a cancelled ticket is out of
  every rate); the share of 3–5 and the mean;
* deflection: a reporter's "fixed it" inside the period counts unless the same reporter opened a
  ticket naming that article within 24 h after it, even past the period's end; requests add the
  period's non-cancelled tickets;
* punctuality: a push due in the period is late when it went out at or after the end of the
  `due_by` day, or never;
* the score: no rating means no score.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.deflection import KbOutcome
from bot.domain.followup import Answer, FollowUp, FollowUpState
from bot.domain.kpi import ReportData, compute_kpis
from bot.domain.score import quarter_score
from bot.domain.severity import Severity
from bot.domain.sla import Deadlines, SlaTerms
from bot.domain.ticket import Status, Ticket

START = datetime(2026, 9, 30, 16, tzinfo=UTC)
END = datetime(2026, 10, 31, 16, tzinfo=UTC)
NOW = datetime(2026, 11, 10, tzinfo=UTC)
ARTICLES = ("kb-a", "kb-b")
REPORTERS = (1, 2, 3)


def _ticket(n: int, opened: datetime, cancelled: bool, reporter: int, tried: tuple[str, ...]) -> Ticket:
    return Ticket(number=f"HD-2026-{n:05d}", reporter_id=reporter, description="x", severity=Severity.P3,
                  opened_at=opened, sla=SlaTerms(None, "24x7", Deadlines()), tried_articles=tried,
                  status=Status.CANCELLED if cancelled else Status.CLOSED)


offsets = st.integers(min_value=-2 * 24 * 60, max_value=(31 + 2) * 24 * 60).map(lambda m: timedelta(minutes=m))


@st.composite
def months(draw: st.DrawFn) -> ReportData:
    tickets = [
        _ticket(n, START + draw(offsets), draw(st.booleans()), draw(st.sampled_from(REPORTERS)),
                tuple(draw(st.lists(st.sampled_from(ARTICLES), max_size=2, unique=True))))
        for n in range(draw(st.integers(0, 12)))
    ]
    followups = [
        FollowUp(t.number, t.reporter_id, FollowUpState.DONE, due_at=t.opened_at, sent_at=t.opened_at,
                 answer=Answer.WORKING, rating=draw(st.integers(1, 5)))
        for t in tickets if draw(st.booleans())
    ]
    outcomes = [
        KbOutcome(START + draw(offsets), draw(st.sampled_from(REPORTERS)), draw(st.sampled_from(ARTICLES)),
                  draw(st.booleans()), draw(st.booleans()))
        for _ in range(draw(st.integers(0, 8)))
    ]
    return ReportData(START, END, tickets, {}, followups, outcomes, [])


def _oracle(data: ReportData) -> tuple[list[int], int, int]:
    """(ratings counted, deflected, requests) from the definitions."""
    live = {t.number: t for t in data.tickets if START <= t.opened_at < END and t.status is not Status.CANCELLED}
    ratings = [f.rating for f in data.followups if f.ticket in live and f.rating is not None]
    deflected = 0
    for o in data.kb_outcomes:
        if not o.helped or o.by_engineer or not START <= o.at < END:
            continue
        undone = any(t.reporter_id == o.reporter_id and o.article_id in t.tried_articles
                     and o.at <= t.opened_at <= o.at + timedelta(hours=24) for t in data.tickets)
        deflected += not undone
    return ratings, deflected, deflected + len(live)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(months())
def test_satisfaction_deflection_and_the_score_agree_with_the_definitions(data: ReportData) -> None:
    kpis = compute_kpis(data, now=NOW)
    ratings, deflected, requests = _oracle(data)
    assert kpis.satisfaction_share.denominator == len(ratings)
    assert kpis.satisfaction_share.numerator == sum(r >= 3 for r in ratings)
    assert kpis.satisfaction_mean.numerator == sum(ratings)
    assert (kpis.deflection_rate.numerator, kpis.deflection_rate.denominator) == (deflected, requests)
    score = quarter_score(kpis)
    assert (score.total is None) == (not ratings or score.service is None)
    if not ratings:
        assert "satisfaction" in score.lacking and score.pay_share is None


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.one_of(st.none(), st.integers(0, 10 * 24 * 60))), max_size=4),
       st.integers(1, 28))
async def test_punctuality_agrees_with_the_definition(pushes: list[tuple[int, int | None]], due_by: int) -> None:
    """A push due on day `d` of the period, sent `m` minutes later or never; late at or after the end of
    the `due_by` day of its month (UTC here), or never sent."""
    from bot.services.reports.loading import load

    deliveries = {}
    expected_late = 0
    for n, (day, minutes) in enumerate(pushes):
        due = START + timedelta(days=day, hours=1)
        sent = due + timedelta(minutes=minutes) if minutes is not None else None
        deliveries[f"p{n}"] = (due, sent)
        local = due.date()
        cutoff = datetime(local.year, local.month, 1, tzinfo=UTC) + timedelta(days=due_by)
        expected_late += sent is None or sent >= cutoff

    class Queries:
        async def deliveries(self) -> dict:  # type: ignore[type-arg]
            return deliveries

        async def tickets_opened(self, start: datetime, end: datetime) -> list[Ticket]:
            return []

        async def logs_of_tickets_opened(self, start: datetime, end: datetime) -> object:
            return iter(())

        async def followups_of_tickets_opened(self, start: datetime, end: datetime) -> list[FollowUp]:
            return []

        async def kb_outcomes_between(self, start: datetime, end: datetime) -> list:  # type: ignore[type-arg]
            return []

    def cutoff_of(due: datetime) -> datetime:
        return datetime(due.year, due.month, 1, tzinfo=UTC) + timedelta(days=due_by)

    data = await load(Queries(), START, END, {}, cutoff_of)  # type: ignore[arg-type]
    assert (data.monthly_reports_due, data.monthly_reports_late) == (len(pushes), expected_late)
