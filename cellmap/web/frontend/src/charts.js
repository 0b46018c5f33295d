// Plain SVG charts (no chart library): line charts with axes and a legend, and horizontal bars.
import { PALETTE, fmt } from "./ui.js";

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

// Ticks for a count axis: whole numbers only (1, 2 or 5 times a power of ten per step).
function integerScale(max) {
  const top = Math.max(1, Math.ceil(max));
  const rough = top / 4;
  const power = 10 ** Math.floor(Math.log10(Math.max(1, rough)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((v) => v >= rough) || 10 * power;
  const stepInt = Math.max(1, Math.round(step));
  return { max: Math.ceil(top / stepInt) * stepInt, step: stepInt };
}

// series: [{name, values: [number], colour?}], labels: x labels (same length as values).
// `integer`: the values are counts (whole-number ticks). A series equal to an earlier one is drawn
// dashed on top of it and says so in the legend, so that no line hides another unannounced.
export function lineChart({ labels, series, width = 360, height = 200, yLabel = "", yMax = null, title = "", integer = false }) {
  const twins = series.map((s, k) => series.slice(0, k).find((o) => o.values.length === s.values.length && o.values.every((v, i) => v === s.values[i])));
  const names = series.map((s, k) => (twins[k] ? `${s.name} (same as ${twins[k].name})` : s.name));
  // Legend entries two to a row when they fit in half the width (about 5.6 px a character), else one.
  const perRow = names.every((name) => 14 + name.length * 5.6 <= (width - 62) / 2) ? 2 : 1;
  const legendRows = Math.ceil(series.length / perRow);
  const margin = { top: title ? 22 : 10, right: 18, bottom: 30 + 12 * legendRows, left: 44 };
  height += 12 * Math.max(0, legendRows - 1); // the drawing keeps its height; the legend adds rows
  const w = width - margin.left - margin.right;
  const h = height - margin.top - margin.bottom;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "chart" });
  if (title) root.append(svg("text", { x: margin.left, y: 14, class: "chart-title" }, title));
  const dataMax = Math.max(0, ...series.flatMap((s) => s.values.filter(Number.isFinite)));
  const scale = integer ? integerScale(Math.max(dataMax, yMax ?? 0)) : null;
  const maxValue = scale ? scale.max : yMax ?? niceMax(dataMax);
  const n = Math.max(1, labels.length - 1);
  const x = (i) => margin.left + (labels.length === 1 ? w / 2 : (i / n) * w);
  const y = (v) => margin.top + h - (v / maxValue) * h;
  const tickValues = scale
    ? Array.from({ length: scale.max / scale.step + 1 }, (_, i) => i * scale.step)
    : [0, 1, 2, 3, 4].map((t) => (maxValue * t) / 4);
  for (const value of tickValues) {
    root.append(svg("line", { x1: margin.left, x2: margin.left + w, y1: y(value), y2: y(value), class: "grid-line" }));
    root.append(svg("text", { x: margin.left - 4, y: y(value) + 3, class: "tick", "text-anchor": "end" },
      Number.isInteger(value) ? fmt(value) : fmt(value, { digits: 2 })));
  }
  const every = Math.ceil(labels.length / 8);
  labels.forEach((label, i) => {
    if (i % every === 0 || i === labels.length - 1) {
      root.append(svg("text", { x: x(i), y: margin.top + h + 14, class: "tick", "text-anchor": "middle" }, label));
    }
  });
  if (yLabel) root.append(svg("text", { x: 10, y: margin.top + h / 2, class: "tick", transform: `rotate(-90 10 ${margin.top + h / 2})`, "text-anchor": "middle" }, yLabel));
  series.forEach((s, k) => {
    const colour = s.colour || PALETTE[k % PALETTE.length];
    const twin = twins[k];
    const points = s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ");
    root.append(svg("polyline", { points, fill: "none", stroke: colour, "stroke-width": twin ? 2 : 2.5,
      "stroke-dasharray": twin || k > 0 ? "6 4" : "none", class: "series", "data-name": s.name }));
    s.values.forEach((v, i) => {
      const dot = k > 0 ? svg("rect", { x: x(i) - 2.5, y: y(v) - 2.5, width: 5, height: 5, fill: colour }) : svg("circle", { cx: x(i), cy: y(v), r: 2.5, fill: colour });
      dot.append(svg("title", {}, `${s.name} — ${labels[i]}: ${Number.isInteger(v) ? fmt(v) : fmt(v, { digits: 3 })}`));
      root.append(dot);
    });
    const legendY = margin.top + h + 28 + Math.floor(k / perRow) * 12;
    const legendX = margin.left + (k % perRow) * (w / 2);
    root.append(svg("rect", { x: legendX, y: legendY - 8, width: 10, height: 10, fill: colour }));
    root.append(svg("text", { x: legendX + 14, y: legendY + 1, class: "tick" }, names[k]));
  });
  return root;
}

// items: [{label, value}]
export function barChart(items, { width = 320, barHeight = 16, colour = "#2b6cb0" } = {}) {
  const left = 110;
  const maxValue = Math.max(1, ...items.map((d) => d.value));
  const height = items.length * (barHeight + 4) + 4;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "chart" });
  items.forEach((d, i) => {
    const y = i * (barHeight + 4) + 2;
    const barWidth = ((width - left - 40) * d.value) / maxValue;
    root.append(svg("text", { x: left - 6, y: y + barHeight - 4, class: "tick", "text-anchor": "end" }, d.label));
    root.append(svg("rect", { x: left, y, width: Math.max(1, barWidth), height: barHeight, fill: d.colour || colour }));
    root.append(svg("text", { x: left + barWidth + 4, y: y + barHeight - 4, class: "tick" }, fmt(d.value)));
  });
  return root;
}
