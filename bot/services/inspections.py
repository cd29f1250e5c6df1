"""Preventive maintenance (巡检) as use cases: the day's lists pushed, a device checked, a visit late.

The planner decides what is due (bot/domain/inspection.py); this turns it into stored visits, pushes
each to the engineer the duty roster names for that morning, and carries out what a press means: a
"fault found" opens a ticket on the asset (source: inspection), a "consumable low" is a warning to the
managers with the engineer's proposal, the last device finishes the visit with its report. The day's
push is a durable timer that schedules the next day's, so a restart neither loses a day (a missed
morning fires when the bot is back) nor repeats one (a visit's key is unique).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.callbacks import InspectionAction
from bot.domain.calendar import local_date, wall_to_utc
from bot.domain.inspection import Registered, assignee, plan
from bot.domain.inspection_visit import CheckedItem, VisitRecord, VisitStatus, reschedule_days
from bot.domain.intake import Draft
from bot.domain.people import User
from bot.domain.severity import Severity
from bot.domain.timers import Timer, TimerKind
from bot.messages import Button, Text, t, verbatim
from bot.services.deployment import Deployment
from bot.services.notify import Notifier
from bot.services.roster import Roster
from bot.services.tickets import TicketDesk
from storage.ports import Assets, Inspections, Timers

FAULT_SEVERITY = Severity.P3
"""A fault found on a round is rarely an outage (the device was running): it gets P3's deadlines, and
the engineer re-grades it if it is worse."""


class InspectionDesk:
    def __init__(self, deployment: Deployment, inspections: Inspections, assets: Assets, timers: Timers,
                 roster: Roster, tickets: TicketDesk, notify: Notifier) -> None:
        self.deployment = deployment
        self.inspections = inspections
        self.assets = assets
        self.timers = timers
        self.roster = roster
        self.tickets = tickets
        self.notify = notify
        self.policy = deployment.inspections

    # ---- the daily push ---------------------------------------------------------------------------
    async def schedule_day(self, day: date) -> None:
        """The push of `day`'s lists, at the configured morning hour (kept once per day)."""
        if not self.policy.enabled:
            return
        at = wall_to_utc(day, self.policy.start_at, self.deployment.tz)
        await self.timers.schedule(Timer(TimerKind.INSPECTION_DAY, at, None, {"day": day.isoformat()},
                                         key=f"inspection_day:{day.isoformat()}"))

    async def start_up(self, now: datetime) -> None:
        """At start: make sure the next morning's push exists (today's, if its hour has not passed)."""
        if not self.policy.enabled or await self.timers.has_pending(TimerKind.INSPECTION_DAY):
            return
        # today's, even when its hour has passed: the day's lists are still due today
        await self.schedule_day(local_date(now, self.deployment.tz))

    async def on_day(self, timer: Timer, now: datetime) -> None:
        """The day's push; after a time the bot was down (or the sandbox's clock jumped), every morning
        missed since, at once and in order, then the next one to come."""
        day = date.fromisoformat(timer.payload["day"])
        tz = self.deployment.tz
        today = local_date(now, tz)
        last = today if now >= wall_to_utc(today, self.policy.start_at, tz) else today - timedelta(days=1)
        last = max(day, last)  # the timer's own day always, then each one since
        await self.push(day, last, now)
        await self.schedule_day(last + timedelta(days=1))

    async def push(self, first: date, last: date, now: datetime) -> list[VisitRecord]:
        """Plan the days [first, last] from the register as it is now, store each visit once, send each
        to its engineer (in order of day and site)."""
        roster = await self.roster.current(now)
        tz = self.deployment.tz
        register = await self.assets.register()
        by_no = {asset.asset_no: asset for asset, _ in register}
        entries = [Registered(asset, local_date(since, tz) if since else None) for asset, since in register]
        pushed = []
        today = local_date(now, tz)
        for visit in plan(self.policy, entries, roster.calendar, first, last):
            engineer = assignee(visit, roster, self.policy.start_at)
            items = tuple(CheckedItem(no, by_no[no].device_type, by_no[no].label) for no in visit.assets)
            closed = visit.due_by < today  # a morning missed so long ago its window closed: on record
            record = VisitRecord(None, visit.key, visit.site, visit.day, visit.due_by, visit.classes, engineer,
                                 VisitStatus.PUSHED, items, pushed_at=None if closed else now)  # (it counts as missed)
            visit_id = await self.inspections.add(record)
            if visit_id is None:
                continue  # pushed already (the day's timer fired again after a crash)
            record = replace(record, id=visit_id)
            if not closed:
                await self._send_list(record, now)
                await self._watch(record, now)
                pushed.append(record)
        return pushed

    async def _watch(self, visit: VisitRecord, now: datetime) -> None:
        """The late alert of this push (a move or a later push makes it stale: see :meth:`on_late`)."""
        await self.timers.schedule(Timer(TimerKind.INSPECTION_LATE, now + self.policy.finish_within, None,
                                         {"visit": visit.id, "pushed": now.isoformat()},
                                         key=f"inspection_late:{visit.id}:{now.isoformat()}"))

    async def _send_list(self, visit: VisitRecord, now: datetime) -> None:
        text = self.list_text(visit)
        if visit.engineer_id is None:  # the managers assign it from the message itself
            await self.notify.tell_managers(t("inspection.nobody", visit=text), now, buttons=assign_buttons(visit))
            return
        await self.notify.tell(visit.engineer_id, text, now, buttons=start_buttons(visit))

    def list_text(self, visit: VisitRecord) -> Text:
        devices = [t("inspection.list_line", device=t(f"device.{i.device_type}"), label=verbatim(i.label))
                   for i in visit.items]
        return t("inspection.list", site=visit.site, count=len(visit.items), day=visit.day.isoformat(),
                 due_by=visit.due_by.isoformat(), devices=devices)

    # ---- carrying it out --------------------------------------------------------------------------
    async def start(self, visit: VisitRecord, now: datetime) -> VisitRecord:
        if visit.status is VisitStatus.PUSHED:
            visit = replace(visit, status=VisitStatus.STARTED, started_at=now)
            await self.inspections.save(visit)
        return visit

    async def check(self, visit: VisitRecord, index: int, result: str, note: str | None, by: User,
                    now: datetime) -> VisitRecord:
        """Record one device's result; a fault opens a ticket, a low consumable warns the managers; the
        last device finishes the visit and sends its report."""
        item = visit.items[index]
        number = None
        if result == "fault":
            number = await self._open_ticket(visit, item, note or "", by, now)
        visit = visit.checked(index, result, note, number, now)
        await self.inspections.save(visit)
        if result == "low":
            await self.notify.tell_managers(t("inspection.warning", site=visit.site, label=verbatim(item.label),
                                              note=note or "", engineer=by.name), now)
        if visit.done:
            await self.notify.tell_managers(self.report_text(visit, by.name), now, except_for=by.id)
        return visit

    async def add_photo(self, visit: VisitRecord, index: int, file_id: str) -> VisitRecord:
        visit = visit.with_photo(index, file_id)
        await self.inspections.save(visit)
        return visit

    # ---- moving it, handing it over ---------------------------------------------------------------
    async def move_days(self, visit: VisitRecord, now: datetime) -> list[date]:
        """The days this visit may move to (working days left in its window)."""
        calendar = (await self.roster.current(now)).calendar
        return reschedule_days(visit, calendar.is_working_day, local_date(now, self.deployment.tz))

    async def move(self, visit: VisitRecord, day: date, reason: str, by: User, now: datetime) -> VisitRecord | None:
        """Plan the visit for `day` instead; its list goes out again that morning, the managers are told.
        None when `day` is not (or no longer) one it may move to."""
        if day not in await self.move_days(visit, now):
            return None
        before = visit.day
        visit = replace(visit.moved(day, reason, by.id, now), pushed_at=None)  # the old push's alert is stale
        await self.inspections.save(visit)
        await self.timers.schedule(Timer(TimerKind.INSPECTION_MOVED, wall_to_utc(day, self.policy.start_at,
                                                                                 self.deployment.tz),
                                         None, {"visit": visit.id, "day": day.isoformat()},
                                         key=f"inspection_moved:{visit.id}:{day.isoformat()}"))
        await self.notify.tell_managers(t("inspection.moved_notice", site=visit.site, before=before.isoformat(),
                                          day=day.isoformat(), by=by.name, reason=reason), now, except_for=by.id)
        return visit

    async def on_moved(self, timer: Timer, now: datetime) -> None:
        visit = await self.inspections.get(int(timer.payload["visit"]))
        if visit is None or visit.done or visit.day.isoformat() != timer.payload["day"]:
            return  # finished meanwhile, or moved again
        visit = replace(visit, pushed_at=now)
        await self.inspections.save(visit)
        await self._send_list(visit, now)
        await self._watch(visit, now)

    async def hand_over(self, visit: VisitRecord, engineer_id: int, by: User, now: datetime) -> VisitRecord:
        """To another engineer (the caller checked they exist and are reachable): the list goes to them,
        the engineer it had and the managers are told."""
        before = visit.engineer_id
        visit = visit.handed_over(engineer_id, by.id, now)
        await self.inspections.save(visit)
        name = self.deployment.engineer_name(engineer_id)
        await self.notify.tell(engineer_id, t("inspection.handed_to_you", by=by.name, visit=self.list_text(visit)),
                               now, buttons=start_buttons(visit))
        notice = t("inspection.handed_notice", site=visit.site, day=visit.day.isoformat(),
                   before=self.deployment.engineer_name(before) if before else "—", engineer=name, by=by.name)
        if before is not None and before not in (by.id, engineer_id):
            await self.notify.tell(before, notice, now)
        await self.notify.tell_managers(notice, now, except_for=by.id)
        return visit

    async def _open_ticket(self, visit: VisitRecord, item: CheckedItem, note: str, by: User, now: datetime) -> str:
        phone = self.deployment.base_roster.engineers.get(by.id)
        draft = Draft(reporter_id=by.id, started_at=now, description=note, device_type=item.device_type,
                      asset_no=item.asset_no, site=visit.site, room_asked=True, severity=FAULT_SEVERITY,
                      phone=(phone.phone if phone else "") or "-", contact_name=by.name, suggestions_done=True,
                      photos=item.photos)
        ticket = await self.tickets.open(draft, by, now, source="inspection")
        return ticket.number

    def report_text(self, visit: VisitRecord, engineer: str) -> Text:
        """The visit's report: what was checked and found, and the tickets and warnings it raised."""
        found = [t("inspection.report_line", label=verbatim(i.label), result=t(f"inspection.result.{i.result}"),
                   note=i.note or "", ticket=i.ticket or "")
                 for i in visit.items if i.result in ("low", "fault")]
        return t("inspection.report", site=visit.site, day=visit.day.isoformat(), engineer=engineer,
                 count=len(visit.items), ok=visit.count("ok"), cleaned=visit.count("cleaned"),
                 low=visit.count("low"), fault=visit.count("fault"), findings=found or [t("inspection.no_findings")],
                 on_time=t("inspection.on_time" if visit.on_time(self.deployment.tz) else "inspection.late_done"))

    async def on_late(self, timer: Timer, now: datetime) -> None:
        visit = await self.inspections.get(int(timer.payload["visit"]))
        if visit is None or visit.done:
            return
        pushed = timer.payload.get("pushed")
        if pushed is not None and (visit.pushed_at is None or visit.pushed_at.isoformat() != pushed):
            return  # moved since: the new morning's push watches it
        engineer = self.deployment.base_roster.engineers.get(visit.engineer_id or 0)
        checked = sum(1 for i in visit.items if i.result is not None)
        await self.notify.tell_managers(t("inspection.overdue", site=visit.site, day=visit.day.isoformat(),
                                          checked=checked, count=len(visit.items),
                                          engineer=engineer.name if engineer else "—"), now,
                                        buttons=assign_buttons(visit))


def _button(visit: VisitRecord, action: str) -> Button:
    return Button(t(f"inspection.btn.{action}"), InspectionAction(visit.id or 0, 0, action).pack())


def start_buttons(visit: VisitRecord) -> tuple[tuple[Button, ...], ...]:
    """Start; or move it to another day of its window, or hand it to another engineer."""
    return ((_button(visit, "start"),), (_button(visit, "move"), _button(visit, "handover")))


def assign_buttons(visit: VisitRecord) -> tuple[tuple[Button, ...], ...]:
    """For the managers, on a list nobody was on duty for, or one left unfinished: give it to an engineer."""
    return ((_button(visit, "handover"),),)
