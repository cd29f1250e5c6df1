"""The matcher's decision (knowledge/signals.py, knowledge/confidence.py) on the shipped articles, for
what users were seen typing: keywords, vague and chatty messages, faults the knowledge base has no
article for, and things that are not IT at all."""

from __future__ import annotations

import pytest

from knowledge.article import Article
from knowledge.confidence import SURE, decide
from knowledge.intent import asks_for
from knowledge.loader import load_articles, shipped_articles_dir
from knowledge.matcher import Matcher
from knowledge.signals import Signals


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_articles(shipped_articles_dir()).articles)


def ids(matcher: Matcher, query: str) -> list[str]:
    return [m.id for m in matcher.search(query)]


@pytest.mark.parametrize(("query", "article"), [
    ("vpn", "vpn-cannot-connect"), ("wifi", "wifi-drops"), ("VPN", "vpn-cannot-connect"),
    ("蓝屏", "pc-blue-screen"), ("vpn not working", "vpn-cannot-connect"), ("wi-fi not working", "wifi-drops"),
])
def test_a_keyword_that_names_an_articles_subject_finds_it_first(matcher: Matcher, query: str, article: str) -> None:
    assert ids(matcher, query)[:1] == [article]


def test_a_keyword_shared_by_many_articles_gets_a_did_you_mean_list(matcher: Matcher) -> None:
    found = matcher.search("打印机")
    assert len(found) == 3 and not any(m.sure for m in found)
    assert all(m.id.startswith("printer-") for m in found)


def test_a_sure_answer_comes_alone_unless_another_answers_another_part(matcher: Matcher) -> None:
    assert ids(matcher, "蓝屏") == ["pc-blue-screen"]  # not the projector whose "no signal" screen is blue
    two_faults = ids(matcher, "printer jam, paper stuck and it shows offline")
    assert two_faults[0] == "printer-paper-jam" and "printer-offline" in two_faults


def test_a_terse_fault_the_best_article_does_not_have_gets_nothing() -> None:
    """A knowledge base with no VPN article: "VPN 连不上" is a fault it has no answer for, though an
    article mentions the VPN; a longer message keeps its guesses, and the article answers once it is
    there."""
    def article(art_id: str, title: str, *symptoms: str) -> Article:
        return Article(art_id, "en", title, "network", symptoms, "1. Try this.", "test")

    drive = article("drive-slow", "Network drive is slow", "Opening files on the S drive takes ages",
                    "The shared drive is slow over the VPN")
    vpn = article("vpn-fails", "VPN won't connect", "The VPN cannot connect from home")
    without = Matcher([drive])
    assert ids(without, "VPN 连不上") == [] and ids(without, "vpn won't connect") == []
    assert ids(without, "my files open slowly on the shared drive over vpn") == ["drive-slow"]
    assert ids(Matcher([drive, vpn]), "VPN 连不上")[:1] == ["vpn-fails"]


def test_a_fault_no_article_covers_is_not_answered_with_an_unrelated_one(matcher: Matcher) -> None:
    assert "printer-prints-garbage" not in ids(matcher, "my monitor flickers")
    assert not any(m.sure for m in matcher.search("my monitor flickers"))


@pytest.mark.parametrize("query", [
    "where do I buy a new printer for my team?", "明天想请一天假，找谁批", "thanks, the printer works now 👍",
    "hi there", "谢谢你啊，辛苦了", "今天食堂中午有什么菜", "the tap in the kitchen has been dripping all morning",
    "能把会议室的投影仪借回家用一下吗", "这个月工资怎么还没到账",
])
def test_what_is_not_an_it_fault_gets_nothing(matcher: Matcher, query: str) -> None:
    assert ids(matcher, query) == []


@pytest.mark.parametrize("query", [
    "hello bot, are you a real person?", "hi bot, how is your day going?", "你好呀，今天心情怎么样",
    "can I get a second monitor for my desk?", "could you install photoshop on my pc please",
    "is it ok to install Spotify on my work laptop?", "能不能给我装个 photoshop",
    "can I borrow the projector for friday",
])
def test_small_talk_and_requests_get_nothing(matcher: Matcher, query: str) -> None:
    """A greeting that names nothing is small talk; asking to be given or allowed something is a
    request for the request queue, not a fault an article fixes (knowledge.intent)."""
    assert ids(matcher, query) == []


@pytest.mark.parametrize(("query", "article"), [
    ("can you install the printer driver", "printer-driver-install"),  # the article is that task
    ("could you please install the printer driver on my laptop", "printer-driver-install"),
    ("can I get help? the printer is jammed", "printer-paper-jam"),  # a request with a fault in it
    ("复印机墨粉快没了，谁负责订新的", "printer-toner-low"),
    ("I deleted a file on the shared drive, can I get it back?", "shared-drive"),
    ("hello, wifi keeps dropping", "wifi-drops"), ("hi, vpn", "vpn-cannot-connect"),
])
def test_a_request_an_article_serves_or_a_greeting_before_a_fault_keeps_its_answer(
        matcher: Matcher, query: str, article: str) -> None:
    assert ids(matcher, query)[:1] == [article]


@pytest.mark.parametrize(("text", "asks"), [
    ("Can I get a second monitor?", True), ("could you install Photoshop for me", True),
    ("is it okay to install Spotify", True), ("I need a new keyboard", True), ("am I allowed to use a USB stick", True),
    ("I\u2019d like a docking station", True), ("can we borrow the projector", True),
    ("can I get the old version back?", False), ("can I get help with outlook", False),
    ("do I need a new cartridge?", False), ("can I keep printing?", False), ("the printer won't print", False),
    ("the site isn't allowed, I need it for work", False),
])
def test_what_reads_as_a_request(text: str, asks: bool) -> None:
    assert asks_for(text) is asks


@pytest.mark.parametrize(("query", "article"), [
    ("hi, my printer is offline", "printer-offline"),
    ("printer out of toner, where do I buy a new cartridge?", "printer-toner-low"),
    ("Good morning! Sorry to bother you, I sit on the 3rd floor by the window, and since I came back from "
     "lunch my computer shows a blue screen with a sad face every few minutes. I have a deadline today!",
     "pc-blue-screen"),
])
def test_courtesy_and_an_off_topic_word_beside_a_real_fault_do_not_hide_it(
        matcher: Matcher, query: str, article: str) -> None:
    assert ids(matcher, query)[:1] == [article]


def test_a_chinese_query_finds_an_article_that_only_has_an_english_version() -> None:
    matcher = Matcher(load_articles(shipped_articles_dir()).articles)
    matcher.remove("printer-offline", lang="zh")
    (found, *_) = matcher.search("打印机显示脱机，打不出来")
    assert (found.id, found.lang) == ("printer-offline", "en")


def _signals(art_id: str, cover: float, **extra: object) -> Signals:
    base = dict(margin=0.3, reach=0.8, missing=0.0, shared_fault=True, anchored=True, off_topic=False)
    return Signals(art_id, cover, **{**base, **extra})  # type: ignore[arg-type]


def test_the_decision_rules_on_plain_signals() -> None:
    assert decide([], 3) == []
    assert decide([_signals("a", 0.05)], 3) == []  # below the floor: nothing in common
    assert decide([_signals("a", 0.9, fault_unmet=True, words=3)], 3) == []  # terse, and not that fault
    assert decide([_signals("a", 0.9, fault_unmet=True, words=3, vouched=True)], 3) != []
    assert decide([_signals("a", 0.9, fault_unmet=True, words=12)], 3) != []  # a long message: a guess
    assert decide([_signals("a", 0.9, off_topic=True, anchored=False)], 3) == []
    assert [s.id for s, _ in decide([_signals("a", 0.9, off_topic=True)], 3)] == ["a"]  # anchored: in scope
    sure, guess = _signals("a", 0.95, margin=0.6), _signals("b", 0.9, margin=-0.6, missing=1.0)
    decided = decide([sure, guess], 3)
    assert [s.id for s, _ in decided] == ["a"] and decided[0][1] >= SURE
    other_part = _signals("b", 0.6, margin=-0.35, adds=True)
    assert [s.id for s, _ in decide([sure, other_part], 3)] == ["a", "b"]
    unsure = decide([_signals("a", 0.4, margin=0.01), _signals("b", 0.39, margin=-0.01),
                     _signals("c", 0.05, margin=-0.35)], 3)
    assert [s.id for s, _ in unsure] == ["a", "b"]  # c is too far behind to be worth a look
    assert unsure[0][1] < SURE and unsure[1][1] <= unsure[0][1]
