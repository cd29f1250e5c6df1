"""The terminal sandbox: the real bot on the stand-in, typed at as personas, buttons pressed by number."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.domain.clock import FakeClock
from bot.sandbox import Sandbox, personas
from bot.sandbox.standin import BotApiStandIn
from bot.telegram.lifecycle import UpdateTracker, running_bot
from storage import open_storage
from tests.conftest import START, make_config


async def test_personas_type_and_press_buttons_by_number(tmp_path: Path) -> None:
    config = make_config()
    storage = await open_storage(tmp_path / "sandbox.db")
    out = io.StringIO()
    try:
        async with BotApiStandIn() as standin, running_bot(
            token=standin.token, base_url=standin.base_url, base_file_url=standin.base_file_url, config=config,
            storage=storage, clock=FakeClock(START), poll_timeout=1, rate_limit=False, tick_seconds=None,
        ) as bot:
            tracker = UpdateTracker()
            tracker.attach(bot.app)
            sandbox = Sandbox(standin, personas(config), out=out)
            standin.introduce(*sandbox.personas.values())

            async def type_(line: str) -> None:
                sent = sandbox.handle(line)
                if sent is not True and sent is not False:
                    await tracker.wait(sent)

            await type_(":as reporter-en")
            await type_("/new")
            await type_("The thing in room 5 broke")
            assert "Is it one of these?" in out.getvalue()  # a vague report gets guesses, and a way on
            await type_(":4")  # skip
            assert "[1] Printer  [2] Copier" in out.getvalue()
            await type_(":4")  # PC
            assert "✓ PC" in out.getvalue() and "Where is it?" in out.getvalue()
            await type_(":1")  # HQ-12F
            await type_(":1")  # skip the room
            await type_(":1")  # work has stopped
            await type_(":contact")
            await type_(":1")  # submit
            assert "✅ Ticket HD-2026-00001 is open." in out.getvalue()
            assert "🤖 → engineer:" in out.getvalue()  # the engineer persona got the card
            await type_(":as engineer")
            await type_(":1")  # 接单
            assert "👷 Wang Wei has taken your ticket HD-2026-00001." in out.getvalue()
            await type_(":99")
            assert "(no button 99 on the latest message to engineer)" in out.getvalue()
            await type_(":as manager")
            await type_("/export")  # drawn by the report worker process, sent as a file
            assert "📎 helpdesk-2026-11.xlsx (" in out.getvalue()
            assert sandbox.handle(":quit") is False
    finally:
        await storage.close()


def test_sandbox_command_runs_with_piped_input(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_CONFIG": os.devnull}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "sandbox", "--db", str(tmp_path / "s.db")],
                            input="/help\n:as manager\n/report\n:quit\n", capture_output=True, text=True, env=env,
                            timeout=120, cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr
    assert "press button number 1, 2" in result.stdout and "报修方法" in result.stdout
    # no configuration: the example's staff, so the manager persona really is one
    assert "uses helpdesk.example.toml" in result.stdout and "🖼 saved " in result.stdout
    charts = list((tmp_path / "s-files").glob("0001-helpdesk-*.png"))  # saved to be opened, and named so
    assert len(charts) == 1 and charts[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
