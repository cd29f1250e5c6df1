"""Reports completed per second, end to end through the Bot API stand-in, beside a bare echo bot.

Many simulated reporters file a full fault report at once (describe → skip the suggested fixes →
device → site → room → severity → phone → submit: 8 round trips each, every one waiting for the
bot's answer as a person would).
The floor is a bare PTB echo bot on the same stand-in doing the same number of round trips.
Both run over real HTTP on 127.0.0.1 with PTB's default sequential update processing.

    .venv/bin/python benchmarks/report_throughput.py [--reporters 200]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import parse_config
from bot.domain.clock import SystemClock
from bot.runtime import running_bot
from bot.standin import BotApiStandIn, FakeUser, SentMessage
from storage import open_storage

STEPS = 8


async def _next_message(tg: BotApiStandIn, user: FakeUser, seen: int, want_button: str | None) -> SentMessage:
    """Wait for the bot's answer: the newest message, with `want_button` on it if given."""

    def arrived() -> bool:
        messages = tg.messages_to(user.id)
        if len(messages) <= seen:
            return False
        return want_button is None or any(want_button in b for row in messages[-1].buttons() for b in row)

    await tg.wait_for(arrived, timeout=120, what=f"an answer to {user.id}")
    return tg.messages_to(user.id)[-1]


SKIP = "Skip — report it to an engineer"


async def _one_report(tg: BotApiStandIn, user: FakeUser) -> str:
    """A whole report; the knowledge base's suggestions (shown for this description) are skipped."""
    script: list[tuple[str, str, str | None]] = [
        ("text", f"Printer {user.id} shows paper jam", SKIP),
        ("press", SKIP, "Printer"),
        ("press", "Printer", "HQ-3F"),
        ("press", "HQ-3F", "Skip"),
        ("press", "Skip", "Badly affected"),
        ("press", "Badly affected", None),
        ("text", "138 0000 1234", "Submit"),
        ("press", "Submit", None),
    ]
    message: SentMessage | None = None
    for kind, value, expect in script:
        seen = len(tg.messages_to(user.id))
        if kind == "text":
            tg.send_text(user, value)
        else:
            assert message is not None
            tg.press(user, message, value)
        message = await _next_message(tg, user, seen, expect)
    assert message is not None and "Ticket HD-" in message.text, message.describe()
    return message.text.split()[2]


async def bench_helpdesk(reporters: int) -> tuple[float, int]:
    config = parse_config({"bot": {"default_language": "en"}, "intake": {"sites": ["HQ-12F", "HQ-3F"]}})
    with tempfile.TemporaryDirectory() as folder:
        storage = await open_storage(Path(folder) / "bench.db")
        try:
            async with BotApiStandIn() as tg, running_bot(
                token=tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url, config=config,
                storage=storage, clock=SystemClock(), poll_timeout=1, rate_limit=False,
            ):
                users = [FakeUser(id=10_000 + i, first_name=f"R{i}", language_code="en") for i in range(reporters)]
                started = time.perf_counter()
                numbers = await asyncio.gather(*(_one_report(tg, u) for u in users))
                elapsed = time.perf_counter() - started
            async with storage.transaction() as tx:
                stored = sum([len(await tx.tickets_of(u.id)) for u in users])
        finally:
            await storage.close()
    assert len(set(numbers)) == reporters == stored, (len(set(numbers)), reporters, stored)
    return elapsed, stored


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(
        update.message.text or "", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])
    )


async def bench_echo(reporters: int) -> float:
    async with BotApiStandIn() as tg:
        app: Application = ApplicationBuilder().token(tg.token).base_url(tg.base_url).build()
        app.add_handler(MessageHandler(filters.TEXT, _echo))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            users = [FakeUser(id=10_000 + i, first_name=f"E{i}") for i in range(reporters)]

            async def talk(user: FakeUser) -> None:
                for step in range(STEPS):
                    seen = len(tg.messages_to(user.id))
                    tg.send_text(user, f"step {step}")
                    await _next_message(tg, user, seen, None)

            started = time.perf_counter()
            await asyncio.gather(*(talk(u) for u in users))
            elapsed = time.perf_counter() - started
            await app.updater.stop()
            await app.stop()
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=200)
    args = parser.parse_args()
    n = args.reporters
    desk_time, stored = await bench_helpdesk(n)
    echo_time = await bench_echo(n)
    desk_rate, echo_rate = n / desk_time, n / echo_time
    print("| bot | reporters at once | round trips | seconds | reports/s | round trips/s |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| help desk (full report, SQLite WAL) | {n} | {n * STEPS} | {desk_time:.2f} | {desk_rate:.1f} | "
          f"{n * STEPS / desk_time:.0f} |")
    print(f"| bare PTB echo bot (floor) | {n} | {n * STEPS} | {echo_time:.2f} | {echo_rate:.1f} | "
          f"{n * STEPS / echo_time:.0f} |")
    print(f"\nratio help desk / echo: {desk_rate / echo_rate:.2f}; tickets stored: {stored} of {n} (nothing lost)")


if __name__ == "__main__":
    asyncio.run(main())
