#!/usr/bin/env python3
"""Set-up in one step on a machine with only Python 3.11+: `python3 tasks.py run` or `python3 tasks.py test`.

Each command first makes sure `.venv` exists and holds what pyproject.toml asks for (re-installing
only when pyproject.toml changed), then runs the bot or the tests inside it: `run` and `sandbox` need
the bot alone, `test` adds the test tools (pytest, hypothesis, ruff). Standard library only, so it
works before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"
"""The SHA-256 of the pyproject.toml installed, then the extras installed with it: "<sha> [test]"."""
RETIRED = ("phonenumbers", "mplfonts")
"""Distributions an older pyproject.toml installed and a newer one dropped: phonenumbers (replaced by
phonenumberslite, which writes the same package folder, so its files must not shadow the new ones) and
mplfonts (103 MB of fonts, replaced by the subset in bot/fonts)."""


def ensure_venv(*, test: bool = True) -> None:
    """Make `.venv` hold what pyproject.toml asks for: the bot and, with `test`, the test tools.

    Extras installed once are kept; the rest is re-installed only when pyproject.toml changes. An older
    venv's mplfonts (103 MB; the chart now uses the system's Chinese font or the subset in bot/fonts)
    is removed with the other retired distributions."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    installed, extras = _stamp()
    needed = {"test"} if test else set()
    if installed == wanted and needed <= extras and (BIN / "helpdesk").exists():
        return
    if not (BIN / "python").exists():
        print("· creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        if _site_packages("setuptools-*.dist-info"):  # ensurepip's, on Python 3.11: 9 MB for building,
            _pip("uninstall", "--yes", "setuptools")  # which pip does in an isolated environment of its own
    print("· installing the help desk and its dependencies into .venv", flush=True)
    _pip("install", "--upgrade", "pip")
    retired = [name for name in RETIRED if _site_packages(f"{name}-*.dist-info")]
    if retired:
        _pip("uninstall", "--yes", *retired)
    extras |= needed
    extras.discard("cjk-font")  # an extra of an older pyproject.toml
    _pip("install", "-e", _spec(extras))
    STAMP.write_text(f"{wanted} [{','.join(sorted(extras))}]")


def _stamp() -> tuple[str, set[str]]:
    """What the last installation recorded: pyproject.toml's hash and its extras ("" and none: nothing yet).
    A stamp of the older form (the hash alone) was written by an installation with the test tools."""
    if not STAMP.exists():
        return "", set()
    digest, new_form, extras = STAMP.read_text().strip().partition(" ")
    return digest, set(filter(None, extras.strip("[]").split(","))) if new_form else {"test"}


def _spec(extras: set[str]) -> str:
    return f"{ROOT}[{','.join(sorted(extras))}]" if extras else str(ROOT)


def _pip(*args: str) -> None:
    subprocess.run([str(BIN / "python"), "-m", "pip", "--quiet", *args], check=True)


def _site_packages(pattern: str) -> list[Path]:
    return [*VENV.glob(f"lib/python*/site-packages/{pattern}"), *VENV.glob(f"Lib/site-packages/{pattern}")]


def _parallel(args: list[str]) -> list[str]:
    """Run the tests on every core (pytest-xdist). The soak tests, which start the real bot as a process and
    time its shutdown, are one group and so run one after the other; `-n 0` (or any -n) overrides it."""
    if any(a.startswith("-n") or "xdist" in a for a in args):
        return []
    return ["-n", "auto", "--dist", "loadgroup"]


CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium, which the dashboard's browser tests drive (tests/test_dashboard_browser.py)."""


def ensure_chromium() -> None:
    """In CI, install Debian's Chromium when it is missing (about 35 s once; root and apt are there); on a
    developer's machine the browser tests say they were skipped and why instead."""
    if CHROMIUM.exists() or not os.environ.get("CI") or not shutil.which("apt-get"):
        return
    print("· installing Debian's chromium for the dashboard's browser tests", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"], env=env,
                          stdout=subprocess.DEVNULL)
    if done.returncode:  # the package lists may be stale: refresh them once
        subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"], env=env,
                       stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    if command not in ("run", "test", "sandbox"):
        print(__doc__)
        print("usage: python3 tasks.py run | sandbox | test [pytest arguments]")
        return 2
    ensure_venv(test=command == "test")  # running the bot needs no test tools
    os.chdir(ROOT)
    if command == "test":
        ensure_chromium()
        lint = subprocess.run([str(BIN / "ruff"), "check", "bot", "storage", "knowledge", "tests", "benchmarks"])
        tests = subprocess.run([str(BIN / "python"), "-m", "pytest", *_parallel(argv[1:]), *argv[1:]])
        return tests.returncode or lint.returncode
    return subprocess.run([str(BIN / "helpdesk"), command, *argv[1:]]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
