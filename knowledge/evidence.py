"""What the help desk learned from outcomes: phrasings that found (or missed) an article in real use.

A reporter who pressed "✅ This fixed it" after describing a fault, or an engineer who resolved a
ticket with an article, says that this description belongs to that article; "❌ Didn't help" says
the opposite. One person's word is not enough (a mis-tap, a reporter who would have been fixed by
anything), so a phrasing counts only once ``MIN_PEOPLE`` different people said the same of it:

* learned  - at least MIN_PEOPLE people found the article helped for the phrasing and more said
  so than not: the phrasing becomes an extra symptom line of the article;
* against  - at least MIN_PEOPLE people said it did not help and more said so than that it did:
  the article is no longer suggested for that phrasing.

Phrasings are grouped by their normalised text, near-duplicates included ("printer jammed again!!"
and "printer jammed again"), per article. An engineer can remove a group (`/kb learned`); the
removal is remembered by the group's key, so later outcomes do not bring it back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from knowledge.normalize import MAX_QUERY_CHARS, surface

#: Different people who must agree before a phrasing counts for or against an article.
MIN_PEOPLE = 2
#: rapidfuzz ratio (0..100) at which two normalised phrasings are the same phrasing.
SAME_PHRASING = 90.0
#: Longest phrasing kept as a key: the start of a message says what the fault is.
KEY_CHARS = 160
#: How many characters at either end of a key find its near-duplicates.
END_CHARS = 4


@dataclass(frozen=True)
class Outcome:
    """One verdict: `person` said article `article_id` did (not) help for `query`."""

    article_id: str
    query: str
    helped: bool
    person: int
    by_engineer: bool = False


@dataclass
class Evidence:
    """Outcomes for one article and one phrasing (near-duplicates grouped)."""

    article_id: str
    key: str
    """The normalised phrasing of the group's first outcome."""
    query: str
    """The latest original wording, to show a reviewer."""
    helped_by: set[int] = field(default_factory=set)
    failed_by: set[int] = field(default_factory=set)
    engineers: int = 0

    @property
    def ref(self) -> str:
        """A short stable name for buttons (the key can be long)."""
        return key_ref(self.key)

    @property
    def learned(self) -> bool:
        return len(self.helped_by) >= MIN_PEOPLE and len(self.helped_by) > len(self.failed_by)

    @property
    def against(self) -> bool:
        return len(self.failed_by) >= MIN_PEOPLE and len(self.failed_by) > len(self.helped_by)


@lru_cache(maxsize=65536)
def query_key(text: str) -> str:
    """The normalised phrasing outcomes are grouped by (empty when the text has no words); cached,
    because a new verdict regroups its article's earlier ones."""
    return surface(text, limit=MAX_QUERY_CHARS)[:KEY_CHARS]


def key_ref(key: str) -> str:
    return hashlib.blake2s(key.encode("utf-8"), digest_size=5).hexdigest()


class _Groups:
    """One article's groups, found by key, and near-duplicates by the key's first or last characters
    (two phrasings 90% alike nearly always share one end), so years of verdicts group in seconds."""

    def __init__(self) -> None:
        self.by_key: dict[str, Evidence] = {}
        self._ends: dict[str, list[str]] = {}

    def find(self, outcome: Outcome, key: str) -> Evidence:
        group = self.by_key.get(key)
        if group is None:
            nearby = {k for end in _ends(key) for k in self._ends.get(end, ())}
            near = process.extractOne(key, nearby, scorer=fuzz.ratio, score_cutoff=SAME_PHRASING) if nearby else None
            group = self.by_key[near[0]] if near else None
        if group is None:
            group = self.by_key[key] = Evidence(outcome.article_id, key, outcome.query)
            for end in _ends(key):
                self._ends.setdefault(end, []).append(key)
        return group


def _ends(key: str) -> tuple[str, str]:
    return "<" + key[:END_CHARS], ">" + key[-END_CHARS:]


def collect(outcomes: Iterable[Outcome], removed: Set[tuple[str, str]] = frozenset()) -> list[Evidence]:
    """Group outcomes into evidence, oldest first; groups whose (article id, key) was removed are left out.

    A person's latest verdict on a group wins: someone who first pressed "didn't help" and later
    "fixed it" counts once, for.
    """
    groups: dict[str, _Groups] = {}
    for outcome in outcomes:
        key = query_key(outcome.query)
        if not key:
            continue
        group = groups.setdefault(outcome.article_id, _Groups()).find(outcome, key)
        group.query = outcome.query
        (group.helped_by if outcome.helped else group.failed_by).add(outcome.person)
        (group.failed_by if outcome.helped else group.helped_by).discard(outcome.person)
        group.engineers += outcome.by_engineer
    return [e for per_article in groups.values() for e in per_article.by_key.values()
            if (e.article_id, e.key) not in removed]


def same_phrasing(key: str, other: str) -> bool:
    """Whether two normalised phrasings count as the same (the matcher's test for "against")."""
    return key == other or fuzz.ratio(key, other) >= SAME_PHRASING
