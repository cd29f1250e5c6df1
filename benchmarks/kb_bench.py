"""Knowledge-base matcher benchmark: latency, index build time and memory.

Run:  .venv/bin/python benchmarks/kb_bench.py [--sizes 300,10000] [--queries 400]

The knowledge bases are synthetic, grown from the shipped articles (and the
development set in ../shared/kb-eval when present): each synthetic article
takes a real article's text and varies it - a subset of its symptoms with
different openings and endings, a symptom borrowed from another article of
the same device, brand and model names, reordered steps - so the index sees
a realistic vocabulary rather than 10,000 copies of one text.

Queries are the development queries plus varied symptom lines with typos.
As a floor, the same queries run through a bare ``rapidfuzz.process.extract``
over the article titles: the cheapest thing that could possibly be called
matching. Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rapidfuzz import fuzz, process  # noqa: E402

from knowledge.article import Article  # noqa: E402
from knowledge.cache import ProfileCache  # noqa: E402
from knowledge.loader import load_articles, shipped_articles_dir  # noqa: E402
from knowledge.matcher import Matcher  # noqa: E402
from knowledge.thesaurus import default_thesaurus  # noqa: E402

DEV_SET = REPO.parent / "shared" / "kb-eval"

BRANDS = ["HP", "Canon", "Ricoh", "Brother", "Kyocera", "Dell", "Lenovo", "Epson", "Xerox"]
EN_OPENINGS = ["", "On the {floor}F ", "Our {brand} {model}: ", "Since this morning ", "Again: "]
EN_ENDINGS = ["", " again", " every time", " after the update", " in room {room}", " since Monday"]
ZH_OPENINGS = ["", "{floor}楼的", "我们的{brand} {model}", "从早上开始", "又是"]
ZH_ENDINGS = ["", "，又来了", "，每次都这样", "，更新之后就这样", "，{room}会议室", "，周一开始的"]


def base_articles() -> list[Article]:
    """The real articles the synthetic ones are grown from."""
    seen: set[tuple[str, str]] = set()
    out: list[Article] = []
    for folder in (shipped_articles_dir(), DEV_SET / "articles"):
        if folder.is_dir():
            for a in load_articles(folder).articles:
                if (a.id, a.lang) not in seen:
                    seen.add((a.id, a.lang))
                    out.append(a)
    if not out:
        raise SystemExit("no articles found to grow a benchmark knowledge base from")
    return out


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        floor=rng.randint(1, 30),
        brand=rng.choice(BRANDS),
        model=f"{rng.choice('MCEPX')}{rng.randint(100, 9999)}",
        room=f"{rng.randint(1, 9)}{rng.choice('ABCD')}",
    )


def vary(text: str, lang: str, rng: random.Random) -> str:
    """A symptom line with a different opening and ending."""
    openings, endings = (ZH_OPENINGS, ZH_ENDINGS) if lang == "zh" else (EN_OPENINGS, EN_ENDINGS)
    return _fill(rng.choice(openings), rng) + text + _fill(rng.choice(endings), rng)


def synthesize(base: list[Article], n: int, seed: int = 7) -> list[Article]:
    """n synthetic articles with unique ids grown from the base articles."""
    rng = random.Random(seed)
    by_device: dict[tuple[str, str], list[Article]] = {}
    for a in base:
        by_device.setdefault((a.device, a.lang), []).append(a)
    out: list[Article] = []
    for i in range(n):
        b = base[i % len(base)]
        k = min(len(b.symptoms), rng.randint(3, 6))
        symptoms = [vary(s, b.lang, rng) for s in rng.sample(b.symptoms, k)]
        donor = rng.choice(by_device[(b.device, b.lang)])
        symptoms.append(vary(rng.choice(donor.symptoms), b.lang, rng))
        steps = b.body.splitlines()
        head, rest = steps[:1], steps[1:]
        rng.shuffle(rest)
        title = f"{b.title} ({_fill('{brand} {model}', rng)})"
        out.append(
            Article(
                f"{b.id}-{i:05d}", b.lang, title, b.device, tuple(symptoms), "\n".join(head + rest), f"synthetic:{i}"
            )
        )
    return out


def typo(text: str, rng: random.Random) -> str:
    """Swap two neighbouring letters in one longer English word, if there is one."""
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    w = words[i]
    j = rng.randint(1, len(w) - 3)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def make_queries(base: list[Article], count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    queries: list[str] = []
    dev = DEV_SET / "queries.jsonl"
    if dev.is_file():
        for line in dev.read_text(encoding="utf-8").splitlines():
            if line.strip():
                queries.append(json.loads(line)["q"])
    while len(queries) < count:
        a = rng.choice(base)
        queries.append(typo(vary(rng.choice(a.symptoms), a.lang, rng), rng))
    queries.append("x" * 10_000)  # the pathological paste
    return queries[: count + 1]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50 * 1000.0, p95 * 1000.0


def time_queries(search: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    for q in queries[:20]:  # warm caches (typo lookups, pinyin table)
        search(q)
    samples = []
    for q in queries:
        start = time.perf_counter()
        search(q)
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def build(articles: list[Article]) -> tuple[Matcher, float]:
    """Matcher construction plus the lazy index build, as the bot pays it."""
    gc.collect()
    start = time.perf_counter()
    matcher = Matcher(articles)
    matcher.search("warm up the index")
    return matcher, time.perf_counter() - start


def cached_start(articles: list[Article]) -> tuple[float, float, float]:
    """(first start, building and writing the index cache; a restart that reads it back, with the
    first search; the cache file's MiB), as the bot pays them (knowledge.cache)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "helpdesk.db.kb-index"
        gc.collect()
        start = time.perf_counter()
        cache = ProfileCache(path)
        Matcher(articles, cache=cache).search("warm up the index")
        cache.save()
        first = time.perf_counter() - start
        del cache
        gc.collect()
        start = time.perf_counter()
        again = ProfileCache(path)
        Matcher(articles, cache=again).search("warm up the index")
        restart = time.perf_counter() - start
        assert again.misses == 0
        return first, restart, path.stat().st_size / 2**20


def memory_mb(articles: list[Article]) -> tuple[float, float]:
    """(retained, peak) Python allocation of building the matcher, per tracemalloc."""
    gc.collect()
    tracemalloc.start()
    matcher, _ = build(articles)
    gc.collect()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del matcher
    return retained / 2**20, peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,10000", help="comma-separated KB sizes")
    parser.add_argument("--queries", type=int, default=400, help="queries per size")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]

    start = time.perf_counter()
    default_thesaurus()
    thesaurus_s = time.perf_counter() - start
    base = base_articles()
    queries = make_queries(base, args.queries)

    rows = []
    for size in sizes:
        articles = synthesize(base, size)
        matcher, build_s = build(articles)
        p50, p95 = time_queries(matcher.search, queries)
        titles = [a.title for a in articles]

        def floor(q: str, titles: list[str] = titles) -> object:
            return process.extract(q, titles, scorer=fuzz.WRatio, limit=3)

        f50, f95 = time_queries(floor, queries)
        del matcher
        retained, peak = memory_mb(articles)
        first_s, restart_s, cache_mb = cached_start(articles)
        rows.append((size, build_s, p50, p95, retained, peak, f50, f95, first_s, restart_s, cache_mb))

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Knowledge-base matcher, {len(queries)} queries per size (one of 10,000 chars), "
        f"Python {platform.python_version()} on {platform.machine()}; thesaurus load "
        f"{thesaurus_s * 1000:.0f} ms.\n"
    )
    print("| articles | index build | p50 | p95 | memory kept / peak | floor p50 | floor p95 "
          "| first start, writing the cache | restart, reading it | cache file |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, build_s, p50, p95, retained, peak, f50, f95, first_s, restart_s, cache_mb in rows:
        print(
            f"| {size:,} | {build_s:.2f} s | {p50:.2f} ms | {p95:.2f} ms "
            f"| {retained:.0f} / {peak:.0f} MiB | {f50:.2f} ms | {f95:.2f} ms "
            f"| {first_s:.2f} s | {restart_s:.2f} s | {cache_mb:.0f} MiB |"
        )
    print(
        f"\nMemory: Python allocations held by the matcher after the build / peak during "
        f"it (tracemalloc). Process max RSS over the whole run: {rss_mb:.0f} MiB. "
        "Floor = bare `rapidfuzz.process.extract` (WRatio, top 3) over the same "
        "articles' titles, no index."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
