// Network: the link chart on a WebGL canvas (sigma.js + graphology). It opens folded: one node per
// cell, sector or detected group (sized by members, edges weighted by the ties between them), small
// fragments listed aside; a click on a group expands it to its members. Search, filters, colour by
// sector / cell / community / kind, size by a measure, key players, paths with the reports behind
// every edge; multi-select, hide, pin (drag), layouts, undo/redo, notes, export and saved cases.
import Graph from "graphology";
import Sigma from "sigma";
import { getJSON } from "../api.js";
import { exportView } from "../export.js";
import { caseBar } from "../cases.js";
import { History } from "../history.js";
import { placeLabels } from "../labels.js";
import { timeFilter } from "../timefilter.js";
import { KIND_COLOURS, OKABE_ITO, clear, debounce, el, entityLink, errorBox, fmt, fmtMeasure, reportLink } from "../ui.js";

const GRADES = ["", "A1", "A2", "B2", "B3", "C3", "C4", "D4", "E5", "F6"];
const EDGE_COLOURS = { membership: "#e69f00", communication: "#56b4e9", meeting: "#009e73", kinship: "#f0e442",
  command: "#0072b2", payment: "#d55e00", use: "#999999", part_of: "#cc79a7", association: "#7f7f7f",
  ct_action: "#000000", participation: "#b07aa1", attribution: "#b07aa1", campaign_call: "#8c6d31" };
const GROUP_KINDS = new Set(["cell", "sector", "community"]);
const NO_SECTOR = "#8a8a8a";
const LAYOUTS = [["force", "force (ties pull)"], ["hierarchy", "hierarchical (command pyramid)"], ["circle", "circular by sector"]];
const LAYER = { organisation: 0, sector: 1, cell: 2, community: 3, person: 4 };

export default async function network(container, { params, status }) {
  const s = {
    mode: params.get("mode") || "groups", kinds: new Set((params.get("kinds") || "").split(",").filter(Boolean)),
    minGrade: params.get("min_grade") || "", level: params.get("level") || "cell",
    colour: params.get("colour") || "sector", measure: params.get("measure") || "degree", keyPlayers: true,
    selected: null, multi: new Set(), hidden: new Set(), pinned: new Map(), expanded: new Set((params.get("expand") || "").split(",").filter(Boolean)),
    layout: params.get("layout") || "force", notes: {}, link: null, pathA: null, pathB: null, highlight: null, data: null, paths: null,
  };
  const time = timeFilter();
  if (params.get("start") || params.get("end")) time.set(params.get("start") || "", params.get("end") || "");
  const relationKinds = status ? status.relation_kinds : Object.keys(EDGE_COLOURS);

  const sidebar = el("aside", { class: "sidebar" });
  const legend = el("div", { class: "legend-bar", id: "network-legend" });
  const canvasBox = el("div", { id: "sigma" });
  const overlay = el("div", { class: "overlay", id: "network-overlay" });
  const stats = el("div", { class: "stats-bar", id: "network-stats" }, "Loading…");
  const toolbar = el("div", { class: "toolbar", id: "network-toolbar" });
  const stage = el("div", { class: "stage stage-column" }, toolbar, legend, el("div", { class: "canvas-wrap" }, canvasBox, overlay), stats);
  const detail = el("aside", { class: "detail", id: "network-detail" }, el("p", { class: "muted" }, "Click a node to see it here."));
  container.append(sidebar, stage, detail);

  const graph = new Graph({ type: "undirected", multi: false });
  const renderer = new Sigma(graph, canvasBox, {
    renderEdgeLabels: false, labelRenderedSizeThreshold: 7, labelDensity: 0.35, labelGridCellSize: 110, zIndex: true,
    hideEdgesOnMove: true, hideLabelsOnMove: true, enableEdgeEvents: true, labelFont: "DejaVu Sans, sans-serif", labelSize: 12,
    defaultEdgeColor: "#cbd5e0", minCameraRatio: 0.02, maxCameraRatio: 4,
    nodeReducer: (node, attrs) => reduceNode(node, attrs), edgeReducer: (edge, attrs) => reduceEdge(edge, attrs),
  });
  const history = new History(() => snapshot(), (state) => restore(state), () => updateToolbar());
  const exposed = { graph, renderer, state: s, history };
  window.cellmapNetwork = exposed; // for tests; a newer view's is left alone on destroy

  function reduceNode(node, attrs) {
    const out = { ...attrs };
    if (s.hidden.has(node)) { out.hidden = true; return out; }
    if (s.highlight && !s.highlight.nodes.has(node)) { out.color = "#edf2f7"; out.label = ""; out.zIndex = 0; out.size = Math.min(attrs.size, 3); }
    else if (s.highlight) { out.zIndex = 2; out.forceLabel = true; }
    if (s.keyPlayers && attrs.keyPlayer) { out.forceLabel = true; out.size = attrs.size * 1.3; }
    if (attrs.kind === "cell" && attrs.members > 1 && renderer.getCamera().ratio < 0.7) out.forceLabel = true;
    if (node === String(s.selected) || s.multi.has(node)) { out.forceLabel = true; out.zIndex = 3; }
    if (labelled && out.label) { if (labelled.has(node)) out.forceLabel = true; else out.label = ""; }
    return out;
  }

  // Level of detail: after each drawing, the labels that fit without overlapping (the selection
  // first, then the highlighted, key players, groups, larger nodes); when that set changes, the
  // drawing is refreshed once with exactly those labels.
  let labelled = null;
  const LABEL_MIN_PX = 7; // an ordinary node's label shows from this drawn radius
  function labelRank(node, attrs) {
    if (node === String(s.selected) || s.multi.has(node) || (s.link && s.link.split("|").includes(node))) return 4;
    if (s.highlight && s.highlight.nodes.has(node)) return 3;
    if (s.keyPlayers && attrs.keyPlayer) return 2;
    return typeof attrs.group === "string" && attrs.group === node ? 1 : 0;
  }
  function fittingLabels() {
    const { width, height } = renderer.getDimensions();
    const items = [];
    graph.forEachNode((node, attrs) => {
      if (!attrs.label || s.hidden.has(node) || (s.highlight && !s.highlight.nodes.has(node))) return;
      const d = renderer.getNodeDisplayData(node);
      if (!d || d.hidden) return;
      const p = renderer.framedGraphToViewport(d);
      const r = renderer.scaleSize(d.size);
      const rank = labelRank(node, attrs);
      if (rank === 0 && r < LABEL_MIN_PX) return;
      if (p.x < -r || p.y < -r || p.x > width || p.y > height + r) return;
      items.push({ key: node, x: p.x, y: p.y, r, label: attrs.label, rank });
    });
    items.sort((a, b) => b.rank - a.rank || b.r - a.r);
    return new Set(placeLabels(items, { width, height }).map((box) => box.item.key));
  }
  let relabel = 0;
  renderer.on("afterRender", () => {
    if (relabel || renderer.getCamera().isAnimated()) return;
    const next = fittingLabels();
    if (labelled && next.size === labelled.size && [...next].every((n) => labelled.has(n))) return;
    // Refreshed at the next frame: sigma's scheduleRefresh would drop the drawn positions at once,
    // and a click or a camera move in between needs them.
    relabel = requestAnimationFrame(() => { relabel = 0; labelled = next; renderer.refresh(); });
  });
  function reduceEdge(edge, attrs) {
    const out = { ...attrs };
    const [a, b] = graph.extremities(edge);
    if (s.hidden.has(a) || s.hidden.has(b)) { out.hidden = true; return out; }
    if (s.link === linkKey(a, b)) { out.color = "#1a202c"; out.size = Math.max(3, attrs.size * 1.6); out.zIndex = 3; return out; }
    if (s.highlight) {
      if (s.highlight.edges.has(edge)) { out.color = "#b7791f"; out.size = 3; out.zIndex = 2; }
      else out.hidden = true;
    }
    return out;
  }

  // --- the selection marker and pins: an SVG overlay kept in step with the camera ---------------
  const NS = "http://www.w3.org/2000/svg";
  const marks = document.createElementNS(NS, "svg");
  marks.setAttribute("class", "marks");
  overlay.append(marks);
  function drawMarks() {
    while (marks.firstChild) marks.firstChild.remove();
    const ring = (node, cls) => {
      if (!graph.hasNode(node) || s.hidden.has(node)) return;
      const d = renderer.getNodeDisplayData(node);
      if (!d) return;
      const p = renderer.framedGraphToViewport(d);
      const r = renderer.scaleSize(d.size) + 5;
      const c = document.createElementNS(NS, "circle");
      c.setAttribute("cx", p.x); c.setAttribute("cy", p.y); c.setAttribute("r", r); c.setAttribute("class", cls);
      marks.append(c);
    };
    for (const node of s.pinned.keys()) ring(node, "pin-mark");
    for (const node of s.multi) ring(node, "multi-mark");
    if (s.selected !== null) ring(String(s.selected), "select-mark");
  }
  renderer.on("afterRender", drawMarks);

  // --- controls -----------------------------------------------------------------------------
  const reloadSoon = debounce(() => reload(), 300);
  const searchBox = el("input", { type: "text", id: "network-search", placeholder: "Search an entity… (/)", autocomplete: "off" });
  const hits = el("ul", { class: "hits", id: "network-hits" });
  searchBox.addEventListener("input", debounce(async () => {
    clear(hits);
    if (!searchBox.value.trim()) return;
    const found = await getJSON("/api/search", { q: searchBox.value.trim(), limit: 15 }).catch(() => []);
    hits.append(...found.map((h) => el("li", { "data-id": h.id, onclick: () => focusEntity(h.id) }, h.name, " ",
      el("span", { class: "muted" }, h.matched && h.matched !== h.name ? `${h.kind} · as “${h.matched}”` : h.kind))));
  }, 200));

  const kindBoxes = relationKinds.map((kind) => el("label", {},
    el("input", { type: "checkbox", value: kind, checked: s.kinds.size === 0 || s.kinds.has(kind), onchange: reloadSoon }),
    " ", el("span", { class: "swatch", style: `background:${EDGE_COLOURS[kind] || "#cbd5e0"}` }), kind));
  const gradeSelect = el("select", { id: "network-grade", onchange: reloadSoon },
    GRADES.map((g) => el("option", { value: g, selected: g === s.minGrade }, g ? `at least ${g}` : "any grade")));
  const colourSelect = el("select", { id: "network-colour", onchange: () => { s.colour = colourSelect.value; rememberInAddress(); paint(); } },
    [["sector", "sector (colour-blind safe)"], ["cell", "recorded cell"], ["community", "detected community"], ["kind", "entity kind"]]
      .map(([v, l]) => el("option", { value: v, selected: v === s.colour }, l)));
  const measureSelect = el("select", { id: "network-measure", onchange: () => { s.measure = measureSelect.value; reload(); } });
  const keyBox = el("input", { type: "checkbox", checked: s.keyPlayers, onchange: () => { s.keyPlayers = keyBox.checked; renderer.refresh(); } });
  const modeSelect = el("select", { id: "network-mode", onchange: () => { s.mode = modeSelect.value; s.expanded.clear(); reload(); } },
    [["groups", "cells and groups (expand on click)"], ["whole", "every entity"], ["explore", "explore from a search"]]
      .map(([v, l]) => el("option", { value: v, selected: v === s.mode }, l)));
  const levelSelect = el("select", { id: "network-level", onchange: () => { s.level = levelSelect.value; s.expanded.clear(); reload(); } },
    [["cell", "cells"], ["sector", "sectors"]].map(([v, l]) => el("option", { value: v, selected: v === s.level }, l)));
  const layoutSelect = el("select", { id: "network-layout", onchange: () => { history.push(); s.layout = layoutSelect.value; applyLayout(); } },
    LAYOUTS.map(([v, l]) => el("option", { value: v, selected: v === s.layout }, l)));
  const pathA = el("input", { type: "text", id: "path-a", placeholder: "from (search or pick a node)", readonly: true });
  const pathB = el("input", { type: "text", id: "path-b", placeholder: "to (search or pick a node)", readonly: true });
  const pathHow = el("select", { id: "path-how" }, [["shortest", "every shortest path"], ["k", "5 shortest simple paths"]]
    .map(([v, l]) => el("option", { value: v }, l)));
  const pathError = el("div", { class: "inline-error", id: "path-error", role: "alert" });
  const pathButton = el("button", { class: "primary", id: "path-button", onclick: () => showPaths() }, "Show paths");
  const clearButton = el("button", { onclick: () => { s.highlight = null; s.paths = null; renderer.refresh(); renderDetail(); } }, "Clear highlight");
  const fragments = el("div", { id: "network-fragments" });

  sidebar.append(
    el("h3", {}, "Find"), searchBox, hits,
    el("h3", {}, "Show"), modeSelect, el("label", {}, "fold into ", levelSelect),
    el("h3", {}, "Time"), time.element,
    el("h3", {}, "Relationship kinds"), ...kindBoxes,
    el("h3", {}, "Minimum grade"), gradeSelect,
    el("h3", {}, "Colour by"), colourSelect,
    el("h3", {}, "Size by"), measureSelect,
    el("label", {}, keyBox, " highlight key players"),
    el("h3", {}, "Layout"), layoutSelect,
    el("h3", {}, "Paths between two entities"), pathA, pathB, pathHow, el("div", { class: "row" }, pathButton, clearButton), pathError,
    fragments,
  );
  time.onChange(() => reload());

  // Toolbar: view actions (each undoable), export and the case bar.
  const undoButton = el("button", { id: "undo", title: "Undo (Ctrl+Z)", onclick: () => history.undo() }, "↶ Undo");
  const redoButton = el("button", { id: "redo", title: "Redo (Ctrl+Y)", onclick: () => history.redo() }, "↷ Redo");
  const hideButton = el("button", { id: "hide-selected", title: "Hide the selected nodes (H)", onclick: () => hideSelected() }, "Hide");
  const showButton = el("button", { id: "show-hidden", title: "Show hidden nodes (Shift+H)", onclick: () => showHidden() }, "Show hidden");
  const pinButton = el("button", { id: "pin-selected", title: "Pin or unpin the selected nodes (P); dragging a node pins it", onclick: () => togglePin() }, "Pin");
  const fitButton = el("button", { id: "fit", title: "Fit the drawing (F)", onclick: () => renderer.getCamera().animatedReset() }, "Fit");
  const exportSelect = el("select", { id: "export-format", title: "Export the current view" },
    [["", "Export…"], ["png", "PNG image"], ["svg", "SVG drawing"], ["pdf", "PDF page"]].map(([v, l]) => el("option", { value: v }, l)));
  exportSelect.addEventListener("change", async () => {
    const format = exportSelect.value;
    exportSelect.value = "";
    if (format) await exportView(renderer, graph, { format, title: caseTitle(), hidden: s.hidden, legend: legendItems(), banner: status && status.synthetic ? status.banner : "" });
  });
  const cases = caseBar({ view: "network", capture: () => captureCase(), apply: (c) => applyCase(c) });
  toolbar.append(undoButton, redoButton, el("span", { class: "sep" }), hideButton, showButton, pinButton, fitButton,
    el("span", { class: "sep" }), exportSelect, el("span", { class: "sep" }), cases.element,
    el("span", { class: "muted keys-hint" }, "Shift+click: multi-select · drag: pin · ? keys"));
  function updateToolbar() {
    undoButton.disabled = !history.canUndo();
    redoButton.disabled = !history.canRedo();
    showButton.textContent = s.hidden.size ? `Show hidden (${fmt(s.hidden.size)})` : "Show hidden";
    showButton.disabled = !s.hidden.size;
  }

  function filters() {
    const checked = kindBoxes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    const { start, end } = time.get();
    return { kinds: checked.length === relationKinds.length ? "" : checked.join(","), start, end, min_grade: gradeSelect.value };
  }

  // --- loading ------------------------------------------------------------------------------
  // The address keeps the filters, so a view can be bookmarked or sent to a colleague.
  function rememberInAddress() {
    const query = new URLSearchParams(Object.entries({ mode: s.mode, ...filters(), colour: s.colour, measure: s.measure,
      level: s.level === "cell" ? "" : s.level, expand: [...s.expanded].join(","), layout: s.layout === "force" ? "" : s.layout })
      .filter(([, v]) => v));
    history.replaceAddress(`#/network?${query}`);
  }

  let loadToken = 0;
  async function reload({ reveal = "", keepCamera = false } = {}) {
    const token = ++loadToken;
    stats.textContent = "Loading…";
    const started = performance.now();
    try {
      let data;
      if (s.mode === "explore") {
        data = s.selected ? await getJSON(`/api/network/neighbours/${s.selected}`, filters()) : { nodes: [], edges: [], measures: ["degree"], key_players: [], entities: 0 };
      } else if (s.mode === "whole") {
        data = await getJSON("/api/network", { ...filters(), measure: s.measure, view: "persons" });
      } else {
        data = await getJSON("/api/network", { ...filters(), measure: s.measure, level: s.level, expand: [...s.expanded].join(","), reveal });
        s.expanded = new Set(data.expanded || []);
      }
      if (token !== loadToken) return;
      rememberInAddress();
      s.data = data;
      fillMeasures(data.measures);
      graph.clear();
      addData(data);
      applyLayout({ refresh: false });
      paint();
      if (!keepCamera) renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
      const ms = Math.round(performance.now() - started);
      stats.textContent = statsText(data, ms);
      document.body.dataset.networkNodes = String(graph.order);
      document.body.dataset.networkLoadMs = String(ms);
      renderFragments(data.fragments || []);
      renderDetail();
      updateToolbar();
    } catch (error) {
      stats.textContent = "";
      stats.append(errorBox(error, "The network could not be loaded"));
    }
  }

  function statsText(data, ms) {
    const groups = data.nodes.filter((n) => GROUP_KINDS.has(n.kind) && typeof n.id === "string").length;
    const aside = (data.fragments || []).reduce((total, f) => total + f.length, 0);
    const { start, end } = time.get();
    const window = start || end ? ` with a tie valid in ${start || "…"} – ${end || "…"} (ties recorded without dates count in every window)` : "";
    const parts = [`${fmt(graph.order)} nodes drawn`];
    if (groups) parts.push(`${fmt(groups)} of them groups`);
    parts.push(`${fmt(graph.size)} links`);
    let text = `${parts.join(" · ")} — ${fmt(data.entities || graph.order)} entities${window}`;
    if (aside) text += ` · ${fmt(aside)} in ${fmt(data.fragments.length)} small fragments kept aside`;
    return `${text} · loaded in ${fmt(ms)} ms`;
  }

  function addData(data) {
    const entityMax = Math.max(1e-9, ...data.nodes.filter((n) => n.members === 1).map((n) => n.measure));
    const groupMax = Math.max(1, ...data.nodes.filter((n) => n.members > 1).map((n) => n.members));
    for (const n of data.nodes) {
      const key = String(n.id);
      if (graph.hasNode(key)) continue;
      const isGroup = typeof n.id === "string";
      const size = isGroup ? 7 + 17 * Math.sqrt(n.members / groupMax) : 2.5 + 9 * Math.sqrt(Math.max(0, n.measure) / entityMax);
      graph.addNode(key, {
        x: n.x, y: n.y, forceX: n.x, forceY: n.y, label: n.label, kind: n.kind, cell: n.cell, community: n.community,
        keyPlayer: n.key_player, measure: n.measure, members: n.members, sector: n.sector, group: isGroup ? key : n.group,
        tiesInside: n.ties_inside, size: Math.max(3, size), color: "#999",
      });
    }
    const tieMax = Math.max(1, ...data.edges.map((e) => e.ties || 1));
    for (const e of data.edges) {
      const a = String(e.source), b = String(e.target);
      if (!graph.hasNode(a) || !graph.hasNode(b) || graph.hasEdge(a, b)) continue;
      const weighted = (e.ties || 1) > 1 || graph.getNodeAttribute(a, "members") > 1 || graph.getNodeAttribute(b, "members") > 1;
      graph.addEdge(a, b, { kinds: e.kinds, relations: e.relations, ties: e.ties || 1,
        size: weighted ? 0.6 + 6 * Math.sqrt((e.ties || 1) / tieMax) : Math.min(3, 0.6 + 0.3 * e.relations),
        color: weighted ? "#a0aec0" : EDGE_COLOURS[e.kinds[0]] || "#cbd5e0" });
    }
  }

  function fillMeasures(measures) {
    if (measureSelect.options.length === measures.length) return;
    clear(measureSelect).append(...measures.map((m) => el("option", { value: m, selected: m === s.measure }, m)));
  }

  // Colours without repeats: Okabe–Ito (colour-blind safe) for sectors; other keys take the next
  // unused palette entry in order of appearance, and past the palette a key is "other" (grey).
  function colourFor(keys, palette) {
    const map = new Map();
    for (const key of keys) if (key !== null && key !== undefined && !map.has(key)) map.set(key, map.size < palette.length ? palette[map.size] : null);
    return map;
  }

  function colourKey(attrs) {
    if (s.colour === "kind") return attrs.kind;
    if (s.colour === "community") return attrs.community ?? (attrs.kind === "community" ? attrs.group : null);
    if (s.colour === "cell") return attrs.cell ?? (attrs.kind === "cell" ? attrs.group : null);
    return attrs.sector;
  }

  let legendState = [];
  function paint() {
    const keys = [];
    graph.forEachNode((node, attrs) => keys.push(colourKey(attrs)));
    const sorted = [...new Set(keys.filter((k) => k !== null && k !== undefined))].sort((a, b) => String(a).localeCompare(String(b), undefined, { numeric: true }));
    const palette = s.colour === "sector" ? OKABE_ITO : s.colour === "kind" ? null : WIDE_PALETTE;
    const colours = palette ? colourFor(sorted, palette) : new Map(sorted.map((k) => [k, KIND_COLOURS[k] || NO_SECTOR]));
    graph.forEachNode((node, attrs) => {
      const key = colourKey(attrs);
      const colour = colours.get(key) || NO_SECTOR;
      graph.setNodeAttribute(node, "color", attrs.kind === "community" && s.colour === "sector" ? mute(colour) : colour);
    });
    const label = (key) => {
      if (s.colour === "sector" || s.colour === "cell") {
        const id = s.colour === "cell" && String(key).startsWith("cell:") ? key : String(key);
        const plain = String(id).replace(/^cell:/, "");
        const node = graph.hasNode(plain) ? plain : graph.hasNode(`cell:${plain}`) ? `cell:${plain}` : null;
        return node ? graph.getNodeAttribute(node, "label").replace(/ · [\d,]+$/, "") : `#${plain}`;
      }
      return String(key);
    };
    legendState = [...colours.entries()].filter(([, c]) => c).map(([key, colour]) => ({ label: label(key), colour }));
    const dropped = [...colours.values()].filter((c) => !c).length;
    clear(legend).append(...[el("strong", {}, `Colour = ${{ sector: "sector", cell: "recorded cell", community: "detected community", kind: "entity kind" }[s.colour]}:`),
      ...legendState.map((item) => el("span", { class: "legend-item" }, el("span", { class: "swatch", style: `background:${item.colour}` }), item.label)),
      el("span", { class: "legend-item" }, el("span", { class: "swatch", style: `background:${NO_SECTOR}` }), dropped ? `other (${fmt(dropped)}) or none recorded` : "none recorded"),
      s.colour === "sector" && s.mode === "groups" ? el("span", { class: "legend-item muted" }, el("span", { class: "swatch pale" }), "pale: detected group without a recorded cell (colour of the sector most of its ties lead to)") : null,
      s.mode === "groups" ? el("span", { class: "legend-item muted" }, "node area ∝ members · link width ∝ ties between groups · ◯ selected · ◌ pinned") : null].filter(Boolean));
    renderer.refresh();
  }
  function legendItems() { return legendState; }

  // --- layouts: force (the server's), hierarchical by level, circular by sector -----------------
  function applyLayout({ refresh = true } = {}) {
    const nodes = graph.nodes();
    if (s.layout === "circle") {
      const order = [...nodes].sort((a, b) => String(graph.getNodeAttribute(a, "sector")).localeCompare(String(graph.getNodeAttribute(b, "sector"))) || a.localeCompare(b));
      order.forEach((node, i) => {
        const angle = (2 * Math.PI * i) / order.length;
        graph.mergeNodeAttributes(node, { x: Math.cos(angle), y: Math.sin(angle) });
      });
    } else if (s.layout === "hierarchy") {
      const layers = new Map();
      for (const node of nodes) {
        const kind = graph.getNodeAttribute(node, "kind");
        const layer = LAYER[kind] ?? 5;
        if (!layers.has(layer)) layers.set(layer, []);
        layers.get(layer).push(node);
      }
      const levels = [...layers.keys()].sort((a, b) => a - b);
      levels.forEach((layer, depth) => {
        const row = layers.get(layer).sort((a, b) => String(graph.getNodeAttribute(a, "sector")).localeCompare(String(graph.getNodeAttribute(b, "sector"))) || graph.getNodeAttribute(a, "forceX") - graph.getNodeAttribute(b, "forceX"));
        const perRow = Math.max(12, Math.ceil(Math.sqrt(row.length * 6)));
        row.forEach((node, i) => {
          const sub = Math.floor(i / perRow), col = i % perRow, count = Math.min(perRow, row.length - sub * perRow);
          graph.mergeNodeAttributes(node, { x: count === 1 ? 0 : -1 + (2 * col) / (count - 1), y: 1 - depth * 0.5 - sub * 0.12 });
        });
      });
    } else {
      for (const node of nodes) graph.mergeNodeAttributes(node, { x: graph.getNodeAttribute(node, "forceX"), y: graph.getNodeAttribute(node, "forceY") });
    }
    for (const [node, p] of s.pinned) if (graph.hasNode(node)) graph.mergeNodeAttributes(node, p);
    if (refresh) renderer.refresh();
  }

  // --- interaction --------------------------------------------------------------------------
  let dragged = null, dragMoved = false;
  renderer.on("downNode", ({ node }) => { dragged = node; dragMoved = false; });
  renderer.getMouseCaptor().on("mousemovebody", (event) => {
    if (!dragged) return;
    if (!dragMoved) history.push();
    dragMoved = true;
    const p = renderer.viewportToGraph(event);
    graph.mergeNodeAttributes(dragged, p);
    s.pinned.set(dragged, p);
    event.preventSigmaDefault();
    event.original.preventDefault();
    event.original.stopPropagation();
  });
  renderer.getMouseCaptor().on("mouseup", () => { if (dragged && dragMoved) updateToolbar(); dragged = null; });
  // Sigma reports a second click within 300 ms as a double click (and zooms), even on another node:
  // two quick clicks on two nodes are two clicks for an analyst, a double click on one node is one.
  let lastClicked = null;
  renderer.on("clickNode", ({ node, event }) => { lastClicked = node; clickNode(node, event); });
  renderer.on("doubleClickNode", ({ node, event }) => {
    event.preventSigmaDefault();
    if (node !== lastClicked) { lastClicked = node; clickNode(node, event); }
  });
  function clickNode(node, event) {
    if (dragMoved) { dragMoved = false; return; }
    const attrs = graph.getNodeAttributes(node);
    if (event.original.shiftKey) { history.push(); toggleMulti(node); return; }
    if (typeof attrs.group === "string" && attrs.group === node && s.mode === "groups") { expandGroup(node); return; }
    history.push();
    s.multi.clear();
    s.link = null;
    select(node);
  }
  renderer.on("clickStage", () => { if (s.selected !== null || s.multi.size || s.link) { history.push(); s.selected = null; s.multi.clear(); s.link = null; renderer.refresh(); renderDetail(); } });
  renderer.on("clickEdge", ({ edge }) => {
    history.push();
    s.selected = null; s.multi.clear();
    selectLink(linkKey(...graph.extremities(edge)));
  });
  renderer.on("enterEdge", () => { canvasBox.style.cursor = "pointer"; });
  renderer.on("leaveEdge", () => { canvasBox.style.cursor = ""; });

  function toggleMulti(node) {
    if (s.multi.has(node)) s.multi.delete(node); else s.multi.add(node);
    if (s.selected !== null && !s.multi.has(String(s.selected))) s.multi.add(String(s.selected));
    s.selected = node;
    renderer.refresh();
    renderDetail();
  }

  function selection() { return new Set([...s.multi, ...(s.selected !== null ? [String(s.selected)] : [])]); }

  function hideSelected() {
    const chosen = selection();
    if (!chosen.size) return;
    history.push();
    for (const node of chosen) s.hidden.add(node);
    s.selected = null; s.multi.clear();
    renderer.refresh(); renderDetail(); updateToolbar();
  }
  function showHidden() { if (!s.hidden.size) return; history.push(); s.hidden.clear(); renderer.refresh(); updateToolbar(); }
  function togglePin() {
    const chosen = [...selection()].filter((n) => graph.hasNode(n));
    if (!chosen.length) return;
    history.push();
    const unpin = chosen.every((n) => s.pinned.has(n));
    for (const node of chosen) {
      if (unpin) s.pinned.delete(node);
      else s.pinned.set(node, { x: graph.getNodeAttribute(node, "x"), y: graph.getNodeAttribute(node, "y") });
    }
    applyLayout(); updateToolbar();
  }

  async function expandGroup(key) {
    history.push();
    s.expanded.add(key);
    s.selected = null;
    await reload({ keepCamera: true });
    // Frame the members just drawn, so that they can be told apart and clicked.
    fitCamera(graph.filterNodes((node, attrs) => attrs.group === key));
  }
  async function collapseGroup(key) {
    history.push();
    s.expanded.delete(key);
    s.selected = key;
    await reload({ keepCamera: true });
  }

  async function focusEntity(id) {
    history.push();
    if (s.mode === "explore" && !graph.hasNode(String(id))) {
      s.selected = id;
      await expand(id);
    } else if (s.mode === "groups" && !graph.hasNode(String(id))) {
      await reload({ reveal: String(id), keepCamera: true });
    }
    select(String(id));
    if (graph.hasNode(String(id))) {
      const display = renderer.getNodeDisplayData(String(id));
      if (display) renderer.getCamera().animate({ x: display.x, y: display.y, ratio: 0.3 }, { duration: 400 });
    }
  }

  async function expand(id) {
    const data = await getJSON(`/api/network/neighbours/${id}`, filters());
    addData(data);
    paint();
    stats.textContent = `${fmt(graph.order)} nodes · ${fmt(graph.size)} links`;
  }

  function select(id) {
    s.selected = id === null ? null : String(id);
    renderer.refresh();
    renderDetail();
  }
  function selectLink(key) {
    s.link = key;
    renderer.refresh();
    renderDetail();
  }

  function setPathEnd(which, id) {
    const label = graph.hasNode(String(id)) ? graph.getNodeAttribute(String(id), "label") : `#${id}`;
    if (which === "a") { s.pathA = Number(id); pathA.value = label; } else { s.pathB = Number(id); pathB.value = label; }
    pathError.textContent = "";
  }

  function renderFragments(list) {
    clear(fragments);
    if (!list.length) return;
    const entities = list.reduce((t, f) => t + f.length, 0);
    const details = el("details", { id: "fragments-panel" }, el("summary", {}, `${fmt(list.length)} small fragments aside (${fmt(entities)} entities)`),
      el("p", { class: "muted" }, "Lone pairs and small groups with no tie to the rest and no recorded cell: listed here, not drawn."),
      el("ul", { class: "fragments" }, list.slice(0, 200).map((f) => el("li", {}, f.map((e, i) => [i ? " — " : "", entityLink(e.id, e.label)]),
        el("span", { class: "muted" }, ` (${[...new Set(f.map((e) => e.kind))].join(", ")})`)))),
      list.length > 200 ? el("p", { class: "muted" }, `and ${fmt(list.length - 200)} more`) : null);
    fragments.append(el("h3", {}, "Kept aside"), details);
  }

  function renderDetail() {
    clear(detail);
    if (s.paths) detail.append(pathsView(s.paths));
    if (s.multi.size > 1) detail.append(el("div", { class: "panel", id: "multi-detail" }, el("h2", {}, `${fmt(s.multi.size)} nodes selected`),
      el("ul", {}, [...s.multi].filter((n) => graph.hasNode(n)).map((n) => el("li", {}, graph.getNodeAttribute(n, "label")))),
      el("p", { class: "muted" }, "H hides them, P pins them.")));
    const key = s.selected === null ? null : String(s.selected);
    if (s.link && key === null && linkEdge(s.link)) { detail.prepend(linkDetail(s.link)); return; }
    if (key === null || !graph.hasNode(key)) {
      if (!s.paths && s.multi.size < 2) detail.append(el("p", { class: "muted" }, s.mode === "groups" ? "Click a group to expand it into its members, a node or a link to see it here." : "Click a node or a link to see it here."));
      if (!s.paths && s.multi.size < 2) detail.append(notesList());
      return;
    }
    const a = graph.getNodeAttributes(key);
    if (typeof a.group === "string" && a.group === key) { detail.prepend(groupDetail(key, a)); return; }
    const id = Number(key);
    const cellKey = a.cell ? (graph.hasNode(String(a.cell)) ? String(a.cell) : `cell:${a.cell}`) : null;
    const cellLabel = cellKey && graph.hasNode(cellKey) ? graph.getNodeAttribute(cellKey, "label").replace(/ · [\d,]+$/, "") : a.cell;
    detail.prepend(el("div", { class: "panel", id: "node-detail" },
      el("h2", {}, a.label), el("div", {}, el("span", { class: "pill" }, a.kind), a.keyPlayer ? el("span", { class: "pill" }, "key player") : null,
        s.pinned.has(key) ? el("span", { class: "pill" }, "pinned") : null),
      el("table", { class: "kv" },
        el("tr", {}, el("th", {}, "recorded cell"), el("td", {}, a.cell ? entityLink(a.cell, cellLabel) : "—")),
        a.community !== null && a.community !== undefined ? el("tr", {}, el("th", {}, "community"), el("td", {}, a.community)) : null,
        el("tr", {}, el("th", {}, s.measure), el("td", {}, fmtMeasure(s.measure, a.measure))),
        el("tr", {}, el("th", {}, "links drawn"), el("td", {}, fmt(graph.degree(key))))),
      el("div", { class: "row" },
        el("a", { href: `#/entity/${id}` }, "Open entity page"),
        s.mode === "explore" ? el("button", { onclick: () => expand(id) }, "Expand neighbours") : null,
        el("button", { onclick: () => highlightNeighbours(key) }, "Highlight neighbours"),
        a.group && s.expanded.has(a.group) ? el("button", { onclick: () => collapseGroup(a.group) }, "Collapse its group") : null),
      el("div", { class: "row", style: "margin-top:6px" },
        el("button", { onclick: () => setPathEnd("a", id) }, "Path from here"),
        el("button", { onclick: () => setPathEnd("b", id) }, "Path to here")),
      noteBox(key),
      factsOf(id)));
  }

  function groupDetail(key, a) {
    const expanded = s.expanded.has(key);
    return el("div", { class: "panel", id: "node-detail" },
      el("h2", {}, a.label.replace(/ · [\d,]+$/, "")),
      el("div", {}, el("span", { class: "pill" }, a.kind === "community" ? "detected group" : a.kind)),
      el("table", { class: "kv" },
        el("tr", {}, el("th", {}, "members"), el("td", {}, fmt(a.members))),
        el("tr", {}, el("th", {}, "ties among members"), el("td", {}, fmt(a.tiesInside || 0))),
        el("tr", {}, el("th", {}, "groups it is tied to"), el("td", {}, fmt(graph.degree(key))))),
      a.kind === "community" ? el("p", { class: "muted" }, "Entities with no recorded cell, grouped by Leiden community detection on the link chart: an inference, not a recorded membership.") : null,
      el("div", { class: "row" }, expanded ? el("button", { onclick: () => collapseGroup(key) }, "Collapse") : el("button", { class: "primary", onclick: () => expandGroup(key) }, "Expand into members"),
        el("button", { onclick: () => highlightNeighbours(key) }, "Highlight its links")),
      noteBox(key));
  }

  // Notes on a node (keyed by its id) or a link (keyed "a|b"): part of the case, saved with it.
  function noteBox(key, what = "node") {
    const area = el("textarea", { id: `${what}-note`, rows: 2, maxlength: 2000, placeholder: `A note on this ${what} (saved with the case)` }, s.notes[key] || "");
    area.addEventListener("change", () => {
      const text = area.value.trim();
      if ((s.notes[key] || "") === text) return; // nothing new: no undo step
      history.push();
      if (text) s.notes[key] = text; else delete s.notes[key];
    });
    return el("div", { class: "note-box" }, area);
  }

  // A link: its two ends, what it stands for (ties between groups, or relationships with their
  // reports and grades), and its note.
  function linkEdge(key) {
    const [a, b] = key.split("|");
    return graph.hasNode(a) && graph.hasNode(b) && graph.hasEdge(a, b) ? graph.edge(a, b) : null;
  }
  function isGroup(node) { const g = graph.getNodeAttribute(node, "group"); return typeof g === "string" && g === node; }
  function shortLabel(node) { return graph.getNodeAttribute(node, "label").replace(/ · [\d,]+$/, ""); }
  function linkDetail(key) {
    const [a, b] = key.split("|");
    const attrs = graph.getEdgeAttributes(linkEdge(key));
    const between = isGroup(a) || isGroup(b);
    const evidence = el("div", { id: "link-evidence" });
    if (between) {
      evidence.append(el("p", { class: "muted" }, "Loading the ties behind it…"));
      getJSON("/api/network/ties", { a, b, level: s.level, limit: 20, ...filters() }).then((found) => {
        const more = found.total - found.ties.length;
        clear(evidence).append(el("div", {}, el("h3", {}, `Ties (${fmt(found.total)}), best grade first`),
          el("ul", {}, found.ties.map((t) => el("li", {}, entityLink(t.source.id, t.source.name), " — ", entityLink(t.target.id, t.target.name), ": ",
            tieSummary(t.relations)))),
          more > 0 ? el("p", { class: "muted" }, `${fmt(more)} more: expand the groups to see them all.`) : null));
      }).catch((error) => clear(evidence).append(errorBox(error, "The ties behind this link could not be loaded")));
    } else {
      evidence.append(el("p", { class: "muted" }, "Loading the reports behind it…"));
      getJSON("/api/paths", { source: a, target: b, limit: 1, how: "shortest", ...filters() }).then((found) => {
        const edge = found.paths.length && found.paths[0].edges.length === 1 ? found.paths[0].edges[0] : null;
        clear(evidence).append(edge ? el("ul", {}, edge.relations.map((r) => el("li", {}, `${r.kind}${r.role ? ` (${r.role})` : ""} `, reportLink(r.report),
          r.valid_from ? el("span", { class: "muted" }, ` ${r.valid_from}`) : null))) : el("p", { class: "muted" }, "No direct relationship under the current filters."));
      }).catch((error) => clear(evidence).append(errorBox(error, "The reports behind this link could not be loaded")));
    }
    return el("div", { class: "panel", id: "link-detail" },
      el("h2", {}, `${shortLabel(a)} — ${shortLabel(b)}`),
      el("div", {}, (attrs.kinds || []).map((k) => el("span", { class: "pill" }, k))),
      el("table", { class: "kv" },
        between ? el("tr", {}, el("th", {}, "ties between them"), el("td", {}, fmt(attrs.ties))) : null,
        el("tr", {}, el("th", {}, "relationships"), el("td", {}, fmt(attrs.relations)))),
      el("div", { class: "row" },
        el("button", { onclick: () => { history.push(); s.link = null; select(a); } }, `Select ${shortLabel(a)}`),
        el("button", { onclick: () => { history.push(); s.link = null; select(b); } }, `Select ${shortLabel(b)}`)),
      noteBox(key, "link"),
      evidence);
  }

  // A tie's statements in a line: each kind with its count, then its distinct reports (at most 3).
  function tieSummary(relations) {
    const kinds = new Map(), reports = new Map();
    for (const r of relations) {
      const kind = `${r.kind}${r.role ? ` (${r.role})` : ""}`;
      kinds.set(kind, (kinds.get(kind) || 0) + 1);
      if (r.report && !reports.has(r.report.report_id)) reports.set(r.report.report_id, r.report);
    }
    const shown = [...reports.values()].slice(0, 3);
    return [[...kinds].map(([k, n]) => (n > 1 ? `${k} ×${fmt(n)}` : k)).join(", "), " · ",
      shown.map((report, i) => [i ? ", " : "", reportLink(report)]),
      reports.size > shown.length ? el("span", { class: "muted" }, ` +${fmt(reports.size - shown.length)} reports`) : null];
  }

  // Every note of the working set, each a click away from its node or link.
  function notesList() {
    const entries = Object.entries(s.notes);
    if (!entries.length) return el("p", { class: "muted", id: "notes-list" }, "No notes yet: select a node or a link and write one.");
    const name = (n) => (graph.hasNode(n) ? shortLabel(n) : `#${n}`);
    return el("div", { class: "panel", id: "notes-list" }, el("h2", {}, `Notes (${fmt(entries.length)})`),
      el("ul", {}, entries.map(([key, text]) => {
        const ends = key.split("|");
        const go = () => { history.push(); if (ends.length === 2) { s.selected = null; selectLink(key); } else { s.link = null; select(key); } };
        return el("li", {}, el("a", { href: "#", onclick: (event) => { event.preventDefault(); go(); } },
          ends.length === 2 ? `${name(ends[0])} — ${name(ends[1])}` : name(key)), `: ${text}`);
      })));
  }

  // The selected entity's relationships, each with its grade and report (one click from the source).
  function factsOf(id) {
    const box = el("div", { id: "node-facts" }, el("p", { class: "muted" }, "Loading its relationships…"));
    getJSON(`/api/entities/${id}`).then((data) => {
      const shown = data.relations.slice(0, 12);
      clear(box).append(...[el("h3", {}, `Relationships (${fmt(data.relations.length)})`),
        el("ul", {}, shown.map((r) => {
          const other = r.source_id === id ? [r.target_id, r.target_name] : [r.source_id, r.source_name];
          return el("li", {}, `${r.kind}${r.role ? ` (${r.role})` : ""} `, entityLink(other[0], other[1]), " ", reportLink(r.report));
        })),
        data.relations.length > shown.length ? el("a", { href: `#/entity/${id}` }, `all ${fmt(data.relations.length)} on the entity page`) : null,
      ].filter(Boolean));
    }).catch((error) => clear(box).append(errorBox(error, "Its relationships could not be loaded")));
    return box;
  }

  // Frame the given nodes: centre the camera on their box, zoomed so that all of them show.
  function fitCamera(keys, closest = 0.05) {
    const points = keys.map((k) => renderer.getNodeDisplayData(k)).filter(Boolean);
    if (!points.length) return;
    const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
    const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    renderer.getCamera().animate({ x: (Math.max(...xs) + Math.min(...xs)) / 2, y: (Math.max(...ys) + Math.min(...ys)) / 2,
      ratio: Math.min(1, Math.max(closest, span * 1.4)) }, { duration: 300 });
  }

  function highlightNeighbours(key) {
    history.push();
    const nodes = new Set([key, ...graph.neighbors(key)]);
    s.highlight = { nodes, edges: new Set(graph.edges(key)) };
    renderer.refresh();
    fitCamera([...nodes]);
  }

  async function showPaths() {
    if (s.pathA === null || s.pathB === null) {
      pathError.textContent = "Pick both ends first: search an entity or click a node, then “Path from here” and “Path to here”.";
      return;
    }
    pathError.textContent = "";
    try {
      const result = await getJSON("/api/paths", { source: s.pathA, target: s.pathB, limit: 5, how: pathHow.value, ...filters() });
      s.paths = result;
      if (s.mode === "groups") {
        const ids = [...new Set(result.paths.flatMap((p) => p.nodes.map((n) => n.id)))].filter((id) => !graph.hasNode(String(id)));
        if (ids.length) await reload({ reveal: ids.join(","), keepCamera: true });
      }
      const nodes = new Set();
      const edges = new Set();
      for (const path of result.paths) {
        path.nodes.forEach((n) => nodes.add(String(n.id)));
        for (const edge of path.edges) {
          const a = String(edge.source), b = String(edge.target);
          if (s.mode === "explore") {
            for (const n of path.nodes) if (!graph.hasNode(String(n.id))) await expand(n.id);
          }
          if (graph.hasEdge(a, b)) edges.add(graph.edge(a, b));
        }
      }
      s.highlight = nodes.size ? { nodes, edges } : null;
      renderer.refresh();
      fitCamera([...nodes]);
      renderDetail();
    } catch (error) {
      pathError.textContent = `The paths could not be found: ${error.message}`;
    }
  }

  function pathsView(result) {
    const box = el("div", { class: "panel", id: "paths-result" },
      el("h2", {}, `Paths: ${result.source.name} → ${result.target.name}`));
    if (!result.paths.length) {
      box.append(el("p", {}, "No path between them under the current filters."));
      return box;
    }
    const lengths = [...new Set(result.paths.map((p) => p.edges.length))].join(", ");
    box.append(el("p", { class: "muted" }, pathHow.value === "k"
      ? `the ${result.paths.length} shortest simple path(s), of length ${lengths}`
      : `${result.paths.length} shortest path(s) of length ${result.length}`));
    result.paths.forEach((path, i) => {
      const div = el("div", { class: "path" }, el("strong", {}, `Path ${i + 1}: `), path.nodes.map((n, k) => [k ? " → " : "", entityLink(n.id, n.name)]));
      path.edges.forEach((edge) => {
        const from = path.nodes.find((n) => n.id === edge.source), to = path.nodes.find((n) => n.id === edge.target);
        div.append(el("div", { class: "path-edge" }, el("em", {}, `${from ? from.name : edge.source} — ${to ? to.name : edge.target}`),
          el("ul", {}, edge.relations.map((r) => el("li", {}, `${r.kind}${r.role ? ` (${r.role})` : ""} `, reportLink(r.report),
            r.valid_from ? el("span", { class: "muted" }, ` ${r.valid_from}`) : null)))));
      });
      box.append(div);
    });
    return box;
  }

  // --- undo/redo snapshots and cases ----------------------------------------------------------
  function snapshot() {
    return { expanded: [...s.expanded], hidden: [...s.hidden], pinned: [...s.pinned], selected: s.selected, multi: [...s.multi],
      layout: s.layout, notes: { ...s.notes }, link: s.link, highlight: s.highlight ? { nodes: [...s.highlight.nodes], edges: [...s.highlight.edges] } : null };
  }
  async function restore(state) {
    const regroup = state.expanded.join() !== [...s.expanded].join();
    s.expanded = new Set(state.expanded); s.hidden = new Set(state.hidden); s.pinned = new Map(state.pinned);
    s.selected = state.selected; s.multi = new Set(state.multi); s.layout = state.layout; s.notes = { ...state.notes }; s.link = state.link;
    s.highlight = state.highlight ? { nodes: new Set(state.highlight.nodes), edges: new Set(state.highlight.edges) } : null;
    layoutSelect.value = s.layout;
    if (regroup) await reload({ keepCamera: true }); else { applyLayout(); renderDetail(); }
    updateToolbar();
  }
  function caseTitle() { return cases.current() ? cases.current().name : "cellmap network"; }
  function captureCase() {
    return { filters: { ...filters(), mode: s.mode, level: s.level, colour: s.colour, measure: s.measure },
      expanded: [...s.expanded], hidden: [...s.hidden], pinned: Object.fromEntries(s.pinned), selected: s.selected,
      multi: [...s.multi], layout: s.layout, notes: s.notes, link: s.link };
  }
  async function applyCase(c) {
    history.push();
    const f = c.filters || {};
    s.mode = f.mode || "groups"; s.level = f.level || "cell"; s.colour = f.colour || "sector"; s.measure = f.measure || "degree";
    modeSelect.value = s.mode; levelSelect.value = s.level; colourSelect.value = s.colour; gradeSelect.value = f.min_grade || "";
    const kinds = new Set((f.kinds || "").split(",").filter(Boolean));
    kindBoxes.forEach((l) => { const box = l.querySelector("input"); box.checked = !kinds.size || kinds.has(box.value); });
    time.set(f.start || "", f.end || "", { silent: true });
    s.expanded = new Set(c.expanded || []); s.hidden = new Set(c.hidden || []); s.pinned = new Map(Object.entries(c.pinned || {}));
    s.multi = new Set(c.multi || []); s.layout = c.layout || "force"; layoutSelect.value = s.layout; s.notes = c.notes || {};
    s.link = c.link || null;
    await reload();
    select(c.selected ?? null);
    if (s.link && linkEdge(s.link)) fitCamera(s.link.split("|"), 0.25);
  }

  // --- keyboard shortcuts --------------------------------------------------------------------
  function onKey(event) {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName);
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !typing) { event.preventDefault(); if (event.shiftKey) history.redo(); else history.undo(); return; }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "y" && !typing) { event.preventDefault(); history.redo(); return; }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/") { event.preventDefault(); searchBox.focus(); }
    else if (event.key === "h") hideSelected();
    else if (event.key === "H") showHidden();
    else if (event.key === "p") togglePin();
    else if (event.key === "f") renderer.getCamera().animatedReset();
    else if (event.key === "e" && s.selected && graph.hasNode(String(s.selected)) && graph.getNodeAttribute(String(s.selected), "group") === String(s.selected)) expandGroup(String(s.selected));
    else if (event.key === "c" && s.selected && graph.hasNode(String(s.selected))) { const g = graph.getNodeAttribute(String(s.selected), "group"); if (g && s.expanded.has(g)) collapseGroup(g); }
    else if (event.key === "1" || event.key === "2" || event.key === "3") { history.push(); s.layout = LAYOUTS[Number(event.key) - 1][0]; layoutSelect.value = s.layout; applyLayout(); }
    else if (event.key === "?") showKeys();
  }
  function showKeys() {
    const keys = [["/", "search"], ["click", "select (a group: expand); on a link: its reports and note"], ["Shift+click", "add to the selection"], ["drag", "move and pin"],
      ["h / H", "hide the selection / show hidden"], ["p", "pin or unpin the selection"], ["e / c", "expand the selected group / collapse the selected member's group"],
      ["1 2 3", "force / hierarchical / circular layout"], ["f", "fit the drawing"], ["Ctrl+Z / Ctrl+Y", "undo / redo"], ["Esc", "close a dialog"]];
    clear(detail).append(el("div", { class: "panel", id: "keys-help" }, el("h2", {}, "Keyboard shortcuts"),
      el("table", { class: "kv" }, keys.map(([k, v]) => el("tr", {}, el("th", {}, el("kbd", {}, k)), el("td", {}, v))))));
  }
  document.addEventListener("keydown", onKey);

  // A person named in the URL (from an entity page) preselects path ends.
  if (params.get("from")) setPathEnd("a", Number(params.get("from")));
  await reload();
  await cases.openFromAddress(params.get("case"));
  if (params.get("focus")) focusEntity(Number(params.get("focus")));

  return { destroy: () => { document.removeEventListener("keydown", onKey); cases.destroy(); cancelAnimationFrame(relabel); time.destroy(); renderer.kill(); if (window.cellmapNetwork === exposed) delete window.cellmapNetwork; } };
}

// Twenty distinct colours (Tableau 20 order, dark then light), for cells and communities: no
// colour repeats; keys past twenty show as "other".
const WIDE_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
  "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2", "#d7b5a6", "#79706e"];

// A link's key in the case's notes and selection: its two node keys, sorted, joined by "|".
function linkKey(a, b) {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function mute(hex) {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c) => Math.round(c + (255 - c) * 0.55);
  return `#${[(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => mix(c).toString(16).padStart(2, "0")).join("")}`;
}
