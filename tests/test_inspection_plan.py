"""The inspection planner (bot/domain/inspection.py): periods, windows of working days, the register."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.assets import Asset, RegisterError, parse_register
from bot.domain.inspection import (
    Cadence,
    Every,
    InspectionClass,
    InspectionPolicy,
    Registered,
    assignee,
    due,
    plan,
    push_instant,
)
from bot.domain.roster import DutyRoster, EngineerInfo, RotationRule
from bot.services.holidays import china_calendar

CAL = china_calendar()
MONTHLY = Cadence(Every.MONTH)
QUARTERLY = Cadence(Every.QUARTER)
CONTRACT = InspectionPolicy(classes=(
    InspectionClass("core", MONTHLY, window=10, core=True),
    InspectionClass("others", QUARTERLY, window=10),
))


def asset(no: str, site: str = "HQ-3F", device: str = "printer", core: bool = False,
          retired: date | None = None) -> Asset:
    return Asset(asset_no=no, device_type=device, site=site, core=core, retired=retired)


def test_periods_of_months_quarters_and_weeks() -> None:
    assert MONTHLY.period_of(date(2026, 12, 31)) == (date(2026, 12, 1), date(2027, 1, 1))
    assert QUARTERLY.period_of(date(2026, 11, 15)) == (date(2026, 10, 1), date(2027, 1, 1))
    assert QUARTERLY.period_of(date(2027, 3, 31)) == (date(2027, 1, 1), date(2027, 4, 1))
    fortnight = Cadence(Every.WEEKS, weeks=2)
    start, end = fortnight.period_of(date(2026, 12, 3))
    assert start.weekday() == 0 and (end - start).days == 14 and start <= date(2026, 12, 3) < end
    assert list(QUARTERLY.periods(date(2026, 12, 20), date(2027, 4, 2))) == [
        (date(2026, 10, 1), date(2027, 1, 1)), (date(2027, 1, 1), date(2027, 4, 1)),
        (date(2027, 4, 1), date(2027, 7, 1))]
    with pytest.raises(ValueError):
        Cadence(Every.WEEKS)
    with pytest.raises(ValueError):
        Cadence(Every.MONTH, weeks=3)


def test_the_window_skips_the_golden_week_and_counts_the_swapped_saturday() -> None:
    """Q4 2026 starts on 1 October, a holiday to the 7th; Saturday 10 October is a 调休 working day."""
    window = CONTRACT.classes[1].window_days(date(2026, 10, 1), date(2027, 1, 1), CAL)
    assert window == [date(2026, 10, d) for d in (8, 9, 10, 12, 13, 14, 15, 16, 19, 20)]


def test_core_monthly_others_quarterly_one_visit_per_site_and_day() -> None:
    register = [Registered(asset("P-1", core=True)), Registered(asset("P-2")),
                Registered(asset("PC-9", site="HQ-12F", device="pc"))]
    visits = plan(CONTRACT, register, CAL, date(2026, 10, 1), date(2026, 12, 31))
    by_month: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    for v in visits:
        by_month.setdefault(v.day.month, []).append((v.site, v.assets))
        assert CAL.is_working_day(v.day)
    # October: the quarter and the month both start: one list per site, both classes merged
    assert sorted(by_month[10]) == [("HQ-12F", ("PC-9",)), ("HQ-3F", ("P-1", "P-2"))]
    # November and December: only the core device
    assert by_month[11] == [("HQ-3F", ("P-1",))] and by_month[12] == [("HQ-3F", ("P-1",))]
    october = next(v for v in visits if v.site == "HQ-3F" and v.day.month == 10)
    assert october.classes == ("core", "others") and october.due_by == date(2026, 10, 20)
    # the two sites go on different days of the window, so one engineer is not sent everywhere at once
    assert len({v.day for v in visits if v.day.month == 10}) == 2


def test_the_plan_is_the_same_whichever_range_it_is_computed_for() -> None:
    register = [Registered(asset(f"A-{n}", site=f"S-{n % 4}", core=n % 2 == 0)) for n in range(12)]
    whole = plan(CONTRACT, register, CAL, date(2027, 1, 1), date(2027, 3, 31))
    parts = [v for first, last in ((date(2027, 1, 1), date(2027, 1, 20)), (date(2027, 1, 21), date(2027, 3, 31)))
             for v in plan(CONTRACT, register, CAL, first, last)]
    assert whole == parts and len({v.key for v in whole}) == len(whole)


def test_a_device_added_mid_quarter_waits_for_the_next_window_and_a_retired_one_drops_out() -> None:
    register = [
        Registered(asset("OLD"), since=date(2025, 1, 1)),
        Registered(asset("NEW"), since=date(2026, 11, 10)),  # after Q4's window opened
        Registered(asset("GONE", retired=date(2026, 10, 8))),  # retired on the window's first day
        Registered(asset("LATER", retired=date(2027, 1, 4))),  # the first working day of 2027
    ]
    q4 = plan(CONTRACT, register, CAL, date(2026, 10, 1), date(2026, 12, 31))
    q1 = plan(CONTRACT, register, CAL, date(2027, 1, 1), date(2027, 3, 31))
    assert [v.assets for v in q4] == [("LATER", "OLD")]
    assert [v.assets for v in q1] == [("NEW", "OLD")]  # LATER retired before Q1's visit


def test_classes_by_device_type_and_site_first_match_wins_and_weeks() -> None:
    policy = InspectionPolicy(classes=(
        InspectionClass("lab", Cadence(Every.WEEKS, weeks=2), window=3, sites=frozenset({"LAB"})),
        InspectionClass("copiers", MONTHLY, window=5, device_types=frozenset({"copier"})),
    ))
    register = [Registered(asset("C-1", site="LAB", device="copier")), Registered(asset("C-2", device="copier")),
                Registered(asset("P-1", device="printer"))]
    visits = plan(policy, register, CAL, date(2027, 3, 1), date(2027, 3, 31))
    lab = [v for v in visits if v.site == "LAB"]
    assert all(v.classes == ("lab",) for v in lab) and len(lab) in (2, 3)
    assert [(v.site, v.assets) for v in visits if v.site != "LAB"] == [("HQ-3F", ("C-2",))]  # no printers


def test_due_lists_what_is_planned_by_a_day() -> None:
    register = [Registered(asset("P-1", core=True))]
    visits = plan(CONTRACT, register, CAL, date(2027, 1, 1), date(2027, 3, 31))
    assert due(visits, date(2026, 12, 31)) == []
    assert [v.day.month for v in due(visits, date(2027, 2, 28))] == [1, 2]


def test_the_list_goes_to_the_engineer_on_duty_in_the_morning_of_the_day() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    roster = DutyRoster(engineers={1: EngineerInfo(1, "Wang"), 2: EngineerInfo(2, "Li")},
                        rotations=(RotationRule("day", (1, 2), period="daily", covers="workdays",
                                                start=date(2027, 1, 4)),),
                        overrides=(), calendar=CAL, tz=tz)
    register = [Registered(asset("P-1", core=True)), Registered(asset("P-2", site="HQ-12F", core=True))]
    first, second = plan(CONTRACT, register, CAL, date(2027, 1, 1), date(2027, 1, 31))
    assert push_instant(first, roster, time(9)) == datetime.combine(first.day, time(1), ZoneInfo("UTC"))
    # consecutive working days of a daily rotation: one site each, to each engineer in turn
    assert {assignee(first, roster, time(9)), assignee(second, roster, time(9))} == {1, 2}


def test_the_register_reads_core_and_retired_in_english_and_chinese() -> None:
    en = b"site,asset_no,device_type,core,retired\nHQ-3F,A-1,printer,yes,\nHQ-3F,A-2,pc,no,2026-06-30\nHQ-3F,A-3,pc,,\n"
    zh = "位置,资产编号,设备类型,核心设备,报废日期\nHQ-3F,B-1,打印机,是,\nHQ-3F,B-2,复印机,否,\n".encode()
    a1, a2, a3 = parse_register(en)
    assert (a1.core, a1.retired, a2.core, a2.retired, a3.core) == (True, None, False, date(2026, 6, 30), False)
    b1, b2 = parse_register(zh)
    assert (b1.core, b2.core, b2.device_type) == (True, False, "copier")
    with pytest.raises(RegisterError) as bad:
        parse_register(b"site,asset_no,device_type,core,retired\nHQ,A-9,pc,maybe,\nHQ,A-8,pc,1,31/12/2026\n")
    lines = {p.line for p in bad.value.problems}
    assert lines == {2, 3}
