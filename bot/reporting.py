"""The reporter's side of the help desk: filling in a fault report and following one's tickets.

Handlers run inside a Session (one transaction per update): they load state, let the domain
decide, store the result and say what to reply. They know neither Telegram nor SQL.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain import report as intake
from bot.domain.assets import Asset
from bot.domain.contact import display_phone
from bot.domain.devices import DEVICE_TYPES, device_type_from_text
from bot.domain.permissions import Act
from bot.domain.report import ReportDraft, Step
from bot.domain.severity import Severity
from bot.domain.sla import compute_terms
from bot.domain.ticket import (
    Action,
    IllegalTransition,
    Ticket,
    opened_event,
    parse_number,
    transition,
)
from bot.kb_chat import KnowledgeSession
from bot.messages import Button, Text, rows, t, verbatim

GREETINGS = frozenset({"hi", "hello", "hey", "你好", "您好", "在吗", "在么", "hi there", "早", "早上好"})
MY_TICKETS_SHOWN = 10
RELATIVE_CUTOFF = 0.8


class ReporterSession(KnowledgeSession):
    """Everything a reporter does: the report, /my, /status, /cancel, /lang."""

    # ---- commands -----------------------------------------------------------------------------
    async def on_command(self, name: str, args: str) -> None:
        handler = {
            "start": self.cmd_start, "help": self.cmd_help, "new": self.cmd_new, "my": self.cmd_my,
            "status": self.cmd_status, "cancel": self.cmd_cancel, "lang": self.cmd_lang,
            "kb": self.cmd_kb,
        }.get(name)
        if handler is None:
            await self.say(t("unknown_command", command=f"/{name}"))
            return
        if self.user.awaiting and self.user.awaiting.get("kind") != "kb_add" and name != "cancel":
            self.user = replace(self.user, awaiting=None)
        await handler(args)

    async def cmd_start(self, args: str) -> None:
        await self.say(t("welcome", name=self.user.name))
        await self.prompt_if_drafting()

    async def cmd_help(self, args: str) -> None:
        await self.say(t("help"))

    async def cmd_new(self, args: str) -> None:
        draft = await self.tx.drafts.get(self.user.id)
        if draft is not None:
            await self.say(t("draft_in_progress"))
            await self.prompt(draft)
            return
        draft = intake.start(self.user.id, self.now)
        if args:
            await self.answer_text(draft, args)
            return
        await self.save(draft)
        await self.prompt(draft)

    async def cmd_my(self, args: str) -> None:
        tickets = await self.tx.tickets.of_reporter(self.user.id, MY_TICKETS_SHOWN)
        if not tickets:
            await self.say(t("my_none"))
            return
        lines = [self.ticket_line(ticket) for ticket in tickets]
        await self.say(t("my_list", lines=lines))

    async def cmd_status(self, args: str) -> None:
        number = parse_number(args) if args else None
        if number is None:
            await self.say(t("status_usage"))
            return
        ticket = await self.tx.tickets.get(number)
        if ticket is None or not self.may_see(ticket):
            await self.say(t("ticket_not_found", number=number))
            return
        await self.say(self.ticket_details(ticket))

    async def cmd_cancel(self, args: str) -> None:
        draft = await self.tx.drafts.get(self.user.id)
        number = parse_number(args.split(maxsplit=1)[0]) if args else None
        if number is None and draft is not None:
            await self.tx.drafts.delete(self.user.id)
            await self.say(t("draft_cancelled"), remove_keyboard=True)
            return
        if self.user.awaiting and not args:
            kind = self.user.awaiting.get("kind")
            self.user = replace(self.user, awaiting=None)
            await self.say(t("kb.discarded" if kind == "kb_add" else "cancel_aborted"))
            return
        if number is None:
            if args:
                await self.say(t("cancel_usage"))
                return
            await self.offer_cancellable()
            return
        reason = args.split(maxsplit=1)[1].strip() if len(args.split(maxsplit=1)) > 1 else ""
        ticket = await self.own_open_ticket(number)
        if ticket is None:
            return
        if reason:
            await self.cancel_ticket(ticket, reason)
        else:
            self.user = replace(self.user, awaiting={"kind": "cancel_reason", "ticket": number})
            await self.say(t("cancel_ask_reason", number=number))

    async def cmd_lang(self, args: str) -> None:
        choice = args.lower()[:2] if args else ""
        if choice in ("zh", "en"):
            self.user = replace(self.user, language=choice)
            await self.say(t("lang_set"))
            return
        await self.say(t("lang_choose"), buttons=((
            Button(verbatim("中文"), "lang:zh"), Button(verbatim("English"), "lang:en"),
        ),))

    # ---- free text, photos, contacts --------------------------------------------------------------
    async def on_text(self, text: str) -> None:
        if self.user.awaiting:
            await self.answer_awaited(text)
            return
        draft = await self.tx.drafts.get(self.user.id)
        if draft is None:
            if not text.strip():
                await self.say(t("reject.empty"))
                return
            if _normal(text) in GREETINGS:
                await self.say(t("welcome", name=self.user.name))
                return
            draft = intake.start(self.user.id, self.now)
        await self.answer_text(draft, text)

    async def answer_text(self, draft: ReportDraft, text: str) -> None:
        step = draft.step
        try:
            if step is Step.DESCRIBE:
                draft = intake.describe(draft, text)
            elif step is Step.DEVICE:
                draft = await self.device_from_text(draft, text)
                if draft is None:
                    return
            elif step is Step.SITE:
                draft = intake.set_site(draft, text)
            elif step is Step.ROOM:
                draft = intake.set_room(draft, text)
            elif step is Step.SEVERITY:
                draft = intake.set_severity(draft, _severity_from_text(text))
            elif step is Step.CONTACT:
                draft = intake.set_phone(draft, text, region=self.svc.config.bot.phone_region)
            else:  # a question only buttons answer
                await self.say(t("use_buttons"))
                await self.prompt(draft)
                return
        except intake.Rejected as rejected:
            await self.say(t(f"reject.{rejected.code}", **rejected.params))
            if draft.description is not None or draft.photos:
                await self.prompt(draft)
            return
        await self.advance(draft, was=step)

    async def device_from_text(self, draft: ReportDraft, text: str) -> ReportDraft | None:
        """A typed device word picks the type; anything else is looked up in the asset register."""
        if not text.strip():
            raise intake.Rejected("empty")
        device_type = device_type_from_text(text)
        if device_type is not None:
            return intake.choose_device_type(draft, device_type)
        asset = await self.tx.assets.find(text[:100])
        if asset is None:
            await self.say(t("asset_unknown", code=text.strip()[:40]))
            await self.prompt(draft)
            return None
        draft = intake.propose_asset(draft, asset)
        await self.save(draft)
        await self.prompt(draft)
        return None

    async def on_photo(self, file_id: str, size: int | None, caption: str | None, group: str | None) -> None:
        if self.user.awaiting and self.user.awaiting.get("kind") == "kb_add":
            await self.say(t("kb.text_only"))
            await self.ask_form(self.user.awaiting)
            return
        if self.user.awaiting:
            self.user = replace(self.user, awaiting=None)
        draft = await self.tx.drafts.get(self.user.id) or intake.start(self.user.id, self.now)
        same_album = group is not None and group == draft.last_media_group
        try:
            updated = intake.add_photo(draft, file_id, size, self.svc.photo_limit)
            if caption and caption.strip():
                updated = intake.describe(updated, caption)
        except intake.Rejected as rejected:
            await self.say(t(f"reject.{rejected.code}", **rejected.params))
            if await self.tx.drafts.get(self.user.id) is not None:
                await self.prompt(draft)
            return
        updated = self.with_suggestions(replace(updated, last_media_group=group))
        await self.save(updated)
        if same_album:
            return  # one answer per album, not one per picture
        await self.say(t("photo_added", count=len(updated.photos)))
        await self.prompt(updated)

    async def on_contact(self, phone: str, contact_user_id: int | None) -> None:
        draft = await self.tx.drafts.get(self.user.id)
        if draft is None or draft.step is not Step.CONTACT:
            await self.say(t("contact_unexpected"), remove_keyboard=True)
            if draft is not None:
                await self.prompt(draft)
            return
        if contact_user_id is not None and contact_user_id != self.user.id:
            await self.say(t("contact_not_own"))
            await self.prompt(draft)
            return
        try:
            draft = intake.set_phone(draft, phone, name=self.user.name, region=self.svc.config.bot.phone_region)
        except intake.Rejected as rejected:
            await self.say(t(f"reject.{rejected.code}"))
            await self.prompt(draft)
            return
        await self.advance(draft, was=Step.CONTACT)

    async def answer_awaited(self, text: str) -> None:
        awaiting = self.user.awaiting or {}
        if awaiting.get("kind") == "kb_add":
            await self.form_answer(text)
            return
        self.user = replace(self.user, awaiting=None)
        if awaiting.get("kind") == "cancel_reason":
            reason = text.strip()
            if not reason or len(reason) > intake.MAX_PLACE * 5:
                self.user = replace(self.user, awaiting=awaiting)
                await self.say(t("cancel_reason_bad", limit=intake.MAX_PLACE * 5))
                return
            ticket = await self.own_open_ticket(awaiting["ticket"])
            if ticket is not None:
                await self.cancel_ticket(ticket, reason)

    # ---- buttons ------------------------------------------------------------------------------
    async def on_button(self, data: str) -> None:
        parts = data.split(":")
        kind = parts[0]
        if kind == "lang" and len(parts) == 2 and parts[1] in ("zh", "en"):
            self.user = replace(self.user, language=parts[1])
            self.outcome.chosen = verbatim("中文" if parts[1] == "zh" else "English")
            await self.say(t("lang_set"))
            return
        if kind == "c" and len(parts) == 2 and (number := parse_number(parts[1])):
            ticket = await self.own_open_ticket(number, quiet=True)
            if ticket is None:
                self.refuse(t("button_stale"))
                return
            self.user = replace(self.user, awaiting={"kind": "cancel_reason", "ticket": number})
            self.outcome.chosen = verbatim(number)
            await self.say(t("cancel_ask_reason", number=number))
            return
        if kind == "s" and len(parts) == 2 and (number := parse_number(parts[1])):
            await self.start_from_ticket(number)
            return
        if kind == "k" and len(parts) == 2:
            await self.show_article(parts[1])
            return
        if kind == "a" and len(parts) == 3:
            await self.form_button(parts[1], parts[2])
            return
        if kind == "r" and len(parts) == 4:
            await self.report_button(token=parts[1], step=parts[2], value=parts[3])
            return
        self.refuse(t("button_invalid"))

    async def report_button(self, token: str, step: str, value: str) -> None:
        draft = await self.tx.drafts.get(self.user.id)
        if draft is None or draft.token != token:
            self.refuse(t("button_old_report"))
            return
        expected = "edit" if step == "edit" and draft.step is Step.SUMMARY else draft.step.value
        if step != expected:
            self.refuse(t("button_stale"))
            return
        was = draft.step
        try:
            if step == "edit":
                draft = intake.edit(draft, value)
                self.outcome.chosen = t(f"field.{value}")
            elif was is Step.SUGGEST:
                draft = await self.suggestion_answer(draft, value)
                if draft is None:
                    return
            elif was is Step.DESCRIBE and value == "photos":
                draft = intake.describe_with_photos_only(draft)
                self.outcome.chosen = t("btn.photos_only")
            elif was is Step.DEVICE:
                draft = intake.choose_device_type(draft, value)
                self.outcome.chosen = t(f"device.{value}")
            elif was is Step.CONFIRM_ASSET:
                draft = await self.asset_answer(draft, value)
            elif was is Step.SITE:
                draft = await self.site_answer(draft, value)
            elif was is Step.ROOM and value == "skip":
                draft = intake.set_room(draft, None)
                self.outcome.chosen = t("btn.skip")
            elif was is Step.SEVERITY:
                draft = intake.set_severity(draft, value)
                self.outcome.chosen = t(f"severity.{value}")
            elif was is Step.SUMMARY:
                await self.summary_answer(draft, value)
                return
            else:
                raise intake.Rejected("bad_choice")
        except intake.Rejected:
            self.refuse(t("button_invalid"))
            self.outcome.chosen = None
            return
        await self.advance(draft, was=was)

    async def suggestion_answer(self, draft: ReportDraft, value: str) -> ReportDraft | None:
        """Show an article, or take "fixed it" / "didn't help" / "skip"; None when the request ended."""
        if value == "skip":
            self.outcome.chosen = t("btn.kb_skip")
            return intake.skip_suggestions(draft)
        action, index = value[:1], value[1:]
        article_id = intake.suggestion(draft, index)
        if action == "s":
            await self.show_article(article_id, buttons=((
                Button(t("btn.kb_fixed"), f"r:{draft.token}:suggest:f{index}"),
                Button(t("btn.kb_not_fixed"), f"r:{draft.token}:suggest:n{index}"),
            ),))
            self.outcome.answer = None
            return None
        if action == "f":
            await self.tx.kb.record_outcome(self.user.id, article_id, True, draft.description or "", self.now)
            await self.tx.drafts.delete(self.user.id)
            self.outcome.chosen = t("btn.kb_fixed")
            await self.say(t("kb.fixed"))
            return None
        if action == "n":
            await self.tx.kb.record_outcome(self.user.id, article_id, False, draft.description or "", self.now)
            self.outcome.chosen = t("btn.kb_not_fixed")
            await self.say(t("kb.continue"))
            return intake.did_not_help(draft, article_id)
        raise intake.Rejected("bad_choice")

    async def asset_answer(self, draft: ReportDraft, value: str) -> ReportDraft:
        if value == "no":
            self.outcome.chosen = t("btn.no")
            return intake.reject_asset(draft)
        asset = await self.tx.assets.get(draft.pending_asset or "") if value == "yes" else None
        if asset is None:
            raise intake.Rejected("bad_choice")
        self.outcome.chosen = t("btn.yes")
        remembered = self.user.last_room if self.user.last_site == asset.site else None
        return intake.confirm_asset(draft, asset, remembered)

    async def site_answer(self, draft: ReportDraft, value: str) -> ReportDraft:
        sites = self.svc.config.intake.sites
        if value == "last" and self.user.last_site:
            self.outcome.chosen = verbatim(_place(self.user.last_site, self.user.last_room))
            return intake.set_site(draft, self.user.last_site, self.user.last_room or "")
        if value.startswith("s") and value[1:].isdigit() and int(value[1:]) < len(sites):
            site = sites[int(value[1:])]
            self.outcome.chosen = verbatim(site)
            return intake.set_site(draft, site)
        raise intake.Rejected("bad_choice")

    async def summary_answer(self, draft: ReportDraft, value: str) -> None:
        if value == "submit":
            self.outcome.chosen = t("btn.submit")
            await self.submit(draft)
        elif value == "cancel":
            self.outcome.chosen = t("btn.cancel")
            await self.tx.drafts.delete(self.user.id)
            await self.say(t("draft_cancelled"))
        elif value == "edit":
            self.outcome.chosen = t("btn.edit")
            await self.say(t("edit_which"), buttons=rows([
                Button(t(f"field.{step.value}"), f"r:{draft.token}:edit:{step.value}")
                for step in intake.EDITABLE
            ], 3))
        else:
            self.refuse(t("button_invalid"))

    # ---- moving the report along ------------------------------------------------------------------
    def with_suggestions(self, draft: ReportDraft) -> ReportDraft:
        """First-line support: once the fault is described, offer the knowledge base's best fixes."""
        if self.svc.kb is None or not intake.needs_suggestions(draft):
            return draft
        matches = self.svc.kb.suggest(draft.description or "", self.user.language)
        # Only what is close to the best match: a distant third guess costs the reporter a read.
        best = matches[0].score if matches else 0
        return intake.offer_suggestions(draft, [m.id for m in matches if m.score >= best * RELATIVE_CUTOFF])

    async def advance(self, draft: ReportDraft, was: Step) -> None:
        draft = self.with_suggestions(draft)
        await self.save(draft)
        if was is Step.CONTACT:
            await self.say(t("contact_saved"), remove_keyboard=True)
        await self.prompt(draft)

    async def save(self, draft: ReportDraft) -> None:
        await self.tx.drafts.save(draft, self.now)

    async def prompt_if_drafting(self) -> None:
        draft = await self.tx.drafts.get(self.user.id)
        if draft is not None:
            await self.prompt(draft)

    async def prompt(self, draft: ReportDraft) -> None:
        """Ask the draft's next question, with buttons wherever the choice is finite."""
        step, tok = draft.step, draft.token

        def button(label: Text, value: str) -> Button:
            return Button(label, f"r:{tok}:{step.value}:{value}")

        if step is Step.DESCRIBE:
            buttons = ((button(t("btn.photos_only"), "photos"),),) if draft.photos else ()
            await self.say(t("ask.describe"), buttons=buttons)
        elif step is Step.SUGGEST:
            await self.say(t("kb.suggest"), buttons=(
                *((button(verbatim("📘 " + self.article_title(article_id)), f"s{i}"),)
                  for i, article_id in enumerate(draft.suggestions)),
                (button(t("btn.kb_skip"), "skip"),),
            ))
        elif step is Step.DEVICE:
            await self.say(t("ask.device"), buttons=rows(
                [button(t(f"device.{d}"), d) for d in DEVICE_TYPES], 3))
        elif step is Step.CONFIRM_ASSET:
            asset = await self.tx.assets.get(draft.pending_asset or "")
            if asset is None:  # removed from the register meanwhile
                draft = intake.reject_asset(draft)
                await self.save(draft)
                await self.prompt(draft)
                return
            await self.say(self.asset_card(asset), buttons=((
                button(t("btn.yes"), "yes"), button(t("btn.no"), "no")),))
        elif step is Step.SITE:
            choices = []
            if self.user.last_site:
                choices.append(button(verbatim("📍 " + _place(self.user.last_site, self.user.last_room)), "last"))
            choices += [button(verbatim(site), f"s{i}") for i, site in enumerate(self.svc.config.intake.sites)]
            await self.say(t("ask.site"), buttons=rows(choices, 2))
        elif step is Step.ROOM:
            await self.say(t("ask.room", site=draft.site), buttons=((button(t("btn.skip"), "skip"),),))
        elif step is Step.SEVERITY:
            await self.say(t("ask.severity"), buttons=tuple(
                (button(t(f"severity.{level.value}"), level.value),) for level in Severity))
        elif step is Step.CONTACT:
            options = (verbatim(display_phone(self.user.last_phone)),) if self.user.last_phone else ()
            await self.say(t("ask.contact"), request_contact=t("btn.share_contact"), options=options)
        else:
            await self.say(await self.summary(draft), buttons=((
                button(t("btn.submit"), "submit"), button(t("btn.edit"), "edit"),
                button(t("btn.cancel"), "cancel"),
            ),))

    async def summary(self, draft: ReportDraft) -> Text:
        asset = await self.tx.assets.get(draft.asset_no) if draft.asset_no else None
        return t(
            "summary",
            description=draft.description or t("photos_only"),
            photos=len(draft.photos),
            device=self.device_text(draft.device_type, asset),
            place=_place(draft.site or "", draft.room),
            severity=t(f"severity.{draft.severity.value}") if draft.severity else "",
            phone=display_phone(draft.phone) if draft.phone else "",
        )

    def device_text(self, device_type: str | None, asset: Asset | None) -> Text:
        if asset is not None:
            return verbatim(asset.label)
        return t(f"device.{device_type or 'other'}")

    def asset_card(self, asset: Asset) -> Text:
        return t(
            "ask.confirm_asset",
            label=asset.label,
            device=t(f"device.{asset.device_type}"),
            place=" / ".join(p for p in (asset.site, asset.department) if p),
            warranty=t(f"warranty.{asset.warranty_status(self.now.astimezone(self.svc.config.tz).date())}"),
        )

    async def submit(self, draft: ReportDraft) -> None:
        if draft.step is not Step.SUMMARY or draft.severity is None:
            self.refuse(t("button_stale"))
            return
        config = self.svc.config
        year = self.now.astimezone(config.tz).year
        number = await self.tx.tickets.next_number(year)
        terms = compute_terms(
            config.sla.to_policy(), draft.severity, opened_at=self.now, site=draft.site,
            reporter_id=self.user.id, clocks=self.svc.sla_clocks,
        )
        ticket = Ticket(
            number=number, reporter_id=self.user.id, description=draft.description or "",
            severity=draft.severity, opened_at=self.now, sla=terms, photos=draft.photos,
            device_type=draft.device_type, asset_no=draft.asset_no, site=draft.site,
            room=draft.room, contact_phone=draft.phone, contact_name=draft.contact_name,
            updated_at=self.now, tried_articles=draft.tried,
            escalation=self.svc.duty.policy(draft.severity).to_json(),
        )
        await self.tx.tickets.add(ticket, [opened_event(ticket)])
        await self.tx.drafts.delete(self.user.id)
        self.user = replace(self.user, last_site=draft.site, last_room=draft.room, last_phone=draft.phone)
        deadlines = terms.deadlines
        await self.say(t(
            "submitted", number=number, severity=t(f"severity.{ticket.severity.value}"),
            respond=deadlines.respond_by, onsite=deadlines.onsite_by, resolve=deadlines.resolve_by,
            tier=terms.tier,
        ))
        await self.svc.duty.dispatch(self.tx, ticket, self.now)

    # ---- tickets ----------------------------------------------------------------------------------
    def may_see(self, ticket: Ticket) -> bool:
        return self.refused(Act.SEE_TICKET, ticket) is None

    async def own_open_ticket(self, number: str, quiet: bool = False) -> Ticket | None:
        ticket = await self.tx.tickets.get(number)
        if ticket is None or self.refused(Act.CANCEL, ticket):
            if not quiet:
                await self.say(t("ticket_not_found", number=number))
            return None
        if not ticket.is_open:
            if not quiet:
                await self.say(t("cancel_not_open", number=number, status=t(f"status.{ticket.status.value}")))
            return None
        return ticket

    async def offer_cancellable(self) -> None:
        open_tickets = [tk for tk in await self.tx.tickets.of_reporter(self.user.id, 50) if tk.is_open]
        if not open_tickets:
            await self.say(t("cancel_nothing"))
            return
        await self.say(t("cancel_pick"), buttons=tuple(
            (Button(verbatim(f"{tk.number} · {_short(tk.description)}"), f"c:{tk.number}"),)
            for tk in open_tickets[:10]
        ))

    async def cancel_ticket(self, ticket: Ticket, reason: str) -> None:
        try:
            cancelled, event = transition(
                ticket, Action.CANCEL, actor_id=self.user.id, at=self.now, reason=reason
            )
        except IllegalTransition as exc:
            await self.say(t("cancel_not_open", number=ticket.number, status=t(f"status.{exc.status.value}")))
            return
        await self.tx.tickets.update(cancelled, [event])
        await self.say(t("ticket_cancelled", number=ticket.number))

    def ticket_line(self, ticket: Ticket) -> Text:
        return t(
            "my_line", number=ticket.number, device=t(f"device.{ticket.device_type or 'other'}"),
            status=t(f"status.{ticket.status.value}"), severity=ticket.severity.value,
            due=ticket.sla.deadlines.resolve_by or ticket.sla.deadlines.respond_by,
            open=ticket.is_open,
        )

    def ticket_details(self, ticket: Ticket) -> Text:
        d = ticket.sla.deadlines
        return t(
            "status_details", number=ticket.number, status=t(f"status.{ticket.status.value}"),
            severity=t(f"severity.{ticket.severity.value}"), description=ticket.description or t("photos_only"),
            device=t(f"device.{ticket.device_type or 'other'}"), asset=ticket.asset_no or "—",
            place=ticket.location or "—", opened=ticket.opened_at, respond=d.respond_by,
            onsite=d.onsite_by, resolve=d.resolve_by, photos=len(ticket.photos),
            reason=ticket.cancel_reason,
        )


def _place(site: str, room: str | None) -> str:
    return f"{site} / {room}" if room else site


def _short(text: str, limit: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _normal(text: str) -> str:
    return " ".join(text.strip().casefold().rstrip("!！.。?？~").split())


def _severity_from_text(text: str) -> str:
    cleaned = text.strip().upper()
    return f"P{cleaned}" if cleaned in ("1", "2", "3", "4") else cleaned
