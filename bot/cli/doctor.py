"""`helpdesk doctor`: check a deployment before (or while) it runs, and say in plain words what to fix.

Why a separate command: the bot refuses a bad setting at start (exit 2) but stops at the first one, and
some problems only show once it runs (a revoked token, an unreachable API, a roster with holes, a
holiday year nobody entered). The doctor looks at everything at once and changes nothing: it never
creates or migrates the database (storage.inspect_database reads it read-only), it writes no file and
it sends nothing to Telegram but one getMe.

Each finding is one line: ✓ ok, ⚠ warning (the bot runs, but look at it), ✗ failure (the bot will not
start or cannot do its job). Exit code 0 when nothing failed, 1 otherwise; ``--json`` prints the same
findings as a list of ``{"check", "status", "detail"}``. The bot token is never printed: at most the
bot id before the ':'.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.cli.doctor_checks import (
    API_TIMEOUT_S,
    Finding,
    Status,
    check_api,
    check_api_url,
    check_calendar,
    check_configuration,
    check_database,
    check_duty_chat,
    check_knowledge,
    check_people,
    check_roster,
    check_token,
)
from bot.cli.doctor_group import check_duty_group
from bot.cli.options import add_to
from bot.config import Settings
from knowledge.loader import shipped_articles_dir

EXIT_OK = 0
EXIT_FAILED = 1
MARKS: dict[Status, str] = {"ok": "✓", "warn": "⚠", "fail": "✗"}

# ----------------------------------------------------------------------------------------------- running


async def diagnose(
    env: Mapping[str, str], *, now: datetime | None = None, kb_dir: Path | None = None,
    timeout: float = API_TIMEOUT_S,
) -> list[Finding]:
    """Every check, in the order an operator fixes things; checks that depend on a failed one are left out.

    `now` and `kb_dir` are there for tests (the calendar check depends on the date).
    """
    now = now or datetime.now(UTC)
    paths = Settings.from_env({k: v for k, v in env.items() if k in ("HELPDESK_DB", "HELPDESK_CONFIG")})
    raw_token, raw_url = env.get("TELEGRAM_BOT_TOKEN", ""), env.get("HELPDESK_TELEGRAM_API_URL", "")
    configuration, config = check_configuration(paths.config_path, required=paths.config_required)
    findings = [configuration]
    if config is not None:
        findings += [check_people(config), check_duty_chat(config)]
    token, url = check_token(raw_token), check_api_url(raw_url)
    findings += [token, url, *check_database(paths.db_path, now)]
    if token.status == "ok" and url.status != "fail":
        base_url = Settings.from_env({"HELPDESK_TELEGRAM_API_URL": raw_url}).api_url
        api = await check_api(raw_token.strip(), base_url, timeout)
        findings.append(api)
        if api.status == "ok" and config is not None and config.bot.duty_chat_id:
            group = await check_duty_group(raw_token.strip(), base_url, config.bot.duty_chat_id, timeout)
            findings = [group if f.check == group.check else f for f in findings]
    if config is not None:
        findings += [check_calendar(config, now), check_roster(config, now)]
    findings.append(check_knowledge(kb_dir or shipped_articles_dir()))
    return [_redacted(finding, raw_token) for finding in findings]


def _redacted(finding: Finding, token: str) -> Finding:
    """A last guard: whatever a library put in a message, the token (or its secret half) is not printed."""
    detail = finding.detail
    secrets = [token.strip(), token.strip().partition(":")[2]]
    for secret in secrets:
        if len(secret) >= 8:
            detail = detail.replace(secret, "<token>")
    return Finding(finding.check, finding.status, detail)


def exit_code(findings: Sequence[Finding]) -> int:
    """1 when something failed; warnings alone keep 0, so the doctor can gate a deployment script."""
    return EXIT_FAILED if any(f.status == "fail" for f in findings) else EXIT_OK


def render_text(findings: Sequence[Finding]) -> str:
    """One line per finding, then a one-line verdict."""
    lines = [f"{MARKS[f.status]} {f.check}: {f.detail}" for f in findings]
    failed = sum(1 for f in findings if f.status == "fail")
    warned = sum(1 for f in findings if f.status == "warn")
    if failed:
        lines.append(f"{failed} to fix, {warned} to look at.")
    elif warned:
        lines.append(f"Nothing to fix; {warned} to look at.")
    else:
        lines.append("All checks passed.")
    return "\n".join(lines)


def render_json(findings: Sequence[Finding]) -> str:
    """The findings for scripts and monitoring: a list of {"check", "status", "detail"}."""
    return json.dumps([asdict(f) for f in findings], ensure_ascii=False, indent=2)


async def run(
    argv: Sequence[str] = (), env: Mapping[str, str] | None = None, *, out: TextIO | None = None,
    now: datetime | None = None, kb_dir: Path | None = None,
) -> int:
    """`helpdesk doctor [--json]` inside a running event loop (tests run the Bot API stand-in in it)."""
    parser = argparse.ArgumentParser(prog="helpdesk doctor", description="Check the set-up; changes nothing.")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    add_to(parser, db_help="the database to look at (default: $HELPDESK_DB, else helpdesk.db; a missing "
                           "default is a finding, a missing --db FILE an error)")
    args = parser.parse_args(list(argv))
    findings = await diagnose(os.environ if env is None else env, now=now, kb_dir=kb_dir)
    print(render_json(findings) if args.json else render_text(findings), file=out or sys.stdout)
    return exit_code(findings)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """The entry point `helpdesk doctor` calls."""
    return asyncio.run(run(sys.argv[1:] if argv is None else argv, env))


if __name__ == "__main__":
    sys.exit(main())
