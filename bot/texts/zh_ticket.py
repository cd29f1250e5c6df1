"""Chinese texts for ticket (see bot/texts/__init__.py); keys start with "ticket." so files cannot clash.

The pair of `en_ticket.py`, key for key: a ticket's page (`/status`) and its conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts.shapes import Template, lines


def _engineer(p: Mapping[str, Any]) -> str:
    return f"工程师：{p['engineer']}" + (f" · 📞 {p['phone']}" if p["phone"] else "")


def _info_to_engineer(p: Mapping[str, Any]) -> str:
    head = f"📷 {p['number']}：{p['reporter']} 发来一张照片" if p["photo"] == "True" else \
        f"➕ {p['number']}：{p['reporter']} 补充"
    return f"{head}：{p['text']}" if p["text"] else f"{head}。"


def _answer_to_engineer(p: Mapping[str, Any]) -> str:
    return lines(f"💬 {p['number']}：{p['reporter']} 回答了“{p['question']}”：",
                 p["answer"], "（附照片）" if p["photo"] == "True" else None)


def _added(p: Mapping[str, Any]) -> str:
    what = "📷 照片已添加到" if p["photo"] == "True" else "➕ 已补充到"
    told = f"{p['engineer']} 也已收到。" if p["engineer"] else "工程师会在工单上看到。"
    return f"{what} {p['number']}。{told}"


ZH_TICKET: dict[str, Template] = {
    # ---- the page -----------------------------------------------------------------------------------
    "ticket.page": "🎫 {number} — {status}\n{lines}",
    "ticket.line.severity": "紧急程度：{severity}",
    "ticket.line.problem": "故障：{description}",
    "ticket.line.device": "设备：{device} · 资产编号 {asset}",
    "ticket.line.place": "地点：{place}",
    "ticket.line.engineer": _engineer,
    "ticket.line.no_engineer": "工程师：尚未派单",
    "ticket.line.photos": "照片：{count} 张",
    "ticket.line.opened": "报修时间：{at}",
    "ticket.line.deadline": "{milestone}：{deadline} · {state}",
    "ticket.milestone.respond": "响应时限", "ticket.milestone.onsite": "到场时限",
    "ticket.milestone.resolve": "修复时限",
    "ticket.state.met": "✅ 已于 {at} 达成",
    "ticket.state.met_late": "⚠️ {at} 达成，超时 {late}",
    "ticket.state.left": "⏳ 还剩 {left}",
    "ticket.state.late": "🚨 已超时 {late}",
    "ticket.state.not_reached": "未达成",
    "ticket.line.approximate": "⚠️ 时限为估算：{years} 年的官方节假日安排尚未导入",
    "ticket.line.paused": "⏸ 计时暂停 {start} – {end}（扣除服务时间 {held}）",
    "ticket.line.paused_now": "⏸ 自 {start} 起计时暂停：{reason}（已扣除 {held}）",
    "ticket.pause.part": "等待配件",
    "ticket.line.resolution": "处理结果：{note}",
    "ticket.line.parts": "更换配件：{parts}",
    "ticket.line.spare": "🖥 已借出备机；修好的设备应在 {due} 前送回",
    "ticket.line.cancelled": "取消原因：{reason}",
    "ticket.line.question": "❓ {engineer} 的提问待回答：{question}",
    "ticket.line.history": "处理记录（时间为 {tz}）：",
    "ticket.line.history_more": "  … 更早的 {count} 条",
    "ticket.event": "  {at} · {who}：{what}",
    "ticket.who.desk": "服务台",
    # ---- one line of history per kind of event ----------------------------------------------------------
    "ticket.ev.opened": "报修",
    "ticket.ev.assign": "派给 {engineer}",
    "ticket.ev.handed_over": "转交给 {engineer}",
    "ticket.ev.accept": "接单",
    "ticket.ev.arrive": "到达现场",
    "ticket.ev.resolve": "完成维修：{note}",
    "ticket.ev.close": "关闭",
    "ticket.ev.reopen": "重新打开：{reason}",
    "ticket.ev.cancel": "取消：{reason}",
    "ticket.ev.pinged": "通知了 {engineer}",
    "ticket.ev.declined": "无法接单",
    "ticket.ev.declined_reason": "无法接单：{reason}",
    "ticket.ev.escalated": "升级给{whom}",
    "ticket.whom.backup": "备岗工程师", "ticket.whom.assignee": "原工程师（再次提醒）",
    "ticket.whom.tier2": "二线专家", "ticket.whom.managers": "管理员",
    "ticket.ev.on_the_way": "出发前往现场",
    "ticket.ev.need_part": "需要配件",
    "ticket.ev.paused": "暂停计时：{reason}",
    "ticket.ev.resumed": "恢复计时",
    "ticket.ev.spare_lent": "借出备机，{due} 前归还",
    "ticket.ev.spare_returned": "备机已归还",
    "ticket.ev.warned": "{milestone}时限即将到期",
    "ticket.ev.breached": "{milestone}时限已过",
    "ticket.ev.nobody_on_duty": "当时无人值班",
    "ticket.ev.reporter_confirmed": "确认已修好",
    "ticket.ev.delivery_failed": "无法联系 {who}",
    "ticket.ev.severity_changed": "紧急程度改为 {severity}：{reason}",
    "ticket.ev.info_added": "补充：{text}",
    "ticket.ev.info_photo": "补充了一张照片",
    "ticket.ev.question_asked": "提问：{question}",
    "ticket.ev.question_answered": "回答：{answer}",
    "ticket.ev.handover_failed": "未能转交给 {engineer}",
    "ticket.ev.staff_note": "内部备注：{text}",
    "ticket.ev.staff_reply": "给报修人留言：{text}",
    "ticket.ev.complaint_answered": "答复了投诉：{answer}",
    "ticket.ev.other": "{kind}",
    # ---- buttons -----------------------------------------------------------------------------------------
    "ticket.btn.add_info": "➕ 补充信息",
    "ticket.btn.cancel": "✖️ 取消工单",
    "ticket.btn.answer": "💬 回答",
    "ticket.btn.card": "🎫 打开工单卡片",
    "ticket.btn.ask": "❓ 询问报修人",
    "ticket.btn.open": "🎫 {number}",
    # ---- the conversation --------------------------------------------------------------------------------
    "ticket.add_ask": "您想为 {number} 补充什么？请发一条消息或照片（一组照片算一条）。发送 /cancel 放弃。",
    "ticket.add_bad": "请用文字写在一条消息里，不超过 {limit} 个字（或发送照片）。",
    "ticket.added": _added,
    "ticket.too_many_photos": "{number} 已有 {limit} 张照片，这张没有添加。",
    "ticket.not_open": "{number} {status}，无法再补充内容。",
    "ticket.info_to_engineer": _info_to_engineer,
    "ticket.ask_prompt": "您想就 {number} 问 {reporter} 什么？请写在一条消息里。",
    "ticket.ask_bad": "请用文字把问题写在一条消息里，不超过 {limit} 个字。",
    "ticket.asked": "❓ 已发给 {reporter}。对方的回答会发到这里，并记在工单上。",
    "ticket.question_to_reporter": "❓ {engineer} 就 {number} 问您：\n{question}\n请点“回答”回复。",
    "ticket.answer_prompt": "回答 {engineer} 关于 {number} 的问题：\n“{question}”\n请写在一条消息里（也可以发照片）。",
    "ticket.answered": "💬 您的回答已记在 {number} 上，{engineers} 已收到。",
    "ticket.already_answered": "您已经回答过这个问题了。",
    "ticket.answer_to_engineer": _answer_to_engineer,
    "ticket.stopped": "好的，没有补充任何内容。",
}
