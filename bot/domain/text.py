"""What people type, made safe to show to other people.

A reporter's text ends up on an engineer's card and in a manager's report. Invisible characters can
change how that card reads: a right-to-left override (U+202E) reverses the rest of a line ("phone
1234" shows as "4321 enohp"), isolates and embeddings reorder parts of it, zero-width characters hide
inside asset numbers and defeat search, and ESC or other control codes garble terminals and logs.
They are removed at the door, so everything behind it (storage, cards, exports) only sees what a
person could have seen when it was typed. Joiners (U+200C, U+200D) stay: emoji sequences and some
scripts need them, and they cannot reorder text.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 controls except tab and newline, DEL, C1 controls (ESC is \x1b)
    "\u061c\u200e\u200f"  # Arabic letter mark, left-to-right and right-to-left marks
    "\u202a-\u202e"  # embeddings and overrides
    "\u2066-\u2069"  # isolates
    "\u200b\u2060\ufeff\u180e"  # zero-width space, word joiner, byte-order mark, Mongolian vowel separator
    "]"
)


def clean_text(text: str) -> str:
    """`text` without the characters that can reorder, hide or garble what others are shown.

    A carriage return becomes a newline rather than vanishing, so "a\\r\\nb" stays two lines."""
    if text.isascii() and text.isprintable():
        return text  # the common case, without a regex pass
    return _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def has_words(text: str) -> bool:
    """Some letter or digit, of any script (Chinese characters are letters): "??", "..." and "👍" have
    none, so they can be no fault's description, no place, no reason and no answer."""
    return any(unicodedata.category(char)[0] in "LN" for char in text)
