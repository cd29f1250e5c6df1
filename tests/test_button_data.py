"""Callback data always fits Telegram's 64 bytes, by construction: a button whose data is longer is
refused by Telegram (BUTTON_DATA_INVALID) and the whole reply is lost.

Three guarantees are checked here: every kind of button packs within the limit with the largest
values its fields can take (a new kind fails until it has its worst case here); every button the bot
builds gets its data from that one codec; and the values that come from people (an article id typed
in `/kb add`, a title slugged into an id, an id in an imported file or stored before ids were capped)
are capped or shortened before they reach a button, with a clear answer when one is refused.
"""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import callbacks
from bot.callbacks import (
    ArticleForm,
    Callback,
    CancelTicket,
    ChooseLanguage,
    ComplaintAction,
    ConfirmFix,
    ConsoleAction,
    DraftAnswer,
    FixedWith,
    FollowUpAnswer,
    InspectionAction,
    LearnedPhrasing,
    SaveAsArticle,
    ShowArticle,
    StickerReport,
    TicketAction,
    TicketThread,
)
from bot.config import Config
from bot.conversation.common import LANGUAGE_NAMES
from bot.domain.clock import FakeClock
from bot.domain.devices import ARTICLE_DEVICES, DEVICE_TYPES
from bot.domain.intake import Draft, Step
from bot.domain.severity import Severity
from bot.domain.ticket import format_number, parse_number
from knowledge import authoring
from knowledge.article import Article
from knowledge.evidence import key_ref
from knowledge.loader import MAX_ID, render_article
from tests.conftest import ENGINEER2, LINA, MANAGER
from tests.harness import BotHarness, harness

ROOT = Path(__file__).parents[1]
SQLITE_MAX = 2**63 - 1
"""The largest INTEGER SQLite stores: ticket sequences, complaint ids and user ids are such columns.
Telegram's user ids are smaller (at most 52 significant bits), so this bounds them too."""
LONGEST_NUMBER = format_number(date.max.year, SQLITE_MAX)
"""HD-9999-9223372036854775807: a 4-digit year and the largest sequence the counter can reach."""
LONGEST_ARTICLE = "a" * MAX_ID


def _longest(*values: str) -> str:
    return max(values, key=lambda v: len(v.encode()))


CARD_ACTIONS = ("accept", "decline", "way", "arrive", "resume", "part", "spare", "spareback", "handover",
                "tier2", "resolve", "noparts", "card", f"to{SQLITE_MAX}")
DRAFT_STEPS = (*(step.value for step in Step), "edit")
DRAFT_VALUES = (*DEVICE_TYPES, *(level.value for level in Severity), *(step.value for step in Step), "photos",
                "skip", "last", "yes", "no", "submit", "edit", "cancel",
                f"s{10**9}", f"f{10**9}", f"n{10**9}")  # a site, a suggested article, by index
TOKEN = "f" * len(Draft(reporter_id=1, started_at=datetime(2026, 1, 1, tzinfo=UTC)).token)
"""A draft's token is random; its length is what counts."""

WORST: dict[type[Callback], list[Callback]] = {
    TicketAction: [TicketAction(LONGEST_NUMBER, _longest(*CARD_ACTIONS))],
    ConfirmFix: [ConfirmFix(LONGEST_NUMBER, _longest("yes", "no"))],
    FollowUpAnswer: [FollowUpAnswer(LONGEST_NUMBER, _longest("working", "same_fault", "other_problem",
                                                             "nocomment", "r5"))],
    ComplaintAction: [ComplaintAction(SQLITE_MAX, "handled")],
    ChooseLanguage: [ChooseLanguage(_longest(*LANGUAGE_NAMES))],
    CancelTicket: [CancelTicket(LONGEST_NUMBER)],
    SaveAsArticle: [SaveAsArticle(LONGEST_NUMBER)],
    ShowArticle: [ShowArticle.of(LONGEST_ARTICLE), ShowArticle.of("a" * 5000), ShowArticle.of("打印机卡纸" * 40),
                  ShowArticle.of("has:colon and space")],
    ArticleForm: [ArticleForm(_longest(*authoring.STAGES), _longest(*ARTICLE_DEVICES, "keep", "save", "cancel"))],
    DraftAnswer: [DraftAnswer(TOKEN, _longest(*DRAFT_STEPS), _longest(*DRAFT_VALUES))],
    TicketThread: [TicketThread(LONGEST_NUMBER, _longest("page", "info", "ask", f"a{SQLITE_MAX}"))],
    FixedWith: [FixedWith.of(LONGEST_NUMBER, LONGEST_ARTICLE), FixedWith.of(LONGEST_NUMBER, "打印机卡纸" * 40)],
    LearnedPhrasing: [LearnedPhrasing.of(key_ref("x"), LONGEST_ARTICLE), LearnedPhrasing.of(key_ref("y"), "a b")],
    ConsoleAction: [ConsoleAction(LONGEST_NUMBER, _longest("card", "assign", "escalate", "severity", "sevP1",
                                                           "cancel", f"to{SQLITE_MAX}"))],
    InspectionAction: [InspectionAction(SQLITE_MAX, SQLITE_MAX, _longest("start", "ok", "cleaned", "low", "fault",
                                                                         "move", "day", "handover", "to"))],
    # the longest sticker code a button carries (longer payloads go as their 22-character hash form)
    StickerReport: [StickerReport("b-" + "x" * 58), StickerReport("h-" + "f" * 20)],
}


def _kinds(base: type) -> set[type]:
    found: set[type] = set()
    for sub in base.__subclasses__():
        found |= {sub} | _kinds(sub)
    return found


def test_every_kind_of_button_has_a_worst_case_and_can_be_pressed() -> None:
    """A new Callback subclass fails here until its largest values are added to WORST."""
    kinds = _kinds(Callback)
    assert kinds == set(WORST), "add the new button's worst case to WORST"
    assert kinds == set(callbacks.KINDS.values())  # a kind missing from KINDS never parses back


def test_the_worst_cases_are_real_values() -> None:
    assert parse_number(LONGEST_NUMBER) == LONGEST_NUMBER
    assert TicketAction(LONGEST_NUMBER, f"to{SQLITE_MAX}").hand_over_to == SQLITE_MAX
    assert len(TOKEN) == 6


@pytest.mark.parametrize("button", [b for examples in WORST.values() for b in examples],
                         ids=lambda b: type(b).__name__)
def test_the_worst_case_of_each_kind_fits_and_parses_back(button: Callback) -> None:
    data = button.pack()
    assert len(data.encode()) <= callbacks.MAX_BYTES, data
    assert callbacks.parse(data) == button


def test_an_article_id_too_long_for_a_button_travels_as_a_short_key() -> None:
    assert ShowArticle.of(LONGEST_ARTICLE) == ShowArticle(LONGEST_ARTICLE)  # ids that fit travel as they are
    long = ShowArticle.of("b" * (MAX_ID + 1) * 2)
    assert long.is_key and long.article_id == callbacks.article_key("b" * (MAX_ID + 1) * 2)
    assert long != ShowArticle.of("c" * (MAX_ID + 1) * 2)  # each long id has its own key
    assert not ShowArticle.of(LONGEST_ARTICLE).is_key


def _data_arguments() -> list[tuple[str, int, ast.expr | None]]:
    """Every Button(label, data) and callback_data=… in the bot's source, with the expression given."""
    found: list[tuple[str, int, ast.expr | None]] = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            keywords = {k.arg: k.value for k in node.keywords}
            if name == "Button":
                found.append((where, node.lineno, node.args[1] if len(node.args) > 1 else keywords.get("data")))
            elif "callback_data" in keywords:
                found.append((where, node.lineno, keywords["callback_data"]))
    return found


def test_every_button_the_bot_builds_gets_its_data_from_the_codec() -> None:
    """Data made any other way (a string put together by hand) has no limit: only `Callback.pack()`
    refuses what does not fit. The exceptions pass along data the codec made: a stored reply read
    back from the outbox, and the Telegram adapter turning a Button into Telegram's button."""
    found = _data_arguments()
    assert len(found) > 20  # the scan does see the bot's keyboards
    odd = []
    for where, line, expr in found:
        packed = isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "pack"
        passed_on = ((where == "bot/messages.py" and isinstance(expr, ast.Subscript))  # reply_from_json
                     or (isinstance(expr, ast.Attribute) and expr.attr == "data"))  # Button.data
        if not (packed or passed_on):
            odd.append(f"{where}:{line}: {ast.unparse(expr) if expr else '?'}")
    assert odd == []


# ---- `/kb add` and `kb import`, through the real bot ---------------------------------------------
@pytest.fixture
async def fresh_desk(config: Config, clock: FakeClock, tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with harness(config, clock, tmp_path / "helpdesk.db", fresh_kb=True) as h:
        yield h


def _fits(data: str) -> bool:
    return 0 < len(data.encode()) <= callbacks.MAX_BYTES


async def _write_article(desk: BotHarness, command: str, title: str, symptom: str) -> str:
    """An English article through the chat form; returns what the bot said when it was saved."""
    await desk.say(ENGINEER2, command)
    await desk.say(ENGINEER2, title)
    await desk.press(ENGINEER2, "Other")
    await desk.say(ENGINEER2, symptom)
    await desk.say(ENGINEER2, "1. Switch it off and on.\n2. Call an engineer if it stays.")
    replies = await desk.press(ENGINEER2, "💾 Save")
    return replies[-1].text


async def _open_found(desk: BotHarness, query: str, title: str) -> tuple[str, str]:
    """Search as a reporter, press the article's button; its callback data and the article shown."""
    found = (await desk.say(LINA, f"/kb {query}"))[0]
    data = found.callback_data(f"📘 {title}")
    shown = await desk.press(LINA, f"📘 {title}", found)
    return data, shown[0].text


async def test_an_id_too_long_for_a_button_is_refused_before_the_form(fresh_desk: BotHarness) -> None:
    desk = fresh_desk
    replies = await desk.say(ENGINEER2, "/kb add " + "a" * (MAX_ID + 1))
    assert len(replies) == 1 and "too long" in replies[0].text and f"at most {MAX_ID} characters" in replies[0].text
    assert "New article" not in replies[0].text  # no form was started to be refused at the end
    replies = await desk.say(MANAGER, "/kb add " + "b" * 200)
    assert len(replies) == 1 and f"最多 {MAX_ID} 个字符" in replies[0].text
    assert desk.rows("SELECT awaiting FROM users WHERE id IN (?, ?) AND awaiting IS NOT NULL",
                     (ENGINEER2.id, MANAGER.id)) == []


async def test_an_id_of_the_longest_length_is_saved_and_its_button_opens_it(fresh_desk: BotHarness) -> None:
    desk = fresh_desk
    article_id = "x" * (MAX_ID - 2) + "-y"
    said = await _write_article(desk, f"/kb add {article_id}", "Shredder eats paper", "the shredder eats paper")
    assert f"as {article_id}" in said
    data, shown = await _open_found(desk, "shredder eats paper", "Shredder eats paper")
    assert data == f"k:{article_id}" and _fits(data)
    assert "1. Switch it off" in shown


async def test_ids_made_from_long_titles_fit_and_stay_unique(fresh_desk: BotHarness) -> None:
    desk = fresh_desk
    title = ("Projector fan " * 9).strip()[: authoring.MAX_TITLE]
    await _write_article(desk, "/kb add", title, "projector fan noise loud")
    await _write_article(desk, "/kb add", title, "projector fan noise loud again")
    ids = sorted(row[0] for row in desk.rows("SELECT id FROM kb_articles"))
    assert len(ids) == 2 and ids[0] != ids[1] and all(len(i) <= MAX_ID for i in ids), ids
    found = (await desk.say(LINA, "/kb projector fan noise loud"))[0]
    datas = [b["callback_data"] for row in found.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
    assert {f"k:{i}" for i in ids} <= set(datas) and all(_fits(d) for d in datas)


def test_slugs_keep_within_the_cap_however_many_share_a_title() -> None:
    title = "Printer " * 15
    first = authoring.unique_slug(title, set())
    taken = {first, *(f"{first}-{n}" for n in range(2, 1000))}
    last = authoring.unique_slug(title, taken)
    assert last not in taken and len(last) <= MAX_ID and authoring.SLUG.fullmatch(last)
    assert authoring.unique_slug("Projector fan " * 9, set()) == "projector-fan-projector-fan-projector-fan"  # words
    made = authoring.unique_slug("打印机卡纸，纸盒里的纸怎么也取不出来", set())
    assert made.startswith("kb-") and made.isascii() and len(made) <= MAX_ID


async def test_an_article_stored_before_ids_were_capped_still_opens(fresh_desk: BotHarness) -> None:
    """`kb import` and `/kb add` once took any length: such a row in the database must not make every
    /kb answer that would offer it vanish."""
    desk = fresh_desk
    legacy = "-".join(["toner"] * 30)  # 179 characters
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        article = Article(id=legacy, lang="zh", title="硒鼓漏粉", device="printer",
                          symptoms=("打印出来全是黑点，硒鼓漏粉",), body="1. 取出硒鼓轻轻摇匀。\n2. 还不行请报修。",
                          source="test")
        await tx.kb.save(article, None, desk.clock.now())
    await desk.restart()  # stored articles are read at start
    data, shown = await _open_found(desk, "硒鼓漏粉 黑点", "硒鼓漏粉")
    assert data.startswith("k:#") and _fits(data)
    assert shown.startswith("📘 硒鼓漏粉") and "取出硒鼓" in shown


def test_kb_import_refuses_an_id_too_long_for_a_button(tmp_path: Path) -> None:
    """`helpdesk kb import` reads files with the loader, so its cap on ids applies there too."""
    folder = tmp_path / "in"
    folder.mkdir()
    for article_id in ("a" * MAX_ID, "b" * (MAX_ID + 1)):
        article = Article(article_id, "en", "Stapler jammed", "copier", ("the stapler is stuck",), "1. Open it.", "")
        (folder / f"{article_id[0]}.md").write_text(render_article(article), encoding="utf-8")
    db = tmp_path / "h.db"
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_DB": str(db),
           "HELPDESK_CONFIG": os.devnull}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "kb", "import", str(folder)], capture_output=True,
                            text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "imported 1 article versions" in result.stdout and "skipped 1 files" in result.stdout
    assert "b.md" in result.stderr and f"longer than {MAX_ID} characters" in result.stderr
    with sqlite3.connect(db) as conn:
        assert [row[0] for row in conn.execute("SELECT id FROM kb_articles")] == ["a" * MAX_ID]
