"""A ticket's page (`/status`, the 🎫 buttons of `/my`) and the conversation on a ticket, end to end:
the reporter adds a line or photos, the engineer asks from the card and the answer comes back, in
Chinese and English, everything on the ticket's history."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox.standin import FakeUser, SentMessage
from tests.conftest import ALICE, BOB, ENGINEER, ENGINEER2, LINA
from tests.harness import BotHarness

NUMBER = "HD-2026-00001"


async def _report(desk: BotHarness, user: FakeUser = ALICE, *, accept: bool = True) -> SentMessage:
    """A P2 ticket (respond 1 h, on site 4 h, resolve 8 h) at HQ-3F; Wang Wei accepts it 5 minutes
    later. Returns his card."""
    chinese = user is LINA
    await desk.report(user, description="打印机卡纸，拿不出来" if chinese else "Printer jams on every page",
                      device="打印机" if chinese else "Printer", site="HQ-3F", room="305",
                      severity="严重影响" if chinese else "Badly affected", phone="13800001234")
    card = desk.last_with_buttons(ENGINEER)
    if accept:
        desk.clock.advance(timedelta(minutes=5))
        await desk.press(ENGINEER, "✅ 接单", card)
    return card


async def _events(desk: BotHarness) -> list[tuple[str, dict]]:
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        return [(e.kind, e.data) for e in await tx.tickets.events(NUMBER)]


async def _photos(desk: BotHarness) -> tuple[str, ...]:
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        ticket = await tx.tickets.get(NUMBER)
    assert ticket is not None
    return ticket.photos


# ---- the page ---------------------------------------------------------------------------------------
async def test_status_is_the_tickets_page_with_time_left_pauses_and_history(desk: BotHarness) -> None:
    card = await _report(desk)
    await desk.press(ENGINEER, "🔩 需要配件", card)
    desk.clock.advance(timedelta(minutes=30))
    await desk.press(ENGINEER, "📦 配件已到", card)
    await desk.press(ENGINEER, "🖥 已借备机", card)

    page = (await desk.say(ALICE, f"/status {NUMBER}"))[0]
    text = page.text
    assert text.startswith(f"🎫 {NUMBER} — accepted by an engineer")
    assert "Engineer: Wang Wei · 📞 +86 138 0000 1001" in text
    assert "Respond by: 2026-11-23 11:00 · ✅ met 2026-11-23 10:05" in text
    # the 30 minutes waiting for the part moved the on-site promise from 14:00 to 14:30; it is 10:35
    assert "On site by: 2026-11-23 14:30 · ⏳ 3 h 55 min left" in text
    assert "⏸ Clock paused 2026-11-23 10:05 – 2026-11-23 10:35 (held back 30 min of service time)" in text
    assert "🖥 A spare machine is lent; the repaired unit is due back by 2026-12-02" in text
    assert "History (times Asia/Shanghai):" in text
    for line in ("2026-11-23 10:00 · Alice: reported it", "2026-11-23 10:00 · help desk: assigned to Wang Wei",
                 "2026-11-23 10:05 · Wang Wei: accepted",
                 "2026-11-23 10:05 · Wang Wei: paused the clock: waiting for a part",
                 "2026-11-23 10:35 · Wang Wei: lent a spare machine, due back 2026-12-02"):
        assert line in text, line
    assert page.buttons() == [["➕ Add information", "✖️ Cancel the ticket"]]

    await desk.press(ENGINEER, "✅ 完成维修", card)
    await desk.say(ENGINEER, "Pickup roller worn, replaced it")
    await desk.say(ENGINEER, "pickup roller RM1-4006")
    page = (await desk.say(ALICE, f"/status {NUMBER}"))[0]
    assert "Resolution: Pickup roller worn, replaced it" in page.text
    assert "Parts replaced: pickup roller RM1-4006" in page.text
    assert "Resolve by: 2026-11-23 18:30 · ✅ met 2026-11-23 10:35" in page.text
    assert "Wang Wei: resolved: Pickup roller worn, replaced it" in page.text
    assert page.buttons() == []  # resolved: nothing to add or cancel any more


async def test_chinese_page_says_how_late_and_my_opens_it(desk: BotHarness) -> None:
    await _report(desk, LINA, accept=False)
    await desk.tick(timedelta(hours=2))  # nobody accepted: the 1-hour response promise is an hour late
    replies = await desk.say(LINA, "/my")
    assert replies[0].buttons() == [[f"🎫 {NUMBER}"]]
    page = (await desk.press(LINA, f"🎫 {NUMBER}", replies[0]))[0]
    assert page.text.startswith(f"🎫 {NUMBER} — 已派给工程师")
    assert "响应时限：2026-11-23 11:00 · 🚨 已超时 1小时" in page.text
    assert "到场时限：2026-11-23 14:00 · ⏳ 还剩 2小时" in page.text
    assert "工程师：Wang Wei" in page.text and "📞" not in page.text  # not accepted: no number to call yet
    assert "处理记录（时间为 Asia/Shanghai）：" in page.text
    assert "2026-11-23 10:00 · 李娜：报修" in page.text and "服务台：派给 Wang Wei" in page.text
    assert page.buttons() == [["➕ 补充信息", "✖️ 取消工单"]]
    replies = await desk.press(LINA, "✖️ 取消工单", page)  # the existing cancel flow, with its reason
    assert f"{NUMBER}" in replies[0].text and "原因" in replies[0].text


async def test_staff_see_the_page_with_what_fits_them_and_others_see_nothing(desk: BotHarness) -> None:
    await _report(desk)
    page = (await desk.say(ENGINEER, f"/status {NUMBER}"))[0]
    assert "工程师：Wang Wei" in page.text and "Wang Wei：接单" in page.text
    assert page.buttons() == [["🎫 打开工单卡片"]]
    card = (await desk.press(ENGINEER, "🎫 打开工单卡片", page))[0]
    assert NUMBER in card.text and ["❓ 询问报修人"] in card.buttons()
    page = (await desk.say(ENGINEER2, f"/status {NUMBER}"))[0]
    assert "Engineer: Wang Wei" in page.text and page.buttons() == []  # another engineer: read only
    await desk.handled(desk.tg.press_data(BOB, 1, f"tt:{NUMBER}:page"))
    assert desk.last_answer()["text"] == f"I can't find a ticket {NUMBER} that you may see."
    replies = await desk.say(BOB, f"/status {NUMBER}")
    assert "Printer jams" not in replies[0].text and "can't find" in replies[0].text


async def test_the_history_keeps_the_last_lines(desk: BotHarness) -> None:
    card = await _report(desk)
    for _ in range(8):  # 16 pauses and resumes: more than the page shows
        await desk.press(ENGINEER, "🔩 需要配件", card)
        await desk.press(ENGINEER, "📦 配件已到", card)
    events = await _events(desk)
    page = (await desk.say(ALICE, f"/status {NUMBER}"))[0]
    assert f"… {len(events) - 15} earlier entries" in page.text
    assert "Alice: reported it" not in page.text and page.text.count("Wang Wei: resumed the clock") == 8


# ---- information added by the reporter ---------------------------------------------------------------
async def test_reporter_adds_a_line_and_an_album_and_the_engineer_gets_them(desk: BotHarness) -> None:
    await _report(desk)
    page = (await desk.say(ALICE, f"/status {NUMBER}"))[0]
    replies = await desk.press(ALICE, "➕ Add information", page)
    assert replies[0].text.startswith(f"What would you like to add to {NUMBER}?")
    replies = await desk.say(ALICE, "??")
    assert "Please write it in words" in replies[0].text
    replies = await desk.say(ALICE, "The display shows error E-05")
    assert replies[0].text == f"➕ Added to {NUMBER}. Wang Wei has it too."
    assert desk.last_text(ENGINEER) == f"➕ {NUMBER}：Alice 补充：The display shows error E-05"

    await desk.press(ALICE, "➕ Add information", page)
    engineer_before = len(desk.tg.messages_to(ENGINEER.id))
    first = await desk.photo(ALICE, caption="the jammed tray", media_group_id="tray")
    second = await desk.photo(ALICE, media_group_id="tray")
    assert [m.text for m in first] == [f"📷 Photo added to {NUMBER}. Wang Wei has it too."] and second == []
    to_engineer = desk.tg.messages_to(ENGINEER.id)[engineer_before:]
    assert [m.method for m in to_engineer] == ["sendMessage", "sendPhoto", "sendMessage", "sendPhoto"]
    assert to_engineer[0].text == f"📷 {NUMBER}：Alice 发来一张照片：the jammed tray"
    assert len(await _photos(desk)) == 2  # on the ticket: a card sent later carries them

    replies = await desk.say(ALICE, "The scanner on 5F is broken too")  # after the album: a new report
    assert not any("Added to" in m.text for m in replies)
    kinds = [kind for kind, _ in await _events(desk)]
    assert kinds.count("info_added") == 3
    await desk.say(ALICE, "/cancel")  # drop the new report
    page = (await desk.say(ALICE, f"/status {NUMBER}"))[0]
    assert "Alice: added: The display shows error E-05" in page.text and "Alice: added a photo" in page.text
    assert "Photos: 2" in page.text


async def test_chinese_reporter_adds_information_or_changes_their_mind(desk: BotHarness) -> None:
    await _report(desk, LINA)
    page = (await desk.say(LINA, f"/status {NUMBER}"))[0]
    replies = await desk.press(LINA, "➕ 补充信息", page)
    assert replies[0].text.startswith(f"您想为 {NUMBER} 补充什么？")
    replies = await desk.say(LINA, "/cancel")
    assert replies[0].text == "好的，没有补充任何内容。"
    replies = await desk.say(LINA, "另外，出纸口有焦味")  # no longer adding: this starts a new report
    assert not any("已补充" in m.text for m in replies)
    await desk.say(LINA, "/cancel")
    await desk.press(LINA, "➕ 补充信息", page)
    replies = await desk.say(LINA, "另外，出纸口有焦味")
    assert replies[0].text == f"➕ 已补充到 {NUMBER}。Wang Wei 也已收到。"
    assert desk.last_text(ENGINEER) == f"➕ {NUMBER}：李娜 补充：另外，出纸口有焦味"
    assert [d for kind, d in await _events(desk) if kind == "info_added"] == [{"text": "另外，出纸口有焦味"}]


async def test_nothing_can_be_added_to_a_cancelled_ticket(desk: BotHarness) -> None:
    await _report(desk, accept=False)
    page = (await desk.say(ALICE, f"/status {NUMBER}"))[0]
    await desk.say(ALICE, f"/cancel {NUMBER} fixed itself")
    await desk.press(ALICE, "➕ Add information", page)
    assert desk.last_answer()["text"] == f"{NUMBER} is cancelled: nothing can be added to it any more."
    await desk.handled(desk.tg.press_data(LINA, 1, f"tt:{NUMBER}:info"))  # somebody else's ticket
    assert "找不到" in desk.last_answer()["text"]
    assert "info_added" not in [kind for kind, _ in await _events(desk)]


# ---- a question from the card, and its answer ------------------------------------------------------------
async def test_engineer_asks_from_the_card_and_the_answer_comes_back(desk: BotHarness) -> None:
    card = await _report(desk)
    replies = await desk.press(ENGINEER, "❓ 询问报修人", card)
    assert replies[0].text == f"您想就 {NUMBER} 问 Alice 什么？请写在一条消息里。"
    replies = await desk.say(ENGINEER, "Is it the printer by the window or the one by the door?")
    assert replies[0].text.startswith("❓ 已发给 Alice")
    question = desk.tg.last_to(ALICE.id)
    assert question.text == (f"❓ Wang Wei asks about {NUMBER}:\nIs it the printer by the window or the one by the "
                             "door?\nPress Answer to reply.")
    assert question.buttons() == [["💬 Answer"]]

    replies = await desk.press(ALICE, "💬 Answer", question)
    assert "Your answer to Wang Wei" in replies[0].text
    replies = await desk.say(ALICE, "By the window, the big HP")
    assert replies[0].text == f"💬 Your answer is on {NUMBER}; Wang Wei has it."
    assert desk.last_text(ENGINEER) == (f"💬 {NUMBER}：Alice 回答了“Is it the printer by the window or the one by "
                                        "the door?”：\nBy the window, the big HP")
    await desk.handled(desk.tg.press_data(ALICE, question.message_id, question.callback_data("💬 Answer")))
    assert desk.last_answer()["text"] == "You have already answered this question."

    events = await _events(desk)
    assert [d.get("n") for kind, d in events if kind in ("question_asked", "question_answered")] == [1, 1]
    page = (await desk.say(ALICE, f"/status {NUMBER}"))[0]
    assert "Wang Wei: asked: Is it the printer by the window or the one by the door?" in page.text
    assert "Alice: answered: By the window, the big HP" in page.text
    assert "Open question" not in page.text


async def test_chinese_reporter_answers_from_the_page_and_others_cannot_ask(desk: BotHarness) -> None:
    card = await _report(desk, LINA)
    await desk.handled(desk.tg.press_data(ENGINEER2, 1, f"tt:{NUMBER}:ask"))  # not his ticket
    assert desk.last_answer()["text"] == "This ticket is with Wang Wei; only they or a manager can act on it."
    await desk.press(ENGINEER, "❓ 询问报修人", card)
    await desk.say(ENGINEER, "卡纸是在进纸口还是出纸口？")
    assert desk.last_text(LINA).startswith(f"❓ Wang Wei 就 {NUMBER} 问您：\n卡纸是在进纸口还是出纸口？")

    page = (await desk.say(LINA, f"/status {NUMBER}"))[0]
    assert "❓ Wang Wei 的提问待回答：卡纸是在进纸口还是出纸口？" in page.text
    assert page.buttons() == [["➕ 补充信息", "✖️ 取消工单"], ["💬 回答"]]
    await desk.press(LINA, "💬 回答", page)
    replies = await desk.photo(LINA, caption="在出纸口")  # a photo answers too
    assert replies[0].text == f"💬 您的回答已记在 {NUMBER} 上，Wang Wei 已收到。"
    last_two = desk.tg.messages_to(ENGINEER.id)[-2:]
    assert last_two[0].text == f"💬 {NUMBER}：李娜 回答了“卡纸是在进纸口还是出纸口？”：\n在出纸口\n（附照片）"
    assert last_two[1].method == "sendPhoto"
    assert len(await _photos(desk)) == 1
    page = (await desk.say(LINA, f"/status {NUMBER}"))[0]
    assert "李娜：回答：在出纸口" in page.text and "待回答" not in page.text
    assert page.buttons() == [["➕ 补充信息", "✖️ 取消工单"]]
