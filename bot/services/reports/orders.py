"""Reports for managers as durable orders: /report and /export, and the monthly push.

A /report or a monthly push is a durable timer (`TimerKind.REPORT`, `MONTHLY_REPORT`). Running one
reads a snapshot and draws in the worker process (no lock held, the event loop free), then claims the
timer and queues the replies in one short transaction: a crash in between draws it again after the
restart, and a report is never sent twice. A report that fails to draw is tried again by the next
ticks; after DRAW_ATTEMPTS failures its recipients are told why, once, and it is given up. A monthly
push missed while the bot was down goes out when it is back; one that could not be drawn counts as
missing in the punctuality figure, and the next month's is scheduled either way.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

from bot.config import Config
from bot.domain.kpi import ReportData, compute_kpis
from bot.domain.periods import PeriodError, next_month, period_of
from bot.domain.score import quarter_score
from bot.domain.timers import Timer, TimerKind
from bot.messages import Attachment, Reply, Text, t
from bot.services.notify import Notifier
from bot.services.reports.loading import load_period
from bot.services.reports.worker import run_in_worker
from storage import Storage, UnitOfWork
from storage.ports import Timers

log = logging.getLogger(__name__)

DRAW_ATTEMPTS = 3
"""Tries at drawing a report (the command's and the ticks' after it) before its recipients are told it failed."""


def _draw_job(config: Config, snapshots: Callable[[], AbstractAsyncContextManager[UnitOfWork]], timer: Timer,
              recipients: list[tuple[int, str]], now: datetime) -> list[Reply]:
    """What runs in the worker: read a snapshot, draw."""
    return asyncio.run(Reports(config).drawing(snapshots, timer, recipients, now))


class Reports:
    def __init__(self, config: Config, executor: Executor | None = None) -> None:
        self.config = config
        self.executor = executor
        """Where reports are drawn; None: the shared worker process (tests may use a thread)."""
        self.stopping = False
        """Set on shutdown: no report is started any more (its order waits in the database)."""
        self._drawing: set[int] = set()
        """Report timers being drawn right now (in this process)."""
        self._draw_failures: dict[int, int] = {}
        """Failed attempts to draw a report timer, since this process started."""

    async def order(self, timers: Timers, chat_id: int, period: str, lang: str, now: datetime, *,
                    workbook: bool, key: str) -> None:
        """A manager asked for `period` (as typed, checked by period_of): draw it as soon as possible."""
        await timers.schedule(Timer(TimerKind.REPORT, now, None, {
            "chat": chat_id, "period": period, "lang": lang, "workbook": workbook, "asked_at": now.isoformat(),
        }, key=key))

    async def draw_ordered(self, storage: Storage, now: datetime) -> list[int]:
        """Draw the reports managers asked for that are waiting; the chats they went to.

        Called right after a /report or /export is stored, so the manager need not wait for the next
        tick; a report left undrawn by a crash is drawn by the tick after the restart."""
        async with storage.transaction() as uow:
            due = [timer for timer in await uow.timers.due(now) if timer.kind is TimerKind.REPORT]
        return [int(timer.payload["chat"]) for timer in due if await self.run(storage, timer, now)]

    async def run(self, storage: Storage, timer: Timer, now: datetime) -> int:
        """Draw off the event loop with no lock held, then claim the timer and queue the replies at once;
        1 if it was sent (or given up on), 0 if it waits for another attempt."""
        if timer.id is None or timer.id in self._drawing or self.stopping:
            return 0  # being drawn already (a tick and a manager's command can meet here), or shutting down
        self._drawing.add(timer.id)
        try:
            recipients = await self._recipients(storage, timer)
            drawn = True
            try:
                replies = await self.prepare(storage, timer, recipients, now)
            except Exception as exc:  # whatever broke the drawing, the managers hear of it
                if self.stopping:
                    return 0  # stopped by the shutdown, not a failure
                failures = self._draw_failures[timer.id] = self._draw_failures.get(timer.id, 0) + 1
                log.exception("could not draw report %s (attempt %d of %d)", timer.key, failures, DRAW_ATTEMPTS)
                if failures < DRAW_ATTEMPTS:
                    return 0
                drawn = False
                reason = f"{type(exc).__name__}: {exc}"[:200]
                replies = [Reply(chat, t("report.failed", label=self.label_of(timer), reason=reason), lang)
                           for chat, lang in recipients]
            async with storage.transaction() as uow:
                if not await uow.timers.finish(timer.id, now):
                    return 0
                await self._deliver(uow, timer, replies, now, drawn=drawn)
            self._draw_failures.pop(timer.id, None)
            return 1
        finally:
            self._drawing.discard(timer.id)

    async def _recipients(self, storage: Storage, timer: Timer) -> list[tuple[int, str]]:
        """(chat, language) the report goes to: who asked, or every manager for the monthly push."""
        if timer.kind is TimerKind.REPORT:
            return [(int(timer.payload["chat"]), str(timer.payload["lang"]))]
        async with storage.transaction() as uow:
            notify = Notifier(uow.users, uow.outbox, managers=(), default_language=self.config.bot.default_language)
            return [(m.id, await notify.language_of(m.id)) for m in self.config.managers]

    async def prepare(self, storage: Storage, timer: Timer, recipients: list[tuple[int, str]],
                      now: datetime) -> list[Reply]:
        """The timer's report for each (chat, language), read and drawn in the worker, no lock held."""
        job = functools.partial(_draw_job, self.config, storage.snapshots(), timer, recipients, now)
        return await run_in_worker(job, self.executor)

    async def drawing(self, snapshots: Callable[[], AbstractAsyncContextManager[UnitOfWork]], timer: Timer,
                      recipients: list[tuple[int, str]], now: datetime) -> list[Reply]:
        """In the worker: the period's data from a snapshot, drawn once per language."""
        start, end, label = self.period(timer)
        workbook = timer.kind is TimerKind.REPORT and bool(timer.payload["workbook"])
        async with snapshots() as uow:
            data = await load_period(uow, self.config, start, end)
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

    async def _deliver(self, uow: UnitOfWork, timer: Timer, replies: list[Reply], now: datetime, *,
                       drawn: bool) -> None:
        """Queue the replies (the timer is claimed in this unit of work). A monthly push is recorded
        for the punctuality figure, as sent if it was `drawn`, else as missing; either way the next
        one is scheduled."""
        for reply in replies:
            await uow.outbox.enqueue(reply, now)
        if timer.kind is TimerKind.MONTHLY_REPORT:
            # one that failed to draw is on record as not sent: missing, for punctuality, until a
            # later push of the same period goes out
            await uow.reports.record_delivery(self.label_of(timer), timer.due_at, now if drawn else None)
            await self.schedule_monthly(uow.timers, max(now, timer.due_at + timedelta(minutes=1)))

    def label_of(self, timer: Timer) -> str:
        """The period a report timer is for, as its title shows it ("2026-11", "2026-Q4"); as typed
        if it cannot be read (a failure message must not fail too)."""
        try:
            return self.period(timer)[2]
        except (PeriodError, KeyError, ValueError):
            return str(timer.payload.get("period", "?"))

    def period(self, timer: Timer) -> tuple[datetime, datetime, str]:
        if timer.kind is TimerKind.REPORT:
            asked = datetime.fromisoformat(timer.payload["asked_at"])  # "month" means the month it was asked in
            return period_of(timer.payload["period"], asked, self.config.tz)
        return period_of("last", timer.due_at, self.config.tz)

    def next_monthly_due(self, now: datetime) -> datetime:
        """The next push: monthly_day at monthly_time, local time."""
        section, tz = self.config.reports, self.config.tz
        local = now.astimezone(tz)
        candidate = datetime.combine(local.date().replace(day=section.monthly_day), section.monthly_time, tzinfo=tz)
        if candidate <= local:
            following = next_month(local.date().replace(day=1)).replace(day=section.monthly_day)
            candidate = datetime.combine(following, section.monthly_time, tzinfo=tz)
        return candidate.astimezone(UTC)

    async def schedule_monthly(self, timers: Timers, now: datetime) -> None:
        due = self.next_monthly_due(now)
        await timers.schedule(Timer(TimerKind.MONTHLY_REPORT, due, None, {}, key=f"monthly_report:{due.isoformat()}"))
