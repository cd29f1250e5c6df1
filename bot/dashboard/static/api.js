// The page's link to the bot: who the user is (Telegram initData), the theme, the JSON API, texts and time.
// No telegram-web-app.js is loaded: Telegram hands the Mini App its data in the URL fragment, which we
// parse here; window.Telegram.WebApp is used only when a client injected it.

const FRAGMENT_KEY = "dashboard.launch";

/** The launch parameters (initData, theme) from the fragment; kept for the session so that hash
 *  routing (#/board) and a reload do not lose them. */
function launchParams() {
  const hash = location.hash.replace(/^#/, "");
  if (hash.includes("tgWebAppData=") || hash.includes("tgWebAppThemeParams=")) {
    const params = new URLSearchParams(hash);
    const found = { initData: params.get("tgWebAppData") || "", theme: params.get("tgWebAppThemeParams") || "" };
    try { sessionStorage.setItem(FRAGMENT_KEY, JSON.stringify(found)); } catch { /* private mode */ }
    history.replaceState(null, "", location.pathname + location.search + "#/board");
    return found;
  }
  try { return JSON.parse(sessionStorage.getItem(FRAGMENT_KEY) || "null") || { initData: "", theme: "" }; }
  catch { return { initData: "", theme: "" }; }
}

const launch = launchParams();
const webApp = window.Telegram && window.Telegram.WebApp ? window.Telegram.WebApp : null;
export const initData = (webApp && webApp.initData) || launch.initData;

/** themeParams as CSS variables (--tg-theme-bg-color …, the names Telegram's own script uses); the
 *  scheme (light/dark) from the background's brightness, else from the system setting. */
export function applyTheme() {
  let theme = webApp && webApp.themeParams && Object.keys(webApp.themeParams).length ? webApp.themeParams : null;
  if (!theme && launch.theme) {
    try { theme = JSON.parse(launch.theme); } catch { theme = null; }
  }
  const root = document.documentElement;
  for (const [key, value] of Object.entries(theme || {})) {
    if (typeof value === "string" && /^#[0-9a-f]{3,8}$/i.test(value)) {
      root.style.setProperty(`--tg-theme-${key.replace(/_/g, "-")}`, value);
    }
  }
  const bg = theme && theme.bg_color;
  const dark = bg ? luminance(bg) < 0.4 : matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.scheme = dark ? "dark" : "light";
}

function luminance(hex) {
  let h = hex.slice(1);
  if (h.length === 3) h = [...h].map((c) => c + c).join("");
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function telegramReady() {
  if (!webApp) {
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", applyTheme);
    return;
  }
  try { webApp.ready(); webApp.expand(); webApp.onEvent("themeChanged", applyTheme); } catch { /* old client */ }
}

/** An API answer that was not 2xx: its status and the server's `error` text. */
export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export async function api(path, body) {
  const options = { headers: { Authorization: `tma ${initData}` } };
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try { response = await fetch(path, options); } catch (e) { throw new ApiError(0, String(e)); }
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (!response.ok) throw new ApiError(response.status, (data && data.error) || response.statusText);
  return data;
}

/** Query string of the filters that are set ("" when none). */
export function query(params) {
  const set = Object.entries(params).filter(([, v]) => v !== "" && v != null);
  return set.length ? "?" + new URLSearchParams(set).toString() : "";
}

// ---- texts and time -----------------------------------------------------------------------------------

export const state = { texts: {}, lang: "en", tz: "UTC", role: "engineer", skew: 0 };

/** The `dashboard.*` text of `key` with its {placeholders} filled in; the key itself if it is missing,
 *  so that a gap is visible rather than blank. */
export function t(key, params = {}) {
  const template = state.texts[key];
  if (typeof template !== "string") return key;
  return template.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** Remember how far the server's clock is from ours, so "time left" follows the server. */
export function syncClock(serverNow) {
  const at = Date.parse(serverNow);
  if (!Number.isNaN(at)) state.skew = at - Date.now();
}

export const now = () => Date.now() + state.skew;

const formats = new Map();
function formatter(kind) {
  if (!formats.has(kind)) {
    const zh = state.lang === "zh";
    const options = { timeZone: state.tz, hour12: false };
    if (kind !== "time") Object.assign(options, { month: zh ? "long" : "short", day: "numeric" });
    if (kind !== "date") Object.assign(options, { hour: "2-digit", minute: "2-digit" });
    if (kind === "seconds") options.second = "2-digit";
    formats.set(kind, new Intl.DateTimeFormat(zh ? "zh-CN" : "en-GB", options));
  }
  return formats.get(kind);
}

/** An instant in the user's zone: "4 Dec, 16:30" / "12月4日 16:30" ("time" only the clock, "date" only the day). */
export function when(iso, kind = "datetime") {
  if (!iso) return "";
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : formatter(kind).format(at);
}

/** Time left to `iso` as the texts say it; negative = overdue. Returns [text, overdue]. */
export function timeLeft(iso) {
  const ms = Date.parse(iso) - now();
  const late = ms < 0;
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86400), h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60), s = total % 60;
  const kind = d ? "days" : h ? "hours" : "minutes";
  const text = t(`dashboard.${late ? "overdue" : "left"}.${kind}`, { d, h, m: pad(m), s: pad(s) });
  return [text, late];
}

const pad = (n) => String(n).padStart(2, "0");

/** A share (0.962) as a percentage, for the cases the server sent no formatted value. */
export const percent = (share) => (share == null ? "" : `${(share * 100).toFixed(1)}%`);

/** Replace the children of `el`, skipping null / false (replaceChildren would print them). */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

/** Build an element: h("div", {class: "x", "data-testid": "y"}, child, "text", …). */
export function h(tag, attrs = {}, ...children) {
  const svg = ["svg", "g", "rect", "line", "polyline", "circle", "text", "tspan", "title", "path"].includes(tag);
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "value" && !svg) el.value = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
