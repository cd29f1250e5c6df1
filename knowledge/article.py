"""The article record shared by the loader, the matcher and the bot.

An article is immutable so that the matcher can cache derived data keyed on it
and the bot can hand the same object to several chats without defensive copies.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.devices import ARTICLE_DEVICES

#: Device categories an article may belong to: the help desk's one vocabulary, kept in
#: bot.domain.devices (plain strings, not an Enum, so that YAML front matter and database rows can
#: store them).
DEVICES: tuple[str, ...] = ARTICLE_DEVICES

#: Languages an article may be written in.
LANGS: tuple[str, ...] = ("zh", "en")


@dataclass(frozen=True)
class Article:
    """One language version of a knowledge-base article.

    Versions that share ``id`` are the same article in different languages; the
    matcher indexes them together so a query in one language finds the other.
    ``source`` records where the text came from (a file path or ``"db:<n>"``)
    so problems can be reported to whoever has to fix them.
    """

    id: str
    lang: str
    title: str
    device: str
    symptoms: tuple[str, ...]
    body: str
    source: str
