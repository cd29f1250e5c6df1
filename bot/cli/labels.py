"""`helpdesk assets labels`: print the devices' QR stickers (A4 sheets, 3×8 or 2×5) as a PDF.

Read-only: the register is read from the database, nothing is written there, and a missing database is
an error rather than an empty sheet. The link needs the bot's @username (`[bot] username`, or `--bot`):
a sticker that opens the wrong bot, or none, would be worse than no sticker.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC
from pathlib import Path

from bot.cli.exits import EXIT_BAD_SETTING, EXIT_REFUSED
from bot.config import Config
from bot.domain.clock import Clock, SystemClock
from bot.domain.sites import site_key
from bot.messages import t
from bot.texts import render

USERNAME = re.compile(r"@?[A-Za-z][A-Za-z0-9_]{3,31}")
"""Telegram usernames: 5–32 characters of letters, digits and underscores, starting with a letter."""


def add_parser(commands: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    from bot.services.labels import LAYOUTS

    labels = commands.add_parser("labels", help="a PDF of QR stickers that open a report for each device",
                                 parents=parents)
    labels.add_argument("--out", type=Path, default=Path("labels.pdf"), help="the PDF to write (labels.pdf)")
    labels.add_argument("--site", help="only this site's devices")
    labels.add_argument("--layout", choices=sorted(LAYOUTS), default="3x8",
                        help="3x8: 24 labels of 70×37 mm a sheet; 2x5: 10 labels of 105×57 mm")
    labels.add_argument("--lang", choices=("zh", "en"), help="the labels' language (default: the bot's)")
    labels.add_argument("--bot", help="the bot's @username (default: [bot] username)")
    labels.add_argument("--name", help="the help desk's name on each label")
    labels.add_argument("--force", action="store_true", help="overwrite --out if it exists")


async def print_labels(db_path: Path, config: Config, args: argparse.Namespace, clock: Clock | None = None) -> int:
    from bot.services.labels import LAYOUTS, labels_pdf
    from storage import read_snapshot

    bot = (args.bot or config.bot.username or "").strip()
    if not bot:
        return _fail("which bot do the stickers open? set [bot] username in the configuration or pass --bot")
    if not USERNAME.fullmatch(bot):
        return _fail(f"--bot: {bot!r} is not a Telegram username (5–32 letters, digits or _)")
    if args.out.exists() and not args.force:
        return _fail(f"{args.out} exists; pass --force to overwrite it")
    if not db_path.exists():
        return _fail(f"no database at {db_path} (load the register first: helpdesk assets import FILE.csv)")
    async with read_snapshot(db_path) as tx:  # only reads: never the bot's write lock
        register = [asset for asset, _ in await tx.assets.register()]
    today = (clock or SystemClock()).now().astimezone(config.tz).date()
    chosen = [a for a in register if (a.retired is None or a.retired > today)
              and (args.site is None or site_key(a.site) == site_key(args.site))]
    if not chosen:
        where = f" at {args.site}" if args.site else ""
        print(f"helpdesk: no device in service{where} in the register: nothing to print", file=sys.stderr)
        return EXIT_REFUSED
    chosen.sort(key=lambda a: (site_key(a.site), a.asset_no))
    lang = args.lang or config.bot.default_language
    name = args.name or render(t("sticker.desk_name"), lang, UTC)
    layout = LAYOUTS[args.layout]
    data = labels_pdf(chosen, bot_username=bot.lstrip("@"), desk_name=name, layout=layout, lang=lang)
    args.out.write_bytes(data)
    sheets = -(-len(chosen) // layout.per_sheet)
    print(f"{args.out}: {len(chosen)} labels on {sheets} sheet(s) of {args.layout}, linking to @{bot.lstrip('@')}")
    return 0


def _fail(message: str) -> int:
    print(f"helpdesk assets labels: {message}", file=sys.stderr)
    return EXIT_BAD_SETTING
