"""The Telegram adapter, wired: the PTB Application with every handler, the scheduler job, the menu.

Every handler is registered in :func:`build_application`, in one place; the parts they use (the desk,
the scheduler, the courier) are created here once and kept in `application.bot_data["helpdesk"]`.
The same function serves production, the sandbox and the tests.
"""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    MenuButtonWebApp,
    WebAppInfo,
)
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

from bot.config import Config
from bot.conversation.common import menu_of
from bot.conversation.desk import Desk
from bot.domain.clock import Clock
from bot.domain.flood import FloodPolicy, InputThrottle
from bot.messages import t
from bot.services.delivery import DeliveryFailures
from bot.services.deployment import Deployment
from bot.services.knowledge import KnowledgeBase
from bot.services.reports.worker import stop_drawing
from bot.services.roster import calendar_of, stored_edits
from bot.services.timers import Scheduler
from bot.telegram import handlers
from bot.telegram.admission import not_for_us
from bot.telegram.courier import Courier
from bot.telegram.handlers import HelpDesk
from bot.telegram.http import AiohttpRequest
from bot.telegram.ordering import PerChatOrder
from bot.texts import render
from storage import Storage

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0
"""How often the scheduler job looks for due timers and undelivered notifications."""
MENU_LANGUAGES = (None, "zh")
"""A menu in English for every Telegram language, and one in Chinese for those whose Telegram speaks it."""


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
    flood: FloodPolicy | None = None,
) -> Application:
    """`flood`: how fast one person may send before the bot slows down for them (the configured policy
    when None; the tests drive users faster than any person and pass a looser one)."""
    requests = (AiohttpRequest(connections=2), AiohttpRequest())  # getUpdates' own, and everything else's
    desk = Desk(storage, config, clock, kb=kb)
    throttle = InputThrottle(flood or desk.deployment.flood_policy)
    builder = (
        ApplicationBuilder().token(token).base_url(base_url).post_init(_post_init)
        .concurrent_updates(PerChatOrder(throttle=throttle, exempt=desk.deployment.staff))
        .updater(None)  # updates are fetched by bot/telegram/polling.py
        .request(requests[1]).get_updates_request(requests[0])
    )
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    app.bot_data["tick_seconds"] = tick_seconds
    app.bot_data["requests"] = requests
    app.bot_data["helpdesk"] = HelpDesk(
        config=config, storage=storage, clock=clock, desk=desk,
        scheduler=Scheduler(storage, desk.deployment, kb, clock, desk.reports),
        failures=DeliveryFailures(storage, desk.deployment, clock),
    )
    private = filters.ChatType.PRIVATE
    app.add_handler(ChatMemberHandler(handlers.on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CallbackQueryHandler(handlers.on_button))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED & private, handlers.on_edited))
    if config.bot.duty_chat_id:  # a ticket's topic in the forum staff group: notes, and "> …" to the reporter
        app.add_handler(MessageHandler(filters.Chat(config.bot.duty_chat_id) & filters.IS_TOPIC_MESSAGE
                                       & ~filters.COMMAND & (filters.TEXT | filters.PHOTO), handlers.on_topic_message))
    app.add_handler(MessageHandler(~private & (filters.COMMAND | filters.Entity("mention")), handlers.on_group))
    app.add_handler(MessageHandler(private & filters.COMMAND, handlers.on_command))
    app.add_handler(MessageHandler(private & filters.TEXT, handlers.on_text))
    app.add_handler(MessageHandler(private & filters.PHOTO, handlers.on_photo))
    app.add_handler(MessageHandler(private & filters.Document.IMAGE, handlers.on_photo))
    app.add_handler(MessageHandler(private & filters.CONTACT, handlers.on_contact))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, handlers.on_unsupported))
    app.add_error_handler(handlers.on_error)
    return app


async def _post_init(app: Application) -> None:
    """Start the delivery of notifications and the timers; publish the command menu."""
    desk = handlers.helpdesk(app)
    desk.courier = Courier(app.bot, desk.storage, desk.clock, desk.config.tz,
                           on_undeliverable=desk.failures.undeliverable)
    processor = app.update_processor
    if isinstance(processor, PerChatOrder):  # the bot's name is known now (initialize asked getMe)
        processor.ignore = lambda update: not_for_us(update, app.bot.username, desk.config.bot.duty_chat_id)
        processor.on_flood = lambda update: handlers.slow_down(app, update)
    async with desk.storage.transaction() as tx:  # the SLA clock counts /holiday days as the roster does
        edits = await stored_edits(tx.roster)
    desk.desk.deployment.calendar.replace(**calendar_of(edits))
    await _look_at_duty_group(app, desk.desk.deployment)
    await desk.scheduler.start_up()
    interval = app.bot_data.get("tick_seconds")
    if app.job_queue is not None and interval:
        app.job_queue.run_repeating(_tick, interval=interval, first=0.5, name="timers")
    await _publish_menu(app)


async def _look_at_duty_group(app: Application, deployment: Deployment) -> None:
    """Ask Telegram once what the staff group is: a forum (topics on) gets a topic per ticket. A group
    the bot cannot see is said in the log at start (the doctor says more), and the cards still try."""
    chat_id = deployment.config.bot.duty_chat_id
    deployment.duty_group.forum = False
    if not chat_id:
        return
    try:
        chat = await app.bot.get_chat(chat_id)
    except TelegramError as exc:
        log.warning("the duty group bot.duty_chat_id = %s cannot be seen (%s): is the bot a member? "
                    "(helpdesk doctor checks it)", chat_id, exc)
        return
    deployment.duty_group.forum = bool(getattr(chat, "is_forum", False))
    if not deployment.duty_group.forum:
        return
    log.info("the duty group %r is a forum: every ticket gets a topic there", chat.title)
    try:
        member = await app.bot.get_chat_member(chat_id, app.bot.id)
    except TelegramError as exc:
        log.warning("cannot ask for the bot's rights in the duty group (%s)", exc)
        return
    if member.status != "creator" and not getattr(member, "can_manage_topics", False):
        log.warning("the duty group %r is a forum, but the bot may not manage topics: make it an administrator "
                    "with 'Manage topics', or the tickets' topics cannot be opened", chat.title)


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one scheduler job: fire the durable timers that are due, then deliver notifications.

    It runs every TICK_SECONDS, and also wakes up right when the next timer falls due in between,
    so a follow-up or an escalation is not up to a whole tick late.
    """
    desk = handlers.helpdesk(context)
    await desk.scheduler.tick()
    if desk.courier is not None:
        await desk.courier.flush()
    upcoming = await desk.scheduler.next_due()
    job_queue = context.job_queue
    if upcoming is None or job_queue is None or job_queue.get_jobs_by_name("timers-soon"):
        return
    delay = (upcoming - desk.clock.now()).total_seconds()
    if 0 < delay < (context.application.bot_data.get("tick_seconds") or TICK_SECONDS):
        job_queue.run_once(_tick, delay + 0.01, name="timers-soon")


def stopping(app: Application) -> None:
    """Shutdown has begun: updates not yet started and the outbox's backlog wait for the next start."""
    desk = handlers.helpdesk(app)
    if desk.courier is not None:
        desk.courier.stopping = True
    if isinstance(app.update_processor, PerChatOrder):
        app.update_processor.stopping = True
    desk.desk.reports.stopping = True
    stop_drawing()


async def _publish_menu(app: Application) -> None:
    """The command menu by audience, in both languages: every chat gets the reporters' commands (the
    default scope); each engineer and manager their role's (a scope of their chat, which Telegram prefers).

    Published at every start, so the menus follow the configuration read at start. A person who is no
    longer staff has their chat's menu removed: the chats given one are remembered in the database. A
    menu is a nicety, so nothing here stops the start: a chat Telegram does not know (an engineer who
    has never opened the bot) or any other refusal is logged and the rest goes on.
    """
    desk = handlers.helpdesk(app)
    deployment = desk.desk.deployment
    await _set_menu(app, BotCommandScopeDefault(), menu_of(deployment, None), "everybody")
    async with desk.storage.transaction() as uow:
        before = await uow.menus.chats()
    given = [person for person in sorted(deployment.staff)
             if await _set_menu(app, BotCommandScopeChat(person), menu_of(deployment, person), f"chat {person}")]
    for person in given:
        await _set_menu_button(app, person)
    taken = [chat for chat in sorted(set(before) - deployment.staff) if await _delete_menu(app, chat)]
    async with desk.storage.transaction() as uow:
        for person in given:
            await uow.menus.remember(person, deployment.role_of(person), desk.clock.now())
        for chat in taken:
            await uow.menus.forget(chat)


async def _set_menu(app: Application, scope: BotCommandScope, names: tuple[str, ...], whose: str) -> bool:
    """One scope's menu in every language; True if Telegram took it in one language at least."""
    tz = handlers.helpdesk(app).config.tz
    taken = False
    for language in MENU_LANGUAGES:
        commands = [BotCommand(name, render(t(f"roles.cmd.{name}"), language or "en", tz)) for name in names]
        try:
            await app.bot.set_my_commands(commands, scope=scope, language_code=language)
            taken = True
        except TelegramError as exc:
            if _no_such_chat(exc):  # they have not opened the bot yet (or blocked it): nothing to show it in
                log.info("no command menu for %s (%s): %s", whose, language or "en", exc.message)
                return taken
            log.warning("could not set the command menu for %s (%s): %s", whose, language or "en", exc)
    return taken


async def _set_menu_button(app: Application, chat_id: int) -> None:
    """A staff member's menu button opens the dashboard where one is served (the default, the command
    list, is left alone otherwise: a deployment that turns the dashboard off resets it with BotFather)."""
    config = handlers.helpdesk(app).config
    section = config.dashboard
    if not section.enabled:
        return
    label = render(t("dashboard.chat.menu"), config.bot.default_language, config.tz)
    try:
        await app.bot.set_chat_menu_button(chat_id=chat_id,
                                           menu_button=MenuButtonWebApp(label, WebAppInfo(section.page_url)))
    except TelegramError as exc:
        log.info("no menu button for chat %s: %s", chat_id, exc)


def _no_such_chat(exc: TelegramError) -> bool:
    return isinstance(exc, Forbidden) or (isinstance(exc, BadRequest) and "chat not found" in exc.message.lower())


async def _delete_menu(app: Application, chat_id: int) -> bool:
    """Take a former staff member's menu away; True when it is gone (or the chat is, with it)."""
    try:
        for language in MENU_LANGUAGES:
            await app.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id), language_code=language)
    except TelegramError as exc:
        if _no_such_chat(exc):  # the chat is gone, and its menu with it
            log.info("no command menu to remove for chat %s: %s", chat_id, exc.message)
            return True
        # tried again at the next start
        log.warning("could not remove the command menu of chat %s: %s", chat_id, exc)
        return False
    return True
