"""The workbench as an attacker meets it: every route behind a role (walked from the OpenAPI
document), sessions and CSRF, hosts, headers, upload limits, the trusted proxy, heavy analyses,
and the compartment oracle on every GET route of a compartmented scenario."""

from __future__ import annotations

import json
import re
import threading

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from cellmap.auth import roles
from cellmap.web.app import create_app
from cellmap.web.security import HeavyGate, Security

from .conftest import PASSWORD, TEST_HOSTS, app_client, small_store, user_token

BODIES = {
    "/api/simulate": {"strategy": "degree", "k": 2},
    "/api/simulate/leadership": {"runs": 2},
    "/api/review/judgements": {"left_id": 1, "right_id": 2, "decision": "unsure"},
    "/api/imports/{import_id}/retract": {"reason": "test"},
}


def _call(client, method: str, path: str, **extra):
    url = path.replace("{entity_id}", "1").replace("{report_id}", "1")
    url = re.sub(r"\{[a-z_]+\}", "999", url)
    if method == "get":
        params = {"q": "a"} if path == "/api/search" else {}
        if path == "/api/paths":
            params = {"source": 1, "target": 2}
        return client.get(url, params=params, **extra)
    if path.startswith("/api/import") and "retract" not in path:
        return client.post(url, files={"files": ("x.jsonl", b"{}\n")}, **extra)
    send = client.put if method == "put" else client.post
    return send(url, json=BODIES.get(path, {}), **extra)


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    store = small_store(tmp_path_factory.mktemp("security"))
    clients = {role: app_client(store, f"user-{role}", role) for role in roles()}
    anonymous = TestClient(create_app(store, Security(allowed_hosts=TEST_HOSTS)))
    yield store, clients, anonymous
    store.close()


def test_every_route_declares_a_role_and_answers_no_one_without_credentials(shop):
    store, clients, anonymous = shop
    spec = clients["viewer"].get("/openapi.json").json()
    assert anonymous.get("/openapi.json").status_code == 401
    operations = [(m, p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 20
    for method, path, op in operations:
        assert op.get("x-min-role") in roles(), f"{method} {path} has no auth dependency"
        response = _call(anonymous, method, path)
        assert response.status_code == 401, (method, path, response.status_code)
        forged = _call(anonymous, method, path, headers={"Authorization": "Bearer cm_forged"})
        assert forged.status_code == 401, (method, path)


def test_each_role_reaches_exactly_its_routes_and_viewers_cannot_write(shop):
    store, clients, _anonymous = shop
    from cellmap.store import views

    spec = clients["admin"].get("/openapi.json").json()
    with store.session() as conn:
        before = views.counts(conn)
    for role, client in clients.items():
        for path, ops in spec["paths"].items():
            for method, op in ops.items():
                needed = op["x-min-role"]
                status = _call(client, method, path).status_code
                if roles().index(role) < roles().index(needed):
                    assert status == 403, (role, method, path, status)
                else:
                    assert status not in (401, 403), (role, method, path, status)
        if role == "viewer":
            with store.session() as conn:
                assert views.counts(conn) == before  # every POST a viewer made changed nothing
    writes = {
        p
        for p, ops in spec["paths"].items()
        for m, op in ops.items()
        if op["x-min-role"] != "viewer"
    }
    assert writes == {
        "/api/review/judgements",
        "/api/review/judgements/{judgement_id}/undo",
        "/api/cases",
        "/api/cases/{case_id}",
        "/api/import/check",
        "/api/import",
        "/api/imports",
        "/api/imports/{import_id}/retract",
    }


def _login(client, name="user-reviewer", origin="http://testserver"):
    return client.post(
        "/login",
        data={"name": name, "password": PASSWORD},
        headers={"Origin": origin},
        follow_redirects=False,
    )


def test_login_session_csrf_origin_and_logout(shop):
    store, _clients, _anonymous = shop
    client = TestClient(create_app(store, Security(allowed_hosts=TEST_HOSTS)))
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    wrong = client.post(
        "/login",
        data={"name": "user-reviewer", "password": "not it at all"},
        headers={"Origin": "http://testserver"},
    )
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text
    assert _login(client, origin="http://evil.example").status_code == 403
    response = _login(client)
    assert response.status_code == 303
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("cellmap_session="))
    assert "HttpOnly" in session and "SameSite=strict" in session and "Secure" not in session
    assert client.get("/api/me").json()["name"] == "user-reviewer"
    hits = client.get("/api/search", params={"q": "Hamza", "limit": 50}).json()
    left, right = sorted(h["id"] for h in hits if h["name"] in ("Hamza Qasim", "Hamzah Kassem"))
    body = {"left_id": left, "right_id": right, "decision": "unsure", "author": "someone-else"}
    # no CSRF token: refused; another origin: refused, even with the token
    assert client.post("/api/review/judgements", json=body).status_code == 403
    token = client.cookies["cellmap_csrf"]
    evil = client.post(
        "/api/review/judgements",
        json=body,
        headers={"X-CSRF-Token": token, "Origin": "http://evil.example"},
    )
    assert evil.status_code == 403 and "origin" in evil.text
    ok = client.post(
        "/api/review/judgements",
        json=body,
        headers={"X-CSRF-Token": token, "Origin": "http://testserver"},
    )
    assert ok.status_code == 200 and ok.json()["author"] == "user-reviewer"  # not the client's
    out = client.post(
        "/logout",
        headers={"X-CSRF-Token": token, "Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert out.status_code == 303
    client.cookies.clear()
    assert client.get("/api/me").status_code == 401


def test_hosts_headers_and_streamed_upload_limit(shop):
    store, clients, _anonymous = shop
    viewer = clients["viewer"]
    answer = viewer.get("/api/status")
    csp = answer.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert viewer.get("/api/status", headers={"Host": "rebound.example"}).status_code == 400
    small = TestClient(create_app(store, Security(allowed_hosts=TEST_HOSTS, max_body=1000)))
    small.headers["Authorization"] = f"Bearer {user_token(store, 'user-analyst', 'analyst')}"

    def chunks():  # a real multipart upload, streamed without a Content-Length
        yield b'--b0undary\r\nContent-Disposition: form-data; name="files"; filename="a.jsonl"\r\n\r\n'
        for _ in range(50):
            yield b"x" * 100
        yield b"\r\n--b0undary--\r\n"

    big = small.post(
        "/api/import/check",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
    )
    assert big.status_code == 413 and "upload larger than" in big.text


def test_no_temporary_path_in_an_import_error(shop):
    _store, clients, _anonymous = shop
    bad = clients["analyst"].post(
        "/api/import/check", files={"files": ("case.jsonl", b'{"record": "report"}\n')}
    )
    assert "cellmap-upload-" not in bad.text and "/tmp" not in bad.text


def test_trusted_proxy_header_only_from_the_proxy(shop):
    store, _clients, _anonymous = shop
    settings = Security(
        allowed_hosts=TEST_HOSTS, proxy_header="X-Forwarded-User", trusted_proxies=("10.9.0.0/16",)
    )
    via_proxy = TestClient(create_app(store, settings), client=("10.9.1.2", 5000))
    assert via_proxy.get("/api/me", headers={"X-Forwarded-User": "user-viewer"}).json()["name"] == (
        "user-viewer"
    )
    assert via_proxy.get("/api/me", headers={"X-Forwarded-User": "nobody"}).status_code == 401
    direct = TestClient(create_app(store, settings), client=("192.0.2.7", 5000))
    assert direct.get("/api/me", headers={"X-Forwarded-User": "user-viewer"}).status_code == 401


def test_heavy_analyses_are_limited_per_user_and_time_out():
    gate, settings = HeavyGate(), Security(heavy_per_user=1, heavy_total=2, heavy_timeout=0.2)
    release = threading.Event()
    started = threading.Thread(target=lambda: _swallow(gate.run, settings, "u", release.wait))
    started.start()
    while gate.total == 0:
        pass
    with pytest.raises(HTTPException) as busy:
        gate.run(settings, "u", lambda: 1)
    assert busy.value.status_code == 429 and busy.value.headers["Retry-After"]
    assert gate.run(settings, "v", lambda: 7) == 7  # another user is not held up
    with pytest.raises(HTTPException) as late:
        gate.run(settings, "w", lambda: release.wait(2))
    assert late.value.status_code == 503 and "timeout" in late.value.detail
    release.set()
    started.join()


def _swallow(function, *args):
    try:
        function(*args)
    except HTTPException:
        pass


# --- the compartment oracle on every GET route --------------------------------------------------


@pytest.mark.slow
def test_every_get_answer_equals_the_answer_of_a_store_holding_only_the_users_compartments(
    tmp_path,
):
    from cellmap.store import open_store
    from tests.auth.compartmented import build, keep_only, scenario

    files = scenario(tmp_path / "scenario")
    full = open_store(tmp_path / "full.sqlite")
    full.init()
    build(full, files)
    admin = app_client(full, "all-seeing", "admin")
    spec = admin.get("/openapi.json").json()
    gets = [p for p, ops in spec["paths"].items() if "get" in ops and p != "/api/imports"]
    for held in ({"default"}, {"partner", "humint"}):
        only = open_store(tmp_path / f"only-{'-'.join(sorted(held))}.sqlite")
        only.init()
        build(only, files)
        keep_only(only, held)
        a = app_client(full, f"u-{len(held)}", "viewer", held)
        b = app_client(only, f"u-{len(held)}", "viewer", held)
        entity_ids = range(1, 80)
        for path in gets:
            if "{" in path:
                urls = [
                    path.replace("{entity_id}", str(i)).replace("{report_id}", str(i))
                    for i in entity_ids
                ]
            elif path == "/api/search":
                urls = [f"{path}?q={q}" for q in ("abu", "al", "cell", "fund")]
            elif path == "/api/paths":
                urls = [f"{path}?source={s}&target={t}" for s, t in ((10, 40), (12, 60))]
            else:
                urls = [path]
            for url in urls:
                seen, expected = a.get(url), b.get(url)
                assert seen.status_code == expected.status_code, url
                assert _normal(seen) == _normal(expected), url
        # and something really is hidden: the admin's overview differs from the user's
        assert admin.get("/api/status").json()["counts"] != a.get("/api/status").json()["counts"]


def _normal(response):
    """An answer as JSON, without the timings that differ between two runs, and floats to 9
    significant digits (an eigenvector solver's last bits vary from run to run)."""
    try:
        data = response.json()
    except ValueError:
        return response.text
    data = json.loads(re.sub(r'"seconds": [0-9.e-]+', '"seconds": 0', json.dumps(data)))
    return _rounded(data)


def _rounded(value):
    if isinstance(value, float):
        return float(f"{round(value, 10):.9g}")
    if isinstance(value, dict):
        # Layout positions are left out: force-directed iterations sum in edge order, and the
        # last digits drift (who is drawn, their measures and ties are all compared).
        return {k: _rounded(v) for k, v in value.items() if k not in ("x", "y")}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value
