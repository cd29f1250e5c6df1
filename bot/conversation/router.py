"""Where every update goes: one table of commands, one of buttons, one of awaited answers.

Handlers are plain async functions of the session, grouped by audience in the modules beside this
one (reporter, my_tickets, kb, engineer, manager, followup, common); this module only composes them.
A button's data is parsed by the one codec (`bot.callbacks`) into its type, which picks the handler;
anything that does not parse is refused as invalid. A typed text goes to the answer the bot is
waiting for, if any (a cancellation reason, a resolution note, a follow-up comment, an article form),
else to the fault report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot import callbacks
from bot.conversation import (
    common,
    console,
    engineer,
    followup,
    inspection,
    kb,
    manager,
    my_tickets,
    reporter,
    sticker,
    thread,
)
from bot.conversation.session import Session
from bot.messages import t

Command = Callable[[Session, str], Awaitable[None]]

COMMANDS: dict[str, Command] = {
    "start": common.cmd_start, "help": common.cmd_help, "lang": common.cmd_lang, "oncall": common.cmd_oncall,
    "new": reporter.cmd_new, "my": my_tickets.cmd_my, "status": my_tickets.cmd_status,
    "cancel": my_tickets.cmd_cancel, "kb": kb.cmd_kb, "queue": engineer.cmd_queue,
    "cover": manager.cmd_cover, "swap": manager.cmd_swap, "holiday": manager.cmd_holiday,
    "rotation": manager.cmd_rotation, "complaints": manager.cmd_complaints,
    "report": manager.cmd_report, "export": manager.cmd_export, "open": console.cmd_open,
    "dashboard": manager.cmd_dashboard,
}
"""/command → its handler (who may use it is the handler's question to the permission table)."""

BUTTONS: dict[type[callbacks.Callback], Callable[[Session, Any], Awaitable[None]]] = {
    callbacks.DraftAnswer: reporter.on_draft_button,
    callbacks.CancelTicket: my_tickets.on_cancel_button,
    callbacks.ChooseLanguage: common.on_language_button,
    callbacks.ShowArticle: kb.on_show_article,
    callbacks.ArticleForm: kb.on_form_button,
    callbacks.SaveAsArticle: kb.on_save_as_article,
    callbacks.FixedWith: kb.on_fixed_with,
    callbacks.LearnedPhrasing: kb.on_learned_phrasing,
    callbacks.TicketAction: engineer.on_card_button,
    callbacks.ConfirmFix: followup.on_confirm_fix,
    callbacks.FollowUpAnswer: followup.on_followup_button,
    callbacks.ComplaintAction: manager.on_complaint_button,
    callbacks.TicketThread: thread.on_button,
    callbacks.ConsoleAction: console.on_console_button,
    callbacks.InspectionAction: inspection.on_button,
    callbacks.StickerReport: sticker.on_button,
}
"""kind of button → its handler."""


@dataclass(frozen=True)
class Awaited:
    answer: Callable[[Session, str], Awaitable[None]]
    survives_commands: bool = False
    """A long form is not thrown away by a command typed in between; a one-line answer is."""
    photo: Callable[[Session, str, int | None, str | None, str | None], Awaitable[None]] | None = None
    """What takes a photo sent as the answer (file id, size, caption, album); None: photos go to the report."""


AWAITED: dict[str, Awaited] = {
    "cancel_reason": Awaited(my_tickets.answer_cancel_reason),
    "resolve": Awaited(engineer.answer_resolution),
    "decline_reason": Awaited(engineer.answer_decline_reason),
    "followup_comment": Awaited(followup.answer_comment),
    "kb_add": Awaited(kb.form_answer, survives_commands=True),
    thread.ADD: Awaited(thread.answer_text, photo=thread.answer_photo),
    thread.ANSWER: Awaited(thread.answer_text, photo=thread.answer_photo),
    thread.ASK: Awaited(thread.answer_question_text),
    "complaint_answer": Awaited(manager.answer_complaint),
    "console_reason": Awaited(console.answer_reason),
    inspection.NOTE: Awaited(inspection.answer_note, photo=inspection.answer_photo),
    inspection.DEVICE: Awaited(inspection.answer_device_text, photo=inspection.answer_photo),
    inspection.MOVE_REASON: Awaited(inspection.answer_move_reason),
}
"""kind of typed answer the bot waits for (`User.awaiting["kind"]`) → what takes it."""


async def on_command(s: Session, name: str, args: str) -> None:
    handler = COMMANDS.get(name)
    if handler is None:
        await s.say(t("unknown_command", command=f"/{name}"))
        return
    awaited = AWAITED.get(s.awaiting.get("kind", ""))
    if s.awaiting and name != "cancel" and not (awaited and awaited.survives_commands):
        s.await_answer(None)  # the question is dropped: the user moved on
    await handler(s, args)


async def on_text(s: Session, text: str) -> None:
    if s.awaiting:
        awaited = AWAITED.get(s.awaiting.get("kind", ""))
        if awaited is not None:
            await awaited.answer(s, text)
            return
        s.await_answer(None)  # a question this version no longer asks
    await reporter.on_text(s, text)


async def on_photo(s: Session, file_id: str, size: int | None, caption: str | None, group: str | None) -> None:
    """A photo answers the awaited question if that question takes photos; else it belongs to the report."""
    awaited = AWAITED.get(s.awaiting.get("kind", ""))
    if awaited is not None and awaited.photo is not None:
        await awaited.photo(s, file_id, size, caption, group)
        return
    await reporter.on_photo(s, file_id, size, caption, group)


async def on_button(s: Session, data: str) -> None:
    button = callbacks.parse(data)
    handler = BUTTONS.get(type(button)) if button is not None else None
    if handler is None:
        s.refuse(t("button_invalid"))
        return
    await handler(s, button)
