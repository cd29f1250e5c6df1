"""The engineer on an inspection round: Start, then one message per device with its checklist.

Every press is checked against the stored visit, never the button alone: only the visit's engineer
(or a manager) may record, a device already recorded (an old message pressed again, a repeat
delivery) is refused, a finished visit takes nothing more. "Consumable low" and "fault found" ask
for one line first (what is low and the proposal; what the fault is), kept as the device's note.
While a device is shown, a photo is kept on it and a typed line is its note. The list itself can be
moved to another working day of its window (with a reason, for the managers) or handed to another
engineer the bot can reach.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.callbacks import InspectionAction
from bot.conversation import reporter
from bot.conversation.session import Session
from bot.domain.inspection import CHECK_RESULTS
from bot.domain.inspection_visit import VisitRecord
from bot.domain.permissions import Act, role_of
from bot.messages import Button, Text, rows, t, verbatim

NOTE = "inspection_note"
DEVICE = "inspection_device"
"""A device is on screen: a photo is kept on it, a typed line becomes its note."""
MOVE_REASON = "inspection_move"
MAX_NOTE = 500


async def on_button(s: Session, button: InspectionAction) -> None:
    visit = await _visit_for(s, button.visit)
    if visit is None:
        return
    if button.action == "start":
        visit = await s.services.inspections.start(visit, s.now)
        s.chose(t("inspection.btn.start"))
        await _ask_next(s, visit)
        return
    if button.action in CHANGES:
        await CHANGES[button.action](s, visit, button.item)
        return
    if button.action not in CHECK_RESULTS or button.item != visit.next_index:
        s.refuse(t("inspection.stale") if button.action in CHECK_RESULTS else t("button_invalid"))
        return
    s.chose(t(f"inspection.btn.{button.action}"))
    asked = s.awaiting
    typed = asked.get("note") if asked.get("kind") == DEVICE and (asked.get("visit"), asked.get("item")) == (
        visit.id, button.item) else None
    if button.action in ("low", "fault") and not typed:
        s.await_answer({"kind": NOTE, "visit": visit.id, "item": button.item, "result": button.action})
        await s.say(t(f"inspection.ask_note.{button.action}", label=verbatim(visit.items[button.item].label)))
        return
    await _record(s, visit, button.item, button.action, typed)


# ---- moving the list, handing it over ---------------------------------------------------------------
async def _offer_days(s: Session, visit: VisitRecord, _item: int) -> None:
    days = await s.services.inspections.move_days(visit, s.now)
    if not days:
        s.refuse(t("inspection.move_none", due_by=visit.due_by.isoformat()))
        return
    await s.say(t("inspection.move_to", site=visit.site, due_by=visit.due_by.isoformat()), buttons=rows(
        [Button(_day_label(d), InspectionAction(visit.id or 0, _day_code(d), "day").pack())
         for d in days], 3))


async def _chose_day(s: Session, visit: VisitRecord, code: int) -> None:
    day = _day_of(code)
    if day is None or day not in await s.services.inspections.move_days(visit, s.now):
        s.refuse(t("inspection.move_gone"))
        return
    s.chose(_day_label(day))
    s.await_answer({"kind": MOVE_REASON, "visit": visit.id, "day": day.isoformat()})
    await s.say(t("inspection.ask_move_reason", day=day.isoformat()))


async def _answered(s: Session, text: str) -> tuple[dict[str, Any], VisitRecord, str] | None:
    """The question answered (what was asked, the visit, the line): None when the line is empty (asked
    again) or the visit is no longer this person's to change (said why)."""
    asked = s.awaiting
    line = " ".join(text.split())[:MAX_NOTE]
    if not line:
        await s.say(t("inspection.note_empty"))
        return None
    s.await_answer(None)
    visit = await _visit_for(s, int(asked.get("visit", 0)), say=True)
    return (asked, visit, line) if visit is not None else None


async def answer_move_reason(s: Session, text: str) -> None:
    answered = await _answered(s, text)
    if answered is None:
        return
    asked, visit, reason = answered
    moved = await s.services.inspections.move(visit, date.fromisoformat(str(asked["day"])), reason, s.user, s.now)
    if moved is None:
        await s.say(t("inspection.move_gone"))
        return
    await s.say(t("inspection.moved", site=moved.site, day=moved.day.isoformat()))


async def _offer_engineers(s: Session, visit: VisitRecord, _item: int) -> None:
    others = [e for e in s.deployment.base_roster.engineers.values() if e.id != visit.engineer_id]
    if not others:
        s.refuse(t("button_invalid"))
        return
    labels = [t("duty.handover_label", name=e.name) if await s.services.console.reachable(e.id)
              else t("duty.handover_label_unreachable", name=e.name) for e in others]
    await s.say(t("inspection.handover_to", site=visit.site, day=visit.day.isoformat()), buttons=rows(
        [Button(label, InspectionAction(visit.id or 0, e.id, "to").pack()) for e, label in zip(others, labels,
                                                                                            strict=True)], 2))


async def _hand_to(s: Session, visit: VisitRecord, engineer_id: int) -> None:
    """To an engineer the bot can reach: a list it cannot deliver would leave the visit with nobody."""
    if engineer_id not in s.deployment.base_roster.engineers or engineer_id == visit.engineer_id:
        s.refuse(t("button_invalid"))
        return
    name = s.deployment.engineer_name(engineer_id)
    if not await s.services.console.reachable(engineer_id):
        s.refuse(t("inspection.handover_unreachable", engineer=name))
        return
    visit = await s.services.inspections.hand_over(visit, engineer_id, s.user, s.now)
    if s.awaiting.get("visit") == visit.id:
        s.await_answer(None)  # the round is someone else's now
    s.chose(verbatim(name))
    await s.say(t("inspection.handed", site=visit.site, engineer=name))


CHANGES = {"move": _offer_days, "day": _chose_day, "handover": _offer_engineers, "to": _hand_to}
"""The list's buttons that change the visit rather than record a device (their `item` is the argument:
the day as YYYYMMDD, the engineer's id)."""


def _day_code(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _day_of(code: int) -> date | None:
    try:
        return date(code // 10000, code // 100 % 100, code % 100)
    except ValueError:
        return None


def _day_label(day: date) -> Text:
    weekday = t(f"inspection.weekday.{day.weekday()}")
    return t("inspection.day_choice", day=f"{day.month}-{day.day:02d}", weekday=weekday)


# ---- a photo or a line while a device is shown --------------------------------------------------------
async def _current(s: Session) -> tuple[VisitRecord, int] | None:
    """The visit and device the awaited answer is about, if the round is still this person's."""
    asked = s.awaiting
    visit = await _visit_for(s, int(asked.get("visit", 0)), say=True)
    if visit is None:
        s.await_answer(None)
        return None
    if asked.get("item") != visit.next_index:
        s.await_answer(None)
        await s.say(t("inspection.stale"))
        return None
    return visit, int(asked["item"])


async def answer_photo(s: Session, file_id: str, size: int | None, caption: str | None, group: str | None) -> None:
    current = await _current(s)
    if current is None:
        return
    visit, index = current
    visit = await s.services.inspections.add_photo(visit, index, file_id)
    if caption and caption.strip() and s.awaiting.get("kind") == DEVICE:
        s.await_answer({**s.awaiting, "note": " ".join(caption.split())[:MAX_NOTE]})
    if group is not None and s.awaiting.get("album") == group:
        return  # one answer per album
    if group is not None:
        s.await_answer({**s.awaiting, "album": group})
    item = visit.items[index]
    await s.say(t("inspection.photo_kept", label=verbatim(item.label), count=len(item.photos)))


async def answer_device_text(s: Session, text: str) -> None:
    """A line typed while a device is shown is its note; once the round is over (or no longer this
    person's: handed over by a manager), it is an ordinary message."""
    visit = await s.uow.inspections.get(int(s.awaiting.get("visit", 0)))
    if visit is None or _refusal(s, visit) is not None or visit.next_index != s.awaiting.get("item"):
        s.await_answer(None)
        await reporter.on_text(s, text)
        return
    note = " ".join(text.split())[:MAX_NOTE]
    if not note:
        return
    s.await_answer({**s.awaiting, "note": note})
    await s.say(t("inspection.note_kept", label=verbatim(visit.items[int(s.awaiting["item"])].label)))


async def answer_note(s: Session, text: str) -> None:
    """The line after "consumable low" / "fault found"."""
    answered = await _answered(s, text)
    if answered is None:
        return
    asked, visit, note = answered
    if asked.get("item") != visit.next_index or asked.get("result") not in ("low", "fault"):
        await s.say(t("inspection.stale"))
        return
    await _record(s, visit, int(asked["item"]), str(asked["result"]), note)


async def _visit_for(s: Session, visit_id: int, say: bool = False) -> VisitRecord | None:
    """The stored visit a button names, if this person may record it; else refused, with the reason."""
    visit = await s.uow.inspections.get(visit_id)
    reason = t("button_invalid") if visit is None else _refusal(s, visit)
    if reason is None:
        return visit
    if say:
        await s.say(reason)
    else:
        s.refuse(reason)
    return None


def _refusal(s: Session, visit: VisitRecord) -> Text | None:
    """Why this person may not record on this visit (not theirs, finished), or None."""
    role = role_of(s.user.role, s.user.id, known=not s.first_contact, assignee_id=visit.engineer_id)
    refused = s.deployment.permissions.refusal(Act.INSPECT, role, s.user.id, f"visit {visit.id}")
    if refused:
        return t(refused)
    return t("inspection.done_already") if visit.done else None


async def _record(s: Session, visit: VisitRecord, index: int, result: str, note: str | None) -> None:
    visit = await s.services.inspections.check(visit, index, result, note, s.user, s.now)
    item = visit.items[index]
    if item.ticket:
        await s.say(t("inspection.fault_ticket", number=item.ticket, label=verbatim(item.label)))
    if visit.done:
        s.await_answer(None)
        await s.say(s.services.inspections.report_text(visit, s.user.name))
        return
    await _ask_next(s, visit)


async def _ask_next(s: Session, visit: VisitRecord) -> None:
    index = visit.next_index
    if index is None:
        return
    item = visit.items[index]
    checklist = s.deployment.inspections.checklist(item.device_type)
    buttons = tuple(
        tuple(Button(t(f"inspection.btn.{r}"), InspectionAction(visit.id or 0, index, r).pack()) for r in pair)
        for pair in (CHECK_RESULTS[:2], CHECK_RESULTS[2:])
    )
    s.await_answer({"kind": DEVICE, "visit": visit.id, "item": index})
    await s.say(t("inspection.device", site=visit.site, n=index + 1, count=len(visit.items),
                  label=verbatim(item.label), device=t(f"device.{item.device_type}"),
                  items=[t(f"inspection.item.{i}") for i in checklist]), buttons=buttons)
