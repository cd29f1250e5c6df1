"""The permission table, cell by cell, through the chat: allowed actions work; the rest are refused
with a reason and leave no trace but a log line."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import pytest

from bot.domain.clock import FakeClock
from bot.domain.inspection_visit import CheckedItem, VisitRecord, VisitStatus
from bot.domain.permissions import PERMISSIONS, Act, Role
from bot.sandbox.standin import FakeUser
from tests.conftest import ALICE, BOB, ENGINEER, ENGINEER2, MANAGER, START, make_config
from tests.harness import BotHarness, harness

STRANGER = FakeUser(id=8888, first_name="Stranger", language_code="en")
ACTOR = {Role.STRANGER: STRANGER, Role.REPORTER: ALICE, Role.OTHER_REPORTER: BOB,
         Role.ENGINEER: ENGINEER2, Role.ASSIGNEE: ENGINEER, Role.MANAGER: MANAGER}
NUMBER = "HD-2026-00001"


async def _setup(desk: BotHarness, *, accepted: bool = True, resolved: bool = False, followup: bool = False,
                 visit: bool = False) -> None:
    """Alice's ticket, assigned to Wang Wei (accepted); Bob has a ticket of his own; with `visit`, an
    inspection round of HQ-3F pushed to Wang Wei (the ticket's assignee is the visit's engineer)."""
    if visit:
        async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
            await tx.inspections.add(VisitRecord(
                None, "k", "HQ-3F", date(2026, 11, 23), date(2026, 12, 4), ("core",), ENGINEER.id,
                VisitStatus.PUSHED, (CheckedItem("P-1", "printer", "HP M404 (P-1)"),), pushed_at=START))
    await desk.report(ALICE, description="Printer dead", device="Printer", site="HQ-3F", room=None,
                      severity="Badly affected", phone="13800001234")
    await desk.report(BOB, description="Monitor flickers", device="Monitor", site="HQ-3F", room=None,
                      severity="A part fails", phone="13800001235")
    if accepted:
        await desk.handled(desk.tg.press_data(ENGINEER, 1, f"t:{NUMBER}:accept"))
    if resolved:
        await desk.handled(desk.tg.press_data(ENGINEER, 1, f"t:{NUMBER}:resolve"))
        await desk.say(ENGINEER, "Replaced the fuser")
        await desk.handled(desk.tg.press_data(ENGINEER, 1, f"t:{NUMBER}:noparts"))
    if followup:
        await desk.handled(desk.tg.press_data(ALICE, 1, f"f:{NUMBER}:yes"))
        from datetime import timedelta

        await desk.tick(timedelta(hours=72))


def _snapshot(db: Path) -> dict[str, list]:
    with sqlite3.connect(db) as con:
        tables = ("tickets", "ticket_events", "kb_articles", "duty_overrides", "followups", "calendar_days",
                  "inspection_visits")
        return {table: con.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in tables}


async def _press(desk: BotHarness, user: FakeUser, data: str) -> str:
    await desk.handled(desk.tg.press_data(user, 1, data))
    return desk.last_answer().get("text") or ""


async def _say(desk: BotHarness, user: FakeUser, text: str) -> str:
    replies = await desk.say(user, text)
    return replies[0].text if replies else ""


async def _add_info(desk: BotHarness, user: FakeUser) -> str:
    """"➕ Add information" on the ticket's page, then the line to add (only once the press was taken)."""
    answer = await _press(desk, user, f"tt:{NUMBER}:info")
    if not answer:
        await desk.say(user, "The toner light blinks too")
    return answer


# act → (setup options, how the actor tries it, what success looks like in the answer or the database)
Attempt = Callable[[BotHarness, FakeUser], Awaitable[str]]
CASES: dict[Act, tuple[dict, Attempt, Callable[[str, dict], bool]]] = {
    Act.ACCEPT: ({"accepted": False}, lambda d, u: _press(d, u, f"t:{NUMBER}:accept"),
                 lambda answer, db: any(e[4] == "accept" for e in db["ticket_events"])),
    Act.WORK: ({}, lambda d, u: _press(d, u, f"t:{NUMBER}:arrive"),
               lambda answer, db: any(e[4] == "arrive" for e in db["ticket_events"])),
    Act.RESOLVE: ({}, lambda d, u: _press(d, u, f"t:{NUMBER}:resolve"),
                  lambda answer, db: answer == ""),  # allowed: the bot asks for the resolution note
    Act.HAND_OVER: ({}, lambda d, u: _press(d, u, f"t:{NUMBER}:to1003"),
                    lambda answer, db: any(e[4] == "assign" and '"assignee": 1003' in e[5]
                                           for e in db["ticket_events"])),
    Act.SEE_QUEUE: ({}, lambda d, u: _say(d, u, "/queue"),
                    lambda answer, db: any(w in answer for w in ("open tickets", "待办工单", "未完成工单"))),
    Act.SEE_DUTY_PHONES: ({}, lambda d, u: _say(d, u, "/oncall"), lambda answer, db: "+86 138 0000 1001" in answer),
    Act.SWAP_SHIFTS: ({}, lambda d, u: _say(d, u, "/cover 1002 2026-11-24T09:00 2026-11-24T18:00 leave"),
                      lambda answer, db: len(db["duty_overrides"]) == 1),
    Act.EDIT_ROSTER: ({}, lambda d, u: _say(d, u, "/holiday 2026-12-24 Year-end party"),
                      lambda answer, db: len(db["calendar_days"]) == 1),
    Act.EDIT_KB: ({}, lambda d, u: _say(d, u, "/kb add"),
                  lambda answer, db: "New article" in answer or "新文章" in answer),
    Act.REPORT: ({}, lambda d, u: _say(d, u, "/report"), lambda answer, db: "2026-11" in answer),
    Act.EXPORT: ({}, lambda d, u: _say(d, u, "/export"), lambda answer, db: "2026-11" in answer),
    Act.HANDLE_COMPLAINTS: ({}, lambda d, u: _say(d, u, "/complaints"),
                            lambda answer, db: any(w in answer for w in ("No open complaints", "没有未处理的投诉"))),
    Act.SEE_TICKET: ({}, lambda d, u: _say(d, u, f"/status {NUMBER}"), lambda answer, db: "Printer dead" in answer),
    Act.RATE: ({"resolved": True, "followup": True}, lambda d, u: _press(d, u, f"u:{NUMBER}:working"),
               lambda answer, db: any(f[7] == "working" for f in db["followups"])),
    Act.CANCEL: ({}, lambda d, u: _say(d, u, f"/cancel {NUMBER} not needed"),
                 lambda answer, db: any(t[3] == "cancelled" for t in db["tickets"])),
    Act.ADD_INFO: ({}, _add_info, lambda answer, db: any(e[4] == "info_added" for e in db["ticket_events"])),
    Act.DISPATCH: ({}, lambda d, u: _press(d, u, f"d:{NUMBER}:to1002"),  # the console: give it to Liu Yang
                   lambda answer, db: any(e[4] == "assign" and '"assignee": 1002' in e[5]
                                          for e in db["ticket_events"])),
    Act.INSPECT: ({"visit": True}, lambda d, u: _press(d, u, "i:1:0:start"),
                  lambda answer, db: db["inspection_visits"][0][7] == "started"),
}

REFUSED_WORDS = ("Only", "只有", "with Wang Wei", "由 Wang Wei", "can't find", "找不到", "not yours", "不属于")
SILENT = frozenset({Act.SEE_DUTY_PHONES})
"""Acts refused without a word: the answer is simply the one for everybody (names without phone numbers)."""


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("act", list(Act))
async def test_every_cell(act: Act, role: Role, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    options, attempt, succeeded = CASES[act]
    async with harness(make_config(), FakeClock(START), tmp_path / "h.db") as desk:
        await _setup(desk, **options)
        if role is not Role.STRANGER:
            await desk.say(ACTOR[role], "/help")  # everyone but the stranger has talked to the desk before
        before = _snapshot(desk.db_path)
        with caplog.at_level(logging.INFO, logger="bot.permissions"):
            answer = await attempt(desk, ACTOR[role])
        after = _snapshot(desk.db_path)
    if role in PERMISSIONS[act]:
        assert succeeded(answer, after), (act, role, answer)
        assert not any("refused" in r.getMessage() for r in caplog.records)
    elif act in SILENT:
        assert answer and not succeeded(answer, after), (act, role, answer)
        assert after == before, (act, role)
    else:
        assert any(word in answer for word in REFUSED_WORDS), (act, role, answer)
        assert after == before, (act, role)  # no trace …
        assert any(f"refused {act.value}" in r.getMessage() for r in caplog.records)  # … but a log line


def test_the_table_covers_every_act() -> None:
    assert set(PERMISSIONS) == set(Act) == set(CASES)


async def test_a_refusal_says_what_was_refused(desk: BotHarness) -> None:
    """Each act has its own reason: a reporter asking for the complaints is not told about the roster."""
    replies = await desk.say(ALICE, "/complaints")
    assert replies[0].text == "Only managers handle complaints."
    replies = await desk.say(ENGINEER, "/complaints")
    assert replies[0].text == "只有管理员可以处理投诉。"


def test_a_deployment_grant_changes_the_one_table() -> None:
    """`[duty] engineers_may_swap` is a changed table, not a check beside it."""
    from bot.services.deployment import permissions

    default, granting = permissions(make_config()), permissions(make_config(duty={"engineers_may_swap": True}))
    assert not default.allowed(Act.SWAP_SHIFTS, Role.ENGINEER) and granting.allowed(Act.SWAP_SHIFTS, Role.ENGINEER)
    assert not granting.allowed(Act.EDIT_ROSTER, Role.ENGINEER)  # the calendar and turn orders stay the managers'
    assert {act: granting.table[act] for act in Act if act is not Act.SWAP_SHIFTS} == {
        act: PERMISSIONS[act] for act in Act if act is not Act.SWAP_SHIFTS}


async def test_engineers_may_swap_lets_engineers_cover_but_not_edit_the_calendar(tmp_path: Path) -> None:
    config = make_config(duty={"engineers_may_swap": True})
    async with harness(config, FakeClock(START), tmp_path / "h.db") as desk:
        answer = await _say(desk, ENGINEER2, "/cover 1002 2026-11-24T09:00 2026-11-24T18:00 leave")
        assert len(_snapshot(desk.db_path)["duty_overrides"]) == 1, answer
        answer = await _say(desk, ENGINEER2, "/holiday 2026-12-24 Year-end party")
        assert answer.startswith("Only managers") and _snapshot(desk.db_path)["calendar_days"] == []
