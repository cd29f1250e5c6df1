"""The dashboard's KPIs and chart series: `helpdesk report --json`'s figures, read and computed in the
report worker, and kept for a short while.

A month of a large deployment is thousands of tickets with their logs: reading and computing them is
up to a few seconds of CPU, which on the bot's event loop would hold up every reporter. So the work
runs where reports are drawn (`bot.services.reports.worker`), from a snapshot that takes no lock, and
the answer is kept for `FRESH` so that a board left open, or ten managers opening it, cost one
computation. The figures are exactly those of `helpdesk report --json` for the same period and
selection (`as_json`), which a test checks.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

from bot.config import Config
from bot.domain.kpi import compute_kpis, filtered
from bot.domain.kpi_series import breakdown, weekly_attainment
from bot.domain.periods import period_of
from bot.domain.score import quarter_score
from bot.domain.sites import site_key
from bot.domain.targets import SPECS
from bot.services.reports.loading import load_period
from bot.services.reports.summary import as_json, device_label, format_target, format_value, label
from bot.services.reports.worker import run_in_worker
from storage import Storage, UnitOfWork

FRESH = 30.0
"""Seconds a computed answer is served again before it is computed anew."""
PERIODS = ("month", "quarter")


Selection = tuple[tuple[str, Any], ...]
"""(name, value) pairs of `compute_kpis`' filters: site, engineer, device_type, severity."""


def compute(config: Config, snapshots: Callable[[], AbstractAsyncContextManager[UnitOfWork]], period: str,
            selection: Selection, lang: str, now: datetime) -> dict[str, Any]:
    """What runs in the worker (picklable arguments only)."""
    return asyncio.run(_compute(config, snapshots, period, dict(selection), lang, now))


async def _compute(config: Config, snapshots: Callable[[], AbstractAsyncContextManager[UnitOfWork]], period: str,
                   selection: dict[str, Any], lang: str, now: datetime) -> dict[str, Any]:
    start, end, period_label = period_of(period, now, config.tz)
    async with snapshots() as uow:
        data = await load_period(uow, config, start, end)
    kpis = compute_kpis(data, now=now, **selection)
    score = quarter_score(kpis, config.reports.weights)
    result = as_json(kpis, score, config.tz)
    result["label"] = period_label
    result["labels"] = {name: label(f"report.kpi.{name}", lang) for name, _ in kpis.figures()}
    result["formatted"] = {name: {"value": format_value(SPECS[name], figure.value),
                                  "target": format_target(SPECS[name], figure.target)}
                           for name, figure in kpis.figures()}
    view = filtered(data, **selection)
    engineers = {e.id: e.name for e in config.engineers}
    sites = {site_key(s): s for s in config.intake.sites}
    result["charts"] = {
        "weeks": [{"week": week.isoformat(), "tickets": fig.denominator, "on_time": fig.value}
                  for week, fig in weekly_attainment(view, now, tz=config.tz)],
        "by_site": _bars(breakdown(view, now, lambda t: site_key(t.site) or None),
                         lambda k: sites.get(k, k)),
        "by_device": _bars(breakdown(view, now, lambda t: t.device_type), lambda k: device_label(k, lang)),
        "by_engineer": _bars(breakdown(view, now, lambda t: str(t.assignee_id) if t.assignee_id else None),
                             lambda k: engineers.get(int(k), k) if k.isdigit() else label("dashboard.nobody", lang)),
    }
    return result


def _bars(rows: list[tuple[str, int, int]], name: Callable[[str], str]) -> list[dict[str, Any]]:
    # "breached": it missed a promised milestone, whether it is still open or not (the page's red part)
    return [{"key": key, "label": name(key), "tickets": tickets, "breached": late} for key, tickets, late in rows]


class Figures:
    """Computes in the worker and keeps each answer for FRESH seconds (a monotonic clock: the cache is
    about CPU, not about the help desk's time)."""

    def __init__(self, config: Config, storage: Storage, executor: Executor | None = None) -> None:
        self.config = config
        self.storage = storage
        self.executor = executor
        self._kept: dict[tuple[str, Selection, str], tuple[float, dict[str, Any]]] = {}
        self._computing: dict[tuple[str, Selection, str], asyncio.Future[dict[str, Any]]] = {}

    async def get(self, period: str, selection: Selection, lang: str, now: datetime) -> dict[str, Any]:
        key = (period, selection, lang)
        kept = self._kept.get(key)
        if kept is not None and time.monotonic() - kept[0] < FRESH:
            return kept[1]
        if key in self._computing:  # one computation for everyone asking at once
            return await asyncio.shield(self._computing[key])
        job = functools.partial(compute, self.config, self.storage.snapshots(), period, selection, lang, now)
        future = asyncio.ensure_future(run_in_worker(job, self.executor))
        self._computing[key] = future
        try:
            result = await asyncio.shield(future)
        finally:
            self._computing.pop(key, None)
        fresh = time.monotonic()
        # what is past its time goes: filters typed by hand must not pile up answers for good
        self._kept = {k: kept for k, kept in self._kept.items() if fresh - kept[0] < FRESH}
        self._kept[key] = (fresh, result)
        return result
