"""The stand-in itself: an aiohttp server on 127.0.0.1 that PTB polls and calls unmodified.

It routes each Bot API method to its implementation (in the modules beside this one), answers
getUpdates by long polling like Telegram (a newer poll ends the waiting one, offsets confirm), and
keeps what it records for the tests to read.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.sandbox.standin.chat_methods import ChatMethods
from bot.sandbox.standin.faults import Fault, Faults
from bot.sandbox.standin.files import Files
from bot.sandbox.standin.forum import ForumMethods
from bot.sandbox.standin.message_methods import MessageMethods
from bot.sandbox.standin.protocol import MAX_UPLOAD_BYTES, ApiError, as_float, as_int, bad, decode_param
from bot.sandbox.standin.records import SentMessage, StoredFile
from bot.sandbox.standin.users import Users
from bot.sandbox.standin.waiting import Waiting

log = logging.getLogger(__name__)


class BotApiStandIn(Users, Waiting, Faults, ChatMethods, ForumMethods, MessageMethods, Files):
    """A Telegram Bot API server on 127.0.0.1 that PTB can poll and call unmodified.

    Tests push updates as users (``send_text``, ``press`` ...), the bot fetches them with
    getUpdates exactly as from Telegram, and everything it sends is recorded as
    :class:`SentMessage`. Waiting is event driven (futures resolved on state changes), so tests
    never sleep.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "helpdesk_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        max_file_size: int = 20 * 1024 * 1024,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.host = host
        self.port = port
        self.max_file_size = max_file_size

        #: the time messages and updates are dated with (Unix seconds); a test sets its fake clock here,
        #: so a message's age as the bot reads it (Telegram refuses edits after 48 h) follows that clock
        self.clock: Callable[[], float] = time.time
        self.sent: list[SentMessage] = []
        self.callback_answers: list[dict] = []
        self.requests: list[tuple[str, dict]] = []
        self.commands: list[dict] = []
        self.menu_buttons: dict[int | None, dict] = {}
        self.on_message: Callable[[SentMessage], None] | None = None
        #: called with each answer to a button press (a toast or an alert), e.g. to print it
        self.on_answer: Callable[[dict], None] | None = None
        #: every update pushed so far, by update_id (to look up e.g. a user's file_id)
        self.updates: dict[int, dict] = {}
        #: update_id -> ``time.perf_counter()`` when it was pushed (made available to getUpdates)
        self.pushed_at: dict[int, float] = {}
        #: update_id -> ``time.perf_counter()`` when getUpdates first handed it to the bot
        self.delivered_at: dict[int, float] = {}

        self._runner: web.AppRunner | None = None
        self._closing = False
        self._update_ids = itertools.count(1)
        self._last_update_id = 0
        self._pending: deque[dict] = deque()
        self._allowed_updates: frozenset[str] | None = None
        self._pollers: list[asyncio.Future[None]] = []
        self._chats: dict[int, dict] = {}
        self._blocked: set[int] = set()
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[int, dict[int, dict | SentMessage]] = {}
        self._by_chat: dict[int, list[SentMessage]] = {}
        self._keyboards: dict[int, dict | None] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callback_counter = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._faults: dict[str, deque[Fault]] = {}
        self._error_rate = 0.0
        self._error_rng = random.Random(0)
        self._error_methods: frozenset[str] | None = None
        self._error_kinds: tuple[str, ...] = ("429", "500", "timeout", "drop")
        self._error_retry_after = 1
        self._error_hang = 0.05
        self._in_flight = 0
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._chat_waiters: dict[int, list[tuple[Callable[[], bool], asyncio.Future[None]]]] = {}
        self._callback_chats: dict[str, int] = {}
        self._init_forum()

        self._methods: dict[str, Callable[[dict, dict], Any]] = {
            "getMe": self._get_me,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
            "close": self._true,
            "logOut": self._true,
            **self._forum_methods(),
        }
        self._canonical = {name.lower(): name for name in [*self._methods, "getUpdates"]}

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Bind the HTTP server; ``base_url`` is usable afterwards."""
        if self._runner is not None:
            return
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a long poll whose client went away must stop waiting, or a
        # later pushed update would be handed to a dead connection's handler.
        runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        """Release pending long polls and close the server."""
        if self._runner is None:
            return
        self._closing = True
        self._wake_pollers()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; PTB appends the token."""
        self._require_started()
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``; PTB appends the token."""
        self._require_started()
        return f"http://{self.host}:{self.port}/file/bot"

    def _require_started(self) -> None:
        if self._runner is None:
            raise RuntimeError("BotApiStandIn is not started; call `await start()` first")

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's own ``User`` object (``from`` of every bot message)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Helpdesk Test Bot",
            "username": self.bot_username,
        }

    # ---------------------------------------------------------------- reading results

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Everything the bot sent to ``chat_id``, oldest first (deleted ones flagged)."""
        return list(self._by_chat.get(chat_id, ()))

    def message_count(self, chat_id: int) -> int:
        """How many messages the bot sent to ``chat_id``: ``len(messages_to(...))`` without the copy."""
        return len(self._by_chat.get(chat_id, ()))

    def last_to(self, chat_id: int) -> SentMessage:
        """The newest message the bot sent to ``chat_id``."""
        msgs = self._by_chat.get(chat_id)
        if not msgs:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}; {self._overview()}")
        return msgs[-1]

    def current_keyboard(self, chat_id: int) -> list[list[str]] | None:
        """The reply keyboard the user currently sees in ``chat_id`` (None if hidden)."""
        markup = self._keyboards.get(chat_id)
        if not markup:
            return None
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in markup.get("keyboard", [])]

    def file_content(self, file_id: str) -> bytes:
        """Bytes behind a file_id the stand-in knows (user media or bot uploads)."""
        return self._files[file_id].content

    @property
    def pending_updates(self) -> int:
        """Pushed updates not yet confirmed by the bot via getUpdates' offset."""
        return len(self._pending)

    def _overview(self) -> str:
        chats = ", ".join(f"{cid}: {len(m)}" for cid, m in self._by_chat.items()) or "none"
        return f"messages per chat: {chats}"

    # ---------------------------------------------------------------- HTTP layer

    @staticmethod
    def _reply(status: int, payload: dict[str, Any]) -> web.Response:
        return web.Response(status=status, body=json.dumps(payload), content_type="application/json")

    def _error_reply(self, status: int, description: str, retry_after: int | None = None) -> web.Response:
        payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            payload["parameters"] = {"retry_after": retry_after}
        return self._reply(status, payload)

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        """Close the connection so the client sees it lost without any answer."""
        transport = request.transport
        if transport is not None:
            transport.abort()
        return web.Response(status=500)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error_reply(401, "Unauthorized")
        method = self._canonical.get(request.match_info["method"].lower())
        if method is None:
            return self._error_reply(404, "Not Found: method not found")
        polling = method == "getUpdates"
        if not polling:
            self._in_flight += 1
        try:
            return await self._serve(request, method)
        except Exception:
            log.exception("BotApiStandIn failed to handle %s", method)
            return self._error_reply(500, f"Internal Server Error: stand-in failed on {method}")
        finally:
            if not polling:
                self._in_flight -= 1
                self._notify()

    async def _serve(self, request: web.Request, method: str) -> web.StreamResponse:
        try:
            params, files = await self._read_params(request)
        except ValueError as exc:
            return self._error_reply(400, f"Bad Request: can't parse request: {exc}")
        logged = dict(params)
        for name, (filename, content, ctype) in files.items():
            logged[name] = {"filename": filename, "content_type": ctype, "size": len(content)}
        self.requests.append((method, logged))
        self._notify()

        fault = self._take_fault(method)
        if fault is not None and fault.kind == "error":
            return self._error_reply(fault.status, fault.description, fault.retry_after)
        if fault is not None and fault.kind == "drop":
            return self._drop(request)
        try:
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = self._methods[method](params, files)
        except ApiError as exc:
            return self._error_reply(exc.status, exc.description, exc.retry_after)
        if fault is not None:  # "timeout": acted, then the answer never arrives
            await asyncio.sleep(self._error_hang)
            return self._drop(request)
        return self._reply(200, {"ok": True, "result": result})

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]]]:
        """Decode PTB's form/multipart (or a JSON body / query string) into typed params."""
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes, str]] = {}
        for key, value in request.query.items():
            params[key] = decode_param(key, value)
        if request.method != "POST" or not request.can_read_body:
            return params, files
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = (
                    value.filename or key,
                    value.file.read(),
                    value.content_type or "application/octet-stream",
                )
            else:
                params[key] = decode_param(key, value)
        return params, files

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error_reply(401, "Unauthorized")
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return self._error_reply(404, "Not Found")
        self.requests.append(("downloadFile", {"file_path": stored.file_path}))
        return web.Response(body=stored.content, content_type="application/octet-stream")

    # ---------------------------------------------------------------- getUpdates

    async def _get_updates(self, p: dict) -> list[dict]:
        offset = as_int(p.get("offset"), 0)
        limit = min(max(as_int(p.get("limit"), 100), 1), 100)
        timeout = max(as_float(p.get("timeout"), 0.0), 0.0)
        allowed = p.get("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise bad("can't parse allowed_updates")
            self._allowed_updates = frozenset(allowed) if allowed else None
        self._confirm(offset)
        if self._pollers:  # like Telegram: a newer getUpdates terminates the waiting one
            stale, self._pollers = self._pollers, []
            for fut in stale:
                if not fut.done():
                    fut.set_exception(
                        ApiError(
                            409,
                            "Conflict: terminated by other getUpdates request; "
                            "make sure that only one bot instance is running",
                        )
                    )
        if not self._pending and timeout > 0 and not self._closing:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._pollers.append(fut)
            try:
                await asyncio.wait_for(fut, timeout)
            except TimeoutError:
                pass
            finally:
                with contextlib.suppress(ValueError):
                    self._pollers.remove(fut)
        batch = list(itertools.islice(self._pending, limit))
        if batch:
            now = time.perf_counter()
            for update in batch:
                self.delivered_at.setdefault(update["update_id"], now)
        return batch

    def _confirm(self, offset: int) -> None:
        pending = self._pending
        if offset > 0:
            if not pending or pending[0]["update_id"] >= offset:
                return
            while pending and pending[0]["update_id"] < offset:
                pending.popleft()
        elif offset < 0:
            while len(pending) > -offset:
                pending.popleft()
        else:
            return
        self._notify()
