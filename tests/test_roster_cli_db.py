"""`helpdesk roster` answers from the configuration plus what managers changed from chat."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.roster import Override
from storage import open_storage

ROOT = Path(__file__).parents[1]


def _helpdesk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_DB": str(tmp_path / "h.db"),
           "HELPDESK_CONFIG": str(ROOT / "helpdesk.example.toml")}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


async def test_who_uses_the_stored_override_and_rotation_edit(tmp_path: Path) -> None:
    at = "2026-02-17T10:00"  # Spring Festival: the night-and-holidays rotation (Chen Jie, 1003)
    await (await open_storage(tmp_path / "h.db")).close()  # the roster only reads: the database must exist
    before = json.loads(_helpdesk(tmp_path, "roster", "who", "--at", at, "--json").stdout)
    assert before["engineer"]["id"] == 1003 and before["rotation"] == "night-and-holidays"
    storage = await open_storage(tmp_path / "h.db")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with storage.transaction() as tx:
        cover = Override(None, datetime(2026, 2, 17, 1, tzinfo=UTC), datetime(2026, 2, 17, 10, tzinfo=UTC),
                         1001, None, "cover", "holiday duty", 9001)
        await tx.roster.add_override(cover, now)
        await tx.roster.set_rotation("day", [1002, 1001], 9001, now)
    await storage.close()
    after = json.loads(_helpdesk(tmp_path, "roster", "who", "--at", at, "--json").stdout)
    assert after["engineer"] == {"id": 1001, "name": "Wang Wei", "phone": "+86 138 0000 1001"}
    assert after["override"] is True
    shown = _helpdesk(tmp_path, "roster", "show", "--from", "2026-02-14", "--to", "2026-02-14", "--json")
    days = json.loads(shown.stdout)
    assert days[0]["kind"] == "swapped_workday"
    day_shift = next(s for s in days[0]["shifts"] if s["rotation"] == "day")
    assert day_shift["engineer"]["id"] == 1001  # week 6 of the edited turn order [1002, 1001]; 1002 before


def test_bad_roster_arguments_exit_2(tmp_path: Path) -> None:
    result = _helpdesk(tmp_path, "roster", "show", "--from", "2026-01-01", "--to", "2028-01-01")
    assert result.returncode == 2
