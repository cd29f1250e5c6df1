"""tasks.py's set-up decisions, without installing anything: what is installed when, and the stamp
that makes a second run a no-op until pyproject.toml changes."""

from __future__ import annotations

from pathlib import Path

import pytest

import tasks


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:  # type: ignore[type-arg]
    """A project and a venv in tmp_path whose pip only records what it was asked."""
    root, venv = tmp_path / "project", tmp_path / "project" / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    (venv / "bin" / "helpdesk").touch()
    (root / "pyproject.toml").write_text(Path(tasks.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    state: dict = {"calls": []}  # type: ignore[type-arg]
    monkeypatch.setattr(tasks, "ROOT", root)
    monkeypatch.setattr(tasks, "VENV", venv)
    monkeypatch.setattr(tasks, "BIN", venv / "bin")
    monkeypatch.setattr(tasks, "STAMP", venv / ".installed-from")
    monkeypatch.setattr(tasks, "_pip", lambda *args: state["calls"].append(args))
    state["root"], state["venv"] = root, venv
    return state


def _installs(state: dict) -> list[tuple[str, ...]]:  # type: ignore[type-arg]
    return [call for call in state["calls"] if call[0] == "install" and call[1] != "--upgrade"]


def test_running_needs_the_bot_alone_and_the_tests_add_their_tools_once(fake: dict) -> None:  # type: ignore[type-arg]
    tasks.ensure_venv(test=False)
    assert _installs(fake) == [("install", "-e", str(fake["root"]))]
    fake["calls"].clear()
    tasks.ensure_venv(test=False)
    assert fake["calls"] == []  # nothing changed: nothing installed
    tasks.ensure_venv()  # the tests want their tools: installed then, and kept
    assert _installs(fake) == [("install", "-e", f"{fake['root']}[test]")]
    assert tasks.STAMP.read_text().endswith(" [test]")
    fake["calls"].clear()
    tasks.ensure_venv(test=False)
    assert fake["calls"] == []


def test_a_changed_pyproject_reinstalls_keeping_the_extras(fake: dict) -> None:  # type: ignore[type-arg]
    tasks.ensure_venv()
    fake["calls"].clear()
    pyproject = fake["root"] / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# changed\n")
    tasks.ensure_venv(test=False)
    assert _installs(fake) == [("install", "-e", f"{fake['root']}[test]")]


def test_an_older_venv_loses_what_was_replaced_first(fake: dict) -> None:  # type: ignore[type-arg]
    """The full phonenumbers would share a folder with phonenumberslite, and mplfonts is 103 MB the chart no
    longer uses: both are uninstalled before the install. An older stamp's cjk-font extra is dropped."""
    site = fake["venv"] / "lib" / "python3.11" / "site-packages"
    (site / "phonenumbers-9.0.43.dist-info").mkdir(parents=True)
    (site / "mplfonts-0.0.11.dist-info").mkdir(parents=True)
    tasks.STAMP.write_text("0" * 64 + " [cjk-font,test]")
    tasks.ensure_venv(test=False)
    uninstall = fake["calls"].index(("uninstall", "--yes", "phonenumbers", "mplfonts"))
    assert uninstall < fake["calls"].index(("install", "-e", f"{fake['root']}[test]"))
    assert tasks.STAMP.read_text().endswith(" [test]")
