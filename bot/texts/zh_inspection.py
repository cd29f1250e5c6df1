"""巡检的中文文本（见 bot/texts/__init__.py）；键以 "inspection." 开头。"""

from __future__ import annotations

from bot.texts.shapes import Template

ZH_INSPECTION: dict[str, Template] = {
    "inspection.list": (
        "🧰 今日巡检（{day}）：{site} — {count} 台设备\n{devices}\n"
        "请于 {due_by} 前完成。到场后点“开始”，逐台填写检查单。"
    ),
    "inspection.list_line": "• {label} — {device}",
    "inspection.nobody": "⚠ 此次巡检无人值班，请手动指派：\n{visit}",
    "inspection.btn.start": "▶ 开始",
    "inspection.btn.ok": "✅ 正常",
    "inspection.btn.cleaned": "🧽 已清洁",
    "inspection.btn.low": "🪫 耗材不足",
    "inspection.btn.fault": "⚠ 发现故障",
    "inspection.device": "🧰 {site} · {n}/{count}：{label} — {device}\n检查项：\n{items}",
    "inspection.ask_note.low": "🪫 {label} 哪种耗材不足？建议如何处理？（一条消息，将作为预警发给主管）",
    "inspection.ask_note.fault": "⚠ {label} 发现了什么故障？（一条消息，将为此设备开立工单）",
    "inspection.note_empty": "请用几个字描述一下。",
    "inspection.fault_ticket": "🎫 已为 {label} 开立工单 {number}。",
    "inspection.warning": "🪫 耗材预警：{site} 的 {label}\n{note}\n— {engineer}（巡检中发现）",
    "inspection.report": (
        "📋 巡检报告：{site}，{day}（{engineer}）\n"
        "共 {count} 台：正常 {ok}，已清洁 {cleaned}，耗材不足 {low}，发现故障 {fault}\n"
        "{findings}\n{on_time}"
    ),
    "inspection.report_line": "• {label}：{result} — {note} {ticket}",
    "inspection.no_findings": "无异常发现。",
    "inspection.on_time": "已在巡检窗口内完成。",
    "inspection.late_done": "窗口期结束后才完成（计为逾期）。",
    "inspection.overdue": "⏰ {site}（{day}）的巡检尚未完成：已检查 {checked}/{count} 台，工程师 {engineer}。",
    "inspection.not_yours": "此巡检任务不属于您，已派给其他工程师。",
    "inspection.done_already": "此巡检已完成。",
    "inspection.stale": "该设备已记录，请使用最新消息。",
    "inspection.result.ok": "正常",
    "inspection.result.cleaned": "已清洁",
    "inspection.result.low": "耗材不足",
    "inspection.result.fault": "发现故障",
    "inspection.item.running": "• 运行状态、错误日志",
    "inspection.item.selftest": "• 自检 / 测试页",
    "inspection.item.toner": "• 碳粉 / 墨水余量",
    "inspection.item.drum": "• 硒鼓 / 成像单元",
    "inspection.item.paper_path": "• 纸路与搓纸轮",
    "inspection.item.scan_glass": "• 扫描玻璃与输稿器",
    "inspection.item.clean": "• 内部清洁（灰尘、纸屑）",
    "inspection.item.driver": "• 驱动程序",
    "inspection.item.firmware": "• 固件版本",
    "inspection.item.disk": "• 硬盘健康与剩余空间",
    "inspection.item.updates": "• 系统更新",
    "inspection.item.antivirus": "• 杀毒软件已更新",
    "inspection.item.lamp": "• 灯泡使用时长",
    "inspection.item.filter": "• 防尘滤网",
    "inspection.item.image": "• 画面：对焦、色彩、梯形校正",
    "inspection.item.cables": "• 线缆与接口",
    "inspection.item.ports": "• 端口与链路错误",
    "inspection.item.cabinet": "• 机柜：散热、整洁",
    "inspection.item.backup": "• 配置已备份",
    "inspection.item.battery": "• 电池健康与续航时间",
    "inspection.item.load": "• 负载在额定范围内",
}
