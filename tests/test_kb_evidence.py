"""Learning from outcomes, below the chat: how verdicts add up (knowledge.evidence) and what the matcher
does with them. The chat side (buttons, /kb learned, a restart) is in tests/test_kb_learning.py."""

from __future__ import annotations

from knowledge.article import Article
from knowledge.evidence import MIN_PEOPLE, Outcome, collect, key_ref, query_key
from knowledge.matcher import Matcher

QUERY = "the big grey box by the kitchen is flashing amber"


def _verdicts(*people: int, helped: bool = True, query: str = QUERY, article: str = "copier-jam") -> list[Outcome]:
    return [Outcome(article, query, helped, person) for person in people]


def test_one_person_is_not_enough_and_two_are() -> None:
    assert MIN_PEOPLE == 2
    (group,) = collect(_verdicts(1))
    assert not group.learned and not group.against
    (group,) = collect(_verdicts(1, 1, 1))  # the same person three times is still one person
    assert not group.learned
    (group,) = collect(_verdicts(1, 2))
    assert group.learned and not group.against
    assert group.helped_by == {1, 2}


def test_near_duplicates_group_and_a_persons_latest_verdict_wins() -> None:
    outcomes = [*_verdicts(1), *_verdicts(2, query="The big grey box by the kitchen is flashing amber!!")]
    (group,) = collect(outcomes)
    assert group.learned and group.query.endswith("!!")  # the latest wording is what a reviewer sees
    changed = [*_verdicts(1, 2), *_verdicts(2, helped=False)]
    (group,) = collect(changed)
    assert group.helped_by == {1} and group.failed_by == {2} and not group.learned


def test_didnt_help_counts_against_and_ties_count_for_nothing() -> None:
    (group,) = collect(_verdicts(1, 2, helped=False))
    assert group.against and not group.learned
    (group,) = collect([*_verdicts(1, 2), *_verdicts(3, 4, helped=False)])
    assert not group.against and not group.learned


def test_groups_are_per_article_and_removal_sticks() -> None:
    outcomes = [*_verdicts(1, 2), *_verdicts(1, 2, article="printer-offline")]
    groups = collect(outcomes)
    assert sorted(g.article_id for g in groups) == ["copier-jam", "printer-offline"]
    removed = {("copier-jam", query_key(QUERY))}
    assert [g.article_id for g in collect([*outcomes, *_verdicts(3)], removed)] == ["printer-offline"]


def test_a_text_without_words_teaches_nothing_and_refs_are_short_and_stable() -> None:
    assert collect(_verdicts(1, 2, query="!!! 🙂")) == []
    assert key_ref(query_key(QUERY)) == key_ref(query_key(QUERY.upper())) and len(key_ref("x")) == 10


ARTICLES = [
    Article("copier-jam", "en", "Paper jam in the copier", "copier",
            ("The copier says paper jam", "Paper is stuck in the copier"), "1. Open the front door.", "t"),
    Article("printer-offline", "en", "Printer shows offline", "printer",
            ("The printer is offline", "Printing does nothing, the printer is unavailable"), "1. Wake it up.", "t"),
    Article("vpn-cannot-connect", "en", "VPN cannot connect", "network",
            ("The VPN won't connect from home",), "1. Check the internet first.", "t"),
]


def test_a_learned_phrasing_finds_its_article_and_against_hides_it() -> None:
    matcher = Matcher(ARTICLES)
    before = [m.id for m in matcher.search(QUERY)]
    assert before[:1] != ["copier-jam"]
    matcher.learn("copier-jam", learned=[QUERY])
    assert [m.id for m in matcher.search(QUERY)][:1] == ["copier-jam"]
    assert [m.id for m in matcher.search("The big grey box by the kitchen is flashing amber again")][:1] == [
        "copier-jam"]  # a near-duplicate too
    matcher.learn("copier-jam", learned=[], against=[query_key(QUERY)])
    assert "copier-jam" not in [m.id for m in matcher.search(QUERY)]
    assert [m.id for m in matcher.search("paper jam in the copier")][:1] == ["copier-jam"]  # only that phrasing
