"""What everybody can do: `/start`, `/help`, `/lang`, and `/oncall` (who is on duty now and next)."""

from __future__ import annotations

from dataclasses import replace

from bot.callbacks import ChooseLanguage
from bot.conversation.questions import prompt_if_drafting
from bot.conversation.session import Session
from bot.domain.permissions import Act
from bot.domain.roster import next_handover, on_duty, on_duty_until
from bot.messages import Button, Text, t, verbatim

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


async def cmd_start(s: Session, args: str) -> None:
    await s.say(t("welcome", name=s.user.name))
    await prompt_if_drafting(s)


async def cmd_help(s: Session, args: str) -> None:
    await s.say(t("help"))


async def cmd_lang(s: Session, args: str) -> None:
    choice = args.lower()[:2] if args else ""
    if choice in LANGUAGE_NAMES:
        s.user = replace(s.user, language=choice)
        await s.say(t("lang_set"))
        return
    await s.say(t("lang_choose"), buttons=(tuple(
        Button(verbatim(name), ChooseLanguage(code).pack()) for code, name in LANGUAGE_NAMES.items()),))


async def on_language_button(s: Session, button: ChooseLanguage) -> None:
    if button.code not in LANGUAGE_NAMES:
        s.refuse(t("button_invalid"))
        return
    s.user = replace(s.user, language=button.code)
    s.chose(verbatim(LANGUAGE_NAMES[button.code]))
    await s.say(t("lang_set"))


async def cmd_oncall(s: Session, args: str) -> None:
    """Who is on duty now, until when, and who comes next; staff also see the phone numbers."""
    roster = await s.services.roster.current(s.now)
    shift = on_duty(roster, s.now)
    following = next_handover(roster, s.now)
    private = s.deployment.permissions.allowed(Act.SEE_DUTY_PHONES, s.role_for())

    def who(engineer_id: int | None) -> Text:
        info = roster.engineers.get(engineer_id) if engineer_id is not None else None
        if info is None:
            return t("duty.nobody")
        phone = f" {info.phone}" if private and info.phone else ""
        return verbatim(f"{info.name}{phone}")

    await s.say(t("duty.oncall", now=who(shift.engineer_id if shift else None),
                  rotation=shift.rotation if shift else "—",
                  until=on_duty_until(roster, s.now) if shift else None,
                  next=who(following.engineer_id) if following else t("duty.nobody"),
                  next_at=following.start if following else None))
