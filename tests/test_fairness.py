"""One noisy chat must not stall everyone: per-chat turns before slots, sends outside slots, the flood
throttle, and groups full of other bots' commands."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from telegram import Update

from bot.domain.clock import FakeClock
from bot.domain.flood import FloodPolicy, InputThrottle
from bot.telegram.ordering import PerChatOrder, after_slot
from tests.conftest import ALICE, BOB, ENGINEER, make_config
from tests.harness import BotHarness, harness

HELP = "How to report a fault"


def _update(update_id: int, chat: int, text: str = "hello") -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": chat, "type": "private"}, "from": {"id": chat, "is_bot": False, "first_name": "X"}}}, None)


async def _settle(*tasks: asyncio.Task) -> None:
    for _ in range(50):
        await asyncio.sleep(0)
        if all(t.done() for t in tasks):
            return


# ---- the processor itself ------------------------------------------------------------------------------
async def test_a_chat_with_a_backlog_holds_one_slot_and_others_go_first() -> None:
    order = PerChatOrder(max_concurrent_updates=4)
    gate, started = asyncio.Event(), []

    async def blocked(name: str) -> None:
        started.append(name)
        await gate.wait()

    async def quick(name: str) -> None:
        started.append(name)

    flood = [asyncio.create_task(order.process_update(_update(i, chat=1), blocked(f"a{i}"))) for i in range(10)]
    others = [asyncio.create_task(order.process_update(_update(100 + i, chat=2 + i), quick(f"b{i}")))
              for i in range(5)]
    await _settle(*others)
    assert all(t.done() for t in others)  # five other chats, with only four slots, while chat 1 is stuck
    assert started[0] == "a0" and "a1" not in started  # chat 1's later updates wait for its turn, holding no slot
    gate.set()
    await asyncio.gather(*flood)
    assert [s for s in started if s.startswith("a")] == [f"a{i}" for i in range(10)]  # and in order


async def test_a_send_left_for_after_the_slot_does_not_hold_it() -> None:
    order = PerChatOrder(max_concurrent_updates=1)
    rate_limited, told = asyncio.Event(), []

    async def send() -> None:
        await rate_limited.wait()  # a reply waiting for the rate limiter
        told.append("alice")

    async def alice() -> None:
        await after_slot(send())

    async def bob() -> None:
        told.append("bob")

    first = asyncio.create_task(order.process_update(_update(1, chat=1), alice()))
    await _settle()
    second = asyncio.create_task(order.process_update(_update(2, chat=2), bob()))
    await _settle(second)
    assert second.done() and told == ["bob"]  # the one slot was free while Alice's reply waited
    rate_limited.set()
    await first
    assert told == ["bob", "alice"]


async def test_after_slot_runs_the_work_at_once_outside_a_handler() -> None:
    done = []

    async def work() -> None:
        done.append(1)

    await after_slot(work())
    assert done == [1]


# ---- the throttle (pure) --------------------------------------------------------------------------------
def test_a_burst_is_free_then_the_pace_is_the_refill_rate() -> None:
    throttle = InputThrottle(FloodPolicy(burst=3, per_second=2, warn_every=60))
    assert [throttle.admit(7, f"t:{i}", 0.0).delay for i in range(3)] == [0, 0, 0]
    fourth = throttle.admit(7, "t:3", 0.0)
    assert fourth.delay == 0.5 and fourth.warn and not fourth.drop
    fifth = throttle.admit(7, "t:4", 0.5)  # its turn came after the fourth's wait
    assert fifth.delay == 0.5 and not fifth.warn  # told once
    assert throttle.admit(7, "t:4", 1.0).drop  # the same words again, beyond the burst: dropped
    assert throttle.admit(8, "t:0", 1.0).delay == 0  # somebody else is not slowed down
    assert throttle.admit(7, "t:5", 10.0).delay == 0  # after a pause the burst is back


def test_calm_senders_are_forgotten_and_a_new_flood_is_told_again() -> None:
    throttle = InputThrottle(FloodPolicy(burst=2, per_second=1, warn_every=30))
    for i in range(3):
        throttle.admit(7, f"t:{i}", 0.0)
    throttle.forget_calm(5.0)
    assert throttle._buckets  # not yet: the notice's period is still running
    throttle.forget_calm(31.0)
    assert not throttle._buckets
    for i in range(2):
        assert throttle.admit(7, f"t:{i}", 31.0).delay == 0
    assert throttle.admit(7, "t:9", 31.0).warn


# ---- through the real bot --------------------------------------------------------------------------------
async def test_a_flood_is_told_once_repeats_are_dropped_and_the_report_answer_is_kept(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with harness(make_config(), clock, tmp_path / "h.db",
                       flood=FloodPolicy(burst=3, per_second=1, warn_every=60)) as desk:
        ids = [desk.tg.send_text(ALICE, "/help") for _ in range(8)]  # all at once, without waiting
        ids.append(desk.tg.send_text(ALICE, "The printer on 3F is jammed"))
        for update_id in ids:
            await desk.handled(update_id)
        texts = [m.text for m in desk.tg.messages_to(ALICE.id)]
        assert sum(HELP in t for t in texts) == 3  # the burst, then the same words again are dropped …
        assert sum("a lot of messages at once" in t for t in texts) == 1  # … told once …
        # … and the description after them, though beyond the burst, was handled: a report is under way
        assert desk.rows("SELECT COUNT(*) FROM drafts WHERE reporter_id = ?", (ALICE.id,)) == [(1,)]
        assert "a lot of messages" not in texts[-1]
        # staff are never throttled: an engineer's quick presses are their job
        staff = [desk.tg.send_text(ENGINEER, "/queue") for _ in range(6)]
        for update_id in staff:
            await desk.handled(update_id)
        assert not any("a lot of messages" in m.text for m in desk.tg.messages_to(ENGINEER.id))


async def test_other_bots_commands_in_a_group_are_ignored_and_the_pointer_comes_once(desk: BotHarness) -> None:
    group = -100777
    ignored = [desk.tg.send_in_group(BOB, "/x@other_bot", group_id=group) for _ in range(20)]
    ignored.append(desk.tg.send_in_group(BOB, "lunch anyone?", group_id=group))
    ours = [desk.tg.send_in_group(BOB, "/new@helpdesk_test_bot", group_id=group) for _ in range(3)]
    ours.append(desk.tg.send_in_group(BOB, "/help", group_id=group))
    for update_id in ignored + ours:
        await desk.handled(update_id)
    in_group = desk.tg.messages_to(group)
    assert len(in_group) == 1 and "private chat" in in_group[0].text  # one pointer for four commands to us
    marks = ",".join("?" * len(ignored))
    assert desk.rows(f"SELECT COUNT(*) FROM processed_updates WHERE update_id IN ({marks})",
                     tuple(ignored)) == [(0,)]  # not a transaction spent on them
    await desk.handled(desk.tg.send_in_group(BOB, "/new@helpdesk_test_bot", group_id=group))
    assert len(desk.tg.messages_to(group)) == 1
    desk.clock.advance(timedelta(minutes=6))
    await desk.handled(desk.tg.send_in_group(BOB, "/new@helpdesk_test_bot", group_id=group))
    assert len(desk.tg.messages_to(group)) == 2  # the pointer has scrolled away by now: said again
    replies = await desk.say(BOB, "/help")  # and the private chat was never held up
    assert HELP in replies[-1].text


async def test_a_chats_backlog_is_cut_for_a_flooder_but_never_for_staff() -> None:
    """Beyond `backlog` updates waiting in one chat a flooder's new ones are dropped; an engineer pressing
    Accept on a burst of cards (staff, exempt) keeps every one (found by the 500-reporter load run)."""
    policy = FloodPolicy(burst=1_000_000, backlog=5)
    gate, handled = asyncio.Event(), []

    async def work(name: str) -> None:
        await gate.wait()
        handled.append(name)

    order = PerChatOrder(max_concurrent_updates=4, throttle=InputThrottle(policy), exempt=frozenset({ENGINEER.id}))
    staff = [asyncio.create_task(order.process_update(_update(i, chat=ENGINEER.id), work(f"e{i}")))
             for i in range(12)]
    flooder = [asyncio.create_task(order.process_update(_update(100 + i, chat=ALICE.id), work(f"a{i}")))
               for i in range(12)]
    await _settle()
    gate.set()
    await asyncio.gather(*staff, *flooder)
    assert [h for h in handled if h.startswith("e")] == [f"e{i}" for i in range(12)]
    assert [h for h in handled if h.startswith("a")] == [f"a{i}" for i in range(5)]
