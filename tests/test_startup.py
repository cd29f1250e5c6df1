"""`helpdesk run` as a supervisor sees it: a wrong setting or a refused token is one line and a non-zero
exit; a Telegram that cannot be reached yet is waited for, quietly, until SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.sandbox.standin import BotApiStandIn
from tests.conftest import ALICE

REPO = Path(__file__).parents[1]
TOKEN = "123456:" + "A" * 35


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPDESK_", "TELEGRAM_"))}
    return {**env, "HELPDESK_DB": str(tmp_path / "h.db"), "PYTHONUNBUFFERED": "1", **extra}


async def _run(env: dict[str, str], cwd: Path, timeout: float = 30) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def test_a_config_named_but_missing_is_exit_2_with_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "helpdesk-prod.toml"
    code, err = await _run(_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, HELPDESK_CONFIG=str(missing)), tmp_path)
    assert code == 2
    assert err.strip() == f"helpdesk: bad setting: HELPDESK_CONFIG names {missing}, and there is no such file"
    assert not (tmp_path / "h.db").exists()  # refused before anything ran


async def test_a_token_refused_at_start_is_one_line_and_exit_3(tmp_path: Path) -> None:
    async with BotApiStandIn(token="654321:" + "B" * 35) as tg:  # a server that does not know our token
        code, err = await _run(_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, HELPDESK_TELEGRAM_API_URL=tg.base_url,
                                    HELPDESK_CONFIG=str(REPO / "helpdesk.example.toml")), tmp_path)
    assert code == 3
    assert "Traceback" not in err and TOKEN.split(":")[1] not in err  # the secret is never printed
    assert err.strip().splitlines()[-1] == (
        "helpdesk: Telegram refused the bot token (401/404): check TELEGRAM_BOT_TOKEN")


async def test_a_token_revoked_while_running_ends_the_process_with_exit_3(tmp_path: Path) -> None:
    async with BotApiStandIn(token=TOKEN) as tg:
        tg.introduce(ALICE)
        env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, HELPDESK_TELEGRAM_API_URL=tg.base_url,
                   HELPDESK_CONFIG=str(REPO / "helpdesk.example.toml"))
        running = asyncio.ensure_future(_run(env, tmp_path))
        for _ in range(300):  # until it polls
            await asyncio.sleep(0.05)
            if any(method == "getUpdates" for method, _ in tg.requests):
                break
        tg.inject_error("getUpdates", status=401, description="Unauthorized", times=100)
        tg.send_text(ALICE, "/help")  # ends the current long poll; the next one is refused
        code, err = await running
    assert code == 3 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "helpdesk: Telegram refused the bot token (401/404): check TELEGRAM_BOT_TOKEN")


async def test_telegram_unreachable_at_start_is_retried_quietly_and_no_config_is_loud(tmp_path: Path) -> None:
    closed = "http://127.0.0.1:9/bot"  # the discard port: nothing listens there
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, stdin=asyncio.subprocess.DEVNULL,
        env=_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, HELPDESK_TELEGRAM_API_URL=closed),  # no config anywhere
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    lines: list[str] = []
    while sum("cannot reach Telegram" in line for line in lines) < 2:  # two tries, a second apart
        line = await asyncio.wait_for(proc.stderr.readline(), 20)
        assert line, "".join(lines)
        lines.append(line.decode())
    proc.send_signal(signal.SIGTERM)
    rest = (await asyncio.wait_for(proc.stderr.read(), 20)).decode()
    code = await asyncio.wait_for(proc.wait(), 20)
    err = "".join(lines) + rest
    assert code == 0  # stopped while waiting, as asked
    assert "NO ENGINEERS EXIST" in err and "there is no configuration file (helpdesk.toml)" in err
    assert "Traceback" not in err
    retries = [line for line in err.splitlines() if "cannot reach Telegram" in line]
    assert len(retries) >= 2 and "trying again in 1 s" in retries[0] and "trying again in 2 s" in retries[1]
