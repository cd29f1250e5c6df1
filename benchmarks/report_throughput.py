"""Reports completed per second, end to end: the throughput phase of benchmarks/load.py on its own.

Many simulated reporters file a full fault report at once (describe → skip the suggested fixes →
device → site → room → severity → phone → submit: 8 round trips each, every one waiting for the
bot's answer as a person would). The bot is the production entry point (`python -m bot.cli run`) in a
child process with HELPDESK_RATE_LIMIT=off; the floor is a bare PTB echo bot (benchmarks/echo_bot.py),
also a child process, sequential and with concurrent_updates(64), doing the same round trips. All over
real HTTP on 127.0.0.1 against the Bot API stand-in. load.py has the details; any of its flags may be
given here too.

    .venv/bin/python benchmarks/report_throughput.py [--reporters 200] [--prefill 0]

`_one_report` is also used with an in-process bot (benchmarks/followup_lateness.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load import CONFIRMED_RE, SKIP, report_script
from benchmarks.load import main as load_main
from bot.sandbox.standin import BotApiStandIn, FakeUser, SentMessage

__all__ = ["SKIP", "STEPS", "_one_report", "main"]

STEPS = 8


async def _one_report(tg: BotApiStandIn, user: FakeUser, timeout: float = 120.0) -> str:
    """A whole report, each step waiting for its answer; the ticket number the reporter is told."""
    message: SentMessage | None = None
    for step in report_script(user, 0):
        seen = tg.message_count(user.id)
        if step.kind == "text":
            tg.send_text(user, step.value)
        else:
            assert message is not None
            tg.press(user, message, step.value)
        message = await tg.next_message(user.id, seen, step.expect, timeout)
    assert message is not None
    found = CONFIRMED_RE.search(message.text or "")
    assert found is not None, message.describe()
    return found[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--prefill", type=int, default=0, help="earlier tickets in the database (none by default)")
    args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return load_main(["--phases", "throughput", "--reporters", str(args.reporters), "--prefill", str(args.prefill),
                      *rest])


if __name__ == "__main__":
    sys.exit(main())
