"""The report's picture: one PNG with response attainment per week, the ratings, tickets by device.

Apart from the summary because it is the one part that needs matplotlib (imported on first use, so
the bot does not load it for a text reply) and a Chinese font: the system's, else the one in bot/fonts.
"""

from __future__ import annotations

import io
import logging
import threading
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any

from bot.domain.inspection_visit import InspectionFigures
from bot.domain.kpi import Kpis, ReportData
from bot.domain.kpi_series import ratings_histogram, weekly_attainment
from bot.domain.targets import Target
from bot.fonts import CJK_TTF
from bot.services.reports.summary import device_label, label, period_dates

log = logging.getLogger(__name__)


_RENDER_LOCK = threading.Lock()
"""matplotlib's settings are process-wide; one chart at a time keeps a zh chart's font out of an en one."""
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a Simplified-Chinese font matplotlib can use: the system's, else the subset of
    Noto Sans CJK SC the help desk ships (bot/fonts, OFL); None only if that file is gone."""
    from matplotlib import font_manager

    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    if not CJK_TTF.is_file():
        return None
    font_manager.fontManager.addfont(str(CJK_TTF))
    return font_manager.FontProperties(fname=str(CJK_TTF)).get_name()


def _chart_language(lang: str) -> tuple[str, list[str]]:
    """The language the chart can really be drawn in, and the font families to draw it with."""
    if lang != "zh":
        return lang, ["DejaVu Sans"]
    family = cjk_font()
    if family is None:
        log.warning("no Chinese font for the chart (bot/fonts is missing its font); drawing it with English labels")
        return "en", ["DejaVu Sans"]
    return "zh", [family, "DejaVu Sans"]


_RATING_COLOURS = ("#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")


def chart_png(data: ReportData, kpis: Kpis, now: datetime, lang: str, *, tz: tzinfo = UTC) -> bytes:
    """One PNG with three panels: response attainment per week, the 1–5 ratings, tickets by device;
    and a fourth, the inspection visits by standing, where the deployment inspects.

    `data` is the same view `kpis` was computed from (use :func:`bot.domain.kpi.filtered` for a
    selection). Weeks are the local ISO weeks of `tz`."""
    import matplotlib
    from matplotlib.figure import Figure

    lang, families = _chart_language(lang)
    target = kpis.response_attainment.target
    weeks = weekly_attainment(data, now, tz=tz, target=Target(target))
    ratings = ratings_histogram(data)
    first, last = period_dates(kpis, data, tz)
    with _RENDER_LOCK, matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False,
                                              "font.size": 10}):
        inspections = kpis.inspections
        figure = Figure(figsize=(10, 8 if inspections is None else 9.4), dpi=110, layout="constrained")
        grid = figure.add_gridspec(2 if inspections is None else 3, 2,
                                   height_ratios=(1, 1.1) if inspections is None else (1, 1.1, 0.42))
        title = label("report.chart.title", lang, start=first, end=last)
        if kpis.selection:
            title += "  ·  " + ", ".join(value for _, value in kpis.selection)
        weight = "normal" if lang == "zh" else "bold"  # the bundled CJK font has no bold face
        figure.suptitle(title, fontsize=14, fontweight=weight)
        _weekly_panel(figure.add_subplot(grid[0, :]), weeks, target, lang, weight)
        _ratings_panel(figure.add_subplot(grid[1, 0]), ratings, kpis, lang, weight)
        _devices_panel(figure.add_subplot(grid[1, 1]), kpis.by_device, lang, weight)
        if inspections is not None:
            _inspections_panel(figure.add_subplot(grid[2, :]), inspections, lang, weight)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _no_data(axes: Any, lang: str) -> None:
    axes.text(0.5, 0.5, label("report.chart.no_data", lang), ha="center", va="center",
              transform=axes.transAxes, color="#888888", fontsize=12)


def _weekly_panel(axes: Any, weeks: list, target: float | None, lang: str, weight: str) -> None:
    title = label("report.chart.weekly", lang)
    axes.set_ylabel(label("report.chart.attainment", lang))
    axes.set_xlabel(label("report.chart.week_of", lang))
    axes.set_ylim(0, 109)
    positions = list(range(len(weeks)))
    values = [fig.value * 100 if fig.value is not None else 0 for _, fig in weeks]
    colours = ["#1a9850" if fig.met else "#fc8d59" for _, fig in weeks]
    bars = axes.bar(positions, values, color=colours, width=0.7)
    if len(weeks) <= 16:
        for bar, (_, fig) in zip(bars, weeks, strict=True):
            count = f"n={fig.denominator}" if fig.denominator else "—"
            axes.annotate(count, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom",
                          xytext=(0, 2), textcoords="offset points", fontsize=8, color="#444444")
    empty = [x for x, (_, fig) in zip(positions, weeks, strict=True) if not fig.denominator]
    if empty:  # nothing counted that week: a grey mark, so it is not read as 0%
        axes.scatter(empty, [1.5] * len(empty), marker="x", color="#999999", s=18, zorder=3)
    zero = [x for x, (_, fig) in zip(positions, weeks, strict=True) if fig.denominator and not fig.value]
    if zero:  # 0% on time: a bar of no height would look like no data
        axes.scatter(zero, [1.5] * len(zero), marker="v", color="#d73027", s=22, zorder=3)
    step = max(1, len(weeks) // 13)
    axes.set_xticks(positions[::step], [week.strftime("%m-%d") for week, _ in weeks][::step])
    if target is not None:
        axes.axhline(target * 100, color="#d73027", linestyle="--", linewidth=1.2)
        title += " " + label("report.chart.target", lang, target=f"≥ {target * 100:g}%")
    axes.set_title(title, loc="left", fontweight=weight)
    if not any(fig.denominator for _, fig in weeks):
        _no_data(axes, lang)
    axes.grid(axis="y", alpha=0.3)


def _ratings_panel(axes: Any, ratings: dict[int, int], kpis: Kpis, lang: str, weight: str) -> None:
    mean = kpis.satisfaction_mean.value
    axes.set_title(label("report.chart.ratings", lang, mean=f"{mean:.2f}" if mean is not None else "—",
                          n=kpis.satisfaction_mean.denominator), loc="left", fontweight=weight)
    axes.set_xlabel(label("report.chart.rating", lang))
    axes.set_ylabel(label("report.chart.count", lang))
    levels = list(ratings)
    bars = axes.bar(levels, [ratings[r] for r in levels], color=_RATING_COLOURS, width=0.7)
    axes.bar_label(bars, padding=2, fontsize=9)
    axes.set_xticks(levels)
    axes.margins(y=0.15)
    if not any(ratings.values()):
        _no_data(axes, lang)
    axes.grid(axis="y", alpha=0.3)


def _devices_panel(axes: Any, by_device: dict[str, int], lang: str, weight: str) -> None:
    axes.set_title(label("report.chart.devices", lang), loc="left", fontweight=weight)
    axes.set_xlabel(label("report.chart.tickets", lang))
    names = [device_label(code, lang) for code in by_device]
    bars = axes.barh(names, list(by_device.values()), color="#4575b4")
    axes.bar_label(bars, padding=2, fontsize=9)
    axes.invert_yaxis()
    axes.margins(x=0.15)
    if not by_device:
        _no_data(axes, lang)
    axes.grid(axis="x", alpha=0.3)


_STANDING_COLOURS = {"on_time": "#1a9850", "late": "#fee08b", "missed": "#d73027", "open": "#bbbbbb"}


def _inspections_panel(axes: Any, found: InspectionFigures, lang: str, weight: str) -> None:
    """One bar of the period's visits: on time, late, missed, under way (a missed one costs points)."""
    axes.set_title(label("report.chart.inspections", lang, devices=found.devices, findings=found.findings,
                         warnings=found.warnings), loc="left", fontweight=weight)
    axes.set_xlabel(label("report.chart.visits", lang))
    counts = {"on_time": found.done_on_time, "late": found.done_late, "missed": found.missed,
              "open": found.under_way}
    left = 0
    for state, count in counts.items():
        if count:
            bar = axes.barh([0], [count], left=left, color=_STANDING_COLOURS[state],
                            label=f"{label(f'report.insp.{state}', lang)} {count}")
            axes.bar_label(bar, labels=[str(count)], label_type="center", fontsize=9)
            left += count
    from matplotlib.ticker import MaxNLocator

    axes.set_yticks([])
    axes.set_xlim(0, max(left, 1))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # visits are counted, not measured
    if left:
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.45), ncols=4, frameon=False, fontsize=9)
    else:
        _no_data(axes, lang)
