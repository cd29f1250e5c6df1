"""Telegram Mini App initData: who opened the page, signed by Telegram with the bot's token.

A Mini App receives `initData` (a URL-encoded query string) from the Telegram client; the page sends
it with every API call (`Authorization: tma <initData>`). It is valid when its `hash` is the
HMAC-SHA256, keyed with HMAC-SHA256("WebAppData", bot token), of the other fields sorted by key and
joined as `key=value` lines (core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app),
and fresh when `auth_date` is recent. Pure: the caller gives the token and the time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

MAX_LENGTH = 8192
"""initData is a few hundred bytes; anything this long is not Telegram's."""
FUTURE_SLACK = timedelta(minutes=5)
"""A client clock a little ahead is tolerated; more is a forgery or a replay from the future."""


class InitDataError(ValueError):
    """Why initData is not accepted (for the log; the client only gets 401)."""


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    last_name: str
    username: str
    language_code: str
    auth_date: datetime

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.username or str(self.id)


def secret_key(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def sign(fields: dict[str, str], token: str) -> str:
    """The `hash` Telegram would put beside these fields (what a test or the sandbox signs with)."""
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    return hmac.new(secret_key(token), check.encode(), hashlib.sha256).hexdigest()


def verify(init_data: str, token: str, now: datetime, max_age: timedelta) -> WebAppUser:
    """The user initData names, if Telegram signed it for this bot and it is fresh; else InitDataError."""
    if not init_data or len(init_data) > MAX_LENGTH:
        raise InitDataError("missing or oversized initData")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise InitDataError(f"not a query string: {exc}") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("a field appears twice")
    given = fields.pop("hash", "")
    if not hmac.compare_digest(given.encode(), sign(fields, token).encode()):
        raise InitDataError("bad signature")
    try:
        auth_date = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
    except (KeyError, ValueError, OverflowError, OSError):
        raise InitDataError("no valid auth_date") from None
    if auth_date > now + FUTURE_SLACK:
        raise InitDataError("auth_date in the future")
    if now - auth_date > max_age:
        raise InitDataError(f"stale: signed {now - auth_date} ago")
    try:
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError):
        raise InitDataError("no user in initData") from None
    if not isinstance(user, dict):
        raise InitDataError("no user in initData")
    return WebAppUser(user_id, str(user.get("first_name", "")), str(user.get("last_name", "")),
                      str(user.get("username", "")), str(user.get("language_code", "")), auth_date)
