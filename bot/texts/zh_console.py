"""Chinese texts for console (see bot/texts/__init__.py); keys start with "console." so files cannot clash.

调度台：`/open` 的列表、工单的调度卡片与按钮，以及管理员派单、升级、调整级别或取消时发给工程师和报修人的消息。
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts.shapes import Template, lines


def _line(p: Mapping[str, Any]) -> str:
    engineer = f"👷 {p['engineer']}" if p["engineer"] else "👷 无人"
    return f"• {p['number']} · {p['severity']} · {p['status']} · {p['place']} · {engineer} · {p['due']}"


def _list(p: Mapping[str, Any]) -> str:
    head = f"📋 未完成工单{'（已筛选）' if p['filtered'] == 'True' else ''}，按最近时限排序：共 {p['count']} 张"
    more = f"……另有 {p['hidden']} 张未显示，请缩小范围，例如 /open overdue" if p["hidden"] != "0" else None
    return lines(head, p["lines"], more, "点击工单即可处理。")


def _engineer(p: Mapping[str, Any]) -> str:
    marks = [m for m in ("值班中" if p["on_duty"] == "True" else None, "二线" if p["tier"] == "2" else None,
                         "无法联系" if p["reachable"] != "True" else None) if m]
    head = ("🟢 " if p["on_duty"] == "True" else "📵 " if p["reachable"] != "True" else "") + p["name"]
    return f"{head} — {'，'.join(marks)}" if marks else head


def _deadlines(p: Mapping[str, Any]) -> str:
    return lines(
        f"• 响应时限 {p['respond']}" if p["respond"] else None,
        f"• 到场时限 {p['onsite']}" if p["onsite"] else None,
        f"• 修复时限 {p['resolve']}" if p["resolve"] else None,
        f"（时间为 {p['tz']}）" if p["respond"] or p["onsite"] or p["resolve"] else "• 无承诺时限",
    )


ZH_CONSOLE: dict[str, Template] = {
    "console.only_managers": "只有管理员可以调度工单。",
    "console.unknown_filter": (
        "不认识筛选条件“{word}”。/open 可用：unassigned（未分配，尚无人接单）、overdue（已超时）、"
        "P1 P2 P3 P4、地点（{sites}）、工程师（{engineers}），可自由组合，例如 /open overdue P1"
    ),
    "console.none": "📋 没有未完成的工单。",
    "console.none_filtered": "📋 没有符合 /open {filters} 的未完成工单。",
    "console.list": _list,
    "console.line": _line,
    "console.left": "⏰ {milestone}还剩 {duration}",
    "console.late": "⚠️ {milestone}已超时 {duration}",
    "console.no_deadline": "无时限",
    "console.open_button": "🎫 {number}",
    "console.card": "🎛 调度台 · {due}\n{card}",
    "console.btn.assign": "👷 派单", "console.btn.reassign": "👷 改派",
    "console.btn.escalate": "⬆️ 立即升级", "console.btn.severity": "🎚 调整级别",
    "console.btn.cancel": "✖️ 取消工单",
    "console.not_open": "{number} {status}，无需再调度。",
    # ---- 派单 ---------------------------------------------------------------------------------------------
    "console.pick_engineer": (
        "把 {number} 派给谁？（当前：{current}）\n🟢 正在值班 · 📵 机器人联系不到（已屏蔽或从未启动机器人）"
    ),
    "console.engineer": _engineer,
    "console.nobody": "无人",
    "console.unreachable": "机器人联系不到 {engineer}（已屏蔽或从未启动机器人），{number} 保持原样。请另选一位。",
    "console.already_theirs": "{number} 已由 {engineer} 负责。",
    "console.assigned": "👷 已把 {number} 派给 {engineer}，对方会收到工单卡片并接单。已通知报修人。",
    "console.assigned_toast": "已派给 {engineer}。",
    "console.taken_off": "🔄 {manager} 已把 {number} 改派给 {engineer}，已从您的待办中移除，无需再处理。",
    # ---- 升级 ---------------------------------------------------------------------------------------------
    "console.card_note": "⬆️ 服务台 {manager} 已升级此单：请立即接单。",
    "console.escalated": "⬆️ {number} 已升级：{engineers} 收到了工单卡片。",
    "console.escalated_toast": "已升级。",
    "console.nobody_to_escalate": "{number} 已没有其他可联系的工程师，请手动派单。",
    "console.nobody_to_escalate_managers": "🚨 {manager} 升级了 {number}，但联系不到任何工程师，需要手动派单。",
    "console.cannot_escalate": "{number} {status}，无可升级的对象，请改派。",
    # ---- 级别 ---------------------------------------------------------------------------------------------
    "console.pick_severity": "{number} 调整为哪个级别？（当前 {severity}）",
    "console.severity_option": "{level} · {name}",
    "console.same_severity": "{number} 已经是 {severity}。",
    "console.ask_severity_reason": "为什么把 {number} 调整为 {new}？请用一条消息写明原因，工程师和报修人都会看到。",
    "console.severity_changed": "🎚 {number}：{old} → {new}。新的时限（自报修时起算）：\n{deadlines}",
    "console.severity_engineer": "🎚 {manager} 把 {number} 从 {old} 调整为 {new}：{reason}\n新的时限：\n{deadlines}",
    "console.severity_reporter": (
        "🎚 服务台已把您的工单 {number} 的紧急程度调整为 {new}：{reason}\n我们现在承诺：\n{deadlines}"
    ),
    "console.deadlines": _deadlines,
    # ---- 取消 ---------------------------------------------------------------------------------------------
    "console.ask_cancel_reason": "为什么取消 {number}？请用一条消息写明原因，报修人和工程师都会看到。",
    "console.bad_reason": "请用文字写明原因，一条消息，不超过 {limit} 个字符。",
    "console.cancelled": "✖️ {number} 已取消，已通知报修人和工程师。",
    "console.cancelled_reporter": "✖️ 您的工单 {number} 已被服务台（{manager}）取消：{reason}",
    "console.cancelled_engineer": "✖️ {number} 已被 {manager} 取消：{reason}。无需再处理。",
}
