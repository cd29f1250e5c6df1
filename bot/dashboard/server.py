"""The dashboard's web server: the page, and its JSON API behind Telegram's signed initData.

Started by the bot process when `[dashboard] listen` is set (`bot.telegram.lifecycle`). Every API call
must carry `Authorization: tma <initData>`: a missing, forged or stale one gets 401 and no data, and
who it names is then held to the chat's permission table (`bot.domain.permissions`): managers see
everything and may dispatch, engineers see their own queue, anyone else gets 403. The page itself
(`/`, `/static/…`) holds no data, so it is served to anyone.

Reads come from snapshots (no lock); an action is one unit of work, and the notifications it queued
are delivered at once (`deliver`, the courier's flush).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config_dashboard import DashboardSection
from bot.dashboard import actions
from bot.dashboard.figures import PERIODS, Figures
from bot.dashboard.initdata import InitDataError, verify
from bot.dashboard.views import Viewer, board, seen_by, ticket_page
from bot.domain.clock import Clock
from bot.domain.people import User, language_from_telegram
from bot.domain.permissions import Act, role_of
from bot.domain.severity import Severity
from bot.fonts import CJK_TTF
from bot.messages import t
from bot.services.deployment import Deployment
from bot.services.knowledge import KnowledgeBase
from bot.services.wiring import Services
from bot.texts import render
from storage import Storage

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 16 * 1024
"""An action's body is a few dozen bytes."""
VIEWER = web.RequestKey("viewer", Viewer)
"""Where the auth middleware leaves who is asking, on the request."""
HEADERS = {
    # Only our own files and our own API: no script from anywhere else can run in the page.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _json(payload: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


class DashboardServer:
    def __init__(self, *, deployment: Deployment, storage: Storage, clock: Clock, token: str,
                 kb: KnowledgeBase | None, section: DashboardSection,
                 deliver: Callable[[], Awaitable[object]] | None = None, executor: Executor | None = None) -> None:
        self.deployment = deployment
        self.storage = storage
        self.clock = clock
        self.token = token
        self.kb = kb
        self.section = section
        self.deliver = deliver
        self.figures = Figures(deployment.config, storage, executor)
        self._runner: web.AppRunner | None = None
        self._deliveries: set[asyncio.Task[object]] = set()
        self.port = 0
        """The port it listens on, once started (the configured one, or the one given for port 0)."""

    # ---- the application -------------------------------------------------------------------------
    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._headers, self._auth])
        app.router.add_get("/", self._page)
        app.router.add_get("/static/fonts/cjk.ttf", self._font)
        app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
        app.router.add_get("/api/me", self._me)
        app.router.add_get("/api/board", self._board)
        app.router.add_get("/api/summary", self._summary)
        app.router.add_get("/api/kpis", self._kpis)
        app.router.add_get("/api/charts", self._charts)
        app.router.add_get("/api/tickets/{number}", self._ticket)
        app.router.add_post("/api/tickets/{number}/{action}", self._act)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.section.host, self.section.port)
        await site.start()
        addresses = self._runner.addresses
        self.port = addresses[0][1] if addresses else self.section.port
        log.info("the dashboard listens on %s:%s (opened as %s)", self.section.host, self.port, self.section.page_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---- middlewares -----------------------------------------------------------------------------
    @web.middleware
    async def _headers(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                       ) -> web.StreamResponse:
        response = await handler(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @web.middleware
    async def _auth(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                    ) -> web.StreamResponse:
        if not request.path.startswith("/api/"):
            return await handler(request)
        scheme, _, data = request.headers.get("Authorization", "").partition(" ")
        now = self.clock.now()
        try:
            if scheme.lower() != "tma":
                raise InitDataError("no 'Authorization: tma …' header")
            person = verify(data.strip(), self.token, now, self.section.max_age)
        except InitDataError as exc:
            log.info("dashboard: refused %s %s: %s", request.method, request.path, exc)
            # said in the deployment's language: nothing the request says can be trusted, not even that
            return _json({"error": self._say("dashboard.error.unauthorized", self.deployment.default_language)}, 401)
        role = role_of(self.deployment.role_of(person.id), person.id, known=True)
        if not self.deployment.permissions.allowed(Act.SEE_QUEUE, role):  # staff only
            log.info("dashboard: user %s (%s) is not staff", person.id, role.value)
            told = language_from_telegram(person.language_code, self.deployment.default_language)
            return _json({"error": self._say("dashboard.error.forbidden", told)}, 403)
        async with self.storage.snapshots()() as uow:
            stored = await uow.users.get(person.id)
        lang = stored.language if stored else language_from_telegram(person.language_code,
                                                                     self.deployment.default_language)
        managers = {m.id: m.name for m in self.deployment.config.managers}
        name = managers.get(person.id) or (self.deployment.engineer_name(person.id)
                                           if self.deployment.engineer(person.id) else person.name)
        request[VIEWER] = Viewer(person.id, name, role, lang, self.deployment.config.tz)
        return await handler(request)

    def _say(self, key: str, lang: str) -> str:
        """A refusal the page shows as it is: it has no texts yet when /api/me is the call refused."""
        return render(t(key), lang, self.deployment.config.tz)

    # ---- pages -----------------------------------------------------------------------------------
    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Content-Type": "text/html; charset=utf-8"})

    async def _font(self, request: web.Request) -> web.StreamResponse:
        """The Chinese font the bot ships (bot/fonts), for a browser that has none: one file, cached a day."""
        return web.FileResponse(CJK_TTF, headers={"Content-Type": "font/ttf", "Cache-Control": "max-age=86400"})

    async def _me(self, request: web.Request) -> web.Response:
        viewer = request[VIEWER]
        payload = viewer.me(self.clock.now())
        payload["refresh_seconds"] = self.section.refresh_seconds
        return _json(payload)

    async def _board(self, request: web.Request) -> web.Response:
        viewer, now = request[VIEWER], self.clock.now()
        query = request.query
        severity = query.get("severity") or None
        if severity is not None and severity not in Severity.__members__:
            return _json({"error": "bad severity"}, 400)
        async with self.storage.snapshots()() as uow:
            payload = await board(viewer, Services(self.deployment, self.kb, uow), now, site=query.get("site") or None,
                                  device=query.get("device") or None, severity=severity)
        return _json(payload)

    async def _summary(self, request: web.Request) -> web.Response:
        """The current month at a glance, for a script or a wall screen: the board and, for whoever may
        see reports, the month's figures (`helpdesk report --json`'s)."""
        viewer, now = request[VIEWER], self.clock.now()
        async with self.storage.snapshots()() as uow:
            payload = await board(viewer, Services(self.deployment, self.kb, uow), now)
        payload.pop("filters", None)
        if self.deployment.permissions.allowed(Act.REPORT, viewer.role):
            figures = await self.figures.get("month", (), viewer.lang, now)
            payload["kpis"] = {k: v for k, v in figures.items() if k != "charts"}
        return _json(payload)

    async def _figures(self, request: web.Request) -> dict[str, Any] | web.Response:
        viewer = request[VIEWER]
        if not self.deployment.permissions.allowed(Act.REPORT, viewer.role):
            return _json({"error": "forbidden"}, 403)
        query = request.query
        period = query.get("period", "month")
        if period not in PERIODS:
            return _json({"error": f"period is one of {', '.join(PERIODS)}"}, 400)
        selection: list[tuple[str, Any]] = []
        for name, key in (("site", "site"), ("device_type", "device"), ("severity", "severity")):
            if query.get(key):
                selection.append((name, query[key]))
        if query.get("engineer"):
            if not query["engineer"].isdigit():
                return _json({"error": "engineer is an id"}, 400)
            selection.append(("engineer", int(query["engineer"])))
        if dict(selection).get("severity") not in (None, *Severity.__members__):
            return _json({"error": "bad severity"}, 400)
        return await self.figures.get(period, tuple(selection), viewer.lang, self.clock.now())

    async def _kpis(self, request: web.Request) -> web.Response:
        result = await self._figures(request)
        if isinstance(result, web.Response):
            return result
        return _json({k: v for k, v in result.items() if k != "charts"})

    async def _charts(self, request: web.Request) -> web.Response:
        result = await self._figures(request)
        if isinstance(result, web.Response):
            return result
        return _json(result["charts"])

    async def _ticket(self, request: web.Request) -> web.Response:
        viewer, now = request[VIEWER], self.clock.now()
        number = request.match_info["number"]
        async with self.storage.snapshots()() as uow:
            ticket = await uow.tickets.get(number)
            # another engineer's ticket is not theirs to see, and is not said to exist
            if ticket is None or not seen_by(self.deployment, viewer, ticket):
                return _json({"error": viewer.say(t("dashboard.error.no_ticket", number=number))}, 404)
            return _json(await ticket_page(viewer, Services(self.deployment, self.kb, uow), ticket, now))

    # ---- actions ---------------------------------------------------------------------------------
    async def _act(self, request: web.Request) -> web.Response:
        viewer, now = request[VIEWER], self.clock.now()
        number, action = request.match_info["number"], request.match_info["action"]
        if action not in ("assign", "escalate", "severity"):
            return _json({"error": "unknown action"}, 404)
        try:
            body = await request.json() if request.can_read_body else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _json({"error": "the body is not JSON"}, 400)
        if not isinstance(body, dict):
            return _json({"error": "the body is a JSON object"}, 400)
        async with self.storage.transaction() as uow:
            services = Services(self.deployment, self.kb, uow)
            ticket = await uow.tickets.get(number)
            outcome = actions.check(services, viewer.role, viewer.id, ticket, number)
            if outcome is None and ticket is not None:
                by = await uow.users.get(viewer.id) or User(viewer.id, viewer.name, viewer.lang, viewer.role.value)
                outcome = await self._do(services, action, ticket, body, by, now)
        if outcome is None:
            return _json({"error": "bad request"}, 400)
        if not outcome.done:
            status = 403 if not self.deployment.permissions.allowed(Act.DISPATCH, viewer.role) else 409
            return _json({"error": viewer.say(outcome.message)}, status)
        self._deliver_soon()
        async with self.storage.snapshots()() as uow:
            row = await ticket_page(viewer, Services(self.deployment, self.kb, uow), outcome.ticket, now) \
                if outcome.ticket is not None else None
        return _json({"ok": True, "message": viewer.say(outcome.message), "ticket": row["ticket"] if row else None})

    async def _do(self, services: Services, action: str, ticket: Any, body: dict[str, Any], by: User,
                  now: datetime) -> actions.Outcome | None:
        if action == "assign":
            engineer = body.get("engineer")
            if not isinstance(engineer, int) or isinstance(engineer, bool):
                return None
            return await actions.assign(services, ticket, engineer, by, now)
        if action == "escalate":
            return await actions.escalate(services, ticket, by, now)
        level, reason = body.get("severity"), body.get("reason")
        if not isinstance(level, str) or not isinstance(reason, str):
            return None
        return await actions.change_severity(services, ticket, level, reason, by, now)

    def _deliver_soon(self) -> None:
        """What the action queued (the engineer's card, the reporter's news) goes out now, not at the next tick."""
        if self.deliver is None:
            return
        task = asyncio.ensure_future(self.deliver())
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)
