"""Writing a knowledge-base article from chat: a short guided form (title, device, symptoms, steps).

The form lives in the author's pending answer (`User.awaiting`) as a plain dict, so it survives a
restart like a fault report does. Editing an existing article is the same form, prefilled, where
every question can be answered with "keep".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from bot.domain.devices import ARTICLE_DEVICES
from knowledge.article import Article
from knowledge.loader import MAX_BODY as MAX_STEPS
from knowledge.loader import MAX_ID, MAX_SYMPTOM, MAX_SYMPTOMS, MAX_TITLE, ArticleError, parse_article, render_article

STAGES = ("title", "device", "symptoms", "steps", "confirm")
# The form's limits are the file format's (knowledge.loader), so an article written in a file can be
# edited from chat with "keep", and one written in chat exports and imports again.
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class FormError(ValueError):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def new_form(article_id: str | None, lang: str, existing: Article | None) -> dict[str, Any]:
    """A fresh form, prefilled from `existing` when editing.

    The id is checked here, before the first question, not when the form is saved: an id the loader
    would refuse (too long to travel in a chat button) must not cost the author a whole form."""
    if article_id is not None and not SLUG.fullmatch(article_id):
        raise FormError("kb.bad_id")
    if article_id is not None and len(article_id) > MAX_ID:
        raise FormError("kb.long_id", limit=MAX_ID)
    form: dict[str, Any] = {"kind": "kb_add", "stage": "title", "id": article_id, "lang": lang,
                            "editing": existing is not None}
    if existing is not None:
        form.update(title=existing.title, device=existing.device, symptoms=list(existing.symptoms),
                    body=existing.body)
    return form


def form_from_ticket(description: str, device_type: str | None, resolution: str, lang: str) -> dict[str, Any]:
    """A form prefilled from a resolved ticket: what the reporter said, and how it was fixed."""
    title = " ".join(description.split())[:MAX_TITLE] or "?"
    device = device_type if device_type in ARTICLE_DEVICES else "other"
    form = new_form(None, lang, None)
    form.update(editing=True, title=title, device=device, symptoms=[title[:MAX_SYMPTOM]],
                body=resolution.strip()[:MAX_STEPS])
    return form


def answer(form: dict[str, Any], text: str | None) -> dict[str, Any]:
    """Take the answer to the current question (None = keep the current value) and move on."""
    stage = form["stage"]
    updated = dict(form)
    if text is None:
        if not form.get("editing") or stage == "confirm":
            raise FormError("kb.cannot_keep")
    elif stage == "title":
        title = " ".join(text.split())
        if not title or len(title) > MAX_TITLE:
            raise FormError("kb.bad_title", limit=MAX_TITLE)
        updated["title"] = title
    elif stage == "device":
        if text not in ARTICLE_DEVICES:
            raise FormError("reject.bad_choice")
        updated["device"] = text
    elif stage == "symptoms":
        symptoms = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
        if not symptoms or len(symptoms) > MAX_SYMPTOMS or any(len(s) > MAX_SYMPTOM for s in symptoms):
            raise FormError("kb.bad_symptoms", limit=MAX_SYMPTOMS, length=MAX_SYMPTOM)
        updated["symptoms"] = symptoms
    elif stage == "steps":
        body = text.strip()
        if not body or len(body) > MAX_STEPS:
            raise FormError("kb.bad_steps", limit=MAX_STEPS)
        updated["body"] = body
    else:
        raise FormError("use_buttons")
    updated["stage"] = STAGES[STAGES.index(stage) + 1]
    return updated


def finish(form: dict[str, Any], taken_ids: set[str]) -> Article:
    """The article the form describes, checked by the same parser the files go through."""
    article_id = form.get("id") or unique_slug(form["title"], taken_ids)
    article = Article(id=article_id, lang=form["lang"], title=form["title"], device=form["device"],
                      symptoms=tuple(form["symptoms"]), body=form["body"], source="chat")
    try:
        return parse_article(render_article(article), "chat")
    except ArticleError as exc:
        raise FormError("kb.invalid", reason=str(exc)) from None


def unique_slug(title: str, taken: set[str]) -> str:
    """An id from the title ("Printer offline" → printer-offline); Chinese titles get a short hash.

    At most MAX_ID characters whatever the title and however many articles share its start: the id
    travels in a chat button, so the slug is cut to leave room for the "-2", "-3", … that keep it unique."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = "-".join(re.findall(r"[a-z0-9]+", ascii_title))
    slug = words[:MAX_ID - 10]
    if len(words) > len(slug) and words[len(slug)] != "-" and len(slug.rpartition("-")[0]) >= 3:
        slug = slug.rpartition("-")[0]  # cut between words, not in one
    slug = slug.strip("-")
    if len(slug) < 3:
        slug = "kb-" + hashlib.sha1(title.encode()).hexdigest()[:6]
    candidate, n = slug, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = slug[:MAX_ID - len(suffix)].rstrip("-") + suffix, n + 1
    return candidate
