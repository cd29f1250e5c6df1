"""A bad update, a refused token, a failing part of a reply, old data and invisible characters: the bot
stays up (or ends clearly), answers everyone else, sends nothing twice and keeps nothing too long."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.config import ConfigError, parse_config
from bot.domain.text import clean_text
from storage.sqlite.codec import ts
from tests.conftest import ALICE, ENGINEER
from tests.harness import BotHarness

HELP = "How to report a fault"


def _old_server_poll(update_id: int) -> dict:
    """A private message with a poll as a Bot API server older than 9.6 sends it (no `allows_revoting`):
    PTB 22 cannot build it."""
    return {"update_id": update_id, "message": {
        "message_id": 77, "date": 1_790_000_000, "chat": {"id": ALICE.id, "type": "private"},
        "from": {"id": ALICE.id, "is_bot": False, "first_name": "Alice"},
        "poll": {"id": "5", "question": "secret question of Alice", "options": [], "total_voter_count": 0,
                 "is_closed": False, "is_anonymous": True, "type": "regular", "allows_multiple_answers": False}}}


async def test_an_unreadable_update_in_a_batch_is_kept_aside_and_the_rest_answered(
    desk: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.telegram.polling")
    before = desk.tg.send_text(ALICE, "/help")  # the three arrive in one getUpdates batch
    poison = desk.tg.push_update(_old_server_poll(before + 1))
    after = desk.tg.send_text(ALICE, "/my")
    await desk.handled(before)
    await desk.handled(after)
    texts = [m.text for m in desk.tg.messages_to(ALICE.id)]
    assert HELP in texts[0] and "no tickets yet" in texts[1]
    [(update_id, error, payload)] = desk.rows("SELECT update_id, error, payload FROM quarantined_updates")
    assert (update_id, error) == (poison, "TypeError") and "secret question" in payload  # kept as sent
    warnings = [r.getMessage() for r in caplog.records if "could not be read" in r.getMessage()]
    assert len(warnings) == 1 and "secret" not in warnings[0] and str(poison) in warnings[0]  # no personal data
    assert desk.tg.pending_updates == 0  # the offset moved past it: Telegram forgets it
    await desk.restart()  # and it does not come back after a restart
    replies = await desk.say(ALICE, "/help")
    assert HELP in replies[-1].text
    assert desk.rows("SELECT COUNT(*) FROM quarantined_updates") == [(1,)]


async def test_a_refused_token_ends_polling_with_one_clear_reason(desk: BotHarness) -> None:
    polling = desk.bot.polling
    desk.tg.inject_error("getUpdates", status=401, description="Unauthorized")
    await asyncio.wait_for(polling.died.wait(), 5)
    assert polling.fatal is not None
    assert str(polling.fatal) == "Telegram refused the bot token (401/404): check TELEGRAM_BOT_TOKEN"


async def test_a_failing_photo_resends_only_the_rest_of_the_card(desk: BotHarness) -> None:
    await desk.photo(ALICE, caption="The printer shows E-05", content=b"first")
    await desk.photo(ALICE, content=b"second")
    for label in ("Skip — report it to an engineer", "Printer", "HQ-3F", "Skip", "Badly affected"):
        await desk.press(ALICE, label)
    await desk.say(ALICE, "13800001234")
    desk.tg.inject_error("sendPhoto", status=500)  # the card's first photo fails once
    await desk.press(ALICE, "Submit")
    for _ in range(4):
        await desk.tick(timedelta(seconds=5))
    to_engineer = desk.tg.messages_to(ENGINEER.id)
    cards = [m for m in to_engineer if "HD-2026-00001" in (m.text or "") and m.reply_markup]
    photos = [m for m in to_engineer if m.method == "sendPhoto"]
    assert len(cards) == 1  # the card with its live buttons went out once …
    assert len(photos) == 2  # … and both photos, after the retry
    assert desk.rows("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]


async def test_sent_messages_and_update_ids_are_forgotten_after_the_retention_period(desk: BotHarness) -> None:
    await desk.report(ALICE, description="The PC is dead", device="PC", site="HQ-3F", room="301",
                      severity="Work has stopped", phone="13800001234")
    first_day = ts(desk.clock.now() + timedelta(hours=1))
    with_phone = "SELECT COUNT(*) FROM outbox WHERE payload LIKE '%13800001234%' AND created_at < ?"
    assert desk.rows(with_phone, (first_day,))[0][0] >= 1  # the engineer's card carries the phone
    desk.clock.advance(timedelta(days=29))
    desk.helpdesk.scheduler._pruned_at = None  # as after a restart: pruned at the first tick
    await desk.tick()
    assert desk.rows(with_phone, (first_day,))[0][0] >= 1  # not yet
    desk.clock.advance(timedelta(days=2))
    await desk.say(ALICE, "/help")  # a recent update and message, which stay
    await desk.tick(timedelta(days=1))  # a day after the last pruning
    old = ts(desk.clock.now() - timedelta(days=30))
    assert desk.rows("SELECT COUNT(*) FROM outbox WHERE created_at < ? AND sent_at IS NOT NULL", (old,)) == [(0,)]
    assert desk.rows(with_phone, (first_day,)) == [(0,)]  # the phone is gone from the delivered messages …
    assert desk.rows("SELECT COUNT(*) FROM tickets") == [(1,)]  # … the ticket, the record, is kept
    assert desk.rows("SELECT COUNT(*) FROM processed_updates WHERE at < ?", (old,)) == [(0,)]
    assert desk.rows("SELECT COUNT(*) FROM processed_updates") != [(0,)]  # the recent ones are kept


async def test_invisible_and_reordering_characters_never_reach_the_engineer(desk: BotHarness) -> None:
    sneaky = "Printer\u202e 4321 enohp\u200b \x1b[31mred\x1b[0m jam\u2066x\u2069"
    await desk.report(ALICE, description=sneaky, device="Printer", site="HQ-3F", room="3\u200b01",
                      severity="Work has stopped", phone="13800001234")
    card = next(m for m in desk.tg.messages_to(ENGINEER.id) if "HD-2026-00001" in m.text)
    for char in ("\u202e", "\u200b", "\x1b", "\u2066", "\u2069"):
        assert char not in card.text
    assert "Printer 4321 enohp [31mred[0m jamx" in card.text and "301" in card.text  # still readable


def test_clean_text_keeps_what_a_person_can_see() -> None:
    assert clean_text("普通文字 plain") == "普通文字 plain"
    assert clean_text("a\r\nb\rc\td") == "a\nb\nc\td"
    assert clean_text("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"  # joiners build one emoji: kept
    assert clean_text("\ufeffA-\u200b0042\u202d") == "A-0042"
    assert clean_text("\x00\x07\x7f\x9b") == ""


def test_one_person_as_manager_and_engineer_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"managers: 1001 is also in \[\[engineers\]\]"):
        parse_config({"engineers": [{"id": 1001, "name": "Wang"}], "managers": [{"id": 1001, "name": "Wang"}]})
