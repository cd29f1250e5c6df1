"""中文：从反馈中学习（见 bot/texts/__init__.py）；键以 "learned." 开头。"""

from __future__ import annotations

from bot.texts.shapes import Template

ZH_LEARNED: dict[str, Template] = {
    "learned.btn.fixed_with": "📗 用这篇解决：{title}",
    "learned.fixed_with": "📗 已记录：{number} 是用《{title}》解决的，知识库会据此学习。",
    "learned.fixed_with_again": "{number} 已经记录过了。",
    "learned.not_resolved": "{number} 还没有解决，暂时不能记录用哪篇文章解决。",
    "learned.none": (
        "还没有学到内容。同一种说法有 {people} 位不同的人用它找到某篇文章并解决问题"
        "（点了「✅ 已经解决了」，或工程师点了「📗 用这篇解决」），才算作这篇文章的说法；"
        "有 {people} 位说「❌ 没有解决」，就不再为这种说法推荐它。"
    ),
    "learned.list": (
        "知识库从反馈中学到的说法（显示 {shown} / 共 {total} 条；{people} 人意见一致才算数）。"
        "不对的可以点 🗑 删除：\n{lines}"
    ),
    "learned.line.for": "{n}. ➕「{query}」→《{title}》（✅ {helped} · ❌ {failed}）",
    "learned.line.against": "{n}. ➖「{query}」↛《{title}》（✅ {helped} · ❌ {failed}）",
    "learned.btn.remove": "🗑 {n}",
    "learned.removed": "🗑 已删除：「{query}」不再影响《{title}》的推荐。",
    "learned.gone": "这条说法已经不在列表里了。",
}
