"""A small BM25F index over weighted feature bags, scored with numpy.

Written by hand rather than pulled in as a library because the matcher needs
two things BM25 packages rarely expose: per-field weights (title and symptoms
matter more than the body) and an upper bound of the score a query could
reach, which turns BM25 into an absolute "how much of the query is covered"
signal rather than a rank-only one. Postings are numpy arrays so that one
query over 10,000 articles costs a few vectorised adds per feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

K1 = 1.2
B = 0.5


class Bm25Index:
    """Immutable BM25F index; rebuild it when the documents change."""

    def __init__(self, docs: Sequence[Mapping[str, float]]) -> None:
        self.size = len(docs)
        lengths = np.array([sum(d.values()) for d in docs], dtype=np.float64)
        avg = float(lengths.mean()) if self.size else 1.0
        norm = K1 * (1.0 - B + B * lengths / (avg or 1.0))
        grouped: dict[str, tuple[list[int], list[float]]] = {}
        for i, doc in enumerate(docs):
            for feature, tf in doc.items():
                if tf <= 0:
                    continue
                entry = grouped.setdefault(feature, ([], []))
                entry[0].append(i)
                entry[1].append(tf)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.idf: dict[str, float] = {}
        for feature, (ids, tfs) in grouped.items():
            idx = np.array(ids, dtype=np.int32)
            tf = np.array(tfs, dtype=np.float64)
            df = len(ids)
            idf = math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))
            self.idf[feature] = idf
            self._postings[feature] = (idx, (idf * tf * (K1 + 1.0) / (tf + norm[idx])))

    def __contains__(self, feature: str) -> bool:
        return feature in self._postings

    def unseen_idf(self) -> float:
        """IDF a feature would have if it occurred in one document."""
        return math.log(1.0 + (self.size - 0.5) / 1.5) if self.size else 0.0

    def scores(self, query: Mapping[str, float]) -> np.ndarray:
        """BM25F score of every document for a weighted query."""
        out = np.zeros(self.size, dtype=np.float64)
        for feature, weight in query.items():
            posting = self._postings.get(feature)
            if posting is not None:
                idx, contrib = posting
                out[idx] += weight * contrib
        return out

    def upper_bound(self, query: Mapping[str, float]) -> float:
        """The highest score a document could get: every feature at saturation.

        Unknown features count at the IDF of a feature seen once, so a query
        that is mostly words no article uses gets a low normalised score.
        """
        total = 0.0
        for feature, weight in query.items():
            idf = self.idf.get(feature, self.unseen_idf())
            total += weight * idf * (K1 + 1.0)
        return total

    def top(self, scores: np.ndarray, k: int) -> list[int]:
        """Indices of the k best positive scores, best first."""
        if self.size == 0:
            return []
        k = min(k, self.size)
        part = np.argpartition(-scores, k - 1)[:k]
        order = part[np.argsort(-scores[part], kind="stable")]
        return [int(i) for i in order if scores[i] > 0]
