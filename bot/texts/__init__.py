"""Every user-visible text, one module per language, and `render`, which turns a `Text` into a string.

The texts belong to no channel: the Telegram adapter (`bot.chat`), the report worker and the CLI all
render through here, so none of them has to import Telegram to say something. Each language is two
modules and more, split by reader: `en.py` (the chat), `en_reports.py` (the manager's report),
`en_console.py` (the dispatcher's console), `en_ticket.py` (a ticket's page and its conversation),
`en_roles.py` (help and menus by role, complaints), `en_intake.py` (what a report refuses or asks back),
`en_learned.py` (learning from outcomes), `en_inspection.py` (preventive maintenance), `en_sticker.py`
(the devices' QR stickers), `en_dashboard.py` (the managers' live board, a Mini App), likewise
`zh*.py`; the layouts both languages share are in `shapes.py`.
`tests/test_config_and_texts.py` checks every language has the same keys and placeholders.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from bot.messages import Text
from bot.texts.en import EN
from bot.texts.en_console import EN_CONSOLE
from bot.texts.en_dashboard import EN_DASHBOARD
from bot.texts.en_inspection import EN_INSPECTION
from bot.texts.en_intake import EN_INTAKE
from bot.texts.en_learned import EN_LEARNED
from bot.texts.en_reports import EN_REPORTS
from bot.texts.en_roles import EN_ROLES
from bot.texts.en_sticker import EN_STICKER
from bot.texts.en_ticket import EN_TICKET
from bot.texts.shapes import Template
from bot.texts.zh import ZH
from bot.texts.zh_console import ZH_CONSOLE
from bot.texts.zh_dashboard import ZH_DASHBOARD
from bot.texts.zh_inspection import ZH_INSPECTION
from bot.texts.zh_intake import ZH_INTAKE
from bot.texts.zh_learned import ZH_LEARNED
from bot.texts.zh_reports import ZH_REPORTS
from bot.texts.zh_roles import ZH_ROLES
from bot.texts.zh_sticker import ZH_STICKER
from bot.texts.zh_ticket import ZH_TICKET

TEXTS: dict[str, dict[str, Template]] = {
    "en": {**EN, **EN_REPORTS, **EN_CONSOLE, **EN_TICKET, **EN_ROLES, **EN_INTAKE, **EN_LEARNED,
           **EN_INSPECTION, **EN_STICKER, **EN_DASHBOARD},
    "zh": {**ZH, **ZH_REPORTS, **ZH_CONSOLE, **ZH_TICKET, **ZH_ROLES, **ZH_INTAKE, **ZH_LEARNED,
           **ZH_INSPECTION, **ZH_STICKER, **ZH_DASHBOARD},
}
"""language → text key → template."""

MAX_MESSAGE = 4096


def render(text: Text, lang: str, tz: tzinfo) -> str:
    """The text in `lang`, with instants shown in the deployment's time zone."""
    template = TEXTS.get(lang, TEXTS["en"]).get(text.key) or TEXTS["en"][text.key]
    params = {key: _param(value, lang, tz) for key, value in text.params.items()}
    params.setdefault("tz", getattr(tz, "key", str(tz)))
    if callable(template):
        result = template(params)
    else:
        result = template.format(**{k: "—" if v is None else v for k, v in params.items()})
    return _fit(result)


def _param(value: Any, lang: str, tz: tzinfo) -> Any:
    if value is None:
        return None
    if isinstance(value, Text):
        return render(value, lang, tz)
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return "\n".join(str(_param(item, lang, tz)) for item in value)
    return str(value)


def _fit(text: str) -> str:
    """Telegram refuses messages over 4096 characters; user text could push us over."""
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"
