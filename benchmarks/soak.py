"""The soak scenario of tests/test_soak.py, bigger: the real bot process killed under load, then audited.

Simulated reporters file full reports at once while engineers accept every card they get; the Bot
API stand-in fails a share of the bot's calls (429, 500, timeouts, dropped connections) and the
`helpdesk run` process is SIGKILLed (or SIGTERMed) at random points and restarted. At the end the
errors stop, the bot settles and is stopped with SIGTERM, and what the reporters were told, what the
stand-in received and what the database holds are compared (see tests/soak_support.py).

    .venv/bin/python benchmarks/soak.py [--reporters 100] [--reports-each 2] [--kills 6] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.soak_support import run_soak, table


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=100)
    parser.add_argument("--reports-each", type=int, default=2, help="reports each reporter files, one after another")
    parser.add_argument("--kills", type=int, default=6, help="how many times the bot is stopped under load")
    parser.add_argument("--sigterm", action="store_true", help="stop it with SIGTERM instead of SIGKILL")
    parser.add_argument("--error-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--answer-timeout", type=float, default=10.0,
                        help="seconds a reporter waits for an answer before sending /start")
    parser.add_argument("--sigterm-timeout", type=float, default=5.0,
                        help="seconds a SIGTERMed bot may take to exit (it is SIGKILLed after that)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (database, bot logs)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="helpdesk-soak-"))
    try:
        result = await run_soak(
            workdir, reporters=args.reporters, reports_each=args.reports_each, stops=args.kills,
            interrupt="term" if args.sigterm else "kill", error_rate=args.error_rate, seed=args.seed,
            answer_timeout=args.answer_timeout, report_timeout=max(120.0, args.reporters * 1.5),
            settle_timeout=60.0, sigterm_timeout=args.sigterm_timeout,
        )
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    f = result.figures
    print(table(f))
    print()
    print(f"reports opened but never confirmed to the reporter: {f['tickets_never_confirmed']} "
          f"({f['confirmations_failed_to_send']} of them because the send failed, the rest were lost to kills)")
    print(f"updates fetched by a killed bot before it handled them (never redelivered): {f['updates_lost_to_kills']} "
          f"of {f['updates']}")
    print(f"SIGTERM exits (code, seconds): {f['sigterm_exits']}")
    print(f"reporters' /start after no usable answer: {f['recoveries']}; /my checks: {f['my_checks']}")
    print(f"load {f['load_seconds']} s, settle {f['settle_seconds']} s; all figures: {json.dumps(f)}")
    if args.keep:
        print(f"work folder: {workdir}")
    if result.problems:
        print(f"\n{len(result.problems)} PROBLEMS:")
        for problem in result.problems:
            print(f"- {problem}")
        return 1
    print("\nno problems: nothing lost, nothing doubled, the audit log agrees with the tickets")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
