"""The one callback codec: every button the bot makes fits Telegram's 64 bytes and parses back to
itself; anything the bot never made (old formats, forgeries, junk) parses to nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import callbacks
from bot.callbacks import (
    ArticleForm,
    CancelTicket,
    ChooseLanguage,
    ComplaintAction,
    ConfirmFix,
    ConsoleAction,
    DraftAnswer,
    FollowUpAnswer,
    SaveAsArticle,
    ShowArticle,
    TicketAction,
    TicketThread,
)
from knowledge.loader import MAX_ID

LONGEST_NUMBER = "HD-2026-999999"
LONGEST_ARTICLE = "a" * MAX_ID
EXAMPLES = [
    TicketAction(LONGEST_NUMBER, "spareback"), TicketAction(LONGEST_NUMBER, "to9999999999"),
    ConfirmFix(LONGEST_NUMBER, "yes"), FollowUpAnswer(LONGEST_NUMBER, "other_problem"),
    ComplaintAction(2**40, "handled"), ChooseLanguage("zh"), CancelTicket(LONGEST_NUMBER),
    SaveAsArticle(LONGEST_NUMBER), ShowArticle(LONGEST_ARTICLE), ArticleForm("symptoms", "software"),
    DraftAnswer("a1b2c3", "describe", "photos"), TicketThread(LONGEST_NUMBER, "a12"),
    ConsoleAction(LONGEST_NUMBER, "to9999999999"), ConsoleAction(LONGEST_NUMBER, "sevP1"),
]


def test_every_kind_is_in_the_examples() -> None:
    assert {type(example) for example in EXAMPLES} == set(callbacks.KINDS.values())


@pytest.mark.parametrize("button", EXAMPLES, ids=lambda b: type(b).__name__)
def test_the_longest_button_of_each_kind_fits_and_parses_back(button: callbacks.Callback) -> None:
    data = button.pack()
    assert len(data.encode()) <= callbacks.MAX_BYTES
    assert callbacks.parse(data) == button


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
