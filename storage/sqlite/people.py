"""The people who talk to the bot, the reports they are filling in, and the updates already handled."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.intake import Draft
from bot.domain.people import User
from storage.ports import Drafts, UpdateLog, Users
from storage.sqlite.codec import draft_from_json, draft_to_json, ts, user_from_row
from storage.sqlite.port import SqlPort


class SqliteUpdateLog(SqlPort, UpdateLog):
    async def claim(self, update_id: int, at: datetime) -> bool:
        changed = await self._run(
            "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)", (update_id, ts(at))
        )
        return changed == 1

    async def highest(self) -> int:
        row = await self._one(
            """SELECT MAX(id) AS id FROM (SELECT MAX(update_id) AS id FROM processed_updates
                                          UNION ALL SELECT MAX(update_id) FROM inbox
                                          UNION ALL SELECT MAX(update_id) FROM quarantined_updates)"""
        )
        return int(row["id"]) if row is not None and row["id"] is not None else 0


class SqliteUsers(SqlPort, Users):
    async def get(self, user_id: int) -> User | None:
        row = await self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return user_from_row(row) if row is not None else None

    async def save(self, user: User, at: datetime) -> None:
        await self._run(
            """INSERT INTO users (id, name, username, language, role, blocked, last_site, last_room,
                                  last_phone, awaiting, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET name = excluded.name, username = excluded.username,
                 language = excluded.language, role = excluded.role, blocked = excluded.blocked,
                 last_site = excluded.last_site, last_room = excluded.last_room,
                 last_phone = excluded.last_phone, awaiting = excluded.awaiting,
                 updated_at = excluded.updated_at""",
            (user.id, user.name, user.username, user.language, user.role, int(user.blocked),
             user.last_site, user.last_room, user.last_phone,
             json.dumps(user.awaiting) if user.awaiting else None, ts(at), ts(at)),
        )


class SqliteDrafts(SqlPort, Drafts):
    async def get(self, reporter_id: int) -> Draft | None:
        row = await self._one("SELECT data FROM drafts WHERE reporter_id = ?", (reporter_id,))
        return draft_from_json(row["data"]) if row else None

    async def save(self, draft: Draft, at: datetime) -> None:
        await self._run(
            """INSERT INTO drafts (reporter_id, data, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (reporter_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at""",
            (draft.reporter_id, draft_to_json(draft), ts(at)),
        )

    async def delete(self, reporter_id: int) -> None:
        await self._run("DELETE FROM drafts WHERE reporter_id = ?", (reporter_id,))
