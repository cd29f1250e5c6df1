"""tasks.py's set-up decisions, without installing anything: what is installed when, and the stamp
that makes a second run a no-op until pyproject.toml changes."""

from __future__ import annotations

from pathlib import Path

import pytest

import tasks


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:  # type: ignore[type-arg]
    """A project and a venv in tmp_path whose pip only records what it was asked; no font by default."""
    root, venv = tmp_path / "project", tmp_path / "project" / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    (venv / "bin" / "helpdesk").touch()
    (root / "pyproject.toml").write_text(Path(tasks.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    state: dict = {"calls": [], "font": False}  # type: ignore[type-arg]
    monkeypatch.setattr(tasks, "ROOT", root)
    monkeypatch.setattr(tasks, "VENV", venv)
    monkeypatch.setattr(tasks, "BIN", venv / "bin")
    monkeypatch.setattr(tasks, "STAMP", venv / ".installed-from")
    monkeypatch.setattr(tasks, "_pip", lambda *args: state["calls"].append(args))
    monkeypatch.setattr(tasks, "_chart_font_found", lambda: state["font"])
    state["root"], state["venv"] = root, venv
    return state


def _installs(state: dict) -> list[tuple[str, ...]]:  # type: ignore[type-arg]
    return [call for call in state["calls"] if call[0] == "install" and call[1] != "--upgrade"]


def test_without_a_system_font_the_chart_font_is_added_once(fake: dict) -> None:  # type: ignore[type-arg]
    tasks.ensure_venv()
    root = fake["root"]
    assert _installs(fake) == [("install", "-e", f"{root}[test]"), ("install", "mplfonts>=0.0.8,<0.1")]
    assert tasks.STAMP.read_text().endswith(" [cjk-font,test]")
    fake["calls"].clear()
    tasks.ensure_venv()
    tasks.ensure_venv(test=False)
    assert fake["calls"] == []  # nothing changed: nothing installed


def test_with_a_system_font_and_for_running_only(fake: dict) -> None:  # type: ignore[type-arg]
    fake["font"] = True
    tasks.ensure_venv(test=False)
    assert _installs(fake) == [("install", "-e", str(fake["root"]))]
    fake["calls"].clear()
    tasks.ensure_venv(test=False)
    assert fake["calls"] == []
    tasks.ensure_venv()  # the tests want their tools: installed then, and kept
    assert _installs(fake) == [("install", "-e", f"{fake['root']}[test]")]
    assert tasks.STAMP.read_text().endswith(" [test]")


def test_a_changed_pyproject_reinstalls_keeping_the_extras(fake: dict) -> None:  # type: ignore[type-arg]
    tasks.ensure_venv()
    fake["calls"].clear()
    pyproject = fake["root"] / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# changed\n")
    tasks.ensure_venv(test=False)
    assert _installs(fake) == [("install", "-e", f"{fake['root']}[cjk-font,test]")]


def test_an_older_venv_loses_the_full_phonenumbers_first(fake: dict) -> None:  # type: ignore[type-arg]
    """The stamp of the older form (the hash alone) came with the test tools; its phonenumbers would
    share a folder with phonenumberslite, so it is uninstalled before the install."""
    site = fake["venv"] / "lib" / "python3.11" / "site-packages"
    (site / "phonenumbers-9.0.43.dist-info").mkdir(parents=True)
    tasks.STAMP.write_text("0" * 64)
    fake["font"] = True  # the old venv's mplfonts is found: not installed again
    tasks.ensure_venv(test=False)
    uninstall = fake["calls"].index(("uninstall", "--yes", "phonenumbers"))
    assert uninstall < fake["calls"].index(("install", "-e", f"{fake['root']}[test]"))
