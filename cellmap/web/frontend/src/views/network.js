// Network: the link chart on a WebGL canvas (sigma.js + graphology). Search, expand neighbours,
// filter by relation kind / time window / minimum grade, colour by recorded cell, detected community
// or kind, size by a measure, highlight key players, and paths between two entities with the
// reports behind every edge.
import Graph from "graphology";
import Sigma from "sigma";
import { getJSON } from "../api.js";
import { KIND_COLOURS, clear, colourOf, debounce, el, entityLink, errorBox, reportLink } from "../ui.js";

const GRADES = ["", "A1", "A2", "B2", "B3", "C3", "C4", "D4", "E5", "F6"];
const EDGE_COLOURS = { membership: "#feb2b2", communication: "#90cdf4", meeting: "#9ae6b4", kinship: "#fbd38d",
  command: "#d6bcfa", payment: "#f6e05e", use: "#cbd5e0", part_of: "#fc8181", association: "#b2f5ea",
  ct_action: "#f56565", participation: "#fbb6ce", attribution: "#fbb6ce", campaign_call: "#81e6d9" };

export default async function network(container, { params, status }) {
  const s = {
    mode: params.get("mode") || "whole", kinds: new Set((params.get("kinds") || "").split(",").filter(Boolean)),
    start: params.get("start") || "", end: params.get("end") || "", minGrade: params.get("min_grade") || "",
    colour: params.get("colour") || "cell", measure: params.get("measure") || "degree", keyPlayers: true,
    selected: null, pathA: null, pathB: null, highlight: null, data: null, paths: null,
  };
  const relationKinds = status ? status.relation_kinds : Object.keys(EDGE_COLOURS);

  const sidebar = el("aside", { class: "sidebar" });
  const stage = el("div", { class: "stage" }, el("div", { id: "sigma" }));
  const detail = el("aside", { class: "detail", id: "network-detail" }, el("p", { class: "muted" }, "Click a node to see it here."));
  const stats = el("div", { class: "stats", id: "network-stats" }, "Loading…");
  const legend = el("div", { class: "legend", id: "network-legend" });
  stage.append(stats, legend);
  container.append(sidebar, stage, detail);

  const graph = new Graph({ type: "undirected", multi: false });
  const renderer = new Sigma(graph, stage.querySelector("#sigma"), {
    renderEdgeLabels: false, labelRenderedSizeThreshold: 9, labelDensity: 0.5, zIndex: true,
    // Stay fluid on thousands of nodes: skip edges and labels while the camera moves.
    hideEdgesOnMove: true, hideLabelsOnMove: true,
    defaultEdgeColor: "#cbd5e0", minCameraRatio: 0.02, maxCameraRatio: 4,
    nodeReducer: (node, attrs) => reduceNode(node, attrs), edgeReducer: (edge, attrs) => reduceEdge(edge, attrs),
  });
  window.cellmapNetwork = { graph, renderer, state: s };

  function reduceNode(node, attrs) {
    const out = { ...attrs };
    if (s.highlight && !s.highlight.nodes.has(node)) { out.color = "#edf2f7"; out.label = ""; out.zIndex = 0; out.size = Math.min(attrs.size, 3); }
    else if (s.highlight) { out.zIndex = 2; out.forceLabel = true; }
    if (s.keyPlayers && attrs.keyPlayer) { out.forceLabel = true; out.size = attrs.size * 1.4; out.highlighted = true; }
    if (node === s.selected) { out.highlighted = true; out.forceLabel = true; }
    return out;
  }
  function reduceEdge(edge, attrs) {
    const out = { ...attrs };
    if (s.highlight) {
      if (s.highlight.edges.has(edge)) { out.color = "#d69e2e"; out.size = 3; out.zIndex = 2; }
      else out.hidden = true;
    }
    return out;
  }

  // --- controls -----------------------------------------------------------------------------
  const reloadSoon = debounce(() => reload(), 300);
  const searchBox = el("input", { type: "text", id: "network-search", placeholder: "Search an entity…", autocomplete: "off" });
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
  const startInput = el("input", { type: "date", id: "network-start", value: s.start, onchange: reloadSoon });
  const endInput = el("input", { type: "date", id: "network-end", value: s.end, onchange: reloadSoon });
  const gradeSelect = el("select", { id: "network-grade", onchange: reloadSoon },
    GRADES.map((g) => el("option", { value: g, selected: g === s.minGrade }, g ? `at least ${g}` : "any grade")));
  const colourSelect = el("select", { id: "network-colour", onchange: () => { s.colour = colourSelect.value; rememberInAddress(); paint(); } },
    [["cell", "recorded cell"], ["community", "detected community"], ["kind", "entity kind"]].map(([v, l]) => el("option", { value: v, selected: v === s.colour }, l)));
  const measureSelect = el("select", { id: "network-measure", onchange: () => { s.measure = measureSelect.value; reload(); } });
  const keyBox = el("input", { type: "checkbox", checked: s.keyPlayers, onchange: () => { s.keyPlayers = keyBox.checked; renderer.refresh(); } });
  const modeSelect = el("select", { id: "network-mode", onchange: () => { s.mode = modeSelect.value; reload(); } },
    [["whole", "whole network"], ["explore", "explore from a search"]].map(([v, l]) => el("option", { value: v, selected: v === s.mode }, l)));
  const pathA = el("input", { type: "text", id: "path-a", placeholder: "from (search or pick a node)", readonly: true });
  const pathB = el("input", { type: "text", id: "path-b", placeholder: "to (search or pick a node)", readonly: true });
  const pathHow = el("select", { id: "path-how" }, [["shortest", "every shortest path"], ["k", "5 shortest simple paths"]]
    .map(([v, l]) => el("option", { value: v }, l)));
  const pathButton = el("button", { class: "primary", id: "path-button", onclick: () => showPaths() }, "Show paths");
  const clearButton = el("button", { onclick: () => { s.highlight = null; s.paths = null; renderer.refresh(); renderDetail(); } }, "Clear highlight");

  sidebar.append(
    el("h3", {}, "Find"), searchBox, hits,
    el("h3", {}, "Show"), modeSelect,
    el("h3", {}, "Relationship kinds"), ...kindBoxes,
    el("h3", {}, "Time window"), el("label", {}, "from ", startInput), el("label", {}, "to ", endInput),
    el("h3", {}, "Minimum grade"), gradeSelect,
    el("h3", {}, "Colour by"), colourSelect,
    el("h3", {}, "Size by"), measureSelect,
    el("label", {}, keyBox, " highlight key players"),
    el("h3", {}, "Paths between two entities"), pathA, pathB, pathHow, el("div", { class: "row" }, pathButton, clearButton),
  );

  function filters() {
    const checked = kindBoxes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    return {
      kinds: checked.length === relationKinds.length ? "" : checked.join(","),
      start: startInput.value, end: endInput.value, min_grade: gradeSelect.value,
    };
  }

  // --- loading ------------------------------------------------------------------------------
  // The address keeps the filters, so a view can be bookmarked or sent to a colleague.
  function rememberInAddress() {
    const query = new URLSearchParams(Object.entries({ mode: s.mode, ...filters(), colour: s.colour, measure: s.measure })
      .filter(([, v]) => v));
    history.replaceState(null, "", `#/network?${query}`);
  }

  let loadToken = 0;
  async function reload() {
    const token = ++loadToken;
    rememberInAddress();
    stats.textContent = "Loading…";
    const started = performance.now();
    try {
      let data;
      if (s.mode === "explore") {
        data = s.selected ? await getJSON(`/api/network/neighbours/${s.selected}`, filters()) : { nodes: [], edges: [], measures: ["degree"], key_players: [] };
      } else {
        data = await getJSON("/api/network", { ...filters(), measure: s.measure });
      }
      if (token !== loadToken) return;
      s.data = data;
      fillMeasures(data.measures);
      graph.clear();
      addData(data);
      paint();
      renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
      const ms = Math.round(performance.now() - started);
      stats.textContent = `${graph.order} nodes · ${graph.size} edges${data.truncated ? " (largest only)" : ""} · loaded in ${ms} ms`;
      document.body.dataset.networkNodes = String(graph.order);
      document.body.dataset.networkLoadMs = String(ms);
      renderDetail();
    } catch (error) {
      stats.textContent = "";
      clear(detail).append(errorBox(error));
    }
  }

  function addData(data) {
    const max = Math.max(1e-9, ...data.nodes.map((n) => n.measure));
    for (const n of data.nodes) {
      if (graph.hasNode(String(n.id))) continue;
      graph.addNode(String(n.id), {
        x: n.x, y: n.y, label: n.label, kind: n.kind, cell: n.cell, community: n.community, keyPlayer: n.key_player,
        measure: n.measure, size: 2.5 + 11 * Math.sqrt(Math.max(0, n.measure) / max), color: "#999",
      });
    }
    for (const e of data.edges) {
      const a = String(e.source), b = String(e.target);
      if (!graph.hasNode(a) || !graph.hasNode(b) || graph.hasEdge(a, b)) continue;
      graph.addEdge(a, b, { kinds: e.kinds, relations: e.relations, size: Math.min(3, 0.6 + 0.3 * e.relations), color: EDGE_COLOURS[e.kinds[0]] || "#cbd5e0" });
    }
  }

  function fillMeasures(measures) {
    if (measureSelect.options.length === measures.length) return;
    clear(measureSelect).append(...measures.map((m) => el("option", { value: m, selected: m === s.measure }, m)));
  }

  function paint() {
    const names = new Map();
    graph.forEachNode((node, attrs) => {
      let key;
      if (s.colour === "kind") key = attrs.kind;
      else if (s.colour === "community") key = attrs.community;
      else key = attrs.cell;
      const colour = s.colour === "kind" ? (KIND_COLOURS[attrs.kind] || "#999") : colourOf(key);
      graph.setNodeAttribute(node, "color", colour);
      if (key !== null && key !== undefined && !names.has(key)) names.set(key, colour);
    });
    clear(legend).append(el("strong", {}, { cell: "recorded cell", community: "community", kind: "kind" }[s.colour]));
    const cellName = (id) => (graph.hasNode(String(id)) ? graph.getNodeAttribute(String(id), "label") : `#${id}`);
    [...names.entries()].slice(0, 24).forEach(([key, colour]) => legend.append(el("div", {},
      el("span", { class: "swatch", style: `background:${colour}` }), s.colour === "cell" ? cellName(key) : String(key))));
    legend.append(el("div", {}, el("span", { class: "swatch", style: "background:#b0b0b0" }), "none recorded"));
    renderer.refresh();
  }

  // --- interaction --------------------------------------------------------------------------
  renderer.on("clickNode", ({ node }) => select(Number(node)));
  renderer.on("clickStage", () => { s.selected = null; renderer.refresh(); renderDetail(); });

  async function focusEntity(id) {
    if (s.mode === "explore" && !graph.hasNode(String(id))) {
      s.selected = id;
      await expand(id);
    }
    select(id);
    if (graph.hasNode(String(id))) {
      const display = renderer.getNodeDisplayData(String(id));
      if (display) renderer.getCamera().animate({ x: display.x, y: display.y, ratio: 0.3 }, { duration: 400 });
    }
  }

  async function expand(id) {
    const data = await getJSON(`/api/network/neighbours/${id}`, filters());
    addData(data);
    paint();
    stats.textContent = `${graph.order} nodes · ${graph.size} edges`;
  }

  function select(id) {
    s.selected = id;
    renderer.refresh();
    renderDetail();
  }

  function setPathEnd(which, id) {
    const label = graph.hasNode(String(id)) ? graph.getNodeAttribute(String(id), "label") : `#${id}`;
    if (which === "a") { s.pathA = id; pathA.value = label; } else { s.pathB = id; pathB.value = label; }
  }

  function renderDetail() {
    clear(detail);
    if (s.paths) detail.append(pathsView(s.paths));
    if (s.selected === null || !graph.hasNode(String(s.selected))) {
      if (!s.paths) detail.append(el("p", { class: "muted" }, "Click a node to see it here."));
      return;
    }
    const a = graph.getNodeAttributes(String(s.selected));
    const cellLabel = a.cell && graph.hasNode(String(a.cell)) ? graph.getNodeAttribute(String(a.cell), "label") : a.cell;
    detail.prepend(el("div", { class: "panel", id: "node-detail" },
      el("h2", {}, a.label), el("div", {}, el("span", { class: "pill" }, a.kind), a.keyPlayer ? el("span", { class: "pill" }, "key player") : null),
      el("table", { class: "kv" },
        el("tr", {}, el("th", {}, "recorded cell"), el("td", {}, cellLabel ? entityLink(a.cell, cellLabel) : "—")),
        el("tr", {}, el("th", {}, "community"), el("td", {}, a.community ?? "—")),
        el("tr", {}, el("th", {}, s.measure), el("td", {}, Number(a.measure).toPrecision(4))),
        el("tr", {}, el("th", {}, "neighbours shown"), el("td", {}, graph.degree(String(s.selected))))),
      el("div", { class: "row" },
        el("a", { href: `#/entity/${s.selected}` }, "Open entity page"),
        // The whole network already shows every neighbour: there, highlight them; in explore mode, add them.
        s.mode === "explore" ? el("button", { onclick: () => expand(s.selected) }, "Expand neighbours") : null,
        el("button", { onclick: () => highlightNeighbours(s.selected) }, "Highlight neighbours")),
      el("div", { class: "row", style: "margin-top:6px" },
        el("button", { onclick: () => setPathEnd("a", s.selected) }, "Path from here"),
        el("button", { onclick: () => setPathEnd("b", s.selected) }, "Path to here")),
      factsOf(s.selected)));
  }

  // The selected entity's relationships, each with its grade and report (one click from the source).
  function factsOf(id) {
    const box = el("div", { id: "node-facts" }, el("p", { class: "muted" }, "Loading its relationships…"));
    getJSON(`/api/entities/${id}`).then((data) => {
      const shown = data.relations.slice(0, 12);
      clear(box).append(...[el("h3", {}, `Relationships (${data.relations.length})`),
        el("ul", {}, shown.map((r) => {
          const other = r.source_id === id ? [r.target_id, r.target_name] : [r.source_id, r.source_name];
          return el("li", {}, `${r.kind}${r.role ? ` (${r.role})` : ""} `, entityLink(other[0], other[1]), " ", reportLink(r.report));
        })),
        data.relations.length > shown.length ? el("a", { href: `#/entity/${id}` }, `all ${data.relations.length} on the entity page`) : null,
      ].filter(Boolean));
    }).catch((error) => clear(box).append(errorBox(error)));
    return box;
  }

  // Frame the given nodes: centre the camera on their box, zoomed so that all of them show.
  function fitCamera(keys) {
    const points = keys.map((k) => renderer.getNodeDisplayData(k)).filter(Boolean);
    if (!points.length) return;
    const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
    const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    renderer.getCamera().animate({ x: (Math.max(...xs) + Math.min(...xs)) / 2, y: (Math.max(...ys) + Math.min(...ys)) / 2,
      ratio: Math.min(1, Math.max(0.05, span * 1.4)) }, { duration: 300 });
  }

  function highlightNeighbours(id) {
    const key = String(id);
    const nodes = new Set([key, ...graph.neighbors(key)]);
    s.highlight = { nodes, edges: new Set(graph.edges(key)) };
    renderer.refresh();
    fitCamera([...nodes]);
  }

  async function showPaths() {
    if (s.pathA === null || s.pathB === null) {
      clear(detail).append(errorBox("Pick both ends: search an entity or click a node, then “Path from here” / “Path to here”."));
      return;
    }
    try {
      const result = await getJSON("/api/paths", { source: s.pathA, target: s.pathB, limit: 5, how: pathHow.value, ...filters() });
      s.paths = result;
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
      clear(detail).append(errorBox(error));
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

  // A person named in the URL (from an entity page) preselects path ends.
  if (params.get("from")) setPathEnd("a", Number(params.get("from")));
  await reload();
  if (params.get("focus")) focusEntity(Number(params.get("focus")));

  return { destroy: () => { renderer.kill(); delete window.cellmapNetwork; } };
}
