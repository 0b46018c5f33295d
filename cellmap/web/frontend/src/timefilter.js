// One time window for the network, the map and the timeline: a histogram of incidents per month
// with two handles. The window lives in sessionStorage and a "cellmap:time" event, so moving it in
// one view filters the others too.
import { getJSON } from "./api.js";
import { el, fmt } from "./ui.js";

const KEY = "cellmap.time";
const NS = "http://www.w3.org/2000/svg";

export function currentWindow() {
  try { return JSON.parse(sessionStorage.getItem(KEY)) || { start: "", end: "" }; } catch { return { start: "", end: "" }; }
}

function store(start, end) {
  sessionStorage.setItem(KEY, JSON.stringify({ start, end }));
  window.dispatchEvent(new CustomEvent("cellmap:time", { detail: { start, end } }));
}

export function timeFilter({ id = "time" } = {}) {
  const listeners = [];
  let months = [];
  let state = currentWindow();
  const chart = document.createElementNS(NS, "svg");
  chart.setAttribute("class", "time-histogram");
  chart.setAttribute("viewBox", "0 0 300 44");
  chart.setAttribute("preserveAspectRatio", "none");
  const low = el("input", { type: "range", min: 0, max: 0, value: 0, id: `${id}-low`, "aria-label": "window start" });
  const high = el("input", { type: "range", min: 0, max: 0, value: 0, id: `${id}-high`, "aria-label": "window end" });
  const label = el("div", { class: "time-label", id: `${id}-label` });
  const reset = el("button", { class: "small", id: `${id}-reset`, onclick: () => { state = { start: "", end: "" }; sync(); store("", ""); } }, "all dates");
  const element = el("div", { class: "time-filter", id: `${id}-filter` }, el("div", { class: "time-track" }, chart, low, high), el("div", { class: "row" }, label, reset));

  function monthStart(i) { return months[i] ? `${months[i].month}-01` : ""; }
  function monthEnd(i) {
    if (!months[i]) return "";
    const [y, m] = months[i].month.split("-").map(Number);
    return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  }
  function indexOf(date, fallback) {
    if (!date) return fallback;
    const i = months.findIndex((m) => m.month === date.slice(0, 7));
    return i < 0 ? fallback : i;
  }
  function sync() {
    const last = Math.max(0, months.length - 1);
    low.value = String(indexOf(state.start, 0));
    high.value = String(indexOf(state.end, last));
    const a = Number(low.value), b = Number(high.value);
    const shown = months.slice(a, b + 1).reduce((t, m) => t + m.incidents, 0);
    label.textContent = state.start || state.end
      ? `${state.start || "…"} – ${state.end || "…"} · ${fmt(shown)} incidents`
      : `all dates · ${fmt(months.reduce((t, m) => t + m.incidents, 0))} incidents`;
    chart.querySelectorAll("rect").forEach((r, i) => r.setAttribute("class", i >= a && i <= b ? "in" : "out"));
  }
  function changed() {
    let a = Number(low.value), b = Number(high.value);
    if (a > b) [a, b] = [b, a];
    const whole = a === 0 && b === months.length - 1;
    state = whole ? { start: "", end: "" } : { start: monthStart(a), end: monthEnd(b) };
    sync();
    store(state.start, state.end);
  }
  low.addEventListener("change", changed);
  high.addEventListener("change", changed);
  low.addEventListener("input", () => { state = { start: monthStart(Math.min(+low.value, +high.value)), end: monthEnd(Math.max(+low.value, +high.value)) }; sync(); });
  high.addEventListener("input", () => { state = { start: monthStart(Math.min(+low.value, +high.value)), end: monthEnd(Math.max(+low.value, +high.value)) }; sync(); });

  const onEvent = (event) => {
    if (event.detail.start === state.start && event.detail.end === state.end) { listeners.forEach((f) => f(state)); return; }
    state = { ...event.detail }; sync(); listeners.forEach((f) => f(state));
  };
  window.addEventListener("cellmap:time", onEvent);

  getJSON("/api/timeline/histogram").then((data) => {
    months = data.months;
    low.max = high.max = String(Math.max(0, months.length - 1));
    const peak = Math.max(1, ...months.map((m) => m.incidents));
    const width = 300 / Math.max(1, months.length);
    months.forEach((m, i) => {
      const h = (40 * m.incidents) / peak;
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("x", i * width); rect.setAttribute("width", Math.max(0.5, width - 0.3));
      rect.setAttribute("y", 44 - h); rect.setAttribute("height", h);
      const title = document.createElementNS(NS, "title");
      title.textContent = `${m.month}: ${fmt(m.incidents)} incidents`;
      rect.append(title);
      chart.append(rect);
    });
    sync();
  }).catch((error) => { label.textContent = `The incident histogram could not be loaded (${error.message}).`; });

  return {
    element,
    get: () => ({ ...state }),
    set: (start, end, { silent = false } = {}) => { state = { start, end }; sync(); if (!silent) store(start, end); else sessionStorage.setItem(KEY, JSON.stringify(state)); },
    onChange: (fn) => listeners.push(fn),
    destroy: () => window.removeEventListener("cellmap:time", onEvent),
  };
}
