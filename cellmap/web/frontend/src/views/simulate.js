// Simulate: a strike strategy or a chosen set of persons; the fragmentation and cells-cut-off curves;
// single versus collective leadership side by side.
import { getJSON, postJSON } from "../api.js";
import { lineChart } from "../charts.js";
import { clear, debounce, el, entityLink, errorBox, fmt as fmtNumber, panel } from "../ui.js";

export default async function simulate(container) {
  const strategies = await getJSON("/api/simulate/strategies");
  const chosen = new Map();
  const strategy = el("select", { id: "sim-strategy" }, strategies.map((s) => el("option", { value: s.name, title: s.description }, s.label)));
  const k = el("input", { type: "number", id: "sim-k", value: 20, min: 1, max: 500, style: "width:70px" });
  const grade = el("input", { type: "text", id: "sim-grade", placeholder: "e.g. C3", style: "width:70px" });
  const at = el("input", { type: "date", id: "sim-at", title: "the network as of this date; empty: every tie ever recorded" });
  const search = el("input", { type: "text", id: "sim-search", placeholder: "add a person…" });
  const hits = el("ul", { class: "hits" });
  const chips = el("div", { id: "sim-persons" });
  const result = el("div", { id: "sim-result" });
  search.addEventListener("input", debounce(async () => {
    clear(hits);
    if (!search.value.trim()) return;
    const found = await getJSON("/api/search", { q: search.value.trim(), kind: "person", limit: 10 }).catch(() => []);
    hits.append(...found.map((h) => el("li", { onclick: () => { chosen.set(h.id, h.name); strategy.value = "persons"; drawChips(); clear(hits); search.value = ""; } }, h.name)));
  }, 200));
  function drawChips() {
    clear(chips).append(...[...chosen.entries()].map(([id, name]) => el("span", { class: "pill" }, name, " ",
      el("a", { href: "#", onclick: (e) => { e.preventDefault(); chosen.delete(id); drawChips(); } }, "×"))));
  }
  const run = el("button", { class: "primary", id: "sim-run", onclick: go }, "Run simulation");
  const compareButton = el("button", { id: "sim-compare", onclick: compare }, "Compare single vs collective leadership (recovery model)");
  const comparison = el("div", { id: "sim-comparison" });
  container.append(panel("Strike simulation",
    el("div", { class: "row" }, el("label", {}, "strategy ", strategy), el("label", {}, "strikes ", k), el("label", {}, "min grade ", grade), el("label", {}, "as of ", at), run),
    el("div", { style: "max-width:420px;margin-top:6px" }, search, hits, chips),
    el("p", { class: "muted" }, "The person network of the store (every relation between persons), as of a date or over all time. A cell is cut off when none of its surviving members can reach the leadership.")),
    result, panel("Single leader vs collective council", compareButton, comparison));

  async function compare() {
    clear(comparison).append(el("p", { class: "muted" }, "Running 20 runs per structure (takes a few seconds)…"));
    try {
      const out = await postJSON("/api/simulate/leadership", { runs: 20, min_grade: grade.value || null, at: at.value || null });
      const fmt = (v) => (v === null || v === undefined ? "—" : Number(v).toFixed(1));
      clear(comparison).append(el("table", { class: "grid", id: "leadership-table" },
        el("thead", {}, el("tr", {}, ["Structure", "Outcome", "Median", "Mean", "5–95%", "Censored runs", "Struck first"].map((h) => el("th", {}, h)))),
        el("tbody", {}, out.rows.map((r) => el("tr", {}, el("td", {}, r.structure), el("td", {}, r.outcome.replaceAll("_", " ")),
          el("td", {}, fmt(r.median)), el("td", {}, fmt(r.mean)), el("td", {}, `${fmt(r.p05)} – ${fmt(r.p95)}`),
          el("td", {}, `${r.censored} of ${r.runs}`), el("td", {}, r.struck_first_name || "—"))))),
        el("p", { class: "muted" }, out.definition));
    } catch (error) { clear(comparison).append(errorBox(error, "The comparison could not run")); }
  }

  async function go() {
    clear(result).append(el("p", { class: "muted" }, "Running…"));
    try {
      const out = await postJSON("/api/simulate", { strategy: strategy.value, k: Number(k.value), persons: [...chosen.keys()], min_grade: grade.value || null, at: at.value || null });
      const labels = out.curve.map((p) => String(p.step));
      clear(result).append(
        el("div", { class: "row" },
          panel("Fragmentation", lineChart({ labels, width: 460, height: 240, yMax: 1, series: [
            { name: "fragmentation F (Borgatti)", values: out.curve.map((p) => p.fragmentation), colour: "#c53030" },
            { name: "largest component share", values: out.curve.map((p) => p.largest_share), colour: "#2b6cb0" }] })),
          panel("Cells cut off from leadership", lineChart({ labels, width: 460, height: 240, yMax: out.cells, integer: true, yLabel: "cells", series: [
            { name: "single leader", values: out.curve.map((p) => p.cells_cut_off_single), colour: "#dd6b20" },
            { name: "collective (leader + council)", values: out.curve.map((p) => p.cells_cut_off_collective), colour: "#2f855a" }] }))),
        panel("Single vs collective leadership",
          el("p", {}, `${out.at ? `As of ${out.at}: ` : "Every tie ever recorded: "}${fmtNumber(out.persons)} persons, ${fmtNumber(out.cells)} cells. Single: `, ...out.leadership_single.map((p) => [entityLink(p.id, p.name), " "]),
            " · collective: ", ...out.leadership_collective.map((p) => [entityLink(p.id, p.name), " "])),
          el("p", { class: "muted" }, out.definition)),
        panel("Strikes in order", el("table", { class: "grid", id: "sim-table" },
          el("thead", {}, el("tr", {}, ["Step", "Struck", "Largest share", "Components", "F", "Cut off (single)", "Cut off (collective)"].map((h) => el("th", {}, h)))),
          el("tbody", {}, out.curve.map((p) => el("tr", {}, el("td", {}, p.step), el("td", {}, p.removed ? entityLink(p.removed.id, p.removed.name) : "— intact —"),
            el("td", {}, p.largest_share.toFixed(3)), el("td", {}, fmtNumber(p.components)), el("td", {}, p.fragmentation.toFixed(3)),
            el("td", {}, p.cells_cut_off_single), el("td", {}, p.cells_cut_off_collective))))))
      );
    } catch (error) { clear(result).append(errorBox(error, "The simulation could not run")); }
  }
}
