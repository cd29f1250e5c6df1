"""The checks `helpdesk doctor` runs, one function per part of a deployment, each a plain-words finding.

Each check looks and changes nothing: the database is read through `storage.inspect_database`
(read-only, never created or migrated), the Bot API is asked one getMe, files are only read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import httpx

from bot.config import DEFAULT_API_URL, Config, ConfigError, Settings, load_config
from bot.domain.roster import gaps
from bot.services.deployment import calendar_from_config, roster_from_config
from bot.services.holidays import years_to_flag
from knowledge.loader import load_articles
from storage import Backlog, UnreadableDatabase, inspect_database

Status = Literal["ok", "warn", "fail"]

API_TIMEOUT_S = 5.0
CALENDAR_AHEAD_DAYS = 60
ROSTER_AHEAD = timedelta(days=14)
STALE_AFTER = timedelta(minutes=5)
"""A timer or message this much past due means the bot is not running (or not reaching Telegram)."""
RECENT_FAILURES = timedelta(days=7)
SHOWN_ITEMS = 3

CONFIGURATION = "configuration"
PEOPLE = "engineers and managers"
DUTY_CHAT = "duty chat"
TOKEN = "bot token"
API_URL = "Bot API URL"
DATABASE = "database"
SCHEMA = "database schema"
JOURNAL = "database journal"
BACKLOG = "timers and outbox"
API = "Bot API connection"
CALENDAR = "holiday calendar"
ROSTER = "duty roster"
KNOWLEDGE = "knowledge base"


@dataclass(frozen=True)
class Finding:
    """One line of the report: which check, how it went, and what to do about it."""

    check: str
    status: Status
    detail: str


# ------------------------------------------------------------------------------------------ configuration


def check_configuration(path: Path, required: bool = False) -> tuple[Finding, Config | None]:
    """The TOML file as the bot reads it at start; the Config is None when the bot would refuse it.

    A missing default file is allowed (every key has a default) but is usually a wrong working folder,
    so it is a warning; a missing file that HELPDESK_CONFIG names (`required`) is refused, as at start.
    """
    try:
        config = load_config(path, required=required)
    except ConfigError as exc:
        return Finding(CONFIGURATION, "fail", f"{exc} — the bot refuses to start (exit 2); fix the setting named "
                       "here. People, calendar and roster are not checked."), None
    if not path.exists():
        return Finding(CONFIGURATION, "warn", f"{path} not found: using defaults (no engineers, no rotations); "
                       "copy helpdesk.example.toml there or point HELPDESK_CONFIG at your file"), config
    return Finding(CONFIGURATION, "ok", f"{path}: valid"), config


def check_people(config: Config) -> Finding:
    """Without engineers a ticket reaches nobody; without managers escalations and complaints do not."""
    engineers, managers = len(config.engineers), len(config.managers)
    if engineers == 0:
        return Finding(PEOPLE, "fail", "no [[engineers]]: a new ticket would reach nobody; add them (Telegram "
                       "user ids, see helpdesk.example.toml)")
    tier2 = sum(1 for e in config.engineers if e.tier == 2)
    summary = f"engineers: {engineers} ({tier2} tier 2), managers: {managers}, rotations: {len(config.rotations)}"
    if managers == 0:
        return Finding(PEOPLE, "warn", f"{summary}: no [[managers]], so escalations, complaints and reports "
                       "reach nobody; add at least one")
    return Finding(PEOPLE, "ok", summary)


def check_duty_chat(config: Config) -> Finding:
    """The optional group chat that also gets every ticket card: informative either way."""
    chat = config.bot.duty_chat_id
    if chat == 0:
        return Finding(DUTY_CHAT, "ok", "not set: ticket cards go only to the engineer on duty "
                       "(optional: bot.duty_chat_id)")
    return Finding(DUTY_CHAT, "ok", f"bot.duty_chat_id = {chat}: ticket cards also go there (the bot must be "
                   "a member of that group)")


# -------------------------------------------------------------------------------------------- environment


def check_token(raw: str) -> Finding:
    """The token as Settings.from_env judges it; only the bot id (before ':') is ever shown."""
    token = raw.strip()
    if not token:
        return Finding(TOKEN, "warn", "TELEGRAM_BOT_TOKEN is not set: `helpdesk run` starts the sandbox, not the "
                       "real bot; export TELEGRAM_BOT_TOKEN=<token from @BotFather>. The connection is not checked.")
    try:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": token})
    except ConfigError as exc:
        return Finding(TOKEN, "fail", f"{exc}: the bot refuses to start; copy the token again from @BotFather. "
                       "The connection is not checked.")
    return Finding(TOKEN, "ok", f"set and well-formed (bot id {token.split(':', 1)[0]})")


def check_api_url(raw: str) -> Finding:
    """HELPDESK_TELEGRAM_API_URL in PTB's base_url form, which the token is appended to."""
    try:
        url = Settings.from_env({"HELPDESK_TELEGRAM_API_URL": raw}).api_url
    except ConfigError as exc:
        return Finding(API_URL, "fail", f"{exc}. The connection is not checked.")
    if url == DEFAULT_API_URL:
        return Finding(API_URL, "ok", f"{url} (the default)")
    if not url.endswith("/bot"):
        return Finding(API_URL, "warn", f"{url}: the token is appended to it directly, so it usually ends in "
                       "'/bot' (e.g. http://host:8081/bot)")
    return Finding(API_URL, "ok", f"{url} (HELPDESK_TELEGRAM_API_URL, a self-hosted Bot API server)")


# ----------------------------------------------------------------------------------------------- database


def check_database(path: Path, now: datetime) -> list[Finding]:
    """Look at the file without changing it; a missing file is fine (created on first run), never created."""
    if not path.exists():
        return [_missing_database(path)]
    if path.is_dir():
        return [Finding(DATABASE, "fail", f"{path} is a folder; HELPDESK_DB must name a file")]
    unwritable = [str(p) for p in (path, _folder(path)) if not os.access(p, os.W_OK)]
    try:
        state = inspect_database(path, stale_before=now - STALE_AFTER, failed_since=now - RECENT_FAILURES)
    except UnreadableDatabase as exc:
        return [Finding(DATABASE, "fail", f"{path}: {exc}; is HELPDESK_DB the right file?")]
    findings = [_database_file(path, unwritable), _schema(state.version, state.latest), _journal(state.wal)]
    if state.backlog is not None:
        findings.append(_backlog(state.backlog))
    return findings


def _folder(path: Path) -> Path:
    """The folder the file (and its -wal/-shm companions) live in."""
    return path.parent if str(path.parent) else Path(".")


def _missing_database(path: Path) -> Finding:
    """Not created here on purpose: the doctor must not leave files behind. Check the bot could create it."""
    folder = _folder(path)
    if not folder.is_dir():
        return Finding(DATABASE, "fail", f"{path} does not exist and its folder {folder} does not either: create "
                       "the folder or change HELPDESK_DB")
    if not os.access(folder, os.W_OK):
        return Finding(DATABASE, "fail", f"{path} does not exist and the folder {folder} is not writable: the bot "
                       "could not create it")
    return Finding(DATABASE, "ok", f"{path} does not exist yet: it will be created on first run (the folder is "
                   "writable)")


def _database_file(path: Path, unwritable: list[str]) -> Finding:
    """The bot writes the file and its -wal/-shm files beside it, so both must be writable."""
    if unwritable:
        return Finding(DATABASE, "fail", f"{path}: not writable ({', '.join(unwritable)}); the bot needs to write "
                       "the file and its folder")
    return Finding(DATABASE, "ok", f"{path}: opens, readable and writable")


def _schema(version: int, latest: int) -> Finding:
    """Older is migrated at start; newer is refused at start (SchemaTooNew)."""
    if version > latest:
        return Finding(SCHEMA, "fail", f"version {version}, but this bot knows only up to {latest}: the bot refuses "
                       "to start; upgrade the bot (or restore a backup) instead of running an older version")
    if version == 0:
        return Finding(SCHEMA, "warn", f"no helpdesk tables yet: they are created at start (version {latest}); "
                       "is HELPDESK_DB the right file?")
    if version < latest:
        return Finding(SCHEMA, "warn", f"version {version}, this bot is at {latest}: it will be migrated at start "
                       "(back the file up first)")
    return Finding(SCHEMA, "ok", f"version {version}, the latest")


def _journal(wal: bool) -> Finding:
    """WAL lets the CLI read while the bot writes; the bot switches to it at start."""
    if wal:
        return Finding(JOURNAL, "ok", "WAL mode")
    return Finding(JOURNAL, "warn", "rollback-journal mode, not WAL: the bot switches it to WAL at start")


def _backlog(backlog: Backlog) -> Finding:
    """Work waiting in the database: overdue timers or stuck messages mean the bot is not running or not
    reaching Telegram; failed deliveries are messages given up on (usually a user who blocked the bot)."""
    b = backlog
    detail = (f"{b.timers} pending timers ({b.overdue_timers} overdue), {b.waiting_messages} undelivered messages "
              f"({b.stuck_messages} stuck), {b.failed_messages} failed deliveries ({b.recently_failed} in the last "
              "7 days)")
    advice = []
    if b.overdue_timers or b.stuck_messages:
        advice.append("overdue timers and stuck messages mean the bot is not running or cannot reach Telegram; "
                      "they go out once it runs")
    if b.recently_failed:
        advice.append("see outbox.last_error for the failed deliveries (often a user who blocked the bot)")
    if b.quarantined:
        detail += f", {b.quarantined} unreadable updates kept aside"
        advice.append("quarantined_updates holds updates the bot could not read (an old or unusual Bot API "
                      "server?); nobody was answered for them")
    if advice:
        return Finding(BACKLOG, "warn", f"{detail}: {'; '.join(advice)}")
    return Finding(BACKLOG, "ok", detail)


# ------------------------------------------------------------------------------------------------ Bot API


async def check_api(token: str, base_url: str, timeout: float = API_TIMEOUT_S) -> Finding:
    """One getMe, as the bot does at start: proves the token and the route to the API together.

    The request URL contains the token, so only the base URL is ever named in the detail.
    """
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(f"{base_url}{token}/getMe")
    except httpx.TimeoutException:
        return Finding(API, "fail", f"no answer from {base_url} within {timeout:g} s: cannot reach the API; check "
                       "the network, a proxy or the firewall")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        reason = str(exc) or type(exc).__name__
        return Finding(API, "fail", f"cannot reach the API at {base_url} ({reason}); check the network, a proxy, "
                       "the firewall or HELPDESK_TELEGRAM_API_URL")
    return _api_answer(response, base_url)


def _api_answer(response: httpx.Response, base_url: str) -> Finding:
    """Word the Bot API's answer: 401 is a wrong token, 404 a wrong URL or a malformed token."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return Finding(API, "fail", f"HTTP {response.status_code} from {base_url}, and not a Bot API answer: is "
                       "HELPDESK_TELEGRAM_API_URL right?")
    me = body.get("result")
    if response.status_code == 200 and body.get("ok") and isinstance(me, dict):
        return Finding(API, "ok", f"@{me.get('username')} (bot id {me.get('id')}) answers at {base_url}")
    if response.status_code == 401:
        return Finding(API, "fail", "401 Unauthorized: the token is wrong or was revoked; copy the current token "
                       "from @BotFather (/token)")
    if response.status_code == 404:
        return Finding(API, "fail", f"404 Not Found at {base_url}: the token is not accepted or the URL is not a "
                       "Bot API base URL (it ends in /bot)")
    description = body.get("description") or "no description"
    return Finding(API, "fail", f"HTTP {response.status_code} from {base_url}: {description}")


# ------------------------------------------------------------------------------------- calendar and roster


def check_calendar(config: Config, now: datetime) -> Finding:
    """Which years have an official holiday schedule, and whether the next 60 days reach past them.

    An unknown year still gets computed holidays but no 调休 swaps, so SLA clocks and the roster would
    be wrong on those days; the managers are warned 60 days ahead, and so is the operator here.
    """
    section = config.business_hours
    calendar = calendar_from_config(section)
    extras = f"local extras: {len(section.extra_holidays)} holidays, {len(section.extra_workdays)} working days"
    if calendar.known_years is None:
        return Finding(CALENDAR, "ok", f'calendar = "none": weekends only, no public holidays; {extras}')
    known = f"official schedules for {_years(sorted(calendar.known_years))}"
    unknown = years_to_flag(calendar, now.astimezone(config.tz).date(), CALENDAR_AHEAD_DAYS)
    if unknown:
        return Finding(CALENDAR, "warn", f"{_years(unknown)} not known yet ({known}): holidays there are computed, "
                       "swapped working days missing; load the official schedule (helpdesk calendar import FILE), "
                       "upgrade the holidays package (pip install -U holidays) or enter the days as "
                       f"business_hours.extra_holidays / extra_workdays; {extras}")
    return Finding(CALENDAR, "ok", f"{known}; the next {CALENDAR_AHEAD_DAYS} days are covered; {extras}")


def _years(years: Sequence[int]) -> str:
    """2001–2026 for a run of years, commas otherwise."""
    if not years:
        return "no year"
    if len(years) > 2 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(year) for year in years)


def check_roster(config: Config, now: datetime) -> Finding:
    """Stretches with nobody on duty in the next 14 days, from the configuration's rotations.

    Unknown engineers in a rotation are already refused by the configuration's validation; edits and
    covers made from chat live in the database and are not included here.
    """
    if not config.rotations:
        return Finding(ROSTER, "warn", "no [[rotations]]: nobody is ever on duty; add rotations (see "
                       "helpdesk.example.toml)")
    holes = gaps(roster_from_config(config), now, now + ROSTER_AHEAD)
    days = ROSTER_AHEAD.days
    if not holes:
        return Finding(ROSTER, "ok", f"someone is on duty at every moment of the next {days} days (configuration "
                       "only; changes made in chat are not included)")
    hours = sum((end - start for start, end in holes), timedelta()) / timedelta(hours=1)
    shown = ", ".join(_stretch(start, end, config) for start, end in holes[:SHOWN_ITEMS])
    more = f" and {len(holes) - SHOWN_ITEMS} more" if len(holes) > SHOWN_ITEMS else ""
    return Finding(ROSTER, "warn", f"{len(holes)} gaps with nobody on duty in the next {days} days ({hours:g} h "
                   f"in all): {shown}{more} ({config.bot.timezone}); widen a rotation's hours or covers, add a "
                   "rotation, or /cover them")


def _stretch(start: datetime, end: datetime, config: Config) -> str:
    """A gap in the deployment's wall-clock time, e.g. 'Mon 2026-06-01 18:00 → Tue 2026-06-02 09:00'."""
    fmt = "%a %Y-%m-%d %H:%M"
    return f"{start.astimezone(config.tz).strftime(fmt)} → {end.astimezone(config.tz).strftime(fmt)}"


# ------------------------------------------------------------------------------------------ knowledge base


def check_knowledge(folder: Path) -> Finding:
    """The shipped articles as the bot loads them at start: bad files are skipped there, named here."""
    report = load_articles(folder)
    count = len(report.articles)
    if report.problems:
        listed = "; ".join(f"{_shown_path(p.path)} ({p.verb}): {p.reason}" for p in report.problems)
        return Finding(KNOWLEDGE, "warn", f"{count} articles, {len(report.skipped)} files skipped — {listed}; fix "
                       "these files (the bot skips them, or reads what it can)")
    if count == 0:
        return Finding(KNOWLEDGE, "warn", f"no articles in {_shown_path(str(folder))}: self-help suggestions are off")
    return Finding(KNOWLEDGE, "ok", f"{count} shipped articles, no bad files")


def _shown_path(path: str) -> str:
    """Relative to the working folder when inside it: shorter and still findable."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


