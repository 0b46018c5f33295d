// Review: the entity-resolution queue. Keys: a = same (accept), r = not the same (reject),
// u = unsure, j / k = next / previous pair.
import { getJSON, postJSON } from "../api.js";
import { clear, el, errorBox, panel } from "../ui.js";

export default async function review(container) {
  const box = el("div", { id: "review-box" });
  const status = el("p", { class: "muted", id: "review-status" });
  container.append(panel("Entity resolution review",
    el("p", { class: "keys" }, el("kbd", {}, "a"), " same · ", el("kbd", {}, "r"), " not the same · ", el("kbd", {}, "u"), " unsure · ",
      el("kbd", {}, "j"), "/", el("kbd", {}, "k"), " next / previous"), status), box);
  let queue = { candidates: [], remaining: 0, source: "" };
  let index = 0;

  async function load() {
    queue = await getJSON("/api/review/queue", { limit: 50 });
    index = 0;
    draw();
  }

  function side(s) {
    return el("div", { class: "review-side" }, el("h3", {}, el("a", { href: `#/entity/${s.id}` }, s.name)), el("div", { class: "muted" }, `${s.kind} · record #${s.id}`),
      el("table", { class: "kv" }, Object.entries(s.properties).map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v.join("; "))))));
  }

  function draw() {
    status.textContent = `${queue.remaining} pair(s) waiting · source: ${queue.source}`;
    clear(box);
    const c = queue.candidates[index];
    if (!c) { box.append(el("p", {}, "Nothing to review.")); return; }
    box.append(el("p", {}, `Pair ${index + 1} of ${queue.candidates.length}`, c.score !== null ? ` · score ${Number(c.score).toFixed(3)}` : ""),
      el("div", { class: "review-pair" }, side(c.left), side(c.right)),
      c.reasons ? el("div", { class: "note", id: "review-reasons" }, el("strong", {}, "Why the matcher paired them: "),
        ...reasonPills(c.reasons)) : null,
      el("div", { class: "row" }, ["same", "not_same", "unsure"].map((d) => el("button", { class: d === "same" ? "primary" : "", onclick: () => decide(d) }, d.replace("_", " ")))));
  }

  async function decide(decision) {
    const c = queue.candidates[index];
    if (!c) return;
    try {
      await postJSON("/api/review/judgements", { left_id: c.left.id, right_id: c.right.id, decision });
      if (decision === "unsure") index += 1; else await load();
      draw();
    } catch (error) { box.prepend(errorBox(error)); }
  }

  // The matcher's reasons as "feature: value" pills (nested objects flattened with dots).
  function reasonPills(reasons, prefix = "") {
    return Object.entries(reasons).flatMap(([k, v]) => {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === "object" && !Array.isArray(v)) return reasonPills(v, key);
      if (Array.isArray(v) && !v.length) return [];
      const text = typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(2)) : Array.isArray(v) ? v.join(", ") : v;
      return [el("span", { class: "pill" }, `${key}: ${text}`)];
    });
  }

  function onKey(event) {
    if (event.target.tagName === "INPUT") return;
    const action = { a: "same", r: "not_same", u: "unsure" }[event.key];
    if (action) decide(action);
    else if (event.key === "j") { index = Math.min(index + 1, queue.candidates.length - 1); draw(); }
    else if (event.key === "k") { index = Math.max(index - 1, 0); draw(); }
  }
  document.addEventListener("keydown", onKey);
  await load();
  return { destroy: () => document.removeEventListener("keydown", onKey) };
}
