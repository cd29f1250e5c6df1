"""Deciding how well one article answers a query, on an absolute scale.

Rank alone cannot say "none of these": the best of 45 articles for "where do I
buy a printer" is still a printer article. The judge therefore scores each
candidate from signals that mean the same thing for every query:

* coverage - how much of the query's meaning (its concepts, weighted by kind:
  a fault counts more than a device, context not at all) the article covers;
* symptom  - how closely the query restates one symptom line, as concept
  overlap and as rapidfuzz similarity of the normalised text;
* lexical  - BM25 divided by the best score the query could possibly reach.

A candidate must also pass a gate: it has to share a specific fault or task
with the query (or a vague complaint plus the device it is about). Queries
that raise an out-of-scope topic (buying, pay, leave, lunch...) need a shared
fault *and* a shared device, so "where do I buy a printer" finds nothing while
"printer out of toner, where do I get a new one" still does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.features import Analysis
from knowledge.profile import Phrase, Profile
from knowledge.thesaurus import Thesaurus

#: How much each concept kind says about which article is meant.
KIND_WEIGHT = {
    "fault": 1.0,
    "action": 0.7,
    "part": 0.7,
    "device": 0.6,
    "generic": 0.3,
    "context": 0.0,
    "oos": 0.0,
}
#: Final score = weighted sum of the three signals.
W_SYMPTOM, W_COVERAGE, W_LEXICAL = 0.45, 0.35, 0.20
#: Below this final score a candidate is not suggested.
MIN_SCORE = 0.35
#: Surface similarity (0..100) at which a symptom line counts as restated.
FUZZ_FLOOR, FUZZ_SURE = 60.0, 88.0


@dataclass(frozen=True)
class Verdict:
    """The judge's view of one candidate."""

    score: float
    coverage: float
    symptom: float
    lexical: float
    gate: bool


def concept_rarity(doc_freq: Mapping[str, int], n_docs: int) -> dict[str, float]:
    """A damped IDF per concept: "duplex" says more about an article than "printer".

    Square-rooted so that a concept in every article still counts about half
    as much as a unique one, instead of nothing.
    """
    top = math.log(1.0 + n_docs)
    return {c: math.sqrt(math.log(1.0 + n_docs / df) / top) for c, df in doc_freq.items() if df}


def _weighted(concepts: dict[str, float], th: Thesaurus, rarity: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for cid, w in concepts.items():
        kw = KIND_WEIGHT[th.kind(cid)]
        if kw > 0:
            out[cid] = w * kw * rarity.get(cid, 1.0)
    return out


def _fuzz(query: str, phrase: str) -> float:
    """0..100 similarity of two normalised strings, tolerant of word order.

    token_sort_ratio rather than token_set_ratio: the set variant scores 90+
    whenever a short query shares a few words with a line ("laptop ... every
    few minutes"), which says nothing about the fault.
    """
    if not query or not phrase:
        return 0.0
    short, long_ = sorted((query, phrase), key=len)
    score = fuzz.token_sort_ratio(query, phrase)
    if len(short) >= 4:
        # partial_ratio rewards a short line found inside a long message, but
        # is discounted when the line is a small part of it.
        cover = min(1.0, len(short) / max(len(long_), 1) * 2.0)
        score = max(score, fuzz.partial_ratio(short, long_) * (0.75 + 0.25 * cover))
    return score


def _phrase_score(
    q: dict[str, float],
    q_total: float,
    query: Analysis,
    phrase: Phrase,
    th: Thesaurus,
    rarity: Mapping[str, float],
) -> tuple[float, float]:
    p = _weighted(phrase.concepts, th, rarity)
    p_total = sum(p.values())
    concept_sim = 0.0
    if p_total > 0 and q_total > 0:
        match = sum(min(w, q[c]) for c, w in p.items() if c in q)
        recall, precision = match / p_total, match / q_total
        concept_sim = (2.0 * recall + precision) / 3.0
    fz = _fuzz(query.surface, phrase.surface)
    fz_sim = max(0.0, (fz - FUZZ_FLOOR) / (100.0 - FUZZ_FLOOR))
    return max(concept_sim, 0.9 * fz_sim), fz


def judge(
    query: Analysis,
    profile: Profile,
    lexical: float,
    th: Thesaurus,
    rarity: Mapping[str, float],
) -> Verdict:
    """Score one candidate article for a query; see the module docstring.

    ``rarity`` comes from concept_rarity() over the whole index; concepts no
    article has are missing from it and count fully.
    """
    q = _weighted(query.concepts, th, rarity)
    q_total = sum(q.values())
    coverage = 0.0
    if q_total > 0:
        got = 0.0
        for cid, w in q.items():
            if cid in profile.strong:
                got += w * min(1.0, profile.strong[cid] / max(query.concepts[cid], 1e-9))
        coverage = got / q_total

    symptom, best_fz = 0.0, 0.0
    for phrase in profile.phrases:
        s, fz = _phrase_score(q, q_total, query, phrase, th, rarity)
        symptom = max(symptom, s)
        best_fz = max(best_fz, fz)

    gate = _gate(query, profile, th) or best_fz >= FUZZ_SURE
    score = W_SYMPTOM * symptom + W_COVERAGE * coverage + W_LEXICAL * min(lexical, 1.0)
    return Verdict(score, coverage, symptom, lexical, gate)


def _gate(query: Analysis, profile: Profile, th: Thesaurus) -> bool:
    shared = {c for c in query.concepts if c in profile.strong}
    kinds = {th.kind(c) for c in shared}
    objects = bool(kinds & {"device", "part"})
    faults = "fault" in kinds
    if any(th.kind(c) == "oos" for c in query.concepts):
        return faults and objects
    # A task ("install", "add") or a vague complaint only fits an article
    # about the same thing: "install Photoshop" is not the printer-driver one.
    if faults or (objects and kinds & {"action", "generic"}):
        return True
    # A problem report whose fault the article words differently ("the copier's
    # e-mail option times out") or a how-to question ("how do I print
    # double-sided?") still fits an article about the same specific function.
    asks = "how_to" in query.concepts or any(th.kind(c) in ("fault", "generic") for c in query.concepts)
    return asks and "part" in kinds
