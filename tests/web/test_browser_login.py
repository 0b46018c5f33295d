"""In Chromium: log in through the page, work, log out; a form posted from another origin is refused.
A server on the small fixture store of its own (its sessions are not the shared demo server's)."""

from __future__ import annotations

import http.server
import threading

import pytest

from .conftest import PASSWORD, LiveServer, free_port, log_in, screenshot, small_store

pytestmark = [pytest.mark.browser]


@pytest.fixture()
def server(tmp_path):
    store = small_store(tmp_path)
    with LiveServer(store) as live:
        yield live
    store.close()


@pytest.fixture()
def fresh_page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors[:3]


def test_log_in_work_log_out(server, fresh_page):
    page = fresh_page
    page.goto(server.url + "/")
    assert page.url == server.url + "/login"  # not logged in: the login page
    page.fill("input[name=name]", "tester")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "Wrong user name or password" in page.locator(".error").inner_text()
    screenshot(page, "login-refused")
    log_in(page, server.url, "tester", PASSWORD)
    page.wait_for_selector("#user-name:has-text('tester (admin)')")
    page.goto(server.url + "/#/network")
    page.wait_for_selector("#view canvas", timeout=60_000)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert (
        cookies["cellmap_session"]["httpOnly"]
        and cookies["cellmap_session"]["sameSite"] == "Strict"
    )
    screenshot(page, "logged-in-network")
    page.click("#logout")
    page.wait_for_url(server.url + "/login")
    page.goto(server.url + "/")
    assert page.url == server.url + "/login"  # the session is over
    assert page.request.get(server.url + "/api/me").status == 401


class _Attacker(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_GET(self):  # noqa: N802 — the standard library's name
        body = (
            "<html><body><form id=f method=post enctype=multipart/form-data "
            f'action="{self.target}/api/import"><input name=grade value=A1></form>'
            "<script>document.getElementById('f').submit()</script></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_form_posted_from_another_origin_is_refused(server, fresh_page):
    page = fresh_page
    log_in(page, server.url, "tester", PASSWORD)
    _Attacker.target = server.url
    port = free_port()
    attacker = http.server.HTTPServer(("127.0.0.1", port), _Attacker)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    try:
        statuses = []
        page.on(
            "response",
            lambda r: statuses.append(r.status) if r.url.endswith("/api/import") else None,
        )
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_url(server.url + "/api/import")
        assert statuses == [403]
        assert "cross-origin request refused" in page.content()
    finally:
        attacker.shutdown()
    # the session itself still works from its own origin
    page.goto(server.url + "/")
    page.wait_for_selector("#user-name:has-text('tester (admin)')")
