"""The ticket card: what an engineer reads on the way, and the buttons that drive the work.

The card says what is broken, where, whom to call, what the device went through before and what the
reporter already tried; its buttons are the next steps the ticket's state allows. The duty group
gets the same card without the reporter's private data and without buttons.
"""

from __future__ import annotations

from datetime import datetime

from bot.callbacks import ConsoleAction, TicketAction, TicketThread
from bot.domain.dispatch import WAITING
from bot.domain.milestones import MILESTONES
from bot.domain.ticket import Status, Ticket
from bot.messages import Button, Reply, Text, TopicPost, t, verbatim
from bot.services.deployment import Deployment
from bot.services.knowledge import KnowledgeBase
from bot.services.topics import name_of
from storage.ports import Assets, Inspections, Tickets, Users

Buttons = tuple[tuple[Button, ...], ...]


def _button(label: str, ticket: Ticket, action: str) -> Button:
    return Button(t(label), TicketAction(ticket.number, action).pack())


def waiting_buttons(ticket: Ticket) -> Buttons:
    """Before anybody accepted: take it, or say you can't (the chain moves on at once)."""
    return ((_button("btn.accept", ticket, "accept"), _button("btn.decline", ticket, "decline")),)


def work_buttons(ticket: Ticket, *, on_the_way: bool = False) -> Buttons:
    """What the assignee can do next, by the ticket's state: the steps already taken are not offered
    again ("on my way" once pressed leaves "on site")."""
    if ticket.status is Status.RESOLVED:
        return ()
    first = []
    if ticket.status is Status.ACCEPTED:
        first = [_button("btn.on_site", ticket, "arrive")] if on_the_way else [
            _button("btn.on_the_way", ticket, "way"), _button("btn.on_site", ticket, "arrive")]
    part = (_button("btn.part_arrived", ticket, "resume") if ticket.paused_since
            else _button("btn.need_part", ticket, "part"))
    spare = (_button("btn.spare_back", ticket, "spareback") if ticket.spare_due
             else _button("btn.spare", ticket, "spare"))
    return tuple(row for row in (
        tuple(first), (part, spare),
        (_button("btn.hand_over", ticket, "handover"), _button("btn.tier2", ticket, "tier2")),
        (Button(t("ticket.btn.ask"), TicketThread(ticket.number, "ask").pack()),),
        (_button("btn.resolve", ticket, "resolve"),),
    ) if row)


def buttons_for(ticket: Ticket, *, on_the_way: bool = False) -> Buttons:
    return waiting_buttons(ticket) if ticket.status in WAITING else work_buttons(ticket, on_the_way=on_the_way)


def console_buttons(ticket: Ticket) -> Buttons:
    """What a manager can do to an open ticket: on its console card and on every alert about it.
    Escalating is for a ticket nobody has accepted; an accepted one is reassigned instead."""
    if not ticket.is_open:
        return ()
    n = ticket.number
    first = [Button(t("console.btn.reassign" if ticket.assignee_id else "console.btn.assign"),
                    ConsoleAction(n, "assign").pack())]
    if ticket.status in WAITING:
        first.append(Button(t("console.btn.escalate"), ConsoleAction(n, "escalate").pack()))
    return (tuple(first), (Button(t("console.btn.severity"), ConsoleAction(n, "severity").pack()),
                           Button(t("console.btn.cancel"), ConsoleAction(n, "cancel").pack())))


class Cards:
    def __init__(self, deployment: Deployment, kb: KnowledgeBase | None, tickets: Tickets, assets: Assets,
                 users: Users, inspections: Inspections) -> None:
        self.deployment = deployment
        self.kb = kb
        self.tickets = tickets
        self.assets = assets
        self.users = users
        self.inspections = inspections

    async def card(self, ticket: Ticket, lang: str, *, private: bool, now: datetime, on_the_way: bool = False) -> Text:
        """The ticket as an engineer needs it on the way: what, where, who, history, deadlines, and its
        state as it is now (`on_the_way`: accepted, and the engineer said they are on their way)."""
        asset = await self.assets.get(ticket.asset_no) if ticket.asset_no else None
        history = await self.tickets.asset_history(ticket.asset_no, ticket.opened_at) if ticket.asset_no else []
        # what inspections found on it (a warning, a fault), except the finding that opened this very ticket
        found = [(day, item) for day, item in await self.inspections.findings_of(ticket.asset_no)
                 if item.ticket != ticket.number] if ticket.asset_no else []
        reporter = await self.users.get(ticket.reporter_id) if private else None
        tried = [verbatim(self._article_title(article, lang)) for article in ticket.tried_articles]
        today = now.astimezone(self.deployment.tz).date()
        return t(
            "duty.card",
            number=ticket.number, severity=t(f"severity.{ticket.severity.value}"),
            device=verbatim(asset.label) if asset else t(f"device.{ticket.device_type or 'other'}"),
            warranty=t(f"warranty.{asset.warranty_status(today)}") if asset else None,
            place=ticket.location or "—", description=ticket.description or t("photos_only"),
            reporter=(reporter.name if reporter else str(ticket.reporter_id)) if private else None,
            phone=ticket.contact_phone if private else None,
            history=[*(t("duty.history_line", number=h.number, opened=h.opened_at,
                         status=t(f"status.{h.status.value}")) for h in history),
                     *(t("inspection.finding_line", day=day.isoformat(), result=t(f"inspection.result.{item.result}"),
                         note=item.note or "") for day, item in found)] or None,
            tried=tried or None, photos=len(ticket.photos),
            **{m: ticket.deadline(m, now, clocks=self.deployment.sla_clocks) for m in MILESTONES},
            paused=t("duty.paused", reason=ticket.pause_reason or "") if ticket.paused_since else None,
            spare=ticket.spare_due.isoformat() if ticket.spare_due else None,
            assignee=self.deployment.engineer_name(ticket.assignee_id) if ticket.assignee_id else None,
            status=t("duty.status_on_the_way") if on_the_way else t(f"status.{ticket.status.value}"),
        )

    async def for_engineer(self, ticket: Ticket, engineer_id: int, lang: str, now: datetime, *,
                           note: Text | None = None) -> Reply:
        """The card pushed to an engineer who is asked to take the ticket, with its photos."""
        card = await self.card(ticket, lang, private=True, now=now)
        text = t("duty.card.with_note", note=note, card=card) if note else card
        return Reply(engineer_id, text, lang, buttons=waiting_buttons(ticket), photos=ticket.photos,
                     ticket=ticket.number)

    async def for_duty_chat(self, ticket: Ticket, now: datetime) -> Reply | None:
        """The duty group sees every ticket, without the reporter's private data or buttons."""
        chat = self.deployment.config.bot.duty_chat_id
        if not chat:
            return None
        lang = self.deployment.default_language
        topic = None
        if self.deployment.duty_group.forum:  # a forum: the card opens the ticket's own topic
            topic = TopicPost(ticket.number, "post", name_of(ticket, lang))
        return Reply(chat, await self.card(ticket, lang, private=False, now=now), lang, topic=topic,
                     ticket=ticket.number if topic else None,  # a topic refused is told like any card
                     buttons=console_buttons(ticket) if topic else ())  # live for the staff (managers act)

    def _article_title(self, article_id: str, lang: str) -> str:
        """What the engineer reads for an article the reporter tried: its title, else its id."""
        shown = self.kb.show(article_id, lang) if self.kb is not None else None
        return shown.article.title if shown else article_id
