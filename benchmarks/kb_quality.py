"""Knowledge-base matcher quality on every evaluation set, side by side in one run.

Run:  .venv/bin/python benchmarks/kb_quality.py [--baseline REV] [--failures SET] [--sets a,b]

Sets (docs/benchmarks.md says which were used for tuning):
  dev       ../shared/kb-eval: the development set (tuning)
  shipped   the shipped articles with the development queries (tuning)
  office-b  benchmarks/kb_sets/office-b, -c, -d: written blind; tuning sets since passes 1-3
  office-c
  office-d
  office-e  benchmarks/kb_sets/office-e, -f, -g: written blind after pass 2 or 3, never tuned on
  office-f  (run, and their figures seen, after every pass; their misses never read)
  office-g
  office-h  benchmarks/kb_sets/office-h, -i: written blind after pass 3; office-h's misses were read
  office-i  and tuned on in pass 4 (the small-talk and request rules), office-i never
  office-j  benchmarks/kb_sets/office-j, -k: written blind before pass 4 (their out-of-scope queries
  office-k  labelled by kind) and run once, at its end

Columns: the matcher as it is (hit@1, hit@3, out-of-scope rejected, as `helpdesk kb eval` counts
them, and the share of out-of-scope queries that got a *sure* suggestion rather than a "did you
mean" list: the confident wrong answer); `--baseline REV`: the matcher of that git revision on the
same sets, run from a copy of its `knowledge/` package; and a plain BM25 over words and Chinese
bigrams (title, symptoms, body; no thesaurus, never rejects), the reference the issue named.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.article import Article  # noqa: E402
from knowledge.evaluate import KindFigures, LabelledQuery, evaluate_queries, load_queries  # noqa: E402
from knowledge.features import lexical_only  # noqa: E402
from knowledge.index import Bm25Index  # noqa: E402
from knowledge.loader import load_articles, shipped_articles_dir  # noqa: E402
from knowledge.matcher import Matcher  # noqa: E402

DEV = REPO.parent / "shared" / "kb-eval"
SETS_DIR = REPO / "benchmarks" / "kb_sets"
SETS = {
    "dev": (DEV / "articles", DEV / "queries.jsonl", "tuning"),
    "shipped": (shipped_articles_dir(), DEV / "queries.jsonl", "tuning"),
    "office-b": (SETS_DIR / "office-b" / "articles", SETS_DIR / "office-b" / "queries.jsonl", "tuning"),
    "office-c": (SETS_DIR / "office-c" / "articles", SETS_DIR / "office-c" / "queries.jsonl", "tuning"),
    "office-d": (SETS_DIR / "office-d" / "articles", SETS_DIR / "office-d" / "queries.jsonl", "tuning"),
    "office-e": (SETS_DIR / "office-e" / "articles", SETS_DIR / "office-e" / "queries.jsonl", "untouched"),
    "office-f": (SETS_DIR / "office-f" / "articles", SETS_DIR / "office-f" / "queries.jsonl", "untouched"),
    "office-g": (SETS_DIR / "office-g" / "articles", SETS_DIR / "office-g" / "queries.jsonl", "untouched"),
    "office-h": (SETS_DIR / "office-h" / "articles", SETS_DIR / "office-h" / "queries.jsonl", "tuning (pass 4)"),
    "office-i": (SETS_DIR / "office-i" / "articles", SETS_DIR / "office-i" / "queries.jsonl", "untouched"),
    "office-j": (SETS_DIR / "office-j" / "articles", SETS_DIR / "office-j" / "queries.jsonl", "untouched, new"),
    "office-k": (SETS_DIR / "office-k" / "articles", SETS_DIR / "office-k" / "queries.jsonl", "untouched, new"),
}

_BASELINE = """
import json, sys
from pathlib import Path
from knowledge.evaluate import evaluate
from knowledge.loader import load_articles
from knowledge.matcher import Matcher
out = {}
for name, folder, queries in json.loads(sys.argv[1]):
    plain = Path(name + ".jsonl")  # an older revision knows only "q" and "expect"
    rows = [json.loads(line) for line in Path(queries).read_text(encoding="utf-8").splitlines() if line.strip()]
    plain.write_text("".join(json.dumps({"q": r["q"], "expect": r.get("expect")}) + chr(10) for r in rows))
    r = evaluate(plain, Matcher(load_articles(Path(folder)).articles))
    out[name] = [r.hit1, r.hit3, r.rejection]
print(json.dumps(out))
"""


def plain_bm25(articles: list[Article], queries: list[LabelledQuery]) -> tuple[float, float]:
    """hit@1 and hit@3 of BM25 over words and bigrams with no thesaurus and no rejection."""
    by_id: dict[str, Counter[str]] = {}
    for a in articles:
        words, bigrams = lexical_only(" ".join((a.title, *a.symptoms, a.body)))
        by_id.setdefault(a.id, Counter()).update(words + bigrams)
    order = sorted(by_id)
    index = Bm25Index([{f: float(n) for f, n in by_id[i].items()} for i in order])
    hit1 = hit3 = n = 0
    for q in queries:
        if q.expect is None:
            continue
        words, bigrams = lexical_only(q.q)
        scores = index.scores({f: 1.0 for f in words + bigrams})
        got = [order[i] for i in index.top(scores, 3)]
        n += 1
        hit1 += got[:1] == [q.expect]
        hit3 += q.expect in got
    return hit1 / n, hit3 / n


def baseline(rev: str, sets: dict[str, tuple[Path, Path, str]]) -> dict[str, list[float]]:
    """The matcher of git revision `rev` on the same sets (its knowledge/ package, in a subprocess)."""
    with tempfile.TemporaryDirectory() as tmp:
        # knowledge/ reads the device vocabulary from bot/domain since 86ca256
        listed = subprocess.run(["git", "-C", str(REPO), "ls-tree", "--name-only", rev, "bot/domain",
                                 "bot/__init__.py"], check=True, capture_output=True, text=True).stdout.split()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "knowledge", *listed], check=True,
                                 capture_output=True).stdout
        with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        arg = json.dumps([[name, str(folder), str(queries)] for name, (folder, queries, _) in sets.items()])
        done = subprocess.run([sys.executable, "-c", _BASELINE, arg], cwd=tmp, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"the matcher of {rev} failed:\n{done.stderr}")
        return json.loads(done.stdout)


FAULT = "uncovered-fault"
"""The kind of out-of-scope query that is an IT fault no article of the set covers (the sets' "kind")."""


def _kinds(kinds: dict[str, KindFigures], which: Callable[[str], bool]) -> str:
    """Rejected / out of scope over the kinds chosen, as "0.917 (11/12)"; "–" for a set with no kinds."""
    chosen = [f for k, f in kinds.items() if which(k) and f.out_of_scope]
    total = sum(f.out_of_scope for f in chosen)
    if not total:
        return "–"
    rejected = sum(f.rejected for f in chosen)
    return f"{rejected / total:.3f} ({rejected}/{total})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", metavar="REV", help="also run the matcher of this git revision")
    parser.add_argument("--failures", metavar="SET", help="list the misses on this set")
    parser.add_argument("--sets", default=",".join(SETS), help="which sets (default: all)")
    args = parser.parse_args()
    wanted = args.sets.split(",")
    sets = {name: spec for name, spec in SETS.items()
            if name in wanted and spec[0].is_dir() and spec[1].is_file()}
    before = baseline(args.baseline, sets) if args.baseline else {}
    head = ("| set | used for | in / out | hit@1 | hit@3 | out-of-scope rejected | of which: not IT, requests, "
            "how-to, small talk | uncovered IT faults | out of scope answered sure |")
    rule = "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    if before:
        head += f" {args.baseline}: hit@1 / hit@3 / rejected |"
        rule += "---:|"
    head += " plain BM25: hit@1 / hit@3 |"
    rule += "---:|"
    print(head)
    print(rule)
    for name, (folder, queries_path, use) in sets.items():
        loaded = load_articles(folder)
        if loaded.skipped:  # a set that lost articles would quietly score lower
            raise SystemExit(f"{name}: {len(loaded.skipped)} files skipped, first {loaded.skipped[0]}")
        articles = loaded.articles
        queries = load_queries(queries_path)
        matcher = Matcher(articles)
        r = evaluate_queries(queries, matcher)
        sure = sum(1 for q in queries if q.expect is None and any(m.sure for m in matcher.search(q.q)))
        row = (f"| {name} | {use} | {r.in_scope} / {r.out_of_scope} | {r.hit1:.3f} | {r.hit3:.3f} | "
               f"{r.rejection:.3f} | {_kinds(r.kinds, lambda k: k != FAULT)} | {_kinds(r.kinds, FAULT.__eq__)} | "
               f"{sure / max(r.out_of_scope, 1):.3f} |")
        if before:
            row += " {:.3f} / {:.3f} / {:.3f} |".format(*before[name])
        row += " {:.3f} / {:.3f} |".format(*plain_bm25(articles, queries))
        print(row)
        if args.failures == name:
            for f in r.failures:
                print(f"    miss: expected {f.expect or '(nothing)'}, got {f.got or '[]'}: {f.query}")


if __name__ == "__main__":
    main()
