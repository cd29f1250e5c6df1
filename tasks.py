#!/usr/bin/env python3
"""Set-up in one step on a machine with only Python 3.11+: `python3 tasks.py run` or `python3 tasks.py test`.

Each command first makes sure `.venv` exists and holds what pyproject.toml asks for (re-installing
only when pyproject.toml changed), then runs the bot or the tests inside it. Standard library only,
so it works before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and (BIN / "helpdesk").exists():
        return
    if not (BIN / "python").exists():
        print("· creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("· installing the help desk and its dependencies into .venv", flush=True)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def _parallel(args: list[str]) -> list[str]:
    """Run the tests on every core (pytest-xdist). The soak tests, which start the real bot as a process and
    time its shutdown, are one group and so run one after the other; `-n 0` (or any -n) overrides it."""
    if any(a.startswith("-n") or "xdist" in a for a in args):
        return []
    return ["-n", "auto", "--dist", "loadgroup"]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "help"
    if command not in ("run", "test", "sandbox"):
        print(__doc__)
        print("usage: python3 tasks.py run | sandbox | test [pytest arguments]")
        return 2
    ensure_venv()
    os.chdir(ROOT)
    if command == "test":
        lint = subprocess.run([str(BIN / "ruff"), "check", "bot", "storage", "knowledge", "tests", "benchmarks"])
        tests = subprocess.run([str(BIN / "python"), "-m", "pytest", *_parallel(argv[1:]), *argv[1:]])
        return tests.returncode or lint.returncode
    return subprocess.run([str(BIN / "helpdesk"), command, *argv[1:]]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
