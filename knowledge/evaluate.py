"""Measuring the matcher against labelled queries.

A queries file is JSON Lines (:data:`EVAL_FORMAT`): ``{"q": "...", "expect": "article-id"}`` for a
query that should find that article, ``"expect": null`` for one that should
find nothing. hit@1/hit@3 are computed over the in-scope queries; rejection
is the share of out-of-scope queries that got no match at all, because a
wrong suggestion for "where do I buy a printer" is the failure that matters.

An optional ``"kind"`` labels a query ("smalltalk", "uncovered-fault", "typo"...): the figures
are also given per kind, because "out of scope" mixes a greeting, which must never get an
article, with an IT fault the knowledge base happens not to cover, which shares words with one.
Any other key is refused with its line: a misspelled ``"expcet"`` would otherwise
turn an in-scope query into an out-of-scope one and quietly change the figures. So is a query
that expects an article the knowledge base does not have: it could only ever count as a miss.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.evidence import Evidence, Outcome
from knowledge.matcher import Matcher

KEYS = ("q", "expect", "kind")
"""The keys a line may have; "q" is required."""

EVAL_FORMAT = (
    "QUERIES.jsonl: UTF-8, one JSON object per line (blank lines are skipped):\n"
    '  {"q": "打印机卡纸了", "expect": "printer-paper-jam"}\n'
    '  {"q": "where do I buy a printer", "expect": null}\n'
    '  "q"       required: the text a user wrote (a string)\n'
    '  "expect"  the id of the article it should find, or null (the default)\n'
    "            when it should find nothing (an out-of-scope query)\n"
    '  "kind"    optional: a label of your own ("smalltalk", "typo"...); the figures\n'
    "            are also given per kind\n"
    "No other key is accepted: a line with one is refused, naming the line and the key;\n"
    "so is an \"expect\" naming an article the knowledge base does not have."
)
"""The file format, as `helpdesk kb eval --help` shows it."""


class EvalError(ValueError):
    """The queries file cannot be read or a line is malformed."""


@dataclass(frozen=True)
class LabelledQuery:
    """One query and the article id it should find (None: nothing)."""

    q: str
    expect: str | None
    line: int = 0
    kind: str | None = None


@dataclass(frozen=True)
class Failure:
    """A query whose top match was not the expected one."""

    query: str
    expect: str | None
    got: list[str]


@dataclass(frozen=True)
class EvalResult:
    """Headline figures plus every failure, for reading the misses."""

    n: int
    hit1: float
    hit3: float
    rejection: float
    in_scope: int
    out_of_scope: int
    failures: list[Failure] = field(default_factory=list)
    kinds: dict[str, KindFigures] = field(default_factory=dict)
    """The figures per ``kind`` label, for the queries that have one."""


@dataclass
class KindFigures:
    """One kind's share of the figures: hits of its in-scope queries, rejections of the others."""

    in_scope: int = 0
    hit1: int = 0
    hit3: int = 0
    out_of_scope: int = 0
    rejected: int = 0

    def line(self, kind: str) -> str:
        """One line of `helpdesk kb eval`'s per-kind listing."""
        parts = []
        if self.in_scope:
            parts.append(f"hit@1 {self.hit1}/{self.in_scope}, hit@3 {self.hit3}/{self.in_scope}")
        if self.out_of_scope:
            parts.append(f"rejected {self.rejected}/{self.out_of_scope}")
        return f"  {kind}: " + "; ".join(parts)


def load_queries(path: Path) -> list[LabelledQuery]:
    """Parse a queries JSONL file; raise EvalError naming the bad line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"cannot read {path}: {exc}") from None
    queries: list[LabelledQuery] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("q"), str):
            raise EvalError(f"{path}:{number}: expected an object with a string 'q'")
        unknown = [key for key in obj if key not in KEYS]
        if unknown:
            raise EvalError(f"{path}:{number}: unknown key {unknown[0]!r}; a line has only "
                            + " and ".join(repr(k) for k in KEYS))
        expect = obj.get("expect")
        if expect is not None and not isinstance(expect, str):
            raise EvalError(f"{path}:{number}: 'expect' must be an article id or null")
        kind = obj.get("kind")
        if kind is not None and (not isinstance(kind, str) or not kind.strip()):
            raise EvalError(f"{path}:{number}: 'kind' must be a non-empty string")
        queries.append(LabelledQuery(obj["q"], expect, number, kind.strip() if kind else None))
    return queries


def evaluate_queries(queries: Iterable[LabelledQuery], matcher: Matcher) -> EvalResult:
    """Run every query through the matcher (top 3) and score the answers; raise EvalError when a
    query expects an article the matcher does not have."""
    queries = list(queries)
    absent = sorted({q.expect for q in queries if q.expect is not None and q.expect not in matcher})
    if absent:
        lines = [q.line for q in queries if q.expect in absent]
        raise EvalError(f"{len(lines)} queries expect articles the knowledge base does not have "
                        f"({', '.join(absent[:5])}{'…' if len(absent) > 5 else ''}; first on line {lines[0]}): "
                        "they could only count as misses")
    n = hit1 = hit3 = rejected = in_scope = out_of_scope = 0
    failures: list[Failure] = []
    kinds: dict[str, KindFigures] = {}
    for item in queries:
        n += 1
        got = [m.id for m in matcher.search(item.q, top=3)]
        figures = kinds.setdefault(item.kind, KindFigures()) if item.kind else KindFigures()
        if item.expect is None:
            out_of_scope += 1
            ok = not got
            rejected += ok
            figures.out_of_scope += 1
            figures.rejected += ok
        else:
            in_scope += 1
            ok = got[:1] == [item.expect]
            hit1 += ok
            hit3 += item.expect in got
            figures.in_scope += 1
            figures.hit1 += ok
            figures.hit3 += item.expect in got
        if not ok:
            failures.append(Failure(item.q, item.expect, got))
    return EvalResult(
        n=n,
        hit1=hit1 / in_scope if in_scope else 0.0,
        hit3=hit3 / in_scope if in_scope else 0.0,
        rejection=rejected / out_of_scope if out_of_scope else 0.0,
        in_scope=in_scope,
        out_of_scope=out_of_scope,
        failures=failures,
        kinds=dict(sorted(kinds.items())),
    )


def evaluate(queries_path: Path, matcher: Matcher) -> EvalResult:
    """Evaluate a matcher on a queries JSONL file (see module docstring)."""
    return evaluate_queries(load_queries(queries_path), matcher)


@dataclass(frozen=True)
class OutcomeFigures:
    """How a matcher does on the queries of real verdicts: are the articles people said helped found,
    and are those they said did not help still suggested first?"""

    helped: int
    hit1: float
    hit3: float
    failed: int
    failed_first: float


def evaluate_outcomes(outcomes: Sequence[Outcome], matcher: Matcher) -> OutcomeFigures:
    """The matcher on each verdict's own query (top 3)."""
    helped = [o for o in outcomes if o.helped]
    failed = [o for o in outcomes if not o.helped]
    hit1 = hit3 = first = 0
    for o in helped:
        got = [m.id for m in matcher.search(o.query, top=3)]
        hit1 += got[:1] == [o.article_id]
        hit3 += o.article_id in got
    for o in failed:
        first += [m.id for m in matcher.search(o.query, top=1)] == [o.article_id]
    return OutcomeFigures(len(helped), hit1 / len(helped) if helped else 0.0, hit3 / len(helped) if helped else 0.0,
                          len(failed), first / len(failed) if failed else 0.0)


def in_force(groups: Sequence[Evidence]) -> list[Evidence]:
    """The groups that change what is suggested, most agreed first."""
    return sorted((e for e in groups if e.learned or e.against),
                  key=lambda e: (-len(e.helped_by) - len(e.failed_by), e.article_id, e.key))
