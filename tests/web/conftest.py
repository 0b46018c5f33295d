"""Fixtures of the workbench tests: a small graded fixture store for the API, and one live server
on the demo scenario (session-scoped, shared by the browser tests) driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cellmap.ingest import import_files
from cellmap.store import open_store
from cellmap.web.app import create_app

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.cellmap.jsonl"
BROKEN = DATA / "broken.cellmap.jsonl"
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-output" / "screenshots"
CHROMIUM = os.environ.get("CELLMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
]


TEST_HOSTS = ("testserver", "127.0.0.1", "localhost")
PASSWORD = "a long test password"


def user_token(store, name: str = "tester", role: str = "admin", compartments=None) -> str:
    """An API token for a user of `store` (created with PASSWORD when missing), holding
    `compartments` (default: every compartment the store holds, and 'default')."""
    from sqlalchemy import select

    from cellmap.auth import accounts
    from cellmap.errors import InputError
    from cellmap.store import tables as t

    with store.transaction() as conn:
        if compartments is None:
            compartments = set(conn.execute(select(t.report.c.compartment).distinct()).scalars())
            compartments |= {"default"}
        try:
            accounts.get_user(conn, name)
        except InputError:
            accounts.add_user(conn, name, role, tuple(sorted(compartments)), PASSWORD)
        return accounts.issue_token(conn, name)


def app_client(store, name: str = "tester", role: str = "admin", compartments=None) -> TestClient:
    """A test client of the workbench on `store`, calling as `name` with a Bearer token."""
    from cellmap.web.security import Security

    token = user_token(store, name, role, compartments)
    client = TestClient(
        create_app(store, Security(allowed_hosts=TEST_HOSTS)), raise_server_exceptions=False
    )
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def small_store(folder: Path):
    store = open_store("sqlite:///" + str(folder / "small.sqlite"))
    store.init()
    import_files(store, [SMALL])
    return store


@pytest.fixture()
def store(tmp_path):
    """A fresh store holding the small fixture (each test may write to it)."""
    s = small_store(tmp_path)
    yield s
    s.close()


@pytest.fixture()
def client(store):
    with app_client(store) as c:
        yield c


@pytest.fixture(scope="module")
def read_client(tmp_path_factory):
    """A client on a fixture store that the tests of a module only read."""
    s = small_store(tmp_path_factory.mktemp("web-read"))
    with app_client(s) as c:
        yield c
    s.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn in a background thread on a free loopback port."""

    def __init__(self, store):
        import uvicorn

        self.store = store
        self.token = user_token(store)  # the API calls of the tests; the pages log in by the form
        self.headers = {"Authorization": f"Bearer {self.token}"}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(store), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the workbench server did not start within 30 s")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def demo_store(folder: Path):
    """The demo scenario (cellmap.scenario) imported into a fresh store."""
    from cellmap.scenario import DEMO_SEED, generate, scenario_files

    generate(DEMO_SEED, "demo", folder / "scenario")
    store = open_store("sqlite:///" + str(folder / "demo.sqlite"))
    store.init()
    import_files(store, scenario_files(folder / "scenario"))
    return store


@pytest.fixture(scope="session")
def live_demo(tmp_path_factory):
    """One workbench server on the demo scenario for every browser test of this worker.

    `CELLMAP_WEB_TEST_DATA=small` serves the small fixture instead (a quick loop while developing)."""
    folder = tmp_path_factory.mktemp("web-demo")
    store = (
        small_store(folder)
        if os.environ.get("CELLMAP_WEB_TEST_DATA") == "small"
        else demo_store(folder)
    )
    with LiveServer(store) as server:
        # Build the server's caches (layout, measures, candidate pairs) before any page waits on them.
        import httpx

        for path in ("/api/network", "/api/overview", "/api/review/queue"):
            httpx.get(server.url + path, headers=server.headers, timeout=600).raise_for_status()
        yield server
    store.close()


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        if os.environ.get("CI"):
            pytest.fail(
                f"Chromium is required in CI but {CHROMIUM} is missing (.ci/run installs the chromium package)"
            )
        pytest.skip(
            f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CELLMAP_CHROMIUM)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, live_demo):
    """A fresh page on the demo server; fails the test on any request to another host."""
    # bypass_csp: Playwright evaluates wait_for_function strings, which the CSP refuses (eval); the
    # CSP itself is exercised without bypass by test_browser_login.
    context = browser.new_context(viewport={"width": 1400, "height": 860}, bypass_csp=True)
    page = context.new_page()
    outside: list[str] = []
    errors: list[str] = []

    def watch(request):
        if not (
            request.url.startswith(live_demo.url) or request.url.startswith(("blob:", "data:"))
        ):
            outside.append(request.url)

    page.on("request", watch)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.base_url = live_demo.url
    page.api_headers = live_demo.headers
    log_in(page, live_demo.url)
    yield page
    context.close()
    assert not outside, f"the page fetched from another host: {outside[:3]}"
    assert not errors, f"JavaScript errors: {errors[:3]}"


def log_in(page, url: str, name: str = "tester", password: str = PASSWORD) -> None:
    """Log in through the login page, as a person would."""
    page.goto(url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


def screenshot(page, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if full_page:  # the view scrolls inside <main>: let the document grow to show all of it
        # through the CSSOM: the Content-Security-Policy refuses an inline <style>
        page.evaluate(
            """() => {
              for (const el of [document.documentElement, document.body])
                el.style.setProperty("height", "auto", "important");
              const main = document.querySelector("main.view");
              if (main) main.style.setProperty("overflow", "visible", "important");
            }"""
        )
    page.screenshot(path=str(path), full_page=full_page)
    return path
