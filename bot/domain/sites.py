"""Sites (buildings, floors, branches) as people type them, compared in one form.

A site is typed by hand in four places: the reporter's free-text answer at intake, a contract tier's
list and an engineer's preferred sites in ``helpdesk.toml``, and a report's ``--site`` filter. A
Chinese IME types "ＨＱ－１２Ｆ" in full width where the configuration says "HQ-12F"; if the SLA tier, the
engineer match and the report filter each folded names their own way, one ticket could be VIP at
intake, off-site for the dispatcher and missing from the site's report. So there is one key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz


def site_key(site: str | None) -> str:
    """The form two site names are compared in: NFKC-normalised, case-folded, whitespace removed.

    NFKC folds full-width letters, digits and the full-width hyphen-minus (U+FF0D) to ASCII, so
    "ＨＱ－１２Ｆ", "hq-12f" and "HQ - 12F" are one site; "HQ 12F" and "hq12f" are another. Punctuation
    is kept as typed: "HQ-12F" and "HQ12F" are different names (other dashes such as U+2010 or
    U+2014 are not folded by NFKC either). None and "" give "" (no site).
    """
    return "".join(unicodedata.normalize("NFKC", site or "").casefold().split())


SURE = 90
"""A typed place this similar (0–100) to one configured site, with the same numbers, is that site."""
ASK = 70
"""From this similarity up, the reporter is asked whether they meant the site."""
MARGIN = 10
"""A sure match must beat the next site by this much; two sites about as close are asked about."""
MAX_CANDIDATES = 3


@dataclass(frozen=True)
class Candidate:
    site: str
    """The configured site's name, as configured."""
    room: str | None = None
    """What followed the site in the typed text ("HQ-12F 1203" → "1203"), if the site was a prefix."""


@dataclass(frozen=True)
class SiteGuess:
    """What a typed place is among the configured sites: `sure` (take it), `candidates` (ask), neither
    (keep what was typed)."""

    sure: Candidate | None = None
    candidates: tuple[Candidate, ...] = ()


def loose_key(site: str | None) -> str:
    """`site_key` without punctuation: only letters and digits, of any script. "hq 12f", "HQ12F" and
    "hq-12 f" all give "hq12f", the loose key of "HQ-12F". Used to find a site, never to compare
    stored ones (that is `site_key`)."""
    return "".join(c for c in site_key(site) if unicodedata.category(c)[0] in "LN")


def match_site(typed: str, sites: Sequence[str]) -> SiteGuess:
    """The configured site a reporter meant by `typed`, fuzzily.

    Same letters and digits (punctuation, spaces, case and width aside) is the site. Otherwise sites
    are scored by similarity (rapidfuzz's ratio of the loose keys); the best is taken without asking
    only when it is very close, has the same numbers (a floor or a building number is never guessed:
    "HQ-13F" is not "HQ-3F", however similar it looks) and no other site comes near. Middling scores,
    several close sites, a site followed by more text ("HQ-12F 1203") or a word of a site ("north")
    are asked about; nothing close keeps what was typed.
    """
    key = loose_key(typed)
    if not key:
        return SiteGuess()
    keyed = [(site, loose_key(site)) for site in sites if loose_key(site)]
    exact = [site for site, site_loose in keyed if site_loose == key]
    if len(exact) == 1:
        return SiteGuess(sure=Candidate(exact[0]))
    if exact:
        return SiteGuess(candidates=tuple(Candidate(site) for site in exact[:MAX_CANDIDATES]))
    scored: list[tuple[float, Candidate]] = []
    for site, site_loose in keyed:
        room = _after_prefix(typed, site_loose)
        if room is not None:
            scored.append((100.0, Candidate(site, room)))
            continue
        score = fuzz.ratio(key, site_loose)
        if score < ASK and len(key) >= 3 and key in {loose_key(word) for word in _WORD.split(site)}:
            score = ASK  # a word of the site's name: "north" for "Branch-North"
        if score >= ASK:
            scored.append((score, Candidate(site)))
    scored.sort(key=lambda pair: -pair[0])
    if not scored:
        return SiteGuess()
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if (best.room is None and best_score >= SURE and best_score - runner_up >= MARGIN
            and _digits(key) == _digits(loose_key(best.site))):
        return SiteGuess(sure=best)
    return SiteGuess(candidates=tuple(candidate for _, candidate in scored[:MAX_CANDIDATES]))


_WORD = re.compile(r"[\W_]+")


def _digits(key: str) -> str:
    return "".join(c for c in key if c.isdigit())


def _after_prefix(typed: str, site_loose: str) -> str | None:
    """The rest of `typed` when its first whole words are the site ("hq 12f room 5" → "room 5")."""
    words = typed.split()
    for count in range(1, len(words)):
        head = loose_key(" ".join(words[:count]))
        if head == site_loose:
            return " ".join(words[count:])
        if len(head) >= len(site_loose):
            break
    return None
