"""`helpdesk roster …`: ask the duty roster from a shell, for people and (with --json) for scripts.

    helpdesk roster who [--at 2026-02-14T10:00] [--json]
    helpdesk roster show --from 2026-02-14 --to 2026-02-23 [--json]

The bot's main CLI loads the configuration and calls :func:`main`; overrides stored in the database
are passed in by that caller. A time without an offset is the deployment's local time. The answers
come from the same pure functions the bot uses (:mod:`bot.domain.roster`), so what the shell shows is
what the bot does. Years whose holiday schedule the calendar does not know are flagged on stderr:
the answer is then a guess, and the managers should hear that.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NoReturn, TextIO

from bot.cli.options import add_to
from bot.config import Config
from bot.domain.calendar import ONE_DAY, as_utc, local_date, local_midnight, wall_to_utc
from bot.domain.candidates import backup_for
from bot.domain.clock import Clock, SystemClock
from bot.domain.duty_plan import day_plan
from bot.domain.roster import DutyRoster, Override, gaps, next_handover, on_duty, on_duty_until, shifts
from bot.services.deployment import roster_from_config

__all__ = ["MAX_DAYS", "CommandExit", "Parser", "UsageError", "flag_unknown_years", "main", "parse_date", "person"]

MAX_DAYS = 366
"""The longest range `show` prints; more is refused rather than flooding a terminal or a chat."""


class UsageError(Exception):
    pass


class CommandExit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class Parser(argparse.ArgumentParser):
    """argparse that reports instead of calling sys.exit, and prints where main() was told to."""

    def __init__(self, *args: Any, out: TextIO, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._out = out

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._out.write(message)
        raise CommandExit(status)

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            self._out.write(message)


def _parser(out: TextIO) -> Parser:
    parser = Parser(prog="helpdesk roster", out=out,
                     description="Who is on duty: the configured roster with what managers changed from chat "
                                 "(the database's overrides and rotation edits).")
    add_to(parser)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    who = commands.add_parser("who", help="who is on duty at an instant", out=out)
    add_to(who)
    who.add_argument("--at", help="ISO 8601 instant; without an offset = local time (default: now)")
    who.add_argument("--json", action="store_true", help="machine-readable output")
    show = commands.add_parser("show", help="the duty plan of a range of dates", out=out)
    show.add_argument("--from", dest="start", required=True, help="first date, YYYY-MM-DD")
    show.add_argument("--to", dest="end", required=True, help="last date (inclusive), YYYY-MM-DD")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    add_to(show)
    return parser


def _parse_instant(text: str, roster: DutyRoster) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--at: {text!r} is not an ISO 8601 time like 2026-02-14T10:00+08:00") from None
    if value.tzinfo is None:
        # Local wall time, resolved like every rule (a skipped time is the jump, a repeat its first).
        return wall_to_utc(value.date(), value.time(), roster.tz)
    return as_utc(value)


def parse_date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{flag}: {text!r} is not a date like 2026-02-14") from None


def flag_unknown_years(roster: DutyRoster, first: date, last: date, err: TextIO) -> None:
    for year in roster.calendar.unknown_years(first, last):
        err.write(
            f"warning: the holiday calendar has no official schedule for {year} (holidays and swapped "
            "working days, 调休, are published yearly); the answer for that year is a guess — add "
            "[business_hours] extra_holidays/extra_workdays or upgrade the holidays package\n"
        )


def _local(instant: datetime | None, roster: DutyRoster) -> str | None:
    return instant.astimezone(roster.tz).isoformat() if instant is not None else None


def _who(roster: DutyRoster, at: datetime, as_json: bool, out: TextIO) -> None:
    shift = on_duty(roster, at)
    until = on_duty_until(roster, at)
    engineer = roster.engineers.get(shift.engineer_id) if shift else None
    backup_id = backup_for(roster, at, shift) if shift else None
    backup = roster.engineers.get(backup_id) if backup_id is not None else None
    if as_json:
        payload = {
            "at": _local(at, roster),
            "engineer": None
            if shift is None
            else {
                "id": shift.engineer_id,
                "name": engineer.name if engineer else None,
                "phone": engineer.phone if engineer else None,
            },
            "rotation": shift.rotation if shift else None,
            "override": shift.override if shift else False,
            "until": _local(until, roster),
            "backup": None
            if backup_id is None
            else {"id": backup_id, "name": backup.name if backup else None},
        }
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    day = roster.calendar.day(local_date(at, roster.tz))
    when = at.astimezone(roster.tz).strftime("%Y-%m-%d %H:%M %z")
    label = day.kind.value + (f", {day.name}" if day.name else "")
    if shift is None:
        coming = next_handover(roster, at)
        tail = (
            f"; next: {person(roster, coming.engineer_id)} from {_local(coming.start, roster)}" if coming else ""
        )
        out.write(f"{when} ({label}): nobody is on duty{tail}\n")
        return
    phone = f", {engineer.phone}" if engineer and engineer.phone else ""
    parts = [f"{when} ({label}): {person(roster, shift.engineer_id)}{phone}", f"rotation {shift.rotation}"]
    if shift.override:
        parts.append("override")
    if until is not None:
        parts.append(f"until {_local(until, roster)}")
    if backup_id is not None:
        parts.append(f"backup {person(roster, backup_id)}")
    out.write(", ".join(parts) + "\n")


def person(roster: DutyRoster, engineer_id: int) -> str:
    engineer = roster.engineers.get(engineer_id)
    return f"{engineer.name} ({engineer_id})" if engineer else f"#{engineer_id} (not in [[engineers]])"


def _clock_text(instant: datetime, d: date, roster: DutyRoster) -> str:
    local = instant.astimezone(roster.tz)
    return "24:00" if local.date() > d else local.strftime("%H:%M")


def _show(roster: DutyRoster, first: date, last: date, as_json: bool, out: TextIO) -> None:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if as_json:
        out.write(json.dumps([day_plan(roster, d) for d in days], ensure_ascii=False, indent=2) + "\n")
        return
    for d in days:
        day = roster.calendar.day(d)
        start, end = local_midnight(d, roster.tz), local_midnight(d + ONE_DAY, roster.tz)
        offset = start.astimezone(roster.tz).strftime("%z")
        name = f"  {day.name}" if day.name else ""
        out.write(f"{d.isoformat()} {d.strftime('%a')}  {day.kind.value}{name}  (UTC{offset})\n")
        lines = [(s.start, f"{person(roster, s.engineer_id)}  [{s.rotation}]" + ("  override" if s.override else ""),
                  s.end) for s in shifts(roster, start, end)]
        lines += [(a, "— nobody on duty —", b) for a, b in gaps(roster, start, end)]
        for a, text, b in sorted(lines, key=lambda line: line[0]):
            out.write(f"  {_clock_text(a, d, roster)}–{_clock_text(b, d, roster)}  {text}\n")


def main(
    argv: list[str],
    config: Config,
    stdout: TextIO | None = None,
    *,
    overrides: Sequence[Override] = (),
    stderr: TextIO | None = None,
    clock: Clock | None = None,
    rotation_engineers: Mapping[str, Sequence[int]] | None = None,
    holidays: Mapping[date, str | None] | None = None,
    workdays: Mapping[date, str | None] | None = None,
    official_years: Iterable[int] = (),
) -> int:
    """Run `helpdesk roster <argv>`; 0 on success, 2 on a bad argument (with the reason on stderr).

    Besides the configuration, the caller passes what the database holds: overrides, rotation
    engineer lists edited from chat and local holidays/working days (see :func:`roster_from_config`).
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        args = _parser(out).parse_args(argv)
        roster = roster_from_config(
            config, overrides, rotation_engineers=rotation_engineers, holidays=holidays, workdays=workdays,
            official_years=official_years,
        )
        if args.command == "who":
            at = _parse_instant(args.at, roster) if args.at else (clock or SystemClock()).now()
            day = local_date(at, roster.tz)
            flag_unknown_years(roster, day, day, err)
            _who(roster, at, args.json, out)
        else:
            first, last = parse_date(args.start, "--from"), parse_date(args.end, "--to")
            if last < first:
                raise UsageError("--to is before --from")
            if (last - first).days + 1 > MAX_DAYS:
                raise UsageError(f"at most {MAX_DAYS} days at a time")
            flag_unknown_years(roster, first, last, err)
            _show(roster, first, last, args.json, out)
    except CommandExit as done:
        return done.status
    except (UsageError, ValueError) as exc:
        err.write(f"helpdesk roster: {exc}\n")
        return 2
    return 0
