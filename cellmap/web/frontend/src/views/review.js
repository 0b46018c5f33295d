// Review: the entity-resolution queue at analyst speed. The queue is scored on the server once; the
// page keeps a window of pending pairs, shows the next pair at once after a judgement (the judgement
// is stored meanwhile) and refills in the background. Keys: a = same, r = not the same, u = unsure,
// j / k = next / previous, z (or Ctrl+Z) = undo the last judgement (stored as a new judgement).
import { getJSON, postJSON } from "../api.js";
import { clear, el, fmt, gradeBadge, panel, showReport } from "../ui.js";

const PAGE = 30;
const LABELS = { same: "same", not_same: "not the same", unsure: "unsure" };

export default async function review(container) {
  const box = el("div", { id: "review-box" }, el("p", { class: "muted" }, "Loading the queue…"));
  const status = el("p", { class: "review-progress", id: "review-status" });
  const message = el("div", { id: "review-message", class: "inline-message", role: "status" });
  const undoButton = el("button", { id: "review-undo", disabled: true, onclick: () => undoLast(), title: "Undo the last judgement (z)" }, "↶ Undo last judgement");
  container.append(panel("Entity resolution review",
    el("p", { class: "keys" }, el("kbd", {}, "a"), " same · ", el("kbd", {}, "r"), " not the same · ", el("kbd", {}, "u"), " unsure · ",
      el("kbd", {}, "j"), "/", el("kbd", {}, "k"), " next / previous · ", el("kbd", {}, "z"), " undo"),
    el("div", { class: "row" }, status, undoButton), message), box);

  let pending = [];        // pairs not yet shown or judged (local window of the server's queue)
  let index = 0;           // the pair on screen
  let startTotal = null;   // pending pairs when the session started
  let serverRemaining = 0;
  let passed = 0;          // pairs judged or skipped in this session
  const done = [];         // judgements of this session, newest last: {id, pair, decision}
  const judgedKeys = new Set();   // judged in this session (any decision): not shown again
  const decided = new Set();      // judged same / not same: gone from the server's queue
  let refilling = null;

  const key = (c) => `${Math.min(c.left.id, c.right.id)}-${Math.max(c.left.id, c.right.id)}`;

  async function fetchPage(offset) {
    const page = await getJSON("/api/review/queue", { limit: PAGE, offset });
    serverRemaining = page.remaining;
    if (startTotal === null) startTotal = page.remaining;
    return page;
  }

  async function load() {
    const first = await fetchPage(0);
    pending = first.candidates;
    index = 0;
    draw();
  }

  // Keep a few pairs ahead: fetch the next page while the analyst reads the current pair.
  function refill() {
    if (refilling || pending.length - index > 10) return;
    // The server's pending list holds every local pair not decided same / not same, in its order.
    const offset = pending.filter((c) => !decided.has(key(c))).length;
    refilling = fetchPage(offset).then((page) => {
      const known = new Set(pending.map(key));
      pending.push(...page.candidates.filter((c) => !known.has(key(c)) && !judgedKeys.has(key(c))));
      drawProgress();
    }).catch((error) => say(`The next pairs could not be loaded: ${error.message}.`, true)).finally(() => { refilling = null; });
  }

  function say(text, isError = false) { message.textContent = text; message.className = isError ? "inline-error" : "inline-message"; }

  function drawProgress() {
    const position = Math.min(passed + 1, Math.max(startTotal || 0, 1));
    status.textContent = startTotal
      ? `${fmt(position)} of ${fmt(startTotal)} pending · ${fmt(done.length)} judged this session · ${fmt(serverRemaining)} still pending`
      : "Nothing pending.";
    undoButton.disabled = !done.length;
  }

  function names(side) {
    return el("h3", { class: "review-name" }, el("a", { href: `#/entity/${side.id}` }, side.name),
      side.latin ? el("span", { class: "latin", lang: "en" }, ` — ${side.latin}`) : null);
  }

  function side(s) {
    return el("div", { class: "review-side" }, names(s), el("div", { class: "muted" }, `${s.kind} · record #${s.id}`),
      el("table", { class: "kv" }, Object.entries(s.properties).map(([k, v]) => el("tr", {}, el("th", {}, k.replace(/_/g, " ")), el("td", { dir: "auto" }, v.join("; "))))),
      s.reports && s.reports.length ? el("div", { class: "evidence" }, el("strong", {}, "From reports: "),
        s.reports.map((r) => el("a", { href: "#", class: "report-link", onclick: (e) => { e.preventDefault(); showReport(r.report_id); } }, gradeBadge(r.grade), " ", r.report_key, " "))) : null);
  }

  function draw() {
    drawProgress();
    clear(box);
    const c = pending[index];
    if (!c) { box.append(el("p", {}, serverRemaining ? "Loading more pairs…" : "Nothing to review.")); if (serverRemaining) refill(); return; }
    const plain = c.plain || [];
    box.append(
      el("p", {}, c.score !== null ? `The matcher's score: ${(100 * c.score).toFixed(1)} %` : "Judged “unsure” before"),
      el("div", { class: "review-pair" }, side(c.left), side(c.right)),
      plain.length ? el("div", { class: "note", id: "review-reasons" }, el("strong", {}, "Why the matcher paired them"),
        el("ul", { class: "reasons" }, plain.map((r) => el("li", { class: r.supports ? "for" : "against" },
          r.supports ? "✓ " : "✗ ", r.text, r.weight !== null && r.weight !== undefined ? el("span", { class: "muted" }, ` (${r.weight > 0 ? "+" : ""}${r.weight} log-odds)`) : null)))) : null,
      el("div", { class: "row" }, ["same", "not_same", "unsure"].map((d) => el("button", { class: d === "same" ? "primary" : "", "data-decision": d, onclick: () => decide(d) }, LABELS[d]))));
    refill();
  }

  async function decide(decision) {
    const c = pending[index];
    if (!c) return;
    const started = performance.now();
    // Next pair at once; the judgement is stored meanwhile and reported beside the buttons.
    judgedKeys.add(key(c));
    index += 1; passed += 1;
    draw();
    try {
      const stored = await postJSON("/api/review/judgements", { left_id: c.left.id, right_id: c.right.id, decision });
      done.push({ id: stored.id, candidate: c, decision });
      if (decision !== "unsure") decided.add(key(c));
      if (decision !== "unsure") serverRemaining = Math.max(0, serverRemaining - 1);
      const ms = Math.round(performance.now() - started);
      document.body.dataset.reviewLastMs = String(ms);
      say(`Stored “${LABELS[decision]}” for ${c.left.name} / ${c.right.name} (${ms} ms). z undoes it.`);
      drawProgress();
    } catch (error) {
      index -= 1; passed -= 1; judgedKeys.delete(key(c));
      draw();
      say(`The judgement was not stored: ${error.message}.`, true);
    }
  }

  async function undoLast() {
    const last = done.pop();
    if (!last) return;
    try {
      const undone = await postJSON(`/api/review/judgements/${last.id}/undo`, {});
      judgedKeys.delete(key(last.candidate));
      decided.delete(key(last.candidate));
      pending.splice(index, 0, last.candidate);
      passed = Math.max(0, passed - 1);
      if (last.decision !== "unsure") serverRemaining += 1;
      draw();
      say(`Undone: the pair is back (stored as judgement #${undone.id}, “${LABELS[undone.decision]}”; the earlier one stays on record).`);
    } catch (error) {
      done.push(last);
      say(`The undo was not stored: ${error.message}.`, true);
    }
  }

  function onKey(event) {
    if (["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName) || event.altKey || event.metaKey) return;
    if (event.ctrlKey) { if (event.key === "z") { event.preventDefault(); undoLast(); } return; }
    const action = { a: "same", r: "not_same", u: "unsure" }[event.key];
    if (action) decide(action);
    else if (event.key === "z") undoLast();
    else if (event.key === "j") { if (index < pending.length - 1) { index += 1; passed += 1; } draw(); }
    else if (event.key === "k") { if (index > 0) { index -= 1; passed = Math.max(0, passed - 1); } draw(); }
  }
  document.addEventListener("keydown", onKey);
  try { await load(); } catch (error) { clear(box).append(el("div", { class: "error" }, `The review queue could not be loaded: ${error.message}.`)); }
  return { destroy: () => document.removeEventListener("keydown", onKey) };
}
