"""A small BM25F index over weighted feature bags, scored with numpy.

Written by hand rather than pulled in as a library because the matcher needs
two things BM25 packages rarely expose: per-field weights (title and symptoms
matter more than the body) and an upper bound of the score a query could
reach, which turns BM25 into an absolute "how much of the query is covered"
signal rather than a rank-only one.

Postings are stored CSR-style (one array of documents and one of
precomputed contributions, sliced per feature) so a build over 10,000
articles is a few vectorised numpy passes and a query costs one slice-add
per feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import chain

import numpy as np

K1 = 1.2
B = 0.5


class Bm25Index:
    """Immutable BM25F index; rebuild it when the documents change."""

    def __init__(self, docs: Sequence[Mapping[str, float]]) -> None:
        self.size = len(docs)
        counts = [len(doc) for doc in docs]
        total = sum(counts)
        # Feature ids in first-seen order; map/chain/fromiter keep the per-pair
        # work in C, which matters at 10,000 articles (~2 million pairs).
        vocab = {f: i for i, f in enumerate(dict.fromkeys(chain.from_iterable(docs)))}
        fid = np.fromiter(map(vocab.__getitem__, chain.from_iterable(docs)), dtype=np.int64, count=total)
        tf = np.fromiter(chain.from_iterable(doc.values() for doc in docs), dtype=np.float64, count=total)
        self._vocab = vocab
        doc_ids = np.repeat(np.arange(self.size, dtype=np.int32), counts)
        lengths = np.bincount(doc_ids, weights=tf, minlength=self.size)
        avg = float(lengths.mean()) if self.size else 1.0
        norm = K1 * (1.0 - B + B * lengths / (avg or 1.0))

        df = np.bincount(fid, minlength=len(vocab)).astype(np.float64)
        self._idf = np.log(1.0 + (self.size - df + 0.5) / (df + 0.5))
        order = np.argsort(fid, kind="stable")
        self._docs = doc_ids[order]
        tf_sorted = tf[order]
        self._contrib = self._idf[fid[order]] * tf_sorted * (K1 + 1.0) / (tf_sorted + norm[self._docs])
        self._indptr = np.concatenate(([0], np.cumsum(df.astype(np.int64))))

    def __contains__(self, feature: str) -> bool:
        return feature in self._vocab

    def idf(self, feature: str) -> float:
        """IDF of a feature; an unseen one counts as if it occurred once."""
        i = self._vocab.get(feature)
        if i is None:
            return math.log(1.0 + (self.size - 0.5) / 1.5) if self.size else 0.0
        return float(self._idf[i])

    def scores(self, query: Mapping[str, float]) -> np.ndarray:
        """BM25F score of every document for a weighted query."""
        out = np.zeros(self.size, dtype=np.float64)
        for feature, weight in query.items():
            i = self._vocab.get(feature)
            if i is not None:
                lo, hi = self._indptr[i], self._indptr[i + 1]
                out[self._docs[lo:hi]] += weight * self._contrib[lo:hi]
        return out

    def upper_bound(self, query: Mapping[str, float]) -> float:
        """The highest score a document could get: every feature at saturation.

        Unknown features count at the IDF of a feature seen once, so a query
        that is mostly words no article uses gets a low normalised score.
        """
        return sum(weight * self.idf(f) * (K1 + 1.0) for f, weight in query.items())

    def top(self, scores: np.ndarray, k: int) -> list[int]:
        """Indices of the k best positive scores, best first."""
        if self.size == 0:
            return []
        k = min(k, self.size)
        part = np.argpartition(-scores, k - 1)[:k]
        order = part[np.argsort(-scores[part], kind="stable")]
        return [int(i) for i in order if scores[i] > 0]
