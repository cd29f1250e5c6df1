"""Plain unit tests of the channel-free core: ticket lifecycle, SLA deadlines, the draft."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import intake
from bot.domain.clock import FakeClock
from bot.domain.durations import format_duration, parse_duration
from bot.domain.intake import Step
from bot.domain.severity import Severity
from bot.domain.sites import site_key
from bot.domain.sla import (
    DEFAULT_TARGETS,
    ROUND_THE_CLOCK,
    RoundTheClock,
    SlaPolicy,
    SlaTargets,
    SlaTerms,
    SlaTier,
    compute_terms,
)
from bot.domain.ticket import (
    TRANSITIONS,
    Action,
    IllegalTransition,
    Status,
    Ticket,
    format_number,
    parse_number,
    transition,
)

WALL = {"24x7": ROUND_THE_CLOCK}

CLOCKS = {"24x7": RoundTheClock()}
T0 = datetime(2026, 2, 16, 1, 30, tzinfo=UTC)  # the first day of Spring Festival 2026, 09:30 Beijing


def _ticket(status: Status = Status.NEW) -> Ticket:
    return Ticket(number="HD-2026-00001", reporter_id=1, description="jam", severity=Severity.P2,
                  opened_at=T0, sla=SlaTerms(tier=None, clock="24x7"), status=status)


# ---- lifecycle ------------------------------------------------------------------------------------
HAPPY_PATH = [Action.ASSIGN, Action.ACCEPT, Action.ARRIVE, Action.RESOLVE, Action.CLOSE]


def test_happy_path_walks_every_state_and_logs_each_change() -> None:
    ticket, clock, events = _ticket(), FakeClock(T0), []
    for action in HAPPY_PATH:
        extra = {"assignee": 7} if action is Action.ASSIGN else {}
        ticket, event = transition(ticket, action, actor_id=7, at=clock.advance(timedelta(minutes=5)), **extra)
        events.append(event)
    assert ticket.status is Status.CLOSED
    assert (ticket.dispatched_at, ticket.accepted_at, ticket.arrived_at, ticket.resolved_at) == tuple(
        T0 + timedelta(minutes=m) for m in (5, 10, 15, 20))
    assert ticket.assignee_id == 7
    assert [(e.data["from"], e.data["to"]) for e in events] == [
        ("new", "assigned"), ("assigned", "accepted"), ("accepted", "on_site"),
        ("on_site", "resolved"), ("resolved", "closed"),
    ]
    assert events[-1].at == T0 + timedelta(minutes=25) and events[-1].actor_id == 7


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
def test_every_transition_is_either_allowed_or_refused_with_a_reason(status: Status, action: Action) -> None:
    allowed_from, target = TRANSITIONS[action]
    extra = {"assignee": 9} if action is Action.ASSIGN else {}
    if status in allowed_from:
        ticket, event = transition(_ticket(status), action, actor_id=1, at=T0, **extra)
        assert ticket.status is target and event.kind == action.value
    else:
        with pytest.raises(IllegalTransition, match=f"cannot {action.value} a ticket that is {status.value}"):
            transition(_ticket(status), action, actor_id=1, at=T0, **extra)


def test_reopen_after_close_and_cancel_keeps_reason() -> None:
    closed = _ticket(Status.CLOSED)
    reopened, _ = transition(closed, Action.REOPEN, actor_id=1, at=T0)
    assert reopened.status is Status.REOPENED and reopened.is_open
    cancelled, event = transition(reopened, Action.CANCEL, actor_id=1, at=T0, reason="duplicate")
    assert cancelled.cancel_reason == "duplicate" and event.data["reason"] == "duplicate"
    assert not cancelled.is_open


def test_ticket_numbers() -> None:
    assert format_number(2026, 42) == "HD-2026-00042"
    assert format_number(2026, 123456) == "HD-2026-123456"
    assert parse_number(" hd-2026-00042 ") == "HD-2026-00042"
    assert parse_number("HD-26-1") is None and parse_number("42") is None


# ---- SLA ------------------------------------------------------------------------------------------
POLICY = SlaPolicy(
    targets=DEFAULT_TARGETS,
    tiers=(
        SlaTier("vip", {Severity.P1: SlaTargets(timedelta(minutes=15), timedelta(hours=1), timedelta(hours=2))},
                sites=frozenset({"HQ-12F"}), reporters=frozenset({42})),
        SlaTier("outlying", {Severity.P1: SlaTargets(onsite=timedelta(hours=4))},
                sites=frozenset({"Branch North"})),
    ),
)


def test_default_table_on_the_24x7_clock_ignores_holidays() -> None:
    terms = compute_terms(POLICY, Severity.P1, opened_at=T0, site=None, reporter_id=1, clocks=CLOCKS)
    d = terms.deadlines
    assert terms.tier is None
    assert (d.respond_by, d.onsite_by, d.resolve_by) == (
        T0 + timedelta(minutes=30), T0 + timedelta(hours=2), T0 + timedelta(hours=4))


def test_p3_has_no_resolve_promise_and_p4_only_a_response() -> None:
    p3 = compute_terms(POLICY, Severity.P3, opened_at=T0, site=None, reporter_id=1, clocks=CLOCKS)
    p4 = compute_terms(POLICY, Severity.P4, opened_at=T0, site=None, reporter_id=1, clocks=CLOCKS)
    assert p3.deadlines.onsite_by == T0 + timedelta(hours=24) and p3.deadlines.resolve_by is None
    assert p4.deadlines.respond_by == T0 + timedelta(days=1)
    assert p4.deadlines.onsite_by is None and p4.deadlines.resolve_by is None


def test_tier_by_site_ignores_case_and_spaces_and_only_overrides_what_it_sets() -> None:
    vip = compute_terms(POLICY, Severity.P1, opened_at=T0, site="hq-12f", reporter_id=1, clocks=CLOCKS)
    assert vip.tier == "vip" and vip.deadlines.respond_by == T0 + timedelta(minutes=15)
    far = compute_terms(POLICY, Severity.P1, opened_at=T0, site="branchnorth", reporter_id=1, clocks=CLOCKS)
    assert far.tier == "outlying"
    assert far.deadlines.onsite_by == T0 + timedelta(hours=4)  # loosened
    assert far.deadlines.respond_by == T0 + timedelta(minutes=30)  # kept from the table
    p2 = compute_terms(POLICY, Severity.P2, opened_at=T0, site="HQ-12F", reporter_id=1, clocks=CLOCKS)
    assert p2.tier == "vip" and p2.deadlines.respond_by == T0 + timedelta(hours=1)


def test_one_site_key_folds_width_case_and_spaces_but_keeps_punctuation() -> None:
    assert site_key("ＨＱ－１２Ｆ") == site_key("HQ-12F") == site_key(" hq - 12f ") == "hq-12f"
    assert site_key("HQ 12F") == site_key("hq12f") != site_key("HQ-12F")
    assert site_key(None) == site_key("") == ""
    full_width = compute_terms(POLICY, Severity.P1, opened_at=T0, site="ＨＱ－１２Ｆ", reporter_id=1, clocks=CLOCKS)
    assert full_width.tier == "vip" and full_width.deadlines.respond_by == T0 + timedelta(minutes=15)


def test_reporter_tier_wins_over_site_tier() -> None:
    terms = compute_terms(POLICY, Severity.P1, opened_at=T0, site="Branch North", reporter_id=42,
                          clocks=CLOCKS)
    assert terms.tier == "vip"


def test_durations() -> None:
    assert parse_duration("45s") == timedelta(seconds=45)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration(" 3d ") == timedelta(days=3)
    assert format_duration(timedelta(minutes=90)) == "1h30m"
    for bad in ("", "soon", "10", "0m", "5x", "-5m"):
        with pytest.raises(ValueError):
            parse_duration(bad)


# ---- the draft ------------------------------------------------------------------------------------
def test_next_question_is_derived_from_what_is_missing() -> None:
    draft = intake.start(1, T0)
    assert draft.step is Step.DESCRIBE
    draft = intake.describe(draft, "  paper jam  ")
    assert draft.description == "paper jam" and draft.step is Step.DEVICE
    draft = intake.choose_device_type(draft, "printer")
    assert draft.step is Step.SITE
    draft = intake.set_site(draft, "HQ-3F")
    assert draft.step is Step.ROOM
    draft = intake.set_room(draft, None)
    assert draft.step is Step.SEVERITY and draft.room is None
    draft = intake.set_severity(draft, "p2")
    assert draft.step is Step.CONTACT
    draft = intake.set_phone(draft, "138 0000 1234")
    assert draft.step is Step.SUMMARY and draft.phone == "+8613800001234"


def test_edit_clears_one_answer_and_comes_back_to_the_summary() -> None:
    draft = intake.set_phone(intake.set_severity(intake.set_room(intake.set_site(
        intake.choose_device_type(intake.describe(intake.start(1, T0), "x"), "pc"), "HQ"), "1"), "P3"),
        "13800001234")
    edited = intake.edit(draft, Step.SITE)
    assert edited.step is Step.SITE and edited.editing
    edited = intake.set_site(edited, "Branch")
    assert edited.step is Step.ROOM  # a new site needs its room again
    edited = intake.set_room(edited, "2")
    assert edited.step is Step.SUMMARY and not edited.editing and edited.severity is Severity.P3
    with pytest.raises(intake.Rejected):
        intake.edit(intake.start(1, T0), Step.SITE)  # only from the summary


@pytest.mark.parametrize(("call", "code"), [
    (lambda d: intake.describe(d, " "), "empty"),
    (lambda d: intake.describe(d, "x" * 2001), "too_long"),
    (lambda d: intake.describe_with_photos_only(d), "no_photo"),
    (lambda d: intake.add_photo(d, "f", 11 * 2**20, 10 * 2**20), "photo_too_big"),
    (lambda d: intake.choose_device_type(d, "toaster"), "bad_choice"),
    (lambda d: intake.set_severity(d, "P9"), "bad_choice"),
    (lambda d: intake.set_phone(d, "12"), "bad_phone"),
    (lambda d: intake.set_site(d, "s" * 101), "too_long"),
])
def test_rejected_answers_name_their_reason(call, code: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(intake.Rejected) as caught:
        call(intake.start(1, T0))
    assert caught.value.code == code


def test_photos_are_capped_and_not_doubled() -> None:
    draft = intake.start(1, T0)
    for i in range(intake.MAX_PHOTOS):
        draft = intake.add_photo(draft, f"f{i}", 1000, 10**7)
    assert intake.add_photo(draft, "f0", 1000, 10**7) is draft
    with pytest.raises(intake.Rejected, match="too_many_photos"):
        intake.add_photo(draft, "new", 1000, 10**7)


def test_fake_clock_moves_72_hours_at_once() -> None:
    clock = FakeClock(T0)
    assert clock.advance(timedelta(hours=72)) == T0 + timedelta(hours=72)
    with pytest.raises(ValueError):
        FakeClock(datetime(2026, 1, 1))


def test_pause_moves_deadlines_and_resolve_ends_the_pause() -> None:
    from bot.domain.sla import Deadlines
    from bot.domain.ticket import Happening, happened

    ticket = Ticket(number="HD-2026-00001", reporter_id=1, description="x", severity=Severity.P2, opened_at=T0,
                    sla=SlaTerms(tier=None, clock="24x7", deadlines=Deadlines(resolve_by=T0 + timedelta(hours=8))),
                    status=Status.ACCEPTED)
    paused, event = happened(ticket, Happening.PAUSED, actor_id=7, at=T0 + timedelta(hours=1), reason="part")
    assert event.kind == "paused" and paused.pause_reason == "part"
    now = T0 + timedelta(hours=4)
    assert paused.deadline("resolve", now, clocks=WALL) == T0 + timedelta(hours=11)  # 3 hours paused so far
    resumed, _ = happened(paused, Happening.RESUMED, actor_id=7, at=now)
    assert resumed.paused_seconds == 3 * 3600 and resumed.paused_since is None
    assert resumed.deadline("resolve", now + timedelta(days=1), clocks=WALL) == T0 + timedelta(hours=11)
    again, _ = happened(resumed, Happening.PAUSED, actor_id=7, at=now)
    done, _ = transition(again, Action.RESOLVE, actor_id=7, at=now + timedelta(hours=1), resolution="fuser")
    assert done.paused_seconds == 4 * 3600 and done.resolution == "fuser" and done.reached("resolve") is not None
