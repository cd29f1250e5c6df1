"""Turning a text into the features the index and the judge work with.

Three complementary views of the same text:

* concepts - thesaurus concepts (language independent, catch paraphrases);
* terms    - English word stems, letter/digit parts of codes (``sc542`` ->
  ``sc``, ``542``) and Chinese character bigrams: plain lexical evidence for
  BM25 that also covers words the thesaurus does not know;
* surface  - a compact normalised string for rapidfuzz.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from knowledge.normalize import FEATURE_STOPWORDS, Units, split_alnum, to_units
from knowledge.thesaurus import Thesaurus
from knowledge.typos import TypoCorrector

CONCEPT_PREFIX = "c:"
WORD_PREFIX = "w:"
BIGRAM_PREFIX = "b:"


@dataclass(frozen=True)
class Analysis:
    """Everything the matcher needs to know about one text."""

    concepts: dict[str, float]
    terms: Counter[str]
    surface: str

    @property
    def empty(self) -> bool:
        """True when nothing searchable was found."""
        return not self.concepts and not self.terms


def lexical_terms(u: Units) -> Counter[str]:
    """Word, code-part and Chinese-bigram features of the units."""
    terms: Counter[str] = Counter()
    for unit, is_latin, raw in zip(u.units, u.latin, u.raw, strict=True):
        if not is_latin or unit is None:
            continue
        if unit not in FEATURE_STOPWORDS and (len(unit) > 1 or unit.isdigit()):
            terms[WORD_PREFIX + unit] += 1
        for part in split_alnum(raw):
            if part not in FEATURE_STOPWORDS:
                terms[WORD_PREFIX + part] += 1
    for run in u.han_runs():
        if len(run) == 1:
            terms[BIGRAM_PREFIX + run] += 1
            continue
        for i in range(len(run) - 1):
            terms[BIGRAM_PREFIX + run[i : i + 2]] += 1
    return terms


def analyze(
    text: str,
    thesaurus: Thesaurus,
    *,
    corrector: TypoCorrector | None = None,
    limit: int | None = None,
) -> Analysis:
    """Analyse a text; queries pass a corrector and a length limit, articles don't."""
    u = to_units(text, limit=limit)
    if corrector is not None:
        u = corrector.fix(u)
    concepts = thesaurus.concepts_in(u, typos=corrector is not None)
    return Analysis(concepts, lexical_terms(u), u.surface())
