"""Correcting misspelt English words against the words the index knows.

Chat users type "monitr", "keybaord", "pritner". A word the index has never
seen is replaced by the closest domain word when the edit distance is small
for its length. Without a full English dictionary the risk is "correcting" a
valid word into a domain word ("along" -> "long", "left" -> "lift"), so the
rules are conservative: only words of five letters or more (four-letter words
only for swapped neighbours, "donw" -> "down"), the first letter must agree
(typos rarely hit it), and any word found anywhere in the articles counts as
known and is left alone. An unknown word that cannot be corrected but is two
article words run together ("numlock", "touchpad") is split into them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.normalize import FEATURE_STOPWORDS, Units, stem

#: Words shorter than this are never corrected; words of exactly this length
#: only for a swap of two neighbouring letters.
MIN_LENGTH = 4
#: From this length any single edit is accepted.
FREE_EDIT_LENGTH = 5
#: Shortest part a run-together word is split into ("numlock" -> num + lock).
MIN_PART = 3
#: At most this many unknown words per query are looked up (keeps long pastes fast).
MAX_LOOKUPS = 24


def max_distance(word: str) -> int:
    """Edits allowed for a word: 1 up to seven letters, 2 beyond."""
    return 1 if len(word) <= 7 else 2


class TypoCorrector:
    """Replaces unknown Latin words with the nearest target word."""

    def __init__(self, targets: Iterable[str], known: Iterable[str] = ()) -> None:
        targets, known = list(targets), list(known)
        target_set = {w for w in targets if w and w.isascii() and w.isalpha() and len(w) >= 4}
        self.known = frozenset(w for w in (*target_set, *known) if w)
        self._parts = frozenset(w for w in (*targets, *known) if w.isascii() and w.isalpha() and len(w) >= MIN_PART)
        by_initial: dict[str, list[str]] = {}
        for word in sorted(target_set):
            by_initial.setdefault(word[0], []).append(word)
        self._by_initial = by_initial
        self._lookup = lru_cache(maxsize=4096)(self._nearest)

    def _nearest(self, word: str) -> str | None:
        choices = self._by_initial.get(word[0])
        if not choices:
            return None
        best = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=max_distance(word))
        if not best:
            return None
        if len(word) < FREE_EDIT_LENGTH and sorted(best[0]) != sorted(word):
            return None
        return best[0]

    def correct(self, word: str) -> str:
        """The word itself if known or uncorrectable, else its correction."""
        if (
            word in self.known
            or len(word) < MIN_LENGTH
            or not word.isalpha()
            or not word.isascii()
            or word in FEATURE_STOPWORDS
        ):
            return word
        return self._lookup(word) or word

    def split(self, word: str) -> tuple[str, str] | None:
        """An unknown run-together word as two words the articles use ("numlock" -> num + lock,
        "touchpad" -> touch + pad), or None."""
        if len(word) < 2 * MIN_PART or not word.isalpha() or not word.isascii():
            return None
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = stem(word[:i]), stem(word[i:])
            if head in self._parts and tail in self._parts:
                return head, tail
        return None

    def fix(self, u: Units) -> Units:
        """Units with unknown Latin words corrected (or split in two); unchanged input is returned as is."""
        units: list[str | None] = []
        latin: list[bool] = []
        raw: list[str] = []
        lookups = 0
        changed = False
        for unit, is_latin, original in zip(u.units, u.latin, u.raw, strict=True):
            fixed: tuple[str | None, ...] = (unit,)
            if is_latin and unit is not None and unit not in self.known and lookups < MAX_LOOKUPS:
                lookups += 1
                corrected = self.correct(unit)
                fixed = (corrected,) if corrected != unit else (self.split(unit) or (unit,))
            changed = changed or fixed != (unit,)
            units.extend(fixed)
            latin.extend([is_latin] * len(fixed))
            raw.extend([original] * len(fixed))
        if not changed:
            return u
        return Units(tuple(units), tuple(latin), tuple(raw))
