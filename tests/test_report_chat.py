"""Reports as managers get them: /report with a chart, /export as a workbook, the monthly push."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image

from bot.domain.clock import FakeClock
from storage import open_storage
from tests.conftest import ALICE, ENGINEER, MANAGER, make_config
from tests.harness import BotHarness, harness


async def _one_resolved_ticket(desk: BotHarness) -> None:
    await desk.report(ALICE, description="Printer prints blank pages", device="Printer", site="HQ-3F",
                      room="305", severity="Badly affected", phone="13800001234")
    card = desk.last_with_buttons(ENGINEER)
    await desk.press(ENGINEER, "✅ 接单", card)
    await desk.press(ENGINEER, "📍 已到场", card)
    await desk.press(ENGINEER, "✅ 完成维修", card)
    await desk.say(ENGINEER, "Toner was empty")
    await desk.press(ENGINEER, "未更换配件")


def _drawing_fails(monkeypatch, error: Exception, times: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """Drawing a report raises `error`, the first `times` times (or always)."""
    from bot.services.reports.orders import Reports

    prepare, failed = Reports.prepare, []

    async def failing(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if times is None or len(failed) < times:
            failed.append(error)
            raise error
        return await prepare(self, *args, **kwargs)

    monkeypatch.setattr(Reports, "prepare", failing)


async def test_report_and_export_for_managers_only(desk: BotHarness) -> None:
    await _one_resolved_ticket(desk)
    replies = await desk.say(ALICE, "/report")
    assert "Only managers can see the service reports" in replies[0].text
    replies = await desk.say(MANAGER, "/report month")
    summary = replies[0].text.splitlines()
    assert summary[0] == "📊 服务报告 2026-11-01 00:00 – 2026-11-30 23:59"
    assert "共受理 1 张工单，取消 0 张；0 张未结工单已超时。" in summary
    assert "• 响应及时率：100.0%（1/1） · 目标 ≥ 95% ✅" in summary
    chart = desk.tg.messages_to(MANAGER.id)[-1]
    assert chart.method == "sendPhoto"
    image = Image.open(io.BytesIO(chart.photo))  # type: ignore[arg-type]
    assert image.size[0] > 600 and image.getextrema() != ((255, 255), (255, 255), (255, 255), (255, 255))
    await desk.say(MANAGER, "/export 2026-11")
    document = desk.tg.messages_to(MANAGER.id)[-1]
    assert document.method == "sendDocument" and document.document_name == "helpdesk-2026-11.xlsx"
    book = load_workbook(io.BytesIO(document.document))  # type: ignore[arg-type]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and "HD-2026-00001" in rows[1]
    assert len(book.worksheets) >= 2
    replies = await desk.say(MANAGER, "/report 2026-13")
    assert "用法：/report" in replies[0].text


async def test_monthly_report_missed_while_down_is_sent_when_back(tmp_path: Path) -> None:
    config = make_config()
    clock = FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    async with harness(config, clock, tmp_path / "h.db") as desk:
        await _one_resolved_ticket(desk)
        await desk.stop()  # the bot is down over the 1st of December, 09:00
        clock.set(datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
        await desk.start()
        before = len(desk.tg.messages_to(MANAGER.id))
        await desk.tick()
        pushed = desk.tg.messages_to(MANAGER.id)[before:]
        assert [m.method for m in pushed] == ["sendMessage", "sendPhoto"]
        assert pushed[0].text.startswith("📊 服务报告 2026-11-01 00:00 – 2026-11-30 23:59")
        assert "共受理 1 张工单" in pushed[0].text
        await desk.restart()
        await desk.tick(timedelta(days=1))
        assert desk.tg.messages_to(MANAGER.id)[before + 2:] == []  # sent once, not again after a restart
        async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
            deliveries = await tx.reports.deliveries()
        due, sent = deliveries["2026-11"]
        assert due == datetime(2026, 12, 1, 1, 0, tzinfo=UTC) and sent == datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


async def test_cli_report_json(tmp_path: Path) -> None:
    await (await open_storage(tmp_path / "h.db")).close()  # the report only reads: the database must exist
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_DB": str(tmp_path / "h.db"),
           "HELPDESK_CONFIG": os.devnull}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "report", "--from", "2026-11-01", "--to", "2026-11-30",
                             "--json"], capture_output=True, text=True, env=env, timeout=120,
                            cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["tickets"] == 0 and data["period"]["from"] == "2026-11-01" and data["period"]["to"] == "2026-11-30"
    bad = subprocess.run([sys.executable, "-m", "bot.cli", "report", "--from", "2026-11-30", "--to", "2026-11-01"],
                         capture_output=True, text=True, env=env, timeout=120, cwd=Path(__file__).parents[1])
    assert bad.returncode == 2


async def test_a_report_is_drawn_without_holding_up_other_chats(desk: BotHarness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Drawing takes seconds at 100,000 tickets: it runs elsewhere (the bot's worker process; here a
    thread, so that the drawing can be held up) on a snapshot, holding no lock, so a reporter writing
    meanwhile is answered before the manager's chart is finished."""
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from bot.services.reports.orders import Reports

    await _one_resolved_ticket(desk)
    desk.helpdesk.desk.reports.executor = ThreadPoolExecutor(1)
    release = threading.Event()
    draw = Reports.draw

    def slow_draw(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        assert release.wait(10), "the reporter was not answered while the report was being drawn"
        return draw(self, *args, **kwargs)

    monkeypatch.setattr(Reports, "draw", slow_draw)
    asked = desk.tg.send_text(MANAGER, "/report month")
    replies = await desk.say(ALICE, "/help")  # needs the database too: no lock is held by the drawing
    assert replies and desk.tg.messages_to(MANAGER.id)[-1].method != "sendPhoto"
    actions = [params for method, params in desk.tg.requests if method == "sendChatAction"]
    assert actions and actions[-1]["action"] == "upload_photo"
    release.set()
    await asyncio.wait_for(desk.handled(asked), 10)
    assert desk.tg.messages_to(MANAGER.id)[-1].method == "sendPhoto"


async def test_a_report_that_failed_to_draw_is_drawn_by_the_next_tick_once(desk: BotHarness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await _one_resolved_ticket(desk)
    _drawing_fails(monkeypatch, RuntimeError("disk full while drawing"), times=1)
    before = len(desk.tg.messages_to(MANAGER.id))
    await desk.say(MANAGER, "/export 2026-11")
    assert desk.tg.messages_to(MANAGER.id)[before:] == []  # not drawn, but the order is kept …
    await desk.tick()
    sent = desk.tg.messages_to(MANAGER.id)[before:]
    assert [m.method for m in sent] == ["sendMessage", "sendDocument"]  # … and drawn by the scheduler
    await desk.restart()
    await desk.tick()
    assert len(desk.tg.messages_to(MANAGER.id)) == before + 2  # once


async def test_a_report_that_cannot_be_drawn_is_given_up_and_the_manager_told_once(
    desk: BotHarness, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    from bot.services.reports.orders import DRAW_ATTEMPTS

    _drawing_fails(monkeypatch, MemoryError("out of memory"))
    before = len(desk.tg.messages_to(MANAGER.id))
    await desk.say(MANAGER, "/export 2026-11")
    for _ in range(DRAW_ATTEMPTS - 2):
        await desk.tick()
    assert desk.tg.messages_to(MANAGER.id)[before:] == []  # still being retried
    await desk.tick()
    told = desk.tg.messages_to(MANAGER.id)[before:]
    assert len(told) == 1 and "2026-11 的报告未能生成（MemoryError: out of memory）" in told[0].text
    await desk.say(ALICE, "/help")  # the rest of the bot is unaffected …
    await desk.tick()
    await desk.tick()
    assert len(desk.tg.messages_to(MANAGER.id)) == before + 1  # … and the manager is told once


async def test_a_monthly_push_drawn_at_the_second_attempt_counts_as_sent(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _drawing_fails(monkeypatch, OSError("disk full"), times=1)
    clock = FakeClock(datetime(2026, 12, 1, 0, 59, tzinfo=UTC))
    async with harness(make_config(), clock, tmp_path / "h.db") as desk:
        await desk.say(MANAGER, "/start")
        before = len(desk.tg.messages_to(MANAGER.id))
        await desk.tick(timedelta(minutes=2))  # due at 09:00 local: the first attempt fails
        assert desk.tg.messages_to(MANAGER.id)[before:] == []
        await desk.tick(timedelta(seconds=5))
        assert [m.method for m in desk.tg.messages_to(MANAGER.id)[before:]] == ["sendMessage", "sendPhoto"]
        async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
            _due, sent = (await tx.reports.deliveries())["2026-11"]
        assert sent == datetime(2026, 12, 1, 1, 1, 5, tzinfo=UTC)  # recorded when it went out


async def test_a_monthly_push_that_cannot_be_drawn_counts_as_missing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.services.reports.loading import load
    from bot.services.reports.orders import DRAW_ATTEMPTS

    _drawing_fails(monkeypatch, OSError("no space left on device"))
    clock = FakeClock(datetime(2026, 12, 1, 0, 59, tzinfo=UTC))
    async with harness(make_config(), clock, tmp_path / "h.db") as desk:
        await desk.say(MANAGER, "/start")
        before = len(desk.tg.messages_to(MANAGER.id))
        await desk.tick(timedelta(minutes=2))  # the push falls due at 09:00 local
        for _ in range(DRAW_ATTEMPTS - 1):
            await desk.tick()
        told = desk.tg.messages_to(MANAGER.id)[before:]
        assert len(told) == 1 and "2026-11 的报告未能生成（OSError: no space left on device）" in told[0].text
        async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
            due, sent = (await tx.reports.deliveries())["2026-11"]
            assert sent is None  # on record as not sent: missing, as the contract counts it
            assert await tx.timers.has_pending("monthly_report")  # next month's is scheduled
            december = await load(tx.reports, datetime(2026, 11, 30, 16, tzinfo=UTC),
                                  datetime(2026, 12, 31, 16, tzinfo=UTC), {}, lambda due: due + timedelta(days=4))
        assert (december.monthly_reports_due, december.monthly_reports_late) == (1, 1)
        assert due == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


async def test_shutdown_does_not_wait_for_a_report_being_drawn() -> None:
    """SIGTERM must end the bot within seconds: the drawing worker is stopped, not waited for (the
    report's order stays in the database and is drawn after the restart)."""
    import asyncio
    import time
    from concurrent.futures.process import BrokenProcessPool

    import pytest

    from bot.services.reports import worker as reports

    loop = asyncio.get_running_loop()
    drawing = loop.run_in_executor(reports.drawing_process(), time.sleep, 60)  # a drawing that would take a minute
    await asyncio.sleep(0.5)  # let the worker start on it
    started = time.perf_counter()
    reports.stop_drawing()
    with pytest.raises((BrokenProcessPool, asyncio.CancelledError)):  # running, or not yet started
        await asyncio.wait_for(drawing, 10)
    assert time.perf_counter() - started < 5
    assert reports._pool is None  # the next report gets a new worker
