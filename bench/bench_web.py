"""Workbench benchmark: the network view at 5,000 nodes in headless Chromium, the path query's
latency under 20 concurrent clients (loopback only, bounded in requests and time), and on the demo
scenario the review queue (first page, judgement + next pair) and the default folded network.

    python -m bench web                     # 5,000 nodes, 20 clients x 25 path queries
    CELLMAP_BENCH_SCALE=small python -m bench web   # 1,000 nodes, 10 clients x 10 queries
    CELLMAP_BENCH_WEB=demo python -m bench web      # only the demo part: review queue, network

The graph is synthetic (a seeded Barabási–Albert network of fictional persons in cells, imported
through `cellmap.ingest`). References printed in the same run: the API call alone (what the page
adds on top of it), one client alone (what concurrency adds), and NetworkX's all_shortest_paths
in-process on the same graph (what the HTTP round trip and evidence lookup add).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

SCALES = {
    "full": {"nodes": 5000, "clients": 20, "requests": 25},
    "small": {"nodes": 1000, "clients": 10, "requests": 10},
}
TIME_LIMIT_S = 180  # the load test stops by itself after this, whatever is left
CHROMIUM = os.environ.get("CELLMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CELLS = 50
# Frames per second while the camera zooms in and out as the mouse wheel does (animated camera).
ZOOM_FPS = """async () => {
    const camera = window.cellmapNetwork.renderer.getCamera();
    let frames = 0, counting = true;
    const count = () => { frames++; if (counting) requestAnimationFrame(count); };
    requestAnimationFrame(count);
    const start = performance.now();
    await camera.animate({ ratio: 0.3 }, { duration: 1000 });
    await camera.animate({ ratio: 1 }, { duration: 1000 });
    counting = false;
    return frames / ((performance.now() - start) / 1000);
}"""


def write_graph(path: Path, nodes: int, seed: int = 8) -> list[str]:
    """A synthetic network of exactly `nodes` entities (persons and CELLS cells) as cellmap JSON lines."""
    import igraph as ig

    rng = random.Random(seed)
    persons = nodes - CELLS
    graph = ig.Graph.Barabasi(persons, 2, implementation="psumtree")
    grades = ["A1", "B2", "B3", "C3", "D4", "E5"]
    lines = [
        {
            "record": "report",
            "id": f"R-{i}",
            "title": f"Synthetic bench report {i}",
            "kind": "intercept_summary",
            "date": "2022-01-01",
            "source": "bench generator",
            "grade": grades[i % len(grades)],
            "synthetic": True,
        }
        for i in range(12)
    ]
    lines += [
        {
            "record": "entity",
            "id": f"C-{c}",
            "kind": "cell",
            "report": "R-0",
            "properties": {"name": [f"Bench cell {c}"]},
        }
        for c in range(CELLS)
    ]
    lines += [
        {
            "record": "entity",
            "id": f"P-{p}",
            "kind": "person",
            "report": f"R-{p % 12}",
            "properties": {"name": [f"Person {p:05d} (synthetic)"]},
        }
        for p in range(persons)
    ]
    lines += [
        {
            "record": "relation",
            "kind": "membership",
            "source": f"P-{p}",
            "target": f"C-{p % CELLS}",
            "role": "member",
            "report": f"R-{p % 12}",
            "valid_from": "2020-01",
        }
        for p in range(persons)
    ]
    lines += [
        {
            "record": "relation",
            "kind": "communication",
            "source": f"P-{a}",
            "target": f"P-{b}",
            "report": f"R-{rng.randrange(12)}",
            "attrs": {"count": 1 + rng.randrange(5)},
        }
        for a, b in graph.get_edgelist()
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return [f"P-{p}" for p in range(persons)]


def start_server(db: str, port: int) -> subprocess.Popen:
    code = f"from cellmap.web.cli import run_server; run_server({db!r}, '127.0.0.1', {port})"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=5).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the workbench server did not start")


def page_load(url: str) -> dict:
    """Network view in headless Chromium: time to nodes drawn (cold server cache, then warm), and the
    frame rate while the camera zooms."""
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        for run in ("cold", "warm"):
            page.goto("about:blank")
            page.goto(f"{url}/#/network?mode=whole")  # every entity, not the folded view
            page.wait_for_selector("body[data-network-nodes]", timeout=300_000)
            page.evaluate(
                "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
            )
            out[f"load_ms_{run}"] = page.evaluate("performance.now()")
            out["nodes"] = int(page.get_attribute("body", "data-network-nodes"))
        out["fps_zooming"] = page.evaluate(ZOOM_FPS)
        # Reference: the same canvas with no node (explore mode before any search): sigma's own cost.
        page.goto(f"{url}/#/network?mode=explore")
        page.wait_for_selector("body[data-network-nodes='0']", timeout=60_000)
        out["fps_zooming_empty_canvas"] = page.evaluate(ZOOM_FPS)
        # Reference: the frame rate of this browser on this machine with nothing to draw.
        page.goto("about:blank")
        out["fps_blank"] = page.evaluate("""async () => {
            let frames = 0; const start = performance.now();
            await new Promise((resolve) => { const tick = () => { frames++;
                if (performance.now() - start < 2000) requestAnimationFrame(tick); else resolve(); };
                requestAnimationFrame(tick); });
            return frames / ((performance.now() - start) / 1000);
        }""")
        browser.close()
    started = time.perf_counter()
    httpx.get(f"{url}/api/network", params={"view": "persons"}, timeout=120).raise_for_status()
    out["api_only_ms"] = (time.perf_counter() - started) * 1000
    return out


def path_latency(
    url: str, pairs: list[tuple[int, int]], clients: int, per_client: int
) -> list[float]:
    """Latencies (ms) of /api/paths with `clients` threads each sending `per_client` requests."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + TIME_LIMIT_S

    def client(k: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            for i in range(per_client):
                if time.monotonic() > deadline:
                    return
                source, target = pairs[(k * per_client + i) % len(pairs)]
                started = time.perf_counter()
                http.get(
                    "/api/paths", params={"source": source, "target": target, "limit": 5}
                ).raise_for_status()
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


@contextmanager
def serving(db: str, port: int) -> Iterator[str]:
    """A `cellmap serve` subprocess on loopback for the duration of the block; yields its URL."""
    server = start_server(db, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def path_load(
    url: str, pairs: list[tuple[int, int]], scale: dict
) -> tuple[list[float], list[float]]:
    """Path-query latencies (ms) for one client alone and for `scale['clients']` at once, after one warm-up."""
    httpx.get(
        f"{url}/api/paths", params={"source": pairs[0][0], "target": pairs[0][1]}, timeout=120
    )
    return (
        path_latency(url, pairs, 1, scale["requests"]),
        path_latency(url, pairs, scale["clients"], scale["requests"]),
    )


def main() -> None:
    if os.environ.get("CELLMAP_BENCH_WEB") == "demo":
        print_demo_workbench(demo_workbench())
        return
    import networkx as nx

    from cellmap.ingest import import_files
    from cellmap.store import open_store, views

    scale = SCALES["small" if os.environ.get("CELLMAP_BENCH_SCALE") == "small" else "full"]
    with tempfile.TemporaryDirectory(prefix="cellmap-bench-web-") as folder:
        data = Path(folder) / "graph.cellmap.jsonl"
        write_graph(data, scale["nodes"])
        db = "sqlite:///" + str(Path(folder) / "bench.sqlite")
        store = open_store(db)
        store.init()
        import_files(store, [data])
        with store.session() as conn:
            entities = views.entities(conn, kinds=["person"])
            relations = views.relations(conn)
        store.close()
        person_ids = entities["entity_id"].to_list()
        rng = random.Random(3)
        pairs = [tuple(rng.sample(person_ids, 2)) for _ in range(200)]
        with serving(db, 8700 + rng.randrange(200)) as url:
            load = page_load(url) if Path(CHROMIUM).exists() else None
            single, loaded = path_load(url, pairs, scale)
    graph = nx.Graph()
    graph.add_edges_from(relations.select("source_id", "target_id").iter_rows())
    started = time.perf_counter()
    for source, target in pairs[: scale["requests"]]:
        list(nx.all_shortest_paths(graph, source, target))
    networkx_ms = (time.perf_counter() - started) * 1000 / scale["requests"]

    print(
        f"network view, {scale['nodes']} entities (synthetic Barabási–Albert persons in {CELLS} cells)"
    )
    if load:
        print(f"  nodes drawn on the canvas           {load['nodes']}")
        print(
            f"  page load to nodes drawn, cold      {load['load_ms_cold']:.0f} ms   (server computes layout, measures)"
        )
        print(f"  page load to nodes drawn, warm      {load['load_ms_warm']:.0f} ms")
        print(
            f"  reference: GET /api/network alone   {load['api_only_ms']:.0f} ms   "
            f"(page/API ratio {load['load_ms_warm'] / max(load['api_only_ms'], 1e-9):.2f})"
        )
        print(
            f"  frame rate while zooming (SwiftShader, CPU WebGL)  {load['fps_zooming']:.1f} fps   "
            f"(references: same canvas with no node {load['fps_zooming_empty_canvas']:.1f} fps, "
            f"empty page {load['fps_blank']:.1f} fps)"
        )
    else:
        print(f"  (no Chromium at {CHROMIUM}: page load not measured)")
    print(
        f"path query /api/paths, {scale['clients']} concurrent clients x {scale['requests']} requests, loopback"
    )
    print(
        f"  p50 {statistics.median(loaded):.1f} ms   p95 {p95(loaded):.1f} ms   max {max(loaded):.1f} ms   "
        f"({len(loaded)} requests)"
    )
    print(
        f"  reference: one client alone          p50 {statistics.median(single):.1f} ms   p95 {p95(single):.1f} ms "
        f"(p95 ratio {p95(loaded) / p95(single):.1f}x)"
    )
    print(f"  reference: NetworkX all_shortest_paths in-process  {networkx_ms:.1f} ms per query")
    demo = demo_path_latency(scale)
    print(
        f"path query on the demo scenario ({demo['persons']} persons), {scale['clients']} concurrent clients x "
        f"{scale['requests']} requests"
    )
    print(
        f"  p50 {demo['p50_ms']:.1f} ms   p95 {demo['p95_ms']:.1f} ms   max {demo['max_ms']:.1f} ms   "
        f"(one client alone: p95 {demo['single_p95_ms']:.1f} ms)"
    )
    workbench = demo_workbench()
    print_demo_workbench(workbench)
    out = Path("bench-output")
    out.mkdir(exist_ok=True)
    (out / "web.json").write_text(
        json.dumps(
            {
                "scale": scale,
                "page": load,
                "p95_ms": p95(loaded),
                "p50_ms": statistics.median(loaded),
                "single_p95_ms": p95(single),
                "networkx_ms": networkx_ms,
                "demo": demo,
                "demo_workbench": workbench,
            },
            indent=2,
        )
    )


JUDGEMENTS = 40  # decisions timed on the demo's review queue (each: judgement + next page)


def demo_store(folder: Path) -> tuple[str, float, float]:
    """The demo scenario in a fresh SQLite store in `folder`, as `cellmap demo` builds it: imported,
    automatic merges recorded, the review queue scored and kept. Returns its URL, the seconds the
    queue's scoring took and the seconds a later reading of the kept queue takes."""
    from cellmap.ingest import import_files
    from cellmap.resolve.automatic import merge_automatically
    from cellmap.resolve.queue import scored_queue
    from cellmap.scenario import DEMO_SEED, generate, scenario_files
    from cellmap.store import open_store

    generate(DEMO_SEED, "demo", folder / "scenario")
    db = "sqlite:///" + str(folder / "demo.sqlite")
    store = open_store(db)
    store.init()
    import_files(store, scenario_files(folder / "scenario"))
    merge_automatically(store, workers=1)
    started = time.perf_counter()
    scored_queue(store)
    seconds = time.perf_counter() - started
    store.close()
    store = open_store(db)  # another process, as a server started later
    started = time.perf_counter()
    scored_queue(store)
    read = time.perf_counter() - started
    store.close()
    return db, seconds, read


def forget_kept_queue(db: str) -> None:
    """Delete the kept review queue, so that a server start scores it as before it was kept."""
    from cellmap.store import open_store
    from cellmap.store import tables as t

    store = open_store(db)
    with store.transaction() as conn:
        conn.execute(t.review_candidate.delete())
        conn.execute(t.review_queue.delete())
    store.close()


def timed(http: httpx.Client, method: str, path: str, **kwargs) -> tuple[float, dict]:
    started = time.perf_counter()
    response = http.request(method, path, **kwargs)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000, response.json()


def demo_workbench() -> dict:
    """On the demo scenario, as an analyst meets it: the review queue's first page (right after the
    server starts, and once the background scoring is done), then JUDGEMENTS decisions each followed
    by the next page (what the review page does), and the default network (folded into groups) with
    the expansion of its largest cell."""
    out: dict = {}
    port = 8990 + random.Random(9).randrange(9)
    with tempfile.TemporaryDirectory(prefix="cellmap-bench-web-review-") as folder:
        db, out["scoring_s"], out["kept_read_s"] = demo_store(Path(folder))
        # a fresh start with the queue that the demo kept in the store, then one without it
        for kept in (True, False):
            if not kept:
                forget_kept_queue(db)
            with serving(db, port) as url, httpx.Client(base_url=url, timeout=300) as http:
                ms, _ = timed(http, "GET", "/api/review/queue?limit=30")
                out["first_page_at_start_ms" if kept else "first_page_unkept_ms"] = ms
        with (
            serving(db, port) as url,
            httpx.Client(base_url=url, timeout=300) as http,
        ):
            timed(http, "GET", "/api/review/queue?limit=30")  # the server's own first read
            out["first_page_ms"], page = timed(http, "GET", "/api/review/queue?limit=30")
            out["pending"] = page["remaining"]
            decisions = []
            for i in range(JUDGEMENTS):
                pair = page["candidates"][0]
                started = time.perf_counter()
                http.post(
                    "/api/review/judgements",
                    json={
                        "left_id": pair["left"]["id"],
                        "right_id": pair["right"]["id"],
                        "decision": ("same", "not_same", "unsure")[i % 3],
                    },
                ).raise_for_status()
                response = http.get("/api/review/queue", params={"limit": 30, "offset": i % 3})
                response.raise_for_status()
                page = response.json()
                decisions.append((time.perf_counter() - started) * 1000)
            out["decision_ms"] = decisions
            out["network_ms"], network = timed(http, "GET", "/api/network")
            out["network_warm_ms"], network = timed(http, "GET", "/api/network")
            out["network_nodes"] = len(network["nodes"])
            out["network_groups"] = sum(isinstance(n["id"], str) for n in network["nodes"])
            out["network_entities"] = network["entities"]
            out["network_fragments"] = len(network["fragments"])
            largest = max(
                (n for n in network["nodes"] if str(n["id"]).startswith("cell:")),
                key=lambda n: n["members"],
            )
            out["expand_ms"], expanded = timed(
                http, "GET", "/api/network", params={"expand": largest["id"]}
            )
            out["expanded_nodes"] = len(expanded["nodes"])
            out["expanded_group"] = largest["label"]
    return out


def print_demo_workbench(result: dict) -> None:
    decisions = result["decision_ms"]
    print("review queue on the demo scenario (loopback, one analyst)")
    print(
        f"  first page (30 pairs) right at server start   {result['first_page_at_start_ms']:.0f} ms"
        "   (the queue kept in the store by the demo)"
    )
    print(
        f"  the same with no queue kept                   {result['first_page_unkept_ms']:.0f} ms"
        "   (the server scores it in the background from its start)"
    )
    print(
        f"  the queue: scored in {result['scoring_s'] * 1000:,.0f} ms, "
        f"the kept one read in {result['kept_read_s'] * 1000:,.0f} ms (in-process)"
    )
    print(
        f"  first page, server warm                       {result['first_page_ms']:.0f} ms   "
        f"({result['pending']:,} pairs pending)   target < 1,000 ms"
    )
    print(
        f"  judgement + next page, {len(decisions)} decisions        p50 "
        f"{statistics.median(decisions):.0f} ms   p95 {p95(decisions):.0f} ms   max "
        f"{max(decisions):.0f} ms   target < 300 ms"
    )
    print("default network on the demo scenario (folded into cells, sectors and detected groups)")
    print(
        f"  nodes drawn {result['network_nodes']:,} ({result['network_groups']:,} groups) for "
        f"{result['network_entities']:,} entities, {result['network_fragments']:,} fragments aside"
        "   target <= 500"
    )
    print(
        f"  GET /api/network  cold {result['network_ms']:.0f} ms   warm "
        f"{result['network_warm_ms']:.0f} ms;  expand {result['expanded_group']}: "
        f"{result['expand_ms']:.0f} ms, {result['expanded_nodes']:,} nodes"
    )


def demo_path_latency(scale: dict) -> dict:
    """The same path-query load on the built-in demo scenario (real evidence per edge)."""
    from cellmap.ingest import import_files
    from cellmap.scenario import DEMO_SEED, generate, scenario_files
    from cellmap.store import open_store, views

    with tempfile.TemporaryDirectory(prefix="cellmap-bench-web-demo-") as folder:
        generate(DEMO_SEED, "demo", Path(folder) / "scenario")
        db = "sqlite:///" + str(Path(folder) / "demo.sqlite")
        store = open_store(db)
        store.init()
        import_files(store, scenario_files(Path(folder) / "scenario"))
        with store.session() as conn:
            persons = views.entities(conn, kinds=["person"])
        store.close()
        ids = persons.filter(persons["entity_id"] == persons["canonical_id"])["entity_id"].to_list()
        rng = random.Random(5)
        pairs = [tuple(rng.sample(ids, 2)) for _ in range(200)]
        with serving(db, 8900 + rng.randrange(90)) as url:
            single, loaded = path_load(url, pairs, scale)
    return {
        "persons": len(ids),
        "p50_ms": statistics.median(loaded),
        "p95_ms": p95(loaded),
        "max_ms": max(loaded),
        "single_p95_ms": p95(single),
        "requests": len(loaded),
    }


if __name__ == "__main__":
    main()
