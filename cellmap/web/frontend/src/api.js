// JSON API calls. Every error shows the server's message (which names the bad parameter).
// A state-changing call sends the session's CSRF token (from its cookie); a 401 goes to the login page.
export function csrfToken() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("cellmap_csrf="));
  return found ? decodeURIComponent(found.slice("cellmap_csrf=".length)) : "";
}

function loginOn401(response) {
  if (response.status === 401) location.assign("/login");
  return response;
}
export async function getJSON(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, value);
  }
  const url = query.toString() ? `${path}?${query}` : path;
  const response = loginOn401(await fetch(url));
  return parse(response);
}

export async function postJSON(path, body) {
  const response = loginOn401(await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: JSON.stringify(body),
  }));
  return parse(response);
}

export async function putJSON(path, body) {
  const response = loginOn401(await fetch(path, {
    method: "PUT",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: JSON.stringify(body),
  }));
  return parse(response);
}

export async function postForm(path, form) {
  const response = loginOn401(await fetch(path, { method: "POST", headers: { "X-CSRF-Token": csrfToken() }, body: form }));
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

async function parse(response) {
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = Array.isArray(data.detail)
      ? data.detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ")
      : data.detail || response.statusText;
    // A sentence, not a status code: "min_grade: …" reads as the field and what is wrong with it.
    const error = new Error(detail ? String(detail) : STATUS_TEXT[response.status] || `the server answered ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

const STATUS_TEXT = { 404: "not found", 422: "a value was not accepted", 500: "the server failed (see its log)" };

export async function logout() {
  await fetch("/logout", { method: "POST", headers: { "X-CSRF-Token": csrfToken() } });
  location.assign("/login");
}
