"""`helpdesk kb …`: search and eval (knowledge/cli.py) and, here, import and export with the database.

`helpdesk kb import DIR` / `helpdesk kb export DIR`: the database's articles in the file format.

Import stores every good file of a folder in the database (one transaction; bad files are reported
with their path and reason and skipped: not a regular file, a link out of the folder, too large).
Export writes every article the bot uses — shipped and stored — as `<lang>/<id>.md`, so an export
imported again reproduces the same knowledge base.

Export never destroys an edit: people edit the exported files in place and import them later, so
an export over a folder where a file was changed since the last export (or was not written by an
export and differs) writes nothing and names the files, unless `--force`. What the last export wrote
is recorded in `MANIFEST` (file → SHA-256) inside the folder.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO

from bot.cli.options import Locations, NoDatabase, parent
from bot.config import ConfigError, Settings
from bot.domain.clock import SystemClock
from knowledge.cli import Command, Stored
from knowledge.loader import load_articles, render_article, shipped_articles_dir
from storage import SchemaTooNew, StorageUnavailable, open_storage, read_snapshot


def main(argv: list[str], places: Locations) -> int:
    """`helpdesk kb <argv>`: one parser for every kb subcommand, so `helpdesk kb --help` lists them all."""
    from knowledge.cli import main as kb_main

    def db_path() -> Path:
        return places.apply(Settings.from_env()).db_path

    def folder(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("folder", type=Path, help="a folder of article .md files (any depth)")

    def folder_and_force(parser: argparse.ArgumentParser) -> None:
        folder(parser)
        parser.add_argument("--force", action="store_true", help="overwrite files edited since the last export")

    more = {
        "import": Command("store a folder of article .md files in the database (bad files are skipped)", folder,
                          lambda args: asyncio.run(import_dir(db_path(), args.folder, sys.stdout, sys.stderr))),
        "export": Command("write every article, shipped and stored, to a folder as <lang>/<id>.md",
                          folder_and_force,
                          lambda args: asyncio.run(export_dir(db_path(), args.folder, sys.stdout, sys.stderr,
                                                            force=args.force))),
    }
    return kb_main(argv, sys.stdin, sys.stdout, sys.stderr,  # as they are now, not as they were at import
                   stored=lambda needed: stored_kb(places, needed), more=more, parents=[parent()])


def stored_kb(places: Locations, needed: bool) -> Stored:
    """What the database adds to `kb search` and `kb eval --outcomes`.

    Never creates the database. Without one, search uses the shipped articles alone; when the database
    is `needed` (the verdicts of eval --outcomes), its absence or a bad setting is raised to the caller."""
    try:
        settings = places.apply(Settings.from_env())
    except ConfigError:
        if needed:
            raise
        return Stored()
    if not settings.db_path.exists():
        if needed:
            raise NoDatabase(settings.db_path)
        return Stored()

    async def read() -> Stored:
        async with read_snapshot(settings.db_path) as tx:  # only reads: never the bot's write lock
            return Stored(await tx.kb.articles(), await tx.kb.outcomes(), frozenset(await tx.kb.removed_evidence()))

    try:
        return asyncio.run(read())
    except (StorageUnavailable, SchemaTooNew):
        if needed:
            raise
        return Stored()


async def import_dir(db_path: Path, folder: Path, out: IO[str] = sys.stdout, err: IO[str] = sys.stderr) -> int:
    if not folder.is_dir():
        err.write(f"helpdesk: {folder} is not a folder\n")
        return 2
    report = load_articles(folder)
    for problem in report.problems:
        err.write(f"{problem.verb} {problem.path}: {problem.reason}\n")
    clock = SystemClock()
    storage = await open_storage(db_path)
    try:
        async with storage.transaction() as tx:
            for article in report.articles:
                await tx.kb.save(article, None, clock.now())
    finally:
        await storage.close()
    ids = {a.id for a in report.articles}
    out.write(f"{folder}: imported {len(report.articles)} article versions ({len(ids)} articles), "
              f"skipped {len(report.skipped)} files\n")
    return 1 if report.skipped and not report.articles else 0


MANIFEST = ".helpdesk-export.json"
"""What the last export wrote, in the export folder: {"files": {"en/x.md": "<sha256>", …}}."""


async def export_dir(db_path: Path, folder: Path, out: IO[str] = sys.stdout, err: IO[str] = sys.stderr,
                     *, force: bool = False) -> int:
    """Write every article to `folder`; 1, with nothing written, if that would lose a local edit."""
    from bot.services.knowledge import KnowledgeBase

    if db_path.exists():
        kb, _ = await KnowledgeBase.read(functools.partial(read_snapshot, db_path))  # only reads
    else:  # no database yet: the shipped articles alone, and no database made for them
        kb = KnowledgeBase(load_articles(shipped_articles_dir()).articles, [])
    files = {f"{a.lang}/{a.id}.md": render_article(a).encode("utf-8") for a in kb.articles()}
    try:
        exported = _read_manifest(folder)
        blocked, edited = _conflicts(folder, files, exported)
        if blocked or (edited and not force):
            err.write(f"helpdesk: {folder}: nothing was exported, these files are in the way:\n")
            for name, why in [*blocked, *([] if force else edited)]:
                err.write(f"  {name}: {why}\n")
            if edited and not force:
                err.write(f"import them first (helpdesk kb import {folder}) to keep the edits, "
                          "or export with --force to overwrite them\n")
            return 1
        for name, why in edited:
            err.write(f"overwriting {name} ({why}): --force\n")
        for name, data in files.items():
            _write_atomically(folder / name, data)
        exported.update({name: hashlib.sha256(data).hexdigest() for name, data in files.items()})
        _write_atomically(folder / MANIFEST, json.dumps({"files": dict(sorted(exported.items()))},
                                                        indent=1).encode("utf-8") + b"\n")
    except OSError as exc:
        err.write(f"helpdesk: cannot export to {folder}: {exc.strerror or exc}\n")
        return 2
    out.write(f"{folder}: exported {len(kb.articles())} article versions ({len(kb)} articles)\n")
    return 0


def _read_manifest(folder: Path) -> dict[str, str]:
    """What the last export wrote; nothing if there was none or the record is unreadable (then every
    existing file that differs counts as edited, which errs on the side of keeping it)."""
    try:
        record = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, dict):
        return {}
    return {name: digest for name, digest in files.items() if isinstance(name, str) and isinstance(digest, str)}


def _conflicts(folder: Path, files: dict[str, bytes], exported: dict[str, str]
               ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(files that cannot be overwritten at all, files edited since the last export), by name.

    Checked before anything is written, so a refused export leaves the folder as it was. A target
    that is not a regular file (a link, a FIFO, a folder) is never written through, even with --force:
    it could point anywhere, or block the export.
    """
    blocked: list[tuple[str, str]] = []
    edited: list[tuple[str, str]] = []
    for name, data in files.items():
        target = folder / name
        try:
            mode = target.lstat().st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            blocked.append((name, "not a regular file (a link, a FIFO or a folder); move it away"))
            continue
        current = hashlib.sha256(target.read_bytes()).hexdigest()
        if current == hashlib.sha256(data).hexdigest() or current == exported.get(name):
            continue  # the same as this export, or as the last one: nobody changed it
        edited.append((name, "changed since the last export" if name in exported
                       else "not written by an export, and different"))
    return blocked, edited


def _write_atomically(target: Path, data: bytes) -> None:
    """Write a whole file or none of it: a crash mid-export must not leave half an article."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)  # mkstemp's 0600 would hide the articles from the team
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
