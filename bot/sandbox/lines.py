"""What the sandbox reads from the terminal: lines joined into messages, read whole however long.

A fault description, an engineer's repair notes or a pasted error often spans lines; Telegram sends them
as one message with newlines. In the sandbox a line ending in `\\` goes on on the next line, and `:paste`
starts a block that a line holding only `.` (or the end of input) ends.

A terminal in its ordinary (canonical) mode keeps at most 4095 characters of one line and drops the rest
silently, so a long paste would arrive cut. On a terminal the sandbox therefore reads through GNU
readline, which reads key by key and has no such limit (and pastes several lines at once as one block,
bracketed paste); from a pipe it reads with ``sys.stdin.readline``, whole lines of any length.
"""

from __future__ import annotations

import sys

PASTE = ":paste"
PASTE_END = "."


class Composer:
    """Joins typed lines into messages: `feed` returns a message once one is complete, else None."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._pasting = False

    @property
    def busy(self) -> bool:
        """Inside a continued line or a `:paste` block (the prompt says so)."""
        return self._pasting or bool(self._lines)

    def prompt(self, persona: str) -> str:
        if self._pasting:
            return "paste… (end with a line holding only .) "
        return "… " if self._lines else f"{persona}> "

    def feed(self, raw: str) -> str | None:
        if "\n" in raw and not self._pasting:  # a bracketed paste of several lines: one message
            return self._take(raw.rstrip("\n"))
        if self._pasting:
            if raw.strip() == PASTE_END:
                self._pasting = False
                return self._take("")
            self._lines.append(raw)
            return None
        if not self._lines and raw.strip() == PASTE:
            self._pasting = True
            return None
        if raw.endswith("\\"):
            self._lines.append(raw[:-1])
            return None
        return self._take(raw)

    def finish(self) -> str | None:
        """The end of input: a block being pasted or continued is sent as it is."""
        self._pasting = False
        return self._take("") if self._lines else None

    def _take(self, last: str) -> str:
        lines, self._lines = self._lines, []
        if last or not lines:
            lines.append(last)
        return "\n".join(lines)


def use_readline() -> bool:
    """On a terminal, load GNU readline so that `input` has no 4 KiB line limit (and line editing)."""
    if not sys.stdin.isatty():
        return False
    try:
        import readline  # noqa: F401  (importing it is what makes input() use it)
    except ImportError:
        return False
    return True


def read_line(prompt: str, terminal: bool) -> str:
    """One line without its newline; EOFError at the end of input."""
    if terminal:
        return input(prompt)
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line[:-1] if line.endswith("\n") else line
