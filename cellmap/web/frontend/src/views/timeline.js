// Timeline: incidents, strikes, arrests and role changes on one zoomable time axis (years down to
// days; mouse wheel zooms, drag pans), filterable by cell and event type. Click an event for its report.
import { getJSON } from "../api.js";
import { caseBar } from "../cases.js";
import { timeFilter } from "../timefilter.js";
import { clear, el, entityLink, fmt, gradeBadge, reportLink } from "../ui.js";

const LANES = { incident: "#c53030", strike: "#2b6cb0", arrest: "#6b46c1", role_change: "#2f855a", exit: "#718096" };
const DAY = 86400000;

export default async function timeline(container, { params } = {}) {
  const sidebar = el("aside", { class: "sidebar" });
  const stage = el("div", { class: "stage" });
  const canvas = el("canvas", { id: "timeline-canvas" });
  const detail = el("aside", { class: "detail", id: "timeline-detail" }, el("p", { class: "muted" }, "Click an event to see its report."));
  stage.append(canvas, el("div", { class: "stats", id: "timeline-stats" }));
  container.append(sidebar, stage, detail);

  const cellSelect = el("select", { id: "timeline-cell" }, el("option", { value: "" }, "all cells"));
  const boxes = Object.keys(LANES).map((c) => el("label", {}, el("input", { type: "checkbox", value: c, checked: true }), " ",
    el("span", { class: "swatch", style: `background:${LANES[c]}` }), c.replace("_", " ")));
  const zoomButtons = [["all", 0], ["5 years", 5 * 365], ["1 year", 365], ["1 month", 31], ["1 week", 7]].map(([label, span]) =>
    el("button", { onclick: () => zoomTo(span) }, label));
  const time = timeFilter({ id: "timeline-time" });
  time.onChange(() => load());
  // A case keeps the filters, the zoomed window, the selected event and notes on events.
  const cases = caseBar({ view: "timeline", capture: () => captureCase(), apply: (c) => applyCase(c) });
  sidebar.append(el("h3", {}, "Case"), cases.element, el("h3", {}, "Time"), time.element, el("h3", {}, "Cell"), cellSelect, el("h3", {}, "Event types"), ...boxes,
    el("h3", {}, "Zoom"), el("div", { class: "row" }, zoomButtons),
    el("p", { class: "muted" }, "Wheel: zoom around the pointer · drag: pan · click: details"));

  let events = [];
  let view = { t0: 0, t1: 1 };
  let extent = { t0: 0, t1: 1 };  // every event
  let focus = { t0: 0, t1: 1 };   // the bulk of the events (the default view)
  let outside = 0, total = 0;
  let hits = [];
  let selected = null; // the event shown beside the axis
  let notes = {}; // event key → note

  async function load() {
    const categories = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value).join(",");
    const data = await getJSON("/api/timeline", { cell: cellSelect.value, categories: categories || "incident" });
    if (cellSelect.options.length === 1) data.cells.forEach((c) => cellSelect.append(el("option", { value: c.id }, c.name)));
    // The shared time window (also the network's and the map's) filters the events.
    const { start, end } = time.get();
    total = data.events.length;
    events = data.events.map((e) => ({ ...e, t: Date.parse(e.date) }))
      .filter((e) => (!start || e.date >= start) && (!end || e.date <= end));
    const ts = events.map((e) => e.t).sort((a, b) => a - b);
    if (ts.length) {
      // The axis spans the 0.5th to 99.5th percentile: a few stray dates years away would squeeze
      // the rest into a corner ("all" zooms out to every event).
      const q = (p) => ts[Math.min(ts.length - 1, Math.max(0, Math.round(p * (ts.length - 1))))];
      const lo = ts.length > 200 ? q(0.005) : ts[0], hi = ts.length > 200 ? q(0.995) : ts[ts.length - 1];
      const pad = Math.max(DAY * 10, (hi - lo) * 0.03);
      outside = ts.filter((t) => t < lo || t > hi).length;
      extent = { t0: ts[0] - pad, t1: ts[ts.length - 1] + pad };
      focus = { t0: lo - pad, t1: hi + pad };
      view = { ...focus };
    }
    document.body.dataset.timelineEvents = String(events.length);
    draw();
  }
  cellSelect.addEventListener("change", load);
  boxes.forEach((b) => b.addEventListener("change", load));

  function zoomTo(days) {
    if (!days) { view = { ...extent }; draw(); return; }
    const mid = (view.t0 + view.t1) / 2;
    view = { t0: mid - (days * DAY) / 2, t1: mid + (days * DAY) / 2 };
    draw();
  }

  function ticks(t0, t1) {
    const span = (t1 - t0) / DAY;
    const out = [];
    const start = new Date(t0);
    if (span > 365 * 4) {
      for (let y = start.getUTCFullYear(); Date.UTC(y, 0, 1) <= t1; y++) out.push([Date.UTC(y, 0, 1), String(y)]);
    } else if (span > 120) {
      const step = span > 730 ? 3 : 1;
      for (let d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)); d.getTime() <= t1; d.setUTCMonth(d.getUTCMonth() + step)) {
        out.push([d.getTime(), d.toISOString().slice(0, 7)]);
      }
    } else {
      const step = span > 40 ? 7 : span > 14 ? 2 : 1;
      for (let t = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()); t <= t1; t += step * DAY) {
        out.push([t, new Date(t).toISOString().slice(0, 10)]);
      }
    }
    return out.filter(([t]) => t >= t0);
  }

  function draw() {
    const rect = stage.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    canvas.width = rect.width * ratio;
    canvas.height = rect.height * ratio;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, rect.width, rect.height);
    ctx.fillStyle = "#fbfbfd";
    ctx.fillRect(0, 0, rect.width, rect.height);
    const left = 100, right = 20, top = 30;
    const lanes = Object.keys(LANES);
    const laneH = Math.max(40, (rect.height - top - 50) / lanes.length);
    const x = (t) => left + ((t - view.t0) / (view.t1 - view.t0)) * (rect.width - left - right);
    ctx.font = "11px DejaVu Sans, sans-serif";
    let labelEnd = -Infinity; // tick labels never overlap one another or run past the edge
    for (const [t, label] of ticks(view.t0, view.t1)) {
      ctx.strokeStyle = "#e2e8f0";
      ctx.beginPath(); ctx.moveTo(x(t), top - 8); ctx.lineTo(x(t), top + laneH * lanes.length); ctx.stroke();
      ctx.fillStyle = "#4a5568";
      const width = ctx.measureText(label).width;
      if (x(t) + 2 > labelEnd + 6 && x(t) + 2 + width <= rect.width) { ctx.fillText(label, x(t) + 2, top - 12); labelEnd = x(t) + 2 + width; }
    }
    hits = [];
    lanes.forEach((lane, k) => {
      const y0 = top + k * laneH;
      ctx.fillStyle = k % 2 ? "#f7fafc" : "#ffffff";
      ctx.globalAlpha = 0.6; ctx.fillRect(left, y0, rect.width - left - right, laneH); ctx.globalAlpha = 1;
      ctx.fillStyle = LANES[lane];
      ctx.font = "bold 12px DejaVu Sans, sans-serif";
      ctx.fillText(lane.replace("_", " "), 8, y0 + laneH / 2 + 4);
      ctx.font = "11px DejaVu Sans, sans-serif";
      const inLane = events.filter((e) => e.category === lane && e.t >= view.t0 && e.t <= view.t1);
      const width = rect.width - left - right;
      if (inLane.length > width * 1.5) {
        // Too many to draw one by one: a histogram of the lane (4-pixel bins), its peak labelled.
        const bins = new Map();
        for (const e of inLane) { const b = Math.floor((x(e.t) - left) / 4); bins.set(b, (bins.get(b) || 0) + 1); }
        const peak = Math.max(...bins.values());
        ctx.fillStyle = LANES[lane];
        for (const [b, n] of bins) { const h = ((laneH - 12) * n) / peak; ctx.fillRect(left + b * 4, y0 + laneH - 4 - h, 3.5, h); }
        ctx.fillStyle = "#4a5568";
        ctx.fillText(`${fmt(inLane.length)} events · histogram, up to ${fmt(peak)} per bar (zoom in for single events)`, left + 4, y0 + 12);
        return;
      }
      // Events on the same pixel column stack upwards so that a busy day stays readable.
      const stacks = new Map();
      for (const e of inLane) {
        const px = Math.round(x(e.t));
        const level = stacks.get(px) || 0;
        stacks.set(px, level + 1);
        const py = y0 + laneH - 6 - (level % Math.floor((laneH - 8) / 5)) * 5;
        ctx.fillStyle = LANES[lane];
        ctx.fillRect(px - 1.5, py - 4, 4, 4);
        hits.push({ x: px, y: py - 1, e });
      }
      const showLabels = (view.t1 - view.t0) / DAY < 60;
      if (showLabels) {
        ctx.fillStyle = "#2d3748";
        let lastX = -1e9;
        for (const e of [...inLane].sort((a, b) => a.t - b.t)) {
          const px = x(e.t), text = e.label.length > 28 ? `${e.label.slice(0, 27)}…` : e.label;
          const end = px + 3 + ctx.measureText(text).width;
          if (px + 3 > lastX + 8 && end <= rect.width - right) { ctx.fillText(text, px + 3, y0 + 14); lastX = end; } // none over another or past the edge
        }
      }
    });
    const shown = events.filter((e) => e.t >= view.t0 && e.t <= view.t1).length;
    const { start, end } = time.get();
    document.getElementById("timeline-stats").textContent =
      `${fmt(shown)} of ${fmt(events.length)} events in view · ${new Date(Math.max(view.t0, -8e15)).toISOString().slice(0, 10)} – ${new Date(view.t1).toISOString().slice(0, 10)}` +
      (start || end ? ` · time window ${start || "…"} – ${end || "…"} (${fmt(total - events.length)} events outside it)` : "") +
      (outside && view.t0 >= focus.t0 && view.t1 <= focus.t1 ? ` · ${fmt(outside)} stray-dated events off the axis (“all” shows them)` : "");
  }

  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    const rect = canvas.getBoundingClientRect();
    const left = 100, right = 20;
    const f = Math.min(1, Math.max(0, (event.clientX - rect.left - left) / (rect.width - left - right)));
    const t = view.t0 + f * (view.t1 - view.t0);
    const factor = event.deltaY > 0 ? 1.25 : 0.8;
    const span = Math.max(DAY * 2, Math.min((extent.t1 - extent.t0) * 1.5, (view.t1 - view.t0) * factor));
    view = { t0: t - f * span, t1: t - f * span + span };
    draw();
  }, { passive: false });
  let drag = null;
  canvas.addEventListener("mousedown", (event) => { drag = { x: event.clientX, view: { ...view }, moved: false }; });
  window.addEventListener("mousemove", onMove);
  window.addEventListener("mouseup", onUp);
  function nearest(event) {
    const rect = canvas.getBoundingClientRect();
    const px = event.clientX - rect.left, py = event.clientY - rect.top;
    let best = null, bestD = 36;
    for (const h of hits) { const d = (h.x - px) ** 2 + (h.y - py) ** 2; if (d < bestD) { best = h; bestD = d; } }
    return best;
  }
  function onMove(event) {
    if (!drag) {
      if (event.target === canvas) {
        const hit = nearest(event);
        canvas.title = hit ? `${hit.e.date} · ${hit.e.label}${hit.e.detail ? ` · ${hit.e.detail}` : ""}` : "";
      }
      return;
    }
    const dx = event.clientX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    const rect = canvas.getBoundingClientRect();
    const dt = (dx / (rect.width - 120)) * (drag.view.t1 - drag.view.t0);
    view = { t0: drag.view.t0 - dt, t1: drag.view.t1 - dt };
    draw();
  }
  function onUp(event) {
    if (drag && !drag.moved) pick(event);
    drag = null;
  }
  function pick(event) {
    const best = nearest(event);
    if (best) showEvent(best.e);
  }
  const eventKey = (e) => `${e.date}|${e.category}|${e.report_id ?? ""}|${e.label}`;
  function showEvent(e) {
    selected = e;
    const key = eventKey(e);
    const note = el("textarea", { id: "event-note", rows: 2, maxlength: 2000, placeholder: "A note on this event (saved with the case)" }, notes[key] || "");
    note.addEventListener("change", () => { if (note.value.trim()) notes[key] = note.value.trim(); else delete notes[key]; });
    clear(detail).append(el("div", { class: "panel", id: "event-detail" }, el("h2", {}, e.label),
      el("table", { class: "kv" },
        el("tr", {}, el("th", {}, "date"), el("td", {}, e.date)), el("tr", {}, el("th", {}, "type"), el("td", {}, e.category)),
        el("tr", {}, el("th", {}, "detail"), el("td", {}, e.detail || "—")),
        el("tr", {}, el("th", {}, "who"), el("td", {}, e.entity_id ? entityLink(e.entity_id, e.entity_name || `#${e.entity_id}`) : "—")),
        el("tr", {}, el("th", {}, "grade"), el("td", {}, gradeBadge(e.grade))),
        el("tr", {}, el("th", {}, "report"), el("td", {}, e.report_id ? reportLink({ report_id: e.report_id, grade: e.grade, report_key: e.report_key || `report ${e.report_id}` }) : "—"))),
      el("div", { class: "note-box" }, note)));
  }
  function captureCase() {
    const { start, end } = time.get();
    const categories = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    return { filters: { start, end, cell: cellSelect.value, categories }, window: { ...view },
      selected: selected ? eventKey(selected) : null, notes: { ...notes } };
  }
  async function applyCase(c) {
    const f = c.filters || {};
    time.set(f.start || "", f.end || "", { silent: true });
    cellSelect.value = f.cell || "";
    const categories = new Set(f.categories || Object.keys(LANES));
    boxes.forEach((b) => { const box = b.querySelector("input"); box.checked = categories.has(box.value); });
    notes = { ...(c.notes || {}) };
    await load();
    if (c.window && Number.isFinite(c.window.t0) && Number.isFinite(c.window.t1)) { view = { t0: c.window.t0, t1: c.window.t1 }; draw(); }
    const chosen = c.selected ? events.find((e) => eventKey(e) === c.selected) : null;
    if (chosen) showEvent(chosen);
  }
  const exposed = { hits: () => hits.map((h) => ({ x: h.x, y: h.y, date: h.e.date, category: h.e.category })) };
  window.cellmapTimeline = exposed; // for tests; a newer view's is left alone on destroy
  const onResize = () => draw();
  window.addEventListener("resize", onResize);
  await load();
  await cases.openFromAddress(params && params.get("case"));
  return { destroy: () => { cases.destroy(); time.destroy(); if (window.cellmapTimeline === exposed) delete window.cellmapTimeline; window.removeEventListener("mousemove", onMove); window.removeEventListener("mouseup", onUp); window.removeEventListener("resize", onResize); } };
}
