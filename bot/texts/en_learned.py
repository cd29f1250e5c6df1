"""English texts for learning from outcomes (see bot/texts/__init__.py); keys start with "learned."."""

from __future__ import annotations

from bot.texts.shapes import Template

EN_LEARNED: dict[str, Template] = {
    "learned.btn.fixed_with": "📗 Fixed with: {title}",
    "learned.fixed_with": "📗 Noted: {number} was fixed with “{title}”. The knowledge base learns from it.",
    "learned.fixed_with_again": "Already noted for {number}.",
    "learned.not_resolved": "{number} is not resolved, so it was not fixed with an article yet.",
    "learned.none": (
        "Nothing learned yet. A phrasing counts for an article once {people} different people found it "
        "with that phrasing (✅ This fixed it, or an engineer's 📗 Fixed with), and against it once "
        "{people} said ❌ Didn't help."
    ),
    "learned.list": (
        "What the knowledge base learned from outcomes ({shown} of {total}; a phrasing counts once "
        "{people} people agree). Remove one that is wrong with its 🗑 button:\n{lines}"
    ),
    "learned.line.for": "{n}. ➕ “{query}” → {title} (✅ {helped} · ❌ {failed})",
    "learned.line.against": "{n}. ➖ “{query}” ↛ {title} (✅ {helped} · ❌ {failed})",
    "learned.btn.remove": "🗑 {n}",
    "learned.removed": "🗑 Removed: “{query}” no longer counts for or against “{title}”.",
    "learned.gone": "That phrasing is no longer in the list.",
}
