// Small DOM helpers shared by the views: elements, grade badges, report links, the report modal.
import { getJSON } from "./api.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "html") node.innerHTML = value;
    // through the CSSOM: the Content-Security-Policy refuses a style attribute set as markup
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) { while (node.firstChild) node.firstChild.remove(); return node; }

const GRADE_CLASS = { A: "g-a", B: "g-b", C: "g-c", D: "g-d", E: "g-e", F: "g-f" };

export function gradeBadge(grade) {
  if (!grade) return el("span", { class: "grade g-f", title: "no grade" }, "—");
  return el("span", { class: `grade ${GRADE_CLASS[grade[0]] || ""}`,
    title: `Admiralty grade ${grade}: source reliability ${grade[0]}, information credibility ${grade.slice(1)}` }, grade);
}

// A fact's source: the report's key and grade, one click from the report itself.
export function reportLink(report) {
  if (!report) return el("span", { class: "muted" }, "no report");
  return el("a", { href: "#", class: "report-link", "data-report": report.report_id, title: report.title || "",
    onclick: (event) => { event.preventDefault(); showReport(report.report_id); } },
    gradeBadge(report.grade), " ", report.report_key || `report ${report.report_id}`);
}

export function entityLink(id, name) {
  return el("a", { href: `#/entity/${id}`, class: "entity-link" }, name || `#${id}`);
}

export async function showReport(reportId) {
  const body = openModal(el("p", {}, "Loading report…"));
  try {
    const data = await getJSON(`/api/reports/${reportId}`);
    const r = data.report;
    clear(body).append(
      el("h2", {}, r.title || r.report_key),
      el("table", { class: "kv" },
        row("Key", r.report_key), row("Kind", r.kind), row("Date", r.date), row("Source", r.source),
        row("Grade", gradeBadge(r.grade)), row("Synthetic", r.synthetic ? "yes (fictional)" : "no"),
        row("Incidents", data.incidents)),
      el("h3", {}, `Relations it supports (${data.relations.length})`),
      relationTable(data.relations, { showReport: false }),
    );
  } catch (error) { clear(body).append(errorBox(error)); }
}

function row(key, value) { return el("tr", {}, el("th", {}, key), el("td", {}, value ?? "—")); }

export function openModal(content) {
  const modal = document.getElementById("modal");
  const body = clear(document.getElementById("modal-body"));
  body.append(content);
  modal.hidden = false;
  return body;
}

export function closeModal() { document.getElementById("modal").hidden = true; }

export function relationTable(relations, { showReport = true } = {}) {
  const head = ["Kind", "From", "To", "Role", "Valid", "Grade", showReport ? "Report" : null].filter(Boolean);
  return el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, head.map((h) => el("th", {}, h)))),
    el("tbody", {}, relations.map((r) => el("tr", {},
      el("td", {}, r.kind),
      el("td", {}, entityLink(r.source_id, r.source_name)),
      el("td", {}, entityLink(r.target_id, r.target_name)),
      el("td", {}, r.role || r.end_reason || attrsText(r.attrs)),
      el("td", {}, period(r.valid_from, r.valid_to, r.end_reason)),
      el("td", {}, gradeBadge(r.grade)),
      showReport ? el("td", {}, reportLink(r.report)) : null))));
}

function attrsText(attrs) {
  if (!attrs) return "";
  return Object.entries(attrs).map(([k, v]) => `${k}: ${v}`).join(", ");
}

export function period(from, to, reason) {
  if (!from && !to) return "";
  return `${from || "?"} – ${to || "…"}${reason ? ` (${reason})` : ""}`;
}

// An error as a sentence next to what caused it: "<context>: <the server's reason>." (never a bare
// status code, and never in place of the page).
export function errorBox(error, context = "") {
  const reason = String((error && error.message) || error);
  return el("div", { class: "error", role: "alert" }, context ? `${context}: ${reason}.` : reason);
}

// Numbers as people read them: thousands separators, no "-0", a unit when given.
const NUMBER = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
export function fmt(value, { digits = 0, unit = "" } = {}) {
  if (value === null || value === undefined || value === "" || Number.isNaN(Number(value))) return "—";
  let n = Number(value);
  const rounded = Number(n.toFixed(digits));
  if (rounded === 0) n = 0; // "r = -0" reads as a sign where there is none
  const text = digits ? new Intl.NumberFormat("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n) : NUMBER.format(n);
  return unit ? `${text} ${unit}` : text;
}

// A node measure: counts (degree) as integers, centralities with three significant digits.
export function fmtMeasure(measure, value) {
  if (value === null || value === undefined) return "—";
  if (measure === "degree" || Number.isInteger(Number(value))) return fmt(value);
  const n = Number(value);
  return Math.abs(n) < 5e-4 ? "0" : n.toPrecision(3);
}

// Okabe & Ito (2008) colour-blind-safe palette, black last.
export const OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"];

export function panel(title, ...children) {
  return el("section", { class: "panel" }, el("h2", {}, title), ...children);
}

export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
  "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
  "#756bb1", "#636363"];

export function colourOf(value) {
  if (value === null || value === undefined) return "#b0b0b0";
  const index = typeof value === "number" ? value : [...String(value)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  return PALETTE[Math.abs(index) % PALETTE.length];
}

export const KIND_COLOURS = { person: "#2b6cb0", cell: "#c53030", sector: "#9c4221", organisation: "#6b46c1",
  site: "#2f855a", fund: "#b7791f", identifier: "#4a5568", vehicle: "#718096", incident: "#d53f8c", campaign: "#319795" };

export function debounce(fn, wait = 250) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), wait); };
}
