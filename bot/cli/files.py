"""What every `helpdesk … import FILE` shares: reading a small regular file, and saying a refusal.

Only a regular file of a sane size is opened: reading a FIFO or a device would hang, and a huge file
would be read whole into memory before it could be refused. An import is all or nothing, so a refusal
lists every problem found and says that nothing was changed.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterable
from pathlib import Path


class Unreadable(ValueError):
    """The file cannot be read; the message says why in a user's words."""


def read_small(file: Path, limit: int, what: str) -> bytes:
    """The file's bytes; Unreadable if it is not a regular file, larger than `limit`, or unreadable."""
    try:
        mode = file.stat()
        if not stat.S_ISREG(mode.st_mode):
            raise Unreadable(f"cannot read {file}: not a regular file")
        if mode.st_size > limit:
            raise Unreadable(f"{file} is {mode.st_size:,} bytes, larger than the limit of {limit // 1024:,} KB "
                             f"for {what}")
        return file.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read {file}: {exc.strerror or exc}") from None


def report_refusal(file: Path, problems: Iterable[str]) -> None:
    print(f"{file}: not imported, nothing was changed:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
