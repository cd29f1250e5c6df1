"""The use cases of one unit of work, each built on first use with exactly the ports it needs.

This is the composition root of the service layer: a reader sees here which storage ports each
service takes, and a service test builds the same objects over a real in-memory store. Building them
per unit of work costs a few small objects per update; they hold no state beyond it.
"""

from __future__ import annotations

from functools import cached_property

from bot.services.cards import Cards
from bot.services.console import Console
from bot.services.deadlines import Deadlines
from bot.services.deployment import Deployment
from bot.services.dispatch import Dispatcher
from bot.services.followups import FollowUpDesk
from bot.services.inspections import InspectionDesk
from bot.services.knowledge import KnowledgeBase
from bot.services.notify import Notifier
from bot.services.retention import Retention
from bot.services.roster import Roster
from bot.services.thread import ThreadDesk
from bot.services.tickets import TicketDesk
from bot.services.topics import TopicMirror
from storage import UnitOfWork


class Services:
    def __init__(self, deployment: Deployment, kb: KnowledgeBase | None, uow: UnitOfWork) -> None:
        self.deployment = deployment
        self.kb = kb
        self.uow = uow

    @cached_property
    def notify(self) -> Notifier:
        return Notifier(self.uow.users, self.uow.outbox, managers=self.deployment.managers,
                        default_language=self.deployment.default_language)

    @cached_property
    def cards(self) -> Cards:
        return Cards(self.deployment, self.kb, self.uow.tickets, self.uow.assets, self.uow.users,
                     self.uow.inspections)

    @cached_property
    def topics(self) -> TopicMirror:
        return TopicMirror(self.deployment, self.uow.topics, self.uow.outbox, self.uow.tickets, self.notify)

    @cached_property
    def retention(self) -> Retention:
        return Retention(self.deployment, self.uow.housekeeping)

    @cached_property
    def roster(self) -> Roster:
        return Roster(self.deployment, self.uow.roster, self.uow.notices, self.uow.timers, self.notify)

    @cached_property
    def deadlines(self) -> Deadlines:
        return Deadlines(self.deployment, self.uow.tickets, self.uow.timers, self.notify)

    @cached_property
    def dispatch(self) -> Dispatcher:
        return Dispatcher(self.deployment, self.uow.tickets, self.uow.timers, self.roster, self.deadlines,
                          self.cards, self.notify)

    @cached_property
    def followups(self) -> FollowUpDesk:
        return FollowUpDesk(self.deployment, self.uow.tickets, self.uow.followups, self.uow.complaints,
                            self.uow.assets, self.uow.timers, self.notify)

    @cached_property
    def tickets(self) -> TicketDesk:
        return TicketDesk(self.deployment, self.uow.tickets, self.uow.drafts, self.uow.timers, self.dispatch,
                          self.deadlines, self.followups, self.notify)

    @cached_property
    def inspections(self) -> InspectionDesk:
        return InspectionDesk(self.deployment, self.uow.inspections, self.uow.assets, self.uow.timers, self.roster,
                              self.tickets, self.notify)

    @cached_property
    def thread(self) -> ThreadDesk:
        return ThreadDesk(self.uow.tickets, self.notify)

    @cached_property
    def console(self) -> Console:
        return Console(self.deployment, self.uow.tickets, self.uow.timers, self.uow.users, self.roster, self.cards,
                       self.notify, self.tickets, self.dispatch)
