"""Trying the bot without Telegram: the terminal sandbox (`helpdesk sandbox`) and the Bot API stand-in
it, the tests and the benchmarks talk to (`bot.sandbox.standin`)."""

from bot.sandbox.people import personas
from bot.sandbox.session import open_sandbox, run_sandbox, with_staff
from bot.sandbox.terminal import Sandbox

__all__ = ["Sandbox", "open_sandbox", "personas", "run_sandbox", "with_staff"]
