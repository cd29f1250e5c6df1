// The ticket page: details, history, and the actions this user may take (assign, escalate, severity),
// each confirmed in place before it is sent; a refused action (409) shows the server's words.

import { api, ApiError, fill, h, t, when } from "./api.js";
import { placeOf, refreshBoard, severityBadge, timeLeftEl } from "./board.js";

const SEVERITIES = ["P1", "P2", "P3", "P4"];

function field(key, value) {
  if (value == null || value === "") return null;
  return [h("dt", {}, t(`dashboard.field.${key}`)), h("dd", {}, value)];
}

function details(ticket) {
  const due = ticket.due;
  return h("dl", { class: "fields card" },
    field("severity", [severityBadge(ticket.severity)]),
    field("status", ticket.status_label),
    field("site", ticket.site_label),
    field("room", ticket.room),
    field("device", ticket.device_label),
    field("asset", ticket.asset),
    field("reporter", ticket.reporter && ticket.reporter.name),
    field("contact", ticket.contact),
    field("assignee", ticket.assignee ? ticket.assignee.name : t("dashboard.board.unassigned")),
    field("opened", when(ticket.opened_at)),
    field("due", due ? t("dashboard.due", { milestone: due.milestone_label, time: when(due.at) }) : t("dashboard.board.no_deadline")),
    due ? field("time_left", [timeLeftEl(due, ticket.paused),
      ticket.paused ? h("small", { class: "tag" }, t("dashboard.board.paused")) : null]) : null,
    field("description", h("span", { class: "pre" }, ticket.description || ticket.summary)));
}

function history(items) {
  return h("section", { class: "card" }, h("h2", {}, t("dashboard.ticket.history")),
    items && items.length
      ? h("ol", { class: "history" }, items.map((item) => h("li", { "data-testid": "history-item" },
        h("time", { datetime: item.at, class: "muted" }, when(item.at)), " ", item.text,
        item.actor ? h("span", { class: "muted" }, ` · ${item.actor}`) : null)))
      : h("p", { class: "muted" }, t("dashboard.ticket.history_empty")));
}

/** The action buttons and one panel under them for the action being prepared. */
function actions(data, reload) {
  const ticket = data.ticket;
  const allowed = data.actions || [];
  if (!allowed.length) return null;
  const panel = h("div", { class: "panel", hidden: true });
  const note = h("p", { class: "note", role: "status" });

  const open = (...content) => { panel.hidden = false; fill(panel, ...content); note.textContent = ""; };
  const close = () => {
    panel.hidden = true;
    fill(panel);
    panel.parentNode.querySelectorAll("button.on").forEach((b) => b.classList.remove("on"));
  };

  async function send(kind, body, buttons, problem) {
    buttons.forEach((b) => { b.disabled = true; });
    const confirm = buttons[0];
    const label = confirm.textContent;
    confirm.textContent = t("dashboard.action.sending");
    try {
      const done = await api(`/api/tickets/${encodeURIComponent(ticket.number)}/${kind}`, body);
      refreshBoard();
      reload(done && done.message);
    } catch (e) {
      buttons.forEach((b) => { b.disabled = false; });
      confirm.textContent = label;
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) { reload(null, e); return; }
      problem.textContent = e.status === 400 ? t("dashboard.error.bad_request", { error: e.message })
        : e.status === 409 ? e.message : t("dashboard.error.load");
    }
  }

  function buttons(onConfirm) {
    const yes = h("button", { type: "button", class: "primary", "data-testid": "action-confirm" }, t("dashboard.action.confirm"));
    const no = h("button", { type: "button", "data-testid": "action-cancel", onclick: close }, t("dashboard.action.cancel"));
    yes.addEventListener("click", () => onConfirm([yes, no]));
    return h("div", { class: "buttons" }, yes, no);
  }

  function assign() {
    const question = h("p", {});
    const problem = h("p", { class: "problem", role: "alert" });
    const select = h("select", { "data-testid": "assign-engineer", onchange: () => {
      const chosen = (data.engineers || []).find((e) => String(e.id) === select.value);
      question.textContent = chosen ? t("dashboard.assign.confirm", { number: ticket.number, name: chosen.name }) : "";
    } }, h("option", { value: "" }, t("dashboard.assign.choose")),
    (data.engineers || []).map((e) => h("option", { value: String(e.id) },
      t(e.on_duty ? "dashboard.assign.option_on_duty" : "dashboard.assign.option", { name: e.name, open: e.open ?? 0 }))));
    open(h("label", { class: "filter" }, h("span", {}, t("dashboard.assign.pick")), select), question, problem,
      buttons((btns) => {
        if (!select.value) { problem.textContent = t("dashboard.assign.choose"); return; }
        send("assign", { engineer: Number(select.value) }, btns, problem);
      }));
  }

  function escalate() {
    const problem = h("p", { class: "problem", role: "alert" });
    open(h("p", {}, t("dashboard.escalate.confirm", { number: ticket.number })), problem,
      buttons((btns) => send("escalate", {}, btns, problem)));
  }

  function severity() {
    const problem = h("p", { class: "problem", role: "alert" });
    const question = h("p", {});
    const select = h("select", { "data-testid": "severity-pick", onchange: () => {
      question.textContent = select.value === ticket.severity ? ""
        : t("dashboard.severity.confirm", { number: ticket.number, old: ticket.severity, new: select.value });
    } }, SEVERITIES.map((s) => h("option", { value: s, selected: s === ticket.severity }, s)));
    const reason = h("textarea", { rows: 3, maxlength: 500, "data-testid": "severity-reason",
                                   placeholder: t("dashboard.severity.reason_hint") });
    open(h("label", { class: "filter" }, h("span", {}, t("dashboard.severity.pick")), select),
      h("label", { class: "filter wide" }, h("span", {}, t("dashboard.severity.reason")), reason), question, problem,
      buttons((btns) => {
        if (select.value === ticket.severity) {
          problem.textContent = t("dashboard.severity.same", { number: ticket.number, severity: ticket.severity });
        } else if (!reason.value.trim()) {
          problem.textContent = t("dashboard.severity.reason_needed");
        } else {
          send("severity", { severity: select.value, reason: reason.value.trim() }, btns, problem);
        }
      }));
  }

  const handlers = { assign, escalate, severity };
  return h("section", { class: "card" }, h("h2", {}, t("dashboard.ticket.actions")),
    h("div", { class: "buttons" }, ["assign", "escalate", "severity"].filter((a) => allowed.includes(a)).map((a) =>
      h("button", { type: "button", "data-testid": `action-${a}`, onclick: (e) => {
        for (const b of e.currentTarget.parentNode.children) b.classList.toggle("on", b === e.currentTarget);
        handlers[a]();
      } }, t(`dashboard.action.${a}`)))),
    panel, note);
}

/** Draw ticket `number` into `root`; `message` is the server's word on the action just done. */
export function showTicket(root, number, onError) {
  let stopped = false;
  const section = h("section", { class: "ticket", "data-testid": "ticket-page", "data-number": number },
    h("p", { class: "muted center" }, t("dashboard.loading")));
  fill(root, section);

  async function load(message, failure) {
    if (failure) { onError(failure); return; }
    try {
      const data = await api(`/api/tickets/${encodeURIComponent(number)}`);
      if (stopped) return;
      const ticket = data.ticket;
      fill(section,
        h("a", { href: "#/board", class: "back" }, t("dashboard.ticket.back")),
        h("h2", {}, t("dashboard.ticket.heading", { number: ticket.number })),
        h("p", { class: "summary-line" }, ticket.summary, placeOf(ticket) ? h("span", { class: "muted" }, ` · ${placeOf(ticket)}`) : null),
        message ? h("p", { class: "banner ok", role: "status", "data-testid": "action-message" }, message) : null,
        h("div", { class: "cols" }, details(ticket), h("div", { class: "side" }, actions(data, load), history(data.history))));
    } catch (e) {
      if (stopped) return;
      if (e.status === 404) {
        fill(section, h("a", { href: "#/board", class: "back" }, t("dashboard.ticket.back")),
          h("p", { class: "empty" }, t("dashboard.error.not_found", { number })));
      } else onError(e);
    }
  }

  load();
  return () => { stopped = true; };
}
