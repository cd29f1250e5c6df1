"""Reports for managers: what a period's figures rest on, /report and /export, the monthly push.

The figures are computed by the domain (bot.domain.kpi) from what this module loads in a few bulk
reads; the picture and the workbook are drawn by bot.services.reports. The monthly report is a durable
timer like every other: a push missed while the bot was down goes out when it comes back.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import re
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, time, timedelta

from bot.config import Config
from bot.domain.kpi import KbOutcome, ReportData, compute_kpis, quarter_score
from bot.domain.timers import Timer
from bot.messages import Attachment, Reply, Text, t
from storage import Storage, UnitOfWork

REPORT_GRACE = timedelta(days=4)
"""A monthly report pushed more than this after its due time counts as late (contracts: by the 5th)."""
REPEAT_WINDOW = timedelta(days=30)
REPORT_KINDS = ("report", "monthly_report")
"""Timers whose firing draws a report (off the event loop, see Reports)."""


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


async def load(tx: UnitOfWork, start: datetime, end: datetime) -> ReportData:
    """Everything the period's figures rest on, in a handful of bulk reads."""
    deliveries = await tx.reports.deliveries()
    due = [(due_at, sent) for due_at, sent in deliveries.values() if start <= due_at < end]
    late = sum(1 for due_at, sent in due if sent is None or sent > due_at + REPORT_GRACE)
    return ReportData(
        start=start, end=end,
        tickets=await tx.reports.tickets_opened(start, end),
        events=await tx.reports.events_of_tickets_opened(start, end),
        followups=await tx.reports.followups_of_tickets_opened(start, end),
        kb_outcomes=[KbOutcome(at, reporter, article, helped)
                     for at, reporter, article, helped in await tx.reports.kb_outcomes_between(start, end)],
        earlier=await tx.reports.tickets_opened(start - REPEAT_WINDOW, start),
        monthly_reports_due=len(due), monthly_reports_late=late,
    )


_pool: ProcessPoolExecutor | None = None


def drawing_process() -> Executor:
    """The one worker process that draws reports, started with the first one and kept (it has
    matplotlib loaded). Spawned, a fresh interpreter, rather than forked from a process with threads."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


def stop_drawing() -> None:
    """Shutdown: a report being drawn is abandoned, not waited for (up to seconds); its order is kept
    in the database and drawn after the restart."""
    global _pool
    pool, _pool = _pool, None
    if pool is None:
        return
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14; before it, no public way
    if terminate is not None:
        terminate()
        return
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _draw_job(config: Config, snapshots: Callable[[], AbstractAsyncContextManager[UnitOfWork]], timer: Timer,
              recipients: list[tuple[int, str]], now: datetime) -> list[Reply]:
    """What runs in the worker: read a snapshot, draw."""
    return asyncio.run(Reports(config)._prepare(snapshots, timer, recipients, now))


class Reports:
    """Reports are drawn in a worker process: reading a month of 100,000 tickets and drawing its chart
    or workbook takes 1–3 s of CPU, which on the event loop (or under the write lock) would hold up
    every reporter, and in a thread still would, through the GIL (p95 230 ms at 50 reporters).

    A /report or a monthly push is a durable timer ("report", "monthly_report"). Firing one reads a
    snapshot and draws in the worker (`prepare`), then claims the timer and queues the replies in one
    short transaction (`deliver`): a crash in between draws it again after the restart, and a report
    is never sent twice."""

    def __init__(self, config: Config, executor: Executor | None = None) -> None:
        self.config = config
        self.executor = executor
        """Where reports are drawn; None: the shared worker process (tests may use a thread)."""

    async def order(self, tx: UnitOfWork, chat_id: int, period: str, lang: str, now: datetime, *,
                    workbook: bool, key: str) -> None:
        """A manager asked for `period` (as typed, checked by period_of): draw it as soon as possible."""
        await tx.timers.schedule(Timer("report", now, None, {"chat": chat_id, "period": period, "lang": lang,
                                                     "workbook": workbook, "asked_at": now.isoformat()}, key=key))

    async def prepare(self, storage: Storage, timer: Timer, recipients: list[tuple[int, str]],
                      now: datetime) -> list[Reply]:
        """The timer's report for each (chat, language), read and drawn in the worker, no lock held."""
        job = functools.partial(_draw_job, self.config, storage.snapshots(), timer, recipients, now)
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor or drawing_process(), job)
        except BrokenProcessPool:  # the worker died (killed, out of memory): a new one for the retry
            global _pool
            _pool = None
            raise
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # this task is being cancelled
            # the job was cancelled by stop_drawing before it started: a failure to draw, not a cancellation
            raise RuntimeError("the report worker was stopped") from None

    async def _prepare(self, snapshots: Callable[[], AbstractAsyncContextManager[UnitOfWork]], timer: Timer,
                       recipients: list[tuple[int, str]], now: datetime) -> list[Reply]:
        start, end, label = self._period(timer)
        workbook = timer.kind == "report" and bool(timer.payload["workbook"])
        async with snapshots() as tx:
            data = await load(tx, start, end)
        drawn: dict[str, Reply] = {}
        for _chat, lang in recipients:
            if lang not in drawn:
                drawn[lang] = self.draw(data, label, lang, now, workbook=workbook)
        return [Reply(chat, drawn[lang].text, lang, attachment=drawn[lang].attachment) for chat, lang in recipients]

    def draw(self, data: ReportData, label: str, lang: str, now: datetime, *, workbook: bool) -> Reply:
        """The summary in `lang` with the chart (or the workbook) attached; chat id filled by the caller."""
        from bot.services.reports.chart import chart_png
        from bot.services.reports.summary import summary
        from bot.services.reports.workbook import workbook_xlsx

        kpis = compute_kpis(data, now=now)
        score = quarter_score(kpis, self.config.reports.weights)
        lines = [Text(key, params) for key, params in summary(kpis, score)]
        text = t("report.message", label=label, lines=lines)
        tz = self.config.tz
        if workbook:
            attachment = Attachment("document", f"helpdesk-{label}.xlsx", workbook_xlsx(data, kpis, score, lang, tz))
        else:
            attachment = Attachment("photo", f"helpdesk-{label}.png", chart_png(data, kpis, now, lang, tz=tz))
        return Reply(0, text, lang, attachment=attachment)

    async def deliver(self, tx: UnitOfWork, timer: Timer, replies: list[Reply], now: datetime, *,
                      drawn: bool = True) -> None:
        """Queue the replies (the timer is claimed by the caller in this transaction). A monthly push
        that was `drawn` is recorded for the punctuality figure (one that failed counts as missing);
        either way the next one is scheduled."""
        for reply in replies:
            await tx.outbox.enqueue(reply, now)
        if timer.kind == "monthly_report":
            if drawn:
                await tx.reports.record_delivery(self.label_of(timer), timer.due_at, now)
            await self.schedule_monthly(tx, max(now, timer.due_at + timedelta(minutes=1)))

    def label_of(self, timer: Timer) -> str:
        """The period a report timer is for, as its title shows it ("2026-11", "2026-Q4"); as typed
        if it cannot be read (a failure message must not fail too)."""
        try:
            return self._period(timer)[2]
        except (PeriodError, KeyError, ValueError):
            return str(timer.payload.get("period", "?"))

    def _period(self, timer: Timer) -> tuple[datetime, datetime, str]:
        if timer.kind == "report":
            asked = datetime.fromisoformat(timer.payload["asked_at"])  # "month" means the month it was asked in
            return period_of(timer.payload["period"], asked, self.config.tz)
        return period_of("last", timer.due_at, self.config.tz)

    def next_monthly_due(self, now: datetime) -> datetime:
        """The next push: monthly_day at monthly_time, local time."""
        section, tz = self.config.reports, self.config.tz
        local = now.astimezone(tz)
        candidate = datetime.combine(local.date().replace(day=section.monthly_day), section.monthly_time, tzinfo=tz)
        if candidate <= local:
            following = _next_month(local.date().replace(day=1)).replace(day=section.monthly_day)
            candidate = datetime.combine(following, section.monthly_time, tzinfo=tz)
        return candidate.astimezone(UTC)

    async def schedule_monthly(self, tx: UnitOfWork, now: datetime) -> None:
        due = self.next_monthly_due(now)
        await tx.timers.schedule(Timer("monthly_report", due, None, {}, key=f"monthly_report:{due.isoformat()}"))
