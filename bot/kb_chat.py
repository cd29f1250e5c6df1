"""The knowledge base in chat: `/kb WORDS` to search, `/kb add [id]` to write or edit an article."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import authoring
from bot.domain.permissions import Act
from bot.messages import Button, rows, t, verbatim
from bot.session import Session
from knowledge.article import DEVICES


class KnowledgeSession(Session):
    async def cmd_kb(self, args: str) -> None:
        """`/kb WORDS` searches the knowledge base; `/kb add [id]` writes or edits an article."""
        head, _, rest = args.partition(" ")
        if head.lower() in ("add", "edit"):
            await self.start_authoring(rest.strip() or None)
            return
        if not args:
            await self.say(t("kb.usage"))
            return
        matches = self.svc.kb.suggest(args, self.user.language) if self.svc.kb else []
        if not matches:
            await self.say(t("kb.no_match"))
            return
        await self.say(t("kb.results"), buttons=tuple(
            (Button(verbatim(f"📘 {m.title}"), f"k:{m.id}"),) for m in matches))

    async def start_authoring(self, article_id: str | None) -> None:
        if self.refused(Act.EDIT_KB):
            await self.say(t("kb.not_allowed"))
            return
        kb = self.svc.kb
        existing = kb.get(article_id, self.user.language) if kb and article_id else None
        try:
            form = authoring.new_form(article_id, self.user.language, existing)
        except authoring.FormError as error:
            await self.say(t(error.code, **error.params))
            return
        self.user = replace(self.user, awaiting=form)
        await self.ask_form(form)

    async def start_from_ticket(self, number: str) -> None:
        """"Save as article" on a resolved ticket: the form prefilled from the fault and its fix."""
        if self.refused(Act.EDIT_KB):
            self.refuse(t("kb.not_allowed"))
            return
        ticket = await self.tx.tickets.get(number)
        if ticket is None or not ticket.resolution:
            self.refuse(t("button_invalid"))
            return
        form = authoring.form_from_ticket(ticket.description, ticket.device_type, ticket.resolution,
                                          self.user.language)
        self.user = replace(self.user, awaiting=form)
        self.outcome.chosen = t("btn.save_as_article")
        await self.ask_form(form)

    async def ask_form(self, form: dict) -> None:  # type: ignore[type-arg]
        stage = form["stage"]
        keep = ((Button(t("btn.keep"), f"a:{stage}:keep"),),) if form.get("editing") else ()
        if stage == "device":
            await self.say(t("kb.ask.device"), buttons=(*rows(
                [Button(t(f"device.{d}"), f"a:device:{d}") for d in DEVICES], 3), *keep))
        elif stage == "confirm":
            preview = t("kb.article", title=form["title"], body=form["body"], note=None)
            await self.say(t("kb.preview", article=preview, symptoms="\n".join(form["symptoms"]),
                             device=t(f"device.{form['device']}")),
                           buttons=((Button(t("btn.save"), "a:confirm:save"),
                                     Button(t("btn.cancel"), "a:confirm:cancel")),))
        else:
            current = form.get({"title": "title", "symptoms": "symptoms", "steps": "body"}[stage])
            if isinstance(current, list):
                current = "\n".join(current)
            await self.say(t(f"kb.ask.{stage}", current=current), buttons=keep)

    async def form_answer(self, text: str | None) -> None:
        form = self.user.awaiting or {}
        try:
            form = authoring.answer(form, text)
        except authoring.FormError as error:
            await self.say(t(error.code, **error.params))
            await self.ask_form(form)
            return
        self.user = replace(self.user, awaiting=form)
        await self.ask_form(form)

    async def form_button(self, stage: str, value: str) -> None:
        form = self.user.awaiting
        if not form or form.get("kind") != "kb_add" or form.get("stage") != stage:
            self.refuse(t("button_stale"))
            return
        if stage == "confirm":
            self.outcome.chosen = t("btn.save" if value == "save" else "btn.cancel")
            self.user = replace(self.user, awaiting=None)
            if value != "save":
                await self.say(t("kb.discarded"))
                return
            await self.save_article(form)
            return
        self.outcome.chosen = t("btn.keep") if value == "keep" else t(f"device.{value}")
        await self.form_answer(None if value == "keep" else value)

    async def save_article(self, form: dict) -> None:  # type: ignore[type-arg]
        kb = self.svc.kb
        if kb is None:
            await self.say(t("kb.gone"))
            return
        taken = {a.id for a in kb.articles()}
        try:
            article = authoring.finish(form, taken)
        except authoring.FormError as error:
            await self.say(t(error.code, **error.params))
            return
        await self.tx.kb.save(article, self.user.id, self.now)
        self.after_commit.append(lambda: kb.put(article))
        await self.say(t("kb.saved", id=article.id, title=article.title))

    def article_title(self, article_id: str) -> str:
        shown = self.svc.kb.show(article_id, self.user.language) if self.svc.kb else None
        return shown.article.title if shown else article_id

    async def show_article(self, article_id: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
        shown = self.svc.kb.show(article_id, self.user.language) if self.svc.kb else None
        if shown is None:
            self.refuse(t("kb.gone"))
            return
        note = t(f"kb.only_in.{shown.article.lang}") if shown.other_language else None
        await self.say(t("kb.article", title=shown.article.title, body=shown.article.body, note=note),
                       buttons=buttons)
