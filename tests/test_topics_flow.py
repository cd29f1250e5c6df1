"""A forum staff group (bot.duty_chat_id with topics on): every ticket gets a topic of its own whose
first message is the card, whose name follows the ticket and which closes with it; a plain group keeps
getting the cards as before (tests/test_duty_flow.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.domain.clock import FakeClock
from tests.conftest import ALICE, ENGINEER, LINA, MANAGER, START, make_config
from tests.harness import BotHarness, harness
from tests.test_duty_flow import _p1

GROUP = -1001777


async def _forum_desk(tmp_path: Path, lang: str, rights: dict[str, bool] | None) -> AsyncIterator[BotHarness]:
    config = make_config(bot={"timezone": "Asia/Shanghai", "default_language": lang, "duty_chat_id": GROUP})
    async with harness(config, FakeClock(START), tmp_path / "h.db") as desk:
        desk.tg.add_group(GROUP, "IT 值班", forum=True, bot_rights=rights)
        await desk.restart()  # the bot looks at the group at start
        yield desk


@pytest.fixture
async def forum_zh(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async for desk in _forum_desk(tmp_path, "zh", {"can_manage_topics": True}):
        yield desk


@pytest.fixture
async def forum_en(tmp_path: Path) -> AsyncIterator[BotHarness]:
    async for desk in _forum_desk(tmp_path, "en", {"can_manage_topics": True}):
        yield desk


def _only_topic(desk: BotHarness):  # type: ignore[no-untyped-def]
    (topic,) = desk.tg.topics(GROUP).values()
    return topic


async def test_each_ticket_opens_a_topic_whose_name_follows_it_and_closes_with_it(forum_zh: BotHarness) -> None:
    desk = forum_zh
    number = await _p1(desk, LINA)
    topic = _only_topic(desk)
    assert topic.name == f"🆕 {number} · 🔴 打印机 · HQ-3F"
    (card,) = desk.tg.messages_in_topic(GROUP, topic.message_thread_id)
    assert card.text.startswith(f"🎫 {number}") and "138" not in card.text  # not the reporter's phone
    assert card.buttons() == [["👷 改派", "⬆️ 立即升级"], ["🎚 调整级别", "✖️ 取消工单"]]  # live, for the staff
    await desk.press(ENGINEER, "👷 改派", card)  # an engineer is not the dispatcher: refused, nothing said in the topic
    assert desk.last_answer()["text"] == "只有管理员可以调度工单。"
    assert len(desk.tg.messages_in_topic(GROUP, topic.message_thread_id)) == 1
    await desk.press(MANAGER, "👷 改派", card)  # the dispatcher's answer comes in the same topic
    offer = desk.tg.messages_in_topic(GROUP, topic.message_thread_id)[-1]
    assert offer.text.startswith(f"把 {number} 派给谁？") and offer.buttons()

    await desk.press(ENGINEER, "✅ 接单", desk.last_with_buttons(ENGINEER))
    await desk.tick()
    assert _only_topic(desk).name == f"✅ {number} · 🔴 打印机 · HQ-3F"
    await desk.tick()  # nothing changed since: nothing asked again
    assert [h["action"] for h in _only_topic(desk).history] == ["created", "edited"]

    await desk.say(LINA, f"/cancel {number}")
    await desk.say(LINA, "重启后好了")
    await desk.tick()
    topic = _only_topic(desk)
    assert topic.name == f"✖ {number} · 🔴 打印机 · HQ-3F" and topic.closed
    assert [h["action"] for h in topic.history] == ["created", "edited", "edited", "closed"]
    assert desk.rows("SELECT name, closed FROM ticket_topics") == [(topic.name, 1)]
    await desk.tick()
    assert len(_only_topic(desk).history) == 4  # a closed topic of a cancelled ticket is left alone

    # a ticket that comes back (as a repeat fault reopens a closed one): its topic opens again, then renamed
    with closing(sqlite3.connect(desk.db_path)) as db, db:
        db.execute("UPDATE tickets SET status = 'reopened' WHERE number = ?", (number,))
    await desk.tick()
    topic = _only_topic(desk)
    assert not topic.closed and topic.name == f"🔁 {number} · 🔴 打印机 · HQ-3F"
    assert [h["action"] for h in topic.history][-2:] == ["reopened", "edited"]


async def test_topic_names_are_in_the_deployments_language_and_survive_a_restart(forum_en: BotHarness) -> None:
    desk = forum_en
    first = await _p1(desk, ALICE)
    await desk.restart()  # the topic's id is in the database: the next change edits the same topic
    await desk.press(ENGINEER, "✅ 接单", desk.last_with_buttons(ENGINEER))
    await desk.tick()
    second = await _p1(desk, ALICE)
    names = sorted(topic.name for topic in desk.tg.topics(GROUP).values())
    assert names == [f"✅ {first} · 🔴 Printer · HQ-3F", f"🆕 {second} · 🔴 Printer · HQ-3F"]


async def test_a_forum_the_bot_may_not_manage_tells_the_managers_the_card_could_not_go(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async for desk in _forum_desk(tmp_path, "en", None):
        assert "the bot may not manage topics" in caplog.text  # said at start
        await _p1(desk, ALICE)
        assert desk.tg.topics(GROUP) == {}
        assert desk.rows("SELECT COUNT(*) FROM ticket_topics") == [(0,)]
        failed = desk.rows("SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND failed_at IS NOT NULL", (GROUP,))
        assert failed == [(1,)]  # refused by Telegram (no right to create topics): recorded, not retried
        told = desk.tg.messages_to(MANAGER.id)[-1].text
        assert "Not enough rights to create a topic" in told and "HD-2026-00001" in told


async def test_staff_talk_in_the_topic_as_notes_and_reach_the_reporter_with_a_chevron(forum_zh: BotHarness) -> None:
    desk = forum_zh
    number = await _p1(desk, LINA)
    thread = _only_topic(desk).message_thread_id
    in_topic = lambda: [m.text for m in desk.tg.messages_in_topic(GROUP, thread)]  # noqa: E731

    await desk.handled(desk.tg.send_text_in_topic(ENGINEER, GROUP, thread, "碳粉盒可能没装好，先别换"))
    assert in_topic()[-1] == "📝 已记入工单（仅员工可见）。"
    told_before = len(desk.tg.messages_to(LINA.id))
    await desk.handled(desk.tg.send_text_in_topic(ENGINEER, GROUP, thread, "> 请先把电源线重新插一下"))
    assert in_topic()[-1] == "↪️ 已转给报修人，并记入工单。"
    (relayed,) = desk.tg.messages_to(LINA.id)[told_before:]
    assert relayed.text == f"💬 Wang Wei 关于 {number}：\n请先把电源线重新插一下"
    await desk.handled(desk.tg.send_photo_in_topic(ENGINEER, GROUP, thread, caption="> 是这个开关"))
    assert desk.tg.messages_to(LINA.id)[-1].method == "sendPhoto"  # the photo goes along

    quiet = len(in_topic())
    await desk.handled(desk.tg.send_text_in_topic(LINA, GROUP, thread, "我也在群里"))  # not staff: left alone
    assert len(in_topic()) == quiet

    # the reporter's own page leaves the staff's note out; the engineer's shows it
    page = (await desk.say(LINA, f"/status {number}"))[-1].text
    assert "请先把电源线重新插一下" in page and "碳粉盒" not in page
    assert "内部备注：碳粉盒可能没装好，先别换" in (await desk.say(ENGINEER, f"/status {number}"))[-1].text

    # what the reporter adds appears in the topic
    await desk.press(LINA, "➕ 补充信息", desk.last_with_buttons(LINA))
    await desk.say(LINA, "插了电源还是不亮")
    assert in_topic()[-1] == "➕ 李娜 补充：插了电源还是不亮"
    await desk.press(LINA, "➕ 补充信息", desk.last_with_buttons(LINA))
    await desk.photo(LINA)
    sent = desk.tg.messages_in_topic(GROUP, thread)[-2:]
    assert [m.method for m in sent] == ["sendMessage", "sendPhoto"] and sent[0].text == "➕ 李娜 补充：📷"
