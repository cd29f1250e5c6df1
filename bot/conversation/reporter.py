"""The reporter's fault report, from the first message to Submit.

Every answer — typed, a button, a photo, a shared contact — goes through the domain's intake
(`bot.domain.intake`), which refuses what it cannot take with a reason; the draft is stored after
every answer, so a reporter continues where they were after a restart. Once the fault is described,
the knowledge base's best fixes are offered first (first-line remote support); Submit opens the
ticket (`services.tickets.open`), which goes to the engineer on duty at once.
"""

from __future__ import annotations

from dataclasses import replace

from bot.callbacks import DraftAnswer
from bot.conversation.kb import ask_form, record_verdict, show_article
from bot.conversation.questions import answer_button, edit_buttons, keep_typed_label, place, prompt, site_candidates
from bot.conversation.session import Session
from bot.domain import intake
from bot.domain.contact import display_phone
from bot.domain.courtesy import Courtesy, courtesy
from bot.domain.devices import device_type_from_text
from bot.domain.intake import Draft, Step
from bot.domain.sites import match_site
from bot.domain.text import has_words
from bot.messages import Text, t, verbatim
from bot.services.knowledge import KnowledgeBase

"""Suggest only what is close to the best match: a distant third guess costs the reporter a read."""


async def cmd_new(s: Session, args: str) -> None:
    draft = await s.uow.drafts.get(s.user.id)
    if draft is not None:
        await prompt(s, draft, t("draft_in_progress"))
        return
    draft = intake.start(s.user.id, s.now)
    if args:
        await answer_text(s, draft, args)
        return
    await s.uow.drafts.save(draft, s.now)
    await prompt(s, draft)


async def on_text(s: Session, text: str) -> None:
    """Free text outside an awaited answer: the next answer of the report, or the start of one —
    unless it is only a greeting or a thank-you ("谢谢" after a ticket), which is answered instead."""
    draft = await s.uow.drafts.get(s.user.id)
    if draft is None:
        if not text.strip():
            await s.say(t("reject.empty"))
            return
        kind = courtesy(text, _staff_names(s))
        if kind is not None:
            await _courtesy_reply(s, kind)
            return
        draft = intake.start(s.user.id, s.now)
    await answer_text(s, draft, text)


async def _courtesy_reply(s: Session, kind: Courtesy) -> None:
    """A greeting gets the welcome; thanks gets "you're welcome", pointing at the ticket still open."""
    if kind is Courtesy.GREETING:
        await s.say(t("welcome", name=s.user.name))
        return
    latest = await s.uow.tickets.of_reporter(s.user.id, limit=1)
    if latest and latest[0].is_open:
        await s.say(t("intake.courtesy.thanks_open", number=latest[0].number))
    else:
        await s.say(t("intake.courtesy.thanks"))


def _staff_names(s: Session) -> list[str]:
    """Names a thank-you may address ("谢谢王伟", "thanks Wang Wei")."""
    return [person.name for person in (*s.config.engineers, *s.config.managers)]


def rejection(rejected: intake.Rejected) -> Text:
    """The explanation of a refused answer: intake's own texts carry their full key."""
    key = rejected.code if rejected.code.startswith("intake.") else f"reject.{rejected.code}"
    return t(key, **rejected.params)


async def answer_text(s: Session, draft: Draft, text: str) -> None:
    step = draft.step
    try:
        if step is Step.DESCRIBE:
            draft = intake.describe(draft, text, _staff_names(s))
        elif step is Step.DEVICE:
            found = await _device_from_text(s, draft, text)
            if found is None:
                return
            draft = found
        elif step in (Step.SITE, Step.CONFIRM_SITE):  # typing again instead of pressing: a new answer
            draft = _site_from_text(s, draft, text)
        elif step is Step.ROOM:
            draft = intake.set_room(draft, text)
        elif step is Step.SEVERITY:
            draft = intake.set_severity(draft, _severity_from_text(text))
        elif step is Step.CONTACT:
            draft = intake.set_phone(draft, text, region=s.config.bot.phone_region)
        else:  # a question only buttons answer
            await prompt(s, draft, t("use_buttons"))
            return
    except intake.Rejected as rejected:
        if draft.description is not None or draft.photos or await s.uow.drafts.get(s.user.id) is not None:
            await prompt(s, draft, rejection(rejected))  # the question again, below why
        else:  # a first message refused leaves no report behind
            await s.say(rejection(rejected))
        return
    # typed while the reply keyboard with "share my number" was on screen: it stays there until removed
    await advance(s, draft, was=step, keyboard=step is Step.CONTACT and draft.keyboard_shown)


def _site_from_text(s: Session, draft: Draft, text: str) -> Draft:
    """A typed place becomes the configured site it surely means (so the site's SLA tier applies, and
    one site is not split in two in the reports); when unsure, the reporter is asked; else it is kept."""
    typed = intake.check_place(text)
    guess = match_site(typed, s.config.intake.sites)
    if guess.sure is not None:
        return intake.set_site(draft, guess.sure.site, guess.sure.room)
    if guess.candidates:
        return intake.propose_site(draft, typed)
    return intake.set_site(draft, typed)


async def _device_from_text(s: Session, draft: Draft, text: str) -> Draft | None:
    """A typed device word picks the type; anything else is looked up in the asset register."""
    if not text.strip():
        raise intake.Rejected("empty")
    device_type = device_type_from_text(text)
    if device_type is not None:
        return intake.choose_device_type(draft, device_type)
    asset = await s.uow.assets.find(text[:100])
    if asset is None:
        await prompt(s, draft, t("asset_unknown", code=text.strip()[:40]))
        return None
    draft = intake.propose_asset(draft, asset)
    await s.uow.drafts.save(draft, s.now)
    await prompt(s, draft)
    return None


async def on_photo(s: Session, file_id: str, size: int | None, caption: str | None, group: str | None) -> None:
    if s.awaiting.get("kind") == "kb_add":
        await s.say(t("kb.text_only"))
        await ask_form(s, s.awaiting)
        return
    if s.awaiting:
        s.await_answer(None)
    draft = await s.uow.drafts.get(s.user.id) or intake.start(s.user.id, s.now)
    same_album = group is not None and group == draft.last_media_group
    try:
        updated = intake.add_photo(draft, file_id, size, s.context.photo_limit)
        if caption and has_words(caption) and courtesy(caption, _staff_names(s)) is None:
            updated = intake.describe(updated, caption)  # a caption of "??" or "谢谢" describes nothing
    except intake.Rejected as rejected:
        if await s.uow.drafts.get(s.user.id) is not None:
            await prompt(s, draft, rejection(rejected))
        else:
            await s.say(rejection(rejected))
        return
    updated = with_suggestions(s, replace(updated, last_media_group=group))
    await s.uow.drafts.save(updated, s.now)
    if same_album:
        return  # one answer per album, not one per picture
    await prompt(s, updated, t("photo_added", count=len(updated.photos)))


async def on_contact(s: Session, phone: str, contact_user_id: int | None) -> None:
    draft = await s.uow.drafts.get(s.user.id)
    if draft is None or draft.step is not Step.CONTACT:
        await s.say(t("contact_unexpected"), remove_keyboard=True)
        if draft is not None:
            await prompt(s, draft)
        return
    if contact_user_id is not None and contact_user_id != s.user.id:
        await prompt(s, draft, t("contact_not_own"))
        return
    try:
        draft = intake.set_phone(draft, phone, name=s.user.name, region=s.config.bot.phone_region)
    except intake.Rejected as rejected:
        await prompt(s, draft, rejection(rejected))
        return
    # shared with the keyboard's button: Telegram hid that one-time keyboard itself, nothing to remove
    await advance(s, draft, was=Step.CONTACT)


# ---- buttons --------------------------------------------------------------------------------------
async def on_draft_button(s: Session, button: DraftAnswer) -> None:
    draft = await s.uow.drafts.get(s.user.id)
    if draft is None or draft.token != button.token:
        s.refuse(t("button_old_report"))
        return
    step, value = button.step, button.value
    expected = "edit" if step == "edit" and draft.step is Step.SUMMARY else draft.step.value
    if step != expected:
        s.refuse(t("button_stale"))
        return
    was = draft.step
    lead = None
    try:
        if step == "edit":
            draft = intake.edit(draft, value)
            s.chose(t(f"field.{value}"))
        elif was is Step.SUGGEST:
            answered = await _suggestion_answer(s, draft, value)
            if answered is None:
                return
            draft = answered
            if value.startswith("n"):
                lead = t("kb.continue")
        elif was is Step.DESCRIBE and value == "photos":
            draft = intake.describe_with_photos_only(draft)
            s.chose(t("btn.photos_only"))
        elif was is Step.DEVICE:
            draft = intake.choose_device_type(draft, value)
            s.chose(t(f"device.{value}"))
        elif was is Step.CONFIRM_ASSET:
            draft = await _asset_answer(s, draft, value)
        elif was is Step.SITE:
            draft = _site_answer(s, draft, value)
        elif was is Step.CONFIRM_SITE:
            draft = _site_guess_answer(s, draft, value)
        elif was is Step.ROOM and value == "skip":
            draft = intake.set_room(draft, None)
            s.chose(t("btn.skip"))
        elif was is Step.SEVERITY:
            draft = intake.set_severity(draft, value)
            s.chose(t(f"severity.{value}"))
        elif was is Step.CONTACT and value == "share":
            await _offer_share(s, draft)
            return
        elif was is Step.CONTACT and value == "last" and s.user.last_phone:
            draft = intake.set_phone(draft, s.user.last_phone, name=s.user.name, region=s.config.bot.phone_region)
            s.chose(verbatim(display_phone(s.user.last_phone)))
        elif was is Step.SUMMARY:
            await _summary_answer(s, draft, value)
            return
        else:
            raise intake.Rejected("bad_choice")
    except intake.Rejected:
        s.refuse(t("button_invalid"))
        s.chose(None)
        return
    await advance(s, draft, was=was, lead=lead)


async def _suggestion_answer(s: Session, draft: Draft, value: str) -> Draft | None:
    """Show an article, or take "fixed it" / "didn't help" / "skip"; None when the request ended."""
    if value == "skip":
        s.chose(t("btn.kb_skip"))
        return intake.skip_suggestions(draft)
    action, index = value[:1], value[1:]
    article_id = intake.suggestion(draft, index)
    if action == "s":
        await show_article(s, article_id, buttons=((
            answer_button(draft, t("btn.kb_fixed"), f"f{index}"),
            answer_button(draft, t("btn.kb_not_fixed"), f"n{index}"),
        ),))
        s.outcome.answer = None
        return None
    if action == "f":
        await record_verdict(s, article_id, draft.description or "", True)
        await s.uow.drafts.delete(s.user.id)
        s.chose(t("btn.kb_fixed"))
        await s.say(t("kb.fixed"))
        return None
    if action == "n":
        await record_verdict(s, article_id, draft.description or "", False)
        s.chose(t("btn.kb_not_fixed"))  # "sorry it didn't help" goes above the next question
        return intake.did_not_help(draft, article_id)
    raise intake.Rejected("bad_choice")


async def _offer_share(s: Session, draft: Draft) -> None:
    """"Share my number": Telegram's button for it lives only in a reply keyboard, which comes with a
    message of its own. Asked for, not shown with the question: the question stays an inline one that
    the previous answer's message can become, and nobody who types the number is left with a keyboard
    that only another message could remove. The question keeps its buttons (typing still answers it)."""
    await s.uow.drafts.save(replace(draft, keyboard_shown=True), s.now)
    await s.say(t("ask.share_contact"), request_contact=t("btn.share_contact"))


async def _asset_answer(s: Session, draft: Draft, value: str) -> Draft:
    if value == "no":
        s.chose(t("btn.no"))
        return intake.reject_asset(draft)
    asset = await s.uow.assets.get(draft.pending_asset or "") if value == "yes" else None
    if asset is None:
        raise intake.Rejected("bad_choice")
    s.chose(t("btn.yes"))
    sure = match_site(asset.site, s.config.intake.sites).sure  # the register may spell it "hq12f"
    if sure is not None:
        asset = replace(asset, site=sure.site)
    remembered = s.user.last_room if s.user.last_site == asset.site else None
    return intake.confirm_asset(draft, asset, remembered)


def _site_answer(s: Session, draft: Draft, value: str) -> Draft:
    sites = s.config.intake.sites
    if value == "last" and s.user.last_site:
        s.chose(verbatim(place(s.user.last_site, s.user.last_room)))
        return intake.set_site(draft, s.user.last_site, s.user.last_room or "")
    if value.startswith("s") and value[1:].isdigit() and int(value[1:]) < len(sites):
        site = sites[int(value[1:])]
        s.chose(verbatim(site))
        return intake.set_site(draft, site)
    raise intake.Rejected("bad_choice")


def _site_guess_answer(s: Session, draft: Draft, value: str) -> Draft:
    """"Did you mean HQ-12F?": one of the sites offered, or what the reporter typed."""
    typed = draft.pending_site or ""
    if value == "keep":
        s.chose(keep_typed_label(typed))
        return intake.set_site(draft, typed)
    candidates = site_candidates(s, draft)
    if value.startswith("m") and value[1:].isdigit() and int(value[1:]) < len(candidates):
        picked = candidates[int(value[1:])]
        s.chose(verbatim(place(picked.site, picked.room)))
        return intake.set_site(draft, picked.site, picked.room)
    raise intake.Rejected("bad_choice")


async def _summary_answer(s: Session, draft: Draft, value: str) -> None:
    if value == "submit":
        s.chose(t("btn.submit"))
        await submit(s, draft)
    elif value == "cancel":
        s.chose(t("btn.cancel"))
        await s.uow.drafts.delete(s.user.id)
        await s.say(t("draft_cancelled"))
    elif value == "edit":
        s.chose(t("btn.edit"))
        await s.say(t("edit_which"), buttons=edit_buttons(draft))
    else:
        s.refuse(t("button_invalid"))


# ---- moving the report along ----------------------------------------------------------------------
def with_suggestions(s: Session, draft: Draft) -> Draft:
    """First-line support: once the fault is described, offer the knowledge base's best fixes."""
    if s.kb is None or not intake.needs_suggestions(draft):
        return draft
    matches = s.kb.suggest(draft.description or "", s.user.language, top=5 if draft.device_type else 3)
    sure = bool(matches) and matches[0].sure
    if draft.device_type:  # the device is known (its sticker was scanned): that device's articles first
        kb = s.kb
        matches = sorted(matches, key=lambda m: _device_of(kb, m.id, s.user.language) != draft.device_type)[:3]
    return intake.offer_suggestions(draft, [m.id for m in matches], sure=sure)


def _device_of(kb: KnowledgeBase, article_id: str, lang: str) -> str | None:
    shown = kb.show(article_id, lang)
    return shown.article.device if shown else None


async def advance(s: Session, draft: Draft, was: Step, lead: Text | None = None, keyboard: bool = False) -> None:
    """Store the answer and ask the next question. `keyboard`: the reply keyboard of the contact question
    is still on screen, and only a message of its own can remove it (the next question has inline
    buttons, which cannot go with the removal)."""
    draft = with_suggestions(s, draft)
    if was is Step.CONTACT:  # the keyboard is gone now: hidden by its own button, or removed below
        draft = replace(draft, keyboard_shown=False)
    await s.uow.drafts.save(draft, s.now)
    if was is Step.CONTACT and keyboard:
        await s.say(t("contact_saved"), remove_keyboard=True)
    await prompt(s, draft, lead)


async def submit(s: Session, draft: Draft) -> None:
    """The reporter confirmed the summary: the ticket opens and goes to the engineer on duty."""
    if draft.step is not Step.SUMMARY or draft.severity is None:
        s.refuse(t("button_stale"))
        return
    ticket = await s.services.tickets.open(draft, s.user, s.now)
    s.user = replace(s.user, last_site=draft.site, last_room=draft.room, last_phone=draft.phone)
    deadlines = ticket.sla.deadlines
    await s.say(t(
        "submitted", number=ticket.number, severity=t(f"severity.{ticket.severity.value}"),
        respond=deadlines.respond_by, onsite=deadlines.onsite_by, resolve=deadlines.resolve_by,
        tier=ticket.sla.tier,
    ))


def _severity_from_text(text: str) -> str:
    cleaned = text.strip().upper()
    return f"P{cleaned}" if cleaned in ("1", "2", "3", "4") else cleaned

