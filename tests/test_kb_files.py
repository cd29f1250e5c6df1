"""`helpdesk kb import` / `kb export`: the file format round-trips through the database; `kb search`
and `kb eval --outcomes` read what the database adds."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from knowledge.loader import load_articles
from storage import open_storage

ROOT = Path(__file__).parents[1]
ARTICLE = """---
id: stapler-jam
lang: en
title: "Stapler jammed"
device: copier
symptoms:
  - "the stapler is stuck"
---

1. Open the finisher door.
2. Ask an engineer if it stays stuck.
"""


def _helpdesk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_DB": str(tmp_path / "h.db"),
           "HELPDESK_CONFIG": os.devnull}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_import_reports_bad_files_and_export_round_trips(tmp_path: Path) -> None:
    source = tmp_path / "in" / "nested" / "deeper"
    source.mkdir(parents=True)
    (source / "stapler-jam.md").write_text(ARTICLE, encoding="utf-8")
    (source / "broken.md").write_text("no front matter here", encoding="utf-8")
    result = _helpdesk(tmp_path, "kb", "import", str(tmp_path / "in"))
    assert result.returncode == 0, result.stderr
    assert "imported 1 article versions (1 articles), skipped 1 files" in result.stdout
    assert "broken.md" in result.stderr
    result = _helpdesk(tmp_path, "kb", "export", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    exported = tmp_path / "out" / "en" / "stapler-jam.md"
    assert exported.read_text(encoding="utf-8") == ARTICLE
    report = load_articles(tmp_path / "out")
    assert report.problems == []
    assert len({a.id for a in report.articles}) >= 41  # the shipped articles come along


def test_import_of_a_missing_folder_is_refused(tmp_path: Path) -> None:
    result = _helpdesk(tmp_path, "kb", "import", str(tmp_path / "nope"))
    assert result.returncode == 2 and "is not a folder" in result.stderr


def test_search_without_kb_finds_stored_articles_too(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "stapler-jam.md").write_text(ARTICLE, encoding="utf-8")
    assert _helpdesk(tmp_path, "kb", "import", str(source)).returncode == 0
    result = subprocess.run([sys.executable, "-m", "bot.cli", "kb", "search"], input="the stapler is stuck\n",
                            capture_output=True, text=True, cwd=ROOT, timeout=120,
                            env={"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_DB": str(tmp_path / "h.db"),
                                 "HELPDESK_CONFIG": os.devnull})
    line = json.loads(result.stdout)
    assert line["query"] == "the stapler is stuck" and line["matches"][0]["id"] == "stapler-jam"


def test_eval_outcomes_measures_the_stored_verdicts_with_and_without_learning(tmp_path: Path) -> None:
    """`helpdesk kb eval --outcomes` over the bot's database: two reporters found the stapler article
    with a phrasing the matcher did not know, one said an article did not help, an engineer resolved a
    ticket with an article; the figures with learning show what the two agreeing verdicts taught."""
    missing = _helpdesk(tmp_path, "kb", "eval", "--outcomes")  # it only reads: no database is no answer
    assert missing.returncode == 2 and "no database at" in missing.stderr and not (tmp_path / "h.db").exists()
    asyncio.run(_create(tmp_path / "h.db"))
    empty = _helpdesk(tmp_path, "kb", "eval", "--outcomes")
    assert empty.returncode == 0 and "No verdicts stored yet" in empty.stdout

    odd = "the booklet thingy on the big machine chews the pins"
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    async def store() -> None:
        storage = await open_storage(tmp_path / "h.db")
        try:
            async with storage.transaction() as tx:
                for person in (601, 602):
                    await tx.kb.record_outcome(person, "copier-paper-jam", True, odd, at)
                await tx.kb.record_outcome(603, "printer-offline", False, "printer offline again", at)
                await tx.kb.record_outcome(1001, "printer-toner-low", True, "toner low", at,
                                           ticket_number="HD-2026-00007")
        finally:
            await storage.close()

    asyncio.run(store())
    result = _helpdesk(tmp_path, "kb", "eval", "--outcomes")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "verdicts:   4 on 3 articles (2 fixed it, 1 didn't help, 1 engineer fixed with)" in out
    assert "1 learned, 0 against, 0 removed by engineers (a phrasing counts once 2 people agree)" in out
    helped = next(line for line in out.splitlines() if line.startswith("  helped: hit@1"))
    before, after = (float(v) for v in helped.split()[-2:])
    assert after > before  # what two people agreed on is found first once learned
    assert f"+ copier-paper-jam  fixed 2, not 0: {odd}" in out


async def _create(path: Path) -> None:
    await (await open_storage(path)).close()
