"""The Spark engine at scale: components and PageRank on a communication graph of 50 M edges, on
a local standalone cluster (one master, two workers of one core, each worker capped at 4 GB), and
on 1 M edges beside the local engine.

The graph: call-detail-like records — ``source, target`` integer ids and a call count — with a
heavy-tailed activity (a few identifiers call a lot: Zipf-like sampling of the callers, callees
within a local neighbourhood of ids plus 10 % long-range calls, and every call to a busy
identifier's later contacts long-range), each record a distinct tie (:func:`generate`), written
as Parquet in pieces of 5 M rows, never whole in memory.

Printed per run: seconds per phase (read, degree, components, PageRank), the large-star/small-star
rounds and PageRank iterations, shuffle written and read and spill (Spark's REST API), and the
peak resident memory of each worker's process tree (worker daemon + executor JVM, from /proc).
The 1 M-edge run also times the local engine (igraph, in a child process for its peak memory) and
checks the answers agree (degree, component partition, PageRank to 1e-6).

The large run also times the local engine on the same graph first (igraph fits: 50 M edges
need ~10 GB), writes the cluster's answers as Parquet and checks them against it the same way.

``CELLMAP_BENCH_SPARK_EDGES`` (default 50,000,000) sets the large run (0: skip it);
``CELLMAP_BENCH_SPARK_TOL`` is PageRank's stopping tolerance, the L1 change of one step (default
1e-8: the error bound 2α·tol/(1-α)² ≈ 76·tol keeps every vertex within 1e-6 of the exact vector);
``CELLMAP_BENCH_SPARK_ITERATIONS`` caps its iterations (default 500, i.e. no cap in practice);
``CELLMAP_BENCH_SPARK_SMALL=0`` skips the 1 M-edge run, ``CELLMAP_BENCH_SPARK_LOCAL=0`` the local
engine on the large graph. The large run's figures are then extrapolated on paper to 5 B edges on
a 10-node cluster (:func:`extrapolate`). Results go to ``bench-output/spark.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bench.peak import PEAK_KIB

PIECE = 5_000_000
EDGES_PER_NODE = 10  # 50 M edges among 5 M identifiers
OUT = Path("bench-output")


def generate(path: Path, edges: int, seed: int = 0) -> None:
    """Write ``edges`` call records as Parquet pieces (source, target: int64; weight: calls), every
    record a distinct tie, so the graph has exactly ``edges`` edges.

    A tie is a caller c and an offset o in 1 … (n-1)/2 (n odd): callee (c + o) mod n. Each
    undirected pair has exactly one such form, so ties are distinct when each caller's offsets are
    distinct: its j-th call goes to offset 1 + j (a neighbourhood of ids) for j < 45, except every
    tenth call and all calls past the 45th, which go far: offset 51 + (j·P + h(c)) mod M, injective
    in j (P prime, M = (n-1)/2 - 51 not a multiple of P)."""
    path.mkdir(parents=True, exist_ok=True)
    nodes = max(edges // EDGES_PER_NODE, 1001) | 1
    far_range = (nodes - 1) // 2 - 51
    prime = 1_000_003
    assert far_range % prime
    rng = np.random.default_rng(seed)
    calls_so_far = np.zeros(nodes, dtype=np.int64)
    for piece, start in enumerate(range(0, edges, PIECE)):
        size = min(PIECE, edges - start)
        # callers: Zipf-like activity over a random permutation of the ids
        caller = (rng.pareto(1.2, size) * nodes / 50).astype(np.int64) % nodes
        caller = (caller * 2_654_435_761) % nodes  # spread the busy ids over the id range
        # j: the caller's number of earlier calls (in earlier pieces, then earlier in this one)
        by_caller = np.argsort(caller, kind="stable")
        sorted_callers = caller[by_caller]
        first = np.flatnonzero(np.r_[True, sorted_callers[1:] != sorted_callers[:-1]])
        rank = np.arange(size) - np.repeat(first, np.diff(np.r_[first, size]))
        j = np.empty(size, dtype=np.int64)
        j[by_caller] = rank
        j += calls_so_far[caller]
        calls_so_far += np.bincount(caller, minlength=nodes)
        far = (j >= 45) | (j % 10 == 9)
        salt = (caller * 40_503) % far_range
        offset = np.where(far, 51 + (j * prime + salt) % far_range, 1 + j)
        table = pa.table(
            {
                "source": caller,
                "target": (caller + offset) % nodes,
                "weight": rng.integers(1, 20, size).astype(np.float64),
            }
        )
        pq.write_table(table, path / f"part-{piece:04d}.parquet")


def _stage_totals(session) -> dict[str, int]:
    """Shuffle written/read and spill over every stage so far (the driver's REST API)."""
    sc = session.sparkContext
    url = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/stages?status=complete"
    with urllib.request.urlopen(url, timeout=30) as answer:
        stages = json.load(answer)
    keys = {
        "shuffle_write": "shuffleWriteBytes",
        "shuffle_read": "shuffleReadBytes",
        "memory_spilled": "memoryBytesSpilled",
        "disk_spilled": "diskBytesSpilled",
    }
    return {k: sum(int(s.get(v, 0)) for s in stages) for k, v in keys.items()}


def _phase(session, name: str, run, results: dict):
    before = _stage_totals(session)
    started = time.perf_counter()
    value = run()
    seconds = time.perf_counter() - started
    after = _stage_totals(session)
    results[name] = {"seconds": round(seconds, 1), **{k: after[k] - before[k] for k in after}}
    gib = 2**30
    print(
        f"  {name:<11} {seconds:8.1f} s  shuffle written {results[name]['shuffle_write'] / gib:6.2f} GiB"
        f"  read {results[name]['shuffle_read'] / gib:6.2f} GiB"
        f"  spilled {results[name]['disk_spilled'] / gib:6.2f} GiB",
        flush=True,
    )
    return value


def spark_run(
    path: Path,
    memory: str,
    executor_memory: str,
    max_iter: int,
    tol: float,
    save: Path | None = None,
) -> dict:
    """Read, degree, components and PageRank on a fresh standalone cluster; the numbers. The
    answers (id, degree, pagerank, root) come back as ``frames`` (pandas) for a small graph, or are
    written to ``save`` as Parquet by the executors."""
    from cellmap.graph import spark_engine as se
    from cellmap.spark.cluster import StandaloneCluster
    from cellmap.spark.session import spark_session

    results: dict = {}
    with StandaloneCluster(workers=2, cores=1, memory=memory, work_dir=None) as cluster:
        conf = {
            **cluster.session_conf(executor_memory),
            "spark.driver.memory": "2g",
            "spark.sql.shuffle.partitions": "64",
            "spark.ui.enabled": "true",
        }
        session = spark_session(cluster.master_url, conf, "cellmap-bench")
        try:
            cluster.sample_memory()
            started = time.perf_counter()
            graph = _phase(session, "read", lambda: se.read_edges(session, str(path)), results)
            sums = _phase(
                session,
                "degree",
                lambda: se.degree_strength(graph).localCheckpoint(eager=True),
                results,
            )
            roots, rounds = _phase(
                session,
                "components",
                lambda: (lambda r: (r[0].localCheckpoint(eager=True), r[1]))(se.components(graph)),
                results,
            )
            ranks, iterations = _phase(
                session,
                "pagerank",
                lambda: (lambda r: (r[0].localCheckpoint(eager=True), r[1]))(
                    se.pagerank(graph, tol=tol, max_iter=max_iter, strengths=sums)
                ),
                results,
            )
            results["total_seconds"] = round(time.perf_counter() - started, 1)
            results["nodes"] = graph.vertices.count()
            results["edges"] = graph.edges.count()
            results["component_rounds"] = rounds
            results["pagerank_iterations"] = iterations
            results["component_count"] = roots.select("root").distinct().count()
            results["peak_rss_per_worker_gib"] = [
                round(b / 2**30, 2) for b in cluster.stop_sampling()
            ]
            answers = sums.join(ranks, "id").join(roots, "id")
            results["frames"] = None
            if save is not None:
                answers.write.parquet(str(save))
            elif results["nodes"] <= 2_000_000:
                results["frames"] = answers.toPandas()
        finally:
            session.stop()
    return results


LOCAL_SCRIPT = """
import json, sys, time
import numpy as np, polars as pl
from cellmap.graph.projection import graph_from_edge_list
from cellmap.graph.measures import pagerank, degree
started = time.perf_counter()
frame = pl.read_parquet(sys.argv[1] + "/*.parquet").with_columns(pl.col("source", "target").cast(pl.Utf8))
g = graph_from_edge_list(frame)
built = time.perf_counter()
pr = pagerank(g)
membership = g.connected_components().membership
done = time.perf_counter()
np.savez(sys.argv[2], name=np.asarray(g.vs["name"], dtype=np.int64), degree=degree(g), pagerank=pr,
         membership=np.asarray(membership))
print(json.dumps({"build_seconds": built - started, "measure_seconds": done - built,
                  "peak_rss_gib": PEAK_KIB / 2**20}))
""".replace("PEAK_KIB", PEAK_KIB)


def local_run(path: Path) -> tuple[dict, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "local.npz"
        answer = subprocess.run(
            [sys.executable, "-c", LOCAL_SCRIPT, str(path), str(saved)],
            capture_output=True,
            text=True,
            check=True,
        )
        arrays = dict(np.load(saved))
    return json.loads(answer.stdout.strip().splitlines()[-1]), arrays


def agreement(frame, arrays: dict) -> dict:
    """Degree equal, PageRank within 1e-6, same component partition (Spark roots vs igraph)."""
    frame = frame.set_index("id").loc[arrays["name"]]
    degree_equal = bool((frame["degree"].to_numpy() == arrays["degree"]).all())
    pagerank_gap = float(np.abs(frame["pagerank"].to_numpy() - arrays["pagerank"]).max())
    pairs = set(zip(frame["root"].to_numpy().tolist(), arrays["membership"].tolist(), strict=True))
    same_partition = len(pairs) == len(set(frame["root"])) == len(set(arrays["membership"]))
    return {
        "degree_equal": degree_equal,
        "pagerank_max_gap": pagerank_gap,
        "same_components": same_partition,
    }


# the cluster the large run is extrapolated to, on paper: 10 nodes of 16 cores with 4 GB per core
# (the cap measured here), 10 Gbit/s Ethernet and local NVMe for the shuffle files
CLUSTER = {"nodes": 10, "cores_per_node": 16, "network_gib_s": 1.16, "disk_gib_s": 1.0}
TARGET_EDGES = 5_000_000_000


def extrapolate(big: dict, edges: int, target: int = TARGET_EDGES, cluster=CLUSTER) -> dict:
    """Each phase on ``cluster`` for ``target`` edges, from the run on two 1-core workers: compute
    scales with the per-edge cost (2 cores × seconds / edges: every phase is O(m) per round or
    iteration), shuffle with the edges; the shuffle's transfer ((nodes-1)/nodes of what is read
    crosses the network) and its files (written once, to local disk) are bounded separately, and
    the phase takes the largest of the three. Components may need a round or two more (O(log² n)
    rounds; not included)."""
    scale = target / edges
    cores = cluster["nodes"] * cluster["cores_per_node"]
    crossing = (cluster["nodes"] - 1) / cluster["nodes"]
    out = {}
    for name in ("read", "degree", "components", "pagerank"):
        phase = big[name]
        core_seconds_per_edge = 2 * phase["seconds"] / edges
        compute = core_seconds_per_edge * target / cores
        shuffle_read = phase["shuffle_read"] * scale / 2**30
        shuffle_write = phase["shuffle_write"] * scale / 2**30
        network = shuffle_read * crossing / (cluster["nodes"] * cluster["network_gib_s"])
        disk = shuffle_write / (cluster["nodes"] * cluster["disk_gib_s"])
        out[name] = {
            "core_us_per_edge": round(core_seconds_per_edge * 1e6, 2),
            "compute_s": round(compute),
            "shuffle_read_gib": round(shuffle_read),
            "network_s": round(network),
            "disk_s": round(disk),
            "estimate_s": round(max(compute, network, disk)),
        }
    return out


def _env(name: str, default: str) -> str:
    return os.environ.get(f"CELLMAP_BENCH_SPARK_{name}", default)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    big = int(_env("EDGES", "50000000"))
    iterations = int(_env("ITERATIONS", "500"))
    tol = float(_env("TOL", "1e-8"))
    report: dict = {}
    with tempfile.TemporaryDirectory(prefix="cellmap-bench-spark-") as tmp:
        if _env("SMALL", "1") != "0":
            small = Path(tmp) / "edges-1m"
            generate(small, 1_000_000, seed=1)
            print(
                f"1 M edges: Spark (2 workers × 1 core, 1 GB) to PageRank L1 change < {tol:g}",
                flush=True,
            )
            spark_small = spark_run(small, "1g", "768m", iterations, tol)
            local, arrays = local_run(small)
            check = agreement(spark_small.pop("frames"), arrays)
            print(
                f"  local engine: build {local['build_seconds']:.1f} s, PageRank + components "
                f"{local['measure_seconds']:.1f} s, peak {local['peak_rss_gib']:.2f} GiB; "
                f"agreement {check}",
                flush=True,
            )
            report["1M"] = {"spark": spark_small, "local": local, "agreement": check}
        if big:
            path = Path(tmp) / "edges-big"
            started = time.perf_counter()
            generate(path, big, seed=2)
            report["big"] = {"generate_seconds": round(time.perf_counter() - started, 1)}
            print(
                f"{big:,} edges generated in {report['big']['generate_seconds']:.0f} s", flush=True
            )
            arrays = None
            if _env("LOCAL", "1") != "0":
                local, arrays = local_run(path)
                report["big"]["local"] = local
                print(
                    f"  local engine: build {local['build_seconds']:.1f} s, PageRank + components "
                    f"{local['measure_seconds']:.1f} s, peak {local['peak_rss_gib']:.2f} GiB",
                    flush=True,
                )
            print(
                f"  Spark (2 workers × 1 core, capped at 4 GB), PageRank to L1 change < {tol:g} "
                f"(at most {iterations} iterations)",
                flush=True,
            )
            saved = Path(tmp) / "answers-big"
            spark_big = spark_run(path, "4g", "3g", iterations, tol, save=saved)
            spark_big.pop("frames")
            report["big"]["spark"] = spark_big
            print(f"  {json.dumps(spark_big)}", flush=True)
            report["big"]["extrapolated"] = extrapolate(spark_big, big)
            print(f"  on paper, {TARGET_EDGES:,} edges on {CLUSTER}:", flush=True)
            for name, row in report["big"]["extrapolated"].items():
                print(f"    {name:<11} {row}", flush=True)
            if arrays is not None:
                check = agreement(pq.read_table(saved).to_pandas(), arrays)
                report["big"]["agreement"] = check
                print(f"  agreement {check}", flush=True)
    (OUT / "spark.json").write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps(report, indent=2, default=str))
