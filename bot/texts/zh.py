"""Everything the bot says in chat, in Chinese (简体中文): reporters, engineers, managers.

The pair of `en.py`, key for key (`tests/test_config_and_texts.py` checks keys and placeholders);
the manager's report texts are in `zh_reports.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts.shapes import Template, article, card, lines, queue_line


def _duration_zh(p: Mapping[str, Any]) -> str:
    """分钟数，按习惯说法："2天3小时"、"1小时5分钟"、"15分钟"。"""
    minutes = int(p["minutes"])
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分钟" if mins else f"{hours}小时"
    return f"{mins}分钟"


def _submitted_zh(p: Mapping[str, Any]) -> str:
    return lines(
        f"✅ 工单 {p['number']} 已受理。",
        f"紧急程度：{p['severity']}" + (f"（{p['tier']} 服务）" if p["tier"] else ""),
        "我们承诺：",
        f"• {p['respond']} 前响应" if p["respond"] else None,
        f"• {p['onsite']} 前到场" if p["onsite"] else None,
        f"• {p['resolve']} 前修复" if p["resolve"] else None,
        f"（时间为 {p['tz']}）",
        f"发送 /status {p['number']} 查看进度，/my 查看您的全部工单。",
    )


def _my_line_zh(p: Mapping[str, Any]) -> str:
    due = f" · 时限 {p['due']}" if p["due"] and p["open"] == "True" else ""
    return f"• {p['number']} · {p['device']} · {p['severity']} · {p['status']}{due}"


def _accepted_zh(p: Mapping[str, Any]) -> str:
    return lines(
        f"👷 {p['engineer']} 已接手您的工单 {p['number']}。",
        f"电话：{p['phone']}" if p["phone"] else None,
        f"{p['onsite']} 前到场" if p["onsite"] else None,
        f"{p['resolve']} 前修复" if p["resolve"] else None,
    )


def _resolved_zh(p: Mapping[str, Any]) -> str:
    return lines(
        f"🔧 {p['engineer']} 已处理完工单 {p['number']}：{p['note']}",
        f"更换的配件：{p['parts']}" if p["parts"] else None,
        "现在能正常使用了吗？",
    )


def _oncall_zh(p: Mapping[str, Any]) -> str:
    return lines(
        f"当前值班：{p['now']}（{p['rotation']}）" + (f"，到 {p['until']}" if p["until"] else ""),
        f"下一班：{p['next']}" + (f"，{p['next_at']} 起" if p["next_at"] else ""),
    )


def _followup_zh(p: Mapping[str, Any]) -> str:
    head = p["reminder"] or ""
    return f"{head}{p['engineer']} 于 {p['date']} 修好的{p['device']}，现在还正常吗？（{p['number']}）"


def _complaint_zh(p: Mapping[str, Any]) -> str:
    return lines(f"😠 投诉：{p['number']} 评分 {p['rating']}（工程师 {p['engineer']}）。",
                  f"意见：{p['comment']}" if p["comment"] else None, f"请在 {p['due']} 前答复。")


def _complaint_line_zh(p: Mapping[str, Any]) -> str:
    late = " ⚠️ 已超期" if p["late"] == "True" else ""
    said = f"\n  “{p['comment']}”" if p["comment"] else ""
    return f"• {p['number']} · 评分 {p['rating']} · {p['due']} 前答复{late}{said}"


ZH: dict[str, Template] = {
    "verbatim": "{text}",
    "welcome": (
        "{name}，您好！这里是 IT 服务台。打印机坏了、电脑开不了机、没网……直接用一句话或一张照片告诉我，"
        "我来为您报修。\n命令：/new 报修 · /my 我的工单 · /status HD-… 查看工单 · /cancel 取消 · "
        "/lang 中文/English · /help 帮助"
    ),
    "unknown_command": "我不认识命令 {command}。发送 /help 查看可用命令。",
    "unsupported": "这里无法使用{kind}。请用文字描述故障，或者发送照片。",
    "kind.sticker": "贴纸", "kind.voice": "语音", "kind.video": "视频", "kind.document": "文件",
    "kind.location": "位置", "kind.other": "这类消息", "kind.audio": "音频",
    "kind.video_note": "视频消息", "kind.animation": "动图", "kind.poll": "投票",
    "duration": _duration_zh,
    "edited_ignored": "您编辑了一条消息。编辑不会改变报修内容，请在汇总信息里点“修改”。",
    "flood.slow_down": (
        "⏳ 一下子收到很多消息，接下来我会逐条、稍慢地处理。正在填写的内容不会丢失；逐字重复的消息会被跳过。"
    ),
    "group_only_private": "为保护您的信息，报修只在私聊中受理。请私聊我并发送 /new。",
    "draft_in_progress": "您还有一条报修没有填完，我们先把它完成吧（或发送 /cancel 放弃）。",
    "my_none": "您还没有工单。直接在这里描述故障即可报修。",
    "my_list": "您的工单（最新的在前）：\n{lines}",
    "my_line": _my_line_zh,
    "status_usage": "请在命令后写上工单号，例如 /status HD-2026-00042。",
    "ticket_not_found": "找不到您有权查看的工单 {number}。",
    "draft_cancelled": "已放弃这次报修。随时描述故障即可重新报修。",
    "cancel_aborted": "好的，没有取消任何内容。",
    "cancel_usage": "取消工单请发送：/cancel HD-2026-00042 加上原因。",
    "cancel_ask_reason": "为什么要取消 {number}？请用一条消息写明原因（发送 /cancel 则保留工单）。",
    "cancel_reason_bad": "请写一个不超过 {limit} 个字的原因。",
    "cancel_nothing": "没有可以取消的内容：您没有正在填写的报修，也没有未完成的工单。",
    "cancel_pick": "要取消哪一张工单？",
    "cancel_not_open": "{number} 无法取消：它{status}。",
    "ticket_cancelled": "❎ 工单 {number} 已取消。",
    "lang_choose": "请选择语言：",
    "lang_set": "好的，我会用中文和您交流。",
    "reject.empty": "这条消息是空的，请用文字描述故障。",
    "reject.too_long": "内容太长了（{length} 个字），请控制在 {limit} 字以内。简短描述加一张照片效果最好。",
    "reject.no_photo": "还没有照片：请用文字描述故障，或发送一张照片。",
    "reject.photo_too_big": "照片太大了（上限 {limit_mb} MB），请发一张小一点的。",
    "reject.too_many_photos": "照片已经够多了（最多 {limit} 张），这张没有添加。",
    "reject.bad_choice": "这不是可选的选项，请点击按钮选择。",
    "reject.bad_phone": "这看起来不是电话号码。请输入例如 138 0000 1234 或 010-6500 1234，或点击“发送我的手机号”。",
    "asset_unknown": "资产登记里找不到“{code}”。请核对设备标签上的编号后重新输入，或选择设备类型。",
    "photo_added": "📷 已保存照片（{count} 张）。",
    "contact_unexpected": "谢谢，不过现在还不需要电话号码。",
    "contact_not_own": "请用按钮发送您本人的号码，或者直接输入电话号码。",
    "contact_saved": "📞 已记下您的电话。",
    "answered": "✔ 您的回答：{chosen}",
    "then": "{first}\n\n{second}",
    "button_stale": "这个问题已经回答过了，请使用最新的消息。",
    "button_invalid": "这个按钮无效。",
    "button_old_report": "这个按钮属于一条已经提交或放弃的报修。",
    "use_buttons": "请点击下面的按钮回答。",
    "field.describe": "故障描述", "field.device": "设备", "field.site": "地点",
    "field.severity": "紧急程度", "field.contact": "电话",
    "btn.photos_only": "只用照片，继续", "btn.skip": "跳过",
    "btn.yes": "是这台", "btn.no": "不是，换一台",
    "btn.submit": "✅ 提交", "btn.edit": "✏️ 修改", "btn.cancel": "✖️ 取消",
    "btn.share_contact": "📱 发送我的手机号",
    "device.printer": "打印机", "device.copier": "复印机", "device.scanner": "扫描仪",
    "device.pc": "台式电脑", "device.laptop": "笔记本电脑", "device.monitor": "显示器",
    "device.network": "网络", "device.projector": "投影仪", "device.phone": "电话", "device.ups": "UPS 电源",
    "device.software": "软件", "device.account": "账号", "device.other": "其他",
    "severity.P1": "🔴 工作已停顿", "severity.P2": "🟠 严重影响工作",
    "severity.P3": "🟡 部分功能故障，工作可继续", "severity.P4": "🔵 咨询或预约服务",
    "status.new": "已受理，等待派单", "status.assigned": "已派给工程师", "status.accepted": "工程师已接单",
    "status.on_site": "工程师已到场", "status.resolved": "已修复", "status.closed": "已关闭",
    "status.reopened": "已重新打开", "status.cancelled": "已取消",
    "warranty.in": "在保修期内", "warranty.out": "已过保", "warranty.unknown": "保修状态未知",
    "edit_which": "要修改哪一项？",
    "ask.describe": "出了什么问题？请用一句话描述（附上照片更好）。",
    "ask.device": "是哪台设备？请输入设备标签上的资产编号（例如 A-0042）或序列号，或者选择设备类型：",
    "ask.confirm_asset": "是这台设备吗？\n{label} — {device}\n📍 {place}\n🛡 {warranty}",
    "ask.site": "设备在哪里？请选择地点，或输入楼宇/网点名称：",
    "ask.room": "在 {site} 的哪个房间或工位？（直接输入，或跳过）",
    "ask.severity": "影响有多严重？",
    "ask.contact": "工程师怎么联系您？点击按钮发送手机号，或直接输入电话号码。",
    "ask.contact_known": "工程师怎么联系您？点击下面的号码，或输入另一个号码。",
    "ask.share_contact": "请点击下方的“📱 发送我的手机号”发送您的号码。",
    "photos_only": "（见照片）",
    "summary": (
        "请确认报修信息：\n• 故障：{description}\n• 照片：{photos} 张\n• 设备：{device}\n"
        "• 地点：{place}\n• 紧急程度：{severity}\n• 电话：{phone}"
    ),
    "submitted": _submitted_zh,
    "followup.question": _followup_zh,
    "followup.reminder": "提醒：",
    "btn.still_working": "👍 是的，正常", "btn.same_fault": "🔁 同样的故障又出现了",
    "btn.other_problem": "🆕 有别的问题",
    "followup.ask_rating": "太好了！您对这次维修满意吗？（1 非常不满意 … 5 非常满意）",
    "rating.1": "1 😠", "rating.2": "2 🙁", "rating.3": "3 😐", "rating.4": "4 🙂", "rating.5": "5 😄",
    "followup.ask_comment": "谢谢！还有什么想说的吗？可以写下意见，或者跳过。",
    "followup.thanks": "感谢您的反馈！",
    "followup.rating_changed": "您的评分已改为 {rating}。",
    "followup.new_report": "好的，我们来报修新的问题。出了什么问题？",
    "followup.not_yours": "这份回访不属于您，或已不存在。",
    "followup.only_managers": "只有管理员可以处理投诉。",
    "followup.expired": "这份回访已过期，工单已关闭。如有问题，直接在这里描述即可。",
    "followup.already_answered": "您已经回答过这份回访了。",
    "followup.already_rated": "您已经为这次维修评过分了。",
    "followup.bad_rating": "评分是 1 到 5 的数字。",
    "followup.not_now": "现在没有需要回答的问题。",
    "followup.fault_back": "🔁 {number}：报修人反映维修后同样的故障又出现了，工单已重新打开。",
    "followup.complaint": _complaint_zh,
    "followup.complaint_comment": "💬 关于 {number} 投诉的意见：{comment}",
    "followup.no_complaints": "没有未处理的投诉。",
    "followup.complaints": "未处理的投诉（须在一周内答复）：\n{lines}",
    "followup.complaint_line": _complaint_line_zh,
    "followup.complaint_already": "这条投诉已经处理过了。",
    "followup.complaint_closed": "已标记为已处理。",
    "btn.complaint_handled": "✅ 标记为已处理", "btn.complaint_handled_n": "✅ {number} 已处理",
    "duty.card": card({"status": "状态", "device": "设备", "where": "地点", "problem": "故障",
                        "reporter": "报修人", "photos": "照片", "tried": "已尝试", "history": "该设备历史记录",
                        "respond": "响应时限", "onsite": "到场时限", "resolve": "修复时限",
                        "spare": "备机归还日期"}),
    "duty.card.with_note": "{note}\n{card}",
    "duty.card.urgent": "🔁 重新打开：同样的故障又出现了。",
    "duty.card.escalated": "⏰ 已过 {minutes} 分钟仍无人接单。",
    "duty.card.handed_over": "🤝 {engineer} 把这张工单转给了您。",
    "duty.card.tier2": "⬆️ {engineer} 请求二线专家接手。",
    "duty.history_line": "  {number} · {opened} · {status}",
    "topic.to_reporter": "💬 {engineer} 关于 {number}：\n{text}",
    "topic.from_reporter": "➕ {reporter} 补充：{text}",
    "topic.noted": "📝 已记入工单（仅员工可见）。",
    "topic.sent": "↪️ 已转给报修人，并记入工单。",
    "duty.paused": "⏸ SLA 计时暂停：等待{reason}",
    "btn.accept": "✅ 接单", "btn.decline": "🚫 无法接单", "btn.on_the_way": "🚗 出发",
    "btn.on_site": "📍 已到场", "btn.need_part": "🔩 需要配件", "btn.part_arrived": "📦 配件已到",
    "btn.spare": "🖥 已借备机", "btn.spare_back": "↩️ 备机已归还", "btn.hand_over": "🤝 转交",
    "btn.tier2": "⬆️ 升级二线", "btn.resolve": "✅ 完成维修", "btn.no_parts": "未更换配件",
    "btn.fixed": "👍 已修好", "btn.not_fixed": "👎 没修好",
    "milestone.respond": "响应", "milestone.onsite": "到场", "milestone.resolve": "修复",
    "duty.nobody_on_duty": "⚠️ 新工单 {number}（{severity}）没有值班工程师，请尽快指派。",
    "duty.escalated_to_managers": "🚨 {number}（{severity}，{opened} 报修）仍无人接单（已派给 {assignee}）。",
    "duty.warn": "⏰ {number}：{milestone}时限 {deadline} 即将到期。",
    "duty.breach": "🚨 {number}：{milestone}时限 {deadline} 已超时。",
    "duty.spare_due": "🖥 {number}：备机应于 {due} 归还，修好的设备需按时送回。",
    "duty.unknown_year": (
        "📅 节假日日历还没有 {year} 年的法定假日安排。请用 helpdesk calendar import 文件 导入官方安排"
        "（或用 /holiday 逐日添加），以免值班和 SLA 计时出错。"
    ),
    "duty.gap": "⚠️ {start} 至 {end} 没有人值班。请用 /cover 安排人员。",
    "duty.undeliverable": (
        "📵 无法就 {number} 给 {who} 发消息：{reason}。"
        "请对方在 Telegram 中打开机器人（或解除屏蔽），否则收不到任何通知。"
    ),
    "duty.only_engineers": "只有工程师可以处理工单。",
    "duty.only_managers": "只有管理员可以修改值班表。",
    "duty.not_yours": "这张工单由 {assignee} 负责，只有本人或管理员可以操作。",
    "duty.accept_first": "请先接单。",
    "duty.already_taken": "{number} 已经{status}（{engineer}）。",
    "duty.accepted_toast": "{number} 归您了，已通知报修人。",
    "duty.declined_toast": "好的，已记录，工单将转给下一位。",
    "duty.cannot": "工单{status}，无法进行此操作。",
    "duty.handover_to": "把 {number} 转交给谁？",
    "duty.handed_over": "🤝 {number} 已转交给 {engineer}。",
    "duty.decline.busy": "正在处理别的工单", "duty.decline.off": "不在班 / 不在现场",
    "duty.decline.skill": "不是我的专业（需要别人）",
    "duty.not_offered": "{number} 没有派给您（或您已说明无法接单）。",
    "duty.ask_decline_reason": "为什么无法接 {number}？请选一项，或直接输入简短原因：",
    "duty.decline_asked": "说明原因后，工单会转给下一位。",
    "duty.bad_decline_reason": "请输入简短原因（不超过 300 字），或选上面的一项。",
    "duty.declined_moved": "🚫 已记录。{number} 已转给 {engineer}。",
    "duty.declined_to_managers_told": "🚫 已记录。{number} 暂时找不到其他人，已通知主管。",
    "duty.card.declined": "🚫 {engineer} 无法接单：{reason}",
    "duty.declined_to_managers": "🚫 {engineer} 无法接 {number}（{severity}）：{reason}。升级链上已无人可派，请安排。",
    "duty.already_on_the_way": "您已经点过“出发”了。",
    "duty.toast.way": "🚗 已出发，已通知报修人。",
    "duty.toast.arrive": "📍 已到场，已通知报修人。",
    "duty.toast.part": "⏸ 等待备件：SLA 计时暂停。",
    "duty.toast.resume": "▶️ 备件已到：SLA 继续计时。",
    "duty.toast.spare": "🔁 已借出备用机，到期前会提醒报修人。",
    "duty.toast.spareback": "✅ 备用机已收回。",
    "duty.toast.handed_over": "已转交给 {engineer}。",
    "duty.handover_label": "{name}",
    "duty.handover_label_unreachable": "{name} ⚠️ 联系不上",
    "duty.handover_unreachable": (
        "⚠️ {engineer} 还没有和机器人开始私聊（或已屏蔽），收不到工单卡片。{number} 仍由您负责；请选别人或直接打电话。"
    ),
    "duty.status_on_the_way": "工程师已出发",
    "duty.cancelled_by_reporter": "❌ {number} 已被报修人撤销：{reason}。无需前往。",
    "duty.no_tier2": "没有配置二线工程师。",
    "duty.tier2_requested": "⬆️ {engineer} 请求二线专家接手 {number}。",
    "duty.tier2_sent": "已发送给 {count} 位二线工程师。",
    "duty.ask_resolution": "完成 {number}：故障原因是什么，做了哪些处理？（一条消息）",
    "duty.ask_parts": "更换了哪些配件？请输入，或点击按钮。",
    "duty.bad_note": "请用一条不超过 {limit} 字的消息说明。",
    "duty.resolved": "✅ {number} 已完成，已请报修人确认。",
    "duty.queue_empty": "您没有待办工单。",
    "duty.queue": "您的待办工单（最紧急的在前）：\n{lines}",
    "duty.queue_line": queue_line,
    "duty.nobody": "无人", "duty.oncall": _oncall_zh,
    "duty.cover_usage": (
        "用法：/cover 工程师ID 开始 结束 [原因]，例如 /cover 1002 2026-02-16T09:00 2026-02-17T09:00 病假"
    ),
    "duty.covered": "🗓 {engineer} 在 {start} 至 {end} 值班。",
    "duty.swap_usage": "用法：/swap 日期 工程师A 工程师B，例如 /swap 2026-02-16 1001 1002",
    "duty.swap_nothing": "{day} 这两位都不值班，无需调换。",
    "duty.swapped": "🔁 {a} 和 {b} 已调换 {day} 的 {count} 个班次。",
    "duty.holiday_usage": "用法：/holiday 日期 [名称] · /holiday workday 日期 · /holiday remove 日期",
    "duty.calendar_holiday": "📅 {day} 已设为假日。", "duty.calendar_workday": "📅 {day} 已设为工作日。",
    "duty.calendar_remove": "📅 {day} 恢复按官方日历安排。",
    "duty.rotation_usage": "用法：/rotation 名称 ID,ID,…（轮班：{names}）",
    "duty.rotation_set": "🔁 轮班 {name}：{engineers}。",
    "reporter.accepted": _accepted_zh,
    "reporter.on_the_way": "🚗 {engineer} 正在赶往现场处理 {number}。",
    "reporter.on_site": "📍 {engineer} 已到达现场处理 {number}。",
    "reporter.waiting_part": "🔩 {number}：需要更换配件，配件到货后工程师会再来处理。",
    "reporter.part_arrived": "📦 {number}：配件已到，继续维修。",
    "reporter.spare": "🖥 {number}：已为您提供备机，您的设备将在 {due} 前送回。",
    "reporter.handed_over": "🤝 {number} 现由 {engineer} 负责。",
    "reporter.resolved": _resolved_zh,
    "reporter.thanks_confirmed": "谢谢！{number} 已确认修好，几天后我们会回访。",
    "reporter.reopened": "抱歉！{number} 已重新打开，工程师会再次处理。",
    "kb.suggest": "下面的指引也许几分钟就能解决问题。可以打开看看，或者跳过直接报修：",
    "kb.did_you_mean": "是下面这些问题之一吗？可以打开看起来相符的指引，或者跳过直接报修：",
    "btn.kb_skip": "跳过，直接报修",
    "btn.kb_fixed": "✅ 已经解决了", "btn.kb_not_fixed": "❌ 没有解决",
    "kb.fixed": "🎉 太好了，恢复正常就好！这次不需要开工单。如果问题再出现，随时告诉我。",
    "kb.continue": "抱歉没能解决，我们安排工程师处理。",
    "kb.gone": "这篇指引已经不存在了。",
    "kb.only_in.zh": "（这篇指引只有中文版。）", "kb.only_in.en": "（这篇指引只有英文版。）",
    "kb.article": article,
    "kb.usage": (
        "请在命令后写上要查找的内容，例如 /kb 打印机脱机。工程师：/kb add 新写文章，"
        "/kb learned 查看知识库从反馈中学到的说法。"
    ),
    "kb.no_match": "没有找到相关指引。直接在这里描述故障，我来为您报修。",
    "kb.results": "相关指引：",
    "kb.results_unsure": "您要找的是不是下面这些？",
    "kb.not_allowed": "只有工程师和管理员可以添加或修改知识库文章。",
    "kb.bad_id": "文章编号只能包含小写字母、数字和短横线，例如 printer-offline。",
    "kb.long_id": (
        "这个编号太长了：文章编号最多 {limit} 个字符，因为打开文章的聊天按钮里要带着它。"
        "请换一个短一些的，例如 printer-offline；或者只发送 /kb add，编号会根据标题自动生成。"
    ),
    "kb.cannot_keep": "这里没有可保留的内容，请回答问题。",
    "kb.bad_title": "请发送不超过 {limit} 个字的标题。",
    "kb.bad_symptoms": "请发送 1 到 {limit} 种说法，每行一种，每种不超过 {length} 个字。",
    "kb.bad_steps": "请把处理步骤写在一条消息里，不超过 {limit} 个字。",
    "kb.invalid": "文章格式不正确：{reason}",
    "kb.ask.title": "新文章。请发送标题（用户会怎么称呼这个问题）。\n当前：{current}",
    "kb.ask.device": "这篇文章是关于哪类设备的？",
    "kb.ask.symptoms": "请发送用户描述这个问题的说法，每行一种。\n当前：\n{current}",
    "kb.ask.steps": "请发送普通员工能照着做的步骤，编好号，最后写明什么情况下需要报修。\n当前：\n{current}",
    "kb.preview": "请确认文章内容：\n\n{article}\n\n设备：{device}\n用户的说法：\n{symptoms}",
    "kb.discarded": "文章没有保存。",
    "kb.saved": "📘 已保存“{title}”（编号 {id}），现在就可以搜索到。",
    "kb.text_only": "文章只能包含文字，照片不会保存。",
    "btn.keep": "保持不变", "btn.save": "💾 保存", "btn.save_as_article": "📘 存为知识库文章",
    "error.storage": "抱歉，暂时无法保存，没有做任何修改。请一分钟后再试。",
    "error.internal": "抱歉，系统出了点问题，没有做任何修改。请再试一次。",
}
