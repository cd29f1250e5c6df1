"""The engineer on an inspection round: Start, then one message per device with its checklist.

Every press is checked against the stored visit, never the button alone: only the visit's engineer
(or a manager) may record, a device already recorded (an old message pressed again, a repeat
delivery) is refused, a finished visit takes nothing more. "Consumable low" and "fault found" ask
for one line first (what is low and the proposal; what the fault is), kept as the device's note.
"""

from __future__ import annotations

from bot.callbacks import InspectionAction
from bot.conversation.session import Session
from bot.domain.inspection import CHECK_RESULTS
from bot.domain.inspection_visit import VisitRecord
from bot.domain.permissions import Act, role_of
from bot.messages import Button, t, verbatim

NOTE = "inspection_note"
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
    if button.action not in CHECK_RESULTS or button.item != visit.next_index:
        s.refuse(t("inspection.stale") if button.action in CHECK_RESULTS else t("button_invalid"))
        return
    s.chose(t(f"inspection.btn.{button.action}"))
    if button.action in ("low", "fault"):
        s.await_answer({"kind": NOTE, "visit": visit.id, "item": button.item, "result": button.action})
        await s.say(t(f"inspection.ask_note.{button.action}", label=verbatim(visit.items[button.item].label)))
        return
    await _record(s, visit, button.item, button.action, None)


async def answer_note(s: Session, text: str) -> None:
    """The line after "consumable low" / "fault found"."""
    asked = s.awaiting
    note = " ".join(text.split())[:MAX_NOTE]
    if not note:
        await s.say(t("inspection.note_empty"))
        return
    s.await_answer(None)
    visit = await _visit_for(s, int(asked.get("visit", 0)), say=True)
    if visit is None:
        return
    if asked.get("item") != visit.next_index or asked.get("result") not in ("low", "fault"):
        await s.say(t("inspection.stale"))
        return
    await _record(s, visit, int(asked["item"]), str(asked["result"]), note)


async def _visit_for(s: Session, visit_id: int, say: bool = False) -> VisitRecord | None:
    """The stored visit a button names, if this person may record it; else refused, with the reason."""
    visit = await s.uow.inspections.get(visit_id)
    reason = None
    if visit is None:
        reason = t("button_invalid")
    else:
        role = role_of(s.user.role, s.user.id, known=not s.first_contact, assignee_id=visit.engineer_id)
        refused = s.deployment.permissions.refusal(Act.INSPECT, role, s.user.id, f"visit {visit.id}")
        if refused:
            reason = t(refused)
        elif visit.done:
            reason = t("inspection.done_already")
    if reason is None:
        return visit
    if say:
        await s.say(reason)
    else:
        s.refuse(reason)
    return None


async def _record(s: Session, visit: VisitRecord, index: int, result: str, note: str | None) -> None:
    visit = await s.services.inspections.check(visit, index, result, note, s.user, s.now)
    item = visit.items[index]
    if item.ticket:
        await s.say(t("inspection.fault_ticket", number=item.ticket, label=verbatim(item.label)))
    if visit.done:
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
    await s.say(t("inspection.device", site=visit.site, n=index + 1, count=len(visit.items),
                  label=verbatim(item.label), device=t(f"device.{item.device_type}"),
                  items=[t(f"inspection.item.{i}") for i in checklist]), buttons=buttons)
