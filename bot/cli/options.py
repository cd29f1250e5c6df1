"""`--db FILE` and `--config FILE`, which every `helpdesk` command takes, before or after its subcommand.

Why they are taken out of the command line first, wherever they stand: half the commands hand their
words to a parser of their own (kb, roster, report, doctor), and a newcomer who used the sandbox's
`sandbox.db` must be able to write `helpdesk report --db sandbox.db --from …` as naturally as
`helpdesk --db sandbox.db report …`. The parsers still list the two options (:func:`add_to`), so every
`--help` shows them. They override HELPDESK_DB and HELPDESK_CONFIG; a `--config` file must exist, as a
file HELPDESK_CONFIG names must.

A command that only reads the database (report, roster, kb eval --outcomes) must not create an empty
one at a mistyped path and then answer "no tickets": it asks :func:`need_database` first.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings

FLAGS = ("--db", "--config")


class OptionError(ValueError):
    """`--db` or `--config` without a file after it."""


class NoDatabase(Exception):
    """A command that only reads found no database; the message is the line to print."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"helpdesk: no database at {path} (use --db, or run the bot first)")
        self.path = path


@dataclass(frozen=True)
class Locations:
    """What the command line said about where things are; None: not given (the environment decides)."""

    db: Path | None = None
    config: Path | None = None

    def apply(self, settings: Settings) -> Settings:
        """The settings with the command line's choices over the environment's."""
        if self.db is not None:
            settings = dataclasses.replace(settings, db_path=self.db)
        if self.config is not None:
            settings = dataclasses.replace(settings, config_path=self.config, config_required=True)
        return settings

    def env(self, env: dict[str, str]) -> dict[str, str]:
        """The environment with them written in, for code that reads HELPDESK_DB/HELPDESK_CONFIG (the doctor)."""
        changed = dict(env)
        if self.db is not None:
            changed["HELPDESK_DB"] = str(self.db)
        if self.config is not None:
            changed["HELPDESK_CONFIG"] = str(self.config)
        return changed


def take(argv: Sequence[str]) -> tuple[Locations, list[str]]:
    """`--db FILE`/`--db=FILE` and `--config …` wherever they stand (not after `--`), and the other words.

    The last one given wins, as with any option."""
    found: dict[str, Path] = {}
    rest: list[str] = []
    words = list(argv)
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            rest += words[index:]
            break
        name, equals, value = word.partition("=")
        if name in FLAGS:
            if not equals:
                if index + 1 >= len(words) or words[index + 1].startswith("-"):
                    raise OptionError(f"{name} needs a file after it")
                index += 1
                value = words[index]
            if not value:
                raise OptionError(f"{name} needs a file after it")
            found[name] = Path(value)
        else:
            rest.append(word)
        index += 1
    return Locations(found.get("--db"), found.get("--config")), rest


def add_to(parser: argparse.ArgumentParser, *, db_help: str | None = None) -> None:
    """List the two options in `parser`'s help (their values were already taken by :func:`take`)."""
    group = parser.add_argument_group("where things are (any command, before or after its name)")
    group.add_argument("--db", metavar="FILE", default=argparse.SUPPRESS,
                       help=db_help or "the database (default: $HELPDESK_DB, else helpdesk.db)")
    group.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                       help="the configuration (default: $HELPDESK_CONFIG, else helpdesk.toml)")


def parent(*, db_help: str | None = None) -> argparse.ArgumentParser:
    """A parent parser with the two options, for `parents=[…]` where a parser is built elsewhere."""
    holder = argparse.ArgumentParser(add_help=False)
    add_to(holder, db_help=db_help)
    return holder


def need_database(path: Path) -> None:
    """Raise NoDatabase unless `path` exists: reading must never create it."""
    if not path.exists():
        raise NoDatabase(path)
