"""Each ticket's forum topic in the staff group, and what the bot last asked Telegram to show of it."""

from __future__ import annotations

from bot.domain.ticket import Ticket
from bot.domain.topics import Topic
from storage.ports import Topics
from storage.sqlite.codec import ticket_from_row
from storage.sqlite.port import SqlPort


class SqliteTopics(SqlPort, Topics):
    async def get(self, ticket: str) -> Topic | None:
        row = await self._one("SELECT * FROM ticket_topics WHERE ticket = ?", (ticket,))
        return Topic(row["ticket"], row["chat_id"], row["thread_id"], row["name"], bool(row["closed"])) if row else None

    async def save(self, topic: Topic) -> None:
        await self._run(
            """INSERT INTO ticket_topics (ticket, chat_id, thread_id, name, closed) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (ticket) DO UPDATE SET chat_id = excluded.chat_id, thread_id = excluded.thread_id,
                 name = excluded.name, closed = excluded.closed""",
            (topic.ticket, topic.chat_id, topic.thread_id, topic.name, int(topic.closed)),
        )

    async def ticket_of(self, chat_id: int, thread_id: int) -> str | None:
        row = await self._one("SELECT ticket FROM ticket_topics WHERE chat_id = ? AND thread_id = ?",
                              (chat_id, thread_id))
        return str(row["ticket"]) if row else None

    async def to_follow(self, limit: int = 200) -> list[tuple[Topic, Ticket]]:
        rows = await self._all(
            """SELECT t.*, tt.ticket AS topic_ticket, tt.chat_id AS topic_chat, tt.thread_id AS topic_thread,
                      tt.name AS topic_name, tt.closed AS topic_closed
               FROM ticket_topics tt JOIN tickets t ON t.number = tt.ticket
               WHERE NOT (tt.closed = 1 AND t.status IN ('closed', 'cancelled')) ORDER BY t.id LIMIT ?""",
            (limit,),
        )
        return [(Topic(r["topic_ticket"], r["topic_chat"], r["topic_thread"], r["topic_name"], bool(r["topic_closed"])),
                 ticket_from_row(r)) for r in rows]
