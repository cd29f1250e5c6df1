"""The Telegram adapter: builds the PTB Application and translates updates into service calls.

Every handler is registered in :func:`build_application`, in one place. A handler only reads the
update, calls :class:`~bot.desk.ReportingService` and sends what it says; no decision about
reports or tickets is made here.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import BotCommand, BotCommandScopeDefault, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chat.courier import Courier, call, send_attachment
from bot.chat.http import AiohttpRequest
from bot.chat.ordering import PerChatOrder
from bot.chat.render import markup
from bot.config import Config
from bot.desk import Desk
from bot.domain.clock import Clock
from bot.domain.people import language_from_telegram
from bot.knowledge_base import KnowledgeBase
from bot.messages import Outcome, Reply, t
from bot.reports import stop_drawing
from bot.session import Incoming, Sender
from bot.texts import render
from storage import Storage, StorageUnavailable

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0
"""How often the scheduler job looks for due timers and undelivered notifications."""

UNSUPPORTED_KINDS = (
    "sticker", "voice", "video", "video_note", "audio", "animation", "location", "poll", "document",
)


@dataclass
class Services:
    """What the handlers need, created once and kept in `application.bot_data`."""

    config: Config
    storage: Storage
    clock: Clock
    desk: Desk
    courier: Courier | None = None


def build_application(
    *,
    token: str,
    base_url: str,
    base_file_url: str | None,
    config: Config,
    storage: Storage,
    clock: Clock,
    rate_limit: bool = True,
    kb: KnowledgeBase | None = None,
    tick_seconds: float | None = TICK_SECONDS,
) -> Application:
    """The bot, wired: the same function serves production, the sandbox and the tests."""
    updates_request = AiohttpRequest(connections=2, keep_last_body=True)
    builder = (
        ApplicationBuilder().token(token).base_url(base_url).post_init(_post_init)
        .concurrent_updates(PerChatOrder()).updater(None)  # updates are fetched by bot/chat/polling.py
        .request(AiohttpRequest()).get_updates_request(updates_request)
    )
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    app.bot_data["tick_seconds"] = tick_seconds
    app.bot_data["updates_request"] = updates_request
    app.bot_data["services"] = Services(
        config=config, storage=storage, clock=clock,
        desk=Desk(storage, config, clock, kb=kb),
    )
    private = filters.ChatType.PRIVATE
    app.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED & private, on_edited))
    app.add_handler(MessageHandler(~private & (filters.COMMAND | filters.Entity("mention")), on_group))
    app.add_handler(MessageHandler(private & filters.COMMAND, on_command))
    app.add_handler(MessageHandler(private & filters.TEXT, on_text))
    app.add_handler(MessageHandler(private & filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(private & filters.Document.IMAGE, on_photo))
    app.add_handler(MessageHandler(private & filters.CONTACT, on_contact))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, on_unsupported))
    app.add_error_handler(on_error)
    return app


async def _post_init(app: Application) -> None:
    """Start the delivery of notifications and the timers; publish the command menu."""
    services = _services(app)
    services.courier = Courier(app.bot, services.storage, services.clock, services.config.tz,
                               on_undeliverable=services.desk.undeliverable)
    await services.desk.start_up()
    interval = app.bot_data.get("tick_seconds")
    if app.job_queue is not None and interval:
        app.job_queue.run_repeating(_tick, interval=interval, first=0.5, name="timers")
    await _post_init_commands(app)


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one scheduler job: fire the durable timers that are due, then deliver notifications.

    It runs every TICK_SECONDS, and also wakes up right when the next timer falls due in between,
    so a follow-up or an escalation is not up to a whole tick late.
    """
    services = _services(context)
    await services.desk.tick()
    if services.courier is not None:
        await services.courier.flush()
    upcoming = await services.desk.next_due()
    job_queue = context.job_queue
    if upcoming is None or job_queue is None or job_queue.get_jobs_by_name("timers-soon"):
        return
    delay = (upcoming - services.clock.now()).total_seconds()
    if 0 < delay < (context.application.bot_data.get("tick_seconds") or TICK_SECONDS):
        job_queue.run_once(_tick, delay + 0.01, name="timers-soon")


def stopping(app: Application) -> None:
    """Shutdown has begun: updates not yet started and the outbox's backlog wait for the next start."""
    courier = _services(app).courier
    if courier is not None:
        courier.stopping = True
    if isinstance(app.update_processor, PerChatOrder):
        app.update_processor.stopping = True
    _services(app).desk.stopping = True
    stop_drawing()


async def _post_init_commands(app: Application) -> None:
    """Publish the command menu in both languages."""
    for language in ("en", "zh"):
        commands = [
            BotCommand(name, render(t(f"cmd.{name}"), language, _services(app).config.tz))
            for name in ("new", "my", "status", "cancel", "kb", "queue", "oncall", "report", "export", "lang", "help")
        ]
        try:
            await app.bot.set_my_commands(
                commands, scope=BotCommandScopeDefault(), language_code=None if language == "en" else language
            )
        except TelegramError as exc:  # the menu is a nicety; the bot works without it
            log.warning("could not set the command menu (%s): %s", language, exc)


def _services(app: Application | ContextTypes.DEFAULT_TYPE) -> Services:
    return app.bot_data["services"]


def _incoming(update: Update) -> Incoming:
    user = update.effective_user
    assert user is not None and update.effective_chat is not None
    return Incoming(
        update_id=update.update_id,
        sender=Sender(id=user.id, name=user.full_name, username=user.username, language_code=user.language_code),
        chat_id=update.effective_chat.id,
    )


# ---- handlers: one per kind of update ----------------------------------------------------------
async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    outcome = await _services(context).desk.text(_incoming(update), update.message.text or "")
    await deliver(context, outcome)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    head, _, args = update.message.text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    outcome = await _services(context).desk.command(_incoming(update), name, args)
    await deliver(context, outcome)
    if outcome.report_ordered and not outcome.duplicate:
        await _draw_reports(context, update.message.chat_id, outcome.report_ordered)


async def _draw_reports(context: ContextTypes.DEFAULT_TYPE, chat_id: int, kind: str) -> None:
    """Draw the report just asked for (off the event loop) and send it; Telegram shows "sending a
    photo…" (or a file) meanwhile. A crash before it is sent leaves the durable order for the next tick."""
    services = _services(context)
    try:
        await context.bot.send_chat_action(chat_id, f"upload_{kind}")
    except TelegramError as exc:  # a nicety only
        log.debug("could not show the chat action: %s", exc)
    try:
        chats = await services.desk.reports_ordered()
    except Exception:  # the order is stored: the next tick draws it again
        log.exception("could not draw a report now; the scheduler will retry")
        return
    for chat in chats:
        if services.courier is not None:
            await services.courier.flush_chat(chat)


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    assert message is not None
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        file_id, size = largest.file_id, largest.file_size
    else:
        assert message.document is not None
        file_id, size = message.document.file_id, message.document.file_size
    outcome = await _services(context).desk.photo(
        _incoming(update), file_id, size, message.caption, message.media_group_id
    )
    await deliver(context, outcome)


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.contact is not None
    contact = update.message.contact
    outcome = await _services(context).desk.contact(
        _incoming(update), contact.phone_number, contact.user_id
    )
    await deliver(context, outcome)


async def on_unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is None or update.effective_user is None:
        return
    kind = next((k for k in UNSUPPORTED_KINDS if getattr(message, k, None)), "other")
    outcome = await _services(context).desk.unsupported(_incoming(update), kind)
    await deliver(context, outcome)


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_user is None:
        return
    await deliver(context, await _services(context).desk.edited(_incoming(update)))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    if query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await query.answer(render(t("button_invalid"), "en", _services(context).config.tz), show_alert=True)
        return
    outcome = await _services(context).desk.button(_incoming(update), query.data or "")
    await deliver(context, outcome, update)


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is None or update.effective_user is None:
        return
    if message.text and not message.text.startswith("/") and not _mentions_bot(message, context):
        return
    await deliver(context, await _services(context).desk.in_group(_incoming(update)), reply_to=message)


async def on_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    blocked = change.new_chat_member.status in ("kicked", "left")
    await _services(context).desk.membership(_incoming(update), blocked)


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
    """Send what the service decided: the button's answer, and the replies in order.

    Answering a press, marking the pressed question and sending the next one are independent calls,
    made at once: against Telegram each is a network round trip, and the reporter waits for the
    next question, not for the bookkeeping of the last one."""
    services = _services(context)
    tz = services.config.tz
    query = update.callback_query if update else None
    acknowledgements = []
    if query is not None and not outcome.duplicate:
        lang = outcome.replies[0].lang if outcome.replies else _lang_of(query.from_user.language_code, services)
        text = render(outcome.answer, lang, tz) if outcome.answer else None
        acknowledgements.append(query.answer(text, show_alert=outcome.alert))
        if outcome.replace_pressed is not None and isinstance(query.message, Message):
            new = outcome.replace_pressed
            acknowledgements.append(
                query.message.edit_text(render(new.text, new.lang, tz), reply_markup=markup(new, tz))
            )
        elif outcome.chosen is not None and isinstance(query.message, Message):
            acknowledgements.append(_mark_chosen(query.message, render(outcome.chosen, lang, tz)))
    courier = services.courier
    if not outcome.queued:
        sending = [_send_in_order(context, outcome.replies, reply_to)]
    elif courier is not None:  # in the outbox already: sent now (chats side by side), or by the scheduler
        sending = [courier.flush_chat(chat) for chat in outcome.chats]
    else:
        sending = []
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
    services = _services(context)
    tz = services.config.tz
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
        await services.desk.mark_blocked(reply.chat_id)
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


def _lang_of(language_code: str | None, services: Services) -> str:
    return language_from_telegram(language_code, services.config.bot.default_language)


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
    services = _services(context)
    lang = _lang_of(update.effective_user.language_code, services)
    key = "error.storage" if storage_problem else "error.internal"
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(render(t(key), lang, services.config.tz), show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, render(t(key), lang, services.config.tz))
    except TelegramError:
        log.warning("could not tell user %s about the error", update.effective_user.id)
