"""Every bad input a user can send gets a clear answer and leaves nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox.standin import FakeUser
from tests.conftest import ALICE, BOB, LINA
from tests.harness import BotHarness


async def _draft(desk: BotHarness, user: FakeUser):  # type: ignore[no-untyped-def]
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        return await tx.drafts.get(user.id)


async def test_empty_and_whitespace_text(desk: BotHarness) -> None:
    replies = await desk.say(ALICE, "   \n\t ")
    assert "That message is empty" in replies[0].text
    assert await _draft(desk, ALICE) is None


async def test_ten_thousand_characters_are_refused_and_nothing_is_stored(desk: BotHarness) -> None:
    replies = await desk.say(ALICE, "x" * 10_000)
    assert "That's too long (10000 characters); please keep it under 2000" in replies[0].text
    assert await _draft(desk, ALICE) is None
    await desk.describe(ALICE, "Printer is broken")
    await desk.press(ALICE, "Printer")
    replies = await desk.say(ALICE, "y" * 10_000)
    assert "too long" in replies[0].text and "Where is it" in replies[-1].text
    draft = await _draft(desk, ALICE)
    assert draft is not None and draft.site is None


@pytest.mark.parametrize(("send", "word"), [
    ("send_sticker", "stickers"), ("send_voice", "voice messages"), ("send_video", "videos"),
    ("send_document", "files"), ("send_location", "locations"),
])
async def test_unsupported_kinds_where_text_is_expected(desk: BotHarness, send: str, word: str) -> None:
    await desk.describe(ALICE, "Laptop battery does not charge")
    await desk.press(ALICE, "Laptop")
    replies = await desk.run(ALICE, getattr(desk.tg, send)(ALICE))
    assert f"I can't use {word} here" in replies[0].text
    assert "Where is it" in replies[-1].text  # the question is asked again
    draft = await _draft(desk, ALICE)
    assert draft is not None and draft.site is None


async def test_unknown_command(desk: BotHarness) -> None:
    replies = await desk.say(ALICE, "/frobnicate now")
    assert "I don't know the command /frobnicate" in replies[0].text


async def test_forged_and_foreign_buttons(desk: BotHarness) -> None:
    await desk.describe(ALICE, "Copier shows SC542")
    question = desk.last_with_buttons(ALICE)
    token = question.callback_data("Copier").split(":")[1]
    for data in ("garbage", "r:zzz", "r:000000:device:copier", f"r:{token}:device:toaster",
                 f"r:{token}:summary:submit", "c:HD-2026-99999", "lang:fr", "x" * 64):
        await desk.handled(desk.tg.press_data(ALICE, question.message_id, data))
    answers = [a["text"] for a in desk.tg.callback_answers[-8:]]
    assert answers == [
        "This button is not valid.", "This button is not valid.",
        "This button belongs to a report that was already submitted or discarded.",
        "This button is not valid.",
        "This question was already answered. Please use the latest message.",
        "This question was already answered. Please use the latest message.",
        "This button is not valid.", "This button is not valid.",
    ]
    assert all(a["show_alert"] for a in desk.tg.callback_answers[-8:])
    draft = await _draft(desk, ALICE)
    assert draft is not None and draft.device_type is None


async def test_button_pressed_by_another_user(desk: BotHarness) -> None:
    await desk.describe(ALICE, "Scanner not found")
    question = desk.last_with_buttons(ALICE)
    await desk.say(BOB, "/help")
    await desk.handled(desk.tg.press_data(BOB, 1, question.callback_data("Scanner")))
    assert "already submitted or discarded" in desk.last_answer()["text"]
    draft = await _draft(desk, ALICE)
    assert draft is not None and draft.device_type is None


async def test_old_button_after_answer_and_double_press(desk: BotHarness) -> None:
    await desk.describe(ALICE, "No sound from speakers")
    question = desk.last_with_buttons(ALICE)
    data = question.callback_data("PC")
    await desk.press(ALICE, "PC", question)
    await desk.handled(desk.tg.press_data(ALICE, question.message_id, data))
    assert desk.last_answer()["text"] == "This question was already answered. Please use the latest message."
    draft = await _draft(desk, ALICE)
    assert draft is not None and draft.device_type == "pc" and draft.site is None


async def test_bad_phone_numbers(desk: BotHarness) -> None:
    await desk.describe(ALICE, "Desk phone has no dial tone")
    await desk.press(ALICE, "Phone")
    await desk.press(ALICE, "HQ-3F")
    await desk.press(ALICE, "Skip")
    await desk.press(ALICE, "A part fails")
    for bad in ("12345", "call me", "+86 138 0000 123", "1" * 60):
        replies = await desk.say(ALICE, bad)
        assert "doesn't look like a phone number" in replies[0].text
    replies = await desk.contact(ALICE, "+86 138 0000 5555", contact_user_id=BOB.id)
    assert "share your own number" in replies[0].text
    draft = await _draft(desk, ALICE)
    assert draft is not None and draft.phone is None
    replies = await desk.contact(ALICE, "+86 138 0000 5555")
    assert "Please check your report" in replies[-1].text


async def test_photo_over_the_size_limit(desk: BotHarness) -> None:
    replies = await desk.photo(ALICE, caption="broken screen", file_size=15 * 1024 * 1024)
    assert "That photo is too large (the limit is 10 MB)" in replies[0].text
    assert await _draft(desk, ALICE) is None


async def test_album_gets_one_answer_and_photo_only_report(desk: BotHarness) -> None:
    first = await desk.photo(ALICE, media_group_id="album1")
    assert "Photo saved (1)" in first[0].text
    assert first[-1].buttons() == [["Continue with the photo only"]]
    second = await desk.photo(ALICE, media_group_id="album1")
    assert second == []
    replies = await desk.press(ALICE, "Continue with the photo only")
    assert "Which device" in replies[-1].text
    draft = await _draft(desk, ALICE)
    assert draft is not None and len(draft.photos) == 2 and draft.description == ""


async def test_group_chat_gets_pointer_to_private_chat(desk: BotHarness) -> None:
    group = -100777
    update_id = desk.tg.send_in_group(ALICE, "/new printer broken", group_id=group)
    await desk.handled(update_id)
    (reply,) = desk.tg.messages_to(group)
    assert "private chat only" in reply.text
    await desk.handled(desk.tg.send_in_group(ALICE, "lunch anyone?", group_id=group))
    assert len(desk.tg.messages_to(group)) == 1  # ordinary group chatter is left alone
    assert await _draft(desk, ALICE) is None


async def test_user_who_blocked_the_bot(desk: BotHarness) -> None:
    desk.tg.block(BOB.id)
    await desk.say(BOB, "Printer offline")  # the reply fails with 403; the bot carries on
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        user = await tx.users.get(BOB.id)
    assert user is not None and user.blocked
    replies = await desk.say(ALICE, "/help")
    assert "How to report a fault" in replies[0].text


async def test_edited_message_is_explained(desk: BotHarness) -> None:
    await desk.describe(ALICE, "Wifi drops")
    first_message_in_chat = 1  # the description, Alice's first message to the bot
    replies = await desk.run(ALICE, desk.tg.edit_text(ALICE, first_message_in_chat, "Wifi drops all the time"))
    assert "Edits don't change a report" in replies[0].text


async def test_greeting_does_not_open_a_report(desk: BotHarness) -> None:
    replies = await desk.say(LINA, "你好")
    assert "这里是 IT 服务台" in replies[0].text
    assert await _draft(desk, LINA) is None


async def test_text_where_a_button_is_needed(desk: BotHarness) -> None:
    await desk.describe(ALICE, "Keyboard dead")
    await desk.press(ALICE, "PC")
    await desk.press(ALICE, "HQ-3F")
    await desk.press(ALICE, "Skip")
    await desk.press(ALICE, "Work has stopped")
    await desk.say(ALICE, "13800001234")
    replies = await desk.say(ALICE, "submit please")
    assert "Please answer with the buttons below" in replies[0].text
    assert "Please check your report" in replies[-1].text


async def test_locked_database_gets_clear_answer_and_nothing_written(
    desk: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from storage.sqlite import connection as backend

    monkeypatch.setattr(backend, "BUSY_TIMEOUT_MS", 50)
    blocker = sqlite3.connect(desk.db_path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        replies = await desk.say(ALICE, "Printer jammed")
        assert "couldn't save that just now. Nothing was changed" in replies[0].text
    finally:
        blocker.rollback()
        blocker.close()
    assert await _draft(desk, ALICE) is None
    replies = await desk.describe(ALICE, "Printer jammed")
    assert "Which device" in replies[-1].text


def _run_cli(tmp_path: Path, env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "cfg.toml"  # the tests that write one; the others run with an empty one
    env = {"PATH": os.environ.get("PATH", "/usr/bin"),
           "HELPDESK_CONFIG": str(config) if config.exists() else os.devnull,
           "HELPDESK_DB": str(tmp_path / "h.db"), **env_extra}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=env, cwd=Path(__file__).parents[1], timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize(("toml", "message"), [
    ("[sla]\nP1 = { respnd = '30m' }\n", "sla.P1.respnd: unknown key (a typo?)"),
    ("[bot]\nduty_chat_id = 'group'\n", "bot.duty_chat_id: Input should be a valid integer"),
    ("[bot]\ntimezone = 'Mars/Olympus'\n", "bot.timezone: 'Mars/Olympus' is not a time zone"),
    ("[sla]\nP2 = { respond = 'soon' }\n", "sla.P2.respond: 'soon' is not a duration"),
    ("[bot\n", "not valid TOML"),
])
def test_bad_config_is_refused_at_start_with_key_and_exit_2(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "cfg.toml").write_text(toml, encoding="utf-8")
    result = _run_cli(tmp_path, {"TELEGRAM_BOT_TOKEN": "123456:" + "A" * 30}, "run")
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "h.db").exists()  # refused before anything ran


def test_database_path_that_cannot_exist_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = _run_cli(tmp_path, {"TELEGRAM_BOT_TOKEN": "123456:" + "A" * 30,
                                 "HELPDESK_DB": str(blocker / "h.db")}, "run")
    assert result.returncode == 2
    assert "helpdesk: database:" in result.stderr and "cannot be opened" in result.stderr


def test_missing_token_without_terminal_is_refused_loudly(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, {}, "run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set: starting the SANDBOX" in result.stderr
    assert "there is no terminal for the sandbox" in result.stderr
