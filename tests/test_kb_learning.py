"""Learning from outcomes in chat: reporters' verdicts teach the matcher once two people agree, an
engineer's "📗 Fixed with" counts too, and engineers review and remove what was learned (`/kb learned`),
across a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.domain.clock import FakeClock
from bot.sandbox.standin import FakeUser
from tests.conftest import ALICE, BOB, ENGINEER, ENGINEER2, LINA
from tests.harness import BotHarness, harness

PHRASING = "the thing on my desk that shows my work went all stripy and jumpy"
"""A vague description: the knowledge base offers several guesses, none of them sure."""


@pytest.fixture
async def desk(config: Config, clock: FakeClock, tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with harness(config, clock, tmp_path / "helpdesk.db", fresh_kb=True) as h:
        yield h


def _first(desk: BotHarness, text: str) -> str | None:
    matches = desk.helpdesk.desk.kb.suggest(text, "en")
    return matches[0].id if matches else None


def _label(desk: BotHarness, article_id: str, lang: str) -> str:
    return "📘 " + desk.helpdesk.desk.kb.show(article_id, lang).article.title


async def _fixed_it(desk: BotHarness, user: FakeUser, article_id: str) -> None:
    """A reporter describes the fault in PHRASING, opens the guide and says it fixed it."""
    lang = "zh" if user is LINA else "en"
    suggestions = (await desk.say(user, PHRASING))[-1]
    assert [_label(desk, article_id, lang)] in suggestions.buttons()
    await desk.press(user, _label(desk, article_id, lang), suggestions)
    await desk.press(user, "✅ 已经解决了" if lang == "zh" else "✅ This fixed it")


async def test_two_reporters_teach_a_phrasing_and_an_engineer_removes_it(desk: BotHarness) -> None:
    kb = desk.helpdesk.desk.kb
    offered = [m.id for m in kb.suggest(PHRASING, "en")]
    assert len(offered) >= 2
    target, first = offered[-1], offered[0]  # the reporters find that the last guess was the right one
    await desk.say(ENGINEER, "/kb learned")
    assert "还没有学到内容" in desk.tg.messages_to(ENGINEER.id)[-1].text

    await _fixed_it(desk, ALICE, target)
    assert _first(desk, PHRASING) == first  # one person is not enough
    await _fixed_it(desk, BOB, target)
    assert _first(desk, PHRASING) == target
    assert _first(desk, PHRASING.capitalize() + "!!") == target  # the same phrasing, typed again
    rows = desk.rows("SELECT reporter_id, article_id, helped, by_engineer FROM kb_outcomes ORDER BY id")
    assert rows == [(ALICE.id, target, 1, 0), (BOB.id, target, 1, 0)]

    replies = await desk.say(ENGINEER2, "/kb learned")
    listing = replies[-1]
    assert "1. ➕ “" + PHRASING in listing.text and "(✅ 2 · ❌ 0)" in listing.text
    assert listing.buttons() == [["🗑 1"]]
    await desk.restart()  # what was learned is in the database
    assert _first(desk, PHRASING) == target
    replies = await desk.press(ENGINEER2, "🗑 1", listing)
    assert "Removed: “" + PHRASING in replies[-1].text
    assert _first(desk, PHRASING) == first
    await desk.press(ENGINEER2, "🗑 1", listing)  # pressed again: nothing left to remove
    assert desk.last_answer()["text"] == "That phrasing is no longer in the list."
    await _fixed_it(desk, LINA, target)  # a removed phrasing stays removed, whatever comes later
    await desk.restart()
    assert _first(desk, PHRASING) == first
    assert desk.helpdesk.desk.kb.evidence() == []


async def test_didnt_help_from_two_people_stops_a_suggestion_for_that_phrasing(desk: BotHarness) -> None:
    kb = desk.helpdesk.desk.kb
    first = _first(desk, PHRASING)
    for user in (ALICE, BOB):
        suggestions = (await desk.say(user, PHRASING))[-1]
        await desk.press(user, _label(desk, first, "en"), suggestions)
        await desk.press(user, "❌ Didn't help")
        await desk.say(user, "/cancel")
    assert first not in [m.id for m in kb.suggest(PHRASING, "en")]
    replies = await desk.say(ENGINEER2, "/kb learned")
    assert "1. ➖ “" + PHRASING in replies[-1].text and "(✅ 0 · ❌ 2)" in replies[-1].text


async def test_a_reporter_cannot_review_what_was_learned(desk: BotHarness) -> None:
    replies = await desk.say(LINA, "/kb learned")
    assert "只有工程师和管理员" in replies[-1].text


async def test_an_engineer_says_which_article_fixed_a_ticket_once(desk: BotHarness) -> None:
    await desk.report(ALICE, description="Printer shows offline and nothing prints", device="Printer",
                      site="HQ-3F", room=None, severity="A part fails", phone="13800001234")
    card = desk.last_with_buttons(ENGINEER)
    await desk.press(ENGINEER, "✅ 接单", card)
    await desk.press(ENGINEER, "✅ 完成维修", card)
    await desk.say(ENGINEER, "唤醒打印机，重新添加端口")
    replies = await desk.press(ENGINEER, "未更换配件")
    done = replies[-1]
    title = desk.helpdesk.desk.kb.show("printer-offline", "zh").article.title
    assert done.buttons()[0] == [f"📗 用这篇解决：{title}"] and done.buttons()[-1] == ["📘 存为知识库文章"]
    replies = await desk.press(ENGINEER, f"📗 用这篇解决：{title}", done)
    assert "知识库会据此学习" in replies[-1].text
    await desk.press(ENGINEER, f"📗 用这篇解决：{title}", done)  # twice: one verdict per ticket and article
    assert "已经记录过了" in desk.last_answer()["text"]
    rows = desk.rows("SELECT reporter_id, article_id, helped, by_engineer, ticket_number IS NOT NULL FROM kb_outcomes")
    assert rows == [(ENGINEER.id, "printer-offline", 1, 1, 1)]
    await desk.press(ENGINEER2, f"📗 用这篇解决：{title}", done)  # a forged press from someone else's chat
    assert desk.rows("SELECT count(*) FROM kb_outcomes") == [(1,)]
