"""Sites (buildings, floors, branches) as people type them, compared in one form.

A site is typed by hand in four places: the reporter's free-text answer at intake, a contract tier's
list and an engineer's preferred sites in ``helpdesk.toml``, and a report's ``--site`` filter. A
Chinese IME types "ＨＱ－１２Ｆ" in full width where the configuration says "HQ-12F"; if the SLA tier, the
engineer match and the report filter each folded names their own way, one ticket could be VIP at
intake, off-site for the dispatcher and missing from the site's report. So there is one key.
"""

from __future__ import annotations

import unicodedata


def site_key(site: str | None) -> str:
    """The form two site names are compared in: NFKC-normalised, case-folded, whitespace removed.

    NFKC folds full-width letters, digits and the full-width hyphen-minus (U+FF0D) to ASCII, so
    "ＨＱ－１２Ｆ", "hq-12f" and "HQ - 12F" are one site; "HQ 12F" and "hq12f" are another. Punctuation
    is kept as typed: "HQ-12F" and "HQ12F" are different names (other dashes such as U+2010 or
    U+2014 are not folded by NFKC either). None and "" give "" (no site).
    """
    return "".join(unicodedata.normalize("NFKC", site or "").casefold().split())
