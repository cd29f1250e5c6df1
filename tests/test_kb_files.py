"""`helpdesk kb import` / `kb export`: the file format round-trips through the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from knowledge.loader import load_articles

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
