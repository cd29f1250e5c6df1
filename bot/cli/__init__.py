"""The `helpdesk` command: run the bot, try it in a sandbox, load the asset register, search the KB.

Exit codes: 0 done, 1 the work was refused (e.g. a bad CSV), 2 a bad setting or argument — refused
before anything runs, with the key and the reason — or no database for a command that only reads it.
Every command takes --db FILE and --config FILE, before or after its name (bot/cli/options.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.cli import options
from bot.cli.exits import EXIT_BAD_SETTING, EXIT_REFUSED, EXIT_TOKEN_REFUSED
from bot.config import Config, ConfigError, Settings, load_config
from bot.domain.assets import MAX_FILE_BYTES as MAX_REGISTER_BYTES
from bot.domain.assets import RegisterError, parse_register
from bot.domain.clock import SystemClock
from storage import SchemaTooNew, StorageUnavailable, open_storage, read_snapshot


class _Redact(logging.Filter):
    """The bot token must never reach a log line (HTTP libraries log URLs that contain it)."""

    def __init__(self, secret: str | None) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secret:
            message = record.getMessage()
            if self.secret in message:
                record.msg = message.replace(self.secret, "<token>")
                record.args = None
        return True


def setup_logging(token: str | None, verbose: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(_Redact(token))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _parser() -> argparse.ArgumentParser:
    """Every command, so `helpdesk --help` names them all; kb, roster, report and doctor parse their own
    words (add_help=False here: their `--help` is their own parser's, with its subcommands and options)."""
    parser = argparse.ArgumentParser(
        prog="helpdesk", description="An IT help desk that lives in Telegram.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="every command:\n"
               "  helpdesk run | sandbox\n"
               "  helpdesk assets import FILE.csv | labels   helpdesk calendar import FILE\n"
               "  helpdesk kb search | eval | import | export\n"
               "  helpdesk roster who | show             helpdesk report --from DATE --to DATE\n"
               "  helpdesk inspections plan | due        helpdesk doctor\n"
               "`helpdesk COMMAND --help` tells more. --db and --config go before or after the command:\n"
               "  helpdesk assets import examples/assets.csv --db sandbox.db")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    options.add_to(parser)
    where = options.parent()
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="run the bot (long polling); without TELEGRAM_BOT_TOKEN, the sandbox",
                        parents=[where])
    commands.add_parser("sandbox", help="try the bot in this terminal, no token or internet needed",
                        parents=[options.parent(db_help="the sandbox's database (default: sandbox.db)")])
    assets = commands.add_parser("assets", help="the asset register: assets import FILE.csv | assets labels")
    assets_commands = assets.add_subparsers(dest="assets_command", required=True, metavar="COMMAND")
    load = assets_commands.add_parser("import", help="load the register from a CSV file (all or nothing)",
                                      parents=[where])
    load.add_argument("file", type=Path, help="a CSV file with a header row, e.g. examples/assets.csv")
    from bot.cli.labels import add_parser as add_labels

    add_labels(assets_commands, parents=[where])
    calendar = commands.add_parser("calendar", help="the holiday calendar: calendar import FILE")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", required=True, metavar="COMMAND")
    load_year = calendar_commands.add_parser(
        "import", help="load a year's official schedule, one line a day: DATE holiday|workday [name]",
        parents=[where])
    load_year.add_argument("file", type=Path, help="one line a day: 2027-01-01 holiday 元旦")
    commands.add_parser("kb", help="the knowledge base: kb search | eval | import | export", add_help=False)
    commands.add_parser("roster", help="the duty roster: roster who --at … | roster show --from … --to …",
                        add_help=False)
    commands.add_parser("report", help="KPIs: report --from DATE --to DATE [--json | --xlsx FILE | --png FILE]",
                        add_help=False)
    commands.add_parser("inspections", add_help=False,
                        help="preventive maintenance: inspections plan --from … --to … | inspections due --at …")
    commands.add_parser("doctor", help="check the set-up and say what to fix: doctor [--json]", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        places, words = options.take(sys.argv[1:] if argv is None else argv)
    except options.OptionError as exc:
        print(f"helpdesk: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTING
    parser = _parser()
    args, rest = parser.parse_known_args(words)
    try:
        return _command(parser, args, rest, places)
    except options.NoDatabase as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_SETTING
    except ConfigError as exc:
        print(f"helpdesk: bad setting: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTING
    except (StorageUnavailable, SchemaTooNew) as exc:
        print(f"helpdesk: database: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTING
    except KeyboardInterrupt:
        return 0


def _asks_help(words: list[str]) -> bool:
    return any(word in ("-h", "--help") for word in words)


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace, rest: list[str],
             places: options.Locations) -> int:
    if args.command == "doctor":  # before the settings are read: a bad setting is one of its findings
        from bot.cli.doctor import main as doctor_main

        if places.db is not None and not _asks_help(rest):
            options.need_database(places.db)  # a file named on purpose, and not there: a typo
        return doctor_main(rest, env=places.env(dict(os.environ)))
    if args.command == "kb":
        from bot.cli.kb import main as kb_main

        return kb_main(rest, places)
    if rest and args.command not in ("roster", "report", "inspections"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")

    settings = places.apply(Settings.from_env())
    if places.config is not None and not places.config.is_file():
        raise ConfigError(f"--config names {places.config}, and there is no such file")
    config = load_config(settings.config_path, required=settings.config_required)
    setup_logging(settings.token, args.verbose)

    if args.command == "run":
        if settings.token is None:
            return _sandbox_instead(config, settings, places.db or SANDBOX_DB)
        from bot.runtime import run_forever
        from bot.telegram.polling import FatalApiError

        _warn_if_nobody_is_paged(config, settings.config_path)
        try:
            asyncio.run(run_forever(settings, config))
        except FatalApiError as exc:
            print(f"helpdesk: {exc}", file=sys.stderr)
            return EXIT_TOKEN_REFUSED
        return 0
    if args.command == "sandbox":
        from bot.sandbox import run_sandbox

        db = places.db or SANDBOX_DB
        _say_what_the_sandbox_uses(config, settings, db)
        return asyncio.run(run_sandbox(config, db))
    if args.command == "assets" and args.assets_command == "labels":
        from bot.cli.labels import print_labels

        return asyncio.run(print_labels(settings.db_path, config, args))
    if args.command == "assets":
        return asyncio.run(_import_assets(settings.db_path, args.file))
    if args.command == "calendar":
        from bot.cli.calendar_import import import_schedule

        return asyncio.run(import_schedule(settings.db_path, args.file, SystemClock().now()))
    if args.command == "roster":
        if not _asks_help(rest):
            options.need_database(settings.db_path)
        return asyncio.run(_roster(settings, config, rest))
    if args.command == "report":
        return _report(settings, config, rest)
    if args.command == "inspections":
        from bot.cli.inspections import main as inspections_main

        return inspections_main(rest, config, settings.db_path)
    parser.error("unknown command")
    return EXIT_BAD_SETTING


SANDBOX_DB = Path("sandbox.db")
"""The sandbox's own database unless --db says otherwise (HELPDESK_DB is the real bot's)."""


def _say_what_the_sandbox_uses(config: Config, settings: Settings, db: Path) -> None:
    """One line before the sandbox starts, so that the CLI commands can be pointed at the same files."""
    from bot.sandbox.session import EXAMPLE, uses_example

    same = f"--db {db}"
    if not uses_example(config):
        used = str(settings.config_path) if settings.config_path.exists() else "none (built-in defaults)"
        same += f" --config {settings.config_path}" if settings.config_path.exists() else ""
    else:
        why = "has no engineers" if settings.config_path.exists() else "does not exist"
        used = f"{EXAMPLE.name} ({settings.config_path} {why})"
        same += f" --config {_short(EXAMPLE)}"
    print(f"sandbox: database {db}, configuration {used}", file=sys.stderr)
    print(f"sandbox: the other commands see its data with {same} (e.g. helpdesk report {same} --from DATE …)",
          file=sys.stderr)


def _short(path: Path) -> Path:
    """`path` from the current folder when it is inside it (the usual case: the repository), else whole."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _warn_if_nobody_is_paged(config: Config, path: Path) -> None:
    """A help desk without engineers takes reports and promises deadlines, and tells nobody: say so loudly."""
    if config.engineers:
        return
    why = f"{path} has no [[engineers]]" if path.exists() else f"there is no configuration file ({path})"
    print(
        "\n" + "!" * 78 + "\n"
        f"!!  {why}: NO ENGINEERS EXIST.\n"
        "!!  Reports will be taken, but nobody is paged and no deadline can be kept.\n"
        "!!  Copy helpdesk.example.toml to helpdesk.toml (or set HELPDESK_CONFIG) and list them.\n"
        + "!" * 78 + "\n",
        file=sys.stderr,
    )


def _sandbox_instead(config: Config, settings: Settings, db: Path) -> int:
    banner = (
        "\n" + "!" * 78 + "\n"
        "!!  TELEGRAM_BOT_TOKEN is not set: starting the SANDBOX, not the real bot.\n"
        "!!  Everything below is a local stand-in of Telegram in this terminal.\n"
        "!!  To run the real bot: export TELEGRAM_BOT_TOKEN=<token from @BotFather>\n"
        + "!" * 78 + "\n"
    )
    print(banner, file=sys.stderr)
    if not sys.stdin.isatty():
        print("helpdesk: TELEGRAM_BOT_TOKEN is not set and there is no terminal for the sandbox",
              file=sys.stderr)
        return EXIT_BAD_SETTING
    from bot.sandbox import run_sandbox

    _say_what_the_sandbox_uses(config, settings, db)
    return asyncio.run(run_sandbox(config, db))


async def _roster(settings: Settings, config, argv: list[str]) -> int:  # type: ignore[no-untyped-def]
    """The roster as the bot sees it: the configuration plus what managers changed from chat."""
    from datetime import timedelta

    from bot.cli.roster import main as roster_main
    from bot.services.roster import stored_edits

    clock = SystemClock()
    edits: dict = {}  # type: ignore[type-arg]
    overrides: list = []  # type: ignore[type-arg]
    if settings.db_path.exists():
        async with read_snapshot(settings.db_path) as tx:  # only reads: never the bot's write lock
            edits = await stored_edits(tx.roster)
            far = timedelta(days=3660)
            overrides = await tx.roster.overrides(clock.now() - far, clock.now() + far)
    return roster_main(argv, config, overrides=overrides, clock=clock, **edits)


def _report(settings: Settings, config, argv: list[str]) -> int:  # type: ignore[no-untyped-def]
    """`helpdesk report`: the figures of a period, from the database the bot writes."""
    from bot.cli.report import main as report_main
    from bot.services.reports.loading import load_period

    async def loader(start, end):  # type: ignore[no-untyped-def]
        options.need_database(settings.db_path)  # reading must not leave an empty helpdesk.db behind
        # a snapshot, not a transaction: a year's read takes seconds, and the bot must go on writing
        async with read_snapshot(settings.db_path) as tx:
            return await load_period(tx, config, start, end)

    return report_main(argv, loader, tz=config.tz, weights=config.reports.weights, now=SystemClock().now())


async def _import_assets(db_path: Path, file: Path) -> int:
    """Load the register, all or nothing (bot/cli/files.py: which files are opened)."""
    from bot.cli.files import Unreadable, read_small, report_refusal

    try:
        data = read_small(file, MAX_REGISTER_BYTES, "a register")
    except Unreadable as exc:
        print(f"helpdesk: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTING
    try:
        assets = parse_register(data)
    except RegisterError as exc:
        report_refusal(file, exc.problems)
        return EXIT_REFUSED
    clock = SystemClock()
    storage = await open_storage(db_path)
    try:
        async with storage.transaction() as tx:
            added, updated = await tx.assets.upsert(assets, clock.now())
    finally:
        await storage.close()
    print(f"{file}: {len(assets)} assets imported ({added} new, {updated} updated) into {db_path}")
    return 0
