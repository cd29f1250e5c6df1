"""One Bot API call per step (issue 21, item 1): the answer to a press is said in the pressed message,
which keeps its question and states the answer; what Telegram will not edit is answered by sending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import Chat, Message, PhotoSize

from bot.messages import Continues, Reply, reply_from_json, reply_to_json, t, verbatim
from bot.telegram.courier import MAX_TEXT, continued
from bot.telegram.handlers import _pressed
from tests.conftest import ALICE, LINA
from tests.harness import BotHarness, answered


def _limited(desk: BotHarness, since: int) -> list[str]:
    """The calls Telegram's limits count (they carry a chat_id) made since request number `since`."""
    return [method for method, params in desk.tg.requests[since:] if "chat_id" in params]


async def test_a_chinese_report_costs_one_limited_call_per_step_and_the_chat_shows_every_answer(
        desk: BotHarness) -> None:
    await desk.describe(LINA, "电脑开不了机")
    shown = len(desk.tg.messages_to(LINA.id))
    question = desk.last_with_buttons(LINA)
    for label in ("台式电脑", "HQ-3F", "跳过"):
        since = len(desk.tg.requests)
        replies = await desk.press(LINA, label)
        assert _limited(desk, since) == ["editMessageText"]  # the answer said in place: one call, no send
        assert replies == [question] and len(desk.tg.messages_to(LINA.id)) == shown
        assert answered(question)[0] == label
    # the history stays readable in one message: each question, its answer, then the next question
    assert question.text == (
        "下面的指引也许几分钟就能解决问题。可以打开看看，或者跳过直接报修：\n\n✔ 您的回答：跳过，直接报修\n\n"
        "是哪台设备？请输入设备标签上的资产编号（例如 A-0042）或序列号，或者选择设备类型：\n\n✔ 您的回答：台式电脑\n\n"
        "设备在哪里？请选择地点，或输入楼宇/网点名称：\n\n✔ 您的回答：HQ-3F\n\n"
        "在 HQ-3F 的哪个房间或工位？（直接输入，或跳过）\n\n✔ 您的回答：跳过\n\n影响有多严重？")
    assert question.buttons() == [["🔴 工作已停顿"], ["🟠 严重影响工作"], ["🟡 部分功能故障，工作可继续"],
                                  ["🔵 咨询或预约服务"]]


async def test_the_share_button_brings_its_keyboard_only_when_asked_for(desk: BotHarness) -> None:
    await desk.describe(ALICE, "PC does not start")
    for label in ("PC", "HQ-3F", "Skip"):
        await desk.press(ALICE, label)
    question = desk.last_with_buttons(ALICE)
    since = len(desk.tg.requests)
    replies = await desk.press(ALICE, "Badly affected")
    assert _limited(desk, since) == ["editMessageText"] and replies == [question]
    assert question.buttons() == [["📱 Share my phone number"]] and not question.reply_markup.get("keyboard")
    since = len(desk.tg.requests)
    (keyboard,) = await desk.press(ALICE, "📱 Share my phone number")
    assert _limited(desk, since) == ["sendMessage"]  # Telegram's share button lives only in a reply keyboard
    assert keyboard.text == "Press “📱 Share my phone number” below to send your number."
    assert keyboard.reply_markup["keyboard"] == [[{"text": "📱 Share my phone number", "request_contact": True}]]
    assert keyboard.reply_markup["one_time_keyboard"] is True  # it hides itself once used
    assert question.buttons() == [["📱 Share my phone number"]]  # the question still takes a typed number
    replies = await desk.contact(ALICE, "+86 138 0000 1234")
    assert len(replies) == 1 and "Phone: +86 138 0000 1234" in replies[0].text and not replies[0].removed_keyboard


async def test_a_number_typed_while_the_share_keyboard_is_up_removes_it(desk: BotHarness) -> None:
    await desk.describe(LINA, "电脑开不了机")
    for label in ("台式电脑", "HQ-3F", "跳过", "严重影响工作", "📱 发送我的手机号"):
        await desk.press(LINA, label)
    assert desk.tg.last_to(LINA.id).reply_markup["keyboard"][0][0]["request_contact"] is True
    replies = await desk.say(LINA, "138 0000 1234")
    assert [m.removed_keyboard for m in replies] == [True, False]  # a message of its own removes the keyboard
    assert replies[0].text == "📞 已记下您的电话。" and replies[1].text.startswith("请确认报修信息：")
    await desk.press(LINA, "修改")
    await desk.press(LINA, "电话")
    replies = await desk.say(LINA, "139 1111 2222")  # asked again, the keyboard was not shown this time
    assert len(replies) == 1 and not replies[0].removed_keyboard and "139 1111 2222" in replies[0].text


async def test_a_question_too_old_to_edit_is_answered_in_a_new_message_without_trying(desk: BotHarness) -> None:
    await desk.describe(ALICE, "PC does not start")
    question = desk.last_with_buttons(ALICE)
    desk.clock.advance(timedelta(hours=48))  # Telegram no longer lets the bot edit it
    since = len(desk.tg.requests)
    replies = await desk.press(ALICE, "PC")
    assert _limited(desk, since) == ["sendMessage"]
    assert replies[-1] is not question and replies[-1].text.startswith("✔ Your answer: PC\n\nWhere is it?")
    assert "HQ-3F" in replies[-1].buttons()[0]


async def test_an_edit_telegram_refuses_is_sent_as_a_new_message_that_states_the_answer(desk: BotHarness) -> None:
    await desk.describe(ALICE, "PC does not start")
    question = desk.last_with_buttons(ALICE)
    desk.tg.inject_error("editMessageText", status=400, description="Bad Request: message can't be edited")
    replies = await desk.press(ALICE, "PC")
    assert replies[-1] is not question and replies[-1].text.startswith("✔ Your answer: PC\n\nWhere is it?")
    fallback = replies[-1]
    replies = await desk.press(ALICE, "HQ-3F")  # the next step is said in place again
    assert replies == [fallback] and answered(fallback)[0] == "HQ-3F" and "Which room" in answered(fallback)[1]


async def test_an_edit_that_changes_nothing_counts_as_said(desk: BotHarness) -> None:
    await desk.describe(ALICE, "PC does not start")
    desk.tg.inject_error("editMessageText", status=400,
                         description="Bad Request: message is not modified: specified new message content "
                                     "and reply markup are exactly the same")
    shown = len(desk.tg.messages_to(ALICE.id))
    await desk.press(ALICE, "PC")
    await desk.tick(timedelta(minutes=10))  # nothing left in the outbox to retry
    assert len(desk.tg.messages_to(ALICE.id)) == shown
    assert desk.rows("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]


def test_a_long_chain_gives_way_at_the_top_within_telegrams_limit() -> None:
    above = "\n".join(f"question {i}\n\n✔ Your answer: {i}" for i in range(400))
    text = continued(above, "✔ Your answer: last\n\nThe next question?")
    assert len(text) <= MAX_TEXT and text.startswith("…\n") and text.endswith("The next question?")
    assert "question 399" in text and "question 0\n" not in text
    assert continued("Which device?", "✔ Your answer: PC\n\nWhere?") == "Which device?\n\n✔ Your answer: PC\n\nWhere?"


def test_a_continued_reply_survives_the_outbox() -> None:
    reply = Reply(501, t("ask.site"), "en", continues=Continues(7, "Which device?", t("device.pc")))
    assert reply_from_json(reply_to_json(reply)) == reply
    assert reply_from_json(reply_to_json(Reply(501, verbatim("x"), "en"))).continues is None


def test_only_a_young_text_message_is_edited_into_the_answer() -> None:
    sent = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    chat = Chat(501, Chat.PRIVATE)
    text = Message(7, sent, chat, text="Which device?")
    assert _pressed(text, sent + timedelta(hours=46)) is not None
    assert _pressed(text, sent + timedelta(hours=48)) is None
    photo = Message(8, sent, chat, caption="a card", photo=(PhotoSize("f", "u", 10, 10),))
    assert _pressed(photo, sent) is None
