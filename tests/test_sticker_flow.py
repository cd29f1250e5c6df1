"""A device's QR sticker scanned, end to end: `/start a-<asset>` fills the device in from the register
and shows its history; a ticket already open for it is shown first (its reporter may add to it, anyone
may report a different fault); a link the register does not know, a retired device's or a forged one
gets a plain answer and the ordinary report."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.callbacks import StickerReport
from bot.domain.assets import parse_register
from bot.domain.deep_link import payload_for
from tests.conftest import ALICE, LINA
from tests.harness import BotHarness, answered, shared_kb

REGISTER = (
    "site,department,asset_no,device_type,brand,model,warranty,retired\n"
    "HQ-12F,Finance,A-0042,printer,HP,LaserJet M404dn,in,\n"
    "HQ-3F,Training,B-0007,projector,Epson,EB-X51,out,\n"
    "HQ-3F,Training,B-0009,projector,Epson,EB-X41,out,2026-01-31\n"
    "Branch-North,Front desk,总部/A 01,pc,联想,启天 M437,unknown,\n"
)


async def _registered(desk: BotHarness) -> None:
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        await tx.assets.upsert(parse_register(REGISTER.encode()), desk.clock.now())


async def test_a_scan_fills_in_the_device_and_puts_its_own_articles_first(desk: BotHarness) -> None:
    await _registered(desk)
    replies = await desk.say(ALICE, "/start " + payload_for("B-0007"))
    card, question = replies
    assert card.text == ("🏷 Epson EB-X51 (B-0007) — Projector\n📍 HQ-3F / Training\n🛡 out of warranty\n"
                         "Recent history:\n  none\nThe device is filled in from its sticker.")
    assert question.text.startswith("What's wrong?")
    replies = await desk.say(ALICE, "it does not turn on")
    kb = await shared_kb(desk.storage)  # type: ignore[arg-type]
    first = replies[-1].buttons()[0][0]
    assert first == "📘 " + kb.show("projector-lamp", "en").article.title  # the projector's article, not the PC's
    await desk.press(ALICE, "Skip — report it to an engineer")
    replies = await desk.say(ALICE, "Room 301")  # the site came from the register: only the room is asked
    await desk.press(ALICE, "🔴 Work has stopped")
    await desk.say(ALICE, "13900001111")
    replies = await desk.press(ALICE, "Submit")
    assert "HD-2026-00001" in replies[-1].text
    assert desk.rows("SELECT asset_no, site, device_type FROM tickets") == [("B-0007", "HQ-3F", "projector")]

    # a colleague scans it while the ticket is open: shown, not reported twice
    replies = await desk.say(LINA, "/start a-B-0007")
    assert "⚠️ 这台设备的故障已有人报修：HD-2026-00001" in replies[-1].text
    assert "  HD-2026-00001 · " in replies[-1].text  # the device's history
    assert replies[-1].buttons() == [["📝 报修另一个故障"]]
    assert desk.rows("SELECT COUNT(*) FROM drafts WHERE reporter_id = ?", (LINA.id,)) == [(0,)]
    replies = await desk.press(LINA, "📝 报修另一个故障")
    assert replies[-1].text.startswith("🏷 Epson EB-X51 (B-0007)")  # the device's card stays above the answer
    assert answered(replies[-1])[0] == "📝 报修另一个故障" and answered(replies[-1])[1].startswith("出了什么问题？")
    (data,) = desk.rows("SELECT data FROM drafts WHERE reporter_id = ?", (LINA.id,))[0]
    assert json.loads(data)["asset_no"] == "B-0007"
    # her own reporter scans it: she may add to her ticket
    replies = await desk.say(ALICE, "/start a-B-0007")
    assert replies[-1].buttons() == [["➕ Add information"], ["📝 Report a different fault"]]
    replies = await desk.press(ALICE, "➕ Add information")
    assert "HD-2026-00001" in replies[-1].text


async def test_unknown_retired_and_forged_links_get_a_plain_answer(desk: BotHarness) -> None:
    await _registered(desk)
    replies = await desk.say(ALICE, "/start a-X-404")
    assert replies[0].text.startswith("This sticker's device “X-404” is not in the register.")
    assert replies[-1].text.startswith("What's wrong?")
    replies = await desk.say(ALICE, "/start a-B-0009")
    assert replies[0].text.startswith("Epson EB-X41 (B-0009) was retired on 2026-01-31")
    replies = await desk.say(ALICE, "/start zz-not-ours")
    assert replies[0].text.startswith("Hello Alice!")  # the ordinary greeting
    await desk.handled(desk.tg.press_data(ALICE, 1, StickerReport("a-X-404").pack()))
    assert desk.last_answer()["text"] == "This button is not valid."
    replies = await desk.say(LINA, "/start " + payload_for("总部/A 01"))  # a number packed as base64url
    assert replies[0].text.startswith("🏷 联想 启天 M437 (总部/A 01) — 台式电脑\n📍 Branch-North / Front desk")


async def test_a_scan_during_a_report_does_not_throw_away_what_was_typed(desk: BotHarness) -> None:
    await _registered(desk)
    await desk.say(ALICE, "the printer is jammed")  # a report under way, device not yet asked
    desk.clock.advance(timedelta(minutes=1))
    replies = await desk.say(ALICE, "/start a-A-0042")
    (data,) = desk.rows("SELECT data FROM drafts WHERE reporter_id = ?", (ALICE.id,))[0]
    draft = json.loads(data)
    assert draft["asset_no"] == "A-0042" and draft["description"] == "the printer is jammed"
    replies = await desk.say(ALICE, "/start a-B-0007")  # now it has a device: finish this one first
    assert replies[0].text == "You already have a report in progress; let's finish it (or /cancel it)."
