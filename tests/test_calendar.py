"""Working days: China's statutory holidays and swapped working days (调休), local extras, unknown years."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.config import BusinessHoursSection
from bot.domain.calendar import Day, DayKind, WorkCalendar, local_midnight, wall_to_utc
from bot.services.deployment import calendar_from_config
from bot.services.holidays import china_calendar, years_to_flag

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def cn() -> WorkCalendar:
    return china_calendar()


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_spring_festival_2026_matches_the_package(cn: WorkCalendar) -> None:
    package = holidays.China(years=2026)
    for d in _span(date(2026, 2, 15), date(2026, 2, 23)):
        assert not cn.is_working_day(d), d
        assert cn.day(d).kind is (DayKind.HOLIDAY if d in package else DayKind.RESTDAY)
    assert {date(2026, 2, 14), date(2026, 2, 28)} <= package.weekend_workdays
    for swapped in (date(2026, 2, 14), date(2026, 2, 28)):
        day = cn.day(swapped)
        assert swapped.weekday() == 5
        assert day.kind is DayKind.SWAPPED_WORKDAY
        assert cn.is_working_day(swapped)
        assert "Spring Festival" in (day.name or "") and day.name.endswith("(swapped working day)")
    assert cn.is_working_day(date(2026, 2, 13)) and cn.is_working_day(date(2026, 2, 24))
    assert cn.day(date(2026, 2, 17)).name == "Chinese New Year (Spring Festival)"


def test_swapped_days_know_which_weekday_they_stand_in_for(cn: WorkCalendar) -> None:
    # Sat 14 Feb is worked instead of Fri 20 Feb; Sat 28 Feb instead of Mon 23 Feb.
    assert cn.substituted_weekday(date(2026, 2, 14)) == 4
    assert cn.substituted_weekday(date(2026, 2, 28)) == 0
    assert cn.substituted_weekday(date(2026, 2, 13)) is None
    assert "2026-02-14" in (cn.day(date(2026, 2, 20)).name or "")


def test_national_day_2026(cn: WorkCalendar) -> None:
    for d in _span(date(2026, 10, 1), date(2026, 10, 7)):
        assert not cn.is_working_day(d), d
    assert cn.day(date(2026, 10, 1)).kind is DayKind.HOLIDAY
    assert cn.day(date(2026, 10, 1)).name == "National Day"
    for swapped in (date(2026, 9, 20), date(2026, 10, 10)):
        assert cn.day(swapped).kind is DayKind.SWAPPED_WORKDAY
        assert "National Day" in (cn.day(swapped).name or "")
    assert cn.is_working_day(date(2026, 10, 8))
    assert cn.day(date(2026, 10, 11)).kind is DayKind.RESTDAY


def test_extra_holiday_and_extra_workday_win_over_the_package() -> None:
    cal = china_calendar(
        extra_holidays=[date(2026, 12, 24), date(2026, 10, 10)],
        extra_workdays=[date(2026, 10, 5), date(2026, 12, 26)],
    )
    assert cal.day(date(2026, 12, 24)).kind is DayKind.HOLIDAY  # an ordinary Thursday made a holiday
    assert cal.day(date(2026, 12, 24)).name == "Local holiday"
    assert not cal.is_working_day(date(2026, 10, 10))  # the package's swapped Saturday, given back
    assert cal.day(date(2026, 10, 5)).kind is DayKind.WORKDAY  # a National Day holiday, worked locally
    assert cal.is_working_day(date(2026, 10, 5))
    assert cal.day(date(2026, 12, 26)).kind is DayKind.SWAPPED_WORKDAY  # a plain Saturday, worked
    # The package's own answer is unchanged without the extras.
    assert not china_calendar().is_working_day(date(2026, 10, 5))


def test_a_date_cannot_be_both_extra_holiday_and_extra_workday() -> None:
    with pytest.raises(ValueError, match="2026-05-06"):
        WorkCalendar.weekends_only([date(2026, 5, 6)], [date(2026, 5, 6)])


def test_unknown_year_is_flagged_ahead_of_time(cn: WorkCalendar) -> None:
    assert cn.is_known(2026) and cn.is_known(2001)
    assert not cn.is_known(2027)
    assert years_to_flag(cn, date(2026, 6, 1)) == []
    assert years_to_flag(cn, date(2026, 11, 15)) == [2027]
    assert years_to_flag(cn, date(2026, 11, 15), ahead_days=10) == []
    assert cn.unknown_years(date(2025, 1, 1), date(2028, 3, 1)) == [2027, 2028]
    # Still answered for an unknown year (statutory days computed), just not trusted.
    assert cn.day(date(2027, 1, 1)).kind is DayKind.HOLIDAY


def test_known_years_are_the_package_s_published_schedules() -> None:
    cal = china_calendar(years=range(2020, 2030))
    published = set(holidays.China(years=()).special_public_holidays)
    assert {y for y in range(2020, 2030) if cal.is_known(y)} == published & set(range(2020, 2030))
    assert not cal.is_known(2019)  # not computed at all, so not known either


def test_calendar_from_config() -> None:
    none = calendar_from_config(BusinessHoursSection(calendar="none", extra_holidays=(date(2026, 3, 3),)))
    assert none.is_working_day(date(2026, 2, 17))  # no Spring Festival without a calendar
    assert not none.is_working_day(date(2026, 2, 14))
    assert not none.is_working_day(date(2026, 3, 3))
    assert years_to_flag(none, date(2030, 12, 1)) == []
    china = calendar_from_config(BusinessHoursSection(extra_workdays=(date(2026, 2, 17),)))
    assert china.is_working_day(date(2026, 2, 17))
    assert not china.is_working_day(date(2026, 2, 18))


def test_wall_times_across_daylight_saving() -> None:
    # Ordinary days: 09:00 local is 08:00 UTC in winter, 07:00 UTC in summer.
    assert wall_to_utc(date(2026, 3, 28), time(9), BERLIN) == datetime(2026, 3, 28, 8, tzinfo=UTC)
    assert wall_to_utc(date(2026, 3, 30), time(9), BERLIN) == datetime(2026, 3, 30, 7, tzinfo=UTC)
    # 02:30 does not exist on 29 March 2026: it is the jump itself, 03:00 CEST = 01:00 UTC.
    assert wall_to_utc(date(2026, 3, 29), time(2, 30), BERLIN) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert wall_to_utc(date(2026, 3, 29), time(2, 30), BERLIN) <= wall_to_utc(date(2026, 3, 29), time(3), BERLIN)
    # 02:30 happens twice on 25 October 2026: the first time, still summer time (00:30 UTC).
    assert wall_to_utc(date(2026, 10, 25), time(2, 30), BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert local_midnight(date(2026, 10, 26), BERLIN) - local_midnight(date(2026, 10, 25), BERLIN) == timedelta(
        hours=25
    )


def test_days_added_later_win_over_the_configured_extras() -> None:
    configured = china_calendar(extra_holidays=[date(2026, 12, 24)], extra_workdays=[date(2026, 12, 26)])
    later = configured.with_extras(
        holidays={date(2026, 12, 26): "Company outing", date(2026, 11, 2): None},
        workdays={date(2026, 12, 24): None, date(2026, 10, 6): "Audit day"},
    )
    assert later.day(date(2026, 12, 26)) == Day(date(2026, 12, 26), DayKind.HOLIDAY, "Company outing")
    assert later.day(date(2026, 11, 2)).name == "Local holiday"
    assert later.is_working_day(date(2026, 12, 24))
    assert later.day(date(2026, 10, 6)) == Day(date(2026, 10, 6), DayKind.WORKDAY, "Audit day")
    assert configured.is_working_day(date(2026, 12, 26))  # the original is untouched (frozen data)
    with pytest.raises(ValueError):
        configured.with_extras(holidays={date(2026, 5, 6): None}, workdays={date(2026, 5, 6): None})
