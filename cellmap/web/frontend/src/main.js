// The workbench's single page: a hash router over the views, the synthetic-data banner and the
// report modal. Every asset is bundled (no CDN, nothing fetched from another host).
import "maplibre-gl/dist/maplibre-gl.css";
import "./style.css";
import { getJSON, logout } from "./api.js";
import { installBrief } from "./brief.js";
import { closeModal, el, errorBox, fmt } from "./ui.js";
import overview from "./views/overview.js";
import network from "./views/network.js";
import entity from "./views/entity.js";
import map from "./views/map.js";
import timeline from "./views/timeline.js";
import simulate from "./views/simulate.js";
import review from "./views/review.js";


import importer from "./views/import.js";

const VIEWS = { overview, network, entity, map, timeline, simulate, review, import: importer };
let current = null;
export const state = { status: null };

async function showUser() {
  const me = await getJSON("/api/me");
  document.getElementById("user-name").textContent = `${me.name} (${me.role})`;
  document.getElementById("logout").addEventListener("click", logout);
}

async function refreshStatus() {
  try {
    state.status = await getJSON("/api/status");
    const banner = document.getElementById("banner");
    banner.hidden = !state.status.synthetic;
    banner.textContent = state.status.banner || "";
    const c = state.status.counts;
    document.getElementById("store-counts").textContent =
      `${fmt(c.entities)} entities · ${fmt(c.relations)} relations · ${fmt(c.incidents)} incidents · ${fmt(c.reports)} reports`;
  } catch (error) {
    console.error(error);
  }
}

function parseHash() {
  const hash = location.hash.replace(/^#\/?/, "") || "overview";
  const [path, query = ""] = hash.split("?");
  const [name, ...rest] = path.split("/");
  return { name, args: rest, params: new URLSearchParams(query) };
}

async function route() {
  const { name, args, params } = parseHash();
  const view = VIEWS[name] || VIEWS.overview;
  if (current && current.destroy) current.destroy();
  // A fresh element per visit: a view still loading from an earlier visit (a hash change while the
  // page starts) then fills a detached element, never the one on screen a second time.
  const previous = document.getElementById("view");
  const container = previous.cloneNode(false);
  previous.replaceWith(container);
  container.className = `view view-${name}`;
  document.querySelectorAll("#nav a").forEach((a) => a.classList.toggle("active", a.dataset.view === name));
  document.body.dataset.view = name;
  try {
    const shown = (await view(container, { args, params, status: state.status, refreshStatus })) || null;
    if (container.isConnected) current = shown;
    else if (shown && shown.destroy) shown.destroy();
  } catch (error) {
    container.append(errorBox(error, `This ${name || "view"} could not be shown`), el("a", { href: "#/overview" }, "Back to the overview"));
  }
}

document.getElementById("modal-close").addEventListener("click", closeModal);
document.getElementById("modal").addEventListener("click", (e) => { if (e.target.id === "modal") closeModal(); });
document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeModal(); });
// Until the status has arrived, a hash change waits: the first route reads the hash it left.
let started = false;
window.addEventListener("hashchange", () => { if (started) route(); });
showUser().catch((error) => console.error(error));
installBrief();
refreshStatus().then(() => { started = true; return route(); });
window.cellmap = { state, refreshStatus };
