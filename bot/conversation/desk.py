"""The help desk's entry points: one per kind of input, each one unit of work claimed by its update id.

The Telegram adapter turns an update into one of these calls and sends what the Outcome says; no
decision about reports or tickets is made there. A redelivered update (same id) is recognised here
and acted on once.
"""

from __future__ import annotations

from dataclasses import replace

from bot.config import Config
from bot.conversation import reporter, router, topic
from bot.conversation.questions import prompt_if_drafting
from bot.conversation.session import DeskContext, Incoming, Session
from bot.domain.clock import Clock
from bot.domain.people import language_from_telegram
from bot.messages import Outcome, Reply, t
from bot.services.deployment import Deployment
from bot.services.knowledge import KnowledgeBase
from bot.services.reports.orders import Reports
from storage import Storage


class Desk:
    def __init__(self, storage: Storage, config: Config, clock: Clock, kb: KnowledgeBase | None = None,
                 reports: Reports | None = None) -> None:
        self.deployment = Deployment(config)
        self.reports = reports or Reports(config)
        self.kb = kb
        self.context = DeskContext(storage=storage, deployment=self.deployment, clock=clock, kb=kb,
                                   reports=self.reports, photo_limit=config.intake.max_photo_mb * 1024 * 1024)

    def _session(self, msg: Incoming) -> Session:
        return Session(self.context, msg)

    async def text(self, msg: Incoming, text: str) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await router.on_text(s, text)
            return s.outcome

    async def command(self, msg: Incoming, name: str, args: str) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await router.on_command(s, name, args.strip())
            return s.outcome

    async def button(self, msg: Incoming, data: str) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await router.on_button(s, data)
            return s.outcome

    async def photo(self, msg: Incoming, file_id: str, size: int | None, caption: str | None,
                    media_group: str | None) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await router.on_photo(s, file_id, size, caption, media_group)
            return s.outcome

    async def contact(self, msg: Incoming, phone: str, contact_user_id: int | None) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await reporter.on_contact(s, phone, contact_user_id)
            return s.outcome

    async def unsupported(self, msg: Incoming, kind: str) -> Outcome:
        """A sticker, a voice note, a file…: say what the bot can take, and repeat the open question."""
        async with self._session(msg) as s:
            if not s.duplicate:
                await s.say(t("unsupported", kind=t(f"kind.{kind}")))
                await prompt_if_drafting(s)
            return s.outcome

    async def edited(self, msg: Incoming) -> Outcome:
        async with self._session(msg) as s:
            if not s.duplicate:
                await s.say(t("edited_ignored"))
            return s.outcome

    async def flooding(self, msg: Incoming) -> Outcome:
        """The sender sends faster than anyone reads: their messages are now handled at a slower pace."""
        async with self._session(msg) as s:
            await s.say(t("flood.slow_down"))
            return s.outcome

    async def in_topic(self, msg: Incoming, thread_id: int, text: str | None, photo: str | None) -> Outcome:
        """A message in a ticket's topic of the forum staff group (bot.conversation.topic)."""
        async with self._session(msg) as s:
            if not s.duplicate:
                await topic.on_message(s, thread_id, text, photo)
            return s.outcome

    async def in_group(self, msg: Incoming) -> Outcome:
        """Reports are private: a group gets a pointer to the private chat, nothing else."""
        lang = language_from_telegram(msg.sender.language_code, self.deployment.default_language)
        return Outcome(replies=[Reply(msg.chat_id, t("group_only_private"), lang)])

    async def membership(self, msg: Incoming, blocked: bool) -> Outcome:
        """The user blocked (or unblocked) the bot: stop (or resume) writing to them."""
        async with self._session(msg) as s:
            if not s.duplicate:
                s.user = replace(s.user, blocked=blocked)
            return Outcome(duplicate=s.duplicate)
