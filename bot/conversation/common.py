"""What everybody can do: `/start`, `/help`, `/lang`, and `/oncall` (who is on duty now and next);
and which commands each person has, for `/help` and for the Telegram command menu alike.

A command of a role (an engineer's `/queue`, a manager's `/complaints`) is listed for whoever the
permission table allows its act, so the help and the menu cannot offer what would then be refused,
and a deployment's grant (`[duty] engineers_may_swap`) shows in both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.callbacks import ChooseLanguage
from bot.conversation.questions import prompt_if_drafting
from bot.conversation.session import Session
from bot.conversation.sticker import on_start_payload
from bot.domain.permissions import Act, Role, role_of
from bot.domain.roster import next_handover, on_duty, on_duty_until
from bot.messages import Button, Text, t, verbatim
from bot.services.deployment import Deployment

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


@dataclass(frozen=True)
class Entry:
    """One command as help and menu show it: the line `roles.help.<name>`, the menu's `roles.cmd.<name>`."""

    name: str
    act: Act | None = None
    """Listed for those the permission table allows this act (in general, not for one ticket); None: everybody."""
    menu: bool = True
    """False: a line of the help only (`/kb add` is the `/kb` command)."""


OWN: tuple[Entry, ...] = (
    Entry("open", Act.DISPATCH),  # the dispatcher console
    Entry("queue", Act.ACCEPT),  # "your open tickets": those who take tickets
    Entry("kb_add", Act.EDIT_KB, menu=False),
    Entry("cover", Act.SWAP_SHIFTS), Entry("swap", Act.SWAP_SHIFTS),
    Entry("holiday", Act.EDIT_ROSTER), Entry("rotation", Act.EDIT_ROSTER),
    Entry("complaints", Act.HANDLE_COMPLAINTS), Entry("report", Act.REPORT), Entry("export", Act.EXPORT),
    Entry("dashboard", Act.SEE_QUEUE),  # the live board (a Mini App), where one is set up
)
"""The commands of a role, first in its help and menu: what that person is here for."""
EVERYONE: tuple[Entry, ...] = (
    Entry("new"), Entry("my"), Entry("status"), Entry("cancel"), Entry("kb"), Entry("oncall"), Entry("lang"),
    Entry("help"),
)
"""Everybody's commands: a reporter's whole menu, and the rest of staff's."""


def own_entries(deployment: Deployment, role: Role) -> tuple[Entry, ...]:
    """A role's own commands; /dashboard only where the deployment serves one."""
    return tuple(e for e in OWN if e.act is not None and deployment.permissions.allowed(e.act, role)
                 and (e.name != "dashboard" or deployment.config.dashboard.enabled))


def menu_of(deployment: Deployment, user_id: int | None) -> tuple[str, ...]:
    """The command menu of one person (their chat's), or with None that of every reporter (the default)."""
    role = role_of(deployment.role_of(user_id) if user_id is not None else "reporter", user_id or 0, known=True)
    return tuple(e.name for e in (*own_entries(deployment, role), *EVERYONE) if e.menu)


async def cmd_start(s: Session, args: str) -> None:
    """The bot opened (or a device's QR sticker scanned: its deep link's payload is in `args`)."""
    if args and await on_start_payload(s, args):
        return
    await s.say(t("welcome", name=s.user.name))
    await prompt_if_drafting(s)


async def cmd_help(s: Session, args: str) -> None:
    """The commands of this person's role (one line each) first, then everybody's."""
    own = own_entries(s.deployment, s.role_for())
    lines = [t(f"roles.help.{e.name}") for e in own]
    if own:
        lines.append(t("roles.help.everyone"))
    lines.extend(t(f"roles.help.{e.name}") for e in EVERYONE)
    await s.say(t("roles.help", intro=t(f"roles.help.intro.{s.deployment.role_of(s.user.id)}"), lines=lines))


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
