"""The payload of a device's QR sticker: `https://t.me/<bot>?start=<payload>` opens a report for it.

Telegram passes a deep link's payload to the bot as `/start <payload>`, and allows only 1–64 characters
of `[A-Za-z0-9_-]`. Most asset numbers fit as they are (`a-A-0042`); one with other characters (a
Chinese site prefix, a slash, a space) is carried as unpadded base64url of its UTF-8 (`b-…`, also of
that alphabet), and one too long even for that by a short hash of its register key (`h-…`), which the
bot looks up among the registered assets. Asset numbers are matched case-insensitively elsewhere, so
the plain form keeps the number's own spelling and decoding never guesses.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from bot.domain.assets import asset_key

MAX_PAYLOAD = 64
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
_HASH_CHARS = 20


@dataclass(frozen=True)
class StickerCode:
    """What a sticker's payload names: an asset number, or (for a very long one) its hash."""

    asset_no: str | None = None
    digest: str | None = None


def asset_digest(asset_no: str) -> str:
    """The `h-` form's hash: of the register key, so any spelling of the number gives the same one."""
    return hashlib.sha256(asset_key(asset_no).encode()).hexdigest()[:_HASH_CHARS]


def payload_for(asset_no: str) -> str:
    """The shortest payload that names the asset (always ≤ 64 characters of the allowed alphabet)."""
    plain = f"a-{asset_no}"
    if len(plain) <= MAX_PAYLOAD and _ALPHABET.fullmatch(plain):
        return plain
    packed = "b-" + base64.urlsafe_b64encode(asset_no.encode()).decode().rstrip("=")
    if len(packed) <= MAX_PAYLOAD:
        return packed
    return "h-" + asset_digest(asset_no)


def link_for(bot_username: str, asset_no: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={payload_for(asset_no)}"


def parse_payload(payload: str) -> StickerCode | None:
    """The asset a `/start` payload names; None for anything no sticker of ours carries."""
    payload = payload.strip()
    if not 2 < len(payload) <= MAX_PAYLOAD or not _ALPHABET.fullmatch(payload):
        return None
    kind, body = payload[:2], payload[2:]
    if kind == "a-":
        return StickerCode(asset_no=body)
    if kind == "b-":
        try:
            text = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        return StickerCode(asset_no=text) if text.strip() else None
    if kind == "h-" and len(body) == _HASH_CHARS and re.fullmatch(r"[0-9a-f]+", body):
        return StickerCode(digest=body)
    return None
