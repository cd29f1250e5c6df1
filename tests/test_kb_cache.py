"""The knowledge base's index cache (knowledge.cache): a restart reads the profiles it built before,
an edited article or a new learned phrasing is built afresh, and a damaged or foreign file is ignored."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.runtime import kb_cache_beside
from knowledge.article import Article
from knowledge.cache import MAGIC, ProfileCache
from knowledge.loader import load_articles, shipped_articles_dir
from knowledge.matcher import Matcher

QUERIES = ["打印机卡纸了", "vpn won't connect", "my monitor flickers", "hello bot", "wifi"]


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return load_articles(shipped_articles_dir()).articles


def answers(matcher: Matcher) -> list[list[tuple[str, float]]]:
    return [[(m.id, m.score) for m in matcher.search(q)] for q in QUERIES]


def test_a_restart_reads_every_profile_back_and_answers_the_same(tmp_path: Path, articles: list[Article]) -> None:
    path = tmp_path / "helpdesk.db.kb-index"
    first = ProfileCache(path)
    built = Matcher(articles, cache=first)
    first.save()
    ids = len({a.id for a in articles})
    assert (first.hits, first.misses) == (0, ids) and path.stat().st_size > 0
    assert path.stat().st_mode & 0o077 == 0  # as private as the database: it is unpickled

    second = ProfileCache(path)
    read = Matcher(articles, cache=second)
    assert (second.hits, second.misses) == (ids, 0) and not second.changed
    assert answers(read) == answers(built) == answers(Matcher(articles))


def test_an_edited_article_or_a_learned_phrasing_is_built_afresh(tmp_path: Path, articles: list[Article]) -> None:
    path = tmp_path / "kb-index"
    cache = ProfileCache(path)
    Matcher(articles, cache=cache)
    cache.save()
    edited = [replace(a, symptoms=(*a.symptoms, "the tray squeaks like a mouse")) if a.id == "printer-paper-jam"
              and a.lang == "en" else a for a in articles]
    again = ProfileCache(path)
    matcher = Matcher(edited, cache=again)
    assert again.misses == 1  # only the edited article
    assert [m.id for m in matcher.search("the tray squeaks like a mouse")][:1] == ["printer-paper-jam"]
    matcher.learn("wifi-drops", learned=["the internet thingy keeps vanishing"])
    assert again.misses == 2
    assert [m.id for m in matcher.search("the internet thingy keeps vanishing")][:1] == ["wifi-drops"]
    again.save()
    third = ProfileCache(path)  # an article that left the knowledge base leaves the file too
    Matcher([a for a in edited if a.id != "wifi-drops"], cache=third)
    assert third.misses == 0 and third.changed


@pytest.mark.parametrize("content", [b"", b"not ours at all", MAGIC + b"another-release\n" + b"\x80\x05junk",
                                     MAGIC])
def test_a_damaged_foreign_or_outdated_file_is_ignored_and_replaced(
        tmp_path: Path, articles: list[Article], content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "kb-index"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        cache = ProfileCache(path)
        matcher = Matcher(articles, cache=cache)
    assert cache.hits == 0 and answers(matcher) == answers(Matcher(articles))
    cache.save()
    rewritten = ProfileCache(path)
    Matcher(articles, cache=rewritten)
    assert (rewritten.hits, rewritten.misses) == (cache.misses, 0)


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path: Path, articles: list[Article],
                                                        caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = ProfileCache(blocker / "kb-index")  # its folder is a file
    with caplog.at_level(logging.WARNING):
        Matcher(articles[:4], cache=cache)
        cache.save()
    assert "could not write the index cache" in caplog.text


def test_the_cache_lives_beside_a_database_file_only() -> None:
    assert kb_cache_beside(Path("/srv/helpdesk/helpdesk.db")) == Path("/srv/helpdesk/helpdesk.db.kb-index")
    assert kb_cache_beside(Path(":memory:")) is None


async def test_the_bot_keeps_its_profiles_between_starts(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from bot.services.knowledge import KnowledgeBase
    from storage import open_storage

    storage = await open_storage(tmp_path / "helpdesk.db")
    try:
        cache = kb_cache_beside(tmp_path / "helpdesk.db")
        with caplog.at_level(logging.INFO, logger="bot.services.knowledge"):
            first, _ = await KnowledgeBase.load(storage, cache_path=cache)
            second, _ = await KnowledgeBase.load(storage, cache_path=cache)
    finally:
        await storage.close()
    n = len(first)
    assert f"0 article profiles read from {cache}, {n} built" in caplog.text
    assert f"{n} article profiles read from {cache}, 0 built" in caplog.text
    assert [m.id for m in second.suggest("打印机卡纸了", "zh")] == [m.id for m in first.suggest("打印机卡纸了", "zh")]
