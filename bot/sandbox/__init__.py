"""Trying the bot without Telegram: the terminal sandbox (`helpdesk sandbox`) and the Bot API stand-in
it, the tests and the benchmarks talk to (`bot.sandbox.standin`)."""

from bot.sandbox.terminal import Sandbox, personas, run_sandbox, with_staff

__all__ = ["Sandbox", "personas", "run_sandbox", "with_staff"]
