"""`helpdesk kb import DIR` / `helpdesk kb export DIR`: the database's articles in the file format.

Import stores every good file of a folder in the database (one transaction; bad files are reported
with their path and reason and skipped). Export writes every article the bot uses — shipped and
stored — as `<lang>/<id>.md`, so an export imported again reproduces the same knowledge base.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from bot.domain.clock import SystemClock
from knowledge.loader import load_articles, render_article
from storage import open_storage


async def import_dir(db_path: Path, folder: Path, out: IO[str] = sys.stdout, err: IO[str] = sys.stderr) -> int:
    if not folder.is_dir():
        err.write(f"helpdesk: {folder} is not a folder\n")
        return 2
    report = load_articles(folder)
    for problem in report.problems:
        err.write(f"skipped {problem.path}: {problem.reason}\n")
    clock = SystemClock()
    storage = await open_storage(db_path, now=clock.now())
    try:
        async with storage.transaction() as tx:
            for article in report.articles:
                await tx.kb.save(article, None, clock.now())
    finally:
        await storage.close()
    ids = {a.id for a in report.articles}
    out.write(f"{folder}: imported {len(report.articles)} article versions ({len(ids)} articles), "
              f"skipped {len(report.problems)} files\n")
    return 1 if report.problems and not report.articles else 0


async def export_dir(db_path: Path, folder: Path, out: IO[str] = sys.stdout, err: IO[str] = sys.stderr) -> int:
    from bot.services.knowledge import KnowledgeBase

    storage = await open_storage(db_path, now=SystemClock().now())
    try:
        kb, _ = await KnowledgeBase.load(storage)
    finally:
        await storage.close()
    try:
        for article in kb.articles():
            target = folder / article.lang / f"{article.id}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render_article(article), encoding="utf-8")
    except OSError as exc:
        err.write(f"helpdesk: cannot write to {folder}: {exc.strerror}\n")
        return 2
    out.write(f"{folder}: exported {len(kb.articles())} article versions ({len(kb)} articles)\n")
    return 0
