// Overview: what is in the store, the three incident trends side by side, latest strikes, key
// players and the runway.
import { getJSON } from "../api.js";
import { barChart, lineChart } from "../charts.js";
import { KIND_COLOURS, el, entityLink, gradeBadge, panel, relationTable } from "../ui.js";

export default async function overview(container) {
  container.append(el("p", { class: "muted" }, "Loading…"));
  const data = await getJSON("/api/overview");
  container.textContent = "";
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
    el("div", { class: "cards" },
      panel("Latest strikes", data.latest_strikes.length ? relationTable(data.latest_strikes) : el("p", { class: "muted" }, "No strike (ct_action) is recorded.")),
      panel("Key players", data.key_players.length
        ? el("ol", {}, data.key_players.map((k) => el("li", {}, entityLink(k.id, k.name), " ", el("span", { class: "muted" }, k.kind))))
        : el("p", { class: "muted" }, "Key-player analysis is not available in this build (cellmap.graph.keyplayers)."),
        data.key_players_source ? el("p", { class: "muted" }, `Source: ${data.key_players_source}`) : null),
      panel("Runway", runway(data.runway, data.runway_source)),
    ),
  );
}

function runway(value, source) {
  if (!value) return el("p", { class: "muted" }, "Runway analysis is not available in this build (cellmap.finance).");
  const rows = Object.entries(value).filter(([, v]) => typeof v !== "object");
  return el("div", {},
    el("table", { class: "kv" }, rows.map(([k, v]) => el("tr", {}, el("th", {}, k.replaceAll("_", " ")), el("td", {}, String(v))))),
    source ? el("p", { class: "muted" }, `Source: ${source}`) : null);
}
