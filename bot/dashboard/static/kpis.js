// The KPI page (managers): the month / quarter switch, one card per contract figure against its target,
// the contract score with its three parts, and the charts below.

import { api, fill, h, percent, query, t } from "./api.js";
import { boardFilters, filterSelect } from "./board.js";
import { chartsSection } from "./charts.js";

const choice = { period: "month", site: "", device: "", severity: "", engineer: "" };

/** Without the server's formatting: a share as a percentage, a mean (4.3 of 5) as it is. */
const plain = (v, figure) => (v <= 1 && (figure.target == null || figure.target <= 1) ? percent(v) : String(v));

function card(name, figure, kpis) {
  const formatted = (kpis.formatted || {})[name] || {};
  const noData = figure.value == null;
  // A figure without a target is shown for information: no verdict, neither green nor red.
  const verdict = noData ? "nodata" : figure.met == null ? "info" : figure.met ? "met" : "notmet";
  const word = { nodata: "dashboard.kpi.no_data", met: "dashboard.kpi.met", notmet: "dashboard.kpi.not_met" }[verdict];
  const target = formatted.target ?? (figure.target == null ? "" : plain(figure.target, figure));
  return h("div", { class: `kpi card ${verdict}`, "data-testid": "kpi-card", "data-figure": name, "data-state": verdict },
    h("div", { class: "kpi-label" }, (kpis.labels || {})[name] || name),
    h("div", { class: "kpi-value", "data-testid": "kpi-value" }, noData ? "—" : formatted.value ?? plain(figure.value, figure)),
    h("div", { class: "kpi-foot" },
      target ? h("span", { class: "muted" }, t("dashboard.kpi.target", { target })) : null,
      word ? h("span", { class: "verdict" }, t(word)) : null),
    figure.denominator && figure.numerator != null ? h("div", { class: "muted small" },
      t("dashboard.kpi.count", { numerator: figure.numerator, denominator: figure.denominator })) : null);
}

const points = (v) => (v == null ? t("dashboard.score.na") : String(Math.round(v * 100) / 100));

function deduction(d) {
  const key = `dashboard.deduction.${d.code}`;
  const params = { points: points(d.amount), code: d.code };
  return h("li", {}, t(key, params) === key ? t("dashboard.deduction.other", params) : t(key, params));
}

function scoreCard(score) {
  return h("section", { class: "score card" },
    h("h2", {}, t("dashboard.score.heading")),
    h("div", { class: "score-main" },
      h("div", {}, h("div", { class: "muted" }, t("dashboard.score.total")),
        h("div", { class: "score-total", "data-testid": "score-total" }, points(score.total))),
      h("div", { class: "score-parts" }, ["service", "reporting", "satisfaction"].map((part) =>
        h("div", { class: "part", "data-part": part }, h("span", { class: "muted" }, t(`dashboard.score.${part}`)),
          h("b", {}, points(score[part])))))),
    score.pay_share != null ? h("p", {}, t("dashboard.score.pay", { share: percent(score.pay_share).replace(".0%", "%") })) : null,
    (score.lacking || []).map((part) => h("p", { class: "muted" }, t(`dashboard.score.lacking.${part}`))),
    score.deductions && score.deductions.length
      ? [h("h3", {}, t("dashboard.score.deductions")), h("ul", { class: "deductions" }, score.deductions.map(deduction))]
      : null);
}

function controls(options, reload) {
  const set = (name) => (value) => { choice[name] = value; reload(); };
  const pairs = (list) => (list || []).map((o) => [String(o.key ?? o.id), o.label ?? o.name]);
  return h("div", { class: "controls" },
    h("div", { class: "segmented", role: "tablist" }, ["month", "quarter"].map((p) =>
      h("button", { type: "button", role: "tab", "aria-selected": String(choice.period === p), "data-testid": `period-${p}`,
                    class: choice.period === p ? "on" : "", onclick: () => set("period")(p) }, t(`dashboard.period.${p}`)))),
    h("div", { class: "filters" },
      filterSelect("site", t("dashboard.filter.all_sites"), pairs(options.sites), choice.site, set("site")),
      filterSelect("device", t("dashboard.filter.all_devices"), pairs(options.devices), choice.device, set("device")),
      filterSelect("severity", t("dashboard.filter.all_severities"), (options.severities || []).map((s) => [s, s]),
        choice.severity, set("severity")),
      options.engineers ? filterSelect("engineer", t("dashboard.filter.all_engineers"), pairs(options.engineers),
        choice.engineer, set("engineer")) : null));
}

/** Draw the KPI page into `root`; errors (401/403 included) go to `onError`. */
export function showKpis(root, onError) {
  let stopped = false;
  const section = h("section", { class: "kpis", "data-testid": "kpis" }, h("p", { class: "muted center" }, t("dashboard.loading")));
  fill(root, section);

  async function load() {
    const q = query(choice);
    try {
      const [kpis, charts, options] = await Promise.all([api("/api/kpis" + q), api("/api/charts" + q), boardFilters()]);
      if (stopped) return;
      const figures = Object.entries(kpis.figures || {});
      const period = kpis.period || {};
      fill(section,
        h("h2", {}, t("dashboard.kpis.heading")),
        controls(options, load),
        h("p", { class: "muted" }, period.from ? t("dashboard.period.range", { start: period.from, end: period.to }) + " · " : "",
          t("dashboard.kpis.volume", { tickets: kpis.tickets ?? 0, cancelled: kpis.cancelled ?? 0, breaches: kpis.open_breaches ?? 0 })),
        figures.length ? h("div", { class: "kpi-grid" }, figures.map(([name, f]) => card(name, f, kpis)))
          : h("p", { class: "empty" }, t("dashboard.kpis.empty")),
        kpis.score ? scoreCard(kpis.score) : null,
        chartsSection(charts));
    } catch (e) {
      if (!stopped) onError(e);
    }
  }

  load();
  return () => { stopped = true; };
}
