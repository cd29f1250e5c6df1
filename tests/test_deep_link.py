"""The QR sticker's payload: every asset number the register accepts gets a payload Telegram accepts
(≤ 64 of [A-Za-z0-9_-]) that names it back; anything else is not ours."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.deep_link import StickerCode, asset_digest, link_for, parse_payload, payload_for

ALLOWED = re.compile(r"[A-Za-z0-9_-]{1,64}")


def test_plain_numbers_stay_readable_and_others_are_packed_or_hashed() -> None:
    assert payload_for("A-0042") == "a-A-0042"
    assert link_for("@office_helpdesk_bot", "A-0042") == "https://t.me/office_helpdesk_bot?start=a-A-0042"
    assert payload_for("总部/A 01") == "b-5oC76YOoL0EgMDE"
    assert parse_payload("b-5oC76YOoL0EgMDE") == StickerCode(asset_no="总部/A 01")
    long = "LONG/ASSET/NUMBER/THAT/KEEPS/GOING/AND/GOING/00001"
    assert payload_for(long) == "h-" + asset_digest(long) and len(payload_for(long)) == 22
    assert parse_payload(payload_for(long)) == StickerCode(digest=asset_digest(long))
    assert asset_digest(long) == asset_digest(long.lower())  # any spelling of the number: one hash


@given(st.text(min_size=1, max_size=64).filter(lambda s: s.strip() == s and s))
def test_every_asset_number_round_trips_through_an_allowed_payload(asset_no: str) -> None:
    payload = payload_for(asset_no)
    assert ALLOWED.fullmatch(payload), payload
    code = parse_payload(payload)
    assert code is not None
    assert code.asset_no == asset_no or code.digest == asset_digest(asset_no)


def test_what_no_sticker_carries_is_not_ours() -> None:
    for payload in ("", "a-", "zz", "x-A-1", "a-A 1", "b-!!!", "b-_w", "h-123", "h-" + "g" * 20, "a-" + "A" * 63):
        assert parse_payload(payload) is None, payload
