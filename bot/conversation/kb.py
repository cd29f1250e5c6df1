"""The knowledge base in chat: `/kb WORDS` to search, `/kb add [id]` to write or edit an article,
"📘 Save as article" on a resolved ticket, showing an article, and learning from outcomes: the
verdicts that teach the matcher (a reporter's "This fixed it" / "Didn't help", an engineer's "📗 Fixed
with") and `/kb learned`, where engineers review what was learned and remove what is wrong.

Writing an article is a short form kept in the author's pending answer (`knowledge.authoring`), so it
survives a restart; a saved article is stored in this unit of work and indexed once it is committed.
"""

from __future__ import annotations

from typing import Any

from bot.callbacks import KEY_MARK, ArticleForm, FixedWith, LearnedPhrasing, SaveAsArticle, ShowArticle, article_key
from bot.conversation.session import Session
from bot.domain.devices import ARTICLE_DEVICES
from bot.domain.permissions import Act
from bot.domain.ticket import Ticket
from bot.messages import Button, rows, t, verbatim
from knowledge import authoring
from knowledge.evaluate import in_force
from knowledge.evidence import MIN_PEOPLE, Evidence, Outcome

#: Phrasings listed by `/kb learned`, most agreed first; and how much of each is quoted.
LEARNED_SHOWN = 15
QUOTE_CHARS = 80

Buttons = tuple[tuple[Button, ...], ...]


async def cmd_kb(s: Session, args: str) -> None:
    head, _, rest = args.partition(" ")
    if head.lower() in ("add", "edit"):
        await start_authoring(s, rest.strip() or None)
        return
    if args.strip().lower() == "learned":
        await show_learned(s)
        return
    if not args:
        await s.say(t("kb.usage"))
        return
    matches = s.kb.suggest(args, s.user.language) if s.kb else []
    if not matches:
        await s.say(t("kb.no_match"))
        return
    await s.say(t("kb.results" if matches[0].sure else "kb.results_unsure"), buttons=tuple(
        (Button(verbatim(f"📘 {m.title}"), ShowArticle.of(m.id).pack()),) for m in matches))


def article_named(s: Session, value: str) -> str:
    """The article id a button names: the id itself, or the id whose short key it is (an id too long
    for a button)."""
    if value.startswith(KEY_MARK) and s.kb:
        return next((a.id for a in s.kb.articles() if article_key(a.id) == value), value)
    return value


async def on_show_article(s: Session, button: ShowArticle) -> None:
    await show_article(s, article_named(s, button.article_id))


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


# ---- learning from outcomes ---------------------------------------------------------------------------
async def record_verdict(s: Session, article_id: str, query: str, helped: bool, *,
                         ticket: Ticket | None = None) -> bool:
    """Store a verdict in this transaction; the matcher learns from it once it commits. False: that
    ticket already had this article's verdict."""
    number = ticket.number if ticket else None
    recorded = await s.uow.kb.record_outcome(s.user.id, article_id, helped, query, s.now, ticket_number=number)
    kb = s.kb
    if recorded and kb is not None:
        outcome = Outcome(article_id, query, helped, s.user.id, by_engineer=ticket is not None)
        s.after_commit.append(lambda: kb.note(outcome))
    return recorded


def fixed_with_buttons(s: Session, ticket: Ticket) -> tuple[tuple[Button, ...], ...]:
    """"📗 Fixed with: …" for the articles the reporter tried and the best matches of the fault, at most 3."""
    if s.kb is None:
        return ()
    found = [m.id for m in s.kb.suggest(ticket.description, s.user.language)]
    ids = [i for i in dict.fromkeys((*ticket.tried_articles, *found)) if s.kb.show(i, s.user.language)][:3]
    return tuple((Button(t("learned.btn.fixed_with", title=article_title(s, i)),
                         FixedWith.of(ticket.number, i).pack()),) for i in ids)


async def on_fixed_with(s: Session, button: FixedWith) -> None:
    ticket = await s.uow.tickets.get(button.number)
    article_id = article_named(s, button.article_id)
    if ticket is None:
        s.refuse(t("button_invalid"))
        return
    reason = s.refused(Act.RESOLVE, ticket)
    if reason is not None:
        s.refuse(t(reason, number=ticket.number, assignee=s.deployment.engineer_name(ticket.assignee_id)))
        return
    if not ticket.resolution:
        s.refuse(t("learned.not_resolved", number=ticket.number))
        return
    if s.kb is None or s.kb.show(article_id, s.user.language) is None:
        s.refuse(t("kb.gone"))
        return
    if not await record_verdict(s, article_id, ticket.description, True, ticket=ticket):
        s.refuse(t("learned.fixed_with_again", number=ticket.number))
        return
    # No "chosen" mark: it would take the message's other buttons (Save as article) away with it.
    await s.say(t("learned.fixed_with", number=ticket.number, title=article_title(s, article_id)))


def _in_force(s: Session) -> list[Evidence]:
    return in_force(s.kb.evidence()) if s.kb else []


async def show_learned(s: Session) -> None:
    """`/kb learned`: the phrasings in force, with a 🗑 button each (engineers and managers)."""
    if s.refused(Act.EDIT_KB):
        await s.say(t("kb.not_allowed"))
        return
    groups = _in_force(s)
    if not groups:
        await s.say(t("learned.none", people=MIN_PEOPLE))
        return
    shown = groups[:LEARNED_SHOWN]
    lines = []
    for n, e in enumerate(shown, start=1):
        lines.append(t("learned.line.for" if e.learned else "learned.line.against", n=n,
                      query=verbatim(_quote(e.query)), title=article_title(s, e.article_id),
                      helped=len(e.helped_by), failed=len(e.failed_by)))
    buttons = [Button(t("learned.btn.remove", n=n), LearnedPhrasing.of(e.ref, e.article_id).pack())
               for n, e in enumerate(shown, start=1)]
    await s.say(t("learned.list", shown=len(shown), total=len(groups), people=MIN_PEOPLE, lines=lines),
                buttons=rows(buttons, 5))


async def on_learned_phrasing(s: Session, button: LearnedPhrasing) -> None:
    if s.refused(Act.EDIT_KB):
        s.refuse(t("kb.not_allowed"))
        return
    article_id = article_named(s, button.article_id)
    group = next((e for e in _in_force(s) if e.ref == button.ref and e.article_id == article_id), None)
    kb = s.kb
    if group is None or kb is None:
        s.refuse(t("learned.gone"))
        return
    await s.uow.kb.remove_evidence(article_id, group.key, s.user.id, s.now)
    s.after_commit.append(lambda: kb.forget(article_id, group.key))
    await s.say(t("learned.removed", query=verbatim(_quote(group.query)), title=article_title(s, article_id)))


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE_CHARS else flat[:QUOTE_CHARS - 1] + "…"
