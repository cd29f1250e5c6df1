"""Courtesy messages: "thanks", "ok", "谢谢", "好的", "hi", 👍 — a reporter being polite, not reporting.

Without a report in progress, any free text starts one, so "谢谢" after a ticket was opened became a
new report whose problem was "谢谢". The rule is small and general: a short message made only of
courtesy words (thanks, acknowledgements, greetings, forms of address, particles) in English or
Chinese, emoji and punctuation is courtesy. One word outside the vocabulary ("printer broken,
thanks"), or any digit, makes it a report again, so a real problem is never swallowed; a vocabulary
miss costs only the old behaviour (a report is started and can be discarded). Chinese has no spaces,
so a run of Chinese characters counts when it splits wholly into vocabulary words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import StrEnum

MAX_LENGTH = 60
"""Longer than this, a message is saying something more than thanks."""


class Courtesy(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    """Thanks, acknowledgements ("ok", "收到"), emoji: anything courteous that is not only a greeting."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GREETING_EN = _words("hi hello hey hiya morning afternoon evening greetings")
_THANKS_EN = _words(
    "thanks thank thx thanx tnx ty tks cheers ok okay okey k kk alright noted received got understood "
    "roger great cool nice perfect awesome excellent brilliant wonderful lovely appreciated appreciate "
    "fine sure yes yep yeah bye goodbye fixed solved resolved works working welcome")
_NEUTRAL_EN = _words(
    "you u so very much a lot it all good now again there everyone guys sir madam team dear for the "
    "that's thats you're youre kind of your help and many")

_GREETING_ZH = _words("你好 您好 哈喽 嗨 在吗 在么 在嘛 早 早上好 上午好 中午好 下午好 晚上好 早安 晚安")
_THANKS_ZH = _words(
    "谢谢 谢了 谢啦 多谢 感谢 谢 好 好的 好滴 好嘞 好了 行 可以 可以了 收到 明白 明白了 知道 知道了 了解 懂了 "
    "没问题 辛苦 辛苦了 麻烦了 棒 赞 厉害 再见 拜拜 修好 修好了 解决 解决了 没事 没事了 正常 正常了 "
    "嗯 嗯嗯 哦 噢 喔")
_NEUTRAL_ZH = _words(
    "你 您 师傅 老师 大家 各位 工程师 非常 十分 太 真 很 的 了 啊 呀 哈 哈哈 啦 呢 吧 哟 嘿 咯 现在 已经 都 也")
_ZH_WORDS = _GREETING_ZH | _THANKS_ZH | _NEUTRAL_ZH
_ZH_LONGEST = max(len(word) for word in _ZH_WORDS)


def courtesy(text: str, names: Iterable[str] = ()) -> Courtesy | None:
    """What kind of courtesy `text` is, or None when it says (or may say) something else.

    `names` (the engineers', say) count as forms of address: "Thanks, Wang Wei" is still thanks.
    Only punctuation ("??", "...") is not courtesy: it says nothing, and the intake asks for words."""
    folded = _fold(text)
    if not folded or len(folded) > MAX_LENGTH:
        return None
    named = {word for name in names for kind, word in _runs(_fold(name)) if kind in ("latin", "cjk")}
    words: list[str] = []
    emoji = False
    for kind, run in _runs(folded):
        if kind == "latin":
            words.append(run)
        elif kind == "cjk":
            split = _split_chinese(run, named)
            if split is None:
                return None
            words += split
        elif kind == "symbol":
            emoji = True
        elif kind == "other":  # a digit, or a letter of another script: not ours to call courtesy
            return None
    vocabulary = _GREETING_EN | _THANKS_EN | _NEUTRAL_EN | _ZH_WORDS | named
    if any(word not in vocabulary for word in words):
        return None
    if any(word in _THANKS_EN or word in _THANKS_ZH for word in words):
        return Courtesy.THANKS
    if any(word in _GREETING_EN or word in _GREETING_ZH for word in words):
        return Courtesy.GREETING
    return Courtesy.THANKS if emoji or "good" in words else None  # "all good"; "good morning" greets


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _runs(text: str) -> list[tuple[str, str]]:
    """`text` cut into runs of one kind: latin letters, Chinese characters, symbols (emoji), other
    letters or digits, and punctuation or spaces ("gap")."""
    runs: list[tuple[str, str]] = []
    for char in text:
        kind = _kind(char)
        if runs and runs[-1][0] == kind and kind in ("latin", "cjk"):
            runs[-1] = (kind, runs[-1][1] + char)
        else:
            runs.append((kind, char))
    return runs


def _kind(char: str) -> str:
    if (char.isascii() and char.isalpha()) or char in "'’":
        return "latin"
    if "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff":
        return "cjk"
    category = unicodedata.category(char)
    if category[0] in "LN":
        return "other"
    if category in ("So", "Sk") or char in "\u200d\ufe0f":  # emoji, skin tones, joiners, variation
        return "symbol"
    return "gap"


def _split_chinese(run: str, names: set[str]) -> list[str] | None:
    """The run as vocabulary words (or names), longest first at each point; None if some part is not one."""
    known = _ZH_WORDS | names
    longest = max(_ZH_LONGEST, *(len(name) for name in names)) if names else _ZH_LONGEST
    words: list[str] = []
    at = 0
    while at < len(run):
        for size in range(min(longest, len(run) - at), 0, -1):
            if run[at:at + size] in known:
                words.append(run[at:at + size])
                at += size
                break
        else:
            return None
    return words
