"""The manager's report in English: KPI summary, chart labels, workbook headers, /report in chat.

Apart from `en.py` because it is a different reader's text (the manager's and the auditor's, drawn
in the report worker process too) and so each file stays short. Every key starts with "report." so
the two cannot clash; device names are the shared `device.*` texts of `en.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.texts.shapes import Template


def _figure_en(p: Mapping[str, Any]) -> str:
    if p["value"] is None:
        return f"• {p['name']}: no data yet"
    target = f" · target {p['target']}" if p["target"] else ""
    return f"• {p['name']}: {p['value']} ({p['basis']}){target} {p['mark'] or ''}".rstrip()


def _inspections_en(p: Mapping[str, Any]) -> str:
    if str(p["due"]) == "0":
        return "• Inspections: none was due yet"
    return (f"• Inspections: {p['on_time']}/{p['due']} visits done on time ({p['rate']}) · {p['late']} late · "
            f"{p['missed']} missed · {p['open']} under way · {p['devices']} devices inspected · "
            f"{p['findings']} faults found · {p['warnings']} consumable warnings")


EN_REPORTS: dict[str, Template] = {
    # figure names (summary, chart, workbook, JSON labels)
    "report.kpi.response_attainment": "Response on time",
    "report.kpi.onsite_attainment": "On site on time",
    "report.kpi.resolve_attainment": "Resolved on time",
    "report.kpi.resolution_rate": "Resolution rate",
    "report.kpi.first_visit_resolution": "Fixed on the first visit",
    "report.kpi.satisfaction_share": "Satisfied (rating 3–5)",
    "report.kpi.satisfaction_mean": "Mean rating",
    "report.kpi.repeat_repair_rate": "30-day repeat repairs",
    "report.kpi.deflection_rate": "Solved by self-service",
    "report.kpi.survey_response_rate": "Follow-ups answered",
    # the text summary
    "report.summary.period": "📊 Service report {start} – {end}",
    "report.summary.filter.site": "Site: {value}",
    "report.summary.filter.engineer": "Engineer: {value}",
    "report.summary.filter.device": "Device: {value}",
    "report.summary.filter.severity": "Severity: {value}",
    "report.summary.volume": "{tickets} tickets opened, {cancelled} cancelled; {breaches} open past a deadline.",
    "report.summary.approximate": (
        "⚠️ {tickets} tickets' deadlines run through a year whose official holiday calendar is not loaded: they are "
        "approximate (helpdesk calendar import FILE)."
    ),
    "report.summary.nothing": "No tickets were opened in this period.",
    "report.summary.figure": _figure_en,
    "report.summary.severity": "By severity: P1 {p1} · P2 {p2} · P3 {p3} · P4 {p4}",
    "report.summary.devices": "By device:",
    "report.summary.device": "• {device}: {count}",
    "report.summary.inspections": _inspections_en,
    "report.summary.score": "Contract score: {total} points → pays {pay}",
    "report.summary.score_na": "Contract score: n/a, nothing to score for {lacking}",
    "report.lacking.service": "service (no ticket reached or missed a deadline)",
    "report.lacking.satisfaction": "satisfaction (no follow-up was rated)",
    "report.lacking.service_and_satisfaction": "service and satisfaction (no deadline reached or missed, no rating)",
    "report.xlsx.lacking": "Not scored",
    "report.summary.score_parts": "Service {service} · reporting {reporting} · satisfaction {satisfaction}",
    "report.deduction.response_attainment": "− {points} service points: response on time below {threshold}",
    "report.deduction.onsite_attainment": "− {points} service points: on site on time below {threshold}",
    "report.deduction.monthly_reports": "− {points} reporting points: monthly reports late or missing",
    "report.deduction.no_survey": "− {points} satisfaction points: no follow-up was rated",
    "report.deduction.false_reports": "− {points}% of pay: false reports",
    "report.deduction.inspections": "− {points} reporting points: inspections missed (not done within their window)",
    # the chart
    "report.chart.title": "Help desk {start} – {end}",
    "report.chart.weekly": "Response on time, by week",
    "report.chart.week_of": "Week of",
    "report.chart.attainment": "On time (%)",
    "report.chart.target": "(target {target})",
    "report.chart.ratings": "Follow-up ratings (mean {mean}, n = {n})",
    "report.chart.rating": "Rating (1 very dissatisfied … 5 very satisfied)",
    "report.chart.count": "Count",
    "report.chart.devices": "Tickets by device",
    "report.chart.tickets": "Tickets",
    "report.chart.no_data": "No data",
    "report.chart.inspections": "Inspection visits ({devices} devices, {findings} faults, {warnings} warnings)",
    "report.chart.visits": "Visits",
    # inspection states (chart, workbook)
    "report.insp.on_time": "on time", "report.insp.late": "done late", "report.insp.missed": "missed",
    "report.insp.open": "under way",
    # the workbook
    "report.ss.article": "Article",
    "report.ss.fixed": "Fixed it (reporters)",
    "report.ss.deflected": "Solved requests",
    "report.ss.not_helped": "Didn't help",
    "report.ss.fixed_with": "Fixed with (engineers)",
    "report.ss.tried": "Tried before a ticket",
    "report.col.number": "Ticket",
    "report.col.opened": "Opened",
    "report.col.status": "Status",
    "report.col.severity": "Severity",
    "report.col.tier": "SLA tier",
    "report.col.device": "Device",
    "report.col.asset": "Asset no.",
    "report.col.site": "Site",
    "report.col.room": "Room",
    "report.col.reporter": "Reporter ID",
    "report.col.contact_name": "Contact",
    "report.col.contact_phone": "Phone",
    "report.col.description": "Fault",
    "report.col.assignee": "Engineer ID",
    "report.col.dispatched": "Dispatched",
    "report.col.accepted": "Accepted",
    "report.col.arrived": "Arrived",
    "report.col.resolved": "Resolved",
    "report.col.respond_by": "Respond by",
    "report.col.onsite_by": "On site by",
    "report.col.resolve_by": "Resolve by",
    "report.col.respond_outcome": "Response SLA",
    "report.col.onsite_outcome": "On-site SLA",
    "report.col.resolve_outcome": "Resolve SLA",
    "report.col.paused": "Paused (min)",
    "report.col.held": "Service time held (min)",
    "report.col.late": "Late by",
    "report.late": "{milestone} +{minutes} min",
    "report.milestone.respond": "respond", "report.milestone.onsite": "on site", "report.milestone.resolve": "resolve",
    "report.col.visits": "Visits",
    "report.col.reopens": "Reopened",
    "report.col.parts": "Parts replaced",
    "report.col.resolution": "Resolution notes",
    "report.col.tried": "Articles tried",
    "report.col.followup": "Follow-up answer",
    "report.col.rating": "Rating",
    "report.col.comment": "Comment",
    "report.col.cancel_reason": "Cancel reason",
    "report.outcome.met": "met",
    "report.outcome.missed": "breached",
    "report.outcome.pending": "pending",
    "report.outcome.exempt": "not counted",
    "report.status.new": "new",
    "report.status.assigned": "assigned",
    "report.status.accepted": "accepted",
    "report.status.on_site": "on site",
    "report.status.resolved": "resolved",
    "report.status.closed": "closed",
    "report.status.reopened": "reopened",
    "report.status.cancelled": "cancelled",
    "report.answer.working": "working",
    "report.answer.same_fault": "same fault again",
    "report.answer.other_problem": "another problem",
    "report.xlsx.kpi": "KPI",
    "report.xlsx.value": "Value",
    "report.xlsx.numerator": "Numerator",
    "report.xlsx.denominator": "Out of (n)",
    "report.xlsx.target": "Target",
    "report.xlsx.met": "Met",
    "report.xlsx.yes": "yes",
    "report.xlsx.no": "no",
    "report.xlsx.period": "Period",
    "report.xlsx.as_of": "As of",
    "report.xlsx.timezone": "Time zone",
    "report.xlsx.selection": "Selection",
    "report.xlsx.whole_desk": "whole help desk",
    "report.xlsx.tickets": "Tickets opened",
    "report.xlsx.cancelled": "Cancelled",
    "report.xlsx.breaches": "Open past a deadline",
    "report.xlsx.score": "Contract score",
    "report.xlsx.service": "Service points",
    "report.xlsx.reporting": "Reporting points",
    "report.xlsx.satisfaction": "Satisfaction points",
    "report.xlsx.total": "Total points",
    "report.xlsx.pay": "Pay share",
    "report.xlsx.deduction": "Deduction",
    "report.xlsx.inspections": "Inspections",
    "report.xlsx.insp_due": "Visits due", "report.xlsx.insp_on_time": "Done on time",
    "report.xlsx.insp_late": "Done late", "report.xlsx.insp_missed": "Missed",
    "report.xlsx.insp_devices": "Devices inspected", "report.xlsx.insp_findings": "Faults found",
    "report.xlsx.insp_warnings": "Consumable warnings",
    "report.ic.day": "Day", "report.ic.site": "Site", "report.ic.engineer": "Engineer ID", "report.ic.due_by": "Due by",
    "report.ic.visit": "Visit", "report.ic.asset": "Asset no.", "report.ic.device": "Device",
    "report.ic.label": "Device name", "report.ic.result": "Result", "report.ic.note": "Note",
    "report.ic.ticket": "Ticket", "report.ic.checked": "Checked", "report.ic.finished": "Visit finished",
    # the report in chat
    "report.message": "{lines}",
    "report.only_managers": "Only managers can see the service reports and export the work orders.",
    "report.failed": (
        "⚠️ The report for {label} could not be drawn ({reason}). Nothing else is affected; try again "
        "later, or ask the administrator to run `helpdesk report` and look at the bot's log."
    ),
    "report.usage": "Usage: /report [month | quarter | last | YYYY-MM | YYYY-Qn]; /export [the same]",
}
