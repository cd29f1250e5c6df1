"""The dashboard in a real browser (Debian's headless Chromium, driven by Playwright) against the real bot
and the Bot API stand-in: what a manager sees equals `helpdesk report --json`, the board refreshes by
itself, a forged initData shows an error and no data, and the Telegram theme is followed.
Screenshots are written to the test's folder (and to $DASHBOARD_SHOTS when it is set)."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bot.domain.clock import FakeClock
from bot.domain.targets import SPECS
from bot.services.reports.summary import format_value
from tests.conftest import ENGINEER, ENGINEER2, LINA, MANAGER, START, make_config
from tests.harness import BotHarness, harness
from tests.test_dashboard_api import call, init_data, report_number, tma

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
"""As this machine's notes say to start it: without the background-networking flags it keeps trying
Google's hosts through a closed network."""
DARK = {"bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499", "link_color": "#6ab3f3",
        "button_color": "#5288c1", "button_text_color": "#ffffff", "secondary_bg_color": "#232e3c"}

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing in CI: tasks.py test installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} not found: `apt-get install chromium` to run the dashboard's browser tests "
                "(CI installs it)", allow_module_level=True)
async_playwright = pytest.importorskip("playwright.async_api").async_playwright


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[BotHarness, str]]:
    config = make_config(dashboard={"listen": "127.0.0.1:0", "refresh_seconds": 1})
    async with harness(config, FakeClock(START), tmp_path / "helpdesk.db") as h:
        assert h.bot is not None and h.bot.dashboard is not None
        yield h, f"http://127.0.0.1:{h.bot.dashboard.port}"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium
        finally:
            await chromium.close()


def url(base: str, data: str, theme: dict[str, str] | None = None) -> str:
    fragment = f"tgWebAppData={quote(data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=tdesktop"
    if theme is not None:
        fragment += f"&tgWebAppThemeParams={quote(json.dumps(theme), safe='')}"
    return f"{base}/#{fragment}"


def shot_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get("DASHBOARD_SHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


async def open_page(browser: Any, address: str, width: int = 1280, height: int = 800) -> Any:
    page = await browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    await page.goto(address)
    return page


async def test_a_manager_sees_the_board_and_the_figures_of_helpdesk_report(
        served: tuple[BotHarness, str], browser: Any, tmp_path: Path) -> None:
    desk, base = served
    await desk.say(ENGINEER, "/start")
    first = await report_number(desk, LINA, "HQ-12F", "工作已停顿")
    second = await report_number(desk, LINA, "HQ-3F", "部分功能故障")
    desk.clock.advance(timedelta(hours=3))  # the VIP P1 is overdue now
    data = init_data(MANAGER, desk.tg.token, desk.clock.now().timestamp() - 60)
    page = await open_page(browser, url(base, data))
    await page.wait_for_selector('[data-testid="ticket-row"]')
    rows = page.locator('[data-testid="ticket-row"]')
    assert [await rows.nth(i).get_attribute("data-number") for i in range(await rows.count())] == [first, second]
    assert "1" in await page.locator('[data-testid="breached-count"]').inner_text()
    assert "Wang Wei" in await page.locator('[data-testid="duty-now"]').inner_text()
    assert await rows.first.locator('[data-testid="time-left"]').inner_text()
    await page.screenshot(path=str(shot_dir(tmp_path) / "board-zh-light.png"), full_page=True)

    # A new ticket appears without a reload (the board polls every refresh_seconds).
    third = await report_number(desk, LINA, "Branch-North", "咨询或预约服务")
    await page.wait_for_selector(f'[data-testid="ticket-row"][data-number="{third}"]', timeout=10_000)

    await page.click('[data-testid="tab-kpis"]')
    await page.wait_for_selector('[data-testid="kpi-card"]')
    _, expected = await call(base, "/api/kpis?period=month", "tma " + data)
    shown = {await card.get_attribute("data-figure"): (await card.locator('[data-testid="kpi-value"]').inner_text())
             for card in await page.locator('[data-testid="kpi-card"]').all()}
    for name, figure in expected["figures"].items():
        value = format_value(SPECS[name], figure["value"])
        if value is not None:
            assert value in shown[name], (name, shown[name], value)
    await page.wait_for_selector('[data-testid="chart-site"] svg')
    await page.screenshot(path=str(shot_dir(tmp_path) / "kpis-zh-light.png"), full_page=True)
    assert page.errors == []


async def test_forged_init_data_shows_an_error_and_no_data(served: tuple[BotHarness, str], browser: Any,
                                                           tmp_path: Path) -> None:
    desk, base = served
    await report_number(desk, LINA, "HQ-3F", "部分功能故障")
    forged = init_data(MANAGER, "999:ANOTHER-BOT", desk.clock.now().timestamp())
    page = await open_page(browser, url(base, forged), 390, 844)
    await page.wait_for_selector('[data-testid="error"]')
    assert await page.locator('[data-testid="ticket-row"]').count() == 0
    await page.screenshot(path=str(shot_dir(tmp_path) / "forged.png"))
    assert (await call(base, "/api/board", "tma " + forged))[0] == 401


async def test_an_engineer_on_a_phone_in_the_dark_theme_sees_their_queue(
        served: tuple[BotHarness, str], browser: Any, tmp_path: Path) -> None:
    desk, base = served
    await desk.say(ENGINEER, "/start")  # on duty: the reports are offered to Wang Wei
    await desk.say(ENGINEER2, "/start")
    await desk.say(ENGINEER2, "/lang en")
    number = await report_number(desk, LINA, "HQ-3F", "部分功能故障")
    other = await report_number(desk, LINA, "HQ-12F", "工作已停顿")
    status, _ = await call(base, f"/api/tickets/{number}/assign", tma(desk, MANAGER), "POST",
                           {"engineer": ENGINEER2.id})
    assert status == 200
    data = init_data(ENGINEER2, desk.tg.token, desk.clock.now().timestamp())
    page = await open_page(browser, url(base, data, DARK), 390, 844)
    await page.wait_for_selector('[data-testid="ticket-row"]')
    rows = await page.locator('[data-testid="ticket-row"]').all()
    numbers = [await row.get_attribute("data-number") for row in rows]
    assert numbers == [number] and other not in numbers
    assert await page.locator('[data-testid="tab-kpis"]').count() == 0  # no figures for an engineer
    assert "On duty now" in await page.inner_text("body")  # their language, English
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(35, 46, 60)"  # the theme's secondary_bg_color, the page's colour under its cards
    await page.screenshot(path=str(shot_dir(tmp_path) / "engineer-en-dark.png"), full_page=True)
    assert page.errors == []


async def test_a_manager_changes_the_severity_from_the_ticket_page(served: tuple[BotHarness, str], browser: Any,
                                                                   tmp_path: Path) -> None:
    """The ticket page's action is the console's: the log says the manager did it, the reporter is told."""
    desk, base = served
    await desk.say(ENGINEER, "/start")
    number = await report_number(desk, LINA, "HQ-3F", "部分功能故障")
    data = init_data(MANAGER, desk.tg.token, desk.clock.now().timestamp())
    page = await open_page(browser, url(base, data))
    await page.click(f'[data-testid="ticket-row"][data-number="{number}"]')
    await page.wait_for_selector('[data-testid="ticket-page"]')
    assert await page.locator('[data-testid="history-item"]').count() >= 1
    told = len(desk.tg.messages_to(LINA.id))
    await page.click('[data-testid="action-severity"]')
    await page.select_option('[data-testid="severity-pick"]', "P2")
    await page.fill('[data-testid="severity-reason"]', "the whole floor cannot print")
    await page.click('[data-testid="action-confirm"]')
    await page.wait_for_selector('[data-testid="action-message"]')
    assert number in await page.locator('[data-testid="action-message"]').inner_text()
    await page.screenshot(path=str(shot_dir(tmp_path) / "ticket-zh-light.png"), full_page=True)
    events = desk.rows("SELECT e.kind, e.actor_id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
                       "WHERE t.number = ? ORDER BY e.id", (number,))
    assert ("severity_changed", MANAGER.id) in events
    await desk.tick()
    assert any("P2" in (m.text or "") or "严重影响" in (m.text or "") for m in desk.tg.messages_to(LINA.id)[told:])
    assert page.errors == []
