// Map: Syria's borders (world-atlas, bundled) and places (gazetteer), incidents as points and as H3
// hexagons with a time slider, cell sites, the Palmyra–Deir ez-Zor–Abu Kamal triangle, hotspots.
// MapLibre GL draws GeoJSON only: no tile server, no glyphs, nothing fetched from another host.
import maplibregl from "maplibre-gl";
import { getJSON } from "../api.js";
import { caseBar } from "../cases.js";
import { timeFilter } from "../timefilter.js";
import { clear, colourOf, debounce, el, fmt, showReport } from "../ui.js";

const TYPE_COLOURS = { attack: "#c53030", jail_attack: "#742a2a", ied: "#dd6b20", assassination: "#6b46c1",
  kidnapping: "#d53f8c", theft: "#718096", threat: "#ecc94b", extortion: "#2f855a", other: "#4a5568" };
const DAY = 86400000;

export default async function mapView(container, { params } = {}) {
  const stage = el("div", { class: "stage" }, el("div", { id: "map" }));
  // The legend and the shared time window sit beside the map, never over it or its popups.
  const side = el("aside", { class: "map-side", id: "map-side" });
  const time = timeFilter({ id: "map-time" });
  const info = el("span", { id: "map-info" }, "Loading…");
  const slider = el("input", { type: "range", id: "map-slider", min: 0, max: 0, value: 0 });
  const span = el("select", { id: "map-span" }, [["0", "all dates"], ["30", "1 month"], ["91", "3 months"], ["365", "1 year"]]
    .map(([v, l]) => el("option", { value: v }, l)));
  const label = el("strong", { id: "map-window" }, "");
  const showHex = el("input", { type: "checkbox", checked: true, id: "map-hex" });
  const showPoints = el("input", { type: "checkbox", checked: true, id: "map-points" });
  stage.append(el("div", { class: "map-controls" }, el("label", {}, "window ", span), slider, label,
    el("label", {}, showPoints, " points"), el("label", {}, showHex, " H3 hexagons"), info));
  container.append(side, stage);

  const [data, borders] = await Promise.all([getJSON("/api/map"), getJSON("/api/map/borders")]);
  const map = new maplibregl.Map({
    container: stage.querySelector("#map"),
    style: { version: 8, sources: {}, layers: [{ id: "sea", type: "background", paint: { "background-color": "#dbe7f0" } }] },
    center: [38.6, 35.0], zoom: 5.6, attributionControl: false, fadeDuration: 0,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.AttributionControl({ customAttribution: "Borders: Natural Earth (world-atlas) · Places: GeoNames" }));
  window.cellmapMap = map;

  const times = data.incidents.map((i) => (i.date ? Date.parse(i.date) : null));
  const first = Math.min(...times.filter((t) => t !== null)), last = Math.max(...times.filter((t) => t !== null));
  const days = Number.isFinite(first) ? Math.round((last - first) / DAY) : 0;
  slider.max = String(days);
  slider.value = String(days);

  const incidents = { type: "FeatureCollection", features: data.incidents.map((i, k) => ({
    type: "Feature", id: i.id, geometry: { type: "Point", coordinates: [i.lon, i.lat] },
    properties: { ...i, t: times[k] === null ? 0 : Math.round((times[k] - first) / DAY) } })) };
  const sites = { type: "FeatureCollection", features: data.sites.map((s) => ({ type: "Feature", geometry: { type: "Point", coordinates: [s.lon, s.lat] },
    properties: { id: s.id, name: s.name, site_kind: s.site_kind, cell: s.cell, colour: colourOf(s.cell), report_id: s.report ? s.report.report_id : null } })) };
  const triangleCoords = data.triangle.map((p) => [p.lon, p.lat]);
  // The triangle as the incident analyses define it (cellmap.incidents), else through the three towns.
  const triangle = data.areas && data.areas.features.length ? data.areas : { type: "FeatureCollection", features: triangleCoords.length === 3
    ? [{ type: "Feature", geometry: { type: "Polygon", coordinates: [[...triangleCoords, triangleCoords[0]]] }, properties: {} }] : [] };

  await new Promise((resolve) => (map.loaded() ? resolve() : map.on("load", resolve)));
  map.addSource("borders", { type: "geojson", data: borders });
  map.addLayer({ id: "land", type: "fill", source: "borders", paint: { "fill-color": ["case", ["get", "syria"], "#fdfcf7", "#eeeae0"] } });
  map.addLayer({ id: "border-lines", type: "line", source: "borders", paint: { "line-color": ["case", ["get", "syria"], "#4a5568", "#a0aec0"], "line-width": ["case", ["get", "syria"], 1.6, 0.8] } });
  map.addSource("triangle", { type: "geojson", data: triangle });
  map.addLayer({ id: "triangle-fill", type: "fill", source: "triangle", paint: { "fill-color": "#fc8181", "fill-opacity": 0.08 } });
  map.addLayer({ id: "triangle-line", type: "line", source: "triangle", paint: { "line-color": "#c53030", "line-width": 2, "line-dasharray": [3, 2] } });
  map.addSource("hexagons", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({ id: "hexagons", type: "fill", source: "hexagons", paint: {
    "fill-color": ["interpolate", ["linear"], ["get", "share"], 0, "#fefcbf", 0.5, "#f6ad55", 1, "#9b2c2c"], "fill-opacity": 0.55 } });
  map.addLayer({ id: "hotspots", type: "line", source: "hexagons", filter: ["==", ["get", "hotspot"], true], paint: { "line-color": "#1a202c", "line-width": 2 } });
  map.addSource("incidents", { type: "geojson", data: incidents });
  map.addLayer({ id: "incidents", type: "circle", source: "incidents", paint: {
    "circle-radius": ["interpolate", ["linear"], ["zoom"], 5, 2.5, 10, 6],
    "circle-color": ["match", ["get", "type"], ...Object.entries(TYPE_COLOURS).flat(), "#4a5568"],
    "circle-stroke-color": "#fff", "circle-stroke-width": 0.5, "circle-opacity": 0.85 } });
  map.addSource("sites", { type: "geojson", data: sites });
  map.addLayer({ id: "sites", type: "circle", source: "sites", paint: { "circle-radius": 5, "circle-color": ["get", "colour"], "circle-stroke-color": "#000", "circle-stroke-width": 1.5 } });

  // Place names as DOM markers (symbol layers would need glyphs from a server).
  const triangleSpots = data.triangle.map((p) => [p.lon, p.lat]);
  const nearTriangle = (p) => triangleSpots.some(([lon, lat]) => Math.abs(lon - p.lon) < 0.15 && Math.abs(lat - p.lat) < 0.15);
  data.places.filter((p) => !nearTriangle(p)).slice(0, 30).forEach((p) => new maplibregl.Marker({ element: el("div", { class: "place-label" }, `· ${p.name}`), anchor: "left" }).setLngLat([p.lon, p.lat]).addTo(map));
  data.triangle.forEach((p) => new maplibregl.Marker({ element: el("div", { class: "place-label triangle" }, `▲ ${p.name}`), anchor: "left", offset: [4, -10] }).setLngLat([p.lon, p.lat]).addTo(map));

  const hexScale = el("div", { id: "hex-scale" });
  const legend = el("div", { class: "map-legend", id: "map-legend" }, el("h3", {}, "Incident type"),
    ...Object.entries(TYPE_COLOURS).map(([t, c]) => el("div", {}, el("span", { class: "swatch", style: `background:${c}` }), t.replace("_", " "))),
    el("div", {}, el("span", { class: "swatch", style: "background:#fff;border:2px solid #000" }), "cell site (colour: its cell)"),
    el("div", {}, el("span", { class: "dash-red" }), "Palmyra–Deir ez-Zor–Abu Kamal triangle"),
    el("h3", {}, "Incidents per hexagon"), hexScale,
    el("div", {}, el("span", { class: "hot-outline" }), "hot spot (Getis–Ord Gi* z ≥ 1.96)"),
    el("div", { id: "hex-source", class: "muted" }, ""));
  side.append(el("h3", {}, "Time"), time.element, legend);

  map.on("click", "incidents", (event) => {
    const p = event.features[0].properties;
    new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(el("div", {},
      el("a", { href: `#/entity/${p.id}` }, el("strong", {}, `${p.type} (${p.outcome})`)), el("div", {}, `${p.date} · ${p.location || ""}`),
      el("div", {}, `fatalities: ${p.fatalities ?? "?"}`),
      p.attributed_to ? el("div", {}, "attributed to ", el("a", { href: `#/entity/${p.attributed_to}` }, `#${p.attributed_to}`)) : null,
      el("a", { href: "#", onclick: (e) => { e.preventDefault(); showReport(p.report_id); } }, `report (grade ${p.grade})`))).addTo(map);
  });
  map.on("click", "hexagons", (event) => {
    if (map.queryRenderedFeatures(event.point, { layers: ["incidents", "sites"] }).length) return;
    const p = event.features[0].properties;
    new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(el("div", {},
      el("strong", {}, `${fmt(p.count)} incident(s) in this hexagon`), el("div", {}, `in ${label.textContent}`),
      p.hotspot ? el("div", {}, `hot spot: Getis–Ord Gi* = ${Number(p.gi_star).toFixed(2)}`) : null)).addTo(map);
  });
  map.on("click", "sites", (event) => {
    const p = event.features[0].properties;
    new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(el("div", {}, el("a", { href: `#/entity/${p.id}` }, p.name),
      el("div", {}, p.site_kind || "site"), p.cell ? el("a", { href: `#/entity/${p.cell}` }, "its cell") : null)).addTo(map);
  });
  for (const layer of ["incidents", "sites"]) {
    map.on("mouseenter", layer, () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", layer, () => { map.getCanvas().style.cursor = ""; });
  }

  // The window: the shared one (set here or in another view) when set, else the local span/slider.
  const dayOf = (date) => Math.round((Date.parse(date) - first) / DAY);
  function windowDays() {
    const shared = time.get();
    if (shared.start || shared.end) return [shared.start ? Math.max(0, dayOf(shared.start)) : 0, shared.end ? Math.min(days, dayOf(shared.end)) : days];
    const end = Number(slider.value), width = Number(span.value);
    return width ? [Math.max(0, end - width), end] : [0, days];
  }
  const iso = (d) => new Date(first + d * DAY).toISOString().slice(0, 10);
  // Moving the local slider moves the shared window (network and timeline follow).
  function shareLocal() {
    const end = Number(slider.value), width = Number(span.value);
    if (width) time.set(iso(Math.max(0, end - width)), iso(end)); else time.set("", "");
  }
  time.onChange(() => applyWindow());

  function applyWindow() {
    const [a, b] = windowDays();
    const shared = time.get();
    slider.disabled = Number(span.value) === 0 && !(shared.start || shared.end);
    map.setFilter("incidents", ["all", [">=", ["get", "t"], a], ["<=", ["get", "t"], b]]);
    const shown = incidents.features.filter((f) => f.properties.t >= a && f.properties.t <= b).length;
    label.textContent = Number.isFinite(first) ? `${iso(a)} – ${iso(b)}` : "no dated incident";
    info.textContent = `${fmt(shown)} of ${fmt(incidents.features.length)} incidents · ${fmt(data.sites.length)} sites`;
    document.body.dataset.mapIncidents = String(shown);
    map.setLayoutProperty("incidents", "visibility", showPoints.checked ? "visible" : "none");
    loadHexagons();
  }
  const loadHexagons = debounce(async () => {
    if (!showHex.checked) { map.setLayoutProperty("hexagons", "visibility", "none"); return; }
    map.setLayoutProperty("hexagons", "visibility", "visible");
    const [a, b] = windowDays();
    const params = Number.isFinite(first) && (a > 0 || b < days) ? { start: iso(a), end: iso(b) } : {};
    const zoom = map.getZoom();
    const resolution = zoom < 6 ? 4 : zoom < 7.5 ? 5 : 6;
    const hex = await getJSON("/api/map/hexagons", { ...params, resolution });
    const max = Math.max(1, ...hex.hexagons.map((h) => h.count));
    const hot = new Map((hex.hotspots || []).map((h) => [h.cell, h.gi_star]));
    map.getSource("hexagons").setData({ type: "FeatureCollection", features: hex.hexagons.map((h) => ({
      type: "Feature", geometry: { type: "Polygon", coordinates: [[...h.boundary, h.boundary[0]]] },
      properties: { count: h.count, share: h.count / max, hotspot: hot.has(h.cell), gi_star: hot.get(h.cell) ?? null } })) });
    drawHexScale(max);
    clear(document.getElementById("hex-source") || el("div")).append(`hexagons: ${hex.source}`);
  }, 200);

  // The colour ramp of the hexagons with its counts (0, half the busiest, the busiest).
  function drawHexScale(max) {
    clear(hexScale).append(el("div", { class: "hex-ramp" }),
      el("div", { class: "hex-ticks" }, el("span", {}, "0"), el("span", {}, fmt(Math.round(max / 2))), el("span", {}, `${fmt(max)} incidents`)));
  }

  slider.addEventListener("change", shareLocal);
  slider.addEventListener("input", () => {
    const end = Number(slider.value), width = Number(span.value);
    if (width) time.set(iso(Math.max(0, end - width)), iso(end), { silent: true });
    applyWindow();
  });
  span.addEventListener("change", shareLocal);
  showHex.addEventListener("change", applyWindow);
  showPoints.addEventListener("change", applyWindow);
  map.on("zoomend", loadHexagons);
  applyWindow();

  // A case keeps the window, the layers shown and the camera.
  function captureCase() {
    const { start, end } = time.get();
    const centre = map.getCenter();
    return { filters: { start, end }, span: span.value, slider: slider.value, points: showPoints.checked, hexagons: showHex.checked,
      camera: { centre: [centre.lng, centre.lat], zoom: map.getZoom() } };
  }
  function applyCase(c) {
    const f = c.filters || {};
    span.value = c.span || "0";
    if (c.slider !== undefined) slider.value = c.slider;
    showPoints.checked = c.points !== false;
    showHex.checked = c.hexagons !== false;
    time.set(f.start || "", f.end || "", { silent: true });
    if (c.camera && Array.isArray(c.camera.centre)) map.jumpTo({ center: c.camera.centre, zoom: c.camera.zoom });
    applyWindow();
  }
  const cases = caseBar({ view: "map", capture: captureCase, apply: applyCase });
  side.prepend(el("h3", {}, "Case"), cases.element);
  await cases.openFromAddress(params && params.get("case"));
  map.once("idle", () => { document.body.dataset.mapReady = "1"; });
  return { destroy: () => { cases.destroy(); time.destroy(); map.remove(); if (window.cellmapMap === map) delete window.cellmapMap; } };
}
