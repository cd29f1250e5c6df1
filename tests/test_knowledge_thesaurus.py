"""Normalisation, the thesaurus engine and the shipped thesaurus data."""

from __future__ import annotations

import pytest
import yaml

from knowledge.normalize import guess_lang, has_content, stem, surface, to_units
from knowledge.pinyin import syllables
from knowledge.thesaurus import (
    DEFAULT_THESAURUS,
    KINDS,
    Thesaurus,
    ThesaurusError,
    default_thesaurus,
)
from knowledge.typos import TypoCorrector


def concepts(text: str, typos: bool = True) -> set[str]:
    th = default_thesaurus()
    return {c for c, w in th.concepts_in(to_units(text), typos=typos).items() if w >= 0.8}


def test_full_width_and_case_are_folded() -> None:
    assert to_units("ＰＲＩＮＴＥＲ Ｏｆｆｌｉｎｅ").units == ("printer", "offlin")


def test_negations_collapse_to_not() -> None:
    for text in ("won't turn on", "doesnt turn on", "is unable to turn on", "can't turn on"):
        assert to_units(text).units == ("not", "turn", "on"), text


def test_stemming_folds_inflections() -> None:
    assert {stem(w) for w in ("jam", "jams", "jammed", "jamming", "jamm")} == {"jam"}
    assert stem("got") == stem("getting") == "get"


def test_elongated_words_are_shortened() -> None:
    assert to_units("sooooo slooooow").units == ("slow",)


def test_clause_breaks_and_scripts() -> None:
    u = to_units("打印机卡纸了，急！C盘满了")
    assert u.units == ("打", "印", "机", "卡", "纸", "了", None, "急", None, "c", "盘", "满", "了")
    assert u.han_runs() == ["打印机卡纸了", "急", "盘满了"]
    assert surface("IP 是 169.254.1.1 开头") == "ip 是 169 254 1 1 开头"


def test_has_content_and_language_guess() -> None:
    assert not has_content("😀 ?!。")
    assert has_content("ok")
    assert guess_lang("打印机 offline 了") == "zh"
    assert guess_lang("printer 坏了 again and again") == "en"


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("电脑开不了机", "no_power"),
        ("computer won't power on", "no_power"),
        ("no power at all", "no_power"),
        ("打印机卡纸", "paper_jam"),
        ("paper keeps jamming", "paper_jam"),
        ("又断网了", "no_internet"),
        ("no internet since lunch", "no_internet"),
        ("BSOD", "bsod"),
        ("蓝屏", "bsod"),
        ("硒鼓", "toner"),
        ("碳粉", "toner"),
        ("电脑死机", "freeze"),
        ("laptop hangs", "freeze"),
        ("投影仪", "projector"),
        ("no DP signal", "no_signal"),  # one extra word allowed inside a phrase
        ("打印鸡", "printer"),  # homophone typo of the last character
        ("where can I buy one", "purchase"),
    ],
)
def test_shipped_thesaurus_maps_synonyms(text: str, concept: str) -> None:
    assert concept in concepts(text)


def test_longest_phrase_wins() -> None:
    found = concepts("蓝屏")
    assert "bsod" in found
    assert "screen" not in found


def test_homophone_matching_is_limited_to_safe_cases() -> None:
    assert "malware" not in concepts("可以")  # 可疑 is only two characters long
    assert "printer" not in concepts("打印鸡", typos=False)


def test_pinyin_readings_are_toneless() -> None:
    assert "ping" in syllables("屏")
    assert syllables("屏") & syllables("平")
    assert syllables("a") == frozenset()


def test_implied_concepts_count_less() -> None:
    weights = default_thesaurus().concepts_in(to_units("thinkpad"))
    assert weights["laptop"] == 1.0
    assert 0 < weights["pc"] < 1.0


def test_thesaurus_data_is_well_formed() -> None:
    with open(DEFAULT_THESAURUS, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert len(data) > 100
    for cid, spec in data.items():
        assert spec["kind"] in KINDS, cid
        assert all(isinstance(t, str) and t.strip() for t in spec["terms"]), cid
    kinds = {spec["kind"] for spec in data.values()}
    assert kinds == set(KINDS)


def test_no_english_phrase_shrinks_to_one_word_it_does_not_list() -> None:
    """Terms are normalised like queries, stop words go: "how are you" would become "how" and match
    every "how do I…". A phrase may shrink to one word only if that word is a term of its own."""
    with open(DEFAULT_THESAURUS, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    shrunk = []
    for cid, spec in data.items():
        terms = [str(t) for t in spec["terms"]]
        singles = {tuple(u for u in to_units(t).units if u) for t in terms if len(t.split()) == 1}
        for term in terms:
            units = tuple(u for u in to_units(term).units if u)
            if term.isascii() and len(term.split()) > 1 and len(units) < 2 and units not in singles:
                shrunk.append((cid, term, units))
    assert shrunk == []


def test_no_out_of_scope_topic_hangs_on_one_chinese_character() -> None:
    """An out-of-scope topic can take a suggestion away, and one character is inside too many words:
    菜 in 菜单 (a menu), 订 in 修订 and 装订 (track changes, stapling)."""
    with open(DEFAULT_THESAURUS, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    single = [(cid, t) for cid, spec in data.items() if spec["kind"] == "oos"
              for t in map(str, spec["terms"]) if len(t) == 1 and not t.isascii()]
    assert single == []


def test_custom_thesaurus_and_wildcards() -> None:
    th = Thesaurus(
        {
            "room": {"kind": "context", "terms": ["会议室"]},
            "booking": {"kind": "oos", "terms": ["订*会议室", "book room"]},
        }
    )
    assert "booking" in th.concepts_in(to_units("帮我订三楼的会议室"))
    assert "booking" in th.concepts_in(to_units("book a meeting room"))
    assert "booking" not in th.concepts_in(to_units("订了很多很多东西的会议室"))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"x": ["not", "a", "mapping"]},
        {"x": {"kind": "nonsense", "terms": ["a"]}},
        {"x": {"kind": "fault", "terms": ["a"], "implies": ["missing"]}},
    ],
)
def test_malformed_thesaurus_is_rejected(data: dict) -> None:
    with pytest.raises(ThesaurusError):
        Thesaurus(data)


def test_typo_corrector_is_conservative() -> None:
    fixer = TypoCorrector(["monitor", "keyboard", "printer", "down", "lift"], known=["left"])
    assert fixer.correct("monitr") == "monitor"
    assert fixer.correct("keybaord") == "keyboard"
    assert fixer.correct("pritner") == "printer"
    assert fixer.correct("donw") == "down"  # four letters: only a swap
    assert fixer.correct("dawn") == "dawn"  # four letters, not a swap
    assert fixer.correct("left") == "left"  # a known word is never changed
    assert fixer.correct("xonitor") == "xonitor"  # first letter must agree


@pytest.mark.parametrize(("text", "topic"), [
    ("the booking site keeps signing me in as someone else", None),  # names the system with the problem
    ("报销系统打不开", None), ("考勤表打开只能看不能改", None), ("the HR portal shows a blank page", None),
    ("开机比我泡杯咖啡还久", None), ("屏幕暗得像没电一样，午饭后更糟", "food"),  # a comparison is no topic; lunch is
    ("how do I book a meeting room", "booking"), ("报销单要找谁签字", "pay"), ("今天食堂有什么菜", "food"),
])
def test_an_out_of_scope_word_counts_unless_it_names_an_it_system_or_is_a_comparison(
        text: str, topic: str | None) -> None:
    th = default_thesaurus()
    topics = {c for c in th.concepts_in(to_units(text)) if th.kind(c) == "oos"}
    assert topics == ({topic} if topic else set())
