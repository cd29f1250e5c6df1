"""Soak: the real `helpdesk run` process under load, with Bot API failures, SIGKILLs and SIGTERMs.

The scenario, the simulated reporters and engineers and the audit are in `tests/soak_support.py`;
`benchmarks/soak.py` runs the same thing bigger. Kill points depend on the seed and on timing, so
set SOAK_SEED to vary them; a failure prints the seed and every figure.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.soak_support import SoakResult, run_soak

SEED = int(os.environ.get("SOAK_SEED", "1"))


def explain(result: SoakResult) -> str:
    """The problems (the first 20), the figures and the conversations of the reporters concerned."""
    lines = [f"seed {SEED}: {len(result.problems)} problem(s)", *result.problems[:20], str(result.figures)]
    lines += [f"reporter {user}:\n{talk}" for user, talk in list(result.conversations.items())[:3]]
    return "\n".join(lines)


@pytest.mark.soak
@pytest.mark.xdist_group("soak")
async def test_kills_and_api_errors_lose_and_double_nothing(tmp_path: Path) -> None:
    """40 reporters at once, ~5% of the bot's Bot API calls failing, 3 SIGKILLs at random points."""
    result = await asyncio.wait_for(
        run_soak(tmp_path, reporters=40, stops=3, interrupt="kill", error_rate=0.05, seed=SEED), timeout=85)
    figures = result.figures
    print(figures)
    assert not result.problems, explain(result)
    assert figures["kills"] == 3
    assert figures["injected_errors"] > 0
    assert figures["confirmed"] + figures["found_with_my"] == figures["reports"] == figures["tickets"] == 40
    assert figures["missing"] == figures["duplicated"] == 0
    assert figures["pages_sent"] == figures["pages_due"] >= figures["tickets"]
    assert [code for code, _ in figures["sigterm_exits"]] == [0]


@pytest.mark.soak
@pytest.mark.xdist_group("soak")
async def test_sigterm_during_load_exits_cleanly_within_5_seconds(tmp_path: Path) -> None:
    """SIGTERM twice while 20 reporters are mid-report (errors injected): exit code 0 within 5 s."""
    result = await asyncio.wait_for(
        run_soak(tmp_path, reporters=20, stops=2, interrupt="term", error_rate=0.05, seed=SEED), timeout=60)
    figures = result.figures
    print(figures)
    assert len(figures["sigterm_exits"]) == 3  # two under load, one at the end
    assert all(code == 0 and seconds < 5 for code, seconds in figures["sigterm_exits"]), figures["sigterm_exits"]
    assert not result.problems, explain(result)  # e.g. an update fetched before SIGTERM but never handled
    assert figures["tickets"] == figures["reports"] == 20
