// Entity page: every property and relationship with its reports, dates and grades; conflicting
// claims side by side; aliases and spellings; role history on a timeline; the entity's measures.
import { getJSON } from "../api.js";
import { colourOf, el, fmtMeasure, gradeBadge, panel, period, relationTable, reportLink } from "../ui.js";

export default async function entity(container, { args }) {
  const id = Number(args[0]);
  if (!Number.isInteger(id)) throw new Error("No entity id in the address (#/entity/ID).");
  const data = await getJSON(`/api/entities/${id}`);
  const e = data.entity;
  container.append(...[
    el("h1", { id: "entity-title" }, e.name, " ", el("span", { class: "pill" }, e.kind)),
    el("div", { class: "row" },
      el("a", { href: `#/network?focus=${e.id}` }, "Show on the network"), " · ",
      el("a", { href: `#/network?from=${e.id}` }, "Paths from this entity"),
      data.records.length > 1 ? el("span", { class: "muted" }, ` · resolved from ${data.records.length} records: ${data.records.map((r) => r.name).join("; ")}`) : null),
    el("div", { class: "cards" },
      panel("Names, aliases and spellings", claimsTable(data.names)),
      panel("Measures", Object.keys(data.measures).length
        ? el("table", { class: "kv", id: "entity-measures" }, Object.entries(data.measures).map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", { class: "num" }, fmtMeasure(k, v)))))
        : el("p", { class: "muted" }, "Not in the link chart (no relation)."),
        el("p", { class: "muted" }, "On the whole meta-network, every grade (cellmap.graph.measures).")),
    ),
    data.incident ? panel("Incident", el("table", { class: "kv", id: "incident-record" },
      ["date", "date_precision", "type", "sub_type", "outcome", "fatalities", "location", "admin1", "admin2", "lat", "lon",
        "geo_precision", "attribution_confidence", "source_dataset", "source_event_id", "notes"]
        .filter((k) => data.incident[k] !== null && data.incident[k] !== undefined && data.incident[k] !== "")
        .map((k) => el("tr", {}, el("th", {}, k.replaceAll("_", " ")), el("td", {}, String(data.incident[k])))),
      data.incident.attributed_to ? el("tr", {}, el("th", {}, "attributed to"), el("td", {}, el("a", { href: `#/entity/${data.incident.attributed_to}` }, `#${data.incident.attributed_to}`))) : null,
      el("tr", {}, el("th", {}, "report"), el("td", {}, reportLink(data.incident.report))))) : null,
    data.conflicts.length ? panel("Conflicting claims", ...data.conflicts.map((c) => el("div", {},
      el("h3", {}, c.prop), el("div", { class: "conflict" }, c.claims.map((claim) => el("div", { class: "claim" },
        el("strong", {}, claim.value), el("br"), gradeBadge(claim.grade), " ", reportLink(claim.report))))))) : null,
    panel("Properties", claimsTable(data.properties)),
    data.roles.length ? panel("Role history", roleTimeline(data.roles)) : null,
    panel(`Relationships (${data.relations.length})`, relationTable(data.relations)),
  ].filter(Boolean));
}

function claimsTable(claims) {
  if (!claims.length) return el("p", { class: "muted" }, "None recorded.");
  return el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, ["Property", "Value", "Valid", "Grade", "Report"].map((h) => el("th", {}, h)))),
    el("tbody", {}, claims.map((c) => el("tr", {},
      el("td", {}, c.prop), el("td", {}, c.value), el("td", {}, period(c.valid_from, c.valid_to)),
      el("td", {}, gradeBadge(c.grade)), el("td", {}, reportLink(c.report))))));
}

// Role periods as bars on one time axis, with the table below.
function roleTimeline(roles) {
  const NS = "http://www.w3.org/2000/svg";
  const today = new Date().toISOString().slice(0, 10);
  // An open role runs to today, so the axis does too.
  const dates = roles.flatMap((r) => [r.valid_from, r.valid_to || today]).filter(Boolean);
  const wrap = el("div", { class: "roles" });
  if (dates.length) {
    const t0 = Date.parse(dates.reduce((a, b) => (a < b ? a : b)));
    const t1 = Math.max(Date.parse(dates.reduce((a, b) => (a > b ? a : b))), t0 + 86400000 * 30);
    const width = 900, rowH = 22, left = 10, height = roles.length * rowH + 24;
    const x = (d) => left + ((Date.parse(d) - t0) / (t1 - t0)) * (width - 2 * left);
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("class", "chart");
    svg.setAttribute("width", "100%");
    svg.setAttribute("style", `max-width:${width}px`);
    roles.forEach((r, i) => {
      const start = r.valid_from || r.valid_to, end = r.valid_to || today;
      const rect = document.createElementNS(NS, "rect");
      Object.entries({ x: x(start), y: i * rowH + 4, width: Math.max(3, x(end) - x(start)), height: rowH - 6, fill: colourOf(r.organisation_id), rx: 3 })
        .forEach(([k, v]) => rect.setAttribute(k, v));
      const title = document.createElementNS(NS, "title");
      title.textContent = `${r.role || "member"} of ${r.organisation}: ${period(r.valid_from, r.valid_to, r.end_reason)} (${r.grade})`;
      rect.append(title);
      const text = document.createElementNS(NS, "text");
      Object.entries({ x: x(start) + 4, y: i * rowH + 17, class: "tick" }).forEach(([k, v]) => text.setAttribute(k, v));
      text.textContent = `${r.role || "member"} · ${r.organisation}`;
      svg.append(rect, text);
    });
    [t0, t1].forEach((t, k) => {
      const text = document.createElementNS(NS, "text");
      Object.entries({ x: k ? width - left : left, y: height - 4, class: "tick", "text-anchor": k ? "end" : "start" }).forEach(([a, v]) => text.setAttribute(a, v));
      text.textContent = new Date(t).toISOString().slice(0, 10);
      svg.append(text);
    });
    wrap.append(svg);
  }
  wrap.append(el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, ["Role", "Of", "Period", "Grade", "Report"].map((h) => el("th", {}, h)))),
    el("tbody", {}, roles.map((r) => el("tr", {}, el("td", {}, r.role || "member"),
      el("td", {}, el("a", { href: `#/entity/${r.organisation_id}` }, r.organisation)),
      el("td", {}, period(r.valid_from, r.valid_to, r.end_reason)), el("td", {}, gradeBadge(r.grade)), el("td", {}, reportLink(r.report)))))));
  return wrap;
}
