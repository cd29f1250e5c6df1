"""Suggesting knowledge-base articles for a fault described in chat.

Pipeline per query: normalise -> correct typos -> thesaurus concepts + words +
Chinese bigrams -> BM25F ranking of a short list -> signals of each candidate
on absolute scales (knowledge.signals) -> the decision whether any of them
answers the query, and how sure (knowledge.confidence).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.article import Article
from knowledge.cache import ProfileCache, profile_key
from knowledge.confidence import SURE, decide
from knowledge.evidence import Evidence, query_key, same_phrasing
from knowledge.features import CONCEPT_PREFIX, Analysis, analyze
from knowledge.index import Bm25Index
from knowledge.intent import ASK_FOR, asks_for
from knowledge.normalize import MAX_QUERY_CHARS, guess_lang, has_content
from knowledge.profile import Profile, build_profile
from knowledge.signals import (
    Signals,
    concept_rarity,
    fault_unmet,
    missing_share,
    off_topic,
    serves,
    shares_fault,
    specific,
)
from knowledge.thesaurus import Thesaurus, default_thesaurus
from knowledge.typos import TypoCorrector

#: How many BM25 candidates get signals (knowledge.signals) and go to the decision.
SHORTLIST = 12
#: Query feature weights for BM25: concepts carry meaning across languages,
#: words and bigrams only within one.
CONCEPT_QUERY_WEIGHT = {
    "fault": 1.0,
    "action": 0.75,
    "part": 0.75,
    "device": 0.6,
    "generic": 0.3,
    "context": 0.1,
    "courtesy": 0.0,
    "oos": 0.0,
}
WORD_QUERY_WEIGHT = 1.0
BIGRAM_QUERY_WEIGHT = 1.0


@dataclass(frozen=True)
class Match:
    """One suggested article."""

    id: str
    score: float
    title: str
    lang: str
    sure: bool = True
    """False: offered as "did you mean" (knowledge.confidence.SURE)."""


class Matcher:
    """An index of articles that answers chat queries; see the module docstring."""

    def __init__(self, articles: Iterable[Article], thesaurus: Thesaurus | None = None,
                 cache: ProfileCache | None = None) -> None:
        """``cache``: profiles built before (knowledge.cache), read instead of built again; only for
        the default thesaurus, which is what the cache's key covers."""
        self.thesaurus = thesaurus or default_thesaurus()
        self._cache = cache if thesaurus is None else None
        self._versions: dict[str, dict[str, Article]] = {}
        self._profiles: dict[str, Profile] = {}
        self._learned: dict[str, tuple[str, ...]] = {}
        self._vouched: dict[str, tuple[str, ...]] = {}  # the learned phrasings' keys, for the decision
        self._against: dict[str, tuple[str, ...]] = {}
        self._any_evidence = False  # so a query pays for its phrasing key only when something was learned
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
        self._position: dict[str, int] = {}
        self._covered_topics: set[str] = set()

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
            self._vouched[art_id] = tuple(query_key(q) for q in learned)
            if art_id in self._versions:
                self._refresh(art_id)
                self._index = None
        self._against[art_id] = tuple(against)
        self._any_evidence = any(self._vouched.values()) or any(self._against.values())

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
        learned = self._learned.get(art_id, ())
        if self._cache is None:
            self._profiles[art_id] = build_profile(versions, self.thesaurus, learned)
            return
        key = profile_key(versions, learned)
        profile = self._cache.get(key)
        if profile is None:
            profile = build_profile(versions, self.thesaurus, learned)
            self._cache.put(key, profile)
        self._profiles[art_id] = profile

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
            self._position = {art_id: pos for pos, art_id in enumerate(self._order)}
            self._covered_topics = {c for profile in self._profiles.values() for c in profile.topics
                                    if self.thesaurus.kind(c) == "oos"}
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

    def candidates(self, query: str, limit: int = SHORTLIST) -> list[Signals]:
        """The best candidates for a query, best first, with their signals and before any decision
        (knowledge.confidence decides; benchmarks/kb_calibrate.py fits that decision on these)."""
        if not isinstance(query, str) or not has_content(query[:MAX_QUERY_CHARS]):
            return []
        index = self._ensure_index()
        if index.size == 0:
            return []
        a = self.analyze(query)
        if a.empty:
            return []
        if asks_for(query[:MAX_QUERY_CHARS]) and ASK_FOR in self.thesaurus.concepts:
            a.concepts.setdefault(ASK_FOR, 1.0)
        weights = self._query_weights(a)
        known = {f: w for f, w in weights.items() if f in index}
        bound = index.upper_bound(known)
        if not bound:
            return []
        # An article with no Chinese version cannot have the query's Chinese bigrams: its cover is
        # judged on what it could say, so a Chinese query still finds an English-only article.
        latin_bound = index.upper_bound({f: w for f, w in known.items() if f.isascii()}) or bound
        scores = index.scores(weights)
        pool = [self._order[pos] for pos in index.top(scores, 2 * limit)]
        key = query_key(query) if self._any_evidence else ""
        if any(self._against.get(art_id) for art_id in pool):
            pool = [i for i in pool if not any(same_phrasing(key, k) for k in self._against.get(i, ()))]
        ranked = sorted(((float(scores[self._position[i]]) / (bound if "zh" in self._profiles[i].versions
                                                                 else latin_bound), i) for i in pool),
                        key=lambda pair: (-pair[0], pair[1]))[:limit]
        covers = [cover for cover, _ in ranked]
        shortlist = [art_id for _, art_id in ranked]
        lexical = [(f, w * index.idf(f)) for f, w in weights.items() if not f.startswith(CONCEPT_PREFIX)]
        total = sum(w for _, w in lexical)
        reach = sum(w for f, w in lexical if f in index) / total if total else 1.0
        off = off_topic(a, self.thesaurus, self._covered_topics)
        request = ASK_FOR in a.concepts
        out = []
        first: frozenset[str] = frozenset()
        for n, (art_id, cover) in enumerate(zip(shortlist, covers, strict=False)):
            profile = self._profiles[art_id]
            rival = max((c for k, c in enumerate(covers) if k != n), default=0.0)
            has = specific(a, profile, self.thesaurus)
            first = first if n else has
            vouched = bool(key) and any(same_phrasing(key, k) for k in self._vouched.get(art_id, ()))
            out.append(Signals(art_id, cover, cover - rival, reach,
                               missing_share(a, profile, self.thesaurus, self._rarity),
                               *shares_fault(a, profile, self.thesaurus), off, adds=bool(has - first),
                               vouched=vouched, fault_unmet=fault_unmet(a, profile, self.thesaurus),
                               words=len(a.words) + len(a.bigrams), request=request,
                               serves=request and serves(a, profile, self.thesaurus)))
        return out

    def search(self, query: str, top: int = 3, lang: str | None = None) -> list[Match]:
        """Up to ``top`` suggestions, best first; [] when nothing fits (knowledge.confidence).

        A suggestion's score is its confidence; ``sure`` is False for a "did you mean" guess.
        Titles are given in ``lang`` where the article has it; without ``lang`` the language the
        query is written in is preferred.
        """
        if top <= 0:
            return []
        decided = decide(self.candidates(query), top)
        lang = lang or guess_lang(query[:MAX_QUERY_CHARS])
        matches = []
        for signals, score in decided:
            version = self._profiles[signals.id].version(lang)
            matches.append(Match(signals.id, round(score, 2), version.title, version.lang, score >= SURE))
        return matches
