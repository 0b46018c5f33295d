// The Brief button: the analyst's brief (GET /api/brief, an HTML or PDF download) for the filters in
// force — the time window shared by the views, the minimum grade of the current view, and the person
// on screen (the entity view) as the focus whose contacts are traced.
import { currentWindow } from "./timefilter.js";

export function briefQuery(hash = location.hash) {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?");
  const params = new URLSearchParams(query);
  const out = new URLSearchParams();
  const { start, end } = currentWindow();
  if (start) out.set("start", start);
  if (end) out.set("end", end);
  if (params.get("min_grade")) out.set("min_grade", params.get("min_grade"));
  const [view, id] = path.split("/");
  if (view === "entity" && id) out.set("focus", id);
  return out;
}

export function installBrief() {
  for (const [id, format] of [["brief-html", "html"], ["brief-pdf", "pdf"]]) {
    const link = document.getElementById(id);
    if (!link) continue;
    // The address is made at the click, so it carries the filters of that moment.
    link.addEventListener("click", () => {
      const query = briefQuery();
      query.set("format", format);
      link.href = `/api/brief?${query}`;
      const filters = [...query.entries()].filter(([k]) => k !== "format").map(([k, v]) => `${k} ${v}`);
      link.title = `The brief for ${filters.length ? filters.join(", ") : "the whole store"}`;
    });
  }
}
