"""Strike curves: a full 1,000-removal degree-attack curve, cellmap vs naive recomputation.

Graph: Barabási–Albert, 100,000 persons and ~1,000,000 ties (``CELLMAP_BENCH_SCALE=small``:
10,000 / ~100,000). Attack: adaptive ("recalculated") degree — after each removal the most
connected survivor is struck. Curve: largest-component share, number of components, Borgatti F.

* cellmap: recalculated degree order (an argmax per removal, or a lazy heap for long orders) + one
  reverse union–find pass (cellmap.disrupt).
* naive NetworkX: remove a node, recompute the degrees and the connected components from scratch.
  It is timed on its first removals and projected linearly to 1,000 (each step costs the same
  O(n + m) to within the few removed nodes); the projected time is labelled as such.
* naive igraph (the same recomputation in igraph's C core), projected the same way.
The first naive steps are checked to give the same curve as cellmap.

As the user meets it (issue 16): the same graph written as a CSV edge list (``source,target``, node
ids as text), read into a graph in process (goal < 0.3 s), and the whole
``cellmap simulate attack --edges FILE --adaptive --k 1000 --json`` process — start, CSV, order,
curve, JSON out — against the naive NetworkX projection above, which is not charged for reading
the file (goal ≥ 100×). The median of three runs each.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
import polars as pl

from bench.bench_start import installed_env, whole_process
from bench.goals import check
from cellmap.disrupt.curves import removal_curve
from cellmap.disrupt.orders import measure_order
from cellmap.graph.projection import graph_from_edge_list

SCALES = {"full": (100_000, 10), "small": (10_000, 10)}
REMOVALS = 1_000


def naive_networkx(h: nx.Graph, steps: int) -> tuple[list[tuple[int, int, float]], float]:
    """Recomputed degree attack, from scratch at every step; returns (curve rows, seconds)."""
    started = time.perf_counter()
    rows = []
    n0 = h.number_of_nodes()
    for _ in range(steps):
        victim = max(h.degree, key=lambda item: (item[1], -item[0]))[0]
        h.remove_node(victim)
        sizes = [len(c) for c in nx.connected_components(h)]
        n = h.number_of_nodes()
        rows.append(
            (max(sizes) / n0, len(sizes), 1 - sum(s * (s - 1) for s in sizes) / (n * (n - 1)))
        )
    return rows, time.perf_counter() - started


def naive_igraph(g: ig.Graph, steps: int) -> float:
    started = time.perf_counter()
    h = g.copy()
    for _ in range(steps):
        deg = np.asarray(h.degree())
        h.delete_vertices(int(np.argmax(deg)))
        h.connected_components().sizes()
    return time.perf_counter() - started


def as_user(g: ig.Graph, nx_seconds: float) -> None:
    """The edge list → graph time and the whole-process strike curve (see the module docstring)."""
    ends = np.asarray(g.get_edgelist())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "edges.csv"
        pl.DataFrame({"source": ends[:, 0], "target": ends[:, 1]}).select(
            pl.format("P{}", c).alias(c) for c in ("source", "target")
        ).write_csv(path)
        walls, cpus = [], []
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            built = graph_from_edge_list(path)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        print(
            f"edge list CSV → graph ({built.ecount():,} edges), in process: "
            f"wall {statistics.median(walls):.3f} s, CPU {statistics.median(cpus):.3f} s"
        )
        label = f"edge list CSV of {built.ecount():,} edges → graph, wall"
        check(label, statistics.median(walls), 0.3, "s", higher_is_better=False)
        args = ["simulate", "attack", "--edges", str(path), "--adaptive", "--k", str(REMOVALS)]
        wall, cpu = whole_process(["-m", "cellmap.cli", *args, "--json"], installed_env(tmp), 3)
        print(
            f"whole process, cellmap {' '.join(args[:2])} … --json: wall {wall:.2f} s, "
            f"CPU {cpu:.2f} s (median of 3)"
        )
        check("strike curve: naive NetworkX / whole cellmap process", nx_seconds / wall, 100, "×")


def main() -> None:
    scale = os.environ.get("CELLMAP_BENCH_SCALE", "full")
    n, m_per = SCALES.get(scale, SCALES["full"])
    g = ig.Graph.Barabasi(n=n, m=m_per, directed=False, outpref=False, start_from=None)
    g.simplify()
    print(
        f"graph: Barabási–Albert n={g.vcount():,} m={g.ecount():,} (scale={scale}); "
        f"attack: adaptive degree, {REMOVALS:,} removals"
    )

    started = time.perf_counter()
    order = measure_order(g, "degree", k=REMOVALS, adaptive=True)
    curve = removal_curve(g, order)
    t_cellmap = time.perf_counter() - started
    print(f"cellmap (degree order + reverse union–find):{t_cellmap:8.3f} s for the full curve")

    h = nx.Graph()
    h.add_nodes_from(range(g.vcount()))
    h.add_edges_from(g.get_edgelist())
    probe = 5
    rows, t_nx = naive_networkx(h, probe)
    for i, (share, comps, frag) in enumerate(rows, start=1):
        assert abs(curve["largest_share"][i] - share) < 1e-12 and curve["components"][i] == comps
        assert abs(curve["fragmentation"][i] - frag) < 1e-12
    nx_projected = t_nx / probe * REMOVALS
    t_ig = naive_igraph(g, probe * 4)
    ig_projected = t_ig / (probe * 4) * REMOVALS
    print(
        f"naive NetworkX recomputation:               {nx_projected:8.1f} s projected "
        f"({t_nx:.2f} s measured for the first {probe} removals)"
    )
    print(
        f"naive igraph recomputation:                 {ig_projected:8.1f} s projected "
        f"({t_ig:.2f} s measured for the first {probe * 4} removals)"
    )
    check("strike curve: naive NetworkX / cellmap (in process)", nx_projected / t_cellmap, 100, "×")
    print(f"ratio naive igraph / cellmap:   {ig_projected / t_cellmap:,.0f}x")
    as_user(g, nx_projected)
    started = time.perf_counter()
    removal_curve(g, measure_order(g, "degree"))
    print(
        f"(cellmap, every person removed by fixed degree, {g.vcount():,} removals: "
        f"{time.perf_counter() - started:.2f} s)"
    )


if __name__ == "__main__":
    main()
