"""The business-hours SLA clock: only open hours count; weekends and holidays don't; 调休 Saturdays do."""

from __future__ import annotations

import time as wallclock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import parse_config
from bot.domain.business_hours import BusinessHoursClock, NoBusinessHoursError
from bot.domain.calendar import WorkCalendar
from bot.domain.sla import RoundTheClock, SlaClock
from bot.services.deployment import business_clock_from_config
from bot.services.holidays import china_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NINE_TO_SIX = {day: (time(9), time(18)) for day in range(5)}


def sh(*args: int) -> datetime:
    """A Shanghai wall-clock time as a UTC instant (Shanghai has no daylight saving)."""
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture(scope="module")
def clock() -> BusinessHoursClock:
    return BusinessHoursClock(NINE_TO_SIX, china_calendar(), SHANGHAI)


def test_it_is_an_sla_clock(clock: BusinessHoursClock) -> None:
    as_protocol: SlaClock = clock
    opened = sh(2026, 3, 6, 17, 0)  # Friday 17:00
    assert as_protocol.add(opened, timedelta(minutes=30)) == sh(2026, 3, 6, 17, 30)
    assert as_protocol.add(opened, timedelta(hours=4)) == sh(2026, 3, 9, 12, 0)  # 1 h Friday + 3 h Monday
    assert RoundTheClock().add(opened, timedelta(hours=4)) == sh(2026, 3, 6, 21, 0)


def test_start_inside_hours(clock: BusinessHoursClock) -> None:
    assert clock.add(sh(2026, 3, 2, 10, 0), timedelta(hours=2)) == sh(2026, 3, 2, 12, 0)
    assert clock.add(sh(2026, 3, 2, 10, 0), timedelta(hours=8)) == sh(2026, 3, 2, 18, 0)  # ends at closing
    assert clock.add(sh(2026, 3, 2, 10, 0), timedelta(hours=9)) == sh(2026, 3, 3, 10, 0)


def test_start_outside_hours_waits_for_the_next_opening(clock: BusinessHoursClock) -> None:
    assert clock.add(sh(2026, 3, 2, 7, 0), timedelta(hours=1)) == sh(2026, 3, 2, 10, 0)
    assert clock.add(sh(2026, 3, 2, 19, 0), timedelta(hours=1)) == sh(2026, 3, 3, 10, 0)
    assert clock.next_opening(sh(2026, 3, 2, 19, 0)) == sh(2026, 3, 3, 9, 0)
    assert clock.next_opening(sh(2026, 3, 2, 11, 0)) == sh(2026, 3, 2, 11, 0)
    assert clock.is_open(sh(2026, 3, 2, 9, 0)) and not clock.is_open(sh(2026, 3, 2, 18, 0))


def test_across_a_weekend(clock: BusinessHoursClock) -> None:
    assert clock.add(sh(2026, 3, 6, 17, 0), timedelta(hours=2)) == sh(2026, 3, 9, 10, 0)
    assert clock.add(sh(2026, 3, 7, 11, 0), timedelta(minutes=30)) == sh(2026, 3, 9, 9, 30)


def test_across_spring_festival(clock: BusinessHoursClock) -> None:
    # Fri 13 Feb 17:00 + 2 h: 1 h on Friday, then Saturday 14 Feb is a working day (调休).
    assert clock.add(sh(2026, 2, 13, 17, 0), timedelta(hours=2)) == sh(2026, 2, 14, 10, 0)
    # From the swapped Saturday's last hour, the festival (15–23 Feb) is skipped entirely.
    assert clock.add(sh(2026, 2, 14, 17, 0), timedelta(hours=2)) == sh(2026, 2, 24, 10, 0)
    assert clock.add(sh(2026, 2, 17, 10, 0), timedelta(hours=4)) == sh(2026, 2, 24, 13, 0)


def test_swapped_saturday_keeps_the_hours_of_the_day_it_stands_in_for() -> None:
    hours = {0: (time(9), time(18)), 1: (time(9), time(18)), 2: (time(9), time(18)), 3: (time(9), time(18)),
             4: (time(9), time(15))}
    clock = BusinessHoursClock(hours, china_calendar(), SHANGHAI)
    # 14 Feb stands in for Friday 20 Feb (short Friday): open 09:00–15:00 only.
    assert clock.hours_on(date(2026, 2, 14)) == ((time(9), time(15)),)
    assert clock.add(sh(2026, 2, 14, 9, 0), timedelta(hours=7)) == sh(2026, 2, 24, 10, 0)
    # 28 Feb stands in for Monday 23 Feb: the full day.
    assert clock.hours_on(date(2026, 2, 28)) == ((time(9), time(18)),)
    # A swapped day with no known substitute (a local extra workday) takes Monday's hours.
    local = BusinessHoursClock(hours, WorkCalendar.weekends_only(extra_workdays=[date(2026, 3, 7)]), SHANGHAI)
    assert local.hours_on(date(2026, 3, 7)) == ((time(9), time(18)),)
    # ... and without Monday configured, the first configured weekday's.
    no_monday = BusinessHoursClock({2: (time(10), time(16)), 3: (time(8), time(12))},
                                   WorkCalendar.weekends_only(extra_workdays=[date(2026, 3, 7)]), SHANGHAI)
    assert no_monday.hours_on(date(2026, 3, 7)) == ((time(10), time(16)),)


def test_holidays_close_even_configured_weekend_hours() -> None:
    hours = {**NINE_TO_SIX, 5: (time(10), time(14))}
    clock = BusinessHoursClock(hours, china_calendar(), SHANGHAI)
    assert clock.hours_on(date(2026, 3, 7)) == ((time(10), time(14)),)  # an ordinary Saturday opens
    assert clock.hours_on(date(2026, 2, 21)) == ((time(10), time(14)),)  # a plain Saturday inside the festival
    assert clock.hours_on(date(2026, 10, 3)) is None  # National Day on a Saturday: closed
    assert clock.hours_on(date(2026, 3, 8)) is None  # Sunday: not configured


def test_zero_and_long_durations(clock: BusinessHoursClock) -> None:
    evening = sh(2026, 3, 2, 20, 0)
    assert clock.add(evening, timedelta(0)) == evening  # nothing owed, nothing moves
    with pytest.raises(ValueError):
        clock.add(evening, timedelta(minutes=-1))
    begun = wallclock.perf_counter()
    start = sh(2026, 1, 5, 9, 0)
    due = clock.add(start, timedelta(hours=1000))
    assert wallclock.perf_counter() - begun < 1.0
    assert clock.business_time_between(start, due) == timedelta(hours=1000)
    # 1000 h = 111 full working days of 9 h, then 1 h into the 112th working day.
    cal = china_calendar()
    due_day = due.astimezone(SHANGHAI).date()
    worked = [start.date() + timedelta(days=i) for i in range((due_day - start.date()).days)]
    assert sum(cal.is_working_day(d) for d in worked) == 111
    assert cal.is_working_day(due_day) and due.astimezone(SHANGHAI).time() == time(10)
    for hours in (1, 9, 45, 200):
        d = clock.add(sh(2026, 2, 12, 16, 20), timedelta(hours=hours))
        assert clock.business_time_between(sh(2026, 2, 12, 16, 20), d) == timedelta(hours=hours)


def test_no_working_day_is_a_clear_error_not_an_endless_loop() -> None:
    never = WorkCalendar(holidays={date(2026, 3, 1) + timedelta(days=i): "Closure" for i in range(60)})
    clock = BusinessHoursClock(NINE_TO_SIX, never, SHANGHAI, max_closed_days=30)
    with pytest.raises(NoBusinessHoursError, match="30 days"):
        clock.add(sh(2026, 3, 2, 10, 0), timedelta(hours=1))
    # The bound is on consecutive closed days: with a longer one, the desk reopens after the closure.
    patient = BusinessHoursClock(NINE_TO_SIX, never, SHANGHAI, max_closed_days=90)
    assert patient.add(sh(2026, 3, 2, 10, 0), timedelta(hours=1)) == sh(2026, 4, 30, 10, 0)
    with pytest.raises(NoBusinessHoursError):
        BusinessHoursClock({}, WorkCalendar(), SHANGHAI)


def test_business_time_between(clock: BusinessHoursClock) -> None:
    assert clock.business_time_between(sh(2026, 3, 6, 17, 0), sh(2026, 3, 9, 10, 0)) == timedelta(hours=2)
    assert clock.business_time_between(sh(2026, 3, 9, 10, 0), sh(2026, 3, 6, 17, 0)) == -timedelta(hours=2)
    assert clock.business_time_between(sh(2026, 3, 7, 10, 0), sh(2026, 3, 8, 10, 0)) == timedelta(0)
    # Thu 12 Feb 09:00 → Tue 24 Feb 09:00: Thu, Fri, swapped Sat = 27 h; the festival adds nothing.
    assert clock.business_time_between(sh(2026, 2, 12, 9, 0), sh(2026, 2, 24, 9, 0)) == timedelta(hours=27)


def test_night_hours_cross_midnight_and_belong_to_their_start_day() -> None:
    clock = BusinessHoursClock({4: (time(22), time(6))}, WorkCalendar(), SHANGHAI)
    assert clock.add(sh(2026, 3, 6, 23, 0), timedelta(hours=2)) == sh(2026, 3, 7, 1, 0)
    assert clock.is_open(sh(2026, 3, 7, 5, 0))  # Saturday early morning: still Friday's night
    assert clock.add(sh(2026, 3, 7, 5, 0), timedelta(hours=2)) == sh(2026, 3, 13, 23, 0)


def test_daylight_saving_does_not_move_the_opening_hours() -> None:
    clock = BusinessHoursClock(NINE_TO_SIX, WorkCalendar(), BERLIN)
    # Friday before the spring change (UTC+1) → Monday after it (UTC+2): 09:00 local both times.
    due = clock.add(datetime(2026, 3, 27, 17, 0, tzinfo=BERLIN), timedelta(hours=2))
    assert due == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert due.astimezone(BERLIN).hour == 10
    due = clock.add(datetime(2026, 10, 23, 17, 0, tzinfo=BERLIN), timedelta(hours=2))
    assert due == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_built_from_the_configuration() -> None:
    config = parse_config({"business_hours": {"mon-fri": "08:30-17:30", "extra_holidays": ["2026-03-04"]}})
    clock = business_clock_from_config(config)
    assert clock.hours_on(date(2026, 3, 3)) == ((time(8, 30), time(17, 30)),)
    assert clock.hours_on(date(2026, 3, 4)) is None
    assert clock.hours_on(date(2026, 2, 14)) == ((time(8, 30), time(17, 30)),)


def test_split_hours_close_for_lunch_and_a_bad_split_is_refused() -> None:
    from bot.config import ConfigError

    config = parse_config({"business_hours": {"mon-fri": "09:00-12:00,13:00-18:00"}})
    clock = business_clock_from_config(config)
    assert clock.hours_on(date(2026, 3, 2)) == ((time(9), time(12)), (time(13), time(18)))
    assert clock.add(sh(2026, 3, 2, 11, 0), timedelta(hours=2)) == sh(2026, 3, 2, 14, 0)  # 11–12, 13–14
    assert clock.add(sh(2026, 3, 2, 12, 30), timedelta(minutes=30)) == sh(2026, 3, 2, 13, 30)
    assert not clock.is_open(sh(2026, 3, 2, 12, 15)) and clock.is_open(sh(2026, 3, 2, 13, 0))
    assert clock.business_time_between(sh(2026, 3, 2, 8, 0), sh(2026, 3, 2, 20, 0)) == timedelta(hours=8)
    for bad in ("09:00-13:00,12:00-18:00", "13:00-18:00,09:00-12:00", "22:00-02:00,09:00-12:00"):
        with pytest.raises(ConfigError, match="split"):
            parse_config({"business_hours": {"mon-fri": bad}})


def test_reminders_about_a_5x8_ticket_wait_for_opening_hours_but_never_for_a_p1() -> None:
    from bot.domain.escalation import quiet_until
    from bot.domain.severity import Severity
    from bot.domain.sla import SlaTerms
    from bot.domain.ticket import Ticket

    clocks = {"business": business_clock_from_config(parse_config({})), "24x7": RoundTheClock()}

    def ticket(severity: Severity, clock: str) -> Ticket:
        return Ticket(number="HD-2026-00001", reporter_id=1, description="x", severity=severity,
                      opened_at=sh(2026, 3, 6, 17, 30), sla=SlaTerms(tier=None, clock=clock))

    night = sh(2026, 3, 8, 2, 0)  # Sunday 02:00
    assert quiet_until(ticket(Severity.P3, "business"), night, clocks) == sh(2026, 3, 9, 9, 0)
    assert quiet_until(ticket(Severity.P1, "business"), night, clocks) is None
    assert quiet_until(ticket(Severity.P3, "24x7"), night, clocks) is None
    assert quiet_until(ticket(Severity.P3, "business"), sh(2026, 3, 9, 10, 0), clocks) is None  # open


def test_a_tier_with_its_own_hours_counts_on_them() -> None:
    """A contract with longer service hours for one site: its tickets count on the tier's hours, the
    others on the desk's; the calendar is the same."""
    from bot.config import ConfigError
    from bot.domain.severity import Severity
    from bot.domain.sla import compute_terms
    from bot.services.deployment import Deployment

    config = parse_config({
        "sla": {"clock": "business", "tiers": {"extended": {"sites": ["HQ-12F"], "hours": {"mon-sat": "08:00-20:00"}}}},
        "business_hours": {"mon-fri": "09:00-18:00"},
    })
    deployment = Deployment(config)
    opened = sh(2026, 3, 6, 18, 30)  # Friday 18:30: the desk has closed, the extended tier has not

    def respond_by(site: str) -> datetime | None:
        terms = compute_terms(deployment.sla_policy, Severity.P2, opened_at=opened, site=site, reporter_id=1,
                              clocks=deployment.sla_clocks)
        return terms.deadlines.respond_by

    assert respond_by("HQ-12F") == sh(2026, 3, 6, 19, 30)
    assert respond_by("HQ-3F") == sh(2026, 3, 9, 10, 0)  # Monday: 09:00 + the 1 h
    assert deployment.sla_clocks["business:extended"].hours_on(date(2026, 3, 7)) == ((time(8), time(20)),)
    with pytest.raises(ConfigError, match="only apply to a tier on the business clock"):
        parse_config({"sla": {"tiers": {"x": {"hours": {"mon": "08:00-20:00"}}}}})
