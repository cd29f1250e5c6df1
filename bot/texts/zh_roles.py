"""Chinese texts for roles (see bot/texts/__init__.py); keys start with "roles." so files cannot clash."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts.shapes import Template, lines


def _handled_line_zh(p: Mapping[str, Any]) -> str:
    said = f"\n  “{p['comment']}”" if p["comment"] else ""
    answer = p["answer"] or "（未记录答复）"
    return f"• {p['number']} · 评分 {p['rating']} · {p['manager']} 于 {p['at']} 答复{said}\n  ↳ {answer}"


def _all_complaints_zh(p: Mapping[str, Any]) -> str:
    return lines(f"未处理的投诉（须在一周内答复）：\n{p['open']}" if p["open"] else "没有未处理的投诉。",
                 f"\n已答复（最新的在前）：\n{p['handled']}" if p["handled"] else None)


def _ask_answer_zh(p: Mapping[str, Any]) -> str:
    said = f"（“{p['comment']}”）" if p["comment"] else ""
    return (f"✍️ 关于 {p['number']} 的投诉，评分 {p['rating']}{said}：您给报修人的答复是什么？"
            f"请用一条消息写下（不超过 {p['limit']} 个字）。答复会发给报修人，并记录在投诉和工单上。"
            "发送 /cancel 暂不处理。")


ZH_ROLES: dict[str, Template] = {
    "roles.help": "{intro}\n\n{lines}",
    "roles.help.intro.reporter": (
        "报修方法：直接在这里描述故障（或发送 /new）。我会依次询问设备、地点、紧急程度和联系方式，"
        "然后生成工单并告诉您承诺的响应时间。"
    ),
    "roles.help.intro.engineer": (
        "您是服务台的工程师。工单会以卡片形式发给您：接单后，用卡片上的按钮处理（出发、到场、需要配件、"
        "借出备机、转交、完成维修）。您的命令："
    ),
    "roles.help.intro.manager": "您是服务台的管理员：升级提醒、投诉和月度报告都会发给您，值班表也由您维护。您的命令：",
    "roles.help.everyone": "\n所有人都可以用：",
    "roles.help.new": "/new — 报修（或直接描述故障）",
    "roles.help.my": "/my — 我的工单",
    "roles.help.status": "/status HD-2026-00001 — 查看工单：状态、工程师、时限和处理记录",
    "roles.help.cancel": "/cancel — 放弃正在填写的报修，或取消自己的工单",
    "roles.help.kb": "/kb 关键词 — 在知识库里找解决办法（例如 /kb 打印机脱机）",
    "roles.help.oncall": "/oncall — 当前值班人员和下一班",
    "roles.help.lang": "/lang — 中文 / English",
    "roles.help.help": "/help — 显示本列表",
    "roles.help.queue": "/queue — 我的待办工单，按时限排序",
    "roles.help.kb_add": "/kb add [编号] — 写一篇知识库文章，或按编号修改",
    "roles.help.open": (
        "/open [未分配|超时|P1…P4|地点|工程师] — 调度台：按时限列出未完成的工单，可分配、升级、调整紧急程度或取消"
        "（例如 /open 超时 HQ-12F）"
    ),
    "roles.help.cover": "/cover 工程师 开始 结束 [原因] — 某人顶班（例如 /cover 1002 2026-12-01 2026-12-03 病假）",
    "roles.help.swap": "/swap 日期 A B — 两位工程师互换当天的班次",
    "roles.help.holiday": "/holiday 日期 [名称] · /holiday workday 日期 · /holiday remove 日期 — 节假日日历",
    "roles.help.rotation": "/rotation 名称 ID,ID,… — 设置轮班顺序",
    "roles.help.complaints": "/complaints — 待答复的投诉 · /complaints all — 包括已答复的",
    "roles.help.report": "/report [month|quarter|last|YYYY-MM|YYYY-Qn] — KPI 汇总和图表",
    "roles.help.dashboard": "/dashboard — 实时看板：按时限排列的未结工单、KPI、图表",
    "roles.help.export": "/export [同样的期间] — 导出工单台账 .xlsx",
    "roles.cmd.new": "报修", "roles.cmd.my": "我的工单", "roles.cmd.status": "查看工单：/status HD-…",
    "roles.cmd.cancel": "放弃报修或取消工单", "roles.cmd.kb": "搜索知识库",
    "roles.cmd.oncall": "当前值班人员", "roles.cmd.lang": "中文 / English",
    "roles.cmd.help": "使用帮助", "roles.cmd.queue": "我的待办工单",
    "roles.cmd.open": "调度台：分配、升级、取消工单",
    "roles.cmd.cover": "安排顶班", "roles.cmd.swap": "两位工程师换班",
    "roles.cmd.holiday": "节假日日历", "roles.cmd.rotation": "轮班顺序",
    "roles.cmd.complaints": "待答复的投诉", "roles.cmd.report": "KPI 报告和图表",
    "roles.cmd.dashboard": "实时看板",
    "roles.cmd.export": "导出工单台账 .xlsx",
    "roles.complaints.usage": "/complaints 列出待答复的投诉；/complaints all 包括已答复的。",
    "roles.complaints.none_at_all": "目前没有投诉。",
    "roles.complaints.all": _all_complaints_zh,
    "roles.complaints.handled_line": _handled_line_zh,
    "roles.complaint.ask_answer": _ask_answer_zh,
    "roles.complaint.toast_write": "请写下给报修人的答复。",
    "roles.complaint.bad_answer": "请用文字写下答复，不超过 {limit} 个字，用一条消息发送（或发送 /cancel）。",
    "roles.complaint.handled": "✅ 关于 {number} 的投诉已处理，您的答复已发给报修人。",
    "roles.complaint.answered_to_reporter": "📝 关于您对 {number} 的投诉，服务台的 {manager} 答复：\n{answer}",
    "roles.complaint.answered_to_managers": "✅ {manager} 已答复关于 {number} 的投诉：{answer}",
}
