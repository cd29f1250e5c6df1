"""Intake sanity: thanks is not a report, "??" is neither a fault nor a place, a typed place is a site.

End to end through the real bot in both languages, plus the pure rules (`bot.domain.courtesy`,
`bot.domain.sites.match_site`, `bot.domain.text.has_words`) on their own.
"""

from __future__ import annotations

import pytest

from bot.domain.assets import parse_register
from bot.domain.courtesy import Courtesy, courtesy
from bot.domain.sites import Candidate, match_site
from bot.domain.text import has_words
from bot.sandbox.standin import FakeUser
from tests.conftest import ALICE, ENGINEER, LINA
from tests.harness import BotHarness

SITES = ("HQ-12F", "HQ-3F", "Branch-North")


async def _draft(desk: BotHarness, user: FakeUser):  # type: ignore[no-untyped-def]
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        return await tx.drafts.get(user.id)


def _tickets(desk: BotHarness) -> list[tuple]:
    return desk.rows("SELECT number, site, room, description FROM tickets ORDER BY number")


async def _to_site_question(desk: BotHarness, user: FakeUser) -> None:
    chinese = user is LINA
    await desk.describe(user, "打印机卡纸，拿不出来" if chinese else "The printer jams on every page")
    await desk.press(user, "打印机" if chinese else "Printer")


# ---- the pure rules ---------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["hq 12f", "HQ12F", "hq-12 f", "ＨＱ－１２Ｆ", " HQ-12F "])
def test_a_site_typed_another_way_is_the_configured_site(typed: str) -> None:
    assert match_site(typed, SITES).sure == Candidate("HQ-12F")


def test_a_small_typo_in_letters_is_taken_but_numbers_are_never_guessed() -> None:
    assert match_site("Brnach North", SITES).sure == Candidate("Branch-North")
    # "HQ-13F" looks like "HQ-3F" to a fuzzy matcher, but another floor is another place: ask.
    guess = match_site("hq 13f", SITES)
    assert guess.sure is None and guess.candidates[0] == Candidate("HQ-3F")


def test_unsure_matches_are_offered_best_first() -> None:
    assert match_site("hw 12f", SITES).candidates == (Candidate("HQ-12F"),)  # a middling score
    two = match_site("hq 2f", SITES)  # two sites about as close
    assert two.sure is None and two.candidates == (Candidate("HQ-12F"), Candidate("HQ-3F"))
    assert match_site("north", SITES).candidates == (Candidate("Branch-North"),)  # a word of the name
    assert match_site("HQ-3F Room 305", SITES).candidates == (Candidate("HQ-3F", "Room 305"),)


@pytest.mark.parametrize("typed", ["Finance building", "总部", "??", ""])
def test_nothing_close_matches_nothing(typed: str) -> None:
    assert match_site(typed, SITES).sure is None and match_site(typed, SITES).candidates == ()
    assert match_site("HQ-12F", ()).sure is None


def test_two_configured_sites_of_the_same_letters_are_asked_about() -> None:
    guess = match_site("hq12f", ("HQ-12F", "HQ12F"))
    assert guess.sure is None and [c.site for c in guess.candidates] == ["HQ-12F", "HQ12F"]


@pytest.mark.parametrize(("text", "kind"), [
    ("thanks", Courtesy.THANKS), ("Thank you!", Courtesy.THANKS), ("ok", Courtesy.THANKS),
    ("Got it, thanks 🙏", Courtesy.THANKS), ("谢谢", Courtesy.THANKS), ("好的", Courtesy.THANKS),
    ("收到！", Courtesy.THANKS), ("好的，谢谢师傅😊", Courtesy.THANKS), ("👍", Courtesy.THANKS),
    ("🙏🏻🙏🏻", Courtesy.THANKS), ("Thanks, Wang Wei", Courtesy.THANKS), ("谢谢王伟", Courtesy.THANKS),
    ("hi", Courtesy.GREETING), ("Good morning!", Courtesy.GREETING), ("你好", Courtesy.GREETING),
    ("在吗？", Courtesy.GREETING),
    ("printer broken, thanks", None), ("打印机坏了，谢谢", None), ("你好，电脑蓝屏了", None),
    ("not working", None), ("thanks 305", None), ("??", None), ("...", None), ("", None),
    ("thanks " * 20, None),
])
def test_courtesy_is_a_short_message_of_courtesy_words_and_emoji_only(text: str, kind: Courtesy | None) -> None:
    assert courtesy(text, names=["Wang Wei", "王伟"]) is kind


def test_words_are_letters_or_digits_of_any_script() -> None:
    assert not any(has_words(text) for text in ("??", "...", "!!!", "？？？", "👍", "— —"))
    assert all(has_words(text) for text in ("卡纸", "305", "A", "Ω"))


# ---- thanks and greetings are answered, not reported ----------------------------------------------
async def test_thanks_after_a_ticket_is_answered_and_opens_no_new_report(desk: BotHarness) -> None:
    await desk.report(ALICE, description="Monitor flickers", device="Monitor", site="HQ-3F",
                      room="305", severity="A part fails", phone="13800001234")
    for polite in ("thanks!", "Thank you so much, Wang Wei 🙏", "ok", "👍"):
        replies = await desk.say(ALICE, polite)
        assert len(replies) == 1 and "You're welcome" in replies[0].text, polite
        assert "/status HD-2026-00001" in replies[0].text  # the open ticket is where to look
        assert await _draft(desk, ALICE) is None
    replies = await desk.say(ALICE, "hello")
    assert "I'm the IT help desk" in replies[0].text
    assert len(_tickets(desk)) == 1 and await _draft(desk, ALICE) is None
    # a real problem that happens to say thanks is still a report
    replies = await desk.describe(ALICE, "The scanner is not found by my PC, thanks")
    assert "Which device" in replies[-1].text
    draft = await _draft(desk, ALICE)
    assert draft is not None and draft.description == "The scanner is not found by my PC, thanks"


async def test_chinese_thanks_after_the_repair_is_answered_and_opens_no_new_report(desk: BotHarness) -> None:
    await desk.report(LINA, description="打印机打印出来全是空白", device="打印机", site="HQ-3F",
                      room="305", severity="严重影响工作", phone="13800001234")
    replies = await desk.say(LINA, "谢谢")
    assert "不客气" in replies[0].text and "/status HD-2026-00001" in replies[0].text
    card = desk.last_with_buttons(ENGINEER)
    await desk.press(ENGINEER, "✅ 接单", card)
    await desk.press(ENGINEER, "📍 已到场", card)
    await desk.press(ENGINEER, "✅ 完成维修", card)
    await desk.say(ENGINEER, "硒鼓没粉了，已更换")
    await desk.say(ENGINEER, "硒鼓 CF259A")
    await desk.press(LINA, "👍 已修好", desk.tg.last_to(LINA.id))
    for polite in ("谢谢！", "好的", "收到", "谢谢师傅🙏", "🙏"):
        replies = await desk.say(LINA, polite)
        assert len(replies) == 1 and "不客气" in replies[0].text, polite
        assert "/status" not in replies[0].text  # nothing open any more
    assert len(_tickets(desk)) == 1 and await _draft(desk, LINA) is None
    replies = await desk.describe(LINA, "电脑蓝屏了，谢谢")
    assert "是哪台设备" in replies[-1].text


# ---- nothing but punctuation is neither a fault nor a place ---------------------------------------
async def test_a_description_without_words_is_refused_with_a_hint(desk: BotHarness) -> None:
    replies = await desk.say(ALICE, "??")
    assert "I can't find any words in that" in replies[0].text and len(replies) == 1
    assert await _draft(desk, ALICE) is None
    await desk.say(ALICE, "/new")
    for nothing in ("...", "!!!"):
        replies = await desk.say(ALICE, nothing)
        assert "describe the problem in a sentence" in replies[0].text
        assert "What's wrong?" in replies[-1].text  # the question is asked again
    replies = await desk.say(ALICE, "thanks")
    assert "To report a fault, describe the problem" in replies[0].text and "What's wrong?" in replies[-1].text
    draft = await _draft(desk, ALICE)
    assert draft is not None and draft.description is None
    replies = await desk.photo(ALICE, caption="??")  # a photo is taken; its empty caption describes nothing
    assert "Photo saved (1)" in replies[0].text and replies[-1].buttons() == [["Continue with the photo only"]]


async def test_a_chinese_description_without_words_is_refused_with_a_hint(desk: BotHarness) -> None:
    replies = await desk.say(LINA, "？？？")
    assert "这条消息里没有文字" in replies[0].text
    assert await _draft(desk, LINA) is None
    await desk.say(LINA, "/new")
    replies = await desk.say(LINA, "。。。")
    assert "请用一句话描述故障" in replies[0].text and "出了什么问题" in replies[-1].text
    replies = await desk.say(LINA, "好的")
    assert "要报修的话" in replies[0].text and "出了什么问题" in replies[-1].text
    replies = await desk.describe(LINA, "复印机卡纸")
    assert "是哪台设备" in replies[-1].text


async def test_a_place_without_words_is_refused_and_asked_again(desk: BotHarness) -> None:
    await _to_site_question(desk, ALICE)
    replies = await desk.say(ALICE, "???")
    assert "That isn't a place I can use" in replies[0].text and "Where is it" in replies[-1].text
    draft = await _draft(desk, ALICE)
    assert draft is not None and draft.site is None
    await desk.press(ALICE, "HQ-3F")
    replies = await desk.say(ALICE, "...")
    assert "Please type the room or desk" in replies[0].text and "Which room" in replies[-1].text
    draft = await _draft(desk, ALICE)
    assert draft is not None and draft.room is None and not draft.room_asked


async def test_a_chinese_place_without_words_is_refused_and_asked_again(desk: BotHarness) -> None:
    await _to_site_question(desk, LINA)
    replies = await desk.say(LINA, "？？？")
    assert "这不是可用的地点" in replies[0].text and "设备在哪里" in replies[-1].text
    await desk.say(LINA, "HQ-3F")
    replies = await desk.say(LINA, "——")
    assert "请输入房间或工位" in replies[0].text and "哪个房间" in replies[-1].text
    draft = await _draft(desk, LINA)
    assert draft is not None and draft.site == "HQ-3F" and draft.room is None


# ---- a typed place is matched to the configured sites ---------------------------------------------
async def test_a_typed_vip_site_is_matched_and_gets_the_vip_deadlines(desk: BotHarness) -> None:
    replies = await desk.report(ALICE, description="The PC in the finance office is dead", device="PC",
                                site="hq 12f", room="1203", severity="Work has stopped", phone="13800001234")
    text = replies[-1].text
    # P1 at the VIP site HQ-12F: 15 min / 1 h / 2 h instead of 30 min / 2 h / 4 h.
    assert "respond by 2026-11-23 10:15" in text and "resolve by 2026-11-23 12:00" in text and "vip" in text
    assert _tickets(desk)[0][1:3] == ("HQ-12F", "1203")  # one site, not a second spelling of it


async def test_a_chinese_typed_vip_site_is_matched_and_gets_the_vip_deadlines(desk: BotHarness) -> None:
    await _to_site_question(desk, LINA)
    replies = await desk.say(LINA, "hq-12 f")
    assert "在 HQ-12F 的哪个房间" in replies[-1].text  # taken as the configured site, no question
    await desk.press(LINA, "跳过")
    await desk.press(LINA, "工作已停顿")
    await desk.say(LINA, "13800001234")
    replies = await desk.press(LINA, "提交")
    assert "2026-11-23 10:15 前响应" in replies[-1].text and "2026-11-23 12:00 前修复" in replies[-1].text
    assert _tickets(desk)[0][1] == "HQ-12F"


async def test_an_unsure_place_is_asked_about_and_the_site_picked_applies(desk: BotHarness) -> None:
    await _to_site_question(desk, ALICE)
    replies = await desk.say(ALICE, "hw 12f")
    assert replies[-1].text == "Did you mean HQ-12F?"
    assert replies[-1].buttons() == [["HQ-12F"], ["✏️ Keep “hw 12f”"]]
    replies = await desk.press(ALICE, "HQ-12F")
    assert "Which room or desk at HQ-12F" in replies[-1].text
    await desk.say(ALICE, "1201")
    await desk.press(ALICE, "Work has stopped")
    await desk.say(ALICE, "13800001234")
    replies = await desk.press(ALICE, "Submit")
    assert "respond by 2026-11-23 10:15" in replies[-1].text
    # a site followed by the room is offered with the room, and a new answer replaces the question
    await _to_site_question(desk, ALICE)
    replies = await desk.say(ALICE, "HQ-3F Room 305")
    assert replies[-1].text == "Did you mean HQ-3F / Room 305?"
    replies = await desk.press(ALICE, "HQ-3F / Room 305")
    assert "How bad" in replies[-1].text  # the room came with it
    draft = await _draft(desk, ALICE)
    assert draft is not None and (draft.site, draft.room) == ("HQ-3F", "Room 305")


async def test_a_chinese_reporter_keeps_what_they_typed_when_two_sites_are_close(desk: BotHarness) -> None:
    await _to_site_question(desk, LINA)
    replies = await desk.say(LINA, "hq 2f")
    assert replies[-1].text == "您是指下面哪个地点？"
    assert replies[-1].buttons() == [["HQ-12F"], ["HQ-3F"], ["✏️ 保留“hq 2f”"]]
    asked = desk.tg.messages_to(LINA.id)
    replies = await desk.press(LINA, "✏️ 保留“hq 2f”")
    # one message: the question keeps its place above the answer, the next question below, and the
    # pressed choices are gone (they cannot be pressed again)
    assert desk.tg.messages_to(LINA.id) == asked and replies == [asked[-1]]
    assert replies[0].text.startswith("您是指下面哪个地点？\n\n✔ 您的回答：✏️ 保留“hq 2f”\n\n")
    assert "在 hq 2f 的哪个房间" in replies[0].text and replies[0].buttons() == [["跳过"]]
    await desk.press(LINA, "跳过")
    await desk.press(LINA, "部分功能故障")
    await desk.say(LINA, "13800001234")
    await desk.press(LINA, "提交")
    assert _tickets(desk)[0][1] == "hq 2f"


async def test_a_place_like_no_site_is_kept_as_typed(desk: BotHarness) -> None:
    await _to_site_question(desk, ALICE)
    replies = await desk.say(ALICE, "Finance building")
    assert "Which room or desk at Finance building" in replies[-1].text
    await _to_site_question(desk, LINA)
    replies = await desk.say(LINA, "财务楼")
    assert "在 财务楼 的哪个房间" in replies[-1].text


async def test_a_registered_site_spelled_loosely_is_the_configured_site(desk: BotHarness) -> None:
    register = "site,asset_no,device_type\nhq 12f,A-0042,printer\nBranch North,A-0050,pc\n"
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        await tx.assets.upsert(parse_register(register.encode()), desk.clock.now())
    await desk.describe(ALICE, "The printer prints blank pages")
    await desk.say(ALICE, "A-0042")
    replies = await desk.press(ALICE, "Yes, that's it")
    assert "Which room or desk at HQ-12F" in replies[-1].text
    await desk.describe(LINA, "电脑开不了机")
    await desk.say(LINA, "A-0050")
    replies = await desk.press(LINA, "是这台")
    assert "在 Branch-North 的哪个房间" in replies[-1].text
