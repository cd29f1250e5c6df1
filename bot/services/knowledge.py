"""The knowledge base as the bot uses it: shipped articles and those saved from chat, indexed together.

Articles saved from chat (or imported) live in the database and win over a shipped file with the same
id and language, so an engineer can correct a shipped article without touching the repository. A
saved article is indexed at once.

Every verdict ("This fixed it", "Didn't help", an engineer's "Fixed with") is kept here too, and what
they add up to (`knowledge.evidence`) is handed to the matcher as soon as its transaction commits: a
phrasing several people found an article with becomes one of its symptoms, one they said it did not
help with no longer suggests it. Engineers review and remove that evidence with `/kb learned`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

from knowledge.article import Article
from knowledge.cache import ProfileCache
from knowledge.evidence import Evidence, Outcome, collect
from knowledge.loader import Problem, load_articles, shipped_articles_dir
from knowledge.matcher import Match, Matcher
from storage import Storage, UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shown:
    """An article in the language it is shown in; `other_language` when the reader's is missing."""

    article: Article
    other_language: bool


class KnowledgeBase:
    def __init__(self, shipped: list[Article], stored: list[Article], outcomes: list[Outcome] | None = None,
                 removed: set[tuple[str, str]] | None = None, cache: ProfileCache | None = None) -> None:
        self._versions: dict[tuple[str, str], Article] = {(a.id, a.lang): a for a in shipped}
        self._versions.update({(a.id, a.lang): a for a in stored})
        self.matcher = Matcher(self._versions.values(), cache=cache)
        self._outcomes: list[Outcome] = list(outcomes or ())
        self._removed: set[tuple[str, str]] = set(removed or ())
        self._learn({o.article_id for o in self._outcomes})
        if cache is not None:
            cache.save()  # what this start built is read back at the next one

    @classmethod
    async def load(cls, storage: Storage, shipped_dir: Path | None = None,
                   cache_path: Path | None = None) -> tuple[KnowledgeBase, list[Problem]]:
        """Read the shipped folder and the stored articles; bad files are skipped and reported.

        ``cache_path``: where the built profiles are kept between starts (knowledge.cache), so a
        large knowledge base starts in a fraction of its build time."""
        return await cls.read(storage.transaction, shipped_dir, cache_path)

    @classmethod
    async def read(cls, reads: Callable[[], AbstractAsyncContextManager[UnitOfWork]],
                   shipped_dir: Path | None = None,
                   cache_path: Path | None = None) -> tuple[KnowledgeBase, list[Problem]]:
        """As :meth:`load`, the stored part read in `reads()`: the bot's transaction, or a command's
        read-only snapshot (`helpdesk kb export` must not take the running bot's write lock)."""
        report = load_articles(shipped_dir or shipped_articles_dir())
        for problem in report.problems:
            log.warning("knowledge base: %s %s: %s", problem.verb, problem.path, problem.reason)
        async with reads() as tx:
            stored = await tx.kb.articles()
            outcomes = await tx.kb.outcomes()
            removed = await tx.kb.removed_evidence()
        cache = ProfileCache(cache_path) if cache_path is not None else None
        kb = cls(report.articles, stored, outcomes, removed, cache)
        if cache is not None:
            log.info("knowledge base: %d article profiles read from %s, %d built", cache.hits, cache_path,
                     cache.misses)
        return kb, report.problems

    def __len__(self) -> int:
        return len({article_id for article_id, _ in self._versions})

    def suggest(self, text: str, lang: str, top: int = 3) -> list[Match]:
        return self.matcher.search(text, top=top, lang=lang)

    def show(self, article_id: str, lang: str) -> Shown | None:
        """The article in `lang`, or in another language (said so) if it has no `lang` version."""
        if (article_id, lang) in self._versions:
            return Shown(self._versions[article_id, lang], other_language=False)
        for (candidate, _), article in sorted(self._versions.items()):
            if candidate == article_id:
                return Shown(article, other_language=True)
        return None

    def get(self, article_id: str, lang: str) -> Article | None:
        return self._versions.get((article_id, lang))

    def put(self, article: Article) -> None:
        """Index a new or edited article at once."""
        self._versions[article.id, article.lang] = article
        self.matcher.add(article)

    # ------------------------------------------------------------------ learning from outcomes
    def evidence(self) -> list[Evidence]:
        """Every phrasing group still in force (removed ones are left out), oldest first."""
        return collect(self._outcomes, self._removed)

    def note(self, outcome: Outcome) -> None:
        """A verdict was committed: learn from it at once."""
        self._outcomes.append(outcome)
        self._learn({outcome.article_id})

    def forget(self, article_id: str, key: str) -> None:
        """An engineer's removal was committed: the group no longer counts."""
        self._removed.add((article_id, key))
        self._learn({article_id})

    def _learn(self, article_ids: set[str]) -> None:
        mine = (o for o in self._outcomes if o.article_id in article_ids)
        self.matcher.apply_evidence(collect(mine, self._removed), article_ids)

    def articles(self) -> list[Article]:
        return sorted(self._versions.values(), key=lambda a: (a.id, a.lang))
