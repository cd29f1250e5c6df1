"""/report and /export for managers: the period's figures with a chart, or the work-order register."""

from __future__ import annotations

from bot.domain.permissions import Act
from bot.messages import t
from bot.reports import PeriodError, period_of
from bot.session import Session


class ReportSession(Session):
    async def cmd_report(self, args: str) -> None:
        await self.report(args, workbook=False)

    async def cmd_export(self, args: str) -> None:
        await self.report(args, workbook=True)

    async def report(self, args: str, *, workbook: bool) -> None:
        reason = self.refused(Act.EXPORT if workbook else Act.REPORT)
        if reason is not None:
            await self.say(t(reason))
            return
        period = args.strip() or "month"
        try:
            period_of(period, self.now, self.svc.config.tz)
        except PeriodError:
            await self.say(t("report.usage"))
            return
        # drawn off the event loop once this is stored (bot.reports.Reports), then sent
        await self.svc.reports.order(self.tx, self.msg.chat_id, period, self.user.language, self.now,
                                     workbook=workbook, key=f"report:{self.msg.update_id}")
        self.outcome.report_ordered = "document" if workbook else "photo"
