"""看板（Telegram 小程序）及打开它的聊天中的中文文本；键以 "dashboard." 开头。"""

from __future__ import annotations

from bot.texts.shapes import Template

ZH_DASHBOARD: dict[str, Template] = {
    "dashboard.chat.open": "📊 实时看板：按时限排列的未结工单、当前值班、本月 KPI。",
    "dashboard.chat.button": "📊 打开看板",
    "dashboard.chat.menu": "看板",
    "dashboard.chat.off": "本服务台尚未启用实时看板（需在 helpdesk.toml 中设置 [dashboard] listen）。",
    "dashboard.nobody": "（未分配）",
    "dashboard.error.no_ticket": "您的看板上没有工单 {number}。",
    "dashboard.error.no_engineer": "该工程师不在值班表中。",
    "dashboard.error.bad_severity": "级别只能是 P1、P2、P3 或 P4。",
}
