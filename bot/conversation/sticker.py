"""A device's QR sticker scanned: `/start a-A-0042` opens a report for that device.

The scan is the confirmation: the register's model, place and warranty are filled in and shown, with
the device's recent tickets and what inspections found on it, and the reporter only says what is wrong.
A ticket already open for the device is shown first, so a colleague does not report the same jam
twice: its own reporter may add information to it, anyone may still report a different fault. A link
for a device the register does not know (or no longer uses) is said so plainly, and the ordinary
report takes over.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.callbacks import StickerReport, TicketThread
from bot.conversation.questions import prompt
from bot.conversation.session import Session
from bot.domain import intake
from bot.domain.assets import Asset
from bot.domain.deep_link import StickerCode, asset_digest, parse_payload, payload_for
from bot.domain.sites import match_site
from bot.messages import Button, Text, t

HISTORY = 3
_NOW = timedelta(microseconds=1)
"""Up to and including this instant (the history is of tickets opened before a time)."""


async def on_start_payload(s: Session, payload: str) -> bool:
    """Handle a deep link's payload; False when it is none of ours (the caller greets as usual)."""
    code = parse_payload(payload)
    if code is None:
        return False
    asset = await _asset_of(s, code)
    today = s.now.astimezone(s.deployment.tz).date()
    if asset is None:
        await s.say(t("sticker.unknown", code=(code.asset_no or "?")[:40]))
        await _ordinary_report(s)
        return True
    if asset.retired is not None and asset.retired <= today:
        await s.say(t("sticker.retired", label=asset.label, day=asset.retired.isoformat()))
        await _ordinary_report(s)
        return True
    history = await s.uow.tickets.asset_history(asset.asset_no, s.now + _NOW, limit=5)
    open_ticket = next((ticket for ticket in history if ticket.is_open), None)
    if open_ticket is not None:
        own = open_ticket.reporter_id == s.user.id
        buttons = [Button(t("sticker.btn.new_fault"), StickerReport(_short_code(asset)).pack())]
        if own:
            buttons.insert(0, Button(t("ticket.btn.add_info"), TicketThread(open_ticket.number, "info").pack()))
        await s.say(t("sticker.already", card=await _card(s, asset), number=open_ticket.number,
                      status=t(f"status.{open_ticket.status.value}"), opened=open_ticket.opened_at,
                      own=t("sticker.already.own") if own else t("sticker.already.other")),
                    buttons=tuple((b,) for b in buttons))
        return True
    await begin(s, asset)
    return True


async def on_button(s: Session, button: StickerReport) -> None:
    """"Report a different fault" on a device whose ticket is open."""
    code = parse_payload(button.code)
    asset = await _asset_of(s, code) if code is not None else None
    today = s.now.astimezone(s.deployment.tz).date()
    if asset is None or (asset.retired is not None and asset.retired <= today):  # forged, or gone since
        s.refuse(t("button_invalid"))
        return
    s.chose(t("sticker.btn.new_fault"))
    await begin(s, asset, shown=True)


async def begin(s: Session, asset: Asset, *, shown: bool = False) -> None:
    """The report starts with the device confirmed; a report already under way takes the device if it
    has none yet, else it is finished first (a scan must not throw away what was typed)."""
    draft = await s.uow.drafts.get(s.user.id)
    if draft is not None and (draft.device_type is not None or draft.asset_no is not None):
        await s.say(t("draft_in_progress"))
        await prompt(s, draft)
        return
    sure = match_site(asset.site, s.config.intake.sites).sure
    if sure is not None:
        asset = replace(asset, site=sure.site)  # the register may spell it "hq12f"
    remembered = s.user.last_room if s.user.last_site == asset.site else None
    draft = intake.confirm_asset(draft or intake.start(s.user.id, s.now), asset, remembered)
    await s.uow.drafts.save(draft, s.now)
    if not shown:
        await s.say(t("sticker.card", card=await _card(s, asset)))
    await prompt(s, draft)


async def _card(s: Session, asset: Asset) -> Text:
    """The device as the register has it, its recent tickets and what inspections found."""
    tickets = await s.uow.tickets.asset_history(asset.asset_no, s.now + _NOW, limit=HISTORY)
    found = await s.uow.inspections.findings_of(asset.asset_no, 2)
    lines = [t("duty.history_line", number=ticket.number, opened=ticket.opened_at,
               status=t(f"status.{ticket.status.value}")) for ticket in tickets]
    lines += [t("inspection.finding_line", day=day.isoformat(), result=t(f"inspection.result.{item.result}"),
                note=item.note or "") for day, item in found]
    today = s.now.astimezone(s.deployment.tz).date()
    return t("sticker.device", label=asset.label, device=t(f"device.{asset.device_type}"),
             place=" / ".join(p for p in (asset.site, asset.department) if p),
             warranty=t(f"warranty.{asset.warranty_status(today)}"), history=lines or [t("sticker.no_history")])


async def _asset_of(s: Session, code: StickerCode) -> Asset | None:
    if code.asset_no is not None:
        return await s.uow.assets.get(code.asset_no)
    return next((asset for asset, _ in await s.uow.assets.register() if asset_digest(asset.asset_no) == code.digest),
                None)


def _short_code(asset: Asset) -> str:
    """The payload again, short enough for a button (Telegram allows 64 bytes of callback data)."""
    payload = payload_for(asset.asset_no)
    return payload if len(payload) <= 60 else "h-" + asset_digest(asset.asset_no)


async def _ordinary_report(s: Session) -> None:
    draft = await s.uow.drafts.get(s.user.id)
    if draft is not None:
        await prompt(s, draft)
    else:
        await s.say(t("ask.describe"))
