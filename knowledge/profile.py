"""Per-article data precomputed once at index time.

All language versions of an article id are folded into one profile, so the
index has one document per id and a Chinese query can hit an article whose
only symptoms are English: the concepts are shared, the words are not needed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.article import Article
from knowledge.features import CONCEPT_PREFIX, analyze, lexical_only
from knowledge.normalize import MAX_QUERY_CHARS, guess_lang, surface
from knowledge.thesaurus import Thesaurus

#: BM25F field weights: symptoms are what users say, titles summarise them,
#: the body is steps and only adds a little supporting vocabulary.
TITLE_WEIGHT = 3.0
SYMPTOM_WEIGHT = 2.0
BODY_WEIGHT = 0.25
#: Only the start of the body is used, for words only: later steps drift to
#: unrelated devices, and on the development and test sets the body's
#: concepts changed no result while costing most of the index build time.
BODY_CHARS = 240
#: Thesaurus concept standing for each article ``device`` value: an article
#: about streaky prints is about a printer even if no symptom says "printer".
DEVICE_CONCEPTS = {
    "printer": "printer",
    "copier": "copier",
    "scanner": "scanner",
    "pc": "pc",
    "laptop": "laptop",
    "monitor": "monitor",
    "network": "network",
    "projector": "projector",
    "phone": "desk_phone",
    "software": "software",
    "account": "account",
}


@dataclass(slots=True)
class Phrase:
    """One title or symptom line, analysed.

    The fuzzy-matching surface is computed on first use: only the few
    articles a query shortlists ever need it, and skipping it keeps the
    index build of a large knowledge base fast.
    """

    lang: str
    text: str
    concepts: dict[str, float]
    _surface: str | None = None

    @property
    def surface(self) -> str:
        if self._surface is None:
            self._surface = surface(self.text)
        return self._surface


@dataclass
class Profile:
    """What the matcher knows about one article id."""

    id: str
    versions: dict[str, Article]
    phrases: list[Phrase] = field(default_factory=list)
    strong: dict[str, float] = field(default_factory=dict)
    features: dict[str, float] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    body_words: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    """Concepts its titles name: what the article is about, not merely mentions."""

    def version(self, lang: str | None) -> Article:
        """The version in ``lang`` if there is one, else a stable fallback."""
        if lang and lang in self.versions:
            return self.versions[lang]
        for fallback in ("en", "zh"):
            if fallback in self.versions:
                return self.versions[fallback]
        return next(iter(self.versions.values()))


def _add(features: dict[str, float], terms: Counter[str], weight: float) -> None:
    get = features.get
    for term, count in terms.items():
        features[term] = get(term, 0.0) + count * weight


def _add_line(profile: Profile, thesaurus: Thesaurus, lang: str, text: str, weight: float,
              title: bool = False) -> None:
    a = analyze(text, thesaurus, with_surface=False)
    if title:
        profile.topics.update(a.concepts)
    profile.phrases.append(Phrase(lang, text, a.concepts))
    _add(profile.features, a.words, weight)
    _add(profile.features, a.bigrams, weight)
    profile.words.update(a.words)
    for cid, w in a.concepts.items():
        key = CONCEPT_PREFIX + cid
        profile.features[key] = profile.features.get(key, 0.0) + w * weight
        profile.strong[cid] = max(profile.strong.get(cid, 0.0), w)


def build_profile(versions: list[Article], thesaurus: Thesaurus, learned: Sequence[str] = ()) -> Profile:
    """Analyse every language version of one article id, plus the phrasings learned from outcomes
    (knowledge.evidence), which count as symptom lines."""
    profile = Profile(id=versions[0].id, versions={a.lang: a for a in versions})
    for article in versions:
        device = DEVICE_CONCEPTS.get(article.device)
        if device and device in thesaurus.concepts:
            profile.strong[device] = 1.0
            key = CONCEPT_PREFIX + device
            profile.features[key] = profile.features.get(key, 0.0) + 1.0
        _add_line(profile, thesaurus, article.lang, article.title, TITLE_WEIGHT, title=True)
        for line in article.symptoms:
            _add_line(profile, thesaurus, article.lang, line, SYMPTOM_WEIGHT)
        words, bigrams = lexical_only(article.body[:BODY_CHARS])
        _add(profile.features, words, BODY_WEIGHT)
        _add(profile.features, bigrams, BODY_WEIGHT)
        profile.body_words.update(words)
    for text in learned:
        _add_line(profile, thesaurus, guess_lang(text), text[:MAX_QUERY_CHARS], SYMPTOM_WEIGHT)
    return profile
