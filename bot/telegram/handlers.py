"""One handler per kind of update, and sending what the help desk decided.

A handler only reads the update, calls the desk (`bot.conversation.desk.Desk`) and delivers the
Outcome: replies are already in the outbox (written in the update's transaction) and go out chat by
chat through the courier; a button press is acknowledged and its question marked with the answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.config import Config
from bot.conversation.desk import Desk
from bot.conversation.session import Incoming, Pressed, Sender
from bot.domain.clock import Clock
from bot.domain.people import language_from_telegram
from bot.domain.text import clean_text
from bot.messages import Outcome, Reply, t
from bot.services.delivery import DeliveryFailures
from bot.services.timers import Scheduler
from bot.telegram.courier import Courier, call, send_attachment
from bot.telegram.ordering import after_slot
from bot.telegram.render import markup
from bot.texts import render
from storage import Storage, StorageUnavailable

log = logging.getLogger(__name__)

UNSUPPORTED_KINDS = (
    "sticker", "voice", "video", "video_note", "audio", "animation", "location", "poll", "document",
)
GROUP_ANSWER_EVERY = timedelta(minutes=5)


@dataclass
class HelpDesk:
    """What the handlers need, created once and kept in `application.bot_data["helpdesk"]`."""

    config: Config
    storage: Storage
    clock: Clock
    desk: Desk
    scheduler: Scheduler
    failures: DeliveryFailures
    courier: Courier | None = None
    group_answers: dict[int, datetime] = field(default_factory=dict)
    """When each group was last told that reports are private (at most once per GROUP_ANSWER_EVERY)."""


def helpdesk(holder: ContextTypes.DEFAULT_TYPE | Application) -> HelpDesk:
    """The parts, from a handler's context or from the Application itself: the one place they are read."""
    return holder.bot_data["helpdesk"]


def _incoming(update: Update, pressed: Pressed | None = None) -> Incoming:
    user = update.effective_user
    assert user is not None and update.effective_chat is not None
    return Incoming(
        update_id=update.update_id,
        sender=Sender(id=user.id, name=clean_text(user.full_name),
                      username=clean_text(user.username) if user.username else None,
                      language_code=user.language_code),
        chat_id=update.effective_chat.id,
        thread_id=_topic_of(update),
        pressed=pressed,
    )


EDITABLE_FOR = timedelta(hours=47)
"""Telegram refuses to edit a message after 48 hours; a press on an older one is answered by sending."""


def _pressed(message: Message, now: datetime) -> Pressed | None:
    """The pressed message, if the answer to the press may be said by editing it: text (a photo's
    caption cannot become a question), and young enough for Telegram to allow the edit."""
    if message.text is None or message.photo or now - message.date > EDITABLE_FOR:
        return None
    return Pressed(message.message_id, message.text)


def _topic_of(update: Update) -> int | None:
    """The forum topic an update came from (a message, or a button under one), if any."""
    message = update.effective_message
    if message is None or not getattr(message, "is_topic_message", False):
        return None
    return message.message_thread_id


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    outcome = await helpdesk(context).desk.text(_incoming(update), clean_text(update.message.text or ""))
    await deliver(context, outcome)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    head, _, args = update.message.text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    outcome = await helpdesk(context).desk.command(_incoming(update), name, clean_text(args))
    await deliver(context, outcome)
    if outcome.report_ordered and not outcome.duplicate:
        await after_slot(_draw_reports(context, update.message.chat_id, outcome.report_ordered))


async def _draw_reports(context: ContextTypes.DEFAULT_TYPE, chat_id: int, kind: str) -> None:
    """Draw the report just asked for (off the event loop) and send it; Telegram shows "sending a
    photo…" (or a file) meanwhile. A crash before it is sent leaves the durable order for the next tick."""
    parts = helpdesk(context)
    try:
        await context.bot.send_chat_action(chat_id, f"upload_{kind}")
    except TelegramError as exc:  # a nicety only
        log.debug("could not show the chat action: %s", exc)
    try:
        chats = await parts.desk.reports.draw_ordered(parts.storage, parts.clock.now())
    except Exception:  # the order is stored: the next tick draws it again
        log.exception("could not draw a report now; the scheduler will retry")
        return
    for chat in chats:
        if parts.courier is not None:
            await parts.courier.flush_chat(chat)


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    assert message is not None
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        file_id, size = largest.file_id, largest.file_size
    else:
        assert message.document is not None
        file_id, size = message.document.file_id, message.document.file_size
    caption = clean_text(message.caption) if message.caption is not None else None
    outcome = await helpdesk(context).desk.photo(_incoming(update), file_id, size, caption, message.media_group_id)
    await deliver(context, outcome)


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.contact is not None
    contact = update.message.contact
    outcome = await helpdesk(context).desk.contact(_incoming(update), clean_text(contact.phone_number),
                                                   contact.user_id)
    await deliver(context, outcome)


async def on_unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is None or update.effective_user is None:
        return
    kind = next((k for k in UNSUPPORTED_KINDS if getattr(message, k, None)), "other")
    await deliver(context, await helpdesk(context).desk.unsupported(_incoming(update), kind))


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    await deliver(context, await helpdesk(context).desk.edited(_incoming(update)))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    in_staff_group = query.message is not None and query.message.chat.id == helpdesk(context).config.bot.duty_chat_id
    if query.message is None or (query.message.chat.type != ChatType.PRIVATE and not in_staff_group):
        await query.answer(render(t("button_invalid"), "en", helpdesk(context).config.tz), show_alert=True)
        return
    pressed = _pressed(query.message, helpdesk(context).clock.now()) if isinstance(query.message, Message) else None
    outcome = await helpdesk(context).desk.button(_incoming(update, pressed), query.data or "")
    await deliver(context, outcome, update)


async def on_topic_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message in a topic of the forum staff group: maybe a note on that topic's ticket."""
    message = update.message
    if message is None or update.effective_user is None or message.message_thread_id is None:
        return  # (the handler's filter admits only the staff group's topics)
    photo = message.photo[-1].file_id if message.photo else None
    text = message.text if message.text is not None else message.caption
    outcome = await helpdesk(context).desk.in_topic(_incoming(update), message.message_thread_id,
                                                     clean_text(text) if text else None, photo)
    await deliver(context, outcome)


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is None or update.effective_user is None:
        return
    if message.text and not message.text.startswith("/") and not _mentions_bot(message, context):
        return
    parts = helpdesk(context)
    now = parts.clock.now()
    last = parts.group_answers.get(message.chat_id)
    if last is not None and now - last < GROUP_ANSWER_EVERY:
        return  # the pointer to the private chat is still on screen: do not answer every command
    parts.group_answers[message.chat_id] = now
    await deliver(context, await parts.desk.in_group(_incoming(update)), reply_to=message)


async def on_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    blocked = change.new_chat_member.status in ("kicked", "left")
    await helpdesk(context).desk.membership(_incoming(update), blocked)


async def slow_down(app: Application, update: object) -> None:
    """Tell a sender, once, that their messages are now handled at a slower pace (bot.domain.flood)."""
    if not isinstance(update, Update) or update.effective_user is None or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return  # a group is not told about one member's pace
    parts = helpdesk(app)
    incoming = replace(_incoming(update), update_id=None)  # a notice, not the update's handling
    outcome = await parts.desk.flooding(incoming)
    if parts.courier is not None:
        for chat in outcome.chats:
            await parts.courier.flush_chat(chat)


def _mentions_bot(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    username = context.bot.username
    return bool(username) and f"@{username}".lower() in (message.text or "").lower()


# ---- sending -------------------------------------------------------------------------------------
async def deliver(
    context: ContextTypes.DEFAULT_TYPE,
    outcome: Outcome,
    update: Update | None = None,
    reply_to: Message | None = None,
) -> None:
    """Send what the desk decided: the button's answer, and the replies in order.

    Answering a press, marking the pressed question and sending the next one are independent calls,
    made at once: against Telegram each is a network round trip, and the reporter waits for the
    next question, not for the bookkeeping of the last one. Mostly there is no marking: the next
    question is said in the pressed message itself (`Outcome.folded`, sent by the courier), which
    states the answer, so a step costs one call that Telegram's per-chat limits count."""
    parts = helpdesk(context)
    tz = parts.config.tz
    query = update.callback_query if update else None
    acknowledgements = []
    if query is not None and not outcome.duplicate:
        lang = (outcome.replies[0].lang if outcome.replies
                else outcome.lang or _lang_of(query.from_user.language_code, parts))
        text = render(outcome.answer, lang, tz) if outcome.answer else None
        acknowledgements.append(query.answer(text, show_alert=outcome.alert))
        if outcome.replace_pressed is not None and isinstance(query.message, Message):
            new = outcome.replace_pressed
            acknowledgements.append(
                query.message.edit_text(render(new.text, new.lang, tz), reply_markup=markup(new, tz))
            )
        elif outcome.chosen is not None and not outcome.folded and isinstance(query.message, Message):
            acknowledgements.append(_mark_chosen(query.message, render(outcome.chosen, lang, tz)))
    courier = parts.courier
    if not outcome.queued:
        sending = [_send_in_order(context, outcome.replies, reply_to)]
    elif courier is not None:  # in the outbox already: sent now (chats side by side), or by the scheduler
        sending = [courier.flush_chat(chat) for chat in outcome.chats]
    else:
        sending = []
    if acknowledgements or sending:
        await after_slot(_all_at_once(acknowledgements, sending))


async def _all_at_once(acknowledgements: list[Awaitable[object]], sending: list[Awaitable[object]]) -> None:
    results = await asyncio.gather(*acknowledgements, *sending, return_exceptions=True)
    for index, result in enumerate(results):
        if isinstance(result, TelegramError) and index < len(acknowledgements):
            log.info("could not acknowledge a button press: %s", result)
        elif isinstance(result, BaseException):
            raise result


async def _send_in_order(context: ContextTypes.DEFAULT_TYPE, replies: list[Reply], reply_to: Message | None) -> None:
    for reply in replies:
        await send_reply(context, reply, reply_to=reply_to)


async def send_reply(context: ContextTypes.DEFAULT_TYPE, reply: Reply, reply_to: Message | None = None) -> None:
    """A reply that is not in the outbox (the pointer to the private chat, in a group)."""
    parts = helpdesk(context)
    tz = parts.config.tz
    try:
        await context.bot.send_message(
            chat_id=reply.chat_id,
            text=render(reply.text, reply.lang, tz),
            reply_markup=markup(reply, tz),
            reply_to_message_id=reply_to.message_id if reply_to else None,
        )
        for photo in reply.photos:
            await context.bot.send_photo(chat_id=reply.chat_id, photo=photo)
        await send_attachment(context.bot, reply)
    except Forbidden:
        log.info("user %s has blocked the bot; not writing to them", reply.chat_id)
        await parts.failures.mark_blocked(reply.chat_id)
    except BadRequest as exc:
        log.warning("Telegram refused a message to %s: %s", reply.chat_id, exc)


async def _mark_chosen(message: Message, chosen: str) -> None:
    """Replace a question's buttons by the answer given, so old buttons cannot be pressed again."""
    base = message.text or message.caption or ""
    try:
        await call(message.get_bot(), "editMessageText", chat_id=message.chat.id, message_id=message.message_id,
                   text=f"{base}\n\n→ {chosen}"[:4096])
    except BadRequest as exc:
        log.debug("could not mark the choice: %s", exc)


def _lang_of(language_code: str | None, parts: HelpDesk) -> str:
    return language_from_telegram(language_code, parts.config.bot.default_language)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Nothing was written (the transaction rolled back); tell the user so, in plain words."""
    error = context.error
    storage_problem = isinstance(error, StorageUnavailable)
    if storage_problem:
        log.error("storage unavailable: %s", error)
    else:
        log.error("unhandled error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    parts = helpdesk(context)
    lang = _lang_of(update.effective_user.language_code, parts)
    key = "error.storage" if storage_problem else "error.internal"
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(render(t(key), lang, parts.config.tz), show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, render(t(key), lang, parts.config.tz))
    except TelegramError:
        log.warning("could not tell user %s about the error", update.effective_user.id)
