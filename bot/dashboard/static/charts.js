// Hand-drawn SVG charts: weekly tickets as bars with the on-time share as a line, and horizontal bars
// (tickets, the overdue part in red) by site, device and engineer. Colours come from CSS classes, so
// both themes read well; the numbers are written on the chart, not only in tooltips.

import { h, percent, t } from "./api.js";

/** The drawing's width in its own units: wider on a desktop, so the text keeps its size. */
let W = 360;

function frame(testid, title, height, body) {
  return h("figure", { class: "chart card", "data-testid": testid },
    h("figcaption", {}, title),
    body ? h("svg", { viewBox: `0 0 ${W} ${height}`, role: "img", "aria-label": title }, body)
      : h("p", { class: "muted" }, t("dashboard.chart.no_data")));
}

const shortDate = (iso) => (iso || "").slice(5); // "2026-11-30" → "11-30"

/** Weeks: the on-time share as a line in its own band on top (scaled from its lowest tenth to 100%,
 *  so 89% and 97% look different), the tickets as bars below; the two never overlap. */
export function weeksChart(weeks) {
  const height = 230;
  if (!weeks || !weeks.length) return frame("chart-weeks", t("dashboard.chart.weeks"), height, null);
  const left = 30, right = W - 40;
  const lineTop = 18, lineBottom = 70, barTop = 100, barBottom = 186;
  const shares = weeks.map((w) => w.on_time).filter((v) => v != null);
  const floor = shares.length ? Math.min(0.9, Math.floor(Math.min(...shares) * 10) / 10) : 0;
  const max = Math.max(1, ...weeks.map((w) => w.tickets || 0));
  const step = (right - left) / weeks.length;
  const barW = Math.min(40, step * 0.6);
  const y = (v) => barBottom - ((barBottom - barTop) * v) / max;
  const yShare = (v) => lineBottom - ((lineBottom - lineTop) * (v - floor)) / (1 - floor || 1);
  const parts = [
    h("line", { class: "grid", x1: left, y1: lineTop, x2: right, y2: lineTop }),
    h("line", { class: "grid", x1: left, y1: lineBottom, x2: right, y2: lineBottom }),
    h("text", { class: "tick share", x: right + 4, y: lineTop + 4 }, "100%"),
    h("text", { class: "tick share", x: right + 4, y: lineBottom + 4 }, `${Math.round(floor * 100)}%`),
    h("line", { class: "axis", x1: left, y1: barBottom, x2: right, y2: barBottom }),
    h("text", { class: "tick", x: left - 4, y: barTop + 4, "text-anchor": "end" }, max),
    h("text", { class: "tick", x: left - 4, y: barBottom, "text-anchor": "end" }, 0),
  ];
  const points = [];
  const labelEvery = Math.ceil(weeks.length / (W / 50));
  weeks.forEach((w, i) => {
    const cx = left + step * (i + 0.5);
    const tickets = w.tickets || 0;
    parts.push(h("rect", { class: "bar", x: cx - barW / 2, y: y(tickets), width: barW, height: barBottom - y(tickets), rx: 2 },
      h("title", {}, `${t("dashboard.chart.week_of", { date: w.week })}: ${tickets} ${t("dashboard.chart.tickets")}, `
        + `${t("dashboard.chart.on_time")} ${w.on_time == null ? t("dashboard.kpi.no_data") : percent(w.on_time)}`)));
    parts.push(h("text", { class: "val", x: cx, y: y(tickets) - 3, "text-anchor": "middle" }, tickets));
    if (i % labelEvery === 0) {
      parts.push(h("text", { class: "tick", x: cx, y: barBottom + 14, "text-anchor": "middle" }, shortDate(w.week)));
    }
    if (w.on_time != null) points.push([cx, yShare(w.on_time), w.on_time]);
  });
  if (points.length > 1) {
    parts.push(h("polyline", { class: "line", points: points.map(([x, py]) => `${x},${py}`).join(" ") }));
  }
  for (const [x, py, share] of points) {
    parts.push(h("circle", { class: "dot", cx: x, cy: py, r: 3.5 }));
    parts.push(h("text", { class: "val share", x, y: py - 7, "text-anchor": "middle" }, Math.round(share * 100) + "%"));
  }
  parts.push(legend(height - 6, [["bar", t("dashboard.chart.tickets")], ["line", t("dashboard.chart.on_time")]]));
  return frame("chart-weeks", t("dashboard.chart.weeks"), height, parts);
}

/** Roughly how wide a label is drawn at 11 px: CJK characters are twice as wide as Latin ones. */
const textWidth = (text) => [...text].reduce((sum, c) => sum + (c.charCodeAt(0) > 0x2e80 ? 11 : 6.5), 0);

function legend(y, items) {
  let x = 30;
  return h("g", { class: "legend" }, items.map(([kind, label]) => {
    const mark = kind === "line"
      ? h("line", { class: "line", x1: x, y1: y - 4, x2: x + 14, y2: y - 4 })
      : h("rect", { class: kind, x, y: y - 10, width: 12, height: 10, rx: 2 });
    const text = h("text", { class: "tick", x: x + 18, y }, label);
    x += 34 + textWidth(label);
    return [mark, text];
  }));
}

const clip = (text, n) => (text.length > n ? text.slice(0, n - 1) + "…" : text);

/** One horizontal bar per item: its tickets, the overdue share of them drawn in red over it. */
export function barsChart(testid, title, items) {
  const rowH = 24;
  const list = (items || []).filter((it) => it.tickets || it.breached);
  if (!list.length) return frame(testid, title, 60, null);
  const height = list.length * rowH + 28;
  const left = 104, right = W - 60;
  const max = Math.max(1, ...list.map((it) => it.tickets || 0));
  const x = (v) => ((right - left) * v) / max;
  const parts = list.map((it, i) => {
    const y = 6 + i * rowH;
    const label = String(it.label ?? it.key ?? "");
    const tickets = it.tickets || 0, breached = it.breached || 0;
    return h("g", {},
      h("title", {}, `${label}: ${tickets} ${t("dashboard.chart.tickets")}, ${breached} ${t("dashboard.chart.breached")}`),
      h("text", { class: "tick", x: left - 6, y: y + 13, "text-anchor": "end" }, clip(label, 12)),
      h("rect", { class: "bar", x: left, y, width: Math.max(x(tickets), 1), height: 16, rx: 2 }),
      breached ? h("rect", { class: "bar-breached", x: left, y, width: Math.max(x(breached), 2), height: 16, rx: 2 }) : null,
      h("text", { class: "val", x: left + x(tickets) + 5, y: y + 13 }, String(tickets),
        breached ? h("tspan", { class: "breached" }, ` · ${breached}`) : null));
  });
  parts.push(legend(height - 6, [["bar", t("dashboard.chart.tickets")], ["bar-breached", t("dashboard.chart.breached")]]));
  return frame(testid, title, height, parts);
}

export function chartsSection(charts) {
  W = window.innerWidth >= 960 ? 520 : 360;
  return h("section", { class: "charts" },
    h("h2", {}, t("dashboard.charts.heading")),
    h("div", { class: "chart-grid" },
      weeksChart(charts.weeks),
      barsChart("chart-site", t("dashboard.chart.site"), charts.by_site),
      barsChart("chart-device", t("dashboard.chart.device"), charts.by_device),
      barsChart("chart-engineer", t("dashboard.chart.engineer"), charts.by_engineer)));
}
