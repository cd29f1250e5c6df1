"""Suggesting knowledge-base articles for a fault described in chat.

Pipeline per query: normalise -> correct typos -> thesaurus concepts + words +
Chinese bigrams -> BM25F retrieval of a short list -> absolute judgement of
each candidate (knowledge.judge) -> at most ``top`` confident matches.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.article import Article
from knowledge.evidence import Evidence, query_key, same_phrasing
from knowledge.features import CONCEPT_PREFIX, Analysis, analyze
from knowledge.index import Bm25Index
from knowledge.judge import MIN_SCORE, concept_rarity, judge
from knowledge.normalize import MAX_QUERY_CHARS, guess_lang, has_content
from knowledge.profile import Profile, build_profile
from knowledge.thesaurus import Thesaurus, default_thesaurus
from knowledge.typos import TypoCorrector

#: How many BM25 candidates the judge looks at.
SHORTLIST = 12
#: Query feature weights for BM25: concepts carry meaning across languages,
#: words and bigrams only within one.
CONCEPT_QUERY_WEIGHT = {
    "fault": 2.0,
    "action": 1.5,
    "part": 1.5,
    "device": 1.2,
    "generic": 0.6,
    "context": 0.2,
    "oos": 0.0,
}
WORD_QUERY_WEIGHT = 1.0
BIGRAM_QUERY_WEIGHT = 0.5


@dataclass(frozen=True)
class Match:
    """One suggested article."""

    id: str
    score: float
    title: str
    lang: str


class Matcher:
    """An index of articles that answers chat queries; see the module docstring."""

    def __init__(self, articles: Iterable[Article], thesaurus: Thesaurus | None = None) -> None:
        self.thesaurus = thesaurus or default_thesaurus()
        self._versions: dict[str, dict[str, Article]] = {}
        self._profiles: dict[str, Profile] = {}
        self._learned: dict[str, tuple[str, ...]] = {}
        self._against: dict[str, tuple[str, ...]] = {}
        for article in articles:
            self._versions.setdefault(article.id, {})[article.lang] = article
        # Building thousands of profiles allocates millions of small objects
        # and no reference cycles; pausing the cyclic GC saves ~10% of the time.
        paused = gc.isenabled()
        gc.disable()
        try:
            for art_id in self._versions:
                self._refresh(art_id)
        finally:
            if paused:
                gc.enable()
        self._index: Bm25Index | None = None
        self._order: list[str] = []
        self._corrector: TypoCorrector | None = None
        self._rarity: dict[str, float] = {}

    # --------------------------------------------------------- maintenance
    def __len__(self) -> int:
        return len(self._profiles)

    def __contains__(self, art_id: str) -> bool:
        return art_id in self._profiles

    def add(self, article: Article) -> None:
        """Add or replace one language version; searchable at the next query."""
        self._versions.setdefault(article.id, {})[article.lang] = article
        self._refresh(article.id)
        self._index = None

    def remove(self, art_id: str, lang: str | None = None) -> bool:
        """Remove an article (or one language version); True if anything was removed."""
        versions = self._versions.get(art_id)
        if not versions:
            return False
        if lang is None:
            versions.clear()
        elif versions.pop(lang, None) is None:
            return False
        if versions:
            self._refresh(art_id)
        else:
            del self._versions[art_id]
            self._profiles.pop(art_id, None)
        self._index = None
        return True

    def learn(self, art_id: str, learned: Sequence[str] = (), against: Sequence[str] = ()) -> None:
        """What outcomes taught about an article (knowledge.evidence), replacing what was known.

        ``learned`` phrasings become symptom lines; for a query with the same phrasing as one of
        ``against`` (normalised keys) the article is not suggested.
        """
        if tuple(learned) != self._learned.get(art_id, ()):
            self._learned[art_id] = tuple(learned)
            if art_id in self._versions:
                self._refresh(art_id)
                self._index = None
        self._against[art_id] = tuple(against)

    def apply_evidence(self, groups: Iterable[Evidence], art_ids: Iterable[str] | None = None) -> None:
        """Learn what the evidence groups say (knowledge.evidence.collect), article by article; the
        articles in ``art_ids`` that have no group left forget what they had learned."""
        by_article: dict[str, list[Evidence]] = {}
        for group in groups:
            by_article.setdefault(group.article_id, []).append(group)
        for art_id in by_article.keys() | set(art_ids or ()):
            mine = by_article.get(art_id, [])
            self.learn(art_id, learned=[e.query for e in mine if e.learned], against=[e.key for e in mine if e.against])

    def _refresh(self, art_id: str) -> None:
        versions = sorted(self._versions[art_id].values(), key=lambda a: a.lang)
        self._profiles[art_id] = build_profile(versions, self.thesaurus, self._learned.get(art_id, ()))

    def _ensure_index(self) -> Bm25Index:
        """(Re)build the index lazily: edits only pay for it once, at the next search."""
        if self._index is None:
            self._order = sorted(self._profiles)
            self._index = Bm25Index([self._profiles[i].features for i in self._order])
            targets = set(self.thesaurus.vocabulary)
            known: set[str] = set()
            for profile in self._profiles.values():
                targets.update(profile.words)
                known.update(profile.body_words)
            self._corrector = TypoCorrector(targets, known)
            doc_freq: dict[str, int] = {}
            for profile in self._profiles.values():
                for cid in profile.strong:
                    doc_freq[cid] = doc_freq.get(cid, 0) + 1
            self._rarity = concept_rarity(doc_freq, len(self._profiles))
        return self._index

    # -------------------------------------------------------------- search
    def analyze(self, query: str) -> Analysis:
        """The query as the matcher sees it (useful for debugging a miss)."""
        self._ensure_index()
        return analyze(query, self.thesaurus, corrector=self._corrector, limit=MAX_QUERY_CHARS)

    def _query_weights(self, a: Analysis) -> dict[str, float]:
        weights: dict[str, float] = {}
        for cid, w in a.concepts.items():
            qw = CONCEPT_QUERY_WEIGHT[self.thesaurus.kind(cid)] * w
            if qw > 0:
                weights[CONCEPT_PREFIX + cid] = qw
        for word in a.words:
            weights[word] = WORD_QUERY_WEIGHT
        for bigram in a.bigrams:
            weights[bigram] = BIGRAM_QUERY_WEIGHT
        return weights

    def search(self, query: str, top: int = 3, lang: str | None = None) -> list[Match]:
        """Up to ``top`` confident matches, best first; [] when nothing fits.

        Titles are given in ``lang`` where the article has it; without
        ``lang`` the language the query is written in is preferred.
        """
        if top <= 0 or not isinstance(query, str) or not has_content(query[:MAX_QUERY_CHARS]):
            return []
        index = self._ensure_index()
        if index.size == 0:
            return []
        a = self.analyze(query)
        if a.empty:
            return []
        weights = self._query_weights(a)
        scores = index.scores(weights)
        bound = index.upper_bound(weights) or 1.0
        results: list[tuple[float, str]] = []
        for pos in index.top(scores, SHORTLIST):
            art_id = self._order[pos]
            verdict = judge(a, self._profiles[art_id], scores[pos] / bound, self.thesaurus, self._rarity)
            if verdict.gate and verdict.score >= MIN_SCORE:
                results.append((verdict.score, art_id))
        if any(self._against.get(art_id) for _, art_id in results):
            key = query_key(query)
            results = [r for r in results if not any(same_phrasing(key, k) for k in self._against.get(r[1], ()))]
        results.sort(key=lambda r: (-r[0], r[1]))
        lang = lang or guess_lang(query[:MAX_QUERY_CHARS])
        matches = []
        for score, art_id in results[:top]:
            version = self._profiles[art_id].version(lang)
            matches.append(Match(art_id, round(float(min(score, 1.0)), 2), version.title, version.lang))
        return matches
