"""Mapping phrases in either language onto shared concept tokens.

Fuzzy string similarity cannot tell that "开不了机" and "won't power on" mean the
same, nor that "where do I buy a printer" is not a printer fault. The thesaurus
(a YAML data file, see thesaurus.yaml) lists how people phrase office-IT
devices, parts, faults and out-of-scope topics; this module finds those phrases
in normalised text and reports which concepts a text talks about.

Matching rules, chosen for chat text:

* Longest phrase wins within a role: a device or part phrase inside a longer
  device or part phrase is dropped ("无线网" is Wi-Fi, not also "网"), and a
  fault, task or topic phrase inside a longer one likewise ("not turn on" is
  not also "turn on"). Across roles both count: "printer offline" names the
  printer and the fault, "reset password" the task and the part; but a single
  Chinese character inside a longer word never counts on its own.
* English phrases may skip one word ("no DP signal" still says "no signal").
* Chinese phrases may contain ``*`` for up to three arbitrary characters.
* A device or fault phrase of three or more Chinese characters also matches
  when its last character is a homophone typo (打印鸡 -> 打印机, 投影议 ->
  投影仪), which is how pinyin input methods fail. Shorter phrases and other
  positions are not tried: on correct text they misfire constantly (可以 ->
  可疑, 一致 -> 一直). Such hits count a little less than exact ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import yaml

from knowledge.normalize import Units, is_han, to_units
from knowledge.pinyin import syllables

KINDS = ("device", "part", "fault", "generic", "action", "context", "courtesy", "oos")
DEFAULT_THESAURUS = Path(__file__).resolve().parent / "thesaurus.yaml"

_WILD = "*"
#: Shortest Chinese phrase tried for homophone typos, and the kinds tried.
FUZZY_MIN_CHARS = 3
FUZZY_KINDS = frozenset({"device", "fault"})
_MAX_WILD = 3
#: Weight of a concept found through a homophone typo rather than exactly.
FUZZY_HIT_WEIGHT = 0.8
#: Weight of a concept that is only implied (a ThinkPad implies a laptop).
IMPLIED_WEIGHT = 0.6

try:
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader


class ThesaurusError(ValueError):
    """The thesaurus data file is malformed."""


@dataclass(frozen=True)
class Concept:
    """One meaning, with how it counts (kind) and what it implies."""

    id: str
    kind: str
    implies: tuple[str, ...]


@dataclass
class _Term:
    units: tuple[str, ...]
    latin: tuple[bool, ...]
    concepts: list[str]


class Hit(NamedTuple):
    """A phrase of the thesaurus found at units[start:end] (a tuple: made in bulk)."""

    concept: str
    start: int
    end: int
    exact: bool


class Thesaurus:
    """Concept lookup over normalised units; build once, share freely."""

    def __init__(self, data: dict) -> None:
        if not isinstance(data, dict) or not data:
            raise ThesaurusError("thesaurus must be a non-empty mapping of concepts")
        self.concepts: dict[str, Concept] = {}
        # Terms keyed by their first unit (one-unit and wildcard terms) and by
        # their first two units (the rest): most positions of a text then cost
        # one or two dict lookups instead of trying every term that starts
        # with a common word such as "not" or "不".
        self._single: dict[str, list[_Term]] = {}
        self._by_pair: dict[tuple[str, str], list[_Term]] = {}
        self._all_terms: dict[tuple[str, ...], _Term] = {}
        self._starts: set[str] = set()  # first units of all terms: a cheap pre-check
        self._han_terms: list[_Term] = []
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        self.vocabulary: set[str] = set()
        for cid, spec in data.items():
            self._add_concept(str(cid), spec)
        for concept in self.concepts.values():
            for target in concept.implies:
                if target not in self.concepts:
                    raise ThesaurusError(f"{concept.id}: implies unknown concept {target!r}")
        self._closure = {cid: self._implied(cid) for cid in self.concepts}
        self._fuzzy_index: dict[str, list[_Term]] | None = None

    # ------------------------------------------------------------ building
    @classmethod
    def load(cls, path: Path = DEFAULT_THESAURUS) -> Thesaurus:
        """Read a thesaurus YAML file."""
        with open(path, encoding="utf-8") as fh:
            return cls(yaml.load(fh, Loader=_YamlLoader))

    def _add_concept(self, cid: str, spec: object) -> None:
        if not isinstance(spec, dict):
            raise ThesaurusError(f"{cid}: expected a mapping with kind and terms")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise ThesaurusError(f"{cid}: kind must be one of {', '.join(KINDS)}")
        implies = tuple(spec.get("implies") or ())
        self.concepts[cid] = Concept(cid, kind, implies)
        for pattern in spec.get("patterns") or ():
            self._patterns.append((re.compile(pattern), cid))
        for raw in spec.get("terms") or ():
            self._add_term(cid, str(raw))

    def _add_term(self, cid: str, raw: str) -> None:
        pieces = raw.split(_WILD)
        units: list[str] = []
        latin: list[bool] = []
        for i, piece in enumerate(pieces):
            if i:
                units.append(_WILD)
                latin.append(False)
            u = to_units(piece)
            units.extend(x for x in u.units if x is not None)
            latin.extend(lat for x, lat in zip(u.units, u.latin, strict=True) if x is not None)
        if not units or units[0] == _WILD or units[-1] == _WILD:
            return
        self.vocabulary.update(u for u, lat in zip(units, latin, strict=True) if lat)
        key = tuple(units)
        existing = self._all_terms.get(key)
        if existing is not None:  # the same phrase under several concepts
            if cid not in existing.concepts:
                existing.concepts.append(cid)
            return
        term = _Term(key, tuple(latin), [cid])
        self._all_terms[key] = term
        self._starts.add(units[0])
        if len(units) == 1 or units[1] == _WILD:
            self._single.setdefault(units[0], []).append(term)
        else:
            self._by_pair.setdefault((units[0], units[1]), []).append(term)
        if (
            len(units) >= FUZZY_MIN_CHARS
            and not any(latin)
            and _WILD not in units
            and self.concepts[cid].kind in FUZZY_KINDS
        ):
            self._han_terms.append(term)

    def _implied(self, cid: str) -> dict[str, float]:
        """Concepts implied by cid, transitively, with decaying weight."""
        out: dict[str, float] = {}
        frontier = [(cid, 1.0)]
        while frontier:
            current, weight = frontier.pop()
            for target in self.concepts[current].implies:
                w = weight * IMPLIED_WEIGHT
                if w > out.get(target, 0.0) and target != cid:
                    out[target] = w
                    frontier.append((target, w))
        return out

    def kind(self, cid: str) -> str:
        """The kind of a concept id."""
        return self.concepts[cid].kind

    # ------------------------------------------------------------ matching
    def hits(self, u: Units, *, typos: bool = False) -> list[Hit]:
        """All thesaurus phrases found in the units, longest-match filtered.

        ``typos`` also looks for homophone misspellings; queries need that,
        curated article text does not and is indexed faster without it.
        """
        units, latin, raw = u.units, u.latin, u.raw
        n = len(units)
        found: list[Hit] = []
        single_get, pair_get, starts = self._single.get, self._by_pair.get, self._starts
        for i in range(n):
            unit = units[i]
            if unit is None:
                continue
            if unit not in starts:
                found.extend(self._unit_hits(units, raw, latin, i, typos))
                continue
            for term in single_get(unit, ()):
                end = i + 1 if len(term.units) == 1 else _match_from(term, units, latin, i + 1, 1)
                if end > 0:
                    found.extend([Hit(c, i, end, True) for c in term.concepts])
            nxt = units[i + 1] if i + 1 < n else None
            if nxt is not None:
                # The pair index already matched the first two units: continue at the third.
                for term in pair_get((unit, nxt), ()):
                    end = i + 2 if len(term.units) == 2 else _match_from(term, units, latin, i + 2, 2)
                    if end > 0:
                        found.extend([Hit(c, i, end, True) for c in term.concepts])
                if latin[i] and latin[i + 1] and i + 2 < n and units[i + 2] is not None:
                    for term in pair_get((unit, units[i + 2]), ()):  # type: ignore[arg-type]
                        if term.latin[1]:
                            end = i + 3 if len(term.units) == 2 else _match_from(term, units, latin, i + 3, 2)
                            if end > 0:
                                found.extend([Hit(c, i, end, True) for c in term.concepts])
            found.extend(self._unit_hits(units, raw, latin, i, typos))
        return _longest_only(found, self.concepts, latin)

    def _unit_hits(self, units: tuple[str | None, ...], raw, latin, i: int, typos: bool) -> list[Hit]:  # type: ignore[no-untyped-def]
        """What a single unit says on its own: a code pattern (0x80070002, SC542: they all contain a
        digit) for a Latin token, a typo'd phrase starting at a CJK character."""
        if latin[i]:
            if self._patterns and not raw[i].isalpha():
                return [Hit(cid, i, i + 1, True) for pattern, cid in self._patterns if pattern.fullmatch(raw[i])]
            return []
        return self._fuzzy_hits(units, i) if typos else []

    def _fuzzy_hits(self, units: tuple[str | None, ...], i: int) -> list[Hit]:
        """Han phrases starting at i whose last character is a homophone typo."""
        if self._fuzzy_index is None:
            self._fuzzy_index = self._build_fuzzy_index()
        out: list[Hit] = []
        for term in self._fuzzy_index.get(units[i] or "", ()):
            n = len(term.units)
            if i + n > len(units):
                continue
            head = units[i : i + n - 1]
            last = units[i + n - 1]
            if (
                head != term.units[:-1]
                or last is None
                or last == term.units[-1]
                or not is_han(last)
                or not syllables(last) & syllables(term.units[-1])
            ):
                continue
            out.extend(Hit(c, i, i + n, False) for c in term.concepts if self.kind(c) in FUZZY_KINDS)
        return out

    def _build_fuzzy_index(self) -> dict[str, list[_Term]]:
        """Typo candidates keyed by their (exactly typed) first character."""
        index: dict[str, list[_Term]] = {}
        for term in self._han_terms:
            index.setdefault(term.units[0], []).append(term)
        return index

    def concepts_in(self, u: Units, *, typos: bool = False) -> dict[str, float]:
        """Concept weights for a text: 1 for exact phrases, less for typos/implied.

        An out-of-scope topic is not one when it names an IT system or file (it comes right before
        an `it_system` word: "expense portal", "报销系统") or when it is a comparison ("比我泡杯咖啡
        还久", "像泡过水一样": the coffee is not the subject).
        """
        weights: dict[str, float] = {}
        hits = self.hits(u, typos=typos)
        named = {h.start for h in hits if h.concept == IT_SYSTEM}
        for hit in hits:
            if self.concepts[hit.concept].kind == "oos" and (hit.end in named or _compared(u, hit)):
                continue
            w = 1.0 if hit.exact else FUZZY_HIT_WEIGHT
            if w > weights.get(hit.concept, 0.0):
                weights[hit.concept] = w
        for cid, w in list(weights.items()):
            for target, iw in self._closure[cid].items():
                if w * iw > weights.get(target, 0.0):
                    weights[target] = w * iw
        return weights

    def of_kind(self, weights: dict[str, float], kinds: Iterable[str]) -> dict[str, float]:
        """Filter a concept-weight mapping to the given kinds."""
        wanted = set(kinds)
        return {c: w for c, w in weights.items() if self.concepts[c].kind in wanted}


def _match_from(term: _Term, units: tuple[str | None, ...], latin: tuple[bool, ...], j: int, k: int) -> int:
    """End index of term, given term.units[:k] already matched up to units[j]; -1 if no match."""
    n = len(units)
    tu = term.units
    while k < len(tu):
        want = tu[k]
        if want == _WILD:
            nxt = tu[k + 1]
            for skip in range(_MAX_WILD + 1):
                pos = j + skip
                if pos >= n or units[pos] is None or latin[pos]:
                    return -1
                if units[pos] == nxt:
                    j = pos + 1
                    k += 2
                    break
            else:
                return -1
            continue
        if j < n and units[j] == want:
            j += 1
        elif term.latin[k] and term.latin[k - 1] and j + 1 < n and latin[j] and units[j + 1] == want:
            j += 2
        else:
            return -1
        k += 1
    return j


_OBJECT_KINDS = frozenset({"device", "part"})
#: The concept of IT systems and files an out-of-scope word can name (see Thesaurus.concepts_in).
IT_SYSTEM = "it_system"
#: Chinese comparisons: 比 … 还/更 ("longer than making a coffee"), 像/好像 … 一样/似的 ("like").
_COMPARE_BEFORE = frozenset("比像")
_COMPARE_AFTER = frozenset("还更样似")
_COMPARE_REACH = 6


def _compared(u: Units, hit: Hit) -> bool:
    """The hit lies inside a Chinese comparison within its clause (比…还, 像…一样)."""
    units = u.units
    before = range(hit.start - 1, max(hit.start - _COMPARE_REACH, 0) - 1, -1)
    after = range(hit.end, min(hit.end + _COMPARE_REACH, len(units)))
    opened = False
    for i in before:
        if units[i] is None:
            break
        if units[i] in _COMPARE_BEFORE:
            opened = True
            break
    if not opened:
        return False
    for i in after:
        if units[i] is None:
            return False
        if units[i] in _COMPARE_AFTER:
            return True
    return False


def _longest_only(hits: list[Hit], kind_of: dict[str, Concept], latin: tuple[bool, ...]) -> list[Hit]:
    """Drop hits lying strictly inside a longer hit of the same role (object or not).

    A typo (inexact) hit never hides an exact one: a homophone guess must not
    overrule what the user actually typed. One Chinese character inside a
    longer word is part of that word (装 in 装订, 屏 in 蓝屏) whatever its role.

    One sweep over the hits sorted by start (longest first): a hit is inside
    another exactly when an earlier hit of an eligible kind reaches as far
    (or further, for one starting at the same place).
    """
    if len(hits) < 2:
        return hits
    ordered = sorted(hits, key=lambda h: (h.start, -h.end))
    reach = reach_start = -1
    for h in ordered:  # the common case: no span inside another at all
        if h.end < reach or (h.end == reach and h.start > reach_start):
            break
        if h.end > reach:
            reach, reach_start = h.end, h.start
    else:
        return hits
    before: dict[tuple[bool, bool], int] = {}  # (object role, exact) -> furthest end so far
    group: dict[tuple[bool, bool], int] = {}  # the same for hits sharing the current start
    group_start = -1
    kept: list[Hit] = []
    for h in ordered:
        if h.start != group_start:
            for key, end in group.items():
                if end > before.get(key, -1):
                    before[key] = end
            group = {}
            group_start = h.start
        obj = kind_of[h.concept].kind in _OBJECT_KINDS
        roles = (True, False) if h.end - h.start == 1 and not latin[h.start] else (obj,)
        exacts = (True,) if h.exact else (True, False)
        inside = any(before.get((r, e), -1) >= h.end or group.get((r, e), -1) > h.end for r in roles for e in exacts)
        if not inside:
            kept.append(h)
        key = (obj, h.exact)
        if h.end > group.get(key, -1):
            group[key] = h.end
    return kept


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    """The shipped thesaurus, parsed once per process."""
    return Thesaurus.load(DEFAULT_THESAURUS)
