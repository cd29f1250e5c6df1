"""The knowledge base in chat: `/kb WORDS` to search, `/kb add [id]` to write or edit an article,
"📘 Save as article" on a resolved ticket, and showing an article.

Writing an article is a short form kept in the author's pending answer (`knowledge.authoring`), so it
survives a restart; a saved article is stored in this unit of work and indexed once it is committed.
"""

from __future__ import annotations

from typing import Any

from bot.callbacks import ArticleForm, SaveAsArticle, ShowArticle, article_key
from bot.conversation.session import Session
from bot.domain.devices import ARTICLE_DEVICES
from bot.domain.permissions import Act
from bot.messages import Button, rows, t, verbatim
from knowledge import authoring

Buttons = tuple[tuple[Button, ...], ...]


async def cmd_kb(s: Session, args: str) -> None:
    head, _, rest = args.partition(" ")
    if head.lower() in ("add", "edit"):
        await start_authoring(s, rest.strip() or None)
        return
    if not args:
        await s.say(t("kb.usage"))
        return
    matches = s.kb.suggest(args, s.user.language) if s.kb else []
    if not matches:
        await s.say(t("kb.no_match"))
        return
    await s.say(t("kb.results"), buttons=tuple(
        (Button(verbatim(f"📘 {m.title}"), ShowArticle.of(m.id).pack()),) for m in matches))


async def on_show_article(s: Session, button: ShowArticle) -> None:
    article_id = button.article_id
    if button.is_key and s.kb:  # an id too long for a button, stored before ids were capped
        article_id = next((a.id for a in s.kb.articles() if article_key(a.id) == article_id), article_id)
    await show_article(s, article_id)


async def start_authoring(s: Session, article_id: str | None) -> None:
    if s.refused(Act.EDIT_KB):
        await s.say(t("kb.not_allowed"))
        return
    existing = s.kb.get(article_id, s.user.language) if s.kb and article_id else None
    try:
        form = authoring.new_form(article_id, s.user.language, existing)
    except authoring.FormError as error:
        await s.say(t(error.code, **error.params))
        return
    s.await_answer(form)
    await ask_form(s, form)


async def on_save_as_article(s: Session, button: SaveAsArticle) -> None:
    """The form prefilled from a resolved ticket's fault and its fix."""
    if s.refused(Act.EDIT_KB):
        s.refuse(t("kb.not_allowed"))
        return
    ticket = await s.uow.tickets.get(button.number)
    if ticket is None or not ticket.resolution:
        s.refuse(t("button_invalid"))
        return
    form = authoring.form_from_ticket(ticket.description, ticket.device_type, ticket.resolution, s.user.language)
    s.await_answer(form)
    s.chose(t("btn.save_as_article"))
    await ask_form(s, form)


async def ask_form(s: Session, form: dict[str, Any]) -> None:
    stage = form["stage"]
    keep = ((Button(t("btn.keep"), ArticleForm(stage, "keep").pack()),),) if form.get("editing") else ()
    if stage == "device":
        await s.say(t("kb.ask.device"), buttons=(*rows(
            [Button(t(f"device.{d}"), ArticleForm("device", d).pack()) for d in ARTICLE_DEVICES], 3), *keep))
    elif stage == "confirm":
        preview = t("kb.article", title=form["title"], body=form["body"], note=None)
        await s.say(t("kb.preview", article=preview, symptoms="\n".join(form["symptoms"]),
                      device=t(f"device.{form['device']}")),
                    buttons=((Button(t("btn.save"), ArticleForm("confirm", "save").pack()),
                              Button(t("btn.cancel"), ArticleForm("confirm", "cancel").pack())),))
    else:
        current = form.get({"title": "title", "symptoms": "symptoms", "steps": "body"}[stage])
        if isinstance(current, list):
            current = "\n".join(current)
        await s.say(t(f"kb.ask.{stage}", current=current), buttons=keep)


async def form_answer(s: Session, text: str | None) -> None:
    """A typed answer (or "keep", None) to the form's current question."""
    form = s.awaiting
    try:
        form = authoring.answer(form, text)
    except authoring.FormError as error:
        await s.say(t(error.code, **error.params))
        await ask_form(s, form)
        return
    s.await_answer(form)
    await ask_form(s, form)


async def on_form_button(s: Session, button: ArticleForm) -> None:
    form = s.awaiting
    if form.get("kind") != "kb_add" or form.get("stage") != button.stage:
        s.refuse(t("button_stale"))
        return
    if button.stage == "confirm":
        s.chose(t("btn.save" if button.value == "save" else "btn.cancel"))
        s.await_answer(None)
        if button.value != "save":
            await s.say(t("kb.discarded"))
            return
        await save_article(s, form)
        return
    s.chose(t("btn.keep") if button.value == "keep" else t(f"device.{button.value}"))
    await form_answer(s, None if button.value == "keep" else button.value)


async def save_article(s: Session, form: dict[str, Any]) -> None:
    kb = s.kb
    if kb is None:
        await s.say(t("kb.gone"))
        return
    taken = {a.id for a in kb.articles()}
    try:
        article = authoring.finish(form, taken)
    except authoring.FormError as error:
        await s.say(t(error.code, **error.params))
        return
    await s.uow.kb.save(article, s.user.id, s.now)
    s.after_commit.append(lambda: kb.put(article))
    await s.say(t("kb.saved", id=article.id, title=article.title))


def article_title(s: Session, article_id: str) -> str:
    shown = s.kb.show(article_id, s.user.language) if s.kb else None
    return shown.article.title if shown else article_id


async def show_article(s: Session, article_id: str, buttons: Buttons = ()) -> None:
    shown = s.kb.show(article_id, s.user.language) if s.kb else None
    if shown is None:
        s.refuse(t("kb.gone"))
        return
    note = t(f"kb.only_in.{shown.article.lang}") if shown.other_language else None
    await s.say(t("kb.article", title=shown.article.title, body=shown.article.body, note=note), buttons=buttons)
