"""How long the KPI report takes on a busy year, and how much memory it needs.

Generates a year of tickets in memory (100,000 by default, with their audit log, follow-ups and
self-service outcomes), then times compute_kpis for the year and for one month, and chart_png and
workbook_xlsx for the month and the year. Peak memory: tracemalloc around each step in a second,
traced pass (tracing slows Python down, so the times come from the untraced pass), and the
process's ru_maxrss at the end. Prints a Markdown table.

    .venv/bin/python benchmarks/report_bench.py [--tickets 100000] [--no-year-files] [--trace-all]

openpyxl writes about 1.4× faster when lxml is installed (it picks lxml up by itself).
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.devices import DEVICE_TYPES
from bot.domain.followup import Answer, FollowUp, FollowUpState
from bot.domain.kpi import KbOutcome, ReportData, compute_kpis
from bot.domain.score import quarter_score
from bot.domain.severity import Severity
from bot.domain.sla import DEFAULT_TARGETS, Deadlines, SlaTerms
from bot.domain.ticket import Status, Ticket, TicketEvent
from bot.services.reports.chart import chart_png
from bot.services.reports.workbook import workbook_xlsx

TZ = ZoneInfo("Asia/Shanghai")
YEAR_START = datetime(2025, 12, 31, 16, tzinfo=UTC)  # 2026-01-01 00:00 Shanghai
YEAR_END = datetime(2026, 12, 31, 16, tzinfo=UTC)
NOW = YEAR_END + timedelta(days=3)
SITES = ("HQ-12F", "HQ-3F", "Branch-North", "Branch-South", "Branch-East", "Warehouse")
SEVERITY_WEIGHTS = ((Severity.P1, 5), (Severity.P2, 20), (Severity.P3, 55), (Severity.P4, 20))


def generate(count: int, seed: int = 7) -> ReportData:
    """A year of tickets with realistic proportions: most closed, some late, some reopened or paused."""
    rnd = random.Random(seed)
    levels = [level for level, _ in SEVERITY_WEIGHTS]
    weights = [weight for _, weight in SEVERITY_WEIGHTS]
    span = (YEAR_END - YEAR_START).total_seconds()
    tickets: list[Ticket] = []
    events: dict[str, list[TicketEvent]] = {}
    followups: list[FollowUp] = []
    for index in range(count):
        opened = YEAR_START + timedelta(seconds=rnd.random() * span)
        level = rnd.choices(levels, weights)[0]
        targets = DEFAULT_TARGETS[level]
        deadlines = Deadlines(*(opened + target if target else None
                                for target in (targets.respond, targets.onsite, targets.resolve)))
        number = f"HD-2026-{index + 1:06d}"
        reporter, engineer = 10_000 + rnd.randrange(3000), 1000 + rnd.randrange(25)
        log = [TicketEvent(opened, reporter, "opened")]
        fields: dict[str, Any] = {}
        status = Status.CLOSED
        if rnd.random() < 0.03:
            status = Status.CANCELLED
            log.append(TicketEvent(opened + timedelta(minutes=5), reporter, "cancel", {"reason": "duplicate"}))
        else:
            accepted = opened + (targets.respond or timedelta(hours=1)) * rnd.uniform(0.1, 1.3)
            fields.update(accepted_at=accepted, dispatched_at=opened + timedelta(minutes=2), assignee_id=engineer)
            log.append(TicketEvent(accepted, engineer, "accept"))
            at = accepted
            if targets.onsite and rnd.random() < 0.85:
                at = opened + targets.onsite * rnd.uniform(0.2, 1.2)
                fields["arrived_at"] = at
                log.append(TicketEvent(at, engineer, "arrive"))
                if rnd.random() < 0.06:
                    log.append(TicketEvent(at + timedelta(minutes=30), engineer, "paused", {"reason": "part"}))
                    log.append(TicketEvent(at + timedelta(hours=20), engineer, "resumed"))
                    fields["pauses"] = ((at + timedelta(minutes=30), at + timedelta(hours=20)),)
                    at += timedelta(hours=20)
            resolved = at + timedelta(minutes=rnd.uniform(20, 300))
            if rnd.random() < 0.04:
                log += [TicketEvent(resolved, engineer, "resolve"),
                        TicketEvent(resolved + timedelta(hours=2), reporter, "reopen")]
                resolved += timedelta(hours=6)
            if resolved > NOW - timedelta(days=4) or rnd.random() < 0.01:
                status = Status.ACCEPTED if rnd.random() < 0.5 else Status.RESOLVED
            if status is not Status.ACCEPTED:
                fields.update(resolved_at=resolved, resolution="replaced the drum", parts=rnd.choice((None, "drum")))
                log.append(TicketEvent(resolved, engineer, "resolve"))
            if status is Status.CLOSED:
                sent = resolved + timedelta(hours=72)
                log.append(TicketEvent(sent + timedelta(hours=5), None, "close"))
                if rnd.random() < 0.8:
                    followups.append(FollowUp(number, reporter, FollowUpState.DONE, sent, sent_at=sent,
                                              expires_at=sent + timedelta(hours=72), answer=Answer.WORKING,
                                              answered_at=sent + timedelta(hours=1),
                                              rating=rnd.choices((1, 2, 3, 4, 5), (3, 4, 10, 33, 50))[0],
                                              rated_at=sent + timedelta(hours=1)))
                else:
                    followups.append(FollowUp(number, reporter, FollowUpState.EXPIRED, sent, sent_at=sent,
                                              expires_at=sent + timedelta(hours=72)))
        tickets.append(Ticket(
            number=number, reporter_id=reporter, description=f"fault {index} 打印机卡纸", severity=level,
            opened_at=opened, sla=SlaTerms(tier=None, clock="24x7", deadlines=deadlines), status=status,
            device_type=rnd.choice(DEVICE_TYPES), asset_no=f"BJ-{rnd.randrange(count // 12 or 1):05d}",
            site=rnd.choice(SITES), room=f"{rnd.randrange(1, 30)}0{rnd.randrange(1, 9)}",
            contact_phone="+86 138 0000 0000", **fields,
        ))
        events[number] = log
    kb = [KbOutcome(YEAR_START + timedelta(seconds=rnd.random() * span), 10_000 + rnd.randrange(3000),
                    f"kb-{rnd.randrange(60)}", rnd.random() < 0.7) for _ in range(count // 2)]
    return ReportData(start=YEAR_START, end=YEAR_END, tickets=tickets, events=events, followups=followups,
                      kb_outcomes=kb, earlier=[], monthly_reports_due=12, monthly_reports_late=1)


def one_month(year: ReportData) -> ReportData:
    """November: the year's data cut to tickets opened in it (as a loader would fetch it)."""
    start, end = datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC)
    tickets = [t for t in year.tickets if start <= t.opened_at < end]
    numbers = {t.number for t in tickets}
    return replace(year, start=start, end=end, tickets=tickets,
                   events={n: year.events[n] for n in numbers},
                   followups=[f for f in year.followups if f.ticket in numbers],
                   kb_outcomes=[k for k in year.kb_outcomes if start <= k.at < end],
                   earlier=[t for t in year.tickets if start - timedelta(days=30) <= t.opened_at < start],
                   monthly_reports_due=1, monthly_reports_late=0)


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    began = time.perf_counter()
    result = step()
    return time.perf_counter() - began, result


def traced_peak(step: Callable[[], Any]) -> float:
    """MiB allocated at the peak of `step`, above what was allocated when it started."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--no-year-files", action="store_true", help="skip the chart and workbook of the year")
    parser.add_argument("--trace-all", action="store_true",
                        help="also trace the year's workbook (adds about two minutes)")
    args = parser.parse_args(argv)

    generating, year = timed(lambda: generate(args.tickets))
    month = one_month(year)
    year_kpis = compute_kpis(year, now=NOW)
    month_kpis = compute_kpis(month, now=NOW)
    score = quarter_score(month_kpis)
    chart_png(month, month_kpis, NOW, "zh", tz=TZ)  # fonts and matplotlib loaded once, outside the timing

    steps: list[tuple[str, int, Callable[[], Any]]] = [
        ("compute_kpis, year", len(year.tickets), lambda: compute_kpis(year, now=NOW)),
        ("compute_kpis, month", len(month.tickets), lambda: compute_kpis(month, now=NOW)),
        ("compute_kpis, year, one site", len(year.tickets), lambda: compute_kpis(year, now=NOW, site="HQ-3F")),
        ("chart_png, month (zh)", len(month.tickets), lambda: chart_png(month, month_kpis, NOW, "zh", tz=TZ)),
        ("workbook_xlsx, month", len(month.tickets), lambda: workbook_xlsx(month, month_kpis, score, "zh", TZ)),
    ]
    if not args.no_year_files:
        steps += [
            ("chart_png, year (zh)", len(year.tickets), lambda: chart_png(year, year_kpis, NOW, "zh", tz=TZ)),
            ("workbook_xlsx, year", len(year.tickets), lambda: workbook_xlsx(year, year_kpis, None, "zh", TZ)),
        ]
    rows = []
    for name, size, step in steps:
        seconds, result = timed(step)
        output = f"{len(result) / 2**20:.1f} MiB" if isinstance(result, bytes) else "—"
        rows.append((name, size, seconds, output))
    peaks = {name: traced_peak(step) for name, _, step in steps
             if args.trace_all or name != "workbook_xlsx, year"}  # traced, it alone takes ~2 minutes

    events = sum(len(log) for log in year.events.values())
    print(f"Generated {len(year.tickets):,} tickets, {events:,} log lines, {len(year.followups):,} follow-ups, "
          f"{len(year.kb_outcomes):,} self-service outcomes in {generating:.1f} s; "
          f"the month (November) has {len(month.tickets):,} tickets.\n")
    print("| step | tickets | time | output | peak traced memory |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, size, seconds, output in rows:
        peak = f"{peaks[name]:.1f} MiB" if name in peaks else "(--trace-all)"
        print(f"| {name} | {size:,} | {seconds:.2f} s | {output} | {peak} |")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"\nProcess peak RSS (ru_maxrss, the generated year included): {maxrss:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
