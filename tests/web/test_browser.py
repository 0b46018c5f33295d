"""Browser tests: Playwright drives Debian's Chromium through every view of the workbench on the demo
scenario. Each test saves a screenshot under test-output/screenshots/."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest
from PIL import Image

from .conftest import BROKEN, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("web-browser")]

BANNER = "SYNTHETIC DATA — fictional persons"


def api(page, path: str, **params):
    return httpx.get(
        page.base_url + path, params=params, headers=page.api_headers, timeout=60
    ).json()


def open_view(page, view: str, ready: str | None = None, timeout: float = 60_000):
    page.goto(f"{page.base_url}/#/{view}")
    if ready:
        page.wait_for_selector(ready, timeout=timeout)
    assert page.locator("#banner").inner_text() == BANNER


def coloured_pixels(path, box) -> int:
    """How many pixels inside `box` (x, y, w, h) are not the near-white canvas background."""
    image = (
        Image.open(path)
        .convert("RGB")
        .crop((box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"]))
    )
    return int((np.asarray(image).min(axis=2) < 200).sum())


def named_pair(page) -> tuple[dict, dict]:
    """Two scenario persons at least two steps apart: a traced strike's target and the known member
    reached through the security error (shared/scenario.md F14) when the demo has one; otherwise the
    best-connected person and the person farthest from them."""
    data = api(
        page,
        "/api/network",
        kinds="communication,meeting,kinship,command,membership",
        view="persons",
    )
    persons = [n for n in data["nodes"] if n["kind"] == "person"]
    hub = max(persons, key=lambda n: (n["measure"], -n["id"]))
    for other in sorted(persons, key=lambda n: (n["measure"], n["id"])):
        if other["id"] == hub["id"]:
            continue
        result = api(page, "/api/paths", source=hub["id"], target=other["id"])
        if result["length"] and result["length"] >= 2:
            return result["source"], result["target"]
    pytest.fail("the demo scenario has no two persons two steps apart")


def test_overview_shows_store_trends_and_banner(page):
    open_view(page, "overview", "#trends svg")
    text = page.locator("main").inner_text()
    for heading in (
        "Entities by kind",
        "Reports by grade",
        "completed operations",
        "all operations",
        "all incidents",
        "Latest strikes",
        "Key players",
        "Runway",
        "Cell coherence",
    ):
        assert heading in text
    assert page.locator("#trends svg").count() == 3
    screenshot(page, "overview", full_page=True)
    # The seed's headline compares 2021 with 2022: pick that year.
    page.goto(f"{page.base_url}/#/overview")
    page.wait_for_selector("#overview-year")
    page.select_option("#overview-year", "2022")
    page.wait_for_selector("text=Change 2021 → 2022")
    assert page.locator("#year-on-year tbody tr").count() == 3


def test_overview_robustness_bars_beside_the_key_players(page):
    open_view(page, "overview", "#key-players li")
    page.click("#robust-run")
    page.wait_for_selector("#key-players .robust-fill", timeout=120_000)
    items = page.locator("#key-players li")
    bars = page.locator("#key-players .robust")
    assert bars.count() == items.count() >= 5
    # each bar's width is the share its text states, as the API gives it
    api = page.request.get(
        f"{page.base_url}/api/overview/robust?samples=20&seed=0", headers=page.api_headers
    ).json()
    share = {p["id"]: p["share"] for p in api["persons"]}
    first = items.nth(0)
    expected = round(share.get(int(first.get_attribute("data-id")), 0) * 100)
    assert first.locator(".robust").inner_text().strip() == f"{expected} %"
    assert "samples (seed 0)" in page.locator("#robust-note").inner_text()
    screenshot(page, "overview-robust", full_page=True)


def test_overview_robustness_bars_of_the_top_by_each_measure(page):
    open_view(page, "overview?samples=3", "#robust-measures-run")
    page.click("#robust-measures-run")
    page.wait_for_selector("#robust-measures .robust-fill", timeout=120_000)
    api_rows = api(page, "/api/overview/robust/measures", samples=3, seed=0)["measures"]
    for measure in ("betweenness", "degree"):
        page.select_option("#robust-measure", measure)
        items = page.locator("#robust-measures li")
        rows = api_rows[measure]
        # one bar per person, in the API's order, each stating its share as the API gives it
        assert items.count() == len(rows) >= sum(r["plain"] for r in rows) > 0
        for i in (0, len(rows) - 1):
            item = items.nth(i)
            assert int(item.get_attribute("data-id")) == rows[i]["id"]
            assert (
                item.locator(".robust").inner_text().strip() == f"{round(rows[i]['share'] * 100)} %"
            )
            assert ("not in the plain top 10" in item.inner_text()) == (not rows[i]["plain"])
    assert "3 samples (seed 0)" in page.locator("#robust-measures-note").inner_text()
    screenshot(page, "overview-robust-measures", full_page=True)


def test_network_canvas_renders_nodes(page):
    open_view(page, "network", "body[data-network-nodes]")
    nodes = int(page.get_attribute("body", "data-network-nodes"))
    assert nodes == len(api(page, "/api/network")["nodes"]) > 0
    page.wait_for_timeout(500)
    path = screenshot(page, "network")
    # The WebGL canvas really drew something: many coloured pixels in the stage.
    assert coloured_pixels(path, page.locator("#sigma").bounding_box()) > 2000


def test_network_path_between_two_named_persons_shows_path_and_reports(page):
    first, second = named_pair(page)
    open_view(page, "network", "body[data-network-nodes]")
    for person, button in ((first, "Path from here"), (second, "Path to here")):
        page.fill("#network-search", person["name"])
        page.locator("#network-hits li", has_text=person["name"]).first.click()
        page.locator("#node-detail button", has_text=button).click()
    page.wait_for_selector(
        "#node-facts .report-link"
    )  # the selected node's facts, each with its report
    page.click("#path-button")
    result = page.wait_for_selector("#paths-result .path")
    text = page.locator("#paths-result").inner_text()
    assert first["name"] in text and second["name"] in text
    expected = api(page, "/api/paths", source=first["id"], target=second["id"], limit=5)
    assert page.locator("#paths-result .path").count() == len(expected["paths"])
    reports = {
        r["report"]["report_key"]
        for p in expected["paths"]
        for e in p["edges"]
        for r in e["relations"]
    }
    shown = page.locator("#paths-result .report-link").all_inner_texts()
    assert shown and {t.split()[-1] for t in shown} <= reports
    assert result is not None
    page.wait_for_timeout(
        800
    )  # the camera frames the path (edges and labels are hidden while it moves)
    screenshot(page, "network-path")
    page.locator("#paths-result .report-link").first.click()
    page.wait_for_selector("#modal:not([hidden]) h2")
    screenshot(page, "network-path-report")
    # The k shortest simple paths, longer ones included.
    page.keyboard.press("Escape")
    page.select_option("#path-how", "k")
    page.click("#path-button")
    page.wait_for_selector("#paths-result >> text=shortest simple path")
    k_paths = api(page, "/api/paths", source=first["id"], target=second["id"], limit=5, how="k")[
        "paths"
    ]
    assert page.locator("#paths-result .path").count() == len(k_paths)


def test_entity_page(page):
    first, _ = named_pair(page)
    open_view(page, f"entity/{first['id']}", "#entity-title")
    assert first["name"] in page.locator("#entity-title").inner_text()
    text = page.locator("main").inner_text()
    for heading in ("Names, aliases and spellings", "Measures", "Properties", "Relationships"):
        assert heading in text
    assert page.locator("main .report-link").count() > 0
    screenshot(page, "entity", full_page=True)


def test_map_shows_incidents(page):
    open_view(page, "map", "body[data-map-ready]")
    shown = int(page.get_attribute("body", "data-map-incidents"))
    total = len(api(page, "/api/map")["incidents"])
    assert shown == total > 0
    path = screenshot(page, "map")
    assert coloured_pixels(path, page.locator("#map").bounding_box()) > 5000
    # One month of the time slider shows fewer incidents.
    page.select_option("#map-span", "30")
    page.wait_for_timeout(300)
    assert int(page.get_attribute("body", "data-map-incidents")) < total
    screenshot(page, "map-one-month")


def test_timeline(page):
    open_view(page, "timeline", "body[data-timeline-events]")
    events = int(page.get_attribute("body", "data-timeline-events"))
    assert events == len(api(page, "/api/timeline")["events"]) > 0
    page.mouse.move(700, 400)
    for _ in range(5):
        page.mouse.wheel(0, -300)
    page.wait_for_timeout(200)
    # Click a strike: its details and report appear.
    box = page.locator("#timeline-canvas").bounding_box()
    strikes = [
        h
        for h in page.evaluate("window.cellmapTimeline.hits()")
        if h["category"] in ("strike", "arrest")
    ]
    assert strikes, "no strike or arrest in view after zooming"
    page.mouse.click(box["x"] + strikes[0]["x"], box["y"] + strikes[0]["y"])
    page.wait_for_selector("#event-detail .report-link")
    assert strikes[0]["date"] in page.locator("#event-detail").inner_text()
    screenshot(page, "timeline")


def test_simulate(page):
    open_view(page, "simulate", "#sim-run")
    page.fill("#sim-k", "10")
    page.fill("#sim-at", "2022-01-01")
    page.click("#sim-run")
    page.wait_for_selector("#sim-table tbody tr")
    persons = httpx.post(
        page.base_url + "/api/simulate",
        json={"strategy": "degree", "k": 10, "at": "2022-01-01"},
        headers=page.api_headers,
        timeout=60,
    ).json()["persons"]
    assert "As of 2022-01-01" in page.locator("#sim-result").inner_text()
    assert (
        page.locator("#sim-table tbody tr").count() == min(10, persons) + 1
    )  # the intact network, then each strike
    screenshot(page, "simulate", full_page=True)


def test_review_queue_with_keyboard_progress_reasons_and_undo(page):
    open_view(page, "review", "#review-status")
    page.wait_for_function(
        "document.querySelector('#review-status').textContent.includes('pending')",
        timeout=120_000,
    )
    queue = api(page, "/api/review/queue", limit=50)
    if not queue["candidates"]:
        assert "Nothing to review" in page.locator("#review-box").inner_text()
        return
    first = queue["candidates"][0]
    total = queue["remaining"]
    assert page.locator("#review-status").inner_text().startswith(f"1 of {total:,} pending")
    # Reasons in words, not feature names; the reports behind each record.
    reasons = page.locator("#review-reasons").inner_text()
    assert "features." not in reasons and "names alike at" in reasons
    assert page.locator(".review-side .evidence .report-link").count() >= 2
    page.keyboard.press("j")
    assert page.locator("#review-status").inner_text().startswith(f"2 of {total:,}")
    page.keyboard.press("k")
    # "u" records an unsure judgement (the pair stays in the queue, at its head) and moves on.
    page.keyboard.press("u")
    page.wait_for_selector("#review-message >> text=Stored")
    assert page.locator("#review-status").inner_text().startswith(f"2 of {total:,}")
    head = api(page, "/api/review/queue", limit=1)["candidates"][0]
    assert {head["left"]["id"], head["right"]["id"]} == {first["left"]["id"], first["right"]["id"]}
    screenshot(page, "review")
    # "z" undoes it: a new judgement, the pair is on screen again.
    page.keyboard.press("z")
    page.wait_for_selector("#review-message >> text=Undone")
    assert page.locator("#review-status").inner_text().startswith(f"1 of {total:,}")
    assert first["left"]["name"] in page.locator("#review-box").inner_text()


def test_import_of_a_broken_file_shows_errors_and_changes_nothing(page):
    before = api(page, "/api/status")["counts"]
    open_view(page, "import", "#import-files")
    page.set_input_files("#import-files", str(BROKEN))
    page.click("#import-check")
    page.wait_for_selector("#import-errors tbody tr")
    rows = page.locator("#import-errors tbody tr").all_inner_texts()
    assert len(rows) >= 3 and any("grade" in r for r in rows) and any("date" in r for r in rows)
    assert page.locator("#import-go").is_disabled()
    screenshot(page, "import-errors")
    assert api(page, "/api/status")["counts"] == before
    # Even a direct import request stores nothing.
    response = httpx.post(
        page.base_url + "/api/import",
        files={"files": (BROKEN.name, BROKEN.read_bytes())},
        headers=page.api_headers,
        timeout=60,
    )
    assert response.status_code == 422 and json.loads(response.text)["stored"] is False
    assert api(page, "/api/status")["counts"] == before


def test_api_documentation_page_is_served_offline(page):
    page.goto(f"{page.base_url}/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=60_000)
    assert page.locator(".swagger-ui .opblock").count() >= 18
    screenshot(page, "api-docs")


def test_network_explore_expand_filter_and_colour(page):
    first, _ = named_pair(page)
    open_view(page, "network?mode=explore", "body[data-network-nodes='0']")
    page.fill("#network-search", first["name"])
    page.locator("#network-hits li", has_text=first["name"]).first.click()
    page.wait_for_function("window.cellmapNetwork.graph.order > 1")
    around = api(page, f"/api/network/neighbours/{first['id']}")
    assert page.evaluate("window.cellmapNetwork.graph.order") == len(around["nodes"])
    # Colour by detected community, size by betweenness, then keep only well-graded ties (whole network).
    page.select_option("#network-mode", "whole")
    page.wait_for_function(
        f"window.cellmapNetwork.graph.order == "
        f"{len(api(page, '/api/network', view='persons')['nodes'])}"
    )
    page.select_option("#network-colour", "community")
    page.select_option("#network-grade", "B2")
    strict = len(api(page, "/api/network", min_grade="B2", view="persons")["nodes"])
    page.wait_for_function(f"window.cellmapNetwork.graph.order == {strict}")
    assert "community" in page.locator("#network-legend").inner_text()
    assert (
        "min_grade=B2" in page.url and "colour=community" in page.url
    )  # the view can be bookmarked
    screenshot(page, "network-community-B2")


def node_point(page, node: str) -> tuple[float, float]:
    """Where a network node is drawn, in page coordinates."""
    box = page.locator("#sigma").bounding_box()
    p = page.evaluate(
        """(node) => { const r = window.cellmapNetwork.renderer;
        return r.framedGraphToViewport(r.getNodeDisplayData(node)); }""",
        node,
    )
    return box["x"] + p["x"], box["y"] + p["y"]


def test_network_opens_folded_and_works_as_a_link_chart(page, tmp_path):
    """Groups at open (≤ 500 drawn), fragments aside, legend outside the drawing, expand on click,
    selection ring, multi-select, hide, undo/redo, pin, layouts, shortcuts, a saved case reopened,
    and the view exported as SVG, PNG and PDF."""
    open_view(page, "network", "body[data-network-nodes]")
    data = api(page, "/api/network")
    drawn = int(page.get_attribute("body", "data-network-nodes"))
    assert drawn == len(data["nodes"]) <= 500 and data["entities"] > 2 * drawn
    assert "small fragments aside" in page.locator("#fragments-panel summary").inner_text()
    legend, canvas = (
        page.locator("#network-legend").bounding_box(),
        page.locator("#sigma").bounding_box(),
    )
    assert legend["y"] + legend["height"] <= canvas["y"] + 1  # above the drawing, not over it
    colours = page.evaluate(
        "window.cellmapNetwork.graph.filterNodes((n, a) => a.kind === 'cell').map((n) => "
        "window.cellmapNetwork.graph.getNodeAttribute(n, 'color'))"
    )
    swatches = page.locator("#network-legend .legend-item .swatch").count()
    assert len(set(colours)) <= swatches  # every colour on the canvas is in the legend
    legend_colours = page.evaluate(
        "[...document.querySelectorAll('#network-legend .legend-item .swatch')]"
        ".map((s) => s.style.background).filter(Boolean)"
    )
    assert len(legend_colours) == len(set(legend_colours))  # no colour repeats
    screenshot(page, "network-groups")
    # Click the largest cell: it expands into its members.
    cell = max(
        (n for n in data["nodes"] if str(n["id"]).startswith("cell:")), key=lambda n: n["members"]
    )
    page.mouse.click(*node_point(page, cell["id"]))
    page.wait_for_function(f"!window.cellmapNetwork.graph.hasNode('{cell['id']}')")
    members = page.evaluate(
        f"window.cellmapNetwork.graph.filterNodes((n, a) => a.group === '{cell['id']}').length"
    )
    assert members == cell["members"]
    assert "expand=" in page.url
    # Select a member: the ring marks it; shift-click adds a second; h hides both; Ctrl+Z undoes.
    page.wait_for_timeout(400)  # the camera frames the members
    page.wait_for_function("!window.cellmapNetwork.renderer.getCamera().isAnimated()")
    canvas = page.locator("#sigma").bounding_box()
    members_at = {
        m: node_point(page, m)
        for m in page.evaluate(
            f"window.cellmapNetwork.graph.filterNodes((n, a) => a.group === '{cell['id']}')"
        )
    }
    # Only members drawn well inside the canvas can be clicked.
    members_at = {
        m: (x, y)
        for m, (x, y) in members_at.items()
        if canvas["x"] + 30 < x < canvas["x"] + canvas["width"] - 30
        and canvas["y"] + 30 < y < canvas["y"] + canvas["height"] - 30
    }
    assert len(members_at) >= 3
    # Three members well apart on screen: the first, the farthest from it, the farthest from both.
    first = next(iter(members_at))

    def apart(*chosen):
        return max(
            (m for m in members_at if m not in chosen),
            key=lambda m: min(
                (members_at[m][0] - members_at[c][0]) ** 2
                + (members_at[m][1] - members_at[c][1]) ** 2
                for c in chosen
            ),
        )

    second = apart(first)
    member = [first, second, apart(first, second)]
    page.mouse.click(*node_point(page, member[0]))
    page.wait_for_selector("#network-overlay circle.select-mark")
    page.wait_for_selector("#node-detail")
    assert page.evaluate("window.cellmapNetwork.state.selected") == member[0]
    page.keyboard.down("Shift")
    page.mouse.click(*node_point(page, member[1]))
    page.keyboard.up("Shift")
    page.wait_for_function("window.cellmapNetwork.state.multi.size === 2")
    page.wait_for_selector("#multi-detail")
    page.keyboard.press("h")
    hidden = page.evaluate("window.cellmapNetwork.state.hidden.size")
    assert hidden == 2 and "Show hidden (2)" in page.locator("#show-hidden").inner_text()
    page.keyboard.press("Control+z")
    page.wait_for_function("window.cellmapNetwork.state.hidden.size === 0")
    page.keyboard.press("Control+y")
    page.wait_for_function("window.cellmapNetwork.state.hidden.size === 2")
    page.click("#show-hidden")
    # Drag a node: it is pinned where it was dropped, and keeps that place across layouts.
    x, y = node_point(page, member[2])
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 40, steps=5)
    page.mouse.up()
    pinned = page.evaluate(f"window.cellmapNetwork.state.pinned.has('{member[2]}')")
    assert pinned
    before = page.evaluate(f"window.cellmapNetwork.graph.getNodeAttributes('{member[2]}')")
    page.keyboard.press("2")  # hierarchical layout
    assert page.locator("#network-layout").input_value() == "hierarchy"
    after = page.evaluate(f"window.cellmapNetwork.graph.getNodeAttributes('{member[2]}')")
    assert (after["x"], after["y"]) == (before["x"], before["y"])
    page.keyboard.press("3")
    assert page.locator("#network-layout").input_value() == "circle"
    page.keyboard.press("1")
    # A note on the selected node, then the case is saved and reopened in a fresh page.
    page.mouse.click(*node_point(page, member[0]))
    page.fill("#node-note", "seen with the courier in two reports")
    page.locator("#node-note").dispatch_event("change")
    page.fill("#case-name", "Largest cell, first look")
    page.click("#case-save")
    page.wait_for_selector("#case-message >> text=Saved")
    assert "case=" in page.url
    saved = api(page, "/api/cases", view="network")[0]
    assert saved["name"] == "Largest cell, first look"
    case = api(page, f"/api/cases/{saved['id']}")
    assert case["state"]["expanded"] == [cell["id"]]
    assert case["state"]["notes"][member[0]] == "seen with the courier in two reports"
    assert member[2] in case["state"]["pinned"]
    screenshot(page, "network-expanded-case")
    # Exports of the current view, in real formats.
    for fmt, magic in (("svg", b"<svg"), ("png", b"\x89PNG"), ("pdf", b"%PDF-1.4")):
        with page.expect_download() as download:
            page.select_option("#export-format", fmt)
        path = tmp_path / f"view.{fmt}"
        download.value.save_as(path)
        assert path.read_bytes()[:16].find(magic) >= 0, fmt
    image = Image.open(tmp_path / "view.png")
    assert (
        image.size == (1600, 1000)
        and coloured_pixels(tmp_path / "view.png", {"x": 0, "y": 40, "width": 1600, "height": 900})
        > 2000
    )
    assert "SYNTHETIC" in (tmp_path / "view.svg").read_text(encoding="utf-8")
    # Reopen the case from its address in a new page.
    fresh = page.context.new_page()
    fresh.goto(f"{page.base_url}/#/network?case={saved['id']}")
    fresh.wait_for_selector("#case-message >> text=Opened")
    fresh.wait_for_function(f"window.cellmapNetwork.graph.hasNode('{member[0]}')")
    assert fresh.evaluate("window.cellmapNetwork.state.selected") == member[0]
    assert fresh.locator("#node-note").input_value() == "seen with the courier in two reports"
    fresh.close()


def test_one_time_window_filters_network_map_and_timeline(page):
    open_view(page, "network", "body[data-network-nodes]")
    page.wait_for_selector("#time-filter rect")
    everything = int(page.get_attribute("body", "data-network-nodes"))
    months = api(page, "/api/timeline/histogram")["months"]
    first = next(i for i, m in enumerate(months) if m["month"] == "2023-01")
    last = next(i for i, m in enumerate(months) if m["month"] == "2023-12")
    page.evaluate(
        """([a, b]) => { const low = document.querySelector('#time-low'),
        high = document.querySelector('#time-high');
        low.value = a; high.value = b; low.dispatchEvent(new Event('change')); }""",
        [first, last],
    )
    page.wait_for_function("location.hash.includes('start=2023-01-01')")
    page.wait_for_selector("#network-stats >> text=with a tie valid in 2023-01-01 – 2023-12-31")
    in_2023 = sum(m["incidents"] for m in months[first : last + 1])
    assert f"{in_2023:,} incidents" in page.locator("#time-label").inner_text()
    expected = api(page, "/api/network", start="2023-01-01", end="2023-12-31")
    page.wait_for_function(f"document.body.dataset.networkNodes == '{len(expected['nodes'])}'")
    assert everything > 0
    screenshot(page, "network-2023")
    # The map and the timeline open on the same window.
    page.goto(f"{page.base_url}/#/map")
    page.wait_for_selector("body[data-map-ready]", timeout=60_000)
    incidents = api(page, "/api/map")["incidents"]
    shown = sum(1 for i in incidents if i["date"] and "2023-01-01" <= i["date"] <= "2023-12-31")
    page.wait_for_function(f"document.body.dataset.mapIncidents == '{shown}'")
    legend = page.locator("#map-legend").bounding_box()
    map_box = page.locator("#map").bounding_box()
    assert legend["x"] + legend["width"] <= map_box["x"] + 1  # beside the map, not over it
    assert "incidents per hexagon" in page.locator("#map-legend").inner_text().lower()
    page.wait_for_selector("#hex-scale .hex-ramp")
    screenshot(page, "map-2023")
    page.goto(f"{page.base_url}/#/timeline")
    page.wait_for_selector("body[data-timeline-events]")
    events = api(page, "/api/timeline")["events"]
    in_window = sum(1 for e in events if "2023-01-01" <= e["date"] <= "2023-12-31")
    page.wait_for_function(f"document.body.dataset.timelineEvents == '{in_window}'")
    assert "time window 2023-01-01 – 2023-12-31" in page.locator("#timeline-stats").inner_text()
    screenshot(page, "timeline-2023")
    page.click("#timeline-time-reset")
    page.wait_for_function(f"document.body.dataset.timelineEvents == '{len(events)}'")


def link_point(page, a: str, b: str) -> tuple[float, float]:
    """The middle of the link between nodes a and b, in page coordinates."""
    (ax, ay), (bx, by) = node_point(page, a), node_point(page, b)
    return (ax + bx) / 2, (ay + by) / 2


def overlapping_labels(page) -> tuple[int, int]:
    """(labels drawn, pairs of them that overlap), the boxes measured with the canvas' own text
    metrics in the label font (not the view's estimate of 7 px a character)."""
    return tuple(
        page.evaluate(
            """() => { const { graph, renderer } = window.cellmapNetwork;
            const ctx = document.createElement("canvas").getContext("2d");
            ctx.font = "12px DejaVu Sans, sans-serif";
            const boxes = [];
            graph.forEachNode((node) => {
              const d = renderer.getNodeDisplayData(node);
              if (!d || d.hidden || !d.label || !d.forceLabel) return;
              const p = renderer.framedGraphToViewport(d);
              const x = p.x + renderer.scaleSize(d.size) + 3;
              boxes.push({ x, y: p.y - 6, w: ctx.measureText(d.label).width, h: 12 });
            });
            let overlaps = 0;
            boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
              if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) overlaps++;
            }));
            return [boxes.length, overlaps]; }"""
        )
    )


def test_a_note_on_a_link_is_kept_with_the_case(page):
    """A click on a link selects it (marked on the canvas, its ends and ties beside it), a note on it
    is saved with the case, listed among the case's notes, and a person-to-person link reopened from
    a case shows the relationships behind it with their reports, as the path query gives them."""
    open_view(page, "network", "body[data-network-nodes]")
    page.wait_for_function("!window.cellmapNetwork.renderer.getCamera().isAnimated()")
    data = api(page, "/api/network")
    canvas = page.locator("#sigma").bounding_box()
    drawn = {str(n["id"]): node_point(page, str(n["id"])) for n in data["nodes"]}

    def clear_of_nodes(x: float, y: float) -> bool:
        inside = canvas["x"] + 40 < x < canvas["x"] + canvas["width"] - 40 and (
            canvas["y"] + 40 < y < canvas["y"] + canvas["height"] - 40
        )
        return inside and all((x - nx) ** 2 + (y - ny) ** 2 > 30**2 for nx, ny in drawn.values())

    group_links = sorted(
        (e for e in data["edges"] if isinstance(e["source"], str) and isinstance(e["target"], str)),
        key=lambda e: -e["ties"],
    )
    link = next(
        e for e in group_links if clear_of_nodes(*link_point(page, e["source"], e["target"]))
    )
    a, b = sorted([link["source"], link["target"]])
    key = f"{a}|{b}"
    drawn_labels, overlaps = overlapping_labels(page)
    assert drawn_labels >= 10 and overlaps == 0  # labels where they fit, none over another
    page.mouse.click(*link_point(page, a, b))
    page.wait_for_selector("#link-detail")
    assert page.evaluate("window.cellmapNetwork.state.link") == key
    labels = {str(n["id"]): n["label"].rsplit(" · ", 1)[0] for n in data["nodes"]}
    detail = page.locator("#link-detail").inner_text()
    assert labels[a] in detail and labels[b] in detail
    assert f"ties between them\t{link['ties']:,}" in detail
    # … and the ties behind it, best grade first, each with its reports (the ties route's answer)
    page.wait_for_selector("#link-evidence h3")
    ties = api(page, "/api/network/ties", a=a, b=b, limit=20)
    evidence = page.locator("#link-evidence")
    assert evidence.locator("h3").inner_text() == f"Ties ({ties['total']:,}), best grade first"
    assert evidence.locator("li").count() == len(ties["ties"]) == min(20, link["ties"])
    shown = evidence.locator("li").first.inner_text()
    first = ties["ties"][0]
    assert first["source"]["name"] in shown and first["target"]["name"] in shown
    assert first["relations"][0]["report"]["report_key"] in shown
    screenshot(page, "network-link-selected")
    page.fill("#link-note", "the two cells share a courier (two reports)")
    page.locator("#link-note").dispatch_event("change")
    page.fill("#case-name", "Courier between two cells")
    page.click("#case-save")
    page.wait_for_selector("#case-message >> text=Saved")
    saved = next(
        c
        for c in api(page, "/api/cases", view="network")
        if c["name"] == "Courier between two cells"
    )
    state = api(page, f"/api/cases/{saved['id']}")["state"]
    assert state["notes"] == {key: "the two cells share a courier (two reports)"}
    assert state["link"] == key
    # A click on the empty canvas clears the selection; the notes of the case are listed.
    page.keyboard.press("Control+z")  # undo the note: the list is empty again …
    page.wait_for_function(f"!('{key}' in window.cellmapNetwork.state.notes)")
    page.keyboard.press("Control+y")  # … and redo it
    page.wait_for_function(f"'{key}' in window.cellmapNetwork.state.notes")
    page.evaluate("window.cellmapNetwork.renderer.emit('clickStage', {})")
    page.wait_for_selector("#notes-list >> text=Notes (1)")
    assert f"{labels[a]} — {labels[b]}" in page.locator("#notes-list").inner_text()

    # A case on a person-to-person link inside an expanded cell, reopened: its relationships and
    # their reports are the path query's for the two persons.
    cell = max(
        (n for n in data["nodes"] if str(n["id"]).startswith("cell:")), key=lambda n: n["members"]
    )
    members = api(page, "/api/network", expand=cell["id"])
    inside = {
        n["id"] for n in members["nodes"] if n.get("group") == cell["id"] and n["kind"] == "person"
    }
    edge = next(e for e in members["edges"] if e["source"] in inside and e["target"] in inside)
    x, y = sorted([str(edge["source"]), str(edge["target"])])
    expected = api(page, "/api/paths", source=x, target=y, limit=1)["paths"][0]["edges"]
    assert len(expected) == 1
    reports = {r["report"]["report_key"] for r in expected[0]["relations"]}
    case = httpx.post(
        page.base_url + "/api/cases",
        json={
            "name": "Two members",
            "view": "network",
            "state": {
                "expanded": [cell["id"]],
                "link": f"{x}|{y}",
                "notes": {f"{x}|{y}": "met twice"},
            },
        },
        headers=page.api_headers,
        timeout=60,
    ).json()
    page.goto(f"{page.base_url}/#/network?case={case['id']}")
    page.wait_for_selector("#link-evidence li")
    assert page.locator("#link-note").input_value() == "met twice"
    page.wait_for_function("!window.cellmapNetwork.renderer.getCamera().isAnimated()")
    page.wait_for_timeout(300)  # the labels that fit are chosen after the camera stops
    drawn_labels, overlaps = overlapping_labels(page)
    assert drawn_labels >= 5 and overlaps == 0, (drawn_labels, overlaps)
    shown = page.locator("#link-evidence li").all_inner_texts()
    assert len(shown) == len(expected[0]["relations"])
    assert all(any(r in text for r in reports) for text in shown)
    screenshot(page, "network-person-link-reopened")


def save_case(page, name: str) -> int:
    page.fill("#case-name", name)
    page.click("#case-save")
    page.wait_for_selector("#case-message >> text=Saved")
    return int(page.url.rsplit("case=", 1)[1].split("&")[0])


def test_timeline_and_map_cases_reopen_with_their_filters_window_and_notes(page):
    """A timeline case keeps the cell, the event types, the zoomed window, the selected event and a
    note on it; a map case keeps the time window, the layers and the camera. Each reopens from its
    address in a fresh page, with the counts the API gives for the same filters."""
    open_view(page, "timeline", "body[data-timeline-events]")
    cells = api(page, "/api/timeline")["cells"]
    cell = cells[0]
    page.select_option("#timeline-cell", str(cell["id"]))
    page.uncheck("#view input[value='incident']")
    kept = ["strike", "arrest", "role_change", "exit"]
    expected = len(api(page, "/api/timeline", cell=cell["id"], categories=",".join(kept))["events"])
    page.wait_for_function(f"document.body.dataset.timelineEvents === '{expected}'")
    box = page.locator("#timeline-canvas").bounding_box()
    hit = page.evaluate("window.cellmapTimeline.hits()")[0]
    page.mouse.click(box["x"] + hit["x"], box["y"] + hit["y"])
    page.wait_for_selector("#event-detail")
    label = page.locator("#event-detail h2").inner_text()
    page.fill("#event-note", "the first event of this cell on our axis")
    page.locator("#event-note").dispatch_event("change")
    timeline_case = save_case(page, "Cell timeline")

    open_view(page, "map", "body[data-map-ready]")
    page.select_option("#map-span", "91")
    page.uncheck("#map-hex")
    page.evaluate("window.cellmapMap.jumpTo({ center: [40.1, 35.3], zoom: 7.2 })")
    shown = page.get_attribute("body", "data-map-incidents")
    map_case = save_case(page, "Three months on the Euphrates")
    state = api(page, f"/api/cases/{map_case}")["state"]
    assert state["span"] == "91" and state["hexagons"] is False
    assert abs(state["camera"]["zoom"] - 7.2) < 1e-6

    fresh = page.context.new_page()
    fresh.goto(f"{page.base_url}/#/timeline?case={timeline_case}")
    fresh.wait_for_selector("#case-message >> text=Opened")
    fresh.wait_for_selector("#event-detail")
    assert fresh.locator("#timeline-cell").input_value() == str(cell["id"])
    assert not fresh.locator("#view input[value='incident']").is_checked()
    assert fresh.get_attribute("body", "data-timeline-events") == str(expected)
    assert fresh.locator("#event-detail h2").inner_text() == label
    assert fresh.locator("#event-note").input_value() == "the first event of this cell on our axis"
    screenshot(fresh, "timeline-case-reopened")
    fresh.goto(f"{page.base_url}/#/map?case={map_case}")
    fresh.wait_for_selector("#case-message >> text=Opened")
    assert fresh.locator("#map-span").input_value() == "91"
    assert not fresh.locator("#map-hex").is_checked()
    assert fresh.get_attribute("body", "data-map-incidents") == shown
    assert abs(fresh.evaluate("window.cellmapMap.getZoom()") - 7.2) < 1e-6
    screenshot(fresh, "map-case-reopened")
    fresh.close()
