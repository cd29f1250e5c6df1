"""Nothing lost, nothing doubled on the way out: the outbox through Telegram's failures."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from bot.cli import setup_logging
from bot.domain.clock import FakeClock
from bot.sandbox.standin import FakeUser
from tests.conftest import ALICE, ENGINEER, MANAGER, START, make_config
from tests.harness import BotHarness, harness


async def _pending(desk: BotHarness) -> list[tuple]:
    return desk.rows(
        "SELECT chat_id, attempts, sent_at, failed_at, last_error FROM outbox WHERE sent_at IS NULL ORDER BY id")


async def test_a_5xx_is_retried_with_backoff_and_delivered_once(desk: BotHarness) -> None:
    desk.tg.inject_error("sendMessage", status=502, description="Bad Gateway")
    replies = await desk.say(ALICE, "/help")
    assert replies == []  # the first attempt failed …
    assert [(chat, attempts) for chat, attempts, *_ in await _pending(desk)] == [(ALICE.id, 1)]
    await desk.tick(timedelta(seconds=1))
    assert desk.tg.messages_to(ALICE.id) == []  # … and it waits for its backoff (2 s) …
    await desk.tick(timedelta(seconds=1))
    (help_message,) = desk.tg.messages_to(ALICE.id)  # … then goes out exactly once
    assert "How to report a fault" in help_message.text
    assert await _pending(desk) == []


async def test_429_retry_after_is_honoured_and_order_is_kept(desk: BotHarness) -> None:
    desk.tg.inject_error("sendMessage", status=429, retry_after=7)
    await desk.say(ALICE, "/help")
    await desk.say(ALICE, "/my")  # queued behind the first: a chat's messages keep their order
    assert desk.tg.messages_to(ALICE.id) == []
    await desk.tick(timedelta(seconds=6))
    assert desk.tg.messages_to(ALICE.id) == []
    await desk.tick(timedelta(seconds=1))
    texts = [m.text for m in desk.tg.messages_to(ALICE.id)]
    assert len(texts) == 2 and "How to report a fault" in texts[0] and "no tickets yet" in texts[1]


async def test_replies_committed_before_a_crash_are_sent_after_the_restart(desk: BotHarness) -> None:
    courier = desk.helpdesk.courier
    desk.helpdesk.courier = None  # the process dies between the commit and the send
    await desk.say(ALICE, "/help")
    assert desk.tg.messages_to(ALICE.id) == []
    desk.helpdesk.courier = courier
    await desk.restart()
    await desk.tick()
    (message,) = desk.tg.messages_to(ALICE.id)
    assert "How to report a fault" in message.text


async def test_an_engineer_who_cannot_be_reached_is_recorded_and_managers_told_once(tmp_path: Path) -> None:
    config = make_config(engineers=[{"id": 1001, "name": "Wang Wei"}, {"id": 1004, "name": "New Hire"}],
                         rotations=[{"name": "all", "engineers": [1004], "covers": "all"}])
    async with harness(config, FakeClock(START), tmp_path / "h.db") as desk:
        for n in (1, 2):
            await desk.report(ALICE, description=f"Printer {n} is broken", device="Printer", site="HQ-3F",
                              room=None, severity="Badly affected", phone="13800001234")
        notices = [m.text for m in desk.tg.messages_to(MANAGER.id) if "📵" in m.text]
        assert len(notices) == 1 and "New Hire (1004)" in notices[0] and "HD-2026-00001" in notices[0]  # by name
        async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
            events = [e.kind for e in await tx.tickets.events("HD-2026-00001")]
        assert "delivery_failed" in events


async def test_blocked_reporter_is_marked_and_not_retried(desk: BotHarness) -> None:
    bob = FakeUser(id=777, first_name="Bob")
    desk.tg.block(bob.id)
    await desk.say(bob, "/help")
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        user = await tx.users.get(bob.id)
    assert user is not None and user.blocked
    ((chat, attempts, sent_at, failed_at, error),) = await _pending(desk)
    assert (chat, attempts, sent_at) == (bob.id, 1, None) and failed_at and error.startswith("forbidden")
    sent_before = len([r for r in desk.tg.requests if r[0] == "sendMessage"])
    await desk.tick(timedelta(minutes=10))
    assert len([r for r in desk.tg.requests if r[0] == "sendMessage"]) == sent_before


def test_the_token_never_reaches_the_logs(capsys) -> None:  # type: ignore[no-untyped-def]
    token = "123456:" + "S3cr3t" * 6
    setup_logging(token)
    try:
        logging.getLogger("telegram.ext.Updater").error(f"POST https://api.telegram.org/bot{token}/getMe failed")
        logging.getLogger("bot").warning("token was %s", token)
    finally:
        logging.getLogger().handlers.clear()
    err = capsys.readouterr().err
    assert token not in err and err.count("<token>") == 2


async def test_submit_and_page_survive_send_failures(desk: BotHarness) -> None:
    await desk.describe(ALICE, "Printer dead")
    for label in ("Printer", "HQ-3F", "Skip", "Badly affected"):
        await desk.press(ALICE, label)
    await desk.say(ALICE, "13800001234")
    desk.tg.inject_error("sendMessage", status=500, times=3)
    await desk.press(ALICE, "Submit")
    for _ in range(6):
        await desk.tick(timedelta(seconds=10))
    confirmations = [m for m in desk.tg.messages_to(ALICE.id) if "Ticket HD-2026-00001 is open" in m.text]
    cards = [m for m in desk.tg.messages_to(ENGINEER.id) if "HD-2026-00001" in m.text]
    assert len(confirmations) == 1 and len(cards) == 1
    assert await _pending(desk) == []
