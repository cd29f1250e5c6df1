"""Turning a text into the features the index and the signals (knowledge.signals) work with.

Three complementary views of the same text:

* concepts - thesaurus concepts (language independent, catch paraphrases);
* words and bigrams - English word stems, letter/digit parts of codes
  (``sc542`` -> ``sc``, ``542``) and Chinese character bigrams: plain lexical
  evidence for BM25 that also covers words the thesaurus does not know;
* surface  - a compact normalised string for rapidfuzz.

Words are Latin and bigrams are Han, so they share one BM25 namespace without
prefixes; concept features are prefixed because concept ids are Latin too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.normalize import (
    FEATURE_STOPWORDS,
    Units,
    quick_han_runs,
    quick_words,
    split_alnum,
    to_units,
)
from knowledge.thesaurus import Thesaurus
from knowledge.typos import TypoCorrector

CONCEPT_PREFIX = "c:"


@dataclass(frozen=True)
class Analysis:
    """Everything the matcher needs to know about one text."""

    concepts: dict[str, float]
    words: Counter[str]
    bigrams: Counter[str]
    surface: str

    @property
    def empty(self) -> bool:
        """True when nothing searchable was found."""
        return not (self.concepts or self.words or self.bigrams)


def _word_terms(pairs: Iterable[tuple[str, str]]) -> Counter[str]:
    """English word stems and the letter/digit parts of codes, from (raw, stem)."""
    terms: Counter[str] = Counter()
    for raw, unit in pairs:
        # Both forms: "there" is a stop word, its stem "ther" is not.
        if unit not in FEATURE_STOPWORDS and raw not in FEATURE_STOPWORDS and (len(unit) > 1 or unit.isdigit()):
            terms[unit] += 1
        if not raw.isalpha():
            for part in split_alnum(raw):
                if part not in FEATURE_STOPWORDS:
                    terms[part] += 1
    return terms


def _bigram_terms(runs: Iterable[str]) -> Counter[str]:
    """Chinese character bigrams (a lone character counts as itself)."""
    terms: Counter[str] = Counter()
    for run in runs:
        if len(run) == 1:
            terms[run] += 1
        else:
            terms.update(map(str.__add__, run, run[1:]))
    return terms


def word_terms(u: Units) -> Counter[str]:
    """English word features of analysed units."""
    return _word_terms(
        (raw, unit)
        for unit, is_latin, raw in zip(u.units, u.latin, u.raw, strict=True)
        if is_latin and unit is not None
    )


def bigram_terms(u: Units) -> Counter[str]:
    """Chinese bigram features of analysed units."""
    return _bigram_terms(u.han_runs())


def lexical_only(text: str) -> tuple[Counter[str], Counter[str]]:
    """(words, bigrams) of a long text, skipping units, concepts and surface."""
    return _word_terms(quick_words(text)), _bigram_terms(quick_han_runs(text))


def analyze(
    text: str,
    thesaurus: Thesaurus,
    *,
    corrector: TypoCorrector | None = None,
    limit: int | None = None,
    with_surface: bool = True,
) -> Analysis:
    """Analyse a text; queries pass a corrector and a length limit, articles don't.

    ``with_surface=False`` leaves ``surface`` empty for callers that derive
    it later (article lines, see knowledge.profile.Phrase).
    """
    u = to_units(text, limit=limit)
    if corrector is not None:
        u = corrector.fix(u)
    found = thesaurus.concepts_in(u, typos=corrector is not None)
    return Analysis(found, word_terms(u), bigram_terms(u), u.surface() if with_surface else "")
