"""Turning chat text into comparable units.

Users type full-width letters, emoji, contractions, typos and mixed Chinese and
English. Everything downstream (thesaurus, BM25, fuzzy rerank) works on the
same normalised units, so the article text and the query must go through the
exact same steps here:

* NFKC folds full-width Latin and digits to ASCII; text is lower-cased.
* English contractions and "can't"-style negations collapse to ``not`` so that
  "won't turn on", "doesnt turn on" and "unable to turn on" look alike.
* Latin words get a light suffix-stripping stem (jammed/jamming/jams -> jam).
* Chinese is kept as runs of Han characters; downstream code uses single
  characters (thesaurus matching) and character bigrams (retrieval), which
  avoids a word segmenter and its start-up cost.
* Punctuation and emoji end a clause: thesaurus phrases never match across one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Queries are cut to this many characters: a pasted log or e-mail thread adds
#: nothing after the first screenful and would only slow matching down.
MAX_QUERY_CHARS = 600

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
# Han runs, Latin words (possibly joined by "-", ".", "/" ... as in wi-fi,
# 169.254 or win+p) and clause breaks: anything else that is not blank.
_LATIN = rf"(?:(?![{_HAN}])[^\W_])"
_TOKEN_RE = re.compile(rf"([{_HAN}]+)|({_LATIN}+(?:[.\-/:+#_]{_LATIN}+)*)|([^\w\s]|_)")
_CONNECTOR_RE = re.compile(r"[.\-/:+#]")
_CONTRACTION_RE = re.compile(r"\b(\w+?)n['’]t\b")
_APOSTROPHE_RE = re.compile(r"['’](s|m|re|ve|ll|d)\b")
_PHRASE_NEGATIONS = (
    (re.compile(r"\b(?:unable|not able) to\b"), " not "),
    (re.compile(r"\bfail(?:s|ed)? to\b"), " not "),
    (re.compile(r"\bcan not\b"), " not "),
)


def _words(text: str) -> list[str]:
    """Whitespace-separated word lists keep the long lists below readable."""
    return text.split()


_BARE_NEGATIONS = frozenset(
    _words("cant cannot wont dont doesnt didnt isnt arent wasnt werent havent hasnt couldnt wouldnt shouldnt aint")
)
_SPLIT_ALNUM_RE = re.compile(r"[a-z]+|\d+")
# "slooooow", "pleeease": three or more of the same letter is emphasis, not spelling.
_ELONGATED_RE = re.compile(r"([a-z])\1{2,}")

#: Words dropped before thesaurus matching: they carry no meaning for a fault
#: and dropping them lets "is not turning on" match the phrase "not turn on".
LIGHT_STOPWORDS = frozenset(
    _words(
        """a an the my our your his her their its it this that these those is are was were
    be been being am will would shall should do does did done has have had having ca wo
    just even really so still again also keep kept all any some i me we us you
    he she they them ve ll re of to for at with from by about and or but if then
    than as please pls plz literally actually suddenly always constantly anymore whole
    totally completely only like kinda quite sooo soo"""
    )
)

#: Extra words that are fine inside thesaurus phrases but useless as search terms.
FEATURE_STOPWORDS = LIGHT_STOPWORDS | frozenset(
    _words(
        """not no on off up out in into down back very too what how why when where who which there
    here get got getting say says said show shows showing can could may might must now
    today yesterday morning one two something anything nothing everything thing way
    make made go goes went come comes came try tried trying need want know see help
    hello hi thanks thank ok okay yes"""
    )
)


def _undouble(word: str) -> str:
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    return word


#: Irregular forms that the suffix rules cannot fold.
_IRREGULAR = {
    "got": "get",
    "gotten": "get",
    "froze": "freez",
    "frozen": "freez",
    "sent": "send",
    "hung": "hang",
    "went": "go",
    "gone": "go",
    "came": "com",
    "broke": "break",
    "broken": "break",
    "ran": "run",
    "lost": "los",
    "shown": "show",
    "wrote": "writ",
    "written": "writ",
    "thrown": "throw",
    "mice": "mous",
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately light English stemmer: enough to fold inflections together.

    Only applied to alphabetic words; it must be deterministic because the
    thesaurus terms and the query go through it independently.
    """
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if not word.isalpha() or not word.isascii() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) >= 6:
        word = _undouble(word[:-3])
    elif word.endswith("ed") and len(word) >= 5:
        word = _undouble(word[:-2])
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    return _undouble(word)


def fold(text: str) -> str:
    """NFKC, lower-case and expand negations; the textual part of normalisation."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _ELONGATED_RE.sub(r"\1", text)
    # Cheap substring checks first: these regexes are the slowest part of
    # indexing long article texts, and most texts contain none of them.
    if "'" in text or "’" in text:
        text = _CONTRACTION_RE.sub(lambda m: f"{m.group(1)} not", text)
        text = _APOSTROPHE_RE.sub(" ", text)
    if "able to" in text or "fail" in text or "can not" in text:
        for pattern, repl in _PHRASE_NEGATIONS:
            text = pattern.sub(repl, text)
    return text


@dataclass(frozen=True)
class Units:
    """A text as a flat list of matching units.

    ``units`` holds stemmed Latin words and single Han characters; ``None``
    marks a clause break. ``latin`` tells, per position, whether the unit is a
    Latin word (so that gaps and word boundaries can be handled differently
    for the two scripts). ``raw`` keeps the unstemmed words for typo fixing.
    """

    units: tuple[str | None, ...]
    latin: tuple[bool, ...]
    raw: tuple[str, ...]

    def han_runs(self) -> list[str]:
        """Maximal runs of consecutive Han units, in order."""
        runs: list[str] = []
        current: list[str] = []
        for unit, is_latin in zip(self.units, self.latin, strict=True):
            if unit is not None and not is_latin:
                current.append(unit)
            elif current:
                runs.append("".join(current))
                current = []
        if current:
            runs.append("".join(current))
        return runs

    def surface(self) -> str:
        """A compact normalised string for character-level fuzzy comparison.

        Han runs are kept contiguous and Latin words are joined by single
        spaces, so rapidfuzz compares what a person would call the same wording.
        """
        out: list[str] = []
        prev_latin = False
        for unit, is_latin in zip(self.units, self.latin, strict=True):
            if unit is None:
                out.append(" ")
                prev_latin = False
                continue
            if is_latin or prev_latin:
                out.append(" ")
            out.append(unit)
            prev_latin = is_latin
        return " ".join("".join(out).split())

    def words(self) -> list[str]:
        """Latin units (stemmed), in order."""
        return [u for u, lat in zip(self.units, self.latin, strict=True) if lat and u]


def to_units(text: str, *, limit: int | None = None) -> Units:
    """Split text into matching units (see Units); ``limit`` truncates first."""
    if limit is not None and len(text) > limit:
        text = text[:limit]
    units: list[str | None] = []
    latin: list[bool] = []
    raw: list[str] = []
    for han, word, brk in _TOKEN_RE.findall(fold(text)):
        if han:
            units.extend(han)
            latin.extend([False] * len(han))
            raw.extend(han)
        elif word:
            # "." inside numbers (169.254) and "-" inside words (wi-fi) are
            # spelling, not clause breaks: the parts become separate units.
            for part in _CONNECTOR_RE.split(word) if not word.isalnum() else (word,):
                if part in _BARE_NEGATIONS:
                    part = "not"
                stemmed = stem(part)
                if part in LIGHT_STOPWORDS or stemmed in LIGHT_STOPWORDS:
                    continue
                units.append(stemmed)
                latin.append(True)
                raw.append(part)
        elif brk and units and units[-1] is not None:
            units.append(None)
            latin.append(False)
            raw.append("")
    while units and units[-1] is None:
        units.pop()
        latin.pop()
        raw.pop()
    return Units(tuple(units), tuple(latin), tuple(raw))


_WORD_RE = re.compile(rf"(?:(?![{_HAN}])\w)+")
_HAN_RUN_RE = re.compile(f"[{_HAN}]+")


def quick_words(text: str) -> list[tuple[str, str]]:
    """(raw, stem) of every kept Latin word, without building Units.

    The same folding, negation and stop-word rules as to_units, minus clause
    breaks and Han units: enough for bag-of-words features of long texts such
    as article bodies, at a fraction of the cost.
    """
    out = []
    for word in _WORD_RE.findall(fold(text)):
        if word in _BARE_NEGATIONS:
            word = "not"
        stemmed = stem(word)
        if word not in LIGHT_STOPWORDS and stemmed not in LIGHT_STOPWORDS:
            out.append((word, stemmed))
    return out


def quick_han_runs(text: str) -> list[str]:
    """Runs of Han characters (NFKC-folded), without building Units."""
    return _HAN_RUN_RE.findall(unicodedata.normalize("NFKC", text))


def has_content(text: str) -> bool:
    """True when the text has at least one letter, digit or Han character."""
    return any(ch.isalnum() for ch in unicodedata.normalize("NFKC", text))


def split_alnum(word: str) -> list[str]:
    """Split a mixed token such as ``sc542`` or ``m404dn`` into its letter/digit runs."""
    parts = _SPLIT_ALNUM_RE.findall(word)
    return parts if len(parts) > 1 else []


def guess_lang(text: str) -> str:
    """ "zh" when Han characters carry the text, else "en" (for picking titles)."""
    han = len(_HAN_RE.findall(text))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if han and han * 3 >= latin else "en"


def is_han(ch: str) -> bool:
    """True for a single Han (CJK ideograph) character."""
    return bool(_HAN_RE.match(ch))


def surface(text: str, *, limit: int | None = None) -> str:
    """A compact normalised string for character-level fuzzy comparison."""
    return to_units(text, limit=limit).surface()
