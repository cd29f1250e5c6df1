"""The sandbox as a terminal user meets it: through its stdin, restarted on the same database."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import aiohttp
import pytest

from bot.domain.clock import FakeClock
from bot.sandbox import Sandbox, open_sandbox
from bot.sandbox.lines import Composer
from bot.sandbox.session import drive
from tests.conftest import START, make_config

ROOT = Path(__file__).parents[1]


def _terminal(db: Path, typed: str) -> str:
    """One run of `helpdesk sandbox --db DB` fed `typed` on its stdin; what it printed."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_CONFIG": os.devnull}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "sandbox", "--db", str(db)], input=typed,
                            capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_restarted_sandbox_still_answers(tmp_path: Path) -> None:
    """Each run's stand-in numbers its updates after the highest id the database has seen: numbered from
    1 again, every update of a second run would be dropped as a repeat of the first run's."""
    db = tmp_path / "x.db"
    for run in range(3):
        out = _terminal(db, "/help\n:quit\n")
        assert "报修方法" in out, f"run {run + 1} got no answer to /help:\n{out}"


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_a_long_line_typed_at_a_terminal_arrives_whole(tmp_path: Path) -> None:
    """A terminal in canonical mode keeps 4095 characters of a line and drops the rest: read so, 4500
    typed characters would reach the bot as 4095 and be sent. Read through readline they arrive whole,
    and the sandbox refuses them as Telegram refuses a message over 4096."""
    import pty
    import select
    import time

    master, slave = pty.openpty()
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_CONFIG": os.devnull, "TERM": "dumb"}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "sandbox", "--db", str(tmp_path / "t.db")],
                               stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    os.close(slave)
    seen = b""

    def until(marker: bytes) -> bytes:
        nonlocal seen
        deadline = time.monotonic() + 60
        while marker not in seen and time.monotonic() < deadline and process.poll() is None:
            if select.select([master], [], [], 0.2)[0]:
                seen += os.read(master, 65536)
        found, _, seen = seen.partition(marker)
        return found

    try:
        until(b"reporter> ")
        os.write(master, b"y" * 4500 + b"\r")
        assert "⚠ not sent: 4500 characters" in until(b"reporter> ").decode(errors="replace")
        os.write(master, b":quit\r")
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)


# ---- in-process: the Sandbox fed typed lines, on a fake wall clock --------------------------------------


@asynccontextmanager
async def _sandbox(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, io.StringIO]]:
    out = io.StringIO()
    async with open_sandbox(make_config(), tmp_path / "s.db", out, real=FakeClock(START), tick_seconds=None) as sb:
        yield sb, out


def _number(sandbox: Sandbox, label: str) -> int:
    """The number `:N` a terminal user would type for the button labelled so on their latest message."""
    labels = [b.label for b in sandbox.buttons.get(sandbox.user.id, [])]
    exact = [i for i, text in enumerate(labels, 1) if text == label]
    found = exact or [i for i, text in enumerate(labels, 1) if label in text]
    assert len(found) == 1, f"no single button {label!r} in {labels}"
    return found[0]


async def _press(sandbox: Sandbox, label: str) -> None:
    await sandbox.type(f":{_number(sandbox, label)}")


async def _report(sandbox: Sandbox, description: str, severity: str) -> str:
    await sandbox.type(":as reporter-en")
    await sandbox.type(description)
    if any("Skip" in b.label for b in sandbox.buttons.get(sandbox.user.id, [])):
        await _press(sandbox, "Skip — report it to an engineer")
    await _press(sandbox, "Printer")
    await _press(sandbox, "HQ-3F")
    await sandbox.type("305")
    await _press(sandbox, severity)
    await sandbox.type("13800001234")
    await _press(sandbox, "Submit")
    last = sandbox.standin.last_to(sandbox.user.id).shown_text
    return next(word.rstrip(".") for word in last.split() if word.startswith("HD-"))


async def test_wait_72h_after_a_repair_shows_the_follow_up_and_the_time_is_kept(tmp_path: Path) -> None:
    async with _sandbox(tmp_path) as (sandbox, out):
        number = await _report(sandbox, "Printer prints blank pages", "Badly affected")
        await sandbox.type(":as engineer")
        for step in ("✅ 接单", "📍 已到场", "✅ 完成维修"):
            await _press(sandbox, step)
        assert "💬 📍 已到场，已通知报修人。" in out.getvalue()  # a button's toast is printed
        await sandbox.type("Toner cartridge was empty; replaced it")
        await sandbox.type("toner cartridge CF259A")
        await sandbox.type(":as reporter-en")
        await _press(sandbox, "👍 Fixed")
        await sandbox.type(":wait 71h")
        assert "still working since" not in out.getvalue()
        await sandbox.type(":wait 1h")
        assert "⏩ now Thu 2026-11-26 10:00 (Asia/Shanghai)" in out.getvalue()
        shown_after = out.getvalue().rsplit("⏩ now Thu 2026-11-26 10:00", 1)[1]
        assert f"Is the Printer still working since Wang Wei repaired it on 2026-11-23 10:00? ({number})" in shown_after
        for wrong in (":wait 5x", ":wait", ":at 2026-11-26 09:59", ":at soon"):
            await sandbox.type(wrong)
        assert "⚠ '5x' is not a duration" in out.getvalue() and "⚠ '(nothing)' is not a duration" in out.getvalue()
        assert "is not after now, Thu 2026-11-26 10:00 (Asia/Shanghai)" in out.getvalue()
        assert "⚠ 'soon' is not a time" in out.getvalue()
        await sandbox.type(":at 2026-12-24 09:00")
        assert "⏩ now Thu 2026-12-24 09:00 (Asia/Shanghai)" in out.getvalue()
    async with _sandbox(tmp_path) as (sandbox, out):  # a restart goes on from there, not back to the start
        assert "now Thu 2026-12-24 09:00 (Asia/Shanghai)" in out.getvalue()
        assert (tmp_path / "s.db.clock").read_text().split()[0] == str(int((datetime(2026, 12, 24, 1, 0, tzinfo=UTC)
                                                                           - START).total_seconds()))


async def test_every_engineer_can_be_played_and_reached_by_a_hand_over(tmp_path: Path) -> None:
    async with _sandbox(tmp_path) as (sandbox, out):
        await _report(sandbox, "Printer is completely dead", "Work has stopped")
        await sandbox.type(":as engineer")
        await _press(sandbox, "✅ 接单")
        await _press(sandbox, "🤝 转交")
        await _press(sandbox, "Liu Yang")  # never typed anything in this sandbox: reachable all the same
        assert "联系不上" not in out.getvalue()  # not "unreachable": staff are known chats from the start
        offer = out.getvalue().rsplit("🤖 → engineer 2:", 1)[1]
        assert "HD-2026-00001" in offer and "✅ Accept" in offer
        await sandbox.type(":as Liu")
        assert "(you are now engineer 2: Liu Yang, id 1002)" in out.getvalue()
        await _press(sandbox, "✅ Accept")
        assert "Liu Yang" in sandbox.standin.last_to(700002).shown_text  # the reporter is told who comes
        for who, expected in ((":as engineer 3", "engineer 3: Chen Jie"), (":as manager", "manager: Zhao Min"),
                              (":as reporter 3", "reporter 3: 张伟"), (":as manager 2", "there is no manager 2"),
                              (":as nobody", "nobody called 'nobody'")):
            await sandbox.type(who)
            assert expected in out.getvalue()


async def test_a_chart_is_saved_as_a_png_and_a_paste_arrives_as_one_message(tmp_path: Path) -> None:
    async with _sandbox(tmp_path) as (sandbox, out):
        await sandbox.type(":as manager")
        await sandbox.type("/report")
        saved = sorted((tmp_path / "s-files").iterdir())
        assert [p.name for p in saved] == ["0001-helpdesk-2026-11.png"]
        assert saved[0].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert f"🖼 saved {saved[0]} (" in out.getvalue()
        typed = iter([":as reporter-en", ":paste", "The printer on 3F", "", "shows: E-204 paper jam", ".",
                      "Also the one on 5F \\", "jams", ":paste", "cut off by the end of input"])
        prompts: list[str] = []

        def read(prompt: str) -> str:
            prompts.append(prompt)
            try:
                return next(typed)
            except StopIteration:
                raise EOFError from None

        first = max(sandbox.standin.updates)
        await drive(sandbox, read)  # the very loop `helpdesk sandbox` runs on the terminal's lines
        texts = [sandbox.standin.updates[i]["message"]["text"] for i in sorted(sandbox.standin.updates) if i > first]
        assert texts == ["The printer on 3F\n\nshows: E-204 paper jam", "Also the one on 5F \njams",
                         "cut off by the end of input"]  # each one message, with its newlines
        assert prompts[2].startswith("paste…") and prompts[7] == "… "
        assert [Composer().feed("one line")] == ["one line"]
        before = len(sandbox.standin.updates)
        await sandbox.type("x" * 4097)
        assert "⚠ not sent: 4097 characters, and Telegram takes at most 4096" in out.getvalue()
        assert len(sandbox.standin.updates) == before


async def test_waiting_out_an_unaccepted_page_escalates_to_the_backup_then_the_manager(tmp_path: Path) -> None:
    async with _sandbox(tmp_path) as (sandbox, out):
        await _report(sandbox, "Printer is completely dead", "Work has stopped")
        await sandbox.type(":wait 11m")
        after = out.getvalue().rsplit("⏩ now Mon 2026-11-23 10:11 (Asia/Shanghai)", 1)[1]
        assert "🤖 → engineer 2:" in after and "Still not accepted after 11 min." in after  # the backup
        assert "🤖 → manager:" not in after
        await sandbox.type(":wait 10m")
        after = out.getvalue().rsplit("⏩ now Mon 2026-11-23 10:21 (Asia/Shanghai)", 1)[1]
        assert "🤖 → manager:" in after and "is still not accepted (assigned to Wang Wei)" in after
        await sandbox.type(":as engineer 2")
        await _press(sandbox, "✅ Accept")  # the backup, played, takes it
        assert "Liu Yang" in sandbox.standin.last_to(700002).shown_text


async def test_the_live_board_opens_from_the_sandbox_signed_for_the_persona(tmp_path: Path) -> None:
    """`:dashboard` (and /dashboard's button, pressed) prints the link Telegram would open: the page
    with initData signed by the sandbox's bot, for whoever is being played."""
    async with _sandbox(tmp_path) as (sandbox, out):
        await sandbox.type(":as manager")
        await sandbox.type(":dashboard")
        link = re.findall(r"http://127\.0\.0\.1:\d+/#tgWebAppData=\S+", out.getvalue())[-1]
        await sandbox.type("/dashboard")
        await sandbox.type(f":{_number(sandbox, 'Open the board')}")
        assert len(re.findall(r"http://127\.0\.0\.1:\d+/#tgWebAppData=", out.getvalue())) == 2
        await sandbox.type(":as reporter-en")
        await sandbox.type(":dashboard")
        reporter = re.findall(r"http://127\.0\.0\.1:\d+/#tgWebAppData=\S+", out.getvalue())[-1]
        async with aiohttp.ClientSession() as http:
            for address, status in ((link, 200), (reporter, 403)):
                base, _, fragment = address.partition("#tgWebAppData=")
                async with http.get(base + "api/me", headers={"Authorization": "tma " + unquote(fragment)}) as r:
                    assert r.status == status
                    if status == 200:
                        assert (await r.json())["role"] == "manager"
