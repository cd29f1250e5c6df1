"""Bot API calls that carry a chat_id, per round trip (issue 21, item 1), before and after, in one run.

Telegram's limits (and PTB's AIORateLimiter, which throttles every request with a `chat_id` to 30 a
second) count calls, not steps: a step that marks the pressed answer and then sends the next question
costs two. This drives the real Application through the Bot API stand-in (tests/harness.py) as people
would — a full report (a first report sharing the contact, one typing the number, a returning
reporter), a knowledge-base suggestion accepted and declined, the engineer's workflow (accept → on
site → resolve, note and parts) and the 72-hour follow-up — and counts, for every round trip (one
update a person sends, handled to the end), the stand-in's requests that carry a `chat_id` (every
chat: the reporter's notices during the engineer's steps count too). `answerCallbackQuery` has no
chat_id and is not limited; it is counted apart.

The baseline runs from a git worktree of `--baseline` (default: main) made for this run, with the same
Python and the same driver, so both columns come from one run on one machine. Run it:

    .venv/bin/python benchmarks/calls_per_step.py --baseline main

It prints a Markdown table (what docs/benchmarks.md shows) and, with --json, the raw figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
DETAIL = os.environ.get("CALLS_DETAIL") == "1"
"""Print each counted round trip's calls (method → chat) on stderr: to see where the calls go."""
SCENARIOS = ("report_share", "report_typed", "report_again", "kb_accepted", "kb_declined", "engineer", "followup")
TITLES = {
    "report_share": "full report, first time, number shared with Telegram's button",
    "report_typed": "full report, first time, number typed",
    "report_again": "full report, returning reporter (remembered place and number)",
    "kb_accepted": "KB suggestion accepted (describe → open guide → fixed)",
    "kb_declined": "KB suggestion declined (describe → open guide → didn't help)",
    "engineer": "engineer: accept → on site → resolve → note → parts",
    "followup": "follow-up: still working → rating → comment",
}


# ---- the driver: runs inside one tree (this one, or the baseline's worktree) ----------------------------
class Counter:
    """Counts the stand-in's requests per round trip."""

    def __init__(self, desk: Any) -> None:
        self.desk = desk
        self.steps: list[tuple[int, int]] = []
        self.counting = False

    async def step(self, action: Any) -> Any:
        before = len(self.desk.tg.requests)
        result = await action
        if self.counting:
            made = self.desk.tg.requests[before:]
            limited = sum(1 for method, params in made if "chat_id" in params and method != "getUpdates")
            answers = sum(1 for method, _ in made if method == "answerCallbackQuery")
            self.steps.append((limited, answers))
            if DETAIL:
                print([f"{m}→{p.get('chat_id')}" for m, p in made if m != "getUpdates"], file=sys.stderr)
        return result


def _has_button(desk: Any, user: Any, label: str) -> bool:
    try:
        desk.last_with_buttons(user).callback_data(label)
    except (KeyError, AssertionError):
        return False
    return True


async def _report(c: Counter, user: Any, *, device: str, site: str, room: str | None, phone: str,
                  share: bool) -> None:
    desk = c.desk
    await c.step(desk.say(user, "The printer on our floor says paper jam and won't print"))
    if _has_button(desk, user, "Skip — report it to an engineer"):
        await c.step(desk.press(user, "Skip — report it to an engineer"))
    await c.step(desk.press(user, device))
    await c.step(desk.press(user, site))
    if room is not None:
        await c.step(desk.say(user, room))
    await c.step(desk.press(user, "Badly affected"))
    question = desk.last_with_buttons(user)
    inline = [label for row in (question.reply_markup or {}).get("inline_keyboard", []) for label in
              (b["text"] for b in row)]
    remembered = next((label for label in inline if label.startswith("📞")), None)
    if remembered is not None:
        await c.step(desk.press(user, remembered))  # the remembered number, an inline button
    elif share:
        if "📱 Share my phone number" in inline:  # the keyboard with Telegram's share button, asked for
            await c.step(desk.press(user, "📱 Share my phone number"))
        await c.step(desk.contact(user, phone))
    else:
        await c.step(desk.say(user, phone))  # typed, or the remembered number's reply-keyboard option
    await c.step(desk.press(user, "Submit"))


async def _scenario(name: str, desk: Any) -> list[tuple[int, int]]:
    from tests.conftest import ALICE, ENGINEER

    c = Counter(desk)
    c.counting = name in ("report_share", "report_typed")
    if name == "report_again":
        await _report(c, ALICE, device="Printer", site="HQ-3F", room="Room 305", phone="13800001234", share=True)
        c.counting = True
        await _report(c, ALICE, device="Printer", site="📍 HQ-3F / Room 305", room=None, phone="+86 138 0000 1234",
                      share=False)
    elif name in ("report_share", "report_typed"):
        await _report(c, ALICE, device="Printer", site="HQ-3F", room="Room 305", phone="13800001234",
                      share=name == "report_share")
    elif name in ("kb_accepted", "kb_declined"):
        c.counting = True
        await c.step(desk.say(ALICE, "The printer on our floor says paper jam and won't print"))
        await c.step(desk.press(ALICE, "📘 Printer paper jam"))
        await c.step(desk.press(ALICE, "✅ This fixed it" if name == "kb_accepted" else "❌ Didn't help"))
    else:
        await _report(c, ALICE, device="Printer", site="HQ-3F", room="Room 305", phone="13800001234", share=True)
        card = desk.last_with_buttons(ENGINEER)
        c.counting = name == "engineer"
        await c.step(desk.press(ENGINEER, "✅ 接单", card))
        await c.step(desk.press(ENGINEER, "📍 已到场", desk.last_with_buttons(ENGINEER)))
        await c.step(desk.press(ENGINEER, "✅ 完成维修", desk.last_with_buttons(ENGINEER)))
        await c.step(desk.say(ENGINEER, "Toner cartridge was empty; replaced it"))
        await c.step(desk.say(ENGINEER, "toner cartridge CF259A"))
        if name == "followup":
            from datetime import timedelta
            await desk.press(ALICE, "👍 Fixed", desk.tg.last_to(ALICE.id))
            await desk.tick(timedelta(hours=72))
            question = next(m for m in reversed(desk.tg.messages_to(ALICE.id)) if "still working since" in m.text)
            c.counting = True
            await c.step(desk.press(ALICE, "👍 Yes, it works", question))
            await c.step(desk.press(ALICE, "4 🙂", desk.last_with_buttons(ALICE)))
            await c.step(desk.say(ALICE, "Fast and friendly, thanks"))
    return c.steps


async def drive() -> dict[str, list[tuple[int, int]]]:
    from bot.domain.clock import FakeClock
    from tests.conftest import START, make_config
    from tests.harness import harness

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCENARIOS:
            async with harness(make_config(), FakeClock(START), Path(tmp) / f"{name}.db") as desk:
                results[name] = await _scenario(name, desk)
    return results


# ---- the comparison ---------------------------------------------------------------------------------
def run_tree(tree: Path) -> dict[str, list[list[int]]]:
    """The driver inside `tree` (its bot, storage and tests packages), with this Python."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, str(HERE), "--driver"], cwd=tree, check=True, capture_output=True,
                         text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(before: dict[str, list[list[int]]], after: dict[str, list[list[int]]], ref: str) -> str:
    def cell(steps: list[list[int]]) -> str:
        calls = sum(s[0] for s in steps)
        return f"{calls}/{len(steps)} = **{calls / len(steps):.2f}**" if steps else "—"

    lines = [f"| path | {ref}: calls/round trips | this branch | per round trip, {ref} → this branch |",
             "| --- | --- | --- | --- |"]
    for name in SCENARIOS:
        b, a = before.get(name, []), after.get(name, [])
        steps = " ".join(str(s[0]) for s in b) + " → " + " ".join(str(s[0]) for s in a)
        lines.append(f"| {TITLES[name]} | {cell(b)} | {cell(a)} | {steps} |")
    answers = sum(s[1] for steps in after.values() for s in steps)
    lines.append("")
    lines.append(f"answerCallbackQuery (no chat_id, not limited), this branch, all paths: {answers}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="main", help="the git revision to compare with (default: main)")
    parser.add_argument("--json", action="store_true", help="also print the raw figures")
    parser.add_argument("--driver", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.driver:  # inside a tree: its packages first, not this script's directory
        sys.path[:1] = [str(Path.cwd())]
        print(json.dumps(asyncio.run(drive())))
        return
    root = HERE.parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", str(tree), args.baseline],
                       check=True, capture_output=True)
        try:
            before = run_tree(tree)
            after = run_tree(root)
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(tree)], check=False)
    rev = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", args.baseline], capture_output=True,
                         text=True).stdout.strip()
    print(table(before, after, f"{args.baseline} ({rev})"))
    if args.json:
        print(json.dumps({"before": before, "after": after}))


if __name__ == "__main__":
    main()
