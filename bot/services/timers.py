"""The scheduler's work: fire the durable timers that are due, each claimed in the transaction of its action.

What each kind of timer does is one table, HANDLERS. A timer is claimed (`finish`) in the same unit
of work as its action, so after a crash what fell due fires once and nothing fires twice. Reports
are the exception: they are drawn in the worker process first, outside any transaction, and claimed
with their replies afterwards (`services.reports.orders`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.domain.clock import Clock
from bot.domain.timers import REPORT_KINDS, Timer, TimerKind
from bot.services.deployment import Deployment
from bot.services.knowledge import KnowledgeBase
from bot.services.reports.orders import Reports
from bot.services.retention import PRUNE_EVERY
from bot.services.wiring import Services
from storage import Storage

Handler = Callable[[Services, Timer, datetime], Awaitable[None]]

HANDLERS: dict[TimerKind, Handler] = {
    TimerKind.ESCALATE: lambda s, timer, now: s.dispatch.on_escalation_timer(timer, now),
    TimerKind.CHECKPOINT: lambda s, timer, now: s.deadlines.on_checkpoint(timer, now),
    TimerKind.SPARE_DUE: lambda s, timer, now: s.deadlines.on_spare_due(timer, now),
    TimerKind.CALENDAR_CHECK: lambda s, timer, now: s.roster.on_calendar_check(timer, now),
    TimerKind.CONFIRM_TIMEOUT: lambda s, timer, now: s.followups.on_confirm_timeout(timer, now),
    TimerKind.FOLLOWUP_SEND: lambda s, timer, now: s.followups.on_send(timer, now),
    TimerKind.FOLLOWUP_REMIND: lambda s, timer, now: s.followups.on_remind(timer, now),
    TimerKind.FOLLOWUP_EXPIRE: lambda s, timer, now: s.followups.on_expire(timer, now),
    TimerKind.INSPECTION_DAY: lambda s, timer, now: s.inspections.on_day(timer, now),
    TimerKind.INSPECTION_MOVED: lambda s, timer, now: s.inspections.on_moved(timer, now),
    TimerKind.INSPECTION_LATE: lambda s, timer, now: s.inspections.on_late(timer, now),
}
"""timer kind → what firing it does (REPORT_KINDS go to the report worker instead)."""


class Scheduler:
    def __init__(self, storage: Storage, deployment: Deployment, kb: KnowledgeBase | None, clock: Clock,
                 reports: Reports) -> None:
        self.storage = storage
        self.deployment = deployment
        self.kb = kb
        self.clock = clock
        self.reports = reports
        self._pruned_at: datetime | None = None
        """Pruning is not a durable timer: doing it again after a restart is harmless, missing it is not."""

    async def tick(self, batch: int = 200) -> int:
        """Fire the durable timers that are due; each in its own transaction, claimed before acting.
        Once a day (and once after start) it also forgets what retention allows to forget."""
        fired = 0
        now = self.clock.now()
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = now
            async with self.storage.transaction() as uow:
                await Services(self.deployment, self.kb, uow).retention.prune(now)
        while True:
            async with self.storage.transaction() as uow:
                due = await uow.timers.due(now, batch)
            fired += await self._fire(due, now)
            if len(due) < batch:
                break
        if self.deployment.duty_group.forum:  # the tickets' topics follow what the timers (and chats) changed
            async with self.storage.transaction() as uow:
                await Services(self.deployment, self.kb, uow).topics.follow(now)
        return fired

    async def _fire(self, due: list[Timer], now: datetime) -> int:
        fired = 0
        for timer in due:
            if timer.kind in REPORT_KINDS:
                fired += await self.reports.run(self.storage, timer, now)
                continue
            async with self.storage.transaction() as uow:
                if timer.id is None or not await uow.timers.finish(timer.id, now):
                    continue  # another tick claimed it first
                await HANDLERS[timer.kind](Services(self.deployment, self.kb, uow), timer, now)
                fired += 1
        return fired

    async def next_due(self) -> datetime | None:
        async with self.storage.transaction() as uow:
            return await uow.timers.next_due()

    async def start_up(self) -> None:
        """Once at start: gaps in the roster and the calendar's coverage are told to the managers, and the
        monthly report is scheduled (a push missed while the bot was down is kept, not doubled)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            services = Services(self.deployment, self.kb, uow)
            await services.roster.report_gaps(now)
            await services.roster.check_calendar(now)
            await services.inspections.start_up(now)
            if not await uow.timers.has_pending(TimerKind.MONTHLY_REPORT):
                await self.reports.schedule_monthly(uow.timers, now)

