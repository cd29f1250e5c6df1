"""`helpdesk calendar import FILE`: a year's official working schedule, loaded from a file.

The holidays package knows China's schedule only once it is published and packaged; before that a
year is computed with statutory days alone and no 调休 swaps, and the managers are warned 60 days
ahead. This command loads the State Council's schedule as soon as it is out, one line a day:

    2027-01-01 holiday 元旦
    2027-02-06 workday 春节调休
    # comments and blank lines are ignored; "休" and "班" may stand for holiday and workday

Every year in the file is replaced as a whole: its listed days are the year's holidays and swapped
working days, every other day is an ordinary weekday or weekend, and the year counts as known (no
more warnings). All or nothing: one bad line and nothing is written. The roster sees the change at
once; SLA deadlines count it from the bot's next start.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

KINDS = {"holiday": "holiday", "休": "holiday", "workday": "workday", "班": "workday"}
MAX_BYTES = 256 * 1024
"""A year is at most 366 lines: anything this large is not a schedule."""


class ScheduleError(ValueError):
    """The file cannot be loaded; `problems` name each bad line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_schedule(text: str) -> dict[int, dict[date, tuple[str, str]]]:
    """year → day → (kind, name); ScheduleError listing every bad line (at most 20)."""
    days: dict[int, dict[date, tuple[str, str]]] = defaultdict(dict)
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(maxsplit=2)
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            problems.append(f"line {number}: {parts[0]!r} is not a date like 2027-01-01")
            continue
        kind = KINDS.get(parts[1].lower()) if len(parts) > 1 else None
        if kind is None:
            problems.append(f"line {number}: say holiday or workday after the date")
            continue
        if day in days[day.year]:
            problems.append(f"line {number}: {day.isoformat()} is listed twice")
            continue
        if kind == "workday" and day.weekday() < 5:
            problems.append(f"line {number}: {day.isoformat()} is a weekday, a working day anyway")
            continue
        days[day.year][day] = (kind, parts[2].strip() if len(parts) > 2 else "")
    if not days and not problems:
        problems.append("the file lists no day")
    if problems:
        raise ScheduleError(problems[:20])
    return dict(days)


async def import_schedule(db_path: Path, file: Path, now: datetime) -> int:
    """Load the file into the database; 0 when loaded, EXIT_BAD_SETTING when it cannot be read,
    EXIT_REFUSED when it is refused (as `helpdesk assets import`)."""
    from bot.cli.exits import EXIT_BAD_SETTING, EXIT_REFUSED
    from bot.cli.files import Unreadable, read_small, report_refusal
    from storage import open_storage

    try:
        text = read_small(file, MAX_BYTES, "a year's schedule").decode("utf-8")
    except (Unreadable, UnicodeDecodeError) as exc:
        print(f"helpdesk: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTING
    try:
        years = parse_schedule(text)
    except ScheduleError as exc:
        report_refusal(file, exc.problems)
        return EXIT_REFUSED
    storage = await open_storage(db_path)
    try:
        async with storage.transaction() as tx:
            for year, days in sorted(years.items()):
                await tx.roster.load_official_year(year, days, None, now)
    finally:
        await storage.close()
    for year, days in sorted(years.items()):
        holidays = sum(kind == "holiday" for kind, _ in days.values())
        print(f"{year}: {holidays} holidays and {len(days) - holidays} swapped working days loaded into {db_path}")
    print("The roster uses them now; SLA deadlines count them from the bot's next start.")
    return 0
