"""The one device vocabulary: what a reporter picks, what an article is about, the words people type.

`DEVICE_TYPES` is what can break and be repaired: a reporter picks one, the asset register records
one per asset, engineers list theirs as skills. `ARTICLE_DEVICES` is what a knowledge-base article may
be about: the same, plus `software` and `account`, because a self-service fix is often a password
reset or a program setting, a problem no engineer is sent for and no asset is registered under.
Every value has one label, the text `device.<value>`, in every language.
"""

from __future__ import annotations

import unicodedata

DEVICE_TYPES: tuple[str, ...] = (
    "printer", "copier", "scanner", "pc", "laptop", "monitor", "network", "projector", "phone", "ups", "other",
)
"""What a reporter picks, the asset register records and engineers' skills name."""

ARTICLE_DEVICES: tuple[str, ...] = (
    "printer", "copier", "scanner", "pc", "laptop", "monitor", "network", "projector", "phone", "ups",
    "software", "account", "other",
)
"""What a knowledge-base article may be about: every device type, and two that are not devices."""

_ALIASES: dict[str, str] = {
    "打印机": "printer", "printer": "printer", "复印机": "copier", "copier": "copier",
    "一体机": "copier", "mfp": "copier", "扫描仪": "scanner", "scanner": "scanner",
    "电脑": "pc", "台式机": "pc", "主机": "pc", "pc": "pc", "desktop": "pc", "computer": "pc",
    "笔记本": "laptop", "笔记本电脑": "laptop", "laptop": "laptop", "notebook": "laptop",
    "显示器": "monitor", "屏幕": "monitor", "monitor": "monitor", "screen": "monitor",
    "网络": "network", "network": "network", "wifi": "network", "投影仪": "projector",
    "投影": "projector", "projector": "projector", "电话": "phone", "座机": "phone",
    "phone": "phone", "ups": "ups", "不间断电源": "ups", "ups电源": "ups",
    "其他": "other", "其它": "other", "other": "other",
}


def normalise(text: str) -> str:
    """Fold full-width letters and case, drop spaces: "ＰＣ " → "pc"."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def device_type_from_text(text: str) -> str | None:
    """The device type a typed word names ("打印机", "Laptop"), or None."""
    return _ALIASES.get(normalise(text).replace("-", ""))
