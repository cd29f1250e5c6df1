"""`helpdesk doctor` against the Bot API stand-in, a real database file and real configuration files."""

from __future__ import annotations

import asyncio
import io
import json
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import doctor
from bot.cli import doctor_checks as checks
from bot.domain.timers import Timer, TimerKind
from bot.messages import Reply, verbatim
from bot.sandbox.standin import BotApiStandIn
from storage import open_storage
from storage.sqlite import migrations

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "helpdesk.example.toml"
TOKEN = "123456:AAHdoctorTestSecretPart_0123456789"
SECRET = TOKEN.split(":", 1)[1]
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # a Monday in a year whose holiday schedule is published
LATEST = migrations()[-1][0]


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(token=TOKEN) as tg:
        yield tg


@pytest.fixture
async def db(tmp_path: Path) -> Path:
    path = tmp_path / "helpdesk.db"
    storage = await open_storage(path)
    await storage.close()
    return path


def env_for(standin: BotApiStandIn, db: Path, config: Path = EXAMPLE, **changes: str) -> dict[str, str]:
    env = {"TELEGRAM_BOT_TOKEN": standin.token, "HELPDESK_TELEGRAM_API_URL": standin.base_url,
           "HELPDESK_DB": str(db), "HELPDESK_CONFIG": str(config)}
    env.update(changes)
    return env


async def diagnose(env: dict[str, str], kb_dir: Path | None = None) -> tuple[int, dict[str, dict[str, str]]]:
    """Run `doctor --json` in-process; the findings by check name. The token must never be printed."""
    out = io.StringIO()
    code = await doctor.run(["--json"], env, out=out, now=NOW, kb_dir=kb_dir)
    printed = out.getvalue()
    assert SECRET not in printed
    findings = json.loads(printed)
    assert {f["status"] for f in findings} <= {"ok", "warn", "fail"}
    return code, {f["check"]: f for f in findings}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def set_schema_version(db: Path, version: int) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM schema_migrations WHERE version > ?", (version,))
        connection.execute("INSERT OR IGNORE INTO schema_migrations VALUES (?, '2030-01-01T00:00:00.000000Z')",
                           (version,))
    connection.close()


async def test_a_healthy_setup_is_all_ok(standin: BotApiStandIn, db: Path) -> None:
    code, found = await diagnose(env_for(standin, db))
    assert code == 0
    assert {name: f["status"] for name, f in found.items() if f["status"] != "ok"} == {}
    assert set(found) >= {checks.CONFIGURATION, checks.PEOPLE, checks.TOKEN, checks.DATABASE, checks.SCHEMA,
                          checks.JOURNAL, checks.BACKLOG, checks.API, checks.CALENDAR, checks.ROSTER, checks.KNOWLEDGE}
    assert "@helpdesk_test_bot" in found[checks.API]["detail"]
    assert "123456" in found[checks.TOKEN]["detail"]  # the bot id may be shown, the secret never
    assert f"version {LATEST}" in found[checks.SCHEMA]["detail"]
    text = io.StringIO()
    assert await doctor.run([], env_for(standin, db), out=text, now=NOW) == 0
    lines = text.getvalue().splitlines()
    assert all(line.startswith("✓ ") for line in lines[:-1]) and lines[-1] == "All checks passed."
    assert SECRET not in text.getvalue()
    assert [p.name for p in db.parent.iterdir()] == [db.name]  # read-only: no -wal/-shm files left behind


async def test_a_wrong_token_fails_without_printing_it(standin: BotApiStandIn, db: Path) -> None:
    wrong = "654321:WrongSecretWrongSecretWrong_99"
    out = io.StringIO()
    code = await doctor.run(["--json"], env_for(standin, db, TELEGRAM_BOT_TOKEN=wrong), out=out, now=NOW)
    assert code == 1
    assert wrong.split(":")[1] not in out.getvalue()
    api = {f["check"]: f for f in json.loads(out.getvalue())}[checks.API]
    assert api["status"] == "fail" and "token" in api["detail"] and "401" in api["detail"]


async def test_an_unreachable_api_fails(standin: BotApiStandIn, db: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/bot"
    code, found = await diagnose(env_for(standin, db, HELPDESK_TELEGRAM_API_URL=url))
    assert code == 1
    assert found[checks.API]["status"] == "fail"
    assert "cannot reach" in found[checks.API]["detail"] and url in found[checks.API]["detail"]


async def test_a_malformed_token_fails_and_skips_the_connection(standin: BotApiStandIn, db: Path) -> None:
    code, found = await diagnose(env_for(standin, db, TELEGRAM_BOT_TOKEN="123456:short"))
    assert code == 1
    assert found[checks.TOKEN]["status"] == "fail" and "short" not in found[checks.TOKEN]["detail"]
    assert checks.API not in found


async def test_no_token_is_a_warning_about_the_sandbox(standin: BotApiStandIn, db: Path) -> None:
    code, found = await diagnose(env_for(standin, db, TELEGRAM_BOT_TOKEN=""))
    assert code == 0
    assert found[checks.TOKEN]["status"] == "warn" and "sandbox" in found[checks.TOKEN]["detail"]
    assert checks.API not in found


@pytest.mark.parametrize(("delta", "status", "words"), [(1, "fail", "refuses"), (-1, "warn", "migrated")])
async def test_the_schema_version_is_compared_and_the_file_left_alone(
    standin: BotApiStandIn, db: Path, delta: int, status: str, words: str
) -> None:
    set_schema_version(db, LATEST + delta)
    code, found = await diagnose(env_for(standin, db))
    assert code == (1 if status == "fail" else 0)
    assert found[checks.SCHEMA]["status"] == status and words in found[checks.SCHEMA]["detail"]
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == LATEST + delta
    connection.close()


async def test_a_missing_database_is_not_created(standin: BotApiStandIn, tmp_path: Path) -> None:
    missing = tmp_path / "new.db"
    code, found = await diagnose(env_for(standin, missing))
    assert code == 0
    assert found[checks.DATABASE]["status"] == "ok" and "created on first run" in found[checks.DATABASE]["detail"]
    assert checks.SCHEMA not in found
    assert not missing.exists()


async def test_overdue_timers_and_failed_deliveries_are_a_warning_while_the_bot_runs(
    standin: BotApiStandIn, db: Path
) -> None:
    storage = await open_storage(db)
    async with storage.transaction() as tx:
        await tx.timers.schedule(Timer(kind=TimerKind.CALENDAR_CHECK, due_at=NOW - timedelta(hours=1)))
        await tx.outbox.enqueue(Reply(chat_id=501, text=verbatim("hello"), lang="en"), NOW - timedelta(days=1))
        await tx.outbox.failed(1, NOW - timedelta(hours=2), "Forbidden: bot was blocked by the user")
    try:  # read while the bot has the database open: the rows are still in its -wal file
        code, found = await diagnose(env_for(standin, db))
    finally:
        await storage.close()
    assert code == 0
    backlog = found[checks.BACKLOG]
    assert backlog["status"] == "warn"
    assert "1 pending timers (1 overdue)" in backlog["detail"] and "1 failed deliveries" in backlog["detail"]


async def test_updates_kept_aside_as_unreadable_are_counted(standin: BotApiStandIn, db: Path) -> None:
    storage = await open_storage(db)
    async with storage.transaction() as tx:
        await tx.inbox.quarantine(42, '{"update_id": 42, "message": {}}', "TypeError", NOW - timedelta(hours=1))
    await storage.close()
    code, found = await diagnose(env_for(standin, db))
    backlog = found[checks.BACKLOG]
    assert code == 0 and backlog["status"] == "warn"
    assert "1 unreadable updates kept aside" in backlog["detail"] and "quarantined_updates" in backlog["detail"]


async def test_a_config_that_helpdesk_config_names_but_is_missing_fails(standin: BotApiStandIn, db: Path,
                                                                         tmp_path: Path) -> None:
    code, found = await diagnose(env_for(standin, db, tmp_path / "nowhere.toml"))
    assert code == 1 and found[checks.CONFIGURATION]["status"] == "fail"
    assert "HELPDESK_CONFIG names" in found[checks.CONFIGURATION]["detail"]


async def test_a_typo_in_the_configuration_fails_naming_the_key(
    standin: BotApiStandIn, db: Path, tmp_path: Path
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert 'P1 = { respond = "30m"' in text
    config = tmp_path / "helpdesk.toml"
    config.write_text(text.replace('P1 = { respond = "30m"', 'P1 = { respnd = "30m"', 1), encoding="utf-8")
    code, found = await diagnose(env_for(standin, db, config))
    assert code == 1
    assert found[checks.CONFIGURATION]["status"] == "fail"
    assert "sla.P1.respnd: unknown key" in found[checks.CONFIGURATION]["detail"]
    assert checks.ROSTER not in found and found[checks.API]["status"] == "ok"


async def test_rotations_that_leave_a_gap_are_a_warning(standin: BotApiStandIn, db: Path, tmp_path: Path) -> None:
    config = tmp_path / "helpdesk.toml"
    config.write_text(
        '[[engineers]]\nid = 1001\nname = "Wang Wei"\n\n[[managers]]\nid = 9001\nname = "Zhao Min"\n\n'
        '[[rotations]]\nname = "day"\nengineers = [1001]\ncovers = "workdays"\nhours = "09:00-18:00"\n',
        encoding="utf-8",
    )
    code, found = await diagnose(env_for(standin, db, config))
    assert code == 0
    roster = found[checks.ROSTER]
    assert roster["status"] == "warn" and "nobody on duty" in roster["detail"]
    assert "Mon 2026-06-01 18:00 → Tue 2026-06-02 09:00" in roster["detail"]  # first evening, Shanghai time


async def test_bad_knowledge_files_are_named_with_the_reason(
    standin: BotApiStandIn, db: Path, tmp_path: Path
) -> None:
    kb = tmp_path / "articles"
    kb.mkdir()
    (kb / "broken.md").write_text("no front matter here\n", encoding="utf-8")
    code, found = await diagnose(env_for(standin, db), kb_dir=kb)
    assert code == 0
    detail = found[checks.KNOWLEDGE]["detail"]
    assert found[checks.KNOWLEDGE]["status"] == "warn"
    assert "broken.md" in detail and "front matter missing" in detail


async def test_the_cli_subcommand_prints_json(standin: BotApiStandIn, db: Path) -> None:
    # A subprocess, awaited without blocking: the stand-in answers its getMe from this event loop.
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "doctor", "--json", cwd=ROOT, env=env_for(standin, db),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert SECRET not in stdout.decode() + stderr.decode()
    findings = {f["check"]: f for f in json.loads(stdout)}
    assert process.returncode == 0  # today's date may bring a calendar warning; warnings keep 0
    assert findings[checks.API]["status"] == "ok" and "@helpdesk_test_bot" in findings[checks.API]["detail"]
    assert all(f["status"] in ("ok", "warn") for f in findings.values())


async def test_the_duty_group_is_asked_about_the_bot_is_in_it_and_its_topics(
        standin: BotApiStandIn, db: Path, tmp_path: Path) -> None:
    config = tmp_path / "helpdesk.toml"
    config.write_text(EXAMPLE.read_text(encoding="utf-8").replace("duty_chat_id = 0", "duty_chat_id = -1001234",
                                                                  1), encoding="utf-8")
    code, found = await diagnose(env_for(standin, db, config))
    assert code == 1 and found["duty chat"]["status"] == "fail"
    assert "Telegram says “Bad Request: chat not found”: add the bot to the group" in found["duty chat"]["detail"]
    standin.add_group(-1001234, "IT 值班群")
    _, found = await diagnose(env_for(standin, db, config))
    assert found["duty chat"] == {"check": "duty chat", "status": "ok",
                                  "detail": "“IT 值班群” (supergroup, topics off): every ticket card goes there"}
    standin.add_group(-1005678, "Dispatch", forum=True, bot_rights={})
    config.write_text(config.read_text(encoding="utf-8").replace("-1001234", "-1005678"), encoding="utf-8")
    _, found = await diagnose(env_for(standin, db, config))
    assert found["duty chat"]["status"] == "warn"
    assert "is a forum (topics on) but the bot may not manage topics" in found["duty chat"]["detail"]
    standin.set_bot_rights(-1005678, {"can_manage_topics": True})
    _, found = await diagnose(env_for(standin, db, config))
    assert "the bot may manage topics" in found["duty chat"]["detail"]
