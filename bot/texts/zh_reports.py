"""The manager's report in Chinese: KPI summary, chart labels, workbook headers, /report in chat.

The pair of `en_reports.py`, key for key; device names are the shared `device.*` texts of `zh.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts.shapes import Template


def _figure_zh(p: Mapping[str, Any]) -> str:
    if p["value"] is None:
        return f"• {p['name']}：暂无数据"
    target = f" · 目标 {p['target']}" if p["target"] else ""
    return f"• {p['name']}：{p['value']}（{p['basis']}）{target} {p['mark'] or ''}".rstrip()


def _inspections_zh(p: Mapping[str, Any]) -> str:
    if str(p["due"]) == "0":
        return "• 巡检：本期尚无到期的巡检"
    return (f"• 巡检：按时完成 {p['on_time']}/{p['due']} 次（{p['rate']}）· 逾期完成 {p['late']} · "
            f"漏检 {p['missed']} · 进行中 {p['open']} · 已检设备 {p['devices']} 台 · "
            f"发现故障 {p['findings']} · 耗材预警 {p['warnings']}")


ZH_REPORTS: dict[str, Template] = {
    "report.kpi.response_attainment": "响应及时率",
    "report.kpi.onsite_attainment": "到场及时率",
    "report.kpi.resolve_attainment": "修复及时率",
    "report.kpi.resolution_rate": "故障解决率",
    "report.kpi.first_visit_resolution": "一次上门解决率",
    "report.kpi.satisfaction_share": "满意率（3–5 分）",
    "report.kpi.satisfaction_mean": "平均评分",
    "report.kpi.repeat_repair_rate": "30天重复维修率",
    "report.kpi.deflection_rate": "自助解决率",
    "report.kpi.survey_response_rate": "回访应答率",
    "report.summary.period": "📊 服务报告 {start} – {end}",
    "report.summary.filter.site": "地点：{value}",
    "report.summary.filter.engineer": "工程师：{value}",
    "report.summary.filter.device": "设备：{value}",
    "report.summary.filter.severity": "紧急程度：{value}",
    "report.summary.volume": "共受理 {tickets} 张工单，取消 {cancelled} 张；{breaches} 张未结工单已超时。",
    "report.summary.approximate": (
        "⚠️ {tickets} 张工单的时限跨入尚未导入官方节假日安排的年份，时限为估算"
        "（请用 helpdesk calendar import 导入）。"
    ),
    "report.summary.nothing": "本期没有新工单。",
    "report.summary.figure": _figure_zh,
    "report.summary.severity": "按紧急程度：P1 {p1} · P2 {p2} · P3 {p3} · P4 {p4}",
    "report.summary.devices": "按设备：",
    "report.summary.device": "• {device}：{count}",
    "report.summary.inspections": _inspections_zh,
    "report.summary.score": "考核得分：{total} 分 → 支付 {pay}",
    "report.summary.score_na": "考核得分：无法计算，缺少{lacking}",
    "report.lacking.service": "现场服务数据（没有工单达成或超过时限）",
    "report.lacking.satisfaction": "满意度数据（没有回访评分）",
    "report.lacking.service_and_satisfaction": "现场服务和满意度数据（没有工单达成或超过时限，也没有回访评分）",
    "report.xlsx.lacking": "未计分",
    "report.summary.score_parts": "现场服务 {service} · 报告合规 {reporting} · 满意度 {satisfaction}",
    "report.deduction.response_attainment": "− {points} 分（现场服务）：响应及时率低于 {threshold}",
    "report.deduction.onsite_attainment": "− {points} 分（现场服务）：到场及时率低于 {threshold}",
    "report.deduction.monthly_reports": "− {points} 分（报告合规）：月报迟交或缺失",
    "report.deduction.no_survey": "− {points} 分（满意度）：没有回访评分",
    "report.deduction.false_reports": "− {points}% 服务费：虚假记录",
    "report.deduction.inspections": "− {points} 分（报告合规）：巡检漏检（未在窗口期内完成）",
    "report.chart.title": "服务台 {start} – {end}",
    "report.chart.weekly": "每周响应及时率",
    "report.chart.week_of": "周（起始日）",
    "report.chart.attainment": "及时率（%）",
    "report.chart.target": "（目标 {target}）",
    "report.chart.ratings": "回访评分（平均 {mean}，共 {n} 条）",
    "report.chart.rating": "评分（1 非常不满意 … 5 非常满意）",
    "report.chart.count": "数量",
    "report.chart.devices": "按设备统计工单",
    "report.chart.tickets": "工单数",
    "report.chart.no_data": "暂无数据",
    "report.chart.inspections": "巡检（已检设备 {devices} 台，故障 {findings}，预警 {warnings}）",
    "report.chart.visits": "巡检次数",
    "report.insp.on_time": "按时完成", "report.insp.late": "逾期完成", "report.insp.missed": "漏检",
    "report.insp.open": "进行中",
    "report.ss.article": "文章",
    "report.ss.fixed": "已解决（报修人）",
    "report.ss.deflected": "计为自助解决",
    "report.ss.not_helped": "没有解决",
    "report.ss.fixed_with": "工程师用它解决",
    "report.ss.tried": "报修前试过",
    "report.col.number": "工单号",
    "report.col.opened": "报修时间",
    "report.col.status": "状态",
    "report.col.severity": "紧急程度",
    "report.col.tier": "服务等级",
    "report.col.device": "设备类型",
    "report.col.asset": "资产编号",
    "report.col.site": "地点",
    "report.col.room": "房间",
    "report.col.reporter": "报修人 ID",
    "report.col.contact_name": "联系人",
    "report.col.contact_phone": "电话",
    "report.col.description": "故障现象",
    "report.col.assignee": "工程师 ID",
    "report.col.dispatched": "派单时间",
    "report.col.accepted": "接单时间",
    "report.col.arrived": "到场时间",
    "report.col.resolved": "修复时间",
    "report.col.respond_by": "响应时限",
    "report.col.onsite_by": "到场时限",
    "report.col.resolve_by": "修复时限",
    "report.col.respond_outcome": "响应达标",
    "report.col.onsite_outcome": "到场达标",
    "report.col.resolve_outcome": "修复达标",
    "report.col.paused": "暂停（分钟）",
    "report.col.held": "暂停扣除的服务时间（分钟）",
    "report.col.late": "超时",
    "report.late": "{milestone} 超 {minutes} 分钟",
    "report.milestone.respond": "响应", "report.milestone.onsite": "到场", "report.milestone.resolve": "修复",
    "report.col.visits": "上门次数",
    "report.col.reopens": "重开次数",
    "report.col.parts": "更换配件",
    "report.col.resolution": "处理说明",
    "report.col.tried": "已尝试的知识库文章",
    "report.col.followup": "回访结果",
    "report.col.rating": "评分",
    "report.col.comment": "评价",
    "report.col.cancel_reason": "取消原因",
    "report.outcome.met": "达标",
    "report.outcome.missed": "超时",
    "report.outcome.pending": "进行中",
    "report.outcome.exempt": "不计入",
    "report.status.new": "待派单",
    "report.status.assigned": "已派单",
    "report.status.accepted": "已接单",
    "report.status.on_site": "已到场",
    "report.status.resolved": "已修复",
    "report.status.closed": "已关闭",
    "report.status.reopened": "已重开",
    "report.status.cancelled": "已取消",
    "report.answer.working": "正常使用",
    "report.answer.same_fault": "同一故障复发",
    "report.answer.other_problem": "其他问题",
    "report.xlsx.kpi": "指标",
    "report.xlsx.value": "数值",
    "report.xlsx.numerator": "分子",
    "report.xlsx.denominator": "样本数（分母）",
    "report.xlsx.target": "目标",
    "report.xlsx.met": "达标",
    "report.xlsx.yes": "是",
    "report.xlsx.no": "否",
    "report.xlsx.period": "统计期间",
    "report.xlsx.as_of": "数据截至",
    "report.xlsx.timezone": "时区",
    "report.xlsx.selection": "筛选",
    "report.xlsx.whole_desk": "全部",
    "report.xlsx.tickets": "受理工单",
    "report.xlsx.cancelled": "已取消",
    "report.xlsx.breaches": "未结且超时",
    "report.xlsx.score": "考核得分",
    "report.xlsx.service": "现场服务得分",
    "report.xlsx.reporting": "报告合规得分",
    "report.xlsx.satisfaction": "满意度得分",
    "report.xlsx.total": "总分",
    "report.xlsx.pay": "支付比例",
    "report.xlsx.deduction": "扣分",
    "report.xlsx.inspections": "巡检",
    "report.xlsx.insp_due": "应巡检次数", "report.xlsx.insp_on_time": "按时完成",
    "report.xlsx.insp_late": "逾期完成", "report.xlsx.insp_missed": "漏检",
    "report.xlsx.insp_devices": "已检设备", "report.xlsx.insp_findings": "发现故障",
    "report.xlsx.insp_warnings": "耗材预警",
    "report.ic.day": "日期", "report.ic.site": "地点", "report.ic.engineer": "工程师 ID", "report.ic.due_by": "截止",
    "report.ic.visit": "巡检状态", "report.ic.asset": "资产编号", "report.ic.device": "设备",
    "report.ic.label": "设备名称", "report.ic.result": "结果", "report.ic.note": "备注",
    "report.ic.ticket": "工单", "report.ic.checked": "检查时间", "report.ic.finished": "完成时间",
    "report.message": "{lines}",
    "report.only_managers": "只有管理员可以查看服务报告、导出工单。",
    "report.failed": (
        "⚠️ {label} 的报告未能生成（{reason}）。其他功能不受影响；请稍后再试，"
        "或请管理员运行 `helpdesk report` 并查看日志。"
    ),
    "report.usage": "用法：/report [month | quarter | last | YYYY-MM | YYYY-Qn]；/export [同上]",
}
