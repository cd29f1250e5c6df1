"""An in-process stand-in for the Telegram Bot API, served over real HTTP on 127.0.0.1.

Why it exists: the help-desk bot is a plain python-telegram-bot (PTB) ``Application``. To test
it end to end, to let newcomers chat with it in a terminal (``helpdesk sandbox``) and to load
and soak test it, we need something that speaks the Bot API exactly as Telegram does, without
a network, a token or rate limits. Mocking ``Bot`` methods would skip PTB's request encoding,
response parsing, error mapping and the updater's long-poll/offset logic, which is where many
real bugs live, so this stand-in is a real aiohttp HTTP server and PTB talks to it unmodified.

Usage::

    async with BotApiStandIn() as tg:
        app = (
            ApplicationBuilder()
            .token(tg.token)
            .base_url(tg.base_url)
            .base_file_url(tg.base_file_url)
            .build()
        )
        ...  # add handlers
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)

        alice = FakeUser(1001, "Alice")
        n = len(tg.messages_to(alice.id))
        tg.send_text(alice, "/start")                     # push an update as the user
        msgs = await tg.wait_for_messages(alice.id, n + 1)  # event-driven, no sleeping
        assert "Welcome" in msgs[-1].text
        tg.press(alice, msgs[-1], "Report a fault")       # press an inline button
        await tg.wait_idle(application=app)               # bulk: until PTB processed it all

What the user sees is recorded as :class:`SentMessage` objects (``tg.sent``,
``tg.messages_to(chat_id)``); ``text``/``caption`` there are the *rendered* strings (HTML or
MarkdownV2 markup removed, like a Telegram client shows them), the markup as sent is kept in
``raw_text``/``raw_caption``. Failures are simulated with :meth:`BotApiStandIn.block`,
:meth:`BotApiStandIn.inject_error`, :meth:`BotApiStandIn.inject_disconnect` and
:meth:`BotApiStandIn.set_error_rate`.

Groups and forum topics: :meth:`BotApiStandIn.add_group` declares a supergroup (``forum=True`` for
topics) and the bot's administrator rights there; getChat, getChatMember and create/edit/close/reopen/
deleteForumTopic then answer as Telegram does, each topic is kept in ``tg.forum_topics`` with its
ordered ``history``, the bot's messages into a topic carry ``message_thread_id``
(:meth:`BotApiStandIn.messages_in_topic`) and users write there with
:meth:`BotApiStandIn.send_text_in_topic` / :meth:`BotApiStandIn.send_photo_in_topic`.

All ``push``/``send_*``/``press`` helpers are synchronous and must be called from the event
loop thread the stand-in runs on (use ``loop.call_soon_threadsafe`` from other threads).

Many simulated users at once (load tests): :meth:`BotApiStandIn.wait_for` re-checks every
waiter on every event, which costs O(users²). :meth:`BotApiStandIn.next_message` and
:meth:`BotApiStandIn.wait_for_chat` are woken only by changes to their own chat. Every pushed
update's ``time.perf_counter()`` is kept in ``pushed_at`` (and when getUpdates first handed it
out in ``delivered_at``), every bot message's in ``SentMessage.received_at``, so reply latency
can be measured where the user would see it.
"""

from bot.sandbox.standin.protocol import FAULTY_METHODS
from bot.sandbox.standin.records import FakeUser, ForumTopicRecord, SentMessage
from bot.sandbox.standin.server import BotApiStandIn

__all__ = ["FAULTY_METHODS", "BotApiStandIn", "FakeUser", "ForumTopicRecord", "SentMessage"]
