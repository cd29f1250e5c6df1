// The board: open tickets by deadline with a ticking "time left", the overdue count, who is on duty,
// and the site / device / severity filters. Polled every `refresh_seconds` (the server's [dashboard]
// setting, 15 s by default) while it is on screen.

import { api, fill, h, query, state, syncClock, t, timeLeft, when } from "./api.js";

const pollMs = () => (state.refreshSeconds || 15) * 1000;
const filters = { site: "", device: "", severity: "" };
let lastBoard = null;
let lastAt = null;

/** The board's filter options, for the KPI page too (fetched once if the board was not shown yet). */
export async function boardFilters() {
  if (!lastBoard) lastBoard = await api("/api/board");
  return lastBoard.filters || {};
}

/** A select of `options` ([key, label]) with an "all" first; `onchange` gets the chosen key. */
export function filterSelect(name, allLabel, options, current, onchange) {
  return h("label", { class: "filter" }, h("span", {}, t(`dashboard.filter.${name}`)),
    h("select", { name, "data-testid": `filter-${name}`, onchange: (e) => onchange(e.target.value) },
      h("option", { value: "" }, allLabel),
      options.map(([key, label]) => h("option", { value: key, selected: key === current }, label))));
}

/** A "time left" element, kept up to date by `tick()`. */
export function timeLeftEl(due, paused) {
  if (!due) return h("span", { class: "left none", "data-testid": "time-left" }, t("dashboard.board.no_deadline"));
  const el = h("span", { class: "left", "data-testid": "time-left", "data-at": due.at, "data-paused": paused });
  paint(el);
  return el;
}

function paint(el) {
  const [text, late] = timeLeft(el.dataset.at);
  el.textContent = text;
  el.classList.toggle("late", late);
}

/** Every second: each "time left" on the page moves on, except while its clock is paused. */
export function tick() {
  for (const el of document.querySelectorAll("[data-testid=time-left][data-at]")) {
    if (!el.hasAttribute("data-paused")) paint(el);
  }
}

export const severityBadge = (severity) => h("span", { class: `sev sev-${severity}` }, severity);

export const placeOf = (ticket) => [ticket.site_label, ticket.room].filter(Boolean).join(" · ");

const names = (people) => (people || []).map((p) => p.name).join(", ");

function row(ticket) {
  const due = ticket.due;
  const who = ticket.assignee ? ticket.assignee.name : t("dashboard.board.unassigned");
  return h("a", { class: "row", href: `#/ticket/${encodeURIComponent(ticket.number)}`, "data-testid": "ticket-row",
                  "data-number": ticket.number, "data-severity": ticket.severity },
    h("div", { class: "c-left" }, timeLeftEl(due, ticket.paused),
      due && h("small", { class: "muted" }, t("dashboard.due", { milestone: due.milestone_label, time: when(due.at) })),
      ticket.paused && h("small", { class: "tag" }, t("dashboard.board.paused"))),
    h("div", { class: "c-ticket" }, severityBadge(ticket.severity), h("span", { class: "num" }, ticket.number)),
    h("div", { class: "c-status" }, ticket.status_label),
    h("div", { class: "c-place" }, placeOf(ticket)),
    h("div", { class: "c-device" }, ticket.device_label || ""),
    h("div", { class: "c-summary" }, ticket.summary),
    h("div", { class: ticket.assignee ? "c-assignee" : "c-assignee muted" }, who),
    h("div", { class: "c-meta" }, [placeOf(ticket), ticket.device_label, who].filter(Boolean).join(" · ")));
}

function header() {
  const cols = ["time_left", "ticket", "status", "place", "device", "summary", "assignee"];
  return h("div", { class: "row head", "aria-hidden": "true" }, cols.map((c) => h("div", {}, t(`dashboard.col.${c}`))));
}

function summary(board) {
  const next = (board.duty && board.duty.next) || {};
  const nextPeople = names(next.engineers);
  return h("div", { class: "summary" },
    h("div", { class: board.breached ? "stat alarm" : "stat" },
      h("b", { "data-testid": "breached-count" }, board.breached ?? 0), h("span", {}, t("dashboard.board.breached"))),
    h("div", { class: "stat" }, h("b", { "data-testid": "open-count" }, board.tickets.length),
      h("span", {}, t("dashboard.board.open"))),
    h("div", { class: "duty" },
      h("div", {}, h("span", { class: "muted" }, t("dashboard.duty.now")), " ",
        h("b", { "data-testid": "duty-now" }, names(board.duty && board.duty.now) || t("dashboard.duty.nobody"))),
      h("div", {}, h("span", { class: "muted" }, t("dashboard.duty.next")), " ",
        h("b", { "data-testid": "duty-next" }, nextPeople
          ? [nextPeople, next.at ? " · " + t("dashboard.duty.next_at", { time: when(next.at) }) : ""]
          : t("dashboard.duty.none_planned")))));
}

function filterBar(board, reload) {
  const f = board.filters || {};
  const set = (name) => (value) => { filters[name] = value; reload(); };
  const pairs = (list) => (list || []).map((o) => [o.key, o.label]);
  return h("div", { class: "filters" },
    filterSelect("site", t("dashboard.filter.all_sites"), pairs(f.sites), filters.site, set("site")),
    filterSelect("device", t("dashboard.filter.all_devices"), pairs(f.devices), filters.device, set("device")),
    filterSelect("severity", t("dashboard.filter.all_severities"), (f.severities || []).map((s) => [s, s]),
      filters.severity, set("severity")));
}

/** Draw the board into `root` and keep it fresh; returns a function that stops the polling. */
export function showBoard(root, onError) {
  let stopped = false;
  let timer = null;
  const section = h("section", { "data-testid": "board", class: "board" });
  fill(root, section);
  if (lastBoard && lastBoard.tickets) draw(section, lastBoard, null);
  else section.append(h("p", { class: "muted center" }, t("dashboard.loading")));

  async function load() {
    clearTimeout(timer);
    try {
      const board = await api("/api/board" + query(filters));
      if (stopped) return;
      syncClock(board.now);
      lastBoard = board;
      lastAt = board.now;
      draw(section, board, null);
    } catch (e) {
      if (stopped) return;
      if (e.status === 401 || e.status === 403 || !lastBoard || !lastBoard.tickets) { onError(e); return; }
      draw(section, lastBoard, t("dashboard.error.refresh", { time: when(lastAt, "seconds") }));
    }
    if (!stopped) timer = setTimeout(poll, pollMs());
  }

  // A Mini App in the background asks nothing; it catches up the moment it is shown again.
  const poll = () => (document.hidden ? (timer = setTimeout(poll, pollMs())) : load());
  const onVisible = () => { if (!document.hidden && !stopped) load(); };
  document.addEventListener("visibilitychange", onVisible);

  function draw(target, board, problem) {
    const anyFilter = filters.site || filters.device || filters.severity;
    const list = board.tickets.length
      ? [header(), ...board.tickets.map(row)]
      : [h("p", { class: "empty" }, t(anyFilter ? "dashboard.board.empty_filtered" : "dashboard.board.empty"))];
    fill(target,
      summary(board), filterBar(board, load),
      problem ? h("p", { class: "banner", role: "status" }, problem) : null,
      h("div", { class: "rows" }, list),
      h("p", { class: "muted small center" }, t("dashboard.board.updated", { time: when(board.now, "seconds") })));
  }

  load();
  return () => { stopped = true; clearTimeout(timer); document.removeEventListener("visibilitychange", onVisible); };
}

/** After an action: fetch the board again in the background, so going back shows the change at once. */
export function refreshBoard() {
  api("/api/board" + query(filters)).then((board) => {
    lastBoard = board;
    lastAt = board.now;
    syncClock(board.now);
  }).catch(() => { /* the board's own poll will say so */ });
}
