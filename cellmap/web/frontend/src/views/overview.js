// Overview: what is in the store, the three incident trends side by side, latest strikes, key
// players and the runway.
import { getJSON } from "../api.js";
import { barChart, lineChart } from "../charts.js";
import { KIND_COLOURS, clear, el, entityLink, errorBox, fmt, gradeBadge, panel, relationTable } from "../ui.js";

export default async function overview(container, { params }) {
  container.append(el("p", { class: "muted" }, "Loading…"));
  let data;
  try {
    data = await getJSON("/api/overview", { year: params.get("year") });
  } catch (error) {
    container.textContent = "";
    container.append(errorBox(error, params.get("year") ? `The overview for ${params.get("year")} could not be computed` : "The overview could not be loaded"),
      el("a", { href: "#/overview" }, "Show the overview without a year"));
    return;
  }
  container.textContent = "";
  window.cellmapYears = data.trends.length ? data.trends[0].periods : [];
  const trends = el("div", { class: "row", id: "trends" },
    data.trends.map((series, i) => el("div", {},
      lineChart({ labels: series.periods, series: [{ name: series.name, values: series.values, colour: ["#c53030", "#dd6b20", "#2b6cb0"][i] }],
        title: series.name, width: 330, height: 190, integer: true, yLabel: "per year" }),
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
        ? el("ol", { id: "key-players" }, data.key_players.map((k) => el("li", { "data-id": k.id }, entityLink(k.id, k.name), " ", el("span", { class: "muted" }, k.kind))))
        : el("p", { class: "muted" }, "No key-player set: the network is too small or cellmap.graph.keyplayers is not in this build."),
        data.key_players.length ? robustness(params) : null,
        data.key_players_result && data.key_players_result.score !== null ? el("p", {}, `Removing these ${data.key_players.length} raises fragmentation ${data.key_players_result.objective} of the ${fmt(data.key_players_result.persons)} connected persons from ${Number(data.key_players_result.baseline).toFixed(3)} to ${Number(data.key_players_result.score).toFixed(3)} (${data.key_players_result.method}).`) : null,
        data.key_players_source ? el("p", { class: "muted" }, `Source: ${data.key_players_source}`) : null),
      panel("Runway", runway(data.runway, data.runway_source)),
    ),
    data.key_players.length ? robustMeasures(params) : null,
    panel("Latest strikes, raids and arrests (ct_action)", data.latest_strikes.length ? relationTable(data.latest_strikes) : el("p", { class: "muted" }, "No strike (ct_action) is recorded.")),
  );
}

// How sure: on request, each key player's share of seeded samples (reports kept by grade, automatic
// merges by score, likely ties and unseen members added) as a bar beside his name.
function robustness(params) {
  const samples = Number(params.get("samples")) || 20;
  const note = el("p", { class: "muted", id: "robust-note" });
  const button = el("button", { type: "button", id: "robust-run", onclick: async () => {
    button.disabled = true;
    note.textContent = `Drawing ${samples} samples…`;
    try {
      const result = await getJSON("/api/overview/robust", { samples, seed: params.get("seed") || 0 });
      const share = new Map(result.persons.map((p) => [p.id, p.share]));
      for (const item of document.querySelectorAll("#key-players li")) {
        const value = share.get(Number(item.dataset.id)) || 0;
        item.querySelector(".robust")?.remove();
        item.append(shareBar(value, `a key player in ${Math.round(value * 100)} % of ${result.samples} samples`));
      }
      const others = result.persons.filter((p) => !p.plain && p.share >= 0.5);
      note.textContent = `Bar: share of ${result.samples} samples (seed ${result.seed}) in which each is a key player. ${drawn(result.expected)}`
        + (others.length ? ` Also key players in half the samples or more: ${others.map((p) => `${p.name} (${Math.round(p.share * 100)} %)`).join(", ")}.` : "");
    } catch (error) {
      note.textContent = "";
      note.append(errorBox(error, "The robustness samples could not be drawn"));
    }
    button.disabled = false;
  } }, "How sure? Re-run over samples");
  return el("div", {}, button, note);
}

// A share of the samples as a bar and a percentage, with `title` as its tooltip.
function shareBar(value, title) {
  const percent = Math.round(value * 100);
  return el("span", { class: "robust", title },
    el("span", { class: "robust-bar" }, el("span", { class: "robust-fill", style: `width: ${percent}%` })), ` ${percent} %`);
}

// What one sample does, from the API's `expected` changes.
function drawn(e) {
  return `A sample keeps each report by its grade (${Math.round(e.reports_kept * 100)} % on average), undoes automatic merges by their score (${fmt(e.merges_undone)} on average), adds likely missing ties (${fmt(e.ties_added)}) and unseen members (${fmt(e.members_added)}).`;
}

// How sure the top 10 by each measure are: on request, for a chosen measure, the plain top 10 and
// anyone in the top 10 in half the samples or more, each with his share of the samples as a bar.
function robustMeasures(params) {
  const samples = Number(params.get("samples")) || 20;
  const note = el("p", { class: "muted", id: "robust-measures-note" });
  const list = el("ol", { id: "robust-measures" });
  const choice = el("select", { id: "robust-measure", disabled: true });
  let result = null;
  const render = () => {
    const rows = result.measures[choice.value] || [];
    clear(list).append(...rows.map((p) => el("li", { "data-id": p.id }, entityLink(p.id, p.name),
      shareBar(p.share, `in the top ${result.top} by ${choice.value} in ${Math.round(p.share * 100)} % of ${result.samples} samples`),
      p.plain ? null : el("span", { class: "muted" }, ` not in the plain top ${result.top}`))));
  };
  choice.onchange = render;
  const button = el("button", { type: "button", id: "robust-measures-run", onclick: async () => {
    button.disabled = true;
    note.textContent = `Drawing ${samples} samples…`;
    try {
      result = await getJSON("/api/overview/robust/measures", { samples, seed: params.get("seed") || 0 });
      const selected = choice.value || "betweenness";
      clear(choice).append(...Object.keys(result.measures).map((m) => el("option", { value: m, selected: m === selected }, m)));
      choice.disabled = false;
      render();
      note.textContent = `Bar: share of ${result.samples} samples (seed ${result.seed}) in which each is in the top ${result.top} by the chosen measure, computed on the person network as “analyse measures” does. ${drawn(result.expected)}`;
    } catch (error) {
      note.textContent = "";
      note.append(errorBox(error, "The robustness samples could not be drawn"));
    }
    button.disabled = false;
  } }, "How sure? Re-run over samples");
  return panel("Top 10 by each measure: how sure", el("div", {}, button, " ", el("label", {}, "measure: ", choice)), list, note);
}

// The runway as a person reads it: one sentence, then the ledger as a table with units. The
// simulation's bookkeeping (draws, seed, relative errors) stays out of the way.
function runway(value, source) {
  if (!value) return el("p", { class: "muted" }, source || "Runway analysis is not available in this build (cellmap.finance).");
  const totals = value.totals || {};
  const r = value.runway || {};
  const currency = totals.currency || "";
  const money = (v) => (v === null || v === undefined ? "—" : `${fmt(Number(v))} ${currency}`.trim());
  const months = (v) => (v === null || v === undefined ? "—" : fmt(Number(v), { unit: "months" }));
  const range = (lo, hi) => (lo === null || lo === undefined ? "" : ` (between ${fmt(Number(lo))} and ${fmt(Number(hi))})`);
  const sentence = r.runway_months === undefined ? null : el("p", { id: "runway-sentence" },
    `On ${r.as_of}, the ${fmt(value.funds)} funds hold ${money(r.balance)}. At the last ${fmt(r.window_months)} months' pace — `,
    `${money(r.mean_spending)} spent and ${money(r.mean_income)} earned a month, a burn of ${money(r.mean_burn)} — the money lasts about `,
    el("strong", {}, months(r.runway_months)), `${range(r.runway_low, r.runway_high)}; with no income at all, about `,
    el("strong", {}, months(r.gross_runway_months)), `${range(r.gross_runway_low, r.gross_runway_high)}.`);
  const ledger = [
    ["Opening balance", totals.opening_balance], ["Income: extortion", totals.income_extortion], ["Income: ransom", totals.income_ransom],
    ["Income: other", totals.income_other], ["Transfers in (between funds)", totals.income_transfer], ["Spending: stipends", totals.spending_stipends],
    ["Spending: operations", totals.spending_operations], ["Spending: other", totals.spending_other],
    ["Transfers out (between funds)", totals.spending_transfer], ["Closing balance", totals.closing_balance],
  ].filter(([, v]) => v !== undefined);
  const errors = r.relative_error || {};
  return el("div", { id: "runway" }, sentence,
    el("table", { class: "grid ledger" }, el("thead", {}, el("tr", {}, el("th", {}, "Ledger, all funds"), el("th", { class: "num" }, `Amount (${currency})`))),
      el("tbody", {}, ledger.map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", { class: "num" }, fmt(Number(v))))))),
    el("p", { class: "muted" }, `The range comes from ${fmt(r.draws)} draws with the ledger's uncertainty (income ±${fmt(100 * (errors.income || 0))} %, spending ±${fmt(100 * (errors.spending || 0))} %).`,
      value.unassigned_payments ? ` ${fmt(value.unassigned_payments)} payments could not be assigned to a fund.` : ""),
    source ? el("p", { class: "muted" }, `Source: ${source}`) : null);
}

function show(v, digits = 2) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return Number.isInteger(v) ? fmt(v) : fmt(v, { digits });
  if (Array.isArray(v)) return v.map((x) => show(x, digits)).join(", ");
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
        el("td", {}, r.method.replaceAll("_", " ")), el("td", { class: "num" }, fmt(r.previous)), el("td", { class: "num" }, fmt(r.current)),
        el("td", {}, pct(r.change)), el("td", {}, r.change_low === null ? "—" : `${pct(r.change_low)} … ${pct(r.change_high)}`))))),
      el("p", { class: "muted" }, "Share of incidents inside the Palmyra–Deir ez-Zor–Abu Kamal triangle: ",
        Object.entries(summary.triangle_share_by_year || {}).map(([y, s]) => `${y}: ${pct(s)}`).join(" · "))),
    panel("Cell coherence", summary.coherence.length ? el("table", { class: "grid", id: "coherence" },
      el("thead", {}, el("tr", {}, ["Cell", "Label", "Incidents", "r (campaigns)", "Hops to leadership", "Why"].map((h) => el("th", {}, h)))),
      el("tbody", {}, summary.coherence.map((c) => el("tr", {},
        el("td", {}, el("a", { href: `#/entity/${c.cell_id}` }, c.cell)), el("td", {}, el("strong", {}, c.label)),
        el("td", { class: "num" }, fmt(c.incidents)), el("td", { class: "num" }, show(c.r_campaign)), el("td", {}, show(c.hops)), el("td", { class: "muted" }, String(c.reason).replace(/-0\.00\b/g, "0.00"))))))
      : el("p", { class: "muted" }, "No cell in the store."),
      el("p", { class: "muted" }, "cellmap.incidents.coherence: synchrony with leadership campaigns and with other cells, and the command path.")));
}
