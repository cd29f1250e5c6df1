"""The inbox of fetched updates and the outbox of messages to send."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.messages import Reply, reply_from_json, reply_to_json
from storage.ports import Housekeeping, Inbox, Outbox, Pending
from storage.sqlite.codec import ts
from storage.sqlite.port import SqlPort


class SqliteInbox(SqlPort, Inbox):
    async def add(self, updates: Sequence[tuple[int, str]], at: datetime) -> list[int]:
        added = []
        for update_id, payload in updates:
            if await self._run("INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
                               (update_id, payload, ts(at))) == 1:
                added.append(update_id)
        return added

    async def done(self, update_ids: Sequence[int]) -> None:
        for start in range(0, len(update_ids), 500):
            chunk = update_ids[start:start + 500]
            await self._run(f"DELETE FROM inbox WHERE update_id IN ({', '.join('?' * len(chunk))})", chunk)

    async def pending(self) -> list[tuple[int, str]]:
        rows = await self._all("SELECT update_id, payload FROM inbox ORDER BY update_id")
        return [(r["update_id"], r["payload"]) for r in rows]

    async def quarantine(self, update_id: int, payload: str, error: str, at: datetime) -> None:
        await self._run("DELETE FROM inbox WHERE update_id = ?", (update_id,))
        await self._run(
            "INSERT OR IGNORE INTO quarantined_updates (update_id, payload, error, received_at) VALUES (?, ?, ?, ?)",
            (update_id, payload, error[:500], ts(at)),
        )


class SqliteOutbox(SqlPort, Outbox):
    """One per unit of work: it remembers which chats the unit of work wrote to."""

    def __init__(self, db) -> None:  # type: ignore[no-untyped-def]
        super().__init__(db)
        self.enqueued_chats = {}

    async def enqueue(self, reply: Reply, at: datetime) -> None:
        self.enqueued_chats[reply.chat_id] = None
        await self._run(
            "INSERT INTO outbox (chat_id, payload, created_at, not_before, ticket) VALUES (?, ?, ?, ?, ?)",
            (reply.chat_id, json.dumps(reply_to_json(reply), ensure_ascii=False), ts(at), ts(at), reply.ticket),
        )

    async def pending(self, chat_id: int, now: datetime, limit: int = 50) -> list[Pending]:
        rows = await self._all(
            """SELECT id, payload, attempts, not_before, parts_sent FROM outbox
               WHERE chat_id = ? AND sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?""",
            (chat_id, limit),
        )
        due = []
        for r in rows:
            if r["not_before"] > ts(now):
                break  # a message waiting for its retry holds back the later ones: order is kept
            due.append(Pending(r["id"], reply_from_json(json.loads(r["payload"])), r["attempts"], r["parts_sent"]))
        return due

    async def chats(self, now: datetime, limit: int = 500) -> list[int]:
        rows = await self._all(
            """SELECT chat_id, MIN(id) AS first FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
               AND not_before <= ? GROUP BY chat_id ORDER BY first LIMIT ?""",
            (ts(now), limit),
        )
        return [r["chat_id"] for r in rows]

    async def sent(self, item_ids: Sequence[int], at: datetime, message_id: int | None = None) -> None:
        marks = ", ".join("?" * len(item_ids))
        await self._run(f"UPDATE outbox SET sent_at = ?, attempts = attempts + 1, message_id = COALESCE(?, message_id) "
                        f"WHERE id IN ({marks})", (ts(at), message_id, *item_ids))

    async def live_cards(self, ticket: str) -> list[tuple[int, int]]:
        rows = await self._all(
            """SELECT chat_id, message_id FROM outbox WHERE ticket = ? AND message_id IS NOT NULL
               AND json_array_length(json_extract(payload, '$.buttons')) > 0 ORDER BY id""", (ticket,))
        return [(r["chat_id"], r["message_id"]) for r in rows]

    async def forget_card(self, chat_id: int, message_id: int) -> None:
        await self._run("UPDATE outbox SET message_id = NULL WHERE chat_id = ? AND message_id = ?",
                        (chat_id, message_id))

    async def retry(self, item_id: int, at: datetime, retry_at: datetime, error: str) -> None:
        await self._run(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ? WHERE id = ?",
            (ts(retry_at), error[:500], item_id),
        )

    async def failed(self, item_id: int, at: datetime, error: str) -> None:
        await self._run(
            "UPDATE outbox SET attempts = attempts + 1, failed_at = ?, last_error = ? WHERE id = ?",
            (ts(at), error[:500], item_id),
        )

    async def progress(self, item_id: int, parts_sent: int, message_id: int | None = None) -> None:
        await self._run("UPDATE outbox SET parts_sent = ?, message_id = COALESCE(?, message_id) WHERE id = ?",
                        (parts_sent, message_id, item_id))


class SqliteHousekeeping(SqlPort, Housekeeping):
    async def prune(self, before: datetime) -> dict[str, int]:
        cutoff = ts(before)
        return {
            "messages": await self._run(
                "DELETE FROM outbox WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < ?", (cutoff,)
            ),
            "update_ids": await self._run("DELETE FROM processed_updates WHERE at < ?", (cutoff,)),
            "quarantined": await self._run("DELETE FROM quarantined_updates WHERE received_at < ?", (cutoff,)),
        }
