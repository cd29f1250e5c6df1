"""`helpdesk inspections …`: the preventive-maintenance (巡检) plan from a shell, for managers and scripts.

    helpdesk inspections plan --from 2026-12-01 --to 2026-12-31 [--json]
    helpdesk inspections due [--at 2026-12-07] [--json]

`plan` lists each day's visit lists (one per site) with the engineer the duty roster names for that
morning; `due` lists what must still be done on a day: the lists planned on or before it whose window
has not closed, not yet finished. Both come from the same planner, register, roster and stored visits
the bot pushes from, so what the shell shows is what the engineers get. Nothing here writes: the
database is opened only to read, and a missing one is an error, not an empty plan.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.cli.exits import EXIT_BAD_SETTING
from bot.cli.options import add_to
from bot.cli.roster import MAX_DAYS, CommandExit, Parser, UsageError, flag_unknown_years, parse_date, person
from bot.config import Config
from bot.domain.calendar import local_date, local_midnight
from bot.domain.clock import Clock, SystemClock
from bot.domain.inspection import Registered, Visit, assignee, plan
from bot.domain.inspection_visit import VisitRecord
from bot.domain.roster import DutyRoster
from bot.services.deployment import inspection_policy, roster_from_config
from bot.services.roster import stored_edits

LOOK_BACK = timedelta(days=120)
"""How far before `--at` a list may have been planned and still be open: a quarter's window and more."""


@dataclass(frozen=True)
class Known:
    """What the database holds that the plan depends on: the register, the roster's edits and the
    overrides around the range, and the visits already pushed."""

    register: list[Registered]
    roster: DutyRoster
    stored: dict[str, VisitRecord]


def _parser(out: TextIO) -> Parser:
    parser = Parser(prog="helpdesk inspections", out=out,
                     description="The preventive-maintenance plan, from the register and the duty roster.")
    add_to(parser)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    show = commands.add_parser("plan", help="the visit lists of a range of days, with their engineers", out=out)
    show.add_argument("--from", dest="start", required=True, help="first date, YYYY-MM-DD")
    show.add_argument("--to", dest="end", required=True, help="last date (inclusive), YYYY-MM-DD")
    show.add_argument("--json", action="store_true", help="machine-readable output, one object")
    add_to(show)
    due = commands.add_parser("due", help="what is still to do on a day (planned, window open, not done)", out=out)
    due.add_argument("--at", help="a date, YYYY-MM-DD (default: today, local time)")
    due.add_argument("--json", action="store_true", help="machine-readable output, one object")
    add_to(due)
    return parser


async def read_known(db_path: Path, config: Config, first: date, last: date) -> Known:
    """The register, the roster as the bot would build it, and the stored visits of [first, last]."""
    from storage import read_snapshot

    tz = config.tz
    async with read_snapshot(db_path) as tx:  # only reads: never the bot's write lock
        register = [Registered(asset, local_date(since, tz) if since else None)
                    for asset, since in await tx.assets.register()]
        edits = await stored_edits(tx.roster)
        overrides = await tx.roster.overrides(local_midnight(first, tz) - timedelta(days=2),
                                              local_midnight(last, tz) + timedelta(days=2))
        stored = {v.key: v for v in await tx.inspections.between(first, last)}
    return Known(register, roster_from_config(config, overrides, **edits), stored)


def _row(visit: Visit, known: Known, start_at: time) -> dict[str, Any]:
    engineer = assignee(visit, known.roster, start_at)
    record = known.stored.get(visit.key)
    info = known.roster.engineers.get(engineer) if engineer is not None else None
    return {
        "day": visit.day.isoformat(), "site": visit.site, "devices": len(visit.assets),
        "assets": list(visit.assets), "classes": list(visit.classes), "due_by": visit.due_by.isoformat(),
        "engineer": None if engineer is None else {"id": engineer, "name": info.name if info else None},
        "status": ("planned" if record is None else f"moved to {record.day.isoformat()}" if record.day != visit.day
                   else record.status.value),
        "checked": sum(1 for item in record.items if item.result is not None) if record else 0,
    }


def _line(row: dict[str, Any], roster: DutyRoster) -> str:
    day = date.fromisoformat(row["day"])
    who = person(roster, row["engineer"]["id"]) if row["engineer"] else "nobody on duty (sent to the managers)"
    count = f"{row['devices']} device" + ("s" if row["devices"] != 1 else "")
    status = row["status"] if row["status"] != "started" else f"started, {row['checked']}/{row['devices']} checked"
    return (f"{row['day']} {day.strftime('%a')}  {row['site']}: {count}  →  {who}  by {row['due_by']}  "
            f"({', '.join(row['classes'])}; {status})")


def _write(title: str, rows: list[dict[str, Any]], meta: dict[str, Any], as_json: bool, roster: DutyRoster,
           out: TextIO) -> None:
    if as_json:
        out.write(json.dumps({**meta, "timezone": roster.tz.key, "visits": rows}, ensure_ascii=False) + "\n")
        return
    devices = sum(row["devices"] for row in rows)
    out.write(f"{title} ({roster.tz.key}): {len(rows)} visit list(s), {devices} device(s)\n")
    for row in rows:
        out.write(_line(row, roster) + "\n")


def main(argv: list[str], config: Config, db_path: Path, stdout: TextIO | None = None, *,
         stderr: TextIO | None = None, clock: Clock | None = None) -> int:
    """Run `helpdesk inspections <argv>`; 0 on success, 2 on a bad argument or no database (reason on stderr)."""
    import asyncio

    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        args = _parser(out).parse_args(argv)
        if args.command == "plan":
            first, last = parse_date(args.start, "--from"), parse_date(args.end, "--to")
            if last < first:
                raise UsageError("--to is before --from")
            if (last - first).days + 1 > MAX_DAYS:
                raise UsageError(f"at most {MAX_DAYS} days at a time")
        else:
            at = parse_date(args.at, "--at") if args.at else local_date((clock or SystemClock()).now(), config.tz)
            first, last = at - LOOK_BACK, at
        if not config.inspections.classes:
            raise UsageError("no inspections are configured: add [[inspections.classes]] to the configuration")
        if not db_path.exists():
            raise UsageError(f"no database at {db_path} (the register is loaded with helpdesk assets import)")
        known = asyncio.run(read_known(db_path, config, first, last))
        policy = inspection_policy(config)
        visits = plan(policy, known.register, known.roster.calendar, first, last)
        flag_unknown_years(known.roster, first, last, err)
        if args.command == "plan":
            rows = [_row(v, known, policy.start_at) for v in visits]
            _write(f"Inspection plan {first} – {last}", rows, {"from": first.isoformat(), "to": last.isoformat()},
                   args.json, known.roster, out)
        else:
            rows = [row for row in (_row(v, known, policy.start_at) for v in visits if v.due_by >= at)
                    if row["status"] != "done"]
            _write(f"Inspections due on {at}", rows, {"at": at.isoformat()}, args.json, known.roster, out)
    except CommandExit as done:
        return done.status
    except (UsageError, ValueError) as exc:
        err.write(f"helpdesk inspections: {exc}\n")
        return EXIT_BAD_SETTING
    return 0
