"""Tone-less pinyin readings of Han characters, for homophone typo matching.

pypinyin supplies the data. Importing the ``pypinyin`` package loads its large
phrase dictionary (~0.2 s), which the bot's start-up cannot afford and which
homophone matching does not need, so the per-character table that pypinyin
ships as JSON is read directly, once, on first use; importing the module is
the fallback if that file is ever missing.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _raw_table() -> dict[int, str]:
    spec = importlib.util.find_spec("pypinyin")
    if spec is not None and spec.origin:
        data_file = Path(spec.origin).parent / "pinyin_dict.json"
        if data_file.is_file():
            with open(data_file, encoding="utf-8") as fh:
                return {int(code): readings for code, readings in json.load(fh).items()}
    from pypinyin.pinyin_dict import pinyin_dict  # pragma: no cover - packaging fallback

    return dict(pinyin_dict)  # pragma: no cover


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.replace("ü", "v")


@lru_cache(maxsize=8192)
def syllables(ch: str) -> frozenset[str]:
    """Tone-less readings of one character, e.g. 屏 -> {ping, bing}; empty if unknown."""
    readings = _raw_table().get(ord(ch)) if len(ch) == 1 else None
    if not readings:
        return frozenset()
    return frozenset(_toneless(r) for r in readings.split(","))
