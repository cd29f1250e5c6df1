"""Each ticket's forum topic in the staff group follows the ticket: renamed as it moves on, closed when
it is closed or cancelled, reopened when it is reopened.

Mirrored on the scheduler's tick rather than at each of the many places a ticket changes: one query
finds the topics whose name or state no longer match their ticket, and the changes go into the outbox
like any message (so a restart loses none and repeats none), the topic's new name and state recorded
in the same transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.domain.ticket import Ticket
from bot.domain.topics import is_finished, topic_name
from bot.messages import Reply, TopicPost, t, verbatim
from bot.services.deployment import Deployment
from bot.texts import render
from storage.ports import Outbox, Topics


def device_name(ticket: Ticket, lang: str) -> str:
    return render(t(f"device.{ticket.device_type or 'other'}"), lang, UTC)


class TopicMirror:
    def __init__(self, deployment: Deployment, topics: Topics, outbox: Outbox) -> None:
        self.deployment = deployment
        self.topics = topics
        self.outbox = outbox

    def name_for(self, ticket: Ticket) -> str:
        return topic_name(ticket, device_name(ticket, self.deployment.default_language))

    async def follow(self, now: datetime) -> int:
        """Ask Telegram for every change still to be mirrored; returns how many topics changed."""
        if not self.deployment.duty_group.forum:
            return 0
        lang = self.deployment.default_language
        changed = 0
        for topic, ticket in await self.topics.to_follow():
            name, finished = self.name_for(ticket), is_finished(ticket)
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
