"""The manager's side in chat: the duty roster, complaints, and the service reports.

`/cover ENGINEER FROM TO [reason]`, `/swap DATE A B` (engineers too, where the deployment allows),
`/holiday DATE [name]` · `/holiday workday DATE` · `/holiday remove DATE`, `/rotation NAME ID,ID,…`,
`/complaints [all]` (handled by typing the answer the reporter is told), `/report [period]` and
`/export [period]`. Who may is the permission table's answer; a refused or malformed command says why
and changes nothing. Every roster edit is followed by a check for the gaps it opens (told to the
managers, once per stretch).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.callbacks import ComplaintAction
from bot.conversation.session import Session
from bot.domain.periods import PeriodError, period_of
from bot.domain.permissions import Act
from bot.domain.roster import Override
from bot.domain.text import has_words
from bot.messages import Button, t
from bot.services.roster import calendar_of, stored_edits

PLAN_BEHIND = timedelta(days=31)
PLAN_AHEAD = timedelta(days=2 * 366)
"""Roster changes are for the coming two years (and the last month, to fix the record)."""


async def cmd_cover(s: Session, args: str) -> None:
    """Somebody covers a period (sickness, leave)."""
    if (reason := s.refused(Act.SWAP_SHIFTS)) is not None:
        await s.say(t(reason))
        return
    parts = args.split(maxsplit=3)
    try:
        engineer = int(parts[0])
        start, end = _when(s, parts[1]), _when(s, parts[2])
    except (IndexError, ValueError):
        await s.say(t("duty.cover_usage"))
        return
    if engineer not in s.deployment.base_roster.engineers or end <= start or not (
            _plannable(s, start.date()) and _plannable(s, end.date())):
        await s.say(t("duty.cover_usage"))
        return
    note = parts[3] if len(parts) > 3 else ""
    await s.services.roster.cover(Override(None, start, end, engineer, None, "cover", note, s.user.id), s.now)
    await s.say(t("duty.covered", engineer=s.deployment.engineer_name(engineer), start=start, end=end))


async def cmd_swap(s: Session, args: str) -> None:
    """A and B exchange their shifts of that local date."""
    if (reason := s.refused(Act.SWAP_SHIFTS)) is not None:
        await s.say(t(reason))
        return
    parts = args.split()
    try:
        day = date.fromisoformat(parts[0])
        a, b = int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        await s.say(t("duty.swap_usage"))
        return
    engineers = s.deployment.base_roster.engineers
    if a not in engineers or b not in engineers or a == b or not _plannable(s, day):
        await s.say(t("duty.swap_usage"))
        return
    swapped = await s.services.roster.swap(day, a, b, s.user.id, s.now)
    if not swapped:
        await s.say(t("duty.swap_nothing", day=day.isoformat()))
        return
    await s.say(t("duty.swapped", a=engineers[a].name, b=engineers[b].name, day=day.isoformat(), count=swapped))


async def cmd_holiday(s: Session, args: str) -> None:
    if (reason := s.refused(Act.EDIT_ROSTER)) is not None:
        await s.say(t(reason))
        return
    parts = args.split(maxsplit=1)
    try:
        if parts and parts[0] in ("workday", "remove"):
            day, kind, name = date.fromisoformat(parts[1].split()[0]), parts[0], ""
        else:
            day, kind = date.fromisoformat(parts[0]), "holiday"
            name = parts[1] if len(parts) > 1 else ""
    except (IndexError, ValueError):
        await s.say(t("duty.holiday_usage"))
        return
    if not _plannable(s, day):
        await s.say(t("duty.holiday_usage"))
        return
    roster = s.services.roster
    await roster.set_day(day, None if kind == "remove" else kind, name, s.user.id, s.now)
    edits = await stored_edits(s.uow.roster)
    s.after_commit.append(lambda: s.deployment.calendar.replace(**calendar_of(edits)))
    await s.say(t(f"duty.calendar_{kind}", day=day.isoformat()))
    await roster.report_gaps(s.now)


async def cmd_rotation(s: Session, args: str) -> None:
    """A new turn order for a rotation."""
    if (reason := s.refused(Act.EDIT_ROSTER)) is not None:
        await s.say(t(reason))
        return
    parts = args.split()
    names = [r.name for r in s.deployment.base_roster.rotations]
    try:
        name = parts[0]
        ids = [int(x) for x in parts[1].split(",") if x]
    except (IndexError, ValueError):
        await s.say(t("duty.rotation_usage", names=", ".join(names)))
        return
    unknown = [i for i in ids if i not in s.deployment.base_roster.engineers]
    if name not in names or not ids or unknown:
        await s.say(t("duty.rotation_usage", names=", ".join(names)))
        return
    roster = s.services.roster
    await roster.set_rotation(name, ids, s.user.id, s.now)
    await s.say(t("duty.rotation_set", name=name, engineers=", ".join(s.deployment.engineer_name(i) for i in ids)))
    await roster.report_gaps(s.now)


def _plannable(s: Session, day: date) -> bool:
    today = s.now.astimezone(s.deployment.tz).date()
    return today - PLAN_BEHIND <= day <= today + PLAN_AHEAD


def _when(s: Session, text: str) -> datetime:
    """A local date ("2026-02-16" = its midnight) or date and time ("2026-02-16T18:00")."""
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=s.deployment.tz)


# ---- complaints -----------------------------------------------------------------------------------
MAX_COMPLAINT_ANSWER = 1000
"""An answer is a message to the reporter, not a report: it fits one chat message with room to spare."""
ALL = ("all", "全部")
HANDLED_SHOWN = 20
"""`/complaints all` shows the open complaints and this many of the latest answered ones."""


async def cmd_complaints(s: Session, args: str) -> None:
    """`/complaints`: the open ones, each with its button; `/complaints all`: the answered ones too."""
    if (reason := s.refused(Act.HANDLE_COMPLAINTS)) is not None:
        await s.say(t(reason))
        return
    if args.strip() and args.strip().lower() not in ALL:
        await s.say(t("roles.complaints.usage"))
        return
    complaints = await s.uow.complaints.open()
    handled = await s.uow.complaints.handled(HANDLED_SHOWN) if args.strip() else []
    if not complaints and not handled:
        await s.say(t("roles.complaints.none_at_all" if args.strip() else "followup.no_complaints"))
        return
    lines = [t("followup.complaint_line", number=c.ticket, rating=c.rating, due=c.due_at,
               late=c.due_at < s.now, comment=c.comment or "") for c in complaints]
    buttons = tuple((Button(t("btn.complaint_handled_n", number=c.ticket), ComplaintAction(c.id, "handled").pack()),)
                    for c in complaints[:10])
    if not args.strip():
        await s.say(t("followup.complaints", lines=lines), buttons=buttons)
        return
    answered = [t("roles.complaints.handled_line", number=c.ticket, rating=c.rating, at=c.handled_at,
                  manager=s.services.followups.manager_name(c.handled_by), comment=c.comment or "",
                  answer=_shortened(c.answer)) for c in handled]
    await s.say(t("roles.complaints.all", open=lines or None, handled=answered or None), buttons=buttons)


def _shortened(answer: str | None, limit: int = 200) -> str:
    """Twenty answers of a thousand characters would not fit one message: the list shows their start."""
    flat = " ".join((answer or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


async def on_complaint_button(s: Session, button: ComplaintAction) -> None:
    """"✅ Mark handled" asks for the answer given to the reporter; the typed answer handles it."""
    if (reason := s.refused(Act.HANDLE_COMPLAINTS)) is not None:
        s.refuse(t(reason))
        return
    if button.action != "handled":
        s.refuse(t("button_invalid"))
        return
    complaint = await s.uow.complaints.get(button.complaint_id)
    if complaint is None or complaint.handled_at is not None:
        s.refuse(t("followup.complaint_already"))
        return
    s.await_answer({"kind": "complaint_answer", "complaint": complaint.id, "ticket": complaint.ticket})
    await s.say(t("roles.complaint.ask_answer", number=complaint.ticket, rating=complaint.rating,
                  comment=complaint.comment or "", limit=MAX_COMPLAINT_ANSWER))
    s.outcome.answer = t("roles.complaint.toast_write")


async def answer_complaint(s: Session, text: str) -> None:
    """The answer typed after "✅ Mark handled": kept, told to the reporter, and the complaint is handled."""
    awaiting = s.awaiting
    answer = text.strip()
    if not answer or len(answer) > MAX_COMPLAINT_ANSWER or not has_words(answer):
        await s.say(t("roles.complaint.bad_answer", limit=MAX_COMPLAINT_ANSWER))
        return  # still waiting for it
    s.await_answer(None)
    if s.refused(Act.HANDLE_COMPLAINTS) is not None:  # no longer a manager since the question
        await s.say(t("followup.only_managers"))
        return
    handled = await s.services.followups.answer_complaint(int(awaiting.get("complaint", 0)), s.user.id, answer,
                                                          s.now)
    if handled is None:
        await s.say(t("followup.complaint_already"))
        return
    await s.say(t("roles.complaint.handled", number=handled.ticket))


# ---- reports --------------------------------------------------------------------------------------
async def cmd_dashboard(s: Session, args: str) -> None:
    """The live board as a Mini App: managers see everything, engineers their queue (the page asks the
    same permission table; this button only opens it)."""
    if (reason := s.refused(Act.SEE_QUEUE)) is not None:
        await s.say(t(reason))
        return
    section = s.config.dashboard
    if not section.enabled:
        await s.say(t("dashboard.chat.off"))
        return
    button = Button.opening(t("dashboard.chat.button"), section.page_url)
    await s.say(t("dashboard.chat.open"), buttons=((button,),))


async def cmd_report(s: Session, args: str) -> None:
    await _order(s, args, workbook=False)


async def cmd_export(s: Session, args: str) -> None:
    await _order(s, args, workbook=True)


async def _order(s: Session, args: str, *, workbook: bool) -> None:
    if (reason := s.refused(Act.EXPORT if workbook else Act.REPORT)) is not None:
        await s.say(t(reason))
        return
    period = args.strip() or "month"
    try:
        period_of(period, s.now, s.deployment.tz)
    except PeriodError:
        await s.say(t("report.usage"))
        return
    # drawn off the event loop once this is stored (services.reports.orders), then sent
    await s.context.reports.order(s.uow.timers, s.msg.chat_id, period, s.user.language, s.now,
                               workbook=workbook, key=f"report:{s.msg.update_id}")
    s.outcome.report_ordered = "document" if workbook else "photo"
