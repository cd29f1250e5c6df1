"""The rate limiter's decisions (bot.domain.pacing), on a clock that is a number the test moves."""

from __future__ import annotations

import pytest

from bot.domain.pacing import Lane, Limits, SendPlan

GROUP = -100_500


def drain(plan: SendPlan, start: float, until: float, step: float = 0.01) -> list[tuple[float, int]]:
    """(instant, ticket) of every release from `start` to `until`, looking every `step` seconds."""
    out: list[tuple[float, int]] = []
    now = start
    while now <= until + 1e-9:
        out += [(round(now, 6), t) for t in plan.release(now)]
        now += step
    return out


def test_a_person_goes_before_a_backlog_of_bulk():
    plan = SendPlan(Limits(overall_rate=10, overall_burst=10), now=0.0)
    bulk = [plan.add(5000 + i, Lane.BULK, 0.0) for i in range(100)]
    assert len(plan.release(0.0)) == 10  # the overall bucket's burst went to bulk: nobody else waited
    person = plan.add(42, Lane.PERSON, 0.0)
    assert plan.release(0.0) == []  # the overall rate is used up for this instant
    assert plan.wake_at(0.0) == pytest.approx(0.1)
    assert plan.release(0.1) == [person]  # the next token is the person's, not the 11th follow-up's
    assert plan.release(0.2) == [bulk[10]]  # bulk has the rate again, in its order


def test_bulk_uses_the_rate_people_leave():
    plan = SendPlan(Limits(overall_rate=10, overall_burst=10, private_burst=1, private_rate=1), now=0.0)
    people = [plan.add(1, Lane.PERSON, 0.0) for _ in range(3)]  # one chat: one a second
    bulk = [plan.add(100 + i, Lane.BULK, 0.0) for i in range(20)]
    first = plan.release(0.0)
    assert first[0] == people[0]
    assert first[1:] == bulk[:9]  # the person's chat is at its pace, so the rest of the second is bulk's
    released = [t for _, t in drain(plan, 0.01, 2.0)]
    assert people[1] in released and people[2] in released
    assert released.index(people[1]) < released.index(bulk[19])


def test_chats_take_turns_so_a_busy_chat_does_not_hold_up_the_others():
    limits = Limits(overall_rate=5, private_rate=100, private_burst=100)  # only the overall rate binds
    plan = SendPlan(limits, now=0.0)
    busy = [plan.add(1, Lane.PERSON, 0.0) for _ in range(300)]
    others = [plan.add(chat, Lane.PERSON, 0.0) for chat in (2, 3, 4)]
    released = [t for _, t in drain(plan, 0.0, 1.0)]
    # the busy chat's first reply, then each of the others, before its second
    assert released[:5] == [busy[0], *others, busy[1]]


def test_a_private_chat_keeps_about_one_message_a_second_after_its_burst():
    plan = SendPlan(Limits(), now=0.0)
    tickets = [plan.add(7, Lane.PERSON, 0.0) for _ in range(8)]
    times = [at for at, _ in drain(plan, 0.0, 5.05)]
    assert times[:3] == [0.0, 0.0, 0.0]  # a short burst passes
    assert times[3:] == pytest.approx([1.0, 2.0, 3.0, 4.0, 5.0], abs=0.011)
    assert len(times) == len(tickets)


def test_a_group_gets_twenty_a_minute():
    plan = SendPlan(Limits(group_rate=20, overall_burst=30), now=0.0)
    for _ in range(25):
        plan.add(GROUP, Lane.PERSON, 0.0)
    assert len(plan.release(0.0)) == 20  # a minute's worth at once, as Telegram counts it
    assert plan.release(2.9) == []
    assert plan.wake_at(2.9) == pytest.approx(3.0)  # then one every three seconds
    assert len(plan.release(3.0)) == 1


def test_the_overall_rate_holds_across_chats():
    plan = SendPlan(Limits(overall_rate=30), now=0.0)
    for chat in range(1, 301):
        plan.add(chat, Lane.PERSON, 0.0)
    released = drain(plan, 0.0, 5.0)
    assert 3 + 5 * 30 - 2 <= len(released) <= 3 + 5 * 30  # a burst of three, then 30 a second
    for start in (0.0, 0.5, 2.0, 4.0):  # no second, wherever it starts, holds more than 33
        assert len([at for at, _ in released if start <= at < start + 1.0]) <= 33


def test_a_retry_after_holds_only_its_chat():
    plan = SendPlan(Limits(), now=0.0)
    assert plan.retry_after(7, 5.0, now=0.0) is False
    held = plan.add(7, Lane.PERSON, 0.0, first=True)
    other = plan.add(8, Lane.PERSON, 0.0)
    assert plan.release(0.0) == [other]
    assert plan.release(4.9) == []
    assert plan.wake_at(4.9) == pytest.approx(5.0)
    assert plan.release(5.0) == [held]


def test_a_retry_after_in_several_chats_at_once_holds_everything():
    plan = SendPlan(Limits(global_hold_chats=3), now=0.0)
    assert plan.retry_after(1, 2.0, now=0.0) is False
    assert plan.retry_after(2, 2.0, now=0.1) is False
    assert plan.retry_after(3, 2.0, now=0.2) is True  # three chats within a second: it is the bot, not a chat
    waiting = plan.add(9, Lane.PERSON, 0.3)
    assert plan.release(1.0) == []
    assert plan.free_at() == pytest.approx(2.2)
    assert plan.release(2.2) == [waiting]


def test_a_retry_after_to_no_chat_holds_everything():
    plan = SendPlan(Limits(), now=0.0)
    assert plan.retry_after(None, 3.0, now=0.0) is True
    ticket = plan.add(9, Lane.PERSON, 0.0)
    assert plan.release(2.9) == [] and plan.release(3.0) == [ticket]


def test_a_request_tried_again_keeps_its_place_in_its_chat():
    plan = SendPlan(Limits(private_burst=1), now=0.0)
    plan.retry_after(7, 1.0, now=0.0)
    later = plan.add(7, Lane.PERSON, 0.0)
    again = plan.add(7, Lane.PERSON, 0.0, first=True)
    assert plan.release(1.0) == [again]
    assert plan.release(2.0) == [later]


def test_hurry_moves_a_chats_bulk_ahead_with_its_reply():
    plan = SendPlan(Limits(overall_rate=1, overall_burst=1), now=0.0)
    plan.release(0.0)  # nothing waits; the bucket stays full
    others = [plan.add(100 + i, Lane.BULK, 0.0) for i in range(5)]
    assert plan.release(0.0) == [others[0]]
    mine = plan.add(7, Lane.BULK, 0.0)
    plan.hurry(7)  # the person in chat 7 just wrote: their follow-up is in the way of their reply
    assert plan.waiting(Lane.PERSON) == 1
    assert plan.release(1.0) == [mine]


def test_a_cancelled_request_is_not_released():
    plan = SendPlan(Limits(), now=0.0)
    gone = plan.add(7, Lane.PERSON, 0.0)
    kept = plan.add(8, Lane.BULK, 0.0)
    plan.cancel(gone)
    assert plan.release(0.0) == [kept]
    assert plan.waiting() == 0 and plan.wake_at(0.0) is None


def test_idle_chats_are_forgotten():
    plan = SendPlan(Limits(overall_rate=10_000, overall_burst=10_000), now=0.0)
    for chat in range(1, SendPlan.SWEEP_ABOVE + 50):
        plan.add(chat, Lane.BULK, 0.0)
    plan.release(0.0)
    assert plan.waiting() == 0
    plan.add(1, Lane.PERSON, 100.0)
    plan.release(100.0)  # ten seconds on, the buckets are full again: all but the one just used go
    assert len(plan._chats) <= 1
