"""Reports for managers: what a period's figures rest on, /report and /export, the monthly push.

The figures are computed by the domain (bot.domain.kpi) from what this module loads in a few bulk
reads; the picture and the workbook are drawn by bot.report_render. The monthly report is a durable
timer like every other: a push missed while the bot was down goes out when it comes back.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from bot.config import Config
from bot.domain.kpi import KbOutcome, ReportData, compute_kpis, quarter_score
from bot.domain.timers import Timer
from bot.messages import Attachment, Reply, Text, t
from storage import Transaction

REPORT_GRACE = timedelta(days=4)
"""A monthly report pushed more than this after its due time counts as late (contracts: by the 5th)."""
REPEAT_WINDOW = timedelta(days=30)


class PeriodError(ValueError):
    pass


def period_of(arg: str, now: datetime, tz) -> tuple[datetime, datetime, str]:  # type: ignore[no-untyped-def]
    """A period as managers type it (see _period_of); PeriodError for anything else, e.g. year 9999."""
    try:
        return _period_of(arg, now, tz)
    except (ValueError, OverflowError) as exc:
        raise PeriodError(arg) from exc


def _period_of(arg: str, now: datetime, tz) -> tuple[datetime, datetime, str]:  # type: ignore[no-untyped-def]
    """`month` (this month so far), `quarter` (this quarter so far), `YYYY-MM`, `YYYY-Qn` or
    `last` (the previous month) → [start, end) in UTC and a label."""
    today = now.astimezone(tz).date()
    arg = (arg or "month").strip().lower()
    if arg == "month":
        first = today.replace(day=1)
        return _bounds(first, _next_month(first), tz, first.strftime("%Y-%m"))
    if arg == "last":
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        return _bounds(first, _next_month(first), tz, first.strftime("%Y-%m"))
    if arg == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return _bounds(first, _add_months(first, 3), tz, f"{first.year}-Q{(first.month - 1) // 3 + 1}")
    if match := re.fullmatch(r"(\d{4})-(\d{2})", arg):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(arg)
        first = date(year, month, 1)
        return _bounds(first, _next_month(first), tz, arg)
    if match := re.fullmatch(r"(\d{4})-q([1-4])", arg):
        first = date(int(match[1]), 3 * (int(match[2]) - 1) + 1, 1)
        return _bounds(first, _add_months(first, 3), tz, arg.upper())
    raise PeriodError(arg)


def _bounds(first: date, after: date, tz, label: str) -> tuple[datetime, datetime, str]:  # type: ignore[no-untyped-def]
    start = datetime.combine(first, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(after, time(), tzinfo=tz).astimezone(UTC)
    return start, end, label


def _next_month(first: date) -> date:
    return _add_months(first, 1)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


async def load(tx: Transaction, start: datetime, end: datetime) -> ReportData:
    """Everything the period's figures rest on, in a handful of bulk reads."""
    deliveries = await tx.report_deliveries()
    due = [(due_at, sent) for due_at, sent in deliveries.values() if start <= due_at < end]
    late = sum(1 for due_at, sent in due if sent is None or sent > due_at + REPORT_GRACE)
    return ReportData(
        start=start, end=end,
        tickets=await tx.tickets_opened(start, end),
        events=await tx.events_of_tickets_opened(start, end),
        followups=await tx.followups_of_tickets_opened(start, end),
        kb_outcomes=[KbOutcome(at, reporter, article, helped)
                     for at, reporter, article, helped in await tx.kb_outcomes_between(start, end)],
        earlier=await tx.tickets_opened(start - REPEAT_WINDOW, start),
        monthly_reports_due=len(due), monthly_reports_late=late,
    )


class Reports:
    def __init__(self, config: Config) -> None:
        self.config = config

    async def build(self, tx: Transaction, start: datetime, end: datetime, label: str, lang: str,
                    now: datetime, *, chart: bool = True, workbook: bool = False) -> Reply:
        """The summary in `lang` with the chart (or the workbook) attached; chat id filled by the caller."""
        from bot.report_render import chart_png, summary, workbook_xlsx

        data = await load(tx, start, end)
        kpis = compute_kpis(data, now=now)
        score = quarter_score(kpis, self.config.reports.weights)
        lines = [Text(key, params) for key, params in summary(kpis, score)]
        text = t("report.message", label=label, lines=lines)
        tz = self.config.tz
        if workbook:
            attachment = Attachment("document", f"helpdesk-{label}.xlsx",
                                    workbook_xlsx(data, kpis, score, lang, tz))
        elif chart:
            attachment = Attachment("photo", f"helpdesk-{label}.png", chart_png(data, kpis, now, lang, tz=tz))
        else:
            attachment = None
        return Reply(0, text, lang, attachment=attachment)

    def next_monthly_due(self, now: datetime) -> datetime:
        """The next push: monthly_day at monthly_time, local time."""
        section, tz = self.config.reports, self.config.tz
        local = now.astimezone(tz)
        candidate = datetime.combine(local.date().replace(day=section.monthly_day), section.monthly_time, tzinfo=tz)
        if candidate <= local:
            following = _next_month(local.date().replace(day=1)).replace(day=section.monthly_day)
            candidate = datetime.combine(following, section.monthly_time, tzinfo=tz)
        return candidate.astimezone(UTC)

    async def schedule_monthly(self, tx: Transaction, now: datetime) -> None:
        due = self.next_monthly_due(now)
        await tx.schedule(Timer("monthly_report", due, None, {}, key=f"monthly_report:{due.isoformat()}"))

    async def push_monthly(self, tx: Transaction, timer: Timer, now: datetime, managers: list[tuple[int, str]]) -> None:
        """The previous month's report to every manager; recorded for the punctuality figure."""
        tz = self.config.tz
        start, end, label = period_of("last", timer.due_at, tz)
        for manager_id, lang in managers:
            reply = await self.build(tx, start, end, label, lang, now)
            await tx.enqueue(Reply(manager_id, reply.text, lang, attachment=reply.attachment), now)
        await tx.report_delivery(label, timer.due_at, now)
        await self.schedule_monthly(tx, max(now, timer.due_at + timedelta(minutes=1)))

