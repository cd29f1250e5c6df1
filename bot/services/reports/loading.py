"""What a period's figures rest on, read in a handful of bulk queries (in the report worker, from a snapshot)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo

from bot.config import Config
from bot.domain.calendar import local_date
from bot.domain.deflection import DEFLECTION_GRACE
from bot.domain.kpi import REPEAT_WINDOW, KbOutcome, ReportData
from bot.domain.milestones import facts_of
from bot.domain.sla import SlaClock
from storage import UnitOfWork
from storage.ports import Inspections, ReportQueries


async def load(queries: ReportQueries, start: datetime, end: datetime,
               clocks: Mapping[str, SlaClock], due_by: Callable[[datetime], datetime], *,
               tz: tzinfo = UTC, inspections: Inspections | None = None, inspecting: bool = False) -> ReportData:
    """Everything the figures of [start, end) need: its tickets, what their logs say, their follow-ups, the
    self-service outcomes, the 30 days before it (for repeat repairs), the monthly pushes due in it,
    and the deployment's SLA clocks (a pause on a 5×8 ticket counts only its open hours). A monthly
    report is late when it went out after `due_by(its push time)`, or not at all. The inspection visits
    planned on the period's local days (in `tz`) come from `inspections`; where the deployment plans
    none (`inspecting` false) and none were ever made, the report has no inspection figures at all."""
    deliveries = await queries.deliveries()
    due = [(due_at, sent) for due_at, sent in deliveries.values() if start <= due_at < end]
    late = sum(1 for due_at, sent in due if sent is None or sent >= due_by(due_at))
    first, last = local_date(start, tz), local_date(max(start, end - timedelta(microseconds=1)), tz)
    visits = tuple(await inspections.between(first, last)) if inspections is not None else ()
    # a day more: a ticket opened just after the period can undo a "fixed it" inside it (deflection)
    tickets = await queries.tickets_opened(start, end + DEFLECTION_GRACE)
    by_number = {ticket.number: ticket for ticket in tickets}
    # each log replayed as it is read, and only its Facts kept (a year's log is half a million lines)
    facts = {by_number[number].number: facts_of(by_number[number], log)  # the ticket's own string as the key
             for number, log in await queries.logs_of_tickets_opened(start, end) if number in by_number}
    return ReportData(
        start=start, end=end, tickets=tickets, events={}, facts=facts,
        followups=await queries.followups_of_tickets_opened(start, end),
        kb_outcomes=[KbOutcome(at, person, article, helped, by_engineer) for at, person, article, helped, by_engineer
                     in await queries.kb_outcomes_between(start, end)],
        earlier=await queries.tickets_opened(start - REPEAT_WINDOW, start),
        monthly_reports_due=len(due), monthly_reports_late=late, clocks=clocks,
        visits=visits if visits or inspecting else None, tz=tz,
    )


async def load_period(uow: UnitOfWork, config: Config, start: datetime, end: datetime) -> ReportData:
    """`load` as the deployment reads a period: its SLA clocks with the calendar's stored edits, its monthly
    report deadline, its inspections. The one reading for the report worker, the CLI and the dashboard."""
    from bot.services.deployment import monthly_report_deadline, sla_clocks
    from bot.services.roster import calendar_of, stored_edits

    clocks = sla_clocks(config, **calendar_of(await stored_edits(uow.roster)))
    return await load(uow.reports, start, end, clocks, monthly_report_deadline(config), tz=config.tz,
                      inspections=uow.inspections, inspecting=bool(config.inspections.classes))
