// Overview: what is in the store, the three incident trends side by side, latest strikes, key
// players and the runway.
import { getJSON } from "../api.js";
import { barChart, lineChart } from "../charts.js";
import { KIND_COLOURS, el, entityLink, gradeBadge, panel, relationTable } from "../ui.js";

export default async function overview(container, { params }) {
  container.append(el("p", { class: "muted" }, "Loading…"));
  const data = await getJSON("/api/overview", { year: params.get("year") });
  container.textContent = "";
  window.cellmapYears = data.trends.length ? data.trends[0].periods : [];
  const trends = el("div", { class: "row", id: "trends" },
    data.trends.map((series, i) => el("div", {},
      lineChart({ labels: series.periods, series: [{ name: series.name, values: series.values, colour: ["#c53030", "#dd6b20", "#2b6cb0"][i] }],
        title: series.name, width: 330, height: 190 }),
      el("div", { class: "muted" }, series.definition))));
  container.append(
    el("div", { class: "cards" },
      panel("Entities by kind", barChart(data.entities_by_kind.map((c) => ({ label: c.key, value: c.count, colour: KIND_COLOURS[c.key] }))) ),
      panel("Reports by grade", barChart(data.reports_by_grade.map((c) => ({ label: c.key, value: c.count })), { colour: "#38a169" }),
        el("p", { class: "muted" }, "Admiralty grades: source reliability A (reliable) – F (cannot be judged), information credibility 1 (confirmed) – 6 (cannot be judged).")),
    ),
    panel("Incident trends: three readings of “operations”", trends, el("p", { class: "muted" }, `Source: ${data.trends_source}`)),
    headlines(data.incidents_summary),
    el("div", { class: "cards" },
      panel("Key players", data.key_players.length
        ? el("ol", { id: "key-players" }, data.key_players.map((k) => el("li", {}, entityLink(k.id, k.name), " ", el("span", { class: "muted" }, k.kind))))
        : el("p", { class: "muted" }, "No key-player set: the network is too small or cellmap.graph.keyplayers is not in this build."),
        data.key_players_result && data.key_players_result.score !== null ? el("p", {}, `Removing these ${data.key_players.length} raises fragmentation ${data.key_players_result.objective} of the ${data.key_players_result.persons} connected persons from ${Number(data.key_players_result.baseline).toFixed(3)} to ${Number(data.key_players_result.score).toFixed(3)} (${data.key_players_result.method}).`) : null,
        data.key_players_source ? el("p", { class: "muted" }, `Source: ${data.key_players_source}`) : null),
      panel("Runway", runway(data.runway, data.runway_source)),
    ),
    panel("Latest strikes, raids and arrests (ct_action)", data.latest_strikes.length ? relationTable(data.latest_strikes) : el("p", { class: "muted" }, "No strike (ct_action) is recorded.")),
  );
}

function runway(value, source) {
  if (!value) return el("p", { class: "muted" }, source || "Runway analysis is not available in this build (cellmap.finance).");
  return el("div", { id: "runway" },
    el("table", { class: "kv" }, flatten(value).map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, show(v))))),
    source ? el("p", { class: "muted" }, `Source: ${source}`) : null);
}

// Nested figures as "a · b" rows, so that any summary shape reads as a table.
function flatten(value, prefix = "") {
  return Object.entries(value).flatMap(([k, v]) => {
    const key = (prefix ? `${prefix} · ` : "") + k.replaceAll("_", " ");
    return v && typeof v === "object" && !Array.isArray(v) ? flatten(v, key) : [[key, v]];
  });
}

function show(v) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en") : v.toLocaleString("en", { maximumFractionDigits: 2 });
  if (Array.isArray(v)) return v.map(show).join(", ");
  return String(v);
}

// Any year with one before it in the data: the seed's "55% drop" is 2021 → 2022.
function yearPicker(current) {
  const years = (window.cellmapYears || []).slice(1);
  if (!years.length) return null;
  return el("label", {}, "compare with the year before: ", el("select", { id: "overview-year",
    onchange: (e) => { location.hash = `#/overview?year=${e.target.value}`; } },
    years.map((y) => el("option", { value: y, selected: Number(y) === current }, y))));
}

function headlines(summary) {
  if (summary && summary.incidents === 0) return el("p", { class: "muted" }, "No incident in the store yet.");
  if (!summary || !summary.year_on_year) return el("p", { class: "muted" }, "Incident headlines are not available in this build (cellmap.incidents).");
  const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(0)}%`);
  return el("div", { class: "cards cards-1-2" },
    panel(`Change ${summary.year - 1} → ${summary.year}, three ways`, yearPicker(summary.year), el("table", { class: "grid", id: "year-on-year" },
      el("thead", {}, el("tr", {}, ["Counting", summary.year - 1, summary.year, "Change", "95% interval"].map((h) => el("th", {}, String(h))))),
      el("tbody", {}, summary.year_on_year.map((r) => el("tr", { title: r.definition },
        el("td", {}, r.method.replaceAll("_", " ")), el("td", {}, r.previous), el("td", {}, r.current),
        el("td", {}, pct(r.change)), el("td", {}, r.change_low === null ? "—" : `${pct(r.change_low)} … ${pct(r.change_high)}`))))),
      el("p", { class: "muted" }, "Share of incidents inside the Palmyra–Deir ez-Zor–Abu Kamal triangle: ",
        Object.entries(summary.triangle_share_by_year || {}).map(([y, s]) => `${y}: ${pct(s)}`).join(" · "))),
    panel("Cell coherence", summary.coherence.length ? el("table", { class: "grid", id: "coherence" },
      el("thead", {}, el("tr", {}, ["Cell", "Label", "Incidents", "r (campaigns)", "Hops to leadership", "Why"].map((h) => el("th", {}, h)))),
      el("tbody", {}, summary.coherence.map((c) => el("tr", {},
        el("td", {}, el("a", { href: `#/entity/${c.cell_id}` }, c.cell)), el("td", {}, el("strong", {}, c.label)),
        el("td", {}, c.incidents), el("td", {}, show(c.r_campaign)), el("td", {}, show(c.hops)), el("td", { class: "muted" }, c.reason)))))
      : el("p", { class: "muted" }, "No cell in the store."),
      el("p", { class: "muted" }, "cellmap.incidents.coherence: synchrony with leadership campaigns and with other cells, and the command path.")));
}
