"""Each ticket's forum topic in the staff group follows the ticket: renamed as it moves on, closed when
it is closed or cancelled, reopened when it is reopened.

Mirrored on the scheduler's tick rather than at each of the many places a ticket changes: one query
finds the topics whose name or state no longer match their ticket, and the changes go into the outbox
like any message (so a restart loses none and repeats none), the topic's new name and state recorded
in the same transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.people import User
from bot.domain.ticket import Happening, Ticket, happened
from bot.domain.topics import is_finished, topic_name
from bot.messages import Reply, TopicPost, t, verbatim
from bot.services.deployment import Deployment
from bot.services.notify import Notifier
from bot.services.reports.summary import device_label
from storage.ports import Outbox, Tickets, Topics


def name_of(ticket: Ticket, lang: str) -> str:
    """The topic's name for the ticket as it stands, its device named in the group's language."""
    return topic_name(ticket, device_label(ticket.device_type or "other", lang))


class TopicMirror:
    def __init__(self, deployment: Deployment, topics: Topics, outbox: Outbox, tickets: Tickets,
                 notify: Notifier) -> None:
        self.deployment = deployment
        self.topics = topics
        self.outbox = outbox
        self.tickets = tickets
        self.notify = notify

    # ---- what staff write in the topic, and what the reporter adds ----------------------------------
    async def from_staff(self, ticket: Ticket, by: User, now: datetime, *, text: str | None, photo: str | None,
                         to_reporter: bool) -> None:
        """A staff member's message in the ticket's topic: an internal note on the ticket, or ("> …")
        passed on to the reporter, and so on the ticket's history either way."""
        kind = Happening.STAFF_REPLY if to_reporter else Happening.STAFF_NOTE
        ticket, event = happened(ticket, kind, actor_id=by.id, at=now,
                                 **{k: v for k, v in (("text", text), ("photo", photo)) if v})
        await self.tickets.update(ticket, [event])
        if to_reporter:
            text_to = t("topic.to_reporter", number=ticket.number, engineer=by.name, text=text or "📷")
            await self.notify.send(Reply(ticket.reporter_id, text_to, await self.notify.language_of(ticket.reporter_id),
                                         photos=(photo,) if photo else (), ticket=ticket.number), now)

    async def from_reporter(self, ticket: Ticket, reporter: User, now: datetime, *, text: str | None,
                            photo: str | None) -> None:
        """What the reporter added appears in the ticket's topic too (when it has one)."""
        if not self.deployment.duty_group.forum or await self.topics.get(ticket.number) is None:
            return
        lang = self.deployment.default_language
        await self.outbox.enqueue(Reply(self.deployment.config.bot.duty_chat_id, t(
            "topic.from_reporter", reporter=reporter.name, text=text or "📷"), lang,
            photos=(photo,) if photo else (), topic=TopicPost(ticket.number)), now)

    async def follow(self, now: datetime) -> int:
        """Ask Telegram for every change still to be mirrored (the scheduler calls it where the staff group
        is a forum); returns how many topics changed."""
        lang = self.deployment.default_language
        changed = 0
        for topic, ticket in await self.topics.to_follow():
            name, finished = name_of(ticket, lang), is_finished(ticket)
            if name == topic.name and finished == topic.closed:
                continue
            steps = []
            if topic.closed and not finished:
                steps.append("reopen")  # open again first: then it may be renamed
            if name != topic.name:
                steps.append("rename")
            if finished and not topic.closed:
                steps.append("close")
            for action in steps:
                await self.outbox.enqueue(Reply(topic.chat_id, verbatim(name), lang, ticket=ticket.number,
                                                topic=TopicPost(ticket.number, action, name)), now)
            await self.topics.save(replace(topic, name=name, closed=finished))
            changed += 1
        return changed
