"""Strike curves: a full 1,000-removal degree-attack curve, cellmap vs naive recomputation.

Graph: Barabási–Albert, 100,000 persons and ~1,000,000 ties (``CELLMAP_BENCH_SCALE=small``:
10,000 / ~100,000). Attack: adaptive ("recalculated") degree — after each removal the most
connected survivor is struck. Curve: largest-component share, number of components, Borgatti F.

* cellmap: lazy-heap degree order + one reverse union–find pass (cellmap.disrupt).
* naive NetworkX: remove a node, recompute the degrees and the connected components from scratch.
  It is timed on its first removals and projected linearly to 1,000 (each step costs the same
  O(n + m) to within the few removed nodes); the projected time is labelled as such.
* naive igraph (the same recomputation in igraph's C core), projected the same way.
The first naive steps are checked to give the same curve as cellmap.
"""

from __future__ import annotations

import os
import time

import igraph as ig
import networkx as nx
import numpy as np

from bench.goals import check
from cellmap.disrupt.curves import removal_curve
from cellmap.disrupt.orders import measure_order

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
    print(f"cellmap (heap order + reverse union–find):  {t_cellmap:8.3f} s for the full curve")

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
    started = time.perf_counter()
    removal_curve(g, measure_order(g, "degree"))
    print(
        f"(cellmap, every person removed by fixed degree, {g.vcount():,} removals: "
        f"{time.perf_counter() - started:.2f} s)"
    )


if __name__ == "__main__":
    main()
