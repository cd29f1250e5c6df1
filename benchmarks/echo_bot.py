"""The floor for benchmarks/load.py: a bare PTB bot doing nothing but answer, as a child process.

Why: the help desk's reply latency and throughput mean little alone; this bot pays exactly PTB's and
the HTTP path's costs (long polling, one sendMessage per text, answerCallbackQuery + sendMessage per
button press) and nothing else. Like the help desk it reads TELEGRAM_BOT_TOKEN and
HELPDESK_TELEGRAM_API_URL and long-polls with the same timeout; --concurrent N processes up to N
updates at once (PTB's default is one at a time), which is what the help desk does across chats.
--http aiohttp swaps PTB's default HTTP client (httpx) for the one the help desk uses
(bot/telegram/http.py), so the floor can pay the same per-call cost as the bot.

    TELEGRAM_BOT_TOKEN=… HELPDESK_TELEGRAM_API_URL=http://127.0.0.1:…/bot \\
        python benchmarks/echo_bot.py [--concurrent 64]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text gets its echo back, with a button so the next step can be a press."""
    assert update.message is not None
    await update.message.reply_text(update.message.text or "", reply_markup=BUTTON)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press is answered (the spinner stops) and gets a new message: a full round trip, like a question."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    await context.bot.send_message(query.message.chat.id, f"pressed {query.data}", reply_markup=BUTTON)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=0, help="updates processed at once (0: PTB's default, 1)")
    parser.add_argument("--poll-timeout", type=float, default=10.0, help="long poll timeout, as `helpdesk run`")
    parser.add_argument("--http", choices=("httpx", "aiohttp"), default="httpx",
                        help="HTTP client: PTB's default (httpx) or the help desk's (aiohttp)")
    args = parser.parse_args()
    builder = ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"])
    builder = builder.base_url(os.environ["HELPDESK_TELEGRAM_API_URL"])
    if args.http == "aiohttp":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from bot.telegram.http import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(connections=2))
    if args.concurrent:
        builder = builder.concurrent_updates(args.concurrent)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.run_polling(poll_interval=0, timeout=int(args.poll_timeout), allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
