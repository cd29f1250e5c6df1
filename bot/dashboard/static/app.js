// The dashboard's entry: read who the user is (/api/me), set the theme and texts, draw the tabs and
// route by the hash (#/board, #/kpis, #/ticket/T-…). A 401/403 anywhere replaces the page by its
// message and shows no data.

import { api, applyTheme, fill, h, state, syncClock, t, telegramReady } from "./api.js";
import { showBoard, tick } from "./board.js";
import { showKpis } from "./kpis.js";
import { showTicket } from "./ticket.js";

const app = document.getElementById("app");
let stopView = () => {};
let blocked = false;

function fatal(error) {
  stopView();
  blocked = true;
  const key = error.status === 401 ? "dashboard.error.unauthorized"
    : error.status === 403 ? "dashboard.error.forbidden" : "dashboard.error.load";
  // A 401/403 on /api/me comes before any texts: then the server's own `error` words are shown.
  const text = key in state.texts ? t(key) : error.message || key;
  const retry = error.status !== 401 && error.status !== 403;
  fill(app, h("div", { class: "fatal card", role: "alert" },
    h("p", { "data-testid": "error", "data-status": String(error.status || 0) }, text),
    retry ? h("button", { type: "button", onclick: () => location.reload() },
      "dashboard.retry" in state.texts ? t("dashboard.retry") : "↻") : null));
}

function onError(error) {
  if (error.status === 401 || error.status === 403) fatal(error);
  else {
    const main = document.getElementById("view");
    if (main) fill(main, h("div", { class: "card" },
      h("p", { class: "problem", role: "alert" }, error.status === 400
        ? t("dashboard.error.bad_request", { error: error.message }) : t("dashboard.error.load")),
      h("button", { type: "button", onclick: route }, t("dashboard.retry"))));
  }
}

function tabs(current) {
  const tab = (name) => h("a", { href: `#/${name}`, class: current === name ? "tab on" : "tab",
                                 "data-testid": `tab-${name}`, "aria-current": current === name ? "page" : null },
    t(`dashboard.tab.${name}`));
  return h("nav", { class: "tabs" }, tab("board"), state.role === "manager" ? tab("kpis") : null);
}

function route() {
  if (blocked) return;
  stopView();
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
  const [view, ...rest] = hash.split("/");
  const main = h("main", { id: "view" });
  let current = "board";
  if (view === "ticket" && rest.length) current = "ticket";
  else if (view === "kpis" && state.role === "manager") current = "kpis";
  fill(app, h("header", { class: "top" }, h("h1", {}, t("dashboard.title")), tabs(current)), main);
  if (current === "ticket") stopView = showTicket(main, rest.join("/"), onError);
  else if (current === "kpis") stopView = showKpis(main, onError);
  else stopView = showBoard(main, onError);
  window.scrollTo(0, 0);
}

async function boot() {
  applyTheme();
  telegramReady();
  try {
    const me = await api("/api/me");
    Object.assign(state, { texts: me.texts || {}, lang: me.lang || "en", tz: me.tz || "UTC", role: me.role,
                           refreshSeconds: me.refresh_seconds || 15 });
    syncClock(me.now);
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.title = t("dashboard.title");
  } catch (e) {
    fatal(e);
    return;
  }
  window.addEventListener("hashchange", route);
  setInterval(tick, 1000);
  route();
}

boot();
