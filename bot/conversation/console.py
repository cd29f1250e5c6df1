"""The dispatcher's console in chat (managers): `/open [filters]`, a ticket's console card and its buttons.

`/open` lists the open tickets by their next deadline, narrowed by words (`unassigned`, `overdue`,
P1…P4, a site, an engineer's name, freely combined); each listed ticket has a 🎫 button opening its
console card, whose buttons assign or reassign it (engineers by name, marked with who is on duty and
who the bot cannot reach), escalate it now, change its severity or cancel it. The same buttons ride
on the managers' alerts (`bot.services.console.console_buttons`). A severity change and a
cancellation ask for a reason, typed as the answer the bot waits for ("console_reason"). Every press
is checked against the stored ticket and the permission table, never trusted from the button.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.callbacks import ConsoleAction
from bot.conversation.session import Session
from bot.domain.milestones import Due, next_due
from bot.domain.permissions import Act
from bot.domain.roster import EngineerInfo
from bot.domain.severity import Severity
from bot.domain.sites import site_key
from bot.domain.text import has_words
from bot.domain.ticket import IllegalTransition, Ticket
from bot.messages import Button, Text, rows, t, verbatim
from bot.services.console import Filters, console_buttons, due_text

SHOWN = 12
"""Tickets one `/open` lists; the rest are counted (a longer list is not read on a phone)."""
MAX_REASON = 500
UNASSIGNED = frozenset({"unassigned", "未分配", "未接单"})
OVERDUE = frozenset({"overdue", "late", "超时", "逾期", "已超时"})


def parse_filters(args: str, engineers: Mapping[int, EngineerInfo], sites: Iterable[str]) -> Filters | str:
    """The filters the words name, or the first word that names none. Names and sites may be several
    words ("Wang Wei", "HQ 12F"), matched longest first; an engineer may also be named by one word of
    their name when no other engineer shares it, or by their id."""
    words = args.split()
    site_keys = {site_key(site) for site in sites if site}
    names = {site_key(e.name): e.id for e in engineers.values()}
    unassigned = overdue = False
    chosen: set[int] = set()
    places: set[str] = set()
    levels: set[Severity] = set()
    i = 0
    while i < len(words):
        for span in (3, 2, 1):
            key = site_key(" ".join(words[i:i + span])) if i + span <= len(words) else ""
            if key and key in names:
                chosen.add(names[key])
            elif key and key in site_keys:
                places.add(key)
            else:
                continue
            i += span
            break
        else:
            word = words[i].casefold()
            partial = [e.id for e in engineers.values() if word in {p.casefold() for p in e.name.split()}]
            if word in UNASSIGNED:
                unassigned = True
            elif word in OVERDUE:
                overdue = True
            elif word.upper() in Severity.__members__:
                levels.add(Severity(word.upper()))
            elif word.isascii() and word.isdigit() and int(word) in engineers:
                chosen.add(int(word))
            elif len(partial) == 1:
                chosen.add(partial[0])
            else:
                return words[i]
            i += 1
    return Filters(unassigned, frozenset(chosen), overdue, frozenset(places), frozenset(levels))


async def cmd_open(s: Session, args: str) -> None:
    """`/open [filters]`: the open tickets, the next deadline first, each a button to its console card."""
    if (reason := s.refused(Act.DISPATCH)) is not None:
        await s.say(t(reason))
        return
    board = await s.services.console.board(s.now)
    configured = s.config.intake.sites
    engineers = s.deployment.base_roster.engineers
    filters = parse_filters(args, engineers, (*configured, *(tk.site for tk, _ in board if tk.site)))
    if isinstance(filters, str):
        await s.say(t("console.unknown_filter", word=filters, sites=", ".join(configured) or "—",
                      engineers=", ".join(e.name for e in engineers.values()) or "—"))
        return
    listed = [(tk, due) for tk, due in board if filters.admits(tk, due, s.now)]
    if not listed:
        await s.say(t("console.none_filtered", filters=" ".join(args.split())) if args.strip() else t("console.none"))
        return
    shown = listed[:SHOWN]
    buttons = [Button(t("console.open_button", number=tk.number), ConsoleAction(tk.number, "card").pack())
               for tk, _ in shown]
    await s.say(t("console.list", count=len(listed), hidden=len(listed) - len(shown), filtered=bool(args.strip()),
                  lines=[_line(s, tk, due) for tk, due in shown]), buttons=rows(buttons, 2))


def _line(s: Session, ticket: Ticket, due: Due | None) -> Text:
    return t("console.line", number=ticket.number, severity=ticket.severity.value,
             status=t(f"status.{ticket.status.value}"), place=ticket.location or "—",
             engineer=s.deployment.engineer_name(ticket.assignee_id) if ticket.assignee_id else None,
             due=due_text(due, s.now))


# ---- the buttons -----------------------------------------------------------------------------------
async def on_console_button(s: Session, button: ConsoleAction) -> None:
    if (reason := s.refused(Act.DISPATCH)) is not None:
        s.refuse(t(reason))
        return
    ticket = await s.ticket_named(button.number)
    if ticket is None:
        s.refuse(t("button_invalid"))
        return
    if button.action == "card":
        await show_card(s, ticket)
        return
    if not ticket.is_open:
        s.refuse(t("console.not_open", number=ticket.number, status=t(f"status.{ticket.status.value}")))
        return
    if button.action == "assign":
        await _offer_engineers(s, ticket)
    elif button.engineer is not None:
        await _assign(s, ticket, button.engineer)
    elif button.action == "escalate":
        await _escalate(s, ticket)
    elif button.action == "severity":
        await s.say(t("console.pick_severity", number=ticket.number, severity=ticket.severity.value),
                    buttons=rows([Button(t("console.severity_option", level=level.value,
                                           name=t(f"severity.{level.value}")),
                                         ConsoleAction(ticket.number, f"sev{level.value}").pack())
                                  for level in Severity if level is not ticket.severity], 1))
    elif button.severity is not None:
        level = Severity(button.severity)
        if level is ticket.severity:
            s.refuse(t("console.same_severity", number=ticket.number, severity=level.value))
            return
        s.await_answer({"kind": "console_reason", "act": "severity", "ticket": ticket.number, "severity": level.value})
        s.chose(t("console.severity_option", level=level.value, name=t(f"severity.{level.value}")))
        await s.say(t("console.ask_severity_reason", number=ticket.number, new=level.value))
    elif button.action == "cancel":
        s.await_answer({"kind": "console_reason", "act": "cancel", "ticket": ticket.number})
        await s.say(t("console.ask_cancel_reason", number=ticket.number))
    else:
        s.refuse(t("button_invalid"))


async def show_card(s: Session, ticket: Ticket) -> None:
    """The ticket as the engineer's card shows it, the next deadline on top, with the console's buttons."""
    if not ticket.is_open:
        await s.say(t("console.not_open", number=ticket.number, status=t(f"status.{ticket.status.value}")))
        return
    card = await s.services.cards.card(ticket, s.user.language, private=True, now=s.now)
    await s.say(t("console.card", card=card, due=due_text(next_due(ticket, s.now, s.deployment.sla_clocks), s.now)),
                buttons=console_buttons(ticket))


async def _offer_engineers(s: Session, ticket: Ticket) -> None:
    candidates = [c for c in await s.services.console.engineers(s.now) if c.id != ticket.assignee_id]
    current = verbatim(s.deployment.engineer_name(ticket.assignee_id)) if ticket.assignee_id else t("console.nobody")
    await s.say(t("console.pick_engineer", number=ticket.number, current=current), buttons=rows(
        [Button(t("console.engineer", name=c.name, tier=c.tier, on_duty=c.on_duty, reachable=c.reachable),
                ConsoleAction(ticket.number, f"to{c.id}").pack()) for c in candidates], 1))


async def _assign(s: Session, ticket: Ticket, engineer_id: int) -> None:
    name = s.deployment.engineer_name(engineer_id)
    if engineer_id not in s.deployment.base_roster.engineers:
        s.refuse(t("button_invalid"))
        return
    if engineer_id == ticket.assignee_id:
        s.refuse(t("console.already_theirs", number=ticket.number, engineer=name))
        return
    if not await s.services.console.reachable(engineer_id):  # it would fail silently: the ticket stays
        await s.services.console.unreachable(ticket, engineer_id, s.user, s.now)
        s.refuse(t("console.unreachable", number=ticket.number, engineer=name))
        return
    try:
        await s.services.console.assign(ticket, engineer_id, s.user, s.now)
    except IllegalTransition as illegal:
        s.refuse(t("console.not_open", number=ticket.number, status=t(f"status.{illegal.status.value}")))
        return
    s.chose(verbatim(name))
    s.outcome.answer = t("console.assigned_toast", engineer=name)
    await s.say(t("console.assigned", number=ticket.number, engineer=name))


async def _escalate(s: Session, ticket: Ticket) -> None:
    reached = await s.services.console.escalate(ticket, s.user, s.now)
    if reached is None:
        s.refuse(t("console.cannot_escalate", number=ticket.number, status=t(f"status.{ticket.status.value}")))
        return
    if not reached:
        await s.say(t("console.nobody_to_escalate", number=ticket.number))
        return
    s.outcome.answer = t("console.escalated_toast")
    await s.say(t("console.escalated", number=ticket.number,
                  engineers=", ".join(s.deployment.engineer_name(e) for e in reached)))


# ---- the reasons ---------------------------------------------------------------------------------------
async def answer_reason(s: Session, text: str) -> None:
    """The reason typed after choosing a new severity or "cancel ticket"."""
    awaiting = s.awaiting
    reason = " ".join(text.split())
    if not has_words(reason) or len(reason) > MAX_REASON:
        await s.say(t("console.bad_reason", limit=MAX_REASON))
        return
    s.await_answer(None)
    if (refusal := s.refused(Act.DISPATCH)) is not None:
        await s.say(t(refusal))
        return
    ticket = await s.uow.tickets.get(awaiting.get("ticket", ""))
    if ticket is None or not ticket.is_open:
        if ticket is not None:
            await s.say(t("console.not_open", number=ticket.number, status=t(f"status.{ticket.status.value}")))
        return
    if awaiting.get("act") == "cancel":
        await s.services.console.cancel(ticket, reason, s.user, s.now)
        await s.say(t("console.cancelled", number=ticket.number))
        return
    level = Severity(awaiting["severity"])
    old = ticket.severity
    ticket = await s.services.console.change_severity(ticket, level, reason, s.user, s.now)
    await s.say(t("console.severity_changed", number=ticket.number, old=old.value, new=level.value,
                  deadlines=s.services.console.deadlines_text(ticket, s.now)))
