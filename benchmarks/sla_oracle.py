"""Run the SLA-clock oracle of tests/test_sla_oracle.py on many more random cases than CI does.

Run:  .venv/bin/python benchmarks/sla_oracle.py [--cases 20000] [--seed 1]

Each case: an opening in 2025–2026 (any minute), a target from the default table, up to three
pauses (some still open, some after the deadline) and the moment the milestone was reached; the
project's `deadline_after_pauses` on the 5×8 clock, on a 5×8 clock closed for lunch and on the 24×7
clock against the oracle that walks minute by minute from the definition. Prints the cases run and the mismatches.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.sla import ROUND_THE_CLOCK, Pause, deadline_after_pauses
from tests.test_sla_oracle import CLOCK, LUNCH, SHANGHAI, SPLIT, oracle

TARGETS = [timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2), timedelta(hours=4),
           timedelta(hours=8), timedelta(hours=24)]


def case(rng: random.Random) -> tuple[datetime, timedelta, list[Pause], datetime]:
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(720))
    opened = datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60),
                      tzinfo=SHANGHAI).astimezone(UTC)
    pauses: list[Pause] = []
    cursor = opened
    for _ in range(rng.randrange(4)):
        start = cursor + timedelta(minutes=rng.randrange(60 * 30))
        length = timedelta(minutes=1 + rng.randrange(60 * 72))
        still = rng.random() < 0.2
        pauses.append((start, None if still else start + length))
        cursor = start + length
        if still:
            break
    return opened, rng.choice(TARGETS), pauses, opened + timedelta(minutes=rng.randrange(60 * 24 * 8))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    mismatches = {"5x8": 0, "5x8, closed 12:00-13:00": 0, "24x7": 0}
    began = time.perf_counter()
    for _ in range(args.cases):
        opened, target, pauses, until = case(rng)
        if deadline_after_pauses(CLOCK.add(opened, target), pauses, until, CLOCK) != oracle(
                opened, target, pauses, until, business=True):
            mismatches["5x8"] += 1
        if deadline_after_pauses(SPLIT.add(opened, target), pauses, until, SPLIT) != oracle(
                opened, target, pauses, until, business=True, ranges=LUNCH):
            mismatches["5x8, closed 12:00-13:00"] += 1
        if deadline_after_pauses(opened + target, pauses, until, ROUND_THE_CLOCK) != oracle(
                opened, target, pauses, until, business=False):
            mismatches["24x7"] += 1
    print("| clock | cases | mismatches |")
    print("|---|---:|---:|")
    for name, count in mismatches.items():
        print(f"| {name} | {args.cases:,} | {count} |")
    print(f"\n({time.perf_counter() - began:.0f} s, seed {args.seed})")


if __name__ == "__main__":
    main()
