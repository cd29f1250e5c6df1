"""Knowledge-base articles written or edited from chat, and what reporters said of them."""

from __future__ import annotations

import json
from datetime import datetime

from knowledge.article import Article
from knowledge.evidence import Outcome
from storage.ports import KnowledgeStore
from storage.sqlite.codec import ts
from storage.sqlite.port import SqlPort


class SqliteKnowledgeStore(SqlPort, KnowledgeStore):
    async def articles(self) -> list[Article]:
        rows = await self._all("SELECT rowid, * FROM kb_articles ORDER BY id, lang")
        return [
            Article(id=r["id"], lang=r["lang"], title=r["title"], device=r["device"],
                    symptoms=tuple(json.loads(r["symptoms"])), body=r["body"], source=f"db:{r['rowid']}")
            for r in rows
        ]

    async def save(self, article: Article, by: int | None, at: datetime) -> None:
        await self._run(
            """INSERT INTO kb_articles (id, lang, title, device, symptoms, body, created_by, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (id, lang) DO UPDATE SET title = excluded.title, device = excluded.device,
                 symptoms = excluded.symptoms, body = excluded.body, updated_at = excluded.updated_at""",
            (article.id, article.lang, article.title, article.device,
             json.dumps(list(article.symptoms), ensure_ascii=False), article.body, by, ts(at), ts(at)),
        )

    async def record_outcome(self, reporter_id: int, article_id: str, helped: bool, query: str,
                             at: datetime, *, ticket_number: str | None = None) -> bool:
        return bool(await self._run(
            """INSERT OR IGNORE INTO kb_outcomes (reporter_id, article_id, helped, query, at, by_engineer,
                                                  ticket_number) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (reporter_id, article_id, int(helped), query, ts(at), int(ticket_number is not None), ticket_number),
        ))

    async def outcomes(self) -> list[Outcome]:
        rows = await self._all(
            "SELECT reporter_id, article_id, helped, query, by_engineer FROM kb_outcomes ORDER BY id")
        return [Outcome(r["article_id"], r["query"], bool(r["helped"]), r["reporter_id"], bool(r["by_engineer"]))
                for r in rows]

    async def removed_evidence(self) -> set[tuple[str, str]]:
        rows = await self._all("SELECT article_id, query_key FROM kb_evidence_removed")
        return {(r["article_id"], r["query_key"]) for r in rows}

    async def remove_evidence(self, article_id: str, key: str, by: int, at: datetime) -> None:
        await self._run(
            """INSERT OR IGNORE INTO kb_evidence_removed (article_id, query_key, removed_by, removed_at)
               VALUES (?, ?, ?, ?)""",
            (article_id, key, by, ts(at)),
        )
