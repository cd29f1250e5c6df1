"""A staff member writes in a ticket's topic of the forum staff group.

The topic is where engineers and the dispatcher talk about a ticket without the reporter in the room:
a message there is an internal note on the ticket; one that starts with ">" goes to the reporter (and
onto the ticket too); a photo travels either way by its file id. Only configured staff may act there:
anyone else's message, and a message in a topic the bot did not open, are left alone, unanswered.
"""

from __future__ import annotations

from bot.conversation.session import Session
from bot.messages import t

MAX_NOTE = 2000


async def on_message(s: Session, thread_id: int, text: str | None, photo: str | None) -> None:
    if s.user.id not in s.deployment.staff or not s.deployment.duty_group.forum:
        return
    number = await s.uow.topics.ticket_of(s.msg.chat_id, thread_id)
    ticket = await s.uow.tickets.get(number) if number else None
    if ticket is None:
        return
    words = " ".join((text or "").split())
    to_reporter = words.startswith(">")
    if to_reporter:
        words = words[1:].strip()
    if not words and photo is None:
        return
    await s.services.topics.from_staff(ticket, s.user, s.now, text=words[:MAX_NOTE] or None, photo=photo,
                                       to_reporter=to_reporter)
    await s.say(t("topic.sent" if to_reporter else "topic.noted"))  # into the topic it was written in
