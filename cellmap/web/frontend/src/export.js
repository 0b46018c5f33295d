// Export of the network as the analyst sees it (camera, hidden nodes, colours, labels, legend):
// SVG drawn from sigma's display data, PNG by rasterising that SVG, PDF as one page holding the PNG
// (a JPEG in a minimal PDF 1.4 file written here: no library, nothing fetched).
import { placeLabels } from "./labels.js";
const WIDTH = 1600, HEIGHT = 1000, LEGEND_H = 60;

function escapeXml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
}

export function networkSvg(renderer, graph, { title = "", hidden = new Set(), legend = [], banner = "" } = {}) {
  const { width, height } = renderer.getDimensions();
  const scale = Math.min(WIDTH / width, (HEIGHT - LEGEND_H - 30) / height);
  const point = (node) => {
    const d = renderer.getNodeDisplayData(node);
    if (!d || d.hidden) return null;
    const p = renderer.framedGraphToViewport(d);
    return { x: p.x * scale, y: 30 + p.y * scale, r: renderer.scaleSize(d.size) * scale, colour: d.color, label: d.label };
  };
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="16" font-weight="bold">${escapeXml(title)}</text>`];
  if (banner) parts.push(`<text x="${WIDTH - 10}" y="20" font-size="14" font-weight="bold" fill="#b7791f" text-anchor="end">${escapeXml(banner)}</text>`);
  const points = new Map();
  graph.forEachNode((node) => { if (!hidden.has(node)) { const p = point(node); if (p) points.set(node, p); } });
  parts.push(`<g stroke-opacity="0.7">`);
  graph.forEachEdge((edge, attrs, a, b) => {
    const p = points.get(a), q = points.get(b);
    if (!p || !q) return;
    parts.push(`<line x1="${p.x.toFixed(1)}" y1="${p.y.toFixed(1)}" x2="${q.x.toFixed(1)}" y2="${q.y.toFixed(1)}" stroke="${attrs.color || "#cbd5e0"}" stroke-width="${Math.max(0.5, (attrs.size || 1) * scale * 0.8).toFixed(1)}"/>`);
  });
  parts.push(`</g><g stroke="#ffffff" stroke-width="1">`);
  for (const p of points.values()) parts.push(`<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${Math.max(1, p.r).toFixed(1)}" fill="${p.colour}"/>`);
  parts.push(`</g><g font-size="12" fill="#1a202c">`);
  // Labels only where they fit: largest first, none over another.
  const order = [...points.values()].sort((a, b) => b.r - a.r);
  for (const box of placeLabels(order, { width: WIDTH, height: HEIGHT })) {
    parts.push(`<text x="${box.x.toFixed(1)}" y="${(box.item.y + 4).toFixed(1)}">${escapeXml(box.item.label)}</text>`);
  }
  parts.push(`</g>`);
  let x = 10;
  const y = HEIGHT - LEGEND_H + 20;
  parts.push(`<g font-size="12">`);
  for (const item of legend) {
    const w = 24 + 7 * item.label.length;
    if (x + w > WIDTH) break;
    parts.push(`<circle cx="${x + 6}" cy="${y - 4}" r="6" fill="${item.colour}"/><text x="${x + 16}" y="${y}">${escapeXml(item.label)}</text>`);
    x += w;
  }
  parts.push(`<text x="10" y="${HEIGHT - 12}" fill="#718096">Exported ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC from cellmap · every link carries its reports in the workbench</text>`);
  parts.push(`</g></svg>`);
  return parts.join("\n");
}

async function svgToCanvas(svgText) {
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  await new Promise((resolve, reject) => { image.onload = resolve; image.onerror = reject; image.src = url; });
  const canvas = document.createElement("canvas");
  canvas.width = WIDTH; canvas.height = HEIGHT;
  canvas.getContext("2d").drawImage(image, 0, 0);
  URL.revokeObjectURL(url);
  return canvas;
}

function bytesOf(dataUrl) {
  const raw = atob(dataUrl.split(",")[1]);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

// One A4-landscape page showing the image: catalogue, pages, page, image XObject (DCTDecode), content.
export function pdfOfJpeg(jpeg, width, height) {
  const pageW = 842, pageH = 595, margin = 24;
  const scale = Math.min((pageW - 2 * margin) / width, (pageH - 2 * margin) / height);
  const w = (width * scale).toFixed(2), h = (height * scale).toFixed(2);
  const content = `q ${w} 0 0 ${h} ${margin} ${(pageH - margin - height * scale).toFixed(2)} cm /Im0 Do Q`;
  const encoder = new TextEncoder();
  const chunks = [];
  const offsets = [];
  let length = 0;
  const add = (part) => { const bytes = typeof part === "string" ? encoder.encode(part) : part; chunks.push(bytes); length += bytes.length; };
  add("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
  const object = (n, body) => { offsets[n] = length; add(`${n} 0 obj\n`); body(); add("\nendobj\n"); };
  object(1, () => add("<< /Type /Catalog /Pages 2 0 R >>"));
  object(2, () => add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"));
  object(3, () => add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${pageW} ${pageH}] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>`));
  object(4, () => { add(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`); add(jpeg); add("\nendstream"); });
  object(5, () => add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`));
  const xref = length;
  add(`xref\n0 6\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`);
  add(`trailer\n<< /Size 6 /Root 1 0 R /Info << /Producer (cellmap workbench) >> >>\nstartxref\n${xref}\n%%EOF\n`);
  return new Blob(chunks, { type: "application/pdf" });
}

function download(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
}

export async function exportView(renderer, graph, options) {
  const svgText = networkSvg(renderer, graph, options);
  const stem = (options.title || "cellmap-network").replace(/[^\w-]+/g, "-").toLowerCase();
  if (options.format === "svg") return download(new Blob([svgText], { type: "image/svg+xml" }), `${stem}.svg`);
  const canvas = await svgToCanvas(svgText);
  if (options.format === "png") return download(new Blob([bytesOf(canvas.toDataURL("image/png"))], { type: "image/png" }), `${stem}.png`);
  return download(pdfOfJpeg(bytesOf(canvas.toDataURL("image/jpeg", 0.92)), WIDTH, HEIGHT), `${stem}.pdf`);
}
