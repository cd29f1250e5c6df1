"""The sandbox as a terminal user meets it: through its stdin, restarted on the same database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _sandbox(db: Path, typed: str) -> str:
    """One run of `helpdesk sandbox --db DB` fed `typed` on its stdin; what it printed."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_CONFIG": os.devnull}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "sandbox", "--db", str(db)], input=typed,
                            capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_restarted_sandbox_still_answers(tmp_path: Path) -> None:
    """Each run's stand-in numbers its updates after the highest id the database has seen: numbered from
    1 again, every update of a second run would be dropped as a repeat of the first run's."""
    db = tmp_path / "x.db"
    for run in range(3):
        out = _sandbox(db, "/help\n:quit\n")
        assert "报修方法" in out, f"run {run + 1} got no answer to /help:\n{out}"
