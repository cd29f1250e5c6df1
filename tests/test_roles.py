"""Role-aware help and menus, and complaints closed by an answer, end to end through the real bot.

Each person's `/help` lists their role's commands; the Telegram menu is published per chat scope
(reporters by default, each engineer and manager their own) in both languages, and follows the
configuration at the next start; "✅ Mark handled" on a complaint asks for the answer, which the
reporter gets in their language and the complaint and the ticket keep.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from bot.conversation.common import EVERYONE, OWN
from bot.conversation.router import COMMANDS
from bot.sandbox.standin import FakeUser
from tests.conftest import ALICE, ENGINEER, ENGINEER2, EXPERT, LINA, MANAGER, make_config
from tests.harness import BotHarness

REPORTERS = ["new", "my", "status", "cancel", "kb", "oncall", "lang", "help"]
ENGINEERS = ["queue", *REPORTERS]
MANAGERS = ["open", "cover", "swap", "holiday", "rotation", "complaints", "report", "export", *REPORTERS]
MANAGER_LINES = ["/open", "/cover", "/swap", "/holiday", "/rotation", "/complaints", "/report", "/export"]


# ---- /help by role ---------------------------------------------------------------------------------------
async def test_a_reporters_help_lists_only_what_a_reporter_can_do_in_both_languages(desk: BotHarness) -> None:
    english = (await desk.say(ALICE, "/help"))[0].text
    assert english.startswith("How to report a fault: just describe it here")
    assert "/new — report a fault" in english and "/status HD-2026-00001 — one ticket" in english
    chinese = (await desk.say(LINA, "/help"))[0].text
    assert chinese.startswith("报修方法：直接在这里描述故障") and "/my — 我的工单" in chinese
    for text in (english, chinese):
        assert not [c for c in ("/queue", "/kb add", *MANAGER_LINES) if c in text], text
        assert len([line for line in text.splitlines() if line.startswith("/")]) == len(REPORTERS)


async def test_an_engineers_help_lists_queue_and_kb_add_first_in_both_languages(desk: BotHarness) -> None:
    chinese = (await desk.say(ENGINEER, "/help"))[0].text  # Wang Wei's Telegram speaks Chinese
    assert chinese.startswith("您是服务台的工程师")
    assert "/queue — 我的待办工单，按时限排序" in chinese and "/kb add [编号] — 写一篇知识库文章" in chinese
    english = (await desk.say(ENGINEER2, "/help"))[0].text
    assert english.startswith("You are an engineer of the help desk")
    assert "/queue — your open tickets, by deadline" in english and "/kb add [id]" in english
    for text, everyone in ((chinese, "所有人都可以用："), (english, "For everyone:")):
        lines = text.splitlines()
        assert [line.split()[0] for line in lines if line.startswith("/")] == ["/queue", "/kb", *(
            f"/{c}" for c in REPORTERS)]
        assert lines.index(everyone) == 2 + max(i for i, line in enumerate(lines) if line.startswith("/kb add"))
        assert not [c for c in MANAGER_LINES if c in text], text


async def test_a_managers_help_lists_the_console_roster_complaints_and_reports_in_both_languages(
        desk: BotHarness) -> None:
    chinese = (await desk.say(MANAGER, "/help"))[0].text
    assert chinese.startswith("您是服务台的管理员")
    assert "/open [未分配|超时|P1…P4|地点|工程师] — 调度台" in chinese
    assert "/complaints — 待答复的投诉 · /complaints all — 包括已答复的" in chinese
    await desk.say(MANAGER, "/lang en")
    english = (await desk.say(MANAGER, "/help"))[0].text
    assert english.startswith("You are a manager of the help desk")
    assert "— the dispatcher console: open tickets by deadline" in english
    assert "/export [the same periods] — the work-order register as .xlsx" in english
    for text in (chinese, english):
        starts = [line.split()[0] for line in text.splitlines() if line.startswith("/")]
        assert starts == ["/open", "/kb", "/cover", "/swap", "/holiday", "/rotation", "/complaints", "/report",
                          "/export", *(f"/{c}" for c in REPORTERS)]  # the /kb after /open is /kb add
        assert "/queue" not in starts  # "your open tickets" is for those who take tickets: /open is theirs


async def test_a_deployment_letting_engineers_swap_shows_it_in_their_help_and_menu(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.domain.clock import FakeClock
    from tests.conftest import START
    from tests.harness import harness

    async with harness(make_config(duty={"engineers_may_swap": True}), FakeClock(START), tmp_path / "db") as desk:
        text = (await desk.say(ENGINEER2, "/help"))[0].text
        assert "/cover ENGINEER FROM TO" in text and "/swap DATE A B" in text and "/holiday" not in text
        assert desk.tg.menu(ENGINEER2.id) == ["queue", "cover", "swap", *REPORTERS]
        assert desk.tg.menu(ENGINEER.id, "zh") == ["queue", "cover", "swap", *REPORTERS]


def test_every_command_help_and_menus_offer_is_one_the_bot_has() -> None:
    """A line in /help or the menu for a command the router does not know would answer "unknown command"."""
    names = {("kb" if e.name == "kb_add" else e.name) for e in (*OWN, *EVERYONE)}
    assert names - set(COMMANDS) == set()


# ---- the Telegram menu per scope -------------------------------------------------------------------------
def _descriptions(desk: BotHarness, chat_id: int | None, language: str) -> dict[str, str]:
    scope = {"type": "chat", "chat_id": chat_id} if chat_id else {"type": "default"}
    entry = next(e for e in desk.tg.commands if e["scope"] == scope and e["language_code"] == language)
    return {c["command"]: c["description"] for c in entry["commands"]}


async def test_menus_are_published_per_role_and_language_at_start(desk: BotHarness) -> None:
    for language in ("", "zh"):
        assert desk.tg.menu(None, language) == REPORTERS  # every chat: no /queue, /report, /export to refuse
        for engineer in (ENGINEER, ENGINEER2, EXPERT):
            assert desk.tg.menu(engineer.id, language) == ENGINEERS
        assert desk.tg.menu(MANAGER.id, language) == MANAGERS
    assert _descriptions(desk, None, "")["new"] == "report a fault"
    assert _descriptions(desk, None, "zh")["new"] == "报修"
    assert _descriptions(desk, MANAGER.id, "")["complaints"] == "complaints to answer"
    assert _descriptions(desk, MANAGER.id, "zh")["complaints"] == "待答复的投诉"
    assert _descriptions(desk, ENGINEER.id, "zh")["queue"] == "我的待办工单"
    assert sorted(chat for chat, in desk.rows("SELECT chat_id FROM menu_chats")) == [1001, 1002, 1003, 9001]


async def test_menus_follow_the_configuration_at_the_next_start(desk: BotHarness, caplog: pytest.LogCaptureFixture
                                                                ) -> None:
    """Liu Yang becomes a manager, Chen Jie leaves, a new engineer who never opened the bot joins."""
    newcomer = FakeUser(id=1004, first_name="Sun Li", language_code="zh")
    desk.config = make_config(
        engineers=[{"id": 1001, "name": "Wang Wei"}, {"id": 1004, "name": "Sun Li", "tier": 2}],
        managers=[{"id": 9001, "name": "Zhao Min"}, {"id": 1002, "name": "Liu Yang"}],
        rotations=[{"name": "day", "engineers": [1001], "period": "weekly", "handover": "09:00",
                    "covers": "workdays", "hours": "09:00-18:00"},
                   {"name": "night", "engineers": [1004], "period": "daily", "handover": "18:00", "covers": "all"}],
    )
    with caplog.at_level(logging.INFO, logger="bot.telegram.app"):
        await desk.restart()
    for language in ("", "zh"):
        assert desk.tg.menu(ENGINEER2.id, language) == MANAGERS
        assert desk.tg.menu(EXPERT.id, language) is None  # no longer staff: back to the reporters' menu
        assert desk.tg.menu(newcomer.id, language) is None  # Telegram does not know their chat yet
        assert desk.tg.menu(ENGINEER.id, language) == ENGINEERS and desk.tg.menu(MANAGER.id, language) == MANAGERS
    assert any("no command menu for chat 1004" in r.getMessage() and r.levelno == logging.INFO
               for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "menu" in r.getMessage()]
    assert dict(desk.rows("SELECT chat_id, role FROM menu_chats")) == {1001: "engineer", 1002: "manager",
                                                                       9001: "manager"}
    help_text = (await desk.say(EXPERT, "/help"))[0].text  # and their /help is a reporter's
    assert help_text.startswith("报修方法") and "/queue" not in help_text


# ---- complaints closed by an answer ----------------------------------------------------------------------
async def _complaint(desk: BotHarness, reporter: FakeUser, zh: bool) -> str:
    """A repair rated 2 by `reporter`, with a comment: a complaint the managers are alerted to."""
    replies = await desk.report(reporter, description="打印机打出来全是白纸" if zh else "Printer prints blank pages",
                                device="打印机" if zh else "Printer", site="HQ-3F", room="305",
                                severity="严重影响工作" if zh else "Badly affected", phone="13800001234")
    number = next(w for w in replies[-1].text.replace("：", " ").split() if w.startswith("HD-"))
    card = desk.last_with_buttons(ENGINEER)
    await desk.press(ENGINEER, "✅ 接单", card)
    await desk.press(ENGINEER, "📍 已到场", card)
    await desk.press(ENGINEER, "✅ 完成维修", card)
    await desk.say(ENGINEER, "Toner cartridge was empty; replaced it")
    await desk.say(ENGINEER, "toner cartridge CF259A")
    await desk.press(reporter, "👍 已修好" if zh else "👍 Fixed", desk.tg.last_to(reporter.id))
    await desk.tick(timedelta(hours=72))
    working = "👍 是的，正常" if zh else "👍 Yes, it works"
    replies = await desk.press(reporter, working, desk.last_with_buttons(reporter))
    await desk.press(reporter, "2 🙁", replies[0])
    await desk.say(reporter, "工程师迟到了" if zh else "The engineer was late")
    return number


def _complaint_row(desk: BotHarness, number: str) -> tuple:
    return desk.rows("SELECT c.handled_by, c.handled_at, c.answer FROM complaints c JOIN tickets t "
                     "ON t.id = c.ticket_id WHERE t.number = ?", (number,))[0]


async def test_handling_a_complaint_asks_for_the_answer_and_tells_the_english_reporter(desk: BotHarness) -> None:
    number = await _complaint(desk, ALICE, zh=False)
    alert = next(m for m in reversed(desk.tg.messages_to(MANAGER.id)) if "投诉" in m.text and m.buttons())
    replies = await desk.press(MANAGER, "✅ 标记为已处理", alert)
    assert desk.last_answer()["text"] == "请写下给报修人的答复。"
    assert replies[0].text.startswith(f"✍️ 关于 {number} 的投诉，评分 2（“The engineer was late”）")
    assert _complaint_row(desk, number) == (None, None, None)  # pressing alone handles nothing
    replies = await desk.say(MANAGER, "??")
    assert "请用文字写下答复" in replies[0].text and _complaint_row(desk, number)[0] is None
    answer = "We are sorry. The engineer will call you before coming from now on."
    replies = await desk.say(MANAGER, answer)
    assert replies[0].text == f"✅ 关于 {number} 的投诉已处理，您的答复已发给报修人。"
    told = desk.tg.last_to(ALICE.id).text
    assert told == f"📝 About your complaint on {number}, Zhao Min of the help desk answers:\n{answer}"
    handled_by, handled_at, stored = _complaint_row(desk, number)
    assert (handled_by, stored) == (MANAGER.id, answer) and handled_at.startswith("2026-11-26")
    kind, data, actor = desk.rows("SELECT e.kind, e.data, e.actor_id FROM ticket_events e JOIN tickets t "
                                  "ON t.id = e.ticket_id WHERE t.number = ? ORDER BY e.id DESC LIMIT 1", (number,))[0]
    assert (kind, actor, json.loads(data)["answer"], json.loads(data)["rating"]) == (
        "complaint_answered", MANAGER.id, answer, 2)
    assert "没有未处理的投诉" in (await desk.say(MANAGER, "/complaints"))[0].text
    everything = (await desk.say(MANAGER, "/complaints all"))[0].text
    assert "没有未处理的投诉" in everything and "已答复（最新的在前）" in everything
    assert f"• {number} · 评分 2 · Zhao Min 于 2026-11-26" in everything and f"↳ {answer}" in everything
    await desk.press(MANAGER, "✅ 标记为已处理", alert)  # once handled, the alert's button says so
    assert desk.last_answer()["text"] == "这条投诉已经处理过了。" and desk.last_answer()["show_alert"]


async def test_a_chinese_reporter_reads_the_answer_in_chinese_and_the_other_managers_learn_it(
        desk: BotHarness) -> None:
    second = FakeUser(id=9002, first_name="Qian Hui", language_code="en")
    desk.config = make_config(managers=[{"id": 9001, "name": "Zhao Min"}, {"id": 9002, "name": "Qian Hui"}])
    desk.tg.introduce(second)
    await desk.restart()
    await desk.say(second, "/start")
    number = await _complaint(desk, LINA, zh=True)
    await desk.say(MANAGER, "/lang en")
    replies = await desk.say(MANAGER, "/complaints")
    assert "“工程师迟到了”" in replies[0].text
    await desk.press(MANAGER, f"✅ {number} handled", replies[0])
    assert desk.last_answer()["text"] == "Write the answer to the reporter."
    assert "what do you answer the reporter?" in desk.last_text(MANAGER)
    await desk.say(MANAGER, "非常抱歉，以后工程师上门前会先打电话。")
    assert desk.last_text(MANAGER) == f"✅ The complaint about {number} is handled; the reporter is sent your answer."
    assert desk.last_text(LINA) == (
        f"📝 关于您对 {number} 的投诉，服务台的 Zhao Min 答复：\n非常抱歉，以后工程师上门前会先打电话。")
    assert desk.last_text(second) == (
        f"✅ Zhao Min answered the complaint about {number}: 非常抱歉，以后工程师上门前会先打电话。")
    everything = (await desk.say(second, "/complaints all"))[0].text
    assert everything.startswith("No open complaints.") and "Answered (latest first):" in everything
    assert f"• {number} · rated 2 · answered 2026-11-26" in everything and "by Zhao Min" in everything
    assert "“工程师迟到了”" in everything
    await desk.press(second, "✅ Mark handled", next(
        m for m in reversed(desk.tg.messages_to(second.id)) if "Complaint" in m.text and m.buttons()))
    assert desk.last_answer()["text"] == "This complaint is already handled."


async def test_cancel_leaves_the_complaint_open_and_others_cannot_handle_it(desk: BotHarness) -> None:
    number = await _complaint(desk, ALICE, zh=False)
    replies = await desk.say(MANAGER, "/complaints")
    button = replies[0].callback_data(f"✅ {number} 已处理")
    await desk.press(MANAGER, f"✅ {number} 已处理", replies[0])
    assert "好的，没有取消任何内容" in (await desk.say(MANAGER, "/cancel"))[0].text
    assert _complaint_row(desk, number) == (None, None, None)
    assert desk.rows("SELECT awaiting FROM users WHERE id = ?", (MANAGER.id,)) == [(None,)]  # no answer awaited
    await desk.handled(desk.tg.press_data(ALICE, replies[0].message_id, button))
    assert desk.last_answer()["text"] == "Only managers handle complaints."
    await desk.handled(desk.tg.press_data(ENGINEER, replies[0].message_id, button))
    assert desk.last_answer()["text"] == "只有管理员可以处理投诉。"
    assert (await desk.say(ENGINEER2, "/complaints all"))[0].text == "Only managers handle complaints."
    assert number in (await desk.say(MANAGER, "/complaints"))[0].text
    assert "/complaints all" in (await desk.say(MANAGER, "/complaints everything"))[0].text


async def test_complaints_all_before_any_complaint(desk: BotHarness) -> None:
    assert (await desk.say(MANAGER, "/complaints all"))[0].text == "目前没有投诉。"
    await desk.say(MANAGER, "/lang en")
    assert (await desk.say(MANAGER, "/complaints 全部"))[0].text == "No complaints so far."
