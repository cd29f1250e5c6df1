"""The bot's HTTP client for the Bot API: aiohttp behind PTB's documented `BaseRequest` interface.

PTB's default client (httpx) spends most of the bot's CPU time under load: measured in
docs/benchmarks.md, about 1 ms per Bot API call, much of it scanning its connection pool on every
request. The bot makes a few calls per user message, so that was the bulk of a reply's cost. aiohttp
(already used for the Bot API stand-in) does the same calls for a fraction of it. Errors map onto
PTB's: a timeout is `TimedOut`, anything else on the wire `NetworkError`; HTTP status codes are left
to PTB, which turns them into `RetryAfter`, `Forbidden`, `BadRequest` and so on.
"""

from __future__ import annotations

import json
import re

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}
_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]+")


def _redacted(text: str) -> str:
    """Error texts may quote the URL, and the URL holds the bot token."""
    return _TOKEN.sub("bot<token>", text)


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        *,
        connections: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 5.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        write = write_timeout
        if isinstance(write, DefaultValue):
            write = self._media_write_timeout if files else self._write_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp has no separate write timeout: sending is bounded by the whole request's budget
        total = None if read is None or write is None else read + write + (connect or 0) + (pool or 0)
        timeout = aiohttp.ClientTimeout(total=total, connect=(connect or 0) + (pool or 0) or None, sock_read=read)
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if files:
            assert request_data is not None
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename or name, content_type=mime)
            body = form
        elif request_data is not None and (params := request_data.parameters):
            # a JSON body: cheaper to build than a form, and the Bot API takes either
            body = json.dumps(params, ensure_ascii=False).encode()
            headers = _JSON
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                content = await response.read()
        except TimeoutError as exc:
            raise TimedOut(_redacted(f"Timed out: {exc}")) from None
        except aiohttp.ClientError as exc:
            raise NetworkError(_redacted(f"aiohttp.{type(exc).__name__}: {exc}")) from None
        return response.status, content
