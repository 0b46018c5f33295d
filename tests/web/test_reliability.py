"""The workbench under writes from elsewhere and from many clients at once: caches follow the store's
change counter (a write by another process is seen), measures are cached per filters, concurrent
imports and judgements all land, and the server never forks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import networkx as nx

from cellmap.graph import parallel
from cellmap.store import views
from cellmap.web import analysis
from cellmap.web.graphs import link_chart
from cellmap.web.workbench import Filters

from .conftest import REPO


def _persons(tag: str, n: int, shared: int = 5) -> bytes:
    """n persons of report R-1 plus `shared` persons every such file names, chained by contacts."""
    keys = [f"SH-{i}" for i in range(shared)] + [f"{tag}-{i}" for i in range(n)]
    lines = [
        {"record": "entity", "id": k, "kind": "person", "report": "R-1",
         "properties": {"name": [f"Person {k}"]}}
        for k in keys
    ] + [
        {"record": "relation", "kind": "communication", "source": a, "target": b, "report": "R-1"}
        for a, b in zip(keys, keys[1:], strict=False)
    ]  # fmt: skip
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def test_a_write_by_another_process_is_seen(client, store, tmp_path):
    before = client.get("/api/status").json()["counts"]
    assert client.get("/api/search", params={"q": "Person OTHER-1"}).json() == []
    extra = tmp_path / "other.cellmap.jsonl"
    extra.write_bytes(_persons("OTHER", 3))
    done = subprocess.run(
        [sys.executable, "-m", "cellmap.cli", "import", str(extra), "--db", store.url],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    after = client.get("/api/status").json()["counts"]
    assert after["entities"] == before["entities"] + 8
    assert [
        h["name"] for h in client.get("/api/search", params={"q": "Person OTHER-1"}).json()
    ] == ["Person OTHER-1"]


def test_measures_are_cached_per_filters(client):
    wb = client.app.state.workbench
    for kinds in (("membership",), ("communication",), None, ("membership",)):
        chart = link_chart(wb, Filters(kinds=kinds))
        g = nx.Graph()
        g.add_nodes_from(range(chart.graph.vcount()))
        g.add_edges_from(e.tuple for e in chart.graph.es)
        expected = [float(d) for _, d in sorted(g.degree())]
        assert analysis.measure(wb, chart, "degree") == expected
        betweenness = nx.betweenness_centrality(g)
        got = analysis.measure(wb, chart, "betweenness")
        assert max(abs(got[v] - betweenness[v]) for v in g) < 1e-9


def _judgements(client) -> int:
    with client.app.state.workbench.store.session() as conn:
        return views.counts(conn)["judgements"]


def test_concurrent_imports_and_judgements_all_land(client):
    ids = client.get("/api/search", params={"q": "Hamza"}).json()
    pair = sorted(h["id"] for h in ids)[:2]
    before = client.get("/api/status").json()["counts"]
    judged_before = _judgements(client)

    def upload(tag: str):
        content = _persons(tag, 40)
        return client.post(
            "/api/import", files={"files": (f"{tag}.cellmap.jsonl", content, "application/json")}
        )

    def judge(decision: str):
        return client.post(
            "/api/review/judgements",
            json={"left_id": pair[0], "right_id": pair[1], "decision": decision},
        )

    with ThreadPoolExecutor(6) as pool:
        imports = [pool.submit(upload, tag) for tag in ("QA", "QB", "QC", "QD")]
        judgements = [pool.submit(judge, d) for d in ("unsure", "not_same", "unsure", "not_same")]
        statuses = [f.result().status_code for f in imports + judgements]
    assert statuses == [200] * 8
    after = client.get("/api/status").json()["counts"]
    assert after["entities"] == before["entities"] + 5 + 4 * 40
    # the shared persons' contacts come from the same report in every file: stored once
    assert after["relations"] == before["relations"] + 4 + 4 * 40
    assert _judgements(client) == judged_before + 4


def test_the_server_forbids_forking_before_it_serves(monkeypatch, tmp_path):
    import uvicorn

    from cellmap.web.cli import run_server

    seen = {}
    monkeypatch.setattr(parallel, "_FORK_ALLOWED", True)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.update(fork=parallel.fork_allowed()))
    run_server(str(tmp_path / "s.sqlite"), "127.0.0.1", 0)
    assert seen == {"fork": False}
    # and with forking forbidden a worker pool runs its tasks in this very process
    with parallel.worker_pool(lambda _: os.getpid(), 4) as run:
        assert set(run(range(8))) == {os.getpid()}
