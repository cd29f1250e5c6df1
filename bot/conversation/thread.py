"""The conversation on a ticket, in chat: the reporter adds a line or a photo, the engineer asks the
reporter a question from the card, the reporter answers it.

Each starts with a button (`TicketThread`) and takes the next message as the awaited answer (the
router's AWAITED table, photos included): one message, or one album, per press, so a reporter who
then starts talking about something else is not mistaken for adding to the old ticket. The reporter
answers a question with its own "💬 Answer" button rather than with whatever they type next: a
question arriving while they fill in another report must not swallow that report's next answer.
Everything said lands on the ticket's history (`bot.services.thread`) and reaches the other side.
"""

from __future__ import annotations

from bot.callbacks import TicketThread
from bot.conversation import reporter, ticket_page
from bot.conversation.session import Session
from bot.domain import intake
from bot.domain.permissions import Act
from bot.domain.text import has_words
from bot.domain.ticket import Ticket
from bot.messages import t, verbatim

MAX_TEXT = 1000
MAX_PHOTOS = 2 * intake.MAX_PHOTOS
"""A ticket's photos, those of the report and those added later: the card sends every one of them."""
ADD, ASK, ANSWER = "add_info", "ask_reporter", "answer_question"
"""The kinds of awaited answer this module takes (see router.AWAITED)."""


async def on_button(s: Session, button: TicketThread) -> None:
    ticket = await s.ticket_named(button.number)
    if ticket is None:
        s.refuse(t("button_invalid"))
        return
    action = button.action
    if action == "page":
        if s.refused(Act.SEE_TICKET, ticket) is not None:
            s.refuse(t("ticket_not_found", number=ticket.number))
            return
        await ticket_page.show(s, ticket)
    elif action == "info":
        if _refused(s, Act.ADD_INFO, ticket):
            return
        s.await_answer({"kind": ADD, "ticket": ticket.number})
        await s.say(t("ticket.add_ask", number=ticket.number))
    elif action == "ask":
        if _refused(s, Act.WORK, ticket):
            return
        s.await_answer({"kind": ASK, "ticket": ticket.number})
        await s.say(t("ticket.ask_prompt", number=ticket.number, reporter=await _reporter_name(s, ticket)))
    elif button.question is not None:
        await _start_answer(s, ticket, button.question)
    else:
        s.refuse(t("button_invalid"))


async def _start_answer(s: Session, ticket: Ticket, n: int) -> None:
    if _refused(s, Act.ADD_INFO, ticket):
        return
    asked, answered = await s.services.thread.question(ticket.number, n)
    if asked is None:
        s.refuse(t("button_invalid"))
        return
    if answered:
        s.refuse(t("ticket.already_answered"))
        return
    s.await_answer({"kind": ANSWER, "ticket": ticket.number, "n": n})
    await s.say(t("ticket.answer_prompt", number=ticket.number, engineer=_staff_name(s, asked.actor_id),
                  question=str(asked.data.get("question", ""))))


def _refused(s: Session, act: Act, ticket: Ticket) -> bool:
    """Refuse a press the viewer may not make (the table's reason) or one on a ticket no longer open."""
    reason = s.refused(act, ticket)
    if reason is not None:
        s.refuse(t(reason, number=ticket.number, assignee=s.deployment.engineer_name(ticket.assignee_id)))
        return True
    if not ticket.is_open:
        s.refuse(t("ticket.not_open", number=ticket.number, status=t(f"status.{ticket.status.value}")))
        return True
    return False


# ---- the awaited answers: typed -------------------------------------------------------------------
async def answer_text(s: Session, text: str) -> None:
    """The message after "➕ Add information" or "💬 Answer" (the reporter's)."""
    awaiting = s.awaiting
    if awaiting.get("album"):  # the album was the answer: this is something new
        s.await_answer(None)
        await reporter.on_text(s, text)
        return
    cleaned = text.strip()
    if not _worded(cleaned):
        await s.say(t("ticket.add_bad", limit=MAX_TEXT))
        return
    await _contribute(s, text=cleaned)


async def answer_question_text(s: Session, text: str) -> None:
    """The engineer's question after "❓ Ask the reporter"."""
    awaiting = s.awaiting
    cleaned = text.strip()
    if not _worded(cleaned):
        await s.say(t("ticket.ask_bad", limit=MAX_TEXT))
        return
    s.await_answer(None)
    ticket = await s.uow.tickets.get(awaiting["ticket"])
    if ticket is None:
        return
    reason = s.refused(Act.WORK, ticket)  # handed over meanwhile: no longer theirs to ask about
    if reason is not None:
        await s.say(t(reason, number=ticket.number, assignee=s.deployment.engineer_name(ticket.assignee_id)))
        return
    if not ticket.is_open:
        await s.say(t("ticket.not_open", number=ticket.number, status=t(f"status.{ticket.status.value}")))
        return
    await s.services.thread.ask(ticket, s.user, cleaned, s.now)
    await s.say(t("ticket.asked", number=ticket.number, reporter=await _reporter_name(s, ticket)))


# ---- the awaited answers: a photo -----------------------------------------------------------------
async def answer_photo(s: Session, file_id: str, size: int | None, caption: str | None, group: str | None) -> None:
    """A photo (with its caption) instead of the typed line or answer; the rest of its album follows
    it onto the ticket without another word."""
    album = s.awaiting.get("album")
    if album and group != album:  # another message than the album that answered
        s.await_answer(None)
        await reporter.on_photo(s, file_id, size, caption, group)
        return
    if size is not None and size > s.context.photo_limit:
        await s.say(t("reject.photo_too_big", limit_mb=s.context.photo_limit // (1024 * 1024)))
        return
    text = caption.strip()[:MAX_TEXT] if caption and caption.strip() else None
    await _contribute(s, text=text, photo=file_id, group=group)


async def _contribute(s: Session, *, text: str | None, photo: str | None = None, group: str | None = None) -> None:
    """Put the message on the ticket: as added information, or as the answer to question n."""
    awaiting = s.awaiting
    s.await_answer({"kind": ADD, "ticket": awaiting["ticket"], "album": group} if group else None)
    ticket = await s.uow.tickets.get(awaiting["ticket"])
    if ticket is None or s.refused(Act.ADD_INFO, ticket) is not None:
        s.await_answer(None)
        return
    if not ticket.is_open:
        s.await_answer(None)
        await s.say(t("ticket.not_open", number=ticket.number, status=t(f"status.{ticket.status.value}")))
        return
    if photo is not None and photo not in ticket.photos and len(ticket.photos) >= MAX_PHOTOS:
        await s.say(t("ticket.too_many_photos", number=ticket.number, limit=MAX_PHOTOS))
        return
    quiet = bool(group) and awaiting.get("album") == group  # one answer per album, not one per picture
    if awaiting.get("kind") == ANSWER and not quiet:
        asked, answered = await s.services.thread.question(ticket.number, int(awaiting.get("n", 0)))
        if asked is not None and not answered:
            told = await s.services.thread.answer(ticket, s.user, asked, s.now, text=text, photo=photo)
            await s.services.topics.from_reporter(ticket, s.user, s.now, text=text, photo=photo)
            names = ", ".join(_staff_name(s, who) for who in told)
            await s.say(t("ticket.answered", number=ticket.number, engineers=verbatim(names)))
            return
    engineer = await s.services.thread.add_info(ticket, s.user, s.now, text=text, photo=photo)
    await s.services.topics.from_reporter(ticket, s.user, s.now, text=text, photo=photo)  # the staff's topic too
    if not quiet:
        await s.say(t("ticket.added", number=ticket.number, photo=photo is not None,
                      engineer=_staff_name(s, engineer) if engineer is not None else None))


def _worded(text: str) -> bool:
    """Something to read: not empty, not only "??", and within one message's length."""
    return bool(text) and len(text) <= MAX_TEXT and has_words(text)


async def _reporter_name(s: Session, ticket: Ticket) -> str:
    user = await s.uow.users.get(ticket.reporter_id)
    return user.name if user else str(ticket.reporter_id)


def _staff_name(s: Session, who: int | None) -> str:
    """An engineer or a manager (who may ask from the card too), as the reporter knows them."""
    if s.deployment.engineer(who) is not None:
        return s.deployment.engineer_name(who)
    return next((m.name for m in s.config.managers if m.id == who), str(who))
