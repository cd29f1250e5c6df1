"""How long learning from outcomes takes: grouping a year of verdicts at start, and one more verdict.

Run:  .venv/bin/python benchmarks/kb_evidence.py [--verdicts 100000]

Verdicts are random phrasings from an office-IT vocabulary on 50 articles by 3,000 people (so almost
every phrasing is its own group: the worst case for near-duplicate search), 80% "fixed it".
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.evidence import Outcome, collect, query_key

WORDS = [
    "printer", "jam", "offline", "toner", "paper", "scan", "wifi", "vpn", "slow", "laptop", "screen", "black",
    "blue", "noise", "error", "code", "login", "password", "email", "outlook", "teams", "camera",
    "打印机", "卡纸", "脱机", "网络", "很慢", "黑屏", "蓝屏", "登录", "密码", "邮件",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verdicts", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(1)
    outcomes = [Outcome(f"article-{rng.randrange(50)}", " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 9))),
                        rng.random() < 0.8, rng.randrange(3000)) for _ in range(args.verdicts)]
    start = time.perf_counter()
    groups = collect(outcomes)
    cold = time.perf_counter() - start
    one = [o for o in outcomes if o.article_id == "article-0"]
    start = time.perf_counter()
    collect([*one, Outcome("article-0", "printer jam again after lunch", True, 1)])
    again = time.perf_counter() - start
    print("| verdicts | groups | grouping at start | one more verdict (its article regrouped, keys cached) |")
    print("|---:|---:|---:|---:|")
    print(f"| {len(outcomes):,} | {len(groups):,} | {cold:.2f} s | {again * 1000:.0f} ms |")
    query_key.cache_clear()


if __name__ == "__main__":
    main()
