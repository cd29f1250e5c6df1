"""The device types a reporter picks from, and the words people type for them."""

from __future__ import annotations

import unicodedata

DEVICE_TYPES: tuple[str, ...] = (
    "printer", "copier", "scanner", "pc", "laptop", "monitor", "network", "projector", "phone", "other",
)

_ALIASES: dict[str, str] = {
    "打印机": "printer", "printer": "printer", "复印机": "copier", "copier": "copier",
    "一体机": "copier", "mfp": "copier", "扫描仪": "scanner", "scanner": "scanner",
    "电脑": "pc", "台式机": "pc", "主机": "pc", "pc": "pc", "desktop": "pc", "computer": "pc",
    "笔记本": "laptop", "笔记本电脑": "laptop", "laptop": "laptop", "notebook": "laptop",
    "显示器": "monitor", "屏幕": "monitor", "monitor": "monitor", "screen": "monitor",
    "网络": "network", "network": "network", "wifi": "network", "投影仪": "projector",
    "投影": "projector", "projector": "projector", "电话": "phone", "座机": "phone",
    "phone": "phone", "其他": "other", "其它": "other", "other": "other",
}


def normalise(text: str) -> str:
    """Fold full-width letters and case, drop spaces: "ＰＣ " → "pc"."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def device_type_from_text(text: str) -> str | None:
    """The device type a typed word names ("打印机", "Laptop"), or None."""
    return _ALIASES.get(normalise(text).replace("-", ""))
