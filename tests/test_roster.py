"""The duty roster: the shipped example's rotations, 调休 and holidays, overrides, gaps, backups, DST."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Config, load_config
from bot.domain.calendar import WorkCalendar
from bot.domain.candidates import backup_for, candidates
from bot.domain.duty_plan import day_plan, with_overrides
from bot.domain.roster import (
    GAP_ROTATION,
    DutyRoster,
    EngineerInfo,
    Override,
    RotationRule,
    Shift,
    gaps,
    next_handover,
    on_duty,
    on_duty_until,
    shifts,
)
from bot.services.deployment import roster_from_config

EXAMPLE = Path(__file__).resolve().parent.parent / "helpdesk.example.toml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
WANG, LIU, CHEN = 1001, 1002, 1003
DAY, NIGHT = "day", "night-and-holidays"
ANCHOR = date(2026, 1, 5)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(EXAMPLE, required=True)


@pytest.fixture(scope="module")
def roster(config: Config) -> DutyRoster:
    return roster_from_config(config)


def day_engineer(d: date) -> int:
    """The example's weekly day rotation [1001, 1002], anchored on Monday 5 January 2026."""
    return (WANG, LIU)[((d - ANCHOR).days // 7) % 2]


def night_engineer(period_day: date) -> int:
    """The example's daily night rotation [1003, 1002, 1001], periods from 18:00 on `period_day`."""
    return (CHEN, LIU, WANG)[(period_day - ANCHOR).days % 3]


def test_the_example_is_what_these_tests_assume(roster: DutyRoster) -> None:
    assert [r.name for r in roster.rotations] == [DAY, NIGHT]
    assert roster.rotations[0].engineers == (WANG, LIU) and roster.rotations[0].period == "weekly"
    assert roster.rotations[1].engineers == (CHEN, LIU, WANG) and roster.rotations[1].period == "daily"
    assert roster.rotations[0].start == roster.rotations[1].start == ANCHOR


def test_every_hour_of_a_whole_year_is_covered(roster: DutyRoster) -> None:
    start, end = sh(2026, 1, 1, 0, 0), sh(2027, 1, 1, 0, 0)
    assert gaps(roster, start, end) == []
    timeline = shifts(roster, start, end)
    assert timeline[0].start == start and timeline[-1].end == end
    assert all(a.end == b.start for a, b in pairwise(timeline))
    at = start
    while at < end:
        shift = on_duty(roster, at)
        assert shift is not None, at
        assert shift.start <= at < shift.end
        at += timedelta(hours=1)
    # The next year is not published yet, but the night rotation covers "all": still no gap.
    assert gaps(roster, sh(2027, 1, 1, 0, 0), sh(2027, 12, 31, 0, 0)) == []


def test_spring_festival_week_with_its_swapped_saturday(roster: DutyRoster) -> None:
    cal = roster.calendar
    d = date(2026, 2, 14)
    while d <= date(2026, 2, 24):
        for hour in range(24):
            shift = on_duty(roster, sh(d.year, d.month, d.day, hour, 0))
            assert shift is not None
            if cal.is_working_day(d) and 9 <= hour < 18:
                assert (shift.rotation, shift.engineer_id) == (DAY, day_engineer(d)), (d, hour)
            else:
                period_day = d if hour >= 18 else d - timedelta(days=1)
                assert (shift.rotation, shift.engineer_id) == (NIGHT, night_engineer(period_day)), (d, hour)
        d += timedelta(days=1)
    # The concrete people, so a wrong formula above cannot hide a wrong roster.
    assert on_duty(roster, sh(2026, 2, 14, 10, 0)).engineer_id == LIU  # swapped Saturday: the day rotation
    assert on_duty(roster, sh(2026, 2, 17, 10, 0)).engineer_id == CHEN  # a festival day: night-and-holidays
    assert on_duty(roster, sh(2026, 2, 17, 10, 0)).rotation == NIGHT
    assert on_duty(roster, sh(2026, 2, 28, 10, 0)).rotation == DAY  # the second swapped Saturday


def test_day_plan_of_the_swapped_saturday(roster: DutyRoster) -> None:
    plan = day_plan(roster, date(2026, 2, 14))
    assert set(plan) == {"date", "kind", "name", "shifts"}
    assert plan["date"] == "2026-02-14" and plan["kind"] == "swapped_workday"
    assert "Spring Festival" in plan["name"]
    assert [(s["start"], s["end"], s["rotation"], s["engineer"]["id"]) for s in plan["shifts"]] == [
        ("2026-02-14T00:00:00+08:00", "2026-02-14T09:00:00+08:00", NIGHT, CHEN),
        ("2026-02-14T09:00:00+08:00", "2026-02-14T18:00:00+08:00", DAY, LIU),
        ("2026-02-14T18:00:00+08:00", "2026-02-15T00:00:00+08:00", NIGHT, LIU),
    ]
    assert plan["shifts"][1] == {
        "start": "2026-02-14T09:00:00+08:00",
        "end": "2026-02-14T18:00:00+08:00",
        "engineer": {"id": LIU, "name": "Liu Yang"},
        "rotation": DAY,
        "override": False,
    }
    holiday = day_plan(roster, date(2026, 2, 17))
    assert holiday["kind"] == "holiday" and holiday["name"] == "Chinese New Year (Spring Festival)"
    assert {s["rotation"] for s in holiday["shifts"]} == {NIGHT}
    assert day_plan(roster, date(2026, 2, 15))["kind"] == "restday"


def test_night_handover_at_18(roster: DutyRoster) -> None:
    tuesday = date(2026, 3, 3)
    before, after = on_duty(roster, sh(2026, 3, 3, 17, 59)), on_duty(roster, sh(2026, 3, 3, 18, 0))
    assert (before.rotation, before.engineer_id) == (DAY, day_engineer(tuesday)) == (DAY, WANG)
    assert (after.rotation, after.engineer_id) == (NIGHT, night_engineer(tuesday)) == (NIGHT, CHEN)
    assert before.end == after.start == sh(2026, 3, 3, 18, 0)
    handover = next_handover(roster, sh(2026, 3, 3, 12, 0))
    assert handover is not None and handover.start == sh(2026, 3, 3, 18, 0) and handover.engineer_id == CHEN
    # Chen Jie holds the night until the day rotation takes over at 09:00.
    assert on_duty_until(roster, sh(2026, 3, 3, 20, 0)) == sh(2026, 3, 4, 9, 0)


def test_daily_versus_weekly_turns(roster: DutyRoster) -> None:
    week = [date(2026, 3, 2) + timedelta(days=i) for i in range(5)]
    assert {on_duty(roster, sh(d.year, d.month, d.day, 11, 0)).engineer_id for d in week} == {WANG}
    assert on_duty(roster, sh(2026, 3, 9, 11, 0)).engineer_id == LIU  # next week, next engineer
    nights = [on_duty(roster, sh(2026, 3, d, 20, 0)).engineer_id for d in range(2, 8)]
    assert nights == [WANG, CHEN, LIU, WANG, CHEN, LIU]  # one a day, in list order


def test_weekly_handover_happens_at_the_handover_time() -> None:
    roster = DutyRoster(
        engineers={1: EngineerInfo(1, "A"), 2: EngineerInfo(2, "B")},
        rotations=(RotationRule("all", (1, 2), period="weekly", handover=time(9), start=date(2026, 3, 2)),),
        overrides=(),
        calendar=WorkCalendar(),
        tz=SHANGHAI,
    )
    assert on_duty(roster, sh(2026, 3, 2, 8, 59)).engineer_id == 2  # the turn extends back before the anchor
    assert on_duty(roster, sh(2026, 3, 2, 9, 0)).engineer_id == 1
    assert on_duty(roster, sh(2026, 3, 9, 8, 59)).engineer_id == 1  # Sunday night, Monday morning: still A
    assert on_duty(roster, sh(2026, 3, 9, 9, 0)).engineer_id == 2
    assert next_handover(roster, sh(2026, 3, 4, 12, 0)).start == sh(2026, 3, 9, 9, 0)


def test_override_during_a_holiday_survives_editing_the_rotation(roster: DutyRoster) -> None:
    cover = Override(
        id=7, start=sh(2026, 2, 17, 0, 0), end=sh(2026, 2, 18, 0, 0), engineer_id=WANG, rotation=NIGHT,
        kind="cover", reason="Chen Jie travels home", created_by=9001,
    )
    assert on_duty(roster, sh(2026, 2, 17, 10, 0)).engineer_id == CHEN
    covered = with_overrides(roster, [cover])
    shift = on_duty(covered, sh(2026, 2, 17, 10, 0))
    assert (shift.engineer_id, shift.rotation, shift.override) == (WANG, NIGHT, True)
    assert on_duty(covered, sh(2026, 2, 18, 10, 0)).override is False
    plan = day_plan(covered, date(2026, 2, 17))
    assert [(s["engineer"]["id"], s["override"]) for s in plan["shifts"]] == [(WANG, True), (WANG, True)]
    # A manager replaces the night rotation's engineers; the override is kept apart and still applies.
    edited = dataclasses.replace(
        covered,
        rotations=(covered.rotations[0], dataclasses.replace(covered.rotations[1], engineers=(LIU, CHEN))),
    )
    assert on_duty(edited, sh(2026, 2, 17, 10, 0)).engineer_id == WANG
    assert on_duty(edited, sh(2026, 2, 18, 10, 0)).engineer_id in (LIU, CHEN)
    assert on_duty(edited, sh(2026, 2, 18, 10, 0)).override is False
    # Rotation-scoped: the day rotation's slot on a working day is not touched by a night override.
    evening = with_overrides(roster, [dataclasses.replace(cover, start=sh(2026, 3, 3, 10), end=sh(2026, 3, 3, 20))])
    assert on_duty(evening, sh(2026, 3, 3, 11, 0)).engineer_id == day_engineer(date(2026, 3, 3))
    assert on_duty(evening, sh(2026, 3, 3, 19, 0)).engineer_id == WANG


def test_a_swap_exchanges_two_nights(roster: DutyRoster) -> None:
    first, second = date(2026, 2, 24), date(2026, 2, 25)
    a, b = night_engineer(first), night_engineer(second)
    assert (a, b) == (WANG, CHEN)
    swapped = with_overrides(roster, [
        Override(None, sh(2026, 2, 24, 18), sh(2026, 2, 25, 18), b, NIGHT, "swap", "exchange", 9001),
        Override(None, sh(2026, 2, 25, 18), sh(2026, 2, 26, 18), a, NIGHT, "swap", "exchange", 9001),
    ])
    assert on_duty(swapped, sh(2026, 2, 24, 20, 0)).engineer_id == CHEN
    assert on_duty(swapped, sh(2026, 2, 25, 20, 0)).engineer_id == WANG
    assert on_duty(swapped, sh(2026, 2, 25, 10, 0)).engineer_id == day_engineer(second)  # day slot untouched
    assert on_duty(swapped, sh(2026, 2, 26, 20, 0)).engineer_id == night_engineer(date(2026, 2, 26))


def test_overlapping_overrides_newest_wins_and_rotation_wide_beats_scoped(roster: DutyRoster) -> None:
    window = (sh(2026, 3, 3, 20), sh(2026, 3, 3, 22))
    older = Override(1, *window, LIU, NIGHT)
    newer = Override(2, *window, WANG, NIGHT)
    assert on_duty(with_overrides(roster, [newer, older]), sh(2026, 3, 3, 21)).engineer_id == WANG
    wide = Override(1, *window, 4242, None)
    shift = on_duty(with_overrides(roster, [newer, wide]), sh(2026, 3, 3, 21))
    assert (shift.engineer_id, shift.rotation) == (4242, NIGHT)


def test_removing_a_rotation_shows_the_gaps(config: Config) -> None:
    full = roster_from_config(config)
    day_only = dataclasses.replace(full, rotations=full.rotations[:1])
    assert gaps(day_only, sh(2026, 3, 3, 0), sh(2026, 3, 4, 0)) == [
        (sh(2026, 3, 3, 0), sh(2026, 3, 3, 9)),
        (sh(2026, 3, 3, 18), sh(2026, 3, 4, 0)),
    ]
    # Friday evening to Monday morning is one gap, across two midnights.
    assert gaps(day_only, sh(2026, 3, 6, 12), sh(2026, 3, 9, 12)) == [(sh(2026, 3, 6, 18), sh(2026, 3, 9, 9))]
    assert on_duty(day_only, sh(2026, 3, 7, 12)) is None
    assert next_handover(day_only, sh(2026, 3, 7, 12)).start == sh(2026, 3, 9, 9)
    assert on_duty_until(day_only, sh(2026, 3, 7, 12)) == sh(2026, 3, 9, 9)
    # A rotation-wide override fills a gap.
    filled = with_overrides(day_only, [Override(None, sh(2026, 3, 7, 9), sh(2026, 3, 7, 17), CHEN)])
    shift = on_duty(filled, sh(2026, 3, 7, 12))
    assert (shift.engineer_id, shift.rotation, shift.override) == (CHEN, GAP_ROTATION, True)
    assert gaps(filled, sh(2026, 3, 7, 0), sh(2026, 3, 8, 0)) == [
        (sh(2026, 3, 7, 0), sh(2026, 3, 7, 9)),
        (sh(2026, 3, 7, 17), sh(2026, 3, 8, 0)),
    ]


def test_hours_crossing_midnight_belong_to_the_day_they_start() -> None:
    roster = DutyRoster(
        engineers={1: EngineerInfo(1, "A")},
        rotations=(RotationRule("evenings", (1,), "daily", time(18), "workdays", (time(18), time(9))),),
        overrides=(),
        calendar=WorkCalendar(),
        tz=SHANGHAI,
    )
    assert on_duty(roster, sh(2026, 3, 7, 8, 0)) is not None  # Saturday morning: Friday's night
    assert on_duty(roster, sh(2026, 3, 7, 19, 0)) is None  # Saturday evening: not a working day
    assert on_duty(roster, sh(2026, 3, 9, 8, 0)) is None  # Monday morning: Sunday's night, not covered
    assert on_duty(roster, sh(2026, 3, 9, 12, 0)) is None  # outside the hours


def test_backup_selection(roster: DutyRoster) -> None:
    at = sh(2026, 3, 3, 10)
    shift = on_duty(roster, at)
    assert shift.engineer_id == WANG and backup_for(roster, at, shift) == LIU  # next in the same rotation
    night_at = sh(2026, 3, 3, 20)
    night = on_duty(roster, night_at)
    assert night.engineer_id == CHEN and backup_for(roster, night_at, night) == LIU
    # With a named backup rotation, its engineer at that instant backs up the day rotation.
    named = dataclasses.replace(
        roster, rotations=(dataclasses.replace(roster.rotations[0], backup=NIGHT), roster.rotations[1])
    )
    wednesday = sh(2026, 3, 4, 10)
    assert night_engineer(date(2026, 3, 3)) == CHEN
    assert backup_for(named, wednesday, on_duty(named, wednesday)) == CHEN
    # ... but never the same person: on Tuesday the night slot is Wang Wei, who is on the day shift.
    assert night_engineer(date(2026, 3, 2)) == WANG
    assert backup_for(named, at, on_duty(named, at)) == LIU
    lonely = DutyRoster({1: EngineerInfo(1, "A")}, (RotationRule("solo", (1,)),), (), WorkCalendar(), SHANGHAI)
    assert backup_for(lonely, at, on_duty(lonely, at)) is None


def test_candidates_put_the_engineer_on_duty_first(roster: DutyRoster) -> None:
    at = sh(2026, 3, 3, 10)
    assert candidates(roster, at, "network", None) == [WANG, LIU, CHEN]  # tier 1 before tier 2
    assert candidates(roster, at, "projector", None) == [WANG, CHEN, LIU]  # only Chen Jie fixes projectors
    assert candidates(roster, at, None, None)[0] == WANG
    assert candidates(dataclasses.replace(roster, rotations=()), at, "pc", None) == [WANG, LIU, CHEN]


def test_candidates_match_an_engineers_site_however_it_was_typed() -> None:
    engineers = {1: EngineerInfo(1, "On duty"), 2: EngineerInfo(2, "North", sites=("Branch-North",)),
                 3: EngineerInfo(3, "Twelfth floor", sites=("HQ-12F",))}
    roster = DutyRoster(engineers, (RotationRule("solo", (1,)),), (), WorkCalendar(), SHANGHAI)
    at = sh(2026, 3, 3, 10)
    assert candidates(roster, at, None, "Branch-North") == [1, 2, 3]
    # the full-width "ＨＱ－１２Ｆ" a Chinese IME types, or another case and a space, is the engineer's HQ-12F
    assert candidates(roster, at, None, "ＨＱ－１２Ｆ") == [1, 3, 2]
    assert candidates(roster, at, None, " hq-12f") == [1, 3, 2]


def test_daylight_saving_does_not_shift_the_handover() -> None:
    roster = DutyRoster(
        engineers={1: EngineerInfo(1, "A"), 2: EngineerInfo(2, "B")},
        rotations=(RotationRule("all", (1, 2), "daily", time(9), "all", None, None, date(2026, 3, 1)),),
        overrides=(),
        calendar=WorkCalendar(),
        tz=BERLIN,
    )
    for month, first, last in ((3, 27, 31), (10, 23, 27)):
        for day in range(first, last + 1):
            nine = datetime(2026, month, day, 9, 0, tzinfo=BERLIN)
            after, before = on_duty(roster, nine), on_duty(roster, nine - timedelta(minutes=1))
            assert after.start == nine.astimezone(UTC) and after.start.astimezone(BERLIN).hour == 9
            assert after.engineer_id != before.engineer_id
    # The short and the long day are still covered end to end, split at midnight and 09:00.
    short = shifts(roster, datetime(2026, 3, 29, tzinfo=BERLIN), datetime(2026, 3, 30, tzinfo=BERLIN))
    assert sum((s.end - s.start for s in short), timedelta()) == timedelta(hours=23)
    long = shifts(roster, datetime(2026, 10, 25, tzinfo=BERLIN), datetime(2026, 10, 26, tzinfo=BERLIN))
    assert sum((s.end - s.start for s in long), timedelta()) == timedelta(hours=25)
    assert [s.start.astimezone(BERLIN).strftime("%H:%M%z") for s in long] == ["00:00+0200", "09:00+0100"]
    plan = day_plan(roster, date(2026, 10, 25))
    assert plan["shifts"][0]["start"] == "2026-10-25T00:00:00+02:00"
    assert plan["shifts"][-1]["end"] == "2026-10-26T00:00:00+01:00"


def test_a_handover_in_the_skipped_or_repeated_hour_is_deterministic() -> None:
    roster = DutyRoster(
        engineers={1: EngineerInfo(1, "A"), 2: EngineerInfo(2, "B")},
        rotations=(RotationRule("all", (1, 2), "daily", time(2, 30), "all", None, None, date(2026, 3, 1)),),
        overrides=(),
        calendar=WorkCalendar(),
        tz=BERLIN,
    )
    spring = next_handover(roster, datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN))
    assert spring.start == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:30 doesn't exist: the jump to 03:00
    autumn = next_handover(roster, datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN))
    assert autumn.start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (summer time)
    # The repeated half hour after it belongs to the new turn.
    assert on_duty(roster, datetime(2026, 10, 25, 1, 15, tzinfo=UTC)).engineer_id == autumn.engineer_id


def test_inputs_are_checked(roster: DutyRoster) -> None:
    with pytest.raises(ValueError):
        on_duty(roster, datetime(2026, 3, 3, 10))  # naive: refused, never guessed
    with pytest.raises(ValueError):
        Override(None, sh(2026, 3, 3, 10), sh(2026, 3, 3, 9), WANG)
    with pytest.raises(ValueError):
        RotationRule("empty", ())
    with pytest.raises(ValueError):
        dataclasses.replace(roster, rotations=(roster.rotations[0], roster.rotations[0]))
    assert isinstance(on_duty(roster, sh(2026, 3, 3, 10)), Shift)


def test_engineer_lists_and_days_edited_from_chat(config: Config) -> None:
    overrides = [Override(3, sh(2026, 3, 3, 20), sh(2026, 3, 3, 22), CHEN, NIGHT)]
    edited = roster_from_config(
        config,
        overrides,
        rotation_engineers={DAY: (LIU,), "no-such-rotation": (CHEN,)},
        holidays={date(2026, 3, 4): "Site closed"},
    )
    assert on_duty(edited, sh(2026, 3, 3, 10)).engineer_id == LIU  # the edited list, not the file's
    assert on_duty(edited, sh(2026, 3, 3, 21)).engineer_id == CHEN  # the stored override still applies
    assert on_duty(edited, sh(2026, 3, 4, 10)).rotation == NIGHT  # a holiday now: no day rotation
    assert day_plan(edited, date(2026, 3, 4))["name"] == "Site closed"
