"""First-line support in the conversation: suggested fixes before a ticket, /kb, and /kb add."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.domain.clock import FakeClock
from knowledge.article import Article
from tests.conftest import ALICE, ENGINEER, LINA, MANAGER
from tests.harness import BotHarness, answered, harness


@pytest.fixture
async def fresh_desk(config: Config, clock: FakeClock, tmp_path: Path) -> AsyncIterator[BotHarness]:
    """A bot with a knowledge base of its own, for tests that add articles."""
    async with harness(config, clock, tmp_path / "helpdesk.db", fresh_kb=True) as h:
        yield h


async def _outcomes(desk: BotHarness) -> list[tuple]:
    return desk.rows("SELECT reporter_id, article_id, helped, query FROM kb_outcomes ORDER BY id")


async def test_suggested_fix_that_works_ends_the_request_without_a_ticket(desk: BotHarness) -> None:
    replies = await desk.say(LINA, "打印机显示脱机，打不出来")
    suggestions = replies[-1]
    assert "下面的指引也许几分钟就能解决问题" in suggestions.text
    first = suggestions.buttons()[0][0]
    assert first == "📘 " + _kb(desk).get("printer-offline", "zh").title
    assert suggestions.buttons()[-1] == ["跳过，直接报修"]
    replies = await desk.press(LINA, first, suggestions)
    article = replies[-1]
    assert article.text.startswith(first) and "1." in article.text  # the steps, in Chinese
    assert article.buttons() == [["✅ 已经解决了", "❌ 没有解决"]]
    replies = await desk.press(LINA, "✅ 已经解决了", article)
    assert "这次不需要开工单" in replies[-1].text
    assert await _outcomes(desk) == [(LINA.id, "printer-offline", 1, "打印机显示脱机，打不出来")]
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        assert await tx.drafts.get(LINA.id) is None
        assert await tx.tickets.of_reporter(LINA.id) == []


def _kb(desk: BotHarness):  # type: ignore[no-untyped-def]
    return desk.helpdesk.desk.kb


async def test_fix_that_did_not_help_is_shown_on_the_ticket(desk: BotHarness) -> None:
    replies = await desk.say(ALICE, "My PC shows a blue screen with a stop code")
    suggestions = replies[-1]
    first = suggestions.buttons()[0][0]
    assert first == "📘 " + _kb(desk).get("pc-blue-screen", "en").title
    await desk.press(ALICE, first, suggestions)
    replies = await desk.press(ALICE, "❌ Didn't help")
    assert "Let's get an engineer on it" in replies[0].text and "Which device" in replies[-1].text
    await desk.press(ALICE, first, suggestions)  # the list is answered now: its buttons are old
    assert desk.last_answer()["text"] == "This question was already answered. Please use the latest message."
    await desk.press(ALICE, "PC")
    await desk.press(ALICE, "HQ-3F")
    await desk.press(ALICE, "Skip")
    await desk.press(ALICE, "Work has stopped")
    await desk.say(ALICE, "13800001234")
    await desk.press(ALICE, "Submit")
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        (ticket,) = await tx.tickets.of_reporter(ALICE.id)
        events = await tx.tickets.events(ticket.number)
    assert ticket.tried_articles == ("pc-blue-screen",)
    card = desk.last_with_buttons(ENGINEER)
    title = _kb(desk).get("pc-blue-screen", "zh").title
    assert "已尝试: " + title in card.text  # the title, in the engineer's language
    assert events[0].data["tried_articles"] == ["pc-blue-screen"]
    assert await _outcomes(desk) == [(ALICE.id, "pc-blue-screen", 0, "My PC shows a blue screen with a stop code")]


async def test_out_of_scope_description_gets_no_suggestion(desk: BotHarness) -> None:
    replies = await desk.say(ALICE, "where do I buy a new printer for my team?")
    assert "Which device" in replies[-1].text
    replies = await desk.say(LINA, "/new 明天想请一天假，找谁批")
    assert "是哪台设备" in replies[-1].text


async def test_kb_search_command_and_article_in_the_other_language(fresh_desk: BotHarness) -> None:
    desk = fresh_desk
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        await tx.kb.save(Article(
            id="stapler-jam", lang="en", title="Stapler of the copier finisher is jammed", device="copier",
            symptoms=("the copier stapler is stuck", "staples jammed in the finisher"),
            body="1. Open the finisher door.\n2. Pull the staple cartridge out.\n3. Ask an engineer if it stays stuck.",
            source="test"), None, desk.clock.now())
    await desk.restart()  # stored articles are read at start
    replies = await desk.say(LINA, "/kb 复印机 订书钉 卡住")
    assert "相关指引" in replies[0].text
    assert replies[0].buttons()[0] == ["📘 Stapler of the copier finisher is jammed"]
    replies = await desk.press(LINA, "📘 Stapler of the copier finisher is jammed")
    assert replies[0].text.startswith("（这篇指引只有英文版。）\n📘 Stapler")
    replies = await desk.say(ALICE, "/kb")
    assert "Write what you are looking for" in replies[0].text
    replies = await desk.say(ALICE, "/kb what's for lunch today")
    assert "No guide matches that" in replies[0].text


async def test_engineer_adds_an_article_from_chat_and_it_is_searchable_at_once(fresh_desk: BotHarness) -> None:
    desk = fresh_desk
    replies = await desk.say(ALICE, "/kb add")
    assert "Only engineers and managers" in replies[0].text
    replies = await desk.say(MANAGER, "/kb add")
    assert "新文章" in replies[0].text
    await desk.say(MANAGER, "碎纸机卡纸")
    replies = await desk.press(MANAGER, "其他")
    assert "用户描述这个问题的说法" in replies[-1].text
    await desk.say(MANAGER, "碎纸机卡住了\n碎纸机不转了\n纸塞在碎纸机里")
    replies = await desk.say(MANAGER, "1. 关掉电源。\n2. 按倒转键退纸。\n3. 还是不行请报修。")
    assert "请确认文章内容" in replies[-1].text and "碎纸机不转了" in replies[-1].text
    replies = await desk.press(MANAGER, "💾 保存")
    assert "已保存“碎纸机卡纸”" in replies[-1].text
    replies = await desk.say(LINA, "/kb 碎纸机卡住了")
    assert replies[0].buttons()[0] == ["📘 碎纸机卡纸"]
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        (stored,) = await tx.kb.articles()
    assert stored.title == "碎纸机卡纸" and stored.device == "other" and len(stored.symptoms) == 3


async def test_editing_a_shipped_article_keeps_what_is_not_changed(fresh_desk: BotHarness) -> None:
    desk = fresh_desk
    replies = await desk.say(ENGINEER, "/kb add printer-offline")
    assert "当前：" in replies[0].text and replies[0].buttons() == [["保持不变"]]
    kb = _kb(desk)
    original = kb.get("printer-offline", "zh")
    await desk.press(ENGINEER, "保持不变")  # title
    await desk.press(ENGINEER, "保持不变")  # device
    await desk.say(ENGINEER, "打印机脱机\n打印机显示离线状态")
    await desk.press(ENGINEER, "保持不变")  # steps
    await desk.press(ENGINEER, "💾 保存")
    edited = kb.get("printer-offline", "zh")
    assert edited.title == original.title and edited.body == original.body
    assert edited.symptoms == ("打印机脱机", "打印机显示离线状态")


async def test_bad_answers_in_the_article_form(fresh_desk: BotHarness) -> None:
    desk = fresh_desk
    replies = await desk.say(ENGINEER, "/kb add Not A Slug!")
    assert "小写字母、数字和短横线" in replies[0].text
    await desk.say(ENGINEER, "/kb add")
    replies = await desk.say(ENGINEER, "x" * 500)
    assert "不超过 120 个字" in replies[0].text
    replies = await desk.photo(ENGINEER)
    assert "文章只能包含文字" in replies[0].text
    replies = await desk.say(ENGINEER, "/cancel")
    assert "文章没有保存" in replies[0].text


async def test_resolved_ticket_can_be_saved_as_an_article(fresh_desk: BotHarness) -> None:
    desk = fresh_desk
    await desk.report(ALICE, description="Label printer prints blank labels", device="Printer", site="HQ-3F",
                      room=None, severity="A part fails", phone="13800001234")
    card = desk.last_with_buttons(ENGINEER)
    await desk.press(ENGINEER, "✅ 接单", card)
    await desk.press(ENGINEER, "✅ 完成维修", card)
    await desk.say(ENGINEER, "1. 打开盖子，把标签纸翻过来重新装。\n2. 长按进纸键校准。\n3. 还不行请报修。")
    asked = desk.last_with_buttons(ENGINEER)
    replies = await desk.press(ENGINEER, "未更换配件")
    # one call: the parts question keeps its place, states the answer, and says "resolved" below it
    assert replies == [asked]
    assert asked.text.startswith("更换了哪些配件？请输入，或点击按钮。\n\n✔ 您的回答：未更换配件\n\n")
    assert answered(asked)[1].startswith("✅ HD-2026-00001 已完成，已请报修人确认。")
    assert replies[-1].buttons()[-1] == ["📘 存为知识库文章"]  # after "📗 Fixed with" for any article it matches
    replies = await desk.press(ENGINEER, "📘 存为知识库文章", replies[-1])
    assert "Label printer prints blank labels" in replies[-1].text  # the title comes from the ticket
    for _ in range(4):  # keep title, device, symptoms and steps as prefilled
        await desk.press(ENGINEER, "保持不变")
    replies = await desk.press(ENGINEER, "💾 保存")
    assert "已保存“Label printer prints blank labels”" in replies[-1].text
    article = _kb(desk).get("label-printer-prints-blank-labels", "zh")
    assert article.device == "printer" and article.body.startswith("1. 打开盖子")
    replies = await desk.say(ALICE, "/kb label printer blank labels")
    assert replies[0].buttons()[0] == ["📘 Label printer prints blank labels"]


async def test_a_one_word_report_gets_the_article_or_a_did_you_mean_list(desk: BotHarness) -> None:
    replies = await desk.say(ALICE, "/kb vpn")
    assert replies[0].text == "Guides that match:"
    assert replies[0].buttons() == [["📘 " + _kb(desk).get("vpn-cannot-connect", "en").title]]
    replies = await desk.say(LINA, "打印机")  # a report that only names the device
    guesses = replies[-1]
    assert guesses.text.startswith("是下面这些问题之一吗？")
    assert len(guesses.buttons()) == 4 and guesses.buttons()[-1] == ["跳过，直接报修"]
    replies = await desk.press(LINA, "跳过，直接报修", guesses)
    assert "是哪台设备" in replies[-1].text
