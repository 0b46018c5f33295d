// Import: upload files, see every per-record error before anything is stored, then import.
import { postForm } from "../api.js";
import { clear, el, panel } from "../ui.js";

export default async function importer(container, { refreshStatus }) {
  const input = el("input", { type: "file", id: "import-files", multiple: true });
  const reportId = el("input", { type: "text", id: "import-report", placeholder: "report id (optional)" });
  const grade = el("input", { type: "text", id: "import-grade", placeholder: "grade, e.g. C3", style: "width:110px" });
  const check = el("button", { id: "import-check", onclick: () => send("/api/import/check") }, "Check");
  const go = el("button", { class: "primary", id: "import-go", disabled: true, onclick: () => send("/api/import") }, "Import");
  const result = el("div", { id: "import-result" });
  container.append(panel("Import files",
    el("p", {}, "cellmap JSON lines, FollowTheMoney JSON lines or CSV (see docs/formats.md). Files are checked first; nothing is stored until every record is valid, and then all files land in one transaction."),
    el("div", { class: "row" }, input, reportId, grade, check, go)), result);
  input.addEventListener("change", () => { go.disabled = true; clear(result); });

  async function send(url) {
    if (!input.files.length) { clear(result).append(el("div", { class: "error" }, "files: choose at least one file")); return; }
    const form = new FormData();
    for (const file of input.files) form.append("files", file);
    if (reportId.value) form.append("report_id", reportId.value);
    if (grade.value) form.append("grade", grade.value);
    clear(result).append(el("p", { class: "muted" }, "Working…"));
    const { ok, status, data } = await postForm(url, form);
    clear(result);
    if (!ok && !data.errors) {
      const detail = typeof data.detail === "string" ? data.detail
        : Array.isArray(data.detail) ? data.detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ") : `the server answered ${status}`;
      result.append(el("div", { class: "error", role: "alert" }, `The files were not accepted: ${detail}.`));
      go.disabled = true;
      return;
    }
    const errors = data.errors || [];
    if (errors.length) {
      go.disabled = true;
      result.append(panel(`${errors.length} error(s) — nothing was stored`,
        el("table", { class: "grid", id: "import-errors" },
          el("thead", {}, el("tr", {}, ["File", "Line", "Field", "Reason"].map((h) => el("th", {}, h)))),
          el("tbody", {}, errors.map((e) => el("tr", {}, el("td", {}, e.file || ""), el("td", {}, e.line ?? ""), el("td", {}, e.field || ""), el("td", {}, e.reason)))))));
      return;
    }
    const added = Object.entries(data.added || {}).map(([k, v]) => `${k}: ${v}`).join(", ");
    if (data.stored) {
      go.disabled = true;
      result.append(el("div", { class: "note", id: "import-done" }, `Imported ${data.records} records (${added}).`));
      await refreshStatus();
    } else {
      go.disabled = false;
      result.append(el("div", { class: "note", id: "import-ok" }, `${data.records} records are valid; an import would add ${added || "nothing new"}.`));
    }
  }
}
