// Cases: a named working set (filters, expanded groups, pinned positions, selection, notes) saved in
// the store with its author, listed and reopened from any view that keeps one.
import { getJSON, postJSON, putJSON } from "./api.js";
import { el } from "./ui.js";

export function caseBar({ view, capture, apply }) {
  let current = null;
  const name = el("input", { type: "text", id: "case-name", placeholder: "case name", maxlength: 200, size: 16 });
  const message = el("span", { class: "inline-message", id: "case-message", role: "status" });
  const picker = el("select", { id: "case-open", title: "Reopen a saved case" }, el("option", { value: "" }, "Open case…"));
  const save = el("button", { id: "case-save", title: "Save the working set under this name (Ctrl+S)", onclick: () => saveCase() }, "Save case");

  async function refreshList() {
    try {
      const cases = await getJSON("/api/cases", { view });
      picker.replaceChildren(el("option", { value: "" }, cases.length ? "Open case…" : "no saved case"),
        ...cases.map((c) => el("option", { value: c.id }, `${c.name} — ${c.author}, ${c.updated_at.slice(0, 16).replace("T", " ")}`)));
    } catch (error) { message.textContent = `Saved cases could not be listed: ${error.message}`; message.className = "inline-error"; }
  }

  async function saveCase() {
    const title = name.value.trim();
    if (!title) { message.className = "inline-error"; message.textContent = "Name the case first."; name.focus(); return; }
    try {
      const body = { name: title, view, state: capture() };
      current = current && current.name === title ? await putJSON(`/api/cases/${current.id}`, body) : await postJSON("/api/cases", body);
      message.className = "inline-message"; message.textContent = `Saved “${current.name}” (version ${current.version}).`;
      const hash = location.hash.replace(/([?&])case=\d+&?/, "$1").replace(/[?&]$/, "");
      window.history.replaceState(null, "", `${hash}${hash.includes("?") ? "&" : "?"}case=${current.id}`);
      await refreshList();
    } catch (error) { message.className = "inline-error"; message.textContent = `The case was not saved: ${error.message}`; }
  }

  async function open(id) {
    try {
      current = await getJSON(`/api/cases/${id}`);
      name.value = current.name;
      message.className = "inline-message"; message.textContent = `Opened “${current.name}” by ${current.author}.`;
      await apply(current.state);
    } catch (error) { message.className = "inline-error"; message.textContent = `The case could not be opened: ${error.message}`; }
  }
  picker.addEventListener("change", () => { if (picker.value) open(picker.value); picker.value = ""; });
  const onKey = (event) => { if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); saveCase(); } };
  document.addEventListener("keydown", onKey);
  refreshList();
  return {
    element: el("span", { class: "case-bar" }, name, save, picker, message),
    current: () => current,
    openFromAddress: async (id) => { if (id) await open(id); },
    destroy: () => document.removeEventListener("keydown", onKey),
  };
}
