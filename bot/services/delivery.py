"""When a message cannot be delivered: the ticket's log records it and the managers hear of it, once.

A permanent failure (the user blocked the bot, the chat does not exist) would otherwise leave a ticket
whose reporter or engineer silently never heard of it; the courier reports it here.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain.clock import Clock
from bot.domain.ticket import Happening, happened
from bot.messages import Reply, t
from bot.services.console import console_buttons
from bot.services.deployment import Deployment
from bot.services.notify import Notifier
from storage import Storage


class DeliveryFailures:
    def __init__(self, storage: Storage, deployment: Deployment, clock: Clock) -> None:
        self.storage = storage
        self.deployment = deployment
        self.clock = clock

    async def undeliverable(self, chat_id: int, reply: Reply, reason: str) -> list[int]:
        """Note the failure on the message's ticket and tell the managers, once per person; returns the
        chats that got a message about it (to deliver at once)."""
        now = self.clock.now()
        async with self.storage.transaction() as uow:
            if reply.ticket:
                ticket = await uow.tickets.get(reply.ticket)
                if ticket is not None:
                    ticket, event = happened(ticket, Happening.DELIVERY_FAILED, actor_id=None, at=now,
                                             chat=chat_id, reason=reason)
                    await uow.tickets.update(ticket, [event])
            if reply.ticket and await uow.notices.once(f"undeliverable:{chat_id}", now):
                user = await uow.users.get(chat_id)
                engineer = self.deployment.engineer(chat_id)
                name = engineer.name if engineer else user.name if user else None
                who = f"{name} ({chat_id})" if name else str(chat_id)
                notify = Notifier(uow.users, uow.outbox, managers=self.deployment.managers,
                                  default_language=self.deployment.default_language)
                await notify.tell_managers(t("duty.undeliverable", who=who, number=reply.ticket, reason=reason),
                                           now, except_for=chat_id, buttons=console_buttons(ticket) if ticket else ())
            return list(uow.outbox.enqueued_chats)

    async def mark_blocked(self, user_id: int) -> None:
        """A send failed because the user blocked the bot: stop writing to them."""
        async with self.storage.transaction() as uow:
            user = await uow.users.get(user_id)
            if user is not None and not user.blocked:
                await uow.users.save(replace(user, blocked=True), self.clock.now())
