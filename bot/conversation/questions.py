"""The questions of a fault report: the next one the draft needs, with buttons wherever the choice is finite.

The next question is derived from what the draft holds (`Draft.step`), never kept apart; each
button carries the draft's token and the question's step, so an answer to an older question (or an
older report) is recognised as such.
"""

from __future__ import annotations

from bot.callbacks import DraftAnswer
from bot.conversation.kb import article_title
from bot.conversation.session import Session
from bot.domain import intake
from bot.domain.assets import Asset
from bot.domain.contact import display_phone
from bot.domain.devices import DEVICE_TYPES
from bot.domain.intake import Draft, Step
from bot.domain.severity import Severity
from bot.domain.sites import Candidate, match_site
from bot.messages import Button, Text, rows, t, verbatim

KEEP_TYPED_CHARS = 30
"""How much of a typed place the "keep what I typed" button shows."""


def place(site: str, room: str | None) -> str:
    return f"{site} / {room}" if room else site


def answer_button(draft: Draft, label: Text, value: str, step: str | None = None) -> Button:
    return Button(label, DraftAnswer(draft.token, step or draft.step.value, value).pack())


async def prompt_if_drafting(s: Session) -> None:
    draft = await s.uow.drafts.get(s.user.id)
    if draft is not None:
        await prompt(s, draft)


async def prompt(s: Session, draft: Draft, lead: Text | None = None) -> None:
    """Ask the draft's next question; `lead` (a notice: "photo saved", why an answer was refused) goes
    in the same message, above it: one message per answer, each a call Telegram's limits count."""
    step = draft.step

    async def ask(text: Text, **extra: object) -> None:
        await s.say(t("then", first=lead, second=text) if lead is not None else text, **extra)

    def button(label: Text, value: str) -> Button:
        return answer_button(draft, label, value)

    if step is Step.DESCRIBE:
        buttons = ((button(t("btn.photos_only"), "photos"),),) if draft.photos else ()
        await ask(t("ask.describe"), buttons=buttons)
    elif step is Step.SUGGEST:
        await ask(t("kb.suggest" if draft.suggestions_sure else "kb.did_you_mean"), buttons=(
            *((button(verbatim("📘 " + article_title(s, article_id)), f"s{i}"),)
              for i, article_id in enumerate(draft.suggestions)),
            (button(t("btn.kb_skip"), "skip"),),
        ))
    elif step is Step.DEVICE:
        await ask(t("ask.device"), buttons=rows([button(t(f"device.{d}"), d) for d in DEVICE_TYPES], 3))
    elif step is Step.CONFIRM_ASSET:
        asset = await s.uow.assets.get(draft.pending_asset or "")
        if asset is None:  # removed from the register meanwhile
            draft = intake.reject_asset(draft)
            await s.uow.drafts.save(draft, s.now)
            await prompt(s, draft, lead)
            return
        await ask(asset_card(s, asset), buttons=((button(t("btn.yes"), "yes"), button(t("btn.no"), "no")),))
    elif step is Step.CONFIRM_SITE:
        candidates = site_candidates(s, draft)
        question = (t("intake.site.did_you_mean", site=place(candidates[0].site, candidates[0].room))
                    if len(candidates) == 1 else t("intake.site.which_one"))
        await ask(question, buttons=(
            *((button(verbatim(place(c.site, c.room)), f"m{i}"),) for i, c in enumerate(candidates)),
            (button(keep_typed_label(draft.pending_site or ""), "keep"),),
        ))
    elif step is Step.SITE:
        choices = []
        if s.user.last_site:
            choices.append(button(verbatim("📍 " + place(s.user.last_site, s.user.last_room)), "last"))
        choices += [button(verbatim(site), f"s{i}") for i, site in enumerate(s.config.intake.sites)]
        await ask(t("ask.site"), buttons=rows(choices, 2))
    elif step is Step.ROOM:
        await ask(t("ask.room", site=draft.site), buttons=((button(t("btn.skip"), "skip"),),))
    elif step is Step.SEVERITY:
        await ask(t("ask.severity"), buttons=tuple(
            (button(t(f"severity.{level.value}"), level.value),) for level in Severity))
    elif step is Step.CONTACT:
        if s.user.last_phone:  # their number as an inline button: no reply keyboard to remove afterwards
            await ask(t("ask.contact_known"), buttons=((
                button(verbatim("📞 " + display_phone(s.user.last_phone)), "last"),),))
        else:  # sharing is asked for with a button: the reply keyboard comes only then (see reporter)
            await ask(t("ask.contact"), buttons=((button(t("btn.share_contact"), "share"),),))
    else:
        await ask(await summary(s, draft), buttons=((
            button(t("btn.submit"), "submit"), button(t("btn.edit"), "edit"), button(t("btn.cancel"), "cancel"),
        ),))


def site_candidates(s: Session, draft: Draft) -> tuple[Candidate, ...]:
    """The configured sites the typed place may mean, best first. Derived again from the typed text and
    the configuration (never stored), so the question and the button pressed agree."""
    guess = match_site(draft.pending_site or "", s.config.intake.sites)
    return guess.candidates or ((guess.sure,) if guess.sure is not None else ())


def keep_typed_label(typed: str) -> Text:
    short = typed if len(typed) <= KEEP_TYPED_CHARS else typed[: KEEP_TYPED_CHARS - 1] + "…"
    return t("intake.btn.keep_typed", typed=short)


async def summary(s: Session, draft: Draft) -> Text:
    asset = await s.uow.assets.get(draft.asset_no) if draft.asset_no else None
    return t(
        "summary",
        description=draft.description or t("photos_only"),
        photos=len(draft.photos),
        device=verbatim(asset.label) if asset is not None else t(f"device.{draft.device_type or 'other'}"),
        place=place(draft.site or "", draft.room),
        severity=t(f"severity.{draft.severity.value}") if draft.severity else "",
        phone=display_phone(draft.phone) if draft.phone else "",
    )


def asset_card(s: Session, asset: Asset) -> Text:
    """The device found in the register, for the reporter to confirm."""
    return t(
        "ask.confirm_asset",
        label=asset.label,
        device=t(f"device.{asset.device_type}"),
        place=" / ".join(p for p in (asset.site, asset.department) if p),
        warranty=t(f"warranty.{asset.warranty_status(s.now.astimezone(s.deployment.tz).date())}"),
    )


def edit_buttons(draft: Draft) -> tuple[tuple[Button, ...], ...]:
    """Which answer to change, from the summary."""
    return rows([answer_button(draft, t(f"field.{step.value}"), step.value, step="edit")
                 for step in intake.EDITABLE], 3)
