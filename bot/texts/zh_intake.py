"""Chinese texts for intake (see bot/texts/__init__.py); keys start with "intake." so files cannot clash."""

from __future__ import annotations

from bot.texts.shapes import Template

ZH_INTAKE: dict[str, Template] = {
    "intake.courtesy.thanks": "不客气！😊 如果还有别的问题，直接在这里描述（或发送 /new），我来为您报修。",
    "intake.courtesy.thanks_open": (
        "不客气！😊 您的工单 {number} 正在处理中，发送 /status {number} 可查看进度。"
        "如果还有别的问题，直接在这里描述（或发送 /new）。"
    ),
    "intake.reject.no_words_description": (
        "这条消息里没有文字。请用一句话描述故障，例如“3 楼打印机提示卡纸”，或发送一张照片。"
    ),
    "intake.reject.courtesy_description": (
        "不客气！要报修的话，请用一句话描述故障（或发送照片）；发送 /cancel 可放弃这条报修。"
    ),
    "intake.reject.no_words_place": "这不是可用的地点。请点击下面的按钮，或用文字输入楼宇、楼层或网点名称。",
    "intake.reject.no_words_room": "请输入房间或工位（例如“305 室”），或点击“跳过”。",
    "intake.site.did_you_mean": "您是指 {site} 吗？",
    "intake.site.which_one": "您是指下面哪个地点？",
    "intake.btn.keep_typed": "✏️ 保留“{typed}”",
}
