"""The one callback codec: the wire format of buttons already in people's chats is kept, and anything
the bot never made (old formats, forgeries, junk) parses to nothing. That every kind of button fits
Telegram's 64 bytes at its largest values and parses back to itself is tests/test_button_data.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks
from bot.callbacks import (
    ChooseLanguage,
    DraftAnswer,
    ShowArticle,
    TicketAction,
)


def test_the_wire_format_of_buttons_already_sent_is_kept() -> None:
    assert TicketAction("HD-2026-00001", "accept").pack() == "t:HD-2026-00001:accept"
    assert DraftAnswer("ab12cd", "site", "s0").pack() == "r:ab12cd:site:s0"
    assert callbacks.parse("lang:en") == ChooseLanguage("en")
    assert TicketAction("HD-2026-00001", "to1002").hand_over_to == 1002


@pytest.mark.parametrize("data", [
    "", ":", "t", "t:HD-2026-00001", "t:HD-2026-00001:accept:extra", "x:1:2", "m:abc:handled", "m:-1:handled",
    "t::accept", "t:HD 2026:accept", "k:" + "a" * 70, "r:tok:step", "lang", "t:HD-2026-00001:accept\n",
])
def test_what_the_bot_never_made_parses_to_nothing(data: str) -> None:
    assert callbacks.parse(data) is None


def test_a_value_that_cannot_travel_is_refused_when_packed() -> None:
    with pytest.raises(ValueError, match="cannot travel"):
        TicketAction("HD-2026-00001", "to:1002").pack()
    with pytest.raises(ValueError):
        ShowArticle("a" * 63).pack()


@given(st.text(max_size=80))
def test_any_text_parses_to_a_known_kind_or_to_nothing(data: str) -> None:
    parsed = callbacks.parse(data)
    assert parsed is None or parsed.pack() == data
