"""Fit the matcher's decision (knowledge/confidence.py) on the tuning sets, and show how it transfers.

Run:  .venv/bin/python benchmarks/kb_calibrate.py

For every tuning set it collects the signals of each query's candidates (knowledge.signals), and
adds the hard negatives that make a threshold honest: every in-scope query run again with its own
article left out of the knowledge base (leave-one-article-out), which must then find nothing.

* `MIN_COVER`: the highest floor on the best candidate's cover that costs at most 1% of the
  answerable in-scope queries (those whose article is among the top 3) of each tuning set;
* `TERSE`: the longest query (in word and bigram features) for which "names a fault the best
  candidate lacks" means no answer, under the same 1% budget;
* `WEIGHTS`/`BIAS`: a logistic model (numpy; a handful of features needs no library) of "this
  candidate is the article meant", the confidence shown and, below `SURE`, "did you mean".

It prints the fitted constants for knowledge/confidence.py, and then what the matcher as it is now
(knowledge.confidence.decide) gives on every set, the leave-one-article-out queries included, and
for the fitted parts the transfer: fitted on all tuning sets but one, scored on the one left out.
These are tuning sets; benchmarks/kb_sets/office-e, -f and -g and the project's held-out set judge the result.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.article import Article  # noqa: E402
from knowledge.evaluate import LabelledQuery, load_queries  # noqa: E402
from knowledge.loader import load_articles, shipped_articles_dir  # noqa: E402
from knowledge.matcher import Matcher  # noqa: E402
from knowledge.signals import Signals  # noqa: E402

DEV = REPO.parent / "shared" / "kb-eval"
SETS = {
    "dev": (DEV / "articles", DEV / "queries.jsonl"),
    "office-b": (REPO / "benchmarks" / "kb_sets" / "office-b" / "articles",
                 REPO / "benchmarks" / "kb_sets" / "office-b" / "queries.jsonl"),
    "shipped": (shipped_articles_dir(), DEV / "queries.jsonl"),
    "office-c": (REPO / "benchmarks" / "kb_sets" / "office-c" / "articles",
                 REPO / "benchmarks" / "kb_sets" / "office-c" / "queries.jsonl"),
    "office-d": (REPO / "benchmarks" / "kb_sets" / "office-d" / "articles",
                 REPO / "benchmarks" / "kb_sets" / "office-d" / "queries.jsonl"),
}
SURE_FEATURES = ("cover", "margin", "reach", "missing", "shared_fault")
FLOORS = [round(0.01 * i, 2) for i in range(31)]


@dataclass
class Case:
    kind: str  # in | oos | loao
    expect: str | None
    cands: list[Signals]


def cases(articles: list[Article], queries: list[LabelledQuery]) -> list[Case]:
    matcher = Matcher(articles)
    out = [Case("in" if q.expect else "oos", q.expect, matcher.candidates(q.q)[:3]) for q in queries]
    for art_id in sorted({q.expect for q in queries if q.expect}):
        without = Matcher([a for a in articles if a.id != art_id])
        out += [Case("loao", None, without.candidates(q.q)[:3]) for q in queries if q.expect == art_id]
    return out


def vector(s: Signals, names: tuple[str, ...]) -> list[float]:
    return [float(getattr(s, n)) for n in names]


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 0.01) -> tuple[np.ndarray, float]:
    """Weighted L2-regularised logistic regression by gradient descent on standardised features."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mu) / sd
    coef, bias = np.zeros(z.shape[1]), 0.0
    for _ in range(4000):
        p = 1.0 / (1.0 + np.exp(-(z @ coef + bias)))
        g = (p - y) * w
        coef -= 0.5 * (z.T @ g / len(y) + l2 * coef)
        bias -= 0.5 * g.mean()
    return coef / sd, float(bias - (coef / sd) @ mu)


def answerable(c: Case) -> bool:
    return c.kind == "in" and c.expect in [s.id for s in c.cands]


def min_cover(sets: list[list[Case]], loss: float = 0.01) -> float:
    """The highest floor that rejects at most `loss` of the answerable queries of every set."""
    def ok(floor: float) -> bool:
        for cs in sets:
            covers = [c.cands[0].cover for c in cs if answerable(c)]
            if sum(v < floor for v in covers) > loss * len(covers):
                return False
        return True
    return max(f for f in FLOORS if ok(f))


def terse(sets: list[list[Case]], loss: float = 0.01) -> int:
    """The longest terse query the fault rule may reject, at most `loss` of each set's answers lost."""
    def ok(n: int) -> bool:
        for cs in sets:
            answers = [c for c in cs if answerable(c)]
            lost = sum(1 for c in answers if c.cands[0].fault_unmet and c.cands[0].words <= n)
            if lost > loss * len(answers):
                return False
        return True
    return max(n for n in range(13) if ok(n))


def sure_model(cs: list[Case]) -> tuple[np.ndarray, float]:
    x = [vector(s, SURE_FEATURES) for c in cs for s in c.cands]
    y = [1.0 if s.id == c.expect else 0.0 for c in cs for s in c.cands]
    return fit(np.array(x), np.array(y), np.ones(len(y)))


def figures(cs: list[Case], floor: float, short: int, coef: np.ndarray, bias: float) -> str:
    """hit@1, hit@3, out-of-scope and left-out rejection with decide(), and how often a "sure"
    first suggestion is right (and how many are sure)."""
    from knowledge import confidence

    saved = (confidence.MIN_COVER, confidence.TERSE, confidence.WEIGHTS, confidence.BIAS)
    confidence.MIN_COVER, confidence.TERSE, confidence.BIAS = floor, short, bias
    confidence.WEIGHTS = dict(zip(SURE_FEATURES, map(float, coef), strict=True))
    try:
        n = h1 = h3 = oos = rej = loao = lrej = sure = sure_right = 0
        for c in cs:
            got = confidence.decide(c.cands, 3)
            ids = [s.id for s, _ in got]
            if got and got[0][1] >= confidence.SURE:
                sure += 1
                sure_right += ids[0] == c.expect
            if c.kind == "in":
                n += 1
                h1 += ids[:1] == [c.expect]
                h3 += c.expect in ids
            elif c.kind == "oos":
                oos += 1
                rej += not ids
            else:
                loao += 1
                lrej += not ids
    finally:
        confidence.MIN_COVER, confidence.TERSE, confidence.WEIGHTS, confidence.BIAS = saved
    return (f"{n:4} {h1 / n:6.3f} {h3 / n:6.3f} {oos:4} {rej / max(oos, 1):6.3f} {loao:4} "
            f"{lrej / max(loao, 1):6.3f} {sure:5} {sure_right / max(sure, 1):6.3f}")


HEADER = "set         in  hit@1  hit@3  oos   rej.  out   rej.  sure  right"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=",".join(SETS))
    args = parser.parse_args()
    data = {}
    for name in args.sets.split(","):
        folder, queries = SETS[name]
        data[name] = cases(load_articles(folder).articles, load_queries(queries))
    everything = [c for cs in data.values() for c in cs]
    floor, short = min_cover(list(data.values())), terse(list(data.values()))
    coef, bias = sure_model(everything)
    print("for knowledge/confidence.py:")
    print(f"MIN_COVER = {floor}  TERSE = {short}")
    print("WEIGHTS =", {n: round(float(v), 2) for n, v in zip(SURE_FEATURES, coef, strict=True)},
          f"BIAS = {bias:.2f}")
    print("\nfitted on all tuning sets (in: in-scope queries, out: left-out-article queries, sure: first "
          "suggestions at or above SURE and the share of them that are right):")
    print(HEADER)
    for name, cs in data.items():
        print(f"{name:10} {figures(cs, floor, short, coef, bias)}")
    print("\nfitted on the other sets, scored on the one left out:")
    print(HEADER)
    for name, cs in data.items():
        others = [ocs for other, ocs in data.items() if other != name]
        rest = [c for ocs in others for c in ocs]
        print(f"{name:10} {figures(cs, min_cover(others), terse(others), *sure_model(rest))}")


if __name__ == "__main__":
    main()
