"""`--db` and `--config` on every `helpdesk` command, reading commands that never create a database,
every `--help` naming its subcommands and options, and the shipped example registers.

Run in-process (bot.cli.main) rather than as child processes: the whole file stays within a few seconds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import bot.cli
from bot.cli import main, options
from storage import open_storage

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CONFIG = ROOT / "helpdesk.example.toml"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A folder of its own, no HELPDESK_* from the machine, and the process's logging left alone."""
    for name in ("HELPDESK_DB", "HELPDESK_CONFIG", "TELEGRAM_BOT_TOKEN", "HELPDESK_TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(bot.cli, "setup_logging", lambda *args, **kwargs: None)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as done:  # argparse's own --help and usage errors
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _create(path: Path) -> None:
    async def create() -> None:
        await (await open_storage(path)).close()

    asyncio.run(create())


# ------------------------------------------------------------------------------------- taking the options


@pytest.mark.parametrize(("argv", "db", "config", "rest"), [
    (["report", "--db", "s.db", "--from", "x"], "s.db", None, ["report", "--from", "x"]),
    (["--db", "s.db", "--config", "c.toml", "report"], "s.db", "c.toml", ["report"]),
    (["kb", "search", "--db=a.db", "q", "--db", "b.db"], "b.db", None, ["kb", "search", "q"]),  # the last wins
    (["kb", "search", "--", "--db", "x"], None, None, ["kb", "search", "--", "--db", "x"]),
])
def test_the_options_are_taken_wherever_they_stand(argv: list[str], db: str | None, config: str | None,
                                                   rest: list[str]) -> None:
    places, words = options.take(argv)
    assert places.db == (Path(db) if db else None)
    assert places.config == (Path(config) if config else None)
    assert words == rest


@pytest.mark.parametrize("argv", [["report", "--db"], ["--db", "--from", "x"], ["--config="]])
def test_an_option_without_its_file_is_refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 2 and "needs a file after it" in err


# ---------------------------------------------------------------------------------- reading never creates


@pytest.mark.parametrize("argv", [
    ["report", "--from", "2026-11-01", "--to", "2026-11-30"],
    ["roster", "who"],
    ["kb", "eval", "--outcomes"],
    ["doctor", "--db", "helpdesk.db"],
])
def test_a_reading_command_without_a_database_says_so_and_creates_none(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2, (out, err)
    assert "helpdesk: no database at helpdesk.db (use --db, or run the bot first)" in err
    assert list(tmp_path.iterdir()) == []


def test_kb_search_without_a_database_uses_the_shipped_articles(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "kb", "search", "打印机卡纸了", "--db", "none.db", "--json")
    assert code == 0 and '"printer-paper-jam"' in out
    assert list(tmp_path.iterdir()) == []


def test_a_missing_config_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _create(tmp_path / "s.db")
    code, _, err = _run(capsys, "report", "--config", "typo.toml", "--db", "s.db", "--from", "2026-11-01",
                        "--to", "2026-11-30")
    assert code == 2 and "--config names typo.toml, and there is no such file" in err


def test_config_and_db_override_the_environment(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The roster of helpdesk.example.toml (engineers by name) from a database named by --db, while the
    environment points elsewhere: the command line wins."""
    monkeypatch.setenv("HELPDESK_DB", str(tmp_path / "elsewhere.db"))
    monkeypatch.setenv("HELPDESK_CONFIG", str(tmp_path / "missing.toml"))
    _create(tmp_path / "s.db")
    code, out, err = _run(capsys, "--config", str(EXAMPLE_CONFIG), "roster", "who", "--at",
                          "2026-02-17T10:00", "--db", "s.db", "--json")
    assert code == 0, err
    assert '"id": 1003' in out and not (tmp_path / "elsewhere.db").exists()


# --------------------------------------------------------------------------------------- the sandbox line


def test_the_sandbox_says_which_database_and_configuration(capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Path] = []

    async def fake_sandbox(config: object, db: Path) -> int:
        seen.append(db)
        return 0

    monkeypatch.setattr("bot.sandbox.run_sandbox", fake_sandbox)
    code, _, err = _run(capsys, "sandbox")
    assert code == 0 and seen == [Path("sandbox.db")]
    assert "sandbox: database sandbox.db, configuration helpdesk.example.toml" in err
    code, _, err = _run(capsys, "--db", "try.db", "sandbox", "--config", str(EXAMPLE_CONFIG))
    assert code == 0 and seen[-1] == Path("try.db")
    assert f"sandbox: database try.db, configuration {EXAMPLE_CONFIG}\n" in err


# ------------------------------------------------------------------------------------ the example registers


@pytest.mark.parametrize("name", ["assets.csv", "assets-zh.csv"])
def test_the_example_registers_import(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    code, out, err = _run(capsys, "assets", "import", str(ROOT / "examples" / name), "--db", "sandbox.db")
    assert code == 0, err
    assert "12 assets imported (12 new, 0 updated) into sandbox.db" in out

    async def stored() -> list:  # type: ignore[type-arg]
        storage = await open_storage(tmp_path / "sandbox.db")
        try:
            async with storage.transaction() as tx:
                return [asset for asset, _ in await tx.assets.register()]
        finally:
            await storage.close()

    assets = asyncio.run(stored())
    assert len(assets) == 12 and next(a for a in assets if a.asset_no == "HQ-PR-001").device_type == "printer"
    assert {a.site for a in assets} == {"HQ-12F", "HQ-3F", "Branch-North"}
    assert sum(a.core for a in assets) == 5 and sum(a.retired is not None for a in assets) == 1


# ------------------------------------------------------------------------------------------- every help

HELPS: dict[tuple[str, ...], tuple[str, ...]] = {
    (): ("run", "sandbox", "assets", "calendar", "kb", "roster", "report", "inspections", "doctor"),
    ("run",): (),
    ("sandbox",): (),
    ("assets",): ("import", "labels"),
    ("assets", "labels"): ("--out", "--site", "--layout", "3x8", "2x5", "--lang", "--bot", "--name", "--force"),
    ("assets", "import"): ("file", "examples/assets.csv"),
    ("calendar",): ("import",),
    ("calendar", "import"): ("file",),
    ("kb",): ("search", "eval", "import", "export"),
    ("kb", "search"): ("--kb DIR", "--top N", "--json"),
    ("kb", "eval"): ("--outcomes", '"q"', '"expect"', "required", "No other key"),
    ("kb", "import"): ("folder",),
    ("kb", "export"): ("folder", "--force"),
    ("roster",): ("who", "show"),
    ("roster", "who"): ("--at", "--json"),
    ("roster", "show"): ("--from", "--to", "--json"),
    ("report",): ("--from DATE", "--to DATE", "--json", "--xlsx FILE", "--png FILE", "--site", "--severity"),
    ("doctor",): ("--json",),
    ("inspections",): ("plan", "due"),
    ("inspections", "plan"): ("--from", "--to", "--json"),
    ("inspections", "due"): ("--at", "--json"),
}


@pytest.mark.parametrize("words", list(HELPS), ids=lambda words: " ".join(words) or "helpdesk")
def test_every_help_names_its_subcommands_and_options(capsys: pytest.CaptureFixture[str],
                                                      words: tuple[str, ...]) -> None:
    code, out, err = _run(capsys, *words, "--help")
    assert code == 0, err
    assert out.startswith("usage: helpdesk" + "".join(f" {w}" for w in words))
    for name in HELPS[words]:
        assert name in out, f"helpdesk {' '.join(words)} --help does not name {name}"
    if words not in (("assets",), ("calendar",)):  # a group of one subcommand: its subcommand has them
        assert "--db FILE" in out and "--config FILE" in out
    assert list(Path.cwd().iterdir()) == []  # asking for help opens no database
