"""`helpdesk report --from DATE --to DATE [--json | --xlsx FILE | --png FILE] [filters]`.

`main` is synchronous and runs the loader with `asyncio.run`, like the other `helpdesk` commands: call
it from a plain (non-async) entry point. Storage is injected as `load(start, end)`, so the command is
tested with a fake loader and never opens a database itself.

Dates are local to the deployment's zone and `--to` is inclusive: `--from 2026-11-01 --to 2026-11-30`
is November, [2026-11-01 00:00, 2026-12-01 00:00) local. Exit codes: 0 done, 1 the output file could
not be written, 2 bad arguments (refused before anything is loaded).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, NoReturn, TextIO

from bot.cli.options import add_to
from bot.domain.devices import DEVICE_TYPES, device_type_from_text
from bot.domain.kpi import ReportData, compute_kpis, filtered
from bot.domain.score import Weights, quarter_score
from bot.domain.severity import Severity
from bot.services.reports.chart import chart_png
from bot.services.reports.summary import as_json, render_lines, summary
from bot.services.reports.workbook import write_workbook

EXIT_OK = 0
EXIT_WRITE_FAILED = 1
EXIT_USAGE = 2

Loader = Callable[[datetime, datetime], Awaitable[ReportData]]


class UsageError(Exception):
    """A bad argument; the message says which and why."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing to sys.stderr and exiting, so `main` owns its streams."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def _severity(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _device(text: str) -> str:
    device = device_type_from_text(text)
    if device is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a device type; use {', '.join(DEVICE_TYPES)}")
    return device


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="helpdesk report", add_help=False,
                     description="KPIs of the tickets opened between two local dates (both included).")
    parser.add_argument("--from", dest="first", type=_day, required=True, metavar="DATE")
    parser.add_argument("--to", dest="last", type=_day, required=True, metavar="DATE", help="inclusive")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="every figure as JSON")
    output.add_argument("--xlsx", type=Path, metavar="FILE", help="write the work orders and KPIs workbook")
    output.add_argument("--png", type=Path, metavar="FILE", help="write the chart")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the workbook and chart")
    parser.add_argument("--site")
    parser.add_argument("--engineer", type=int, metavar="ID")
    parser.add_argument("--device", type=_device)
    parser.add_argument("--severity", type=_severity, metavar="P1")
    parser.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    add_to(parser)
    return parser


def period(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) local, as UTC instants."""
    start = datetime.combine(first, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    return start, end


def main(argv: list[str], load: Loader, *, tz: tzinfo, weights: Weights | Any, now: datetime,
         stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run `helpdesk report`; returns the exit code. `weights` is (service, reporting, satisfaction)
    or the configuration's [reports.weights]."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    if any(arg in ("-h", "--help") for arg in argv):
        out.write(parser.format_help())
        return EXIT_OK
    try:
        args = parser.parse_args(argv)
        if args.last < args.first:
            raise UsageError(f"--to {args.last} is before --from {args.first}")
    except UsageError as exc:
        err.write(f"{parser.format_usage()}helpdesk report: error: {exc}\n")
        return EXIT_USAGE

    start, end = period(args.first, args.last, tz)
    data = asyncio.run(load(start, end))
    selection = {"site": args.site, "engineer": args.engineer, "device_type": args.device,
                 "severity": args.severity}
    kpis = compute_kpis(data, now=now, **selection)
    score = quarter_score(kpis, weights)

    if args.json:
        out.write(json.dumps(as_json(kpis, score, tz), ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if args.xlsx or args.png:
        view = filtered(data, **selection)
        target: Path = args.xlsx or args.png
        try:
            with target.open("wb") as file:  # the workbook streamed into it (a year's is 17 MB)
                if args.xlsx:
                    write_workbook(file, view, kpis, score, args.lang, tz)
                else:
                    file.write(chart_png(view, kpis, now, args.lang, tz=tz))
                size = file.tell()
        except OSError as exc:
            err.write(f"helpdesk report: cannot write {target}: {exc.strerror or exc}\n")
            return EXIT_WRITE_FAILED
        out.write(f"Wrote {target} ({kpis.tickets} tickets, {size} bytes)\n")
        return EXIT_OK
    out.write(render_lines(summary(kpis, score), "en", tz) + "\n")
    return EXIT_OK
