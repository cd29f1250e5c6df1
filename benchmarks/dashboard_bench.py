"""The dashboard with 100,000 tickets in the database: its API's latency and the page's first paint.

Run:  .venv/bin/python benchmarks/dashboard_bench.py [--tickets 100000] [--open 300] [--rounds 50] [--loads 10]

A year of tickets (the last of them this month, `--open` of them still open with real deadlines) in a
fresh SQLite file; the dashboard's server (`bot.dashboard.server`, the same one the bot starts) on a
local port, with the report worker process it uses for the figures. Each API path is asked `--rounds`
times with a signed initData (KPIs: the first call computes the month in the worker, the rest are
served from the 30 s cache, so both are given). The page is loaded `--loads` times in Debian's
headless Chromium (Playwright): first contentful paint, and the moment the board's first ticket row
(the data) and the KPI cards are on screen, from navigation start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.config import parse_config  # noqa: E402
from bot.dashboard.initdata import sign  # noqa: E402
from bot.dashboard.server import DashboardServer  # noqa: E402
from bot.domain.clock import SystemClock  # noqa: E402
from bot.domain.people import User  # noqa: E402
from bot.domain.severity import Severity  # noqa: E402
from bot.domain.sla import Deadlines, SlaTerms  # noqa: E402
from bot.domain.ticket import Status, Ticket, opened_event  # noqa: E402
from bot.services.deployment import Deployment  # noqa: E402
from bot.services.reports.worker import stop_drawing  # noqa: E402
from storage import open_storage  # noqa: E402

TOKEN = "123456:BENCHMARK"
MANAGER = 9001
ENGINEERS = (1001, 1002, 1003)
SITES = ("HQ-12F", "HQ-3F", "Branch-North")
DEVICES = ("printer", "pc", "laptop", "monitor", "copier", "network")
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def config():  # type: ignore[no-untyped-def]
    return parse_config({
        "bot": {"timezone": "Asia/Shanghai", "default_language": "zh"},
        "intake": {"sites": list(SITES)},
        "engineers": [{"id": e, "name": f"Engineer {e}"} for e in ENGINEERS],
        "managers": [{"id": MANAGER, "name": "Manager"}],
        "rotations": [{"name": "all", "engineers": list(ENGINEERS), "period": "daily", "covers": "all"}],
        "dashboard": {"listen": "127.0.0.1:0"},
    })


async def prefill(storage, count: int, still_open: int, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """A year of tickets ending now; the last `still_open` are open, with deadlines around now."""
    step = timedelta(days=365) / count
    start = now - timedelta(days=365)
    async with storage.transaction() as tx:
        for reporter in range(200):
            await tx.users.save(User(id=90_000 + reporter, name=f"reporter {reporter}", language="zh"), start)
        for user in (MANAGER, *ENGINEERS):
            await tx.users.save(User(id=user, name=str(user), language="zh"), start)
        for i in range(count):
            opened = start + step * i
            is_open = i >= count - still_open
            number = await tx.tickets.next_number(opened.year)
            deadlines = Deadlines(opened + timedelta(minutes=30), opened + timedelta(hours=4),
                                  opened + timedelta(hours=8))
            ticket = Ticket(
                number=number, reporter_id=90_000 + i % 200, description=f"故障 {i}：打印机卡纸，显示错误代码",
                severity=list(Severity)[i % 4], opened_at=opened, sla=SlaTerms(None, "24x7", deadlines),
                status=Status.ASSIGNED if is_open else Status.CLOSED, device_type=DEVICES[i % len(DEVICES)],
                site=SITES[i % 3], room=f"{i % 20}01", asset_no=f"A-{i % 3000}", assignee_id=ENGINEERS[i % 3],
                accepted_at=None if is_open else opened + timedelta(minutes=10),
                arrived_at=None if is_open else opened + timedelta(hours=1),
                resolved_at=None if is_open else opened + timedelta(hours=3))
            await tx.tickets.add(ticket, [opened_event(ticket)])


def init_data(user_id: int, now: datetime) -> str:
    fields = {"auth_date": str(int(now.timestamp())), "user": json.dumps({"id": user_id, "first_name": "M"})}
    return urlencode({**fields, "hash": sign(fields, TOKEN)})


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def api_latency(base: str, auth: str, rounds: int, number: str) -> list[tuple[str, float, float, float]]:
    rows = []
    async with aiohttp.ClientSession(headers={"Authorization": auth}) as http:
        paths = ("/api/kpis?period=month", "/api/me", "/api/board", "/api/kpis?period=month",
                 "/api/charts?period=month", f"/api/tickets/{number}", "/api/kpis?period=quarter")
        for n, path in enumerate(paths):
            samples = []
            for _ in range(1 if n in (0, len(paths) - 1) else rounds):  # the first of each period: computed
                started = time.perf_counter()
                async with http.get(base + path) as response:
                    await response.read()
                    assert response.status == 200, (path, response.status)
                samples.append((time.perf_counter() - started) * 1000)
            rows.append((path, statistics.median(samples), pct(samples, 0.95), max(samples)))
    return rows


async def first_paint(base: str, data: str, loads: int) -> list[tuple[float, float, float]]:
    from playwright.async_api import async_playwright

    results = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for _ in range(loads):
                page = await browser.new_page(viewport={"width": 1280, "height": 800})
                await page.goto(f"{base}/#tgWebAppData={quote(data, safe='')}")
                await page.wait_for_selector('[data-testid="ticket-row"]')
                board = await page.evaluate("performance.now()")
                fcp = await page.evaluate(
                    "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1")
                started = await page.evaluate("performance.now()")
                await page.click('[data-testid="tab-kpis"]')
                await page.wait_for_selector('[data-testid="kpi-card"]')
                kpis = await page.evaluate("performance.now()") - started
                results.append((fcp, board, kpis))
                await page.close()
        finally:
            await browser.close()
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--loads", type=int, default=10)
    args = parser.parse_args()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        storage = await open_storage(Path(tmp) / "helpdesk.db")
        started = time.perf_counter()
        await prefill(storage, args.tickets, args.open, now)
        print(f"prefill: {args.tickets:,} tickets ({args.open} open) in {time.perf_counter() - started:.1f} s")
        cfg = config()
        server = DashboardServer(deployment=Deployment(cfg), storage=storage, clock=SystemClock(), token=TOKEN,
                                 kb=None, section=cfg.dashboard)
        await server.start()
        base = f"http://127.0.0.1:{server.port}"
        data = init_data(MANAGER, now)
        try:
            async with storage.transaction() as tx:
                number = (await tx.tickets.open_tickets(limit=1))[0].number
            rows = await api_latency(base, "tma " + data, args.rounds, number)
            paints = await first_paint(base, data, args.loads)
        finally:
            await server.stop()
            await storage.close()
            stop_drawing()
    print("\n| API call | p50 | p95 | max |\n|---|---:|---:|---:|")
    first_kpis = True
    for path, p50, p95, top in rows:
        label = path
        if path == "/api/kpis?period=month":
            label += " (first: computed in the worker)" if first_kpis else " (again: from the 30 s cache)"
            first_kpis = False
        if path.endswith("quarter"):
            label += " (first, computed)"
        print(f"| `{label}` | {p50:.1f} ms | {p95:.1f} ms | {top:.1f} ms |")
    fcp, board, kpis = ([row[i] for row in paints] for i in range(3))
    print(f"\n| page, {len(paints)} loads | p50 | p95 |\n|---|---:|---:|")
    print(f"| first contentful paint | {statistics.median(fcp):.0f} ms | {pct(fcp, 0.95):.0f} ms |")
    print(f"| board's tickets on screen | {statistics.median(board):.0f} ms | {pct(board, 0.95):.0f} ms |")
    print(f"| KPI tab: cards on screen after the click | {statistics.median(kpis):.0f} ms | {pct(kpis, 0.95):.0f} ms |")


if __name__ == "__main__":
    asyncio.run(main())
