"""Whether a message asks for something rather than reporting what is wrong.

"Can I get a second monitor?", "could you install Photoshop for me", "is it ok to install Spotify"
are service requests: they go to the request queue, and an article about a monitor that flickers
is no answer to them. English says it in stop words that the word features drop ("can I get a"),
so the question is read off the raw text here. A request that also names a fault ("can I get help,
the printer is jammed") stays in scope: the decision only rejects a request that names no fault
(`knowledge.signals.off_topic`).
"""

from __future__ import annotations

import re
import unicodedata

ASK_FOR = "ask_for"
"""The thesaurus concept (kind ``oos``) a request is marked with."""

_EN = re.compile(
    r"\b(?:"
    r"(?:can|could|may)\s+(?:i|we)\s+(?:please\s+)?(?:have|borrow|order|take|bring)\b"
    r"|(?:can|could|may)\s+(?:i|we)\s+(?:please\s+)?get\b(?!\s+(?:help|(?:\S+\s+){0,4}back\b))"
    r"|(?:can|could|would)\s+you\s+(?:please\s+)?(?:install|give|get|order|send|set\s+me\s+up|lend)\b"
    r"|please\s+install\b"
    r"|i(?:'d|\s+would)\s+like\s+(?:a|an|another|to\s+(?:get|have|order|borrow))\b"
    r"|(?<!do )i\s+(?:need|want)\s+(?:a|an)\s+(?:new|second|extra|another|spare)\b"
    r"|(?<!do )i\s+need\s+another\b"
    r"|is\s+it\s+(?:ok|okay|alright|allowed|possible)\s+to\s+(?:install|use|take|bring|borrow|have)\b"
    r"|(?:am\s+i|are\s+we)\s+allowed\s+to\b"
    r")"
)


def asks_for(text: str) -> bool:
    """True when the text asks to be given, lent, installed or allowed something (English; the
    Chinese forms are thesaurus terms of the same concept)."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return _EN.search(folded) is not None
