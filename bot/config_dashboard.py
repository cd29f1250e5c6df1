"""`[dashboard]` of helpdesk.toml: the managers' live board, a Telegram Mini App the bot serves itself.

Off unless `listen` is set. `url` is where Telegram clients open it: Telegram only opens HTTPS pages,
so in production it is the address of the reverse proxy (nginx, Caddy) that terminates TLS and
forwards to `listen`; the sandbox uses plain `http://127.0.0.1:…`, which only its stand-in accepts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from bot.config_inspections import duration_value


class DashboardSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    listen: str = ""
    """HOST:PORT the bot's web server listens on ("127.0.0.1:8081"); empty: no dashboard."""
    url: str = ""
    """The page's public address for the menu button and /dashboard (HTTPS in production); empty: the
    listen address over http, which only a local stand-in opens."""
    max_age: Annotated[timedelta, BeforeValidator(duration_value)] = timedelta(hours=24)
    """How old a Mini App's signed initData may be: a board left open longer must be opened again."""
    refresh_seconds: int = Field(15, ge=1, le=600)
    """How often the open board asks for the tickets again."""

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        if not value:
            return value
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise ValueError(f"listen must be HOST:PORT, like 127.0.0.1:8081 (got {value!r}; port 0: any free one)")
        return value

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("url must start with https:// (http:// only for a local stand-in)")
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.listen)

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])

    @property
    def page_url(self) -> str:
        """Where a Telegram client opens the page."""
        return self.url or f"http://{self.listen}/"
