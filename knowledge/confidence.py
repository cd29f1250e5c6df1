"""Whether the best articles answer a query at all, and how sure the matcher may say so.

Two decisions, from the signals of `knowledge.signals`:

* **No suggestion** when the best candidate covers almost none of the query's known words
  (`MIN_COVER`); when a terse query names a fault the best candidate does not have (`TERSE`: "VPN
  连不上" where no article is about the VPN); when
  the query is about an out-of-scope topic no article covers (pay, leave, lunch, the air
  conditioning) or is only thanks or a greeting, and the candidate shares no fault and device with
  it; or when it asks for something ("can I get a second monitor?", knowledge.intent) that the
  candidate is neither a fault of nor the task of. A phrasing people found an article with is always in scope. Nothing
  else rejects: a wrong but plausible guess costs the reporter one look, a good answer thrown away
  costs a ticket.
* **How sure**: a logistic model over the signals gives each suggestion the probability that it is
  the article meant. At or above `SURE` it is offered as a fix; below, the same articles are offered
  as "did you mean…", which is also how a one-word query (`vpn`, `打印机`) is answered when several
  articles are about its subject.

The numbers are not hand-tuned: `benchmarks/kb_calibrate.py` fits them on the tuning sets (the
development set, the shipped articles, `benchmarks/kb_sets/office-b`, office-c and office-d), with
leave-one-article-out queries (a query whose article was removed must find nothing) as the hard
negatives, and prints what it fitted; the untouched sets (office-e, -f, -g, -i, -j and -k) and the
project's held-out set judge the result (docs/benchmarks.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from knowledge.signals import Signals

#: Logistic weights over the signals, and the bias (benchmarks/kb_calibrate.py).
WEIGHTS = {"cover": 2.0, "margin": 6.03, "reach": 1.46, "missing": -1.15, "shared_fault": 0.44}
BIAS = -3.17
#: Below this cover the best candidate is no answer (benchmarks/kb_calibrate.py).
MIN_COVER = 0.13
#: A query of at most this many word and bigram features that names a fault the best candidate does
#: not have gets no answer (benchmarks/kb_calibrate.py).
TERSE = 4
#: A further suggestion is kept while its cover is at least this share of the best one's.
RUNNER_UP = 0.3
#: Beside a sure first suggestion, another is offered only if it is sure too, or answers another
#: part of the query and covers it at least half as well ("paper jam, and now it shows offline":
#: both; "蓝屏": not the projector whose "no signal" screen is blue as well).
CLOSE = 0.5
#: Confidence from which a suggestion is offered as a fix rather than as "did you mean".
SURE = 0.7


def confidence(s: Signals) -> float:
    """The probability that this candidate is the article the query means."""
    z = BIAS + sum(weight * float(getattr(s, name)) for name, weight in WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-z))


def decide(candidates: Sequence[Signals], top: int) -> list[tuple[Signals, float]]:
    """The suggestions for a query, best first, each with its confidence; [] for "no good match".

    `candidates` come best first (by cover)."""
    if not candidates or candidates[0].cover < MIN_COVER:
        return []
    # The best one passed the floor; the others are kept while they are not far behind it.
    kept = [c for c in candidates if c.cover >= RUNNER_UP * candidates[0].cover]
    best = kept[0]
    if best.fault_unmet and best.words <= TERSE and not best.vouched:
        return []
    if best.off_topic:
        kept = [c for c in kept if c.anchored or c.vouched]
    elif best.request:
        kept = [c for c in kept if c.anchored or c.vouched or c.serves]
    if not kept:
        return []
    scored = [(c, confidence(c)) for c in kept[:top]]
    if scored and scored[0][1] >= SURE:  # a sure answer comes alone, or with others as good
        first = scored[0][0]
        scored = scored[:1] + [(c, p) for c, p in scored[1:] if p >= SURE or (
            c.adds and c.cover >= CLOSE * first.cover)]
    shown, ceiling = [], 1.0
    for c, p in scored:  # none is shown as likelier than one listed before it
        ceiling = min(ceiling, p)
        shown.append((c, ceiling))
    return shown
