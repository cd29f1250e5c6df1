"""Telling people: every message goes into the outbox of the unit of work that caused it.

A message written with the change that causes it is delivered after the commit (by the courier) or
not at all if the change rolls back; each person reads it in their own language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.messages import Button, Reply, Text, verbatim
from storage.ports import Outbox, Users

Buttons = tuple[tuple[Button, ...], ...]


class Notifier:
    def __init__(self, users: Users, outbox: Outbox, *, managers: Sequence[int], default_language: str) -> None:
        self.users = users
        self.outbox = outbox
        self.managers = tuple(managers)
        self.default_language = default_language

    async def language_of(self, user_id: int) -> str:
        user = await self.users.get(user_id)
        return user.language if user else self.default_language

    async def send(self, reply: Reply, now: datetime) -> None:
        """A reply already in its reader's language (a card, a report)."""
        await self.outbox.enqueue(reply, now)

    async def tell(self, user_id: int, text: Text, now: datetime, *, buttons: Buttons = (),
                   ticket: str | None = None) -> None:
        await self.outbox.enqueue(Reply(user_id, text, await self.language_of(user_id), buttons=buttons,
                                        ticket=ticket), now)

    async def tell_managers(self, text: Text, now: datetime, *, buttons: Buttons = (),
                            except_for: int | None = None) -> None:
        for manager in self.managers:
            if manager != except_for:
                await self.tell(manager, text, now, buttons=buttons)

    async def retire_cards(self, ticket: str, now: datetime, *, chats: Sequence[int] | None = None) -> None:
        """The buttons of the messages about `ticket` die (in `chats`, or everywhere): pressing them could
        only be refused now, so they are taken away, and the message stays as it was."""
        for chat, message_id in await self.outbox.live_cards(ticket):
            if chats is None or chat in chats:
                await self.outbox.enqueue(Reply(chat, verbatim(""), self.default_language, edits=message_id), now)
                await self.outbox.forget_card(chat, message_id)

    async def tell_reporter(self, reporter_id: int, number: str, text: Text, now: datetime, *,
                            buttons: Buttons = ()) -> None:
        """About their ticket: a delivery that fails for good is recorded on the ticket."""
        await self.tell(reporter_id, text, now, buttons=buttons, ticket=number)
