"""What the matcher knows about one candidate article for one query, on scales that mean the same for
any knowledge base and any query.

Rank alone cannot say "none of these": the best of 45 articles for "where do I buy a printer" is still
a printer article. The signals below are what `knowledge.confidence` decides from:

* cover   - the candidate's BM25F score over the best score any article could reach on the query's
  *known* features (those at least one article has). Words no article uses (greetings, where the
  reporter sits, a story about the weekend) are left out of the bound, so a long chatty message that
  names its fault well still covers it well; how much of the query is known at all is `reach`.
* margin  - cover minus the best other candidate's: a clear winner, or one of several alike.
* reach   - the share of the query's words and bigrams (by IDF) that occur in the knowledge base.
* missing - the share of the query's specific concepts (faults, parts, devices, tasks: weighted by
  kind and rarity) the candidate does not have: "VPN won't connect" against a Wi-Fi article.
* shared_fault - the candidate shares a fault or task with the query, or a complaint and the device
  it is about; `anchored` - a fault *and* a device or part (what "printer out of toner, where do I
  get a new one" needs to stay in scope although it asks where to get something).
* adds    - a runner-up has one of the query's specific concepts the best candidate lacks: "paper
  jam, and now it shows offline" is two faults and two articles.
* fault_unmet, words - the query names a fault the article does not have, and how long the query
  is: a terse "VPN 连不上" against an article about a slow network drive (that mentions the VPN) is
  a fault this knowledge base has no article for.
* request, serves - the query asks for something ("can I get a second monitor?") rather than saying
  what is wrong, and whether the candidate is about doing that task to what it names (installing a
  printer driver): only then, or with a fault and its device, does a request get an answer.
* off_topic - the query raises a topic that is out of scope for an IT help desk (pay, leave, lunch,
  facilities) that no article of this knowledge base is about (by its title), or it is only courtesy: thanks or a
  greeting with no problem in it ("thanks, the printer works now").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Set
from dataclasses import dataclass

from knowledge.features import Analysis
from knowledge.intent import ASK_FOR
from knowledge.profile import Profile
from knowledge.thesaurus import Thesaurus

#: How much each concept kind says about which article is meant.
KIND_WEIGHT = {
    "fault": 1.0,
    "action": 0.7,
    "part": 0.7,
    "device": 0.6,
    "generic": 0.3,
    "context": 0.0,
    "courtesy": 0.0,
    "oos": 0.0,
}


@dataclass(frozen=True)
class Signals:
    """One candidate's signals (see the module docstring)."""

    id: str
    cover: float
    margin: float
    reach: float
    missing: float
    shared_fault: bool
    anchored: bool
    off_topic: bool
    adds: bool = False
    """It has one of the query's specific concepts that the best candidate lacks (a second fault)."""
    vouched: bool = False
    """People found this article with the same phrasing (knowledge.evidence): in scope whatever it says."""
    fault_unmet: bool = False
    """The query names a fault and the article has none of the faults it names."""
    words: int = 0
    """How many word and bigram features the query has: a terse one ("VPN 连不上") is all fault and device."""
    request: bool = False
    """The query asks to be given, lent, installed or allowed something (knowledge.intent)."""
    serves: bool = False
    """It is about doing what the query asks for to what it names: a task and a device or part in
    common ("can you install the printer driver" and an article on installing one)."""


def concept_rarity(doc_freq: Mapping[str, int], n_docs: int) -> dict[str, float]:
    """A damped IDF per concept: "duplex" says more about an article than "printer".

    Square-rooted so that a concept in every article still counts about half
    as much as a unique one, instead of nothing.
    """
    top = math.log(1.0 + n_docs)
    return {c: math.sqrt(math.log(1.0 + n_docs / df) / top) for c, df in doc_freq.items() if df}


def missing_share(query: Analysis, profile: Profile, th: Thesaurus, rarity: Mapping[str, float]) -> float:
    """The share of the query's specific concept weight the article does not have (0 with none)."""
    total = lacking = 0.0
    for cid, w in query.concepts.items():
        weight = w * KIND_WEIGHT[th.kind(cid)] * rarity.get(cid, 1.0)
        total += weight
        if cid not in profile.strong:
            lacking += weight
    return lacking / total if total else 0.0


def fault_unmet(query: Analysis, profile: Profile, th: Thesaurus) -> bool:
    """The query names faults and the article has none of them."""
    faults = [c for c in query.concepts if th.kind(c) == "fault"]
    return bool(faults) and not any(c in profile.strong for c in faults)


def specific(query: Analysis, profile: Profile, th: Thesaurus) -> frozenset[str]:
    """The query's specific concepts (those that count, by kind) the article has."""
    return frozenset(c for c in query.concepts if KIND_WEIGHT[th.kind(c)] > 0 and c in profile.strong)


def shares_fault(query: Analysis, profile: Profile, th: Thesaurus) -> tuple[bool, bool]:
    """(shared fault, anchored): the article shares a fault or a task with the query, or a complaint
    and its object; anchored: a fault and a device or part."""
    shared = {c for c in query.concepts if c in profile.strong}
    kinds = {th.kind(c) for c in shared}
    objects = bool(kinds & {"device", "part"})
    if "fault" in kinds or (objects and kinds & {"action", "generic"}):
        return True, objects and "fault" in kinds
    # A how-to question ("how do I print double-sided?") or a complaint worded differently from the
    # article still fits an article about the same specific function.
    asks = "how_to" in query.concepts or any(th.kind(c) in ("fault", "generic") for c in query.concepts)
    return asks and "part" in kinds, False


GREETING = "greeting"
"""The thesaurus concept of an opening ("hi", "你好"): on its own, small talk."""


def serves(query: Analysis, profile: Profile, th: Thesaurus) -> bool:
    """The article's title names a task (kind action) and a device or part that the query names too:
    installing a printer driver, not any article that mentions installing something on a PC."""
    shared = [th.kind(c) for c in query.concepts if c in profile.topics]
    return "action" in shared and ("device" in shared or "part" in shared)


def off_topic(query: Analysis, th: Thesaurus, covered: Set[str]) -> bool:
    """The query raises an out-of-scope topic that no article covers (`covered`: the topics some
    article's title names, which are then in scope for this knowledge base), or it is courtesy
    naming no problem."""
    kinds = {th.kind(c): c for c in query.concepts}
    if "courtesy" in kinds and not kinds.keys() & {"fault", "generic", "action"}:
        return True
    # A greeting that names no problem and no equipment is small talk ("hi bot, how's your day?").
    if GREETING in query.concepts and not kinds.keys() & {"fault", "generic", "action", "device", "part"}:
        return True
    return any(th.kind(c) == "oos" and c not in covered and c != ASK_FOR for c in query.concepts)
