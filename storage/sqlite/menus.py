"""The chats given a command menu of their own, remembered so it can be taken away again."""

from __future__ import annotations

from datetime import datetime

from storage.ports import CommandMenus
from storage.sqlite.codec import ts
from storage.sqlite.port import SqlPort


class SqliteCommandMenus(SqlPort, CommandMenus):
    async def chats(self) -> dict[int, str]:
        return {row["chat_id"]: row["role"] for row in await self._all("SELECT chat_id, role FROM menu_chats")}

    async def remember(self, chat_id: int, role: str, at: datetime) -> None:
        await self._run(
            """INSERT INTO menu_chats (chat_id, role, published_at) VALUES (?, ?, ?)
               ON CONFLICT (chat_id) DO UPDATE SET role = excluded.role, published_at = excluded.published_at""",
            (chat_id, role, ts(at)))

    async def forget(self, chat_id: int) -> None:
        await self._run("DELETE FROM menu_chats WHERE chat_id = ?", (chat_id,))
