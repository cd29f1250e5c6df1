"""The dashboard's API against the real bot: initData checked on every call (missing, forged, stale,
another bot's, replayed from an old session: 401; a reporter: 403), the board as a manager and as an
engineer sees it, the KPIs equal to `helpdesk report --json`, and the actions audited like the chat's."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.cli.report import main as report_main
from bot.dashboard.initdata import InitDataError, sign, verify
from bot.domain.clock import FakeClock
from bot.sandbox.standin import FakeUser
from bot.services.deployment import monthly_report_deadline, sla_clocks
from bot.services.reports.loading import load
from bot.services.roster import calendar_of, stored_edits
from storage import open_storage
from tests.conftest import ALICE, ENGINEER, ENGINEER2, LINA, MANAGER, START, make_config
from tests.harness import BotHarness, harness


def init_data(user: FakeUser, token: str, auth_date: float, **extra: str) -> str:
    fields = {"auth_date": str(int(auth_date)), "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
              "user": json.dumps({"id": user.id, "first_name": user.first_name, "language_code": user.language_code},
                                 separators=(",", ":")), **extra}
    return urlencode({**fields, "hash": sign(fields, token)})


@pytest.fixture
async def board(tmp_path: Path) -> AsyncIterator[tuple[BotHarness, str]]:
    config = make_config(dashboard={"listen": "127.0.0.1:0"})
    async with harness(config, FakeClock(START), tmp_path / "helpdesk.db") as h:
        assert h.bot is not None and h.bot.dashboard is not None
        yield h, f"http://127.0.0.1:{h.bot.dashboard.port}"


async def call(base: str, path: str, auth: str | None, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": auth} if auth is not None else {}
    async with aiohttp.ClientSession() as http, http.request(method, base + path, headers=headers, json=body) as r:
        return r.status, await r.json() if r.content_type == "application/json" else await r.text()


def tma(desk: BotHarness, user: FakeUser, age: timedelta = timedelta(minutes=1)) -> str:
    return "tma " + init_data(user, desk.tg.token, (desk.clock.now() - age).timestamp())


# ---- initData, on its own --------------------------------------------------------------------------
def test_init_data_signed_for_this_bot_names_its_user() -> None:
    now = START
    data = init_data(ALICE, "123:TOKEN", now.timestamp() - 60)
    user = verify(data, "123:TOKEN", now, timedelta(hours=1))
    assert (user.id, user.first_name, user.language_code) == (ALICE.id, "Alice", "en")


@pytest.mark.parametrize(("tamper", "reason"), [
    (lambda d: d.replace("Alice", "Mallory"), "bad signature"),  # a field changed after signing
    (lambda d: d + "&extra=1", "bad signature"),  # a field added
    (lambda d: d.replace("hash=", "hash=0"), "bad signature"),
    (lambda d: d.split("&hash=")[0], "bad signature"),  # no hash at all
    (lambda d: d + "&auth_date=1", "appears twice"),
    (lambda d: "", "missing"),
    (lambda d: "x" * 9000, "oversized"),
])
def test_forged_init_data_is_refused(tamper: Any, reason: str) -> None:
    data = init_data(ALICE, "123:TOKEN", START.timestamp())
    with pytest.raises(InitDataError, match=reason):
        verify(tamper(data), "123:TOKEN", START, timedelta(hours=1))


def test_another_bots_stale_or_future_init_data_is_refused() -> None:
    with pytest.raises(InitDataError, match="bad signature"):
        verify(init_data(ALICE, "999:OTHER", START.timestamp()), "123:TOKEN", START, timedelta(hours=1))
    with pytest.raises(InitDataError, match="stale"):
        verify(init_data(ALICE, "123:TOKEN", START.timestamp() - 7200), "123:TOKEN", START, timedelta(hours=1))
    with pytest.raises(InitDataError, match="future"):
        verify(init_data(ALICE, "123:TOKEN", START.timestamp() + 3600), "123:TOKEN", START, timedelta(hours=1))


# ---- the API -----------------------------------------------------------------------------------------
async def test_every_call_needs_fresh_init_data_of_staff(board: tuple[BotHarness, str]) -> None:
    desk, base = board
    await desk.say(ALICE, "/start")
    old = tma(desk, MANAGER, age=timedelta(hours=25))  # a session opened yesterday, replayed today
    for path in ("/api/me", "/api/board", "/api/summary", "/api/kpis", "/api/tickets/HD-1"):
        assert (await call(base, path, None))[0] == 401
        assert (await call(base, path, "Bearer " + tma(desk, MANAGER)[4:]))[0] == 401
        assert (await call(base, path, old))[0] == 401
        forged = tma(desk, MANAGER).replace(str(MANAGER.id), str(MANAGER.id + 1))
        assert (await call(base, path, forged))[0] == 401
        status, body = await call(base, path, tma(desk, ALICE))
        assert status == 403 and list(body) == ["error"] and "engineers and managers" in body["error"]  # no data
        assert "确认" in (await call(base, path, old))[1]["error"]  # said in the deployment's language
    status, body = await call(base, "/api/tickets/HD-1/assign", None, "POST", {"engineer": ENGINEER.id})
    assert status == 401
    page = await call(base, "/", None)
    assert page[0] == 200 and "<html" in page[1].lower()  # the page holds no data: anyone may load it


async def test_the_board_by_deadline_for_a_manager_and_an_engineers_own_queue(board: tuple[BotHarness, str]) -> None:
    desk, base = board
    for who in (ENGINEER, ENGINEER2):
        await desk.say(who, "/start")
    first = await report_number(desk, LINA, "HQ-12F", "工作已停顿")
    second = await report_number(desk, LINA, "HQ-3F", "部分功能故障")
    status, me = await call(base, "/api/me", tma(desk, MANAGER))
    assert status == 200 and me["role"] == "manager" and me["user"]["name"] == "Zhao Min"
    assert me["lang"] == "zh" and me["texts"]["dashboard.chat.button"] == "📊 打开看板"
    status, listing = await call(base, "/api/board", tma(desk, MANAGER))
    assert status == 200
    numbers = [row["number"] for row in listing["tickets"]]
    assert set(numbers) == {first, second} and numbers[0] == first  # the VIP P1 is due first
    top = listing["tickets"][0]
    assert top["severity"] == "P1" and top["due"]["breached"] is False and top["site_label"] == "HQ-12F"
    assert listing["duty"]["now"] == [{"id": ENGINEER.id, "name": "Wang Wei"}]
    assert {"key": str(ENGINEER2.id), "label": "Liu Yang"} in listing["filters"]["engineers"]
    filtered = (await call(base, "/api/board?severity=P3", tma(desk, MANAGER)))[1]
    assert [row["number"] for row in filtered["tickets"]] == [second]
    assert (await call(base, "/api/board?severity=P9", tma(desk, MANAGER)))[0] == 400
    # An engineer sees only what is theirs: nothing yet, then the ticket they were given.
    status, own = await call(base, "/api/board", tma(desk, ENGINEER2))
    assert status == 200 and own["tickets"] == [] and "engineers" not in own["filters"]
    assert (await call(base, f"/api/tickets/{first}", tma(desk, ENGINEER2)))[0] == 404
    assert (await call(base, "/api/kpis", tma(desk, ENGINEER2)))[0] == 403
    status, done = await call(base, f"/api/tickets/{second}/assign", tma(desk, MANAGER), "POST",
                              {"engineer": ENGINEER2.id})
    assert status == 200 and done["ok"] and done["ticket"]["assignee"]["name"] == "Liu Yang"
    own = (await call(base, "/api/board", tma(desk, ENGINEER2)))[1]
    assert [row["number"] for row in own["tickets"]] == [second]
    page = (await call(base, f"/api/tickets/{second}", tma(desk, ENGINEER2)))[1]
    assert page["actions"] == [] and any("Liu Yang" in item["text"] for item in page["history"])
    refused = await call(base, f"/api/tickets/{second}/escalate", tma(desk, ENGINEER2), "POST", {})
    assert refused[0] == 403


async def test_actions_are_the_consoles_audited_and_told(board: tuple[BotHarness, str]) -> None:
    desk, base = board
    await desk.say(ENGINEER2, "/start")
    number = await report_number(desk, LINA, "HQ-3F", "部分功能故障")
    auth = tma(desk, MANAGER)
    before = len(desk.tg.messages_to(ENGINEER2.id))
    status, done = await call(base, f"/api/tickets/{number}/assign", auth, "POST", {"engineer": ENGINEER2.id})
    assert status == 200 and number in done["message"]
    await desk.tick()  # whatever the courier has not sent yet
    card = desk.tg.messages_to(ENGINEER2.id)[before:]
    assert card and number in card[-1].text  # the engineer got the card to accept, as from the chat
    again = await call(base, f"/api/tickets/{number}/assign", auth, "POST", {"engineer": ENGINEER2.id})
    assert again[0] == 409 and "Liu Yang" in again[1]["error"]
    unknown = await call(base, f"/api/tickets/{number}/assign", auth, "POST", {"engineer": 4242})
    assert unknown[0] == 409
    no_reason = await call(base, f"/api/tickets/{number}/severity", auth, "POST", {"severity": "P2", "reason": " "})
    assert no_reason[0] == 409
    status, changed = await call(base, f"/api/tickets/{number}/severity", auth, "POST",
                                 {"severity": "P2", "reason": "the whole floor cannot print"})
    assert status == 200 and changed["ticket"]["severity"] == "P2"
    events = [(kind, actor) for kind, actor in desk.rows(
        "SELECT e.kind, e.actor_id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.number = ? "
        "ORDER BY e.id", (number,))]
    assert ("assign", MANAGER.id) in events and ("severity_changed", MANAGER.id) in events
    assert (await call(base, "/api/tickets/HD-404/escalate", auth, "POST", {}))[0] == 409
    assert (await call(base, f"/api/tickets/{number}/assign", auth, "POST", {"engineer": "x"}))[0] == 400
    assert (await call(base, f"/api/tickets/{number}/explode", auth, "POST", {}))[0] == 404


async def test_kpis_are_those_of_helpdesk_report_json(board: tuple[BotHarness, str]) -> None:
    desk, base = board
    await desk.say(ENGINEER, "/start")
    await report_number(desk, LINA, "HQ-12F", "工作已停顿")
    await report_number(desk, LINA, "HQ-3F", "部分功能故障")
    desk.clock.advance(timedelta(hours=3))  # the VIP P1's deadlines pass: a breach to count
    status, kpis = await call(base, "/api/kpis?period=month", tma(desk, MANAGER))
    assert status == 200
    config = desk.config

    async def loader(start, end):  # type: ignore[no-untyped-def]
        storage = await open_storage(desk.db_path)  # as the command reads it: its own connection
        try:
            async with storage.transaction() as tx:
                clocks = sla_clocks(config, **calendar_of(await stored_edits(tx.roster)))
                return await load(tx.reports, start, end, clocks, monthly_report_deadline(config), tz=config.tz,
                                  inspections=tx.inspections, inspecting=bool(config.inspections.classes))
        finally:
            await storage.close()

    out = io.StringIO()
    code = await asyncio.to_thread(report_main, ["--from", "2026-11-01", "--to", "2026-11-30", "--json"], loader,
                                   tz=config.tz, weights=config.reports.weights, now=desk.clock.now(), stdout=out)
    assert code == 0
    expected = json.loads(out.getvalue())
    assert kpis["tickets"] == expected["tickets"] == 2
    assert kpis["figures"] == expected["figures"] and kpis["open_breaches"] == expected["open_breaches"] >= 1
    assert kpis["score"] == expected.get("score") and kpis["period"]["from"] == "2026-11-01"
    assert kpis["labels"]["response_attainment"] == "响应及时率"
    status, summary = await call(base, "/api/summary", tma(desk, MANAGER))  # the month and the board at once
    assert status == 200 and summary["kpis"]["figures"] == expected["figures"] and len(summary["tickets"]) == 2
    engineer = (await call(base, "/api/summary", tma(desk, ENGINEER)))[1]
    assert "kpis" not in engineer and {row["assignee"]["id"] for row in engineer["tickets"]} == {ENGINEER.id}
    charts = (await call(base, "/api/charts?period=month", tma(desk, MANAGER)))[1]
    assert sum(bar["tickets"] for bar in charts["by_site"]) == 2 and charts["weeks"]
    assert (await call(base, "/api/kpis?period=year", tma(desk, MANAGER)))[0] == 400


async def report_number(desk: BotHarness, user: FakeUser, site: str, severity: str) -> str:
    replies = await desk.report(user, description="打印机坏了，完全打不出来", device="打印机", site=site, room="305",
                                severity=severity, phone="13800001234")
    return next(word for word in replies[-1].text.split() if word.startswith("HD-"))


async def test_dashboard_opens_from_the_chat_for_staff_only(board: tuple[BotHarness, str], tmp_path: Path) -> None:
    desk, _ = board
    await desk.say(MANAGER, "/lang en")
    (reply,) = await desk.say(MANAGER, "/dashboard")
    (button,) = [b for row in reply.reply_markup["inline_keyboard"] for b in row]
    assert button["web_app"] == {"url": "http://127.0.0.1:0/"} and button["text"] == "📊 Open the board"
    (refused,) = await desk.say(ALICE, "/dashboard")
    assert refused.reply_markup is None and "web_app" not in str(refused.reply_markup)
    assert "dashboard" in (await desk.say(MANAGER, "/help"))[0].text
    assert "dashboard" not in (await desk.say(ALICE, "/help"))[0].text
    # The staff's menu button opens it; a reporter's chat keeps Telegram's default.
    assert desk.tg.menu_buttons[MANAGER.id]["type"] == "web_app"
    assert ALICE.id not in desk.tg.menu_buttons
    async with harness(make_config(), FakeClock(START), tmp_path / "off.db") as off:
        (said,) = await off.say(MANAGER, "/dashboard")
        assert "[dashboard] listen" in said.text or "[dashboard]" in said.text
        assert "dashboard" not in (await off.say(MANAGER, "/help"))[0].text
