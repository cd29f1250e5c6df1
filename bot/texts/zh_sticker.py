"""设备报修码（二维码标签）的中文文本：打印的标签和扫码后的对话；键以 "sticker." 开头。"""

from __future__ import annotations

from bot.texts.shapes import Template

ZH_STICKER: dict[str, Template] = {
    "sticker.labels_title": "{name} — 设备报修码",
    "sticker.labels_scan": "扫码报修",
    "sticker.desk_name": "IT 服务台",
    "sticker.device": "🏷 {label} — {device}\n📍 {place}\n🛡 {warranty}\n近期记录：\n{history}",
    "sticker.no_history": "  无",
    "sticker.card": "{card}\n已按设备标签填好设备信息。",
    "sticker.already": "{card}\n⚠️ 这台设备的故障已有人报修：{number}（{status}，{opened} 报修）。{own}",
    "sticker.already.own": "这是您的报修：可以补充新情况，或报修另一个故障。",
    "sticker.already.other": "工程师正在处理。如果是另一个故障，请在这里报修。",
    "sticker.btn.new_fault": "📝 报修另一个故障",
    "sticker.unknown": "设备登记中没有这个标签的设备“{code}”。请描述故障，我会按普通报修受理。",
    "sticker.retired": "{label} 已于 {day} 报废，这个标签已失效。请描述故障，我会按普通报修受理。",
}
