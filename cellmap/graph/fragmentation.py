"""Borgatti's fragmentation measures of a whole graph (the KPP-Neg objectives).

References
----------
Borgatti, S. P. (2006). Identifying sets of key players in a social network.
Computational and Mathematical Organization Theory 12(1), 21-34.

Both functions treat the graph as undirected and unweighted (edge direction and weight are
ignored: fragmentation is about who can reach whom at all).
"""

from __future__ import annotations

import igraph as ig
import numpy as np

__all__ = [
    "fragmentation",
    "distance_fragmentation",
    "fragmentation_from_sizes",
    "reciprocal_distance_sum",
]


def fragmentation_from_sizes(sizes: np.ndarray | list[int], n: int) -> float:
    """F from component sizes: ``F = 1 - Σ_k s_k (s_k - 1) / (n (n - 1))``. O(#components).

    ``n`` is the number of nodes (also counting isolates, which contribute 0). F = 0 when the
    graph is connected, F = 1 when every node is isolated; a graph of fewer than 2 nodes is
    defined as F = 1 (no pair can reach another).
    """
    if n < 2:
        return 1.0
    s = np.asarray(sizes, dtype=np.float64)
    return float(1.0 - np.sum(s * (s - 1.0)) / (n * (n - 1.0)))


def fragmentation(g: ig.Graph) -> float:
    """Borgatti's fragmentation F: the share of ordered node pairs that cannot reach each other.

    Definition (Borgatti 2006, eq. 4): ``F = 1 - Σ_k s_k (s_k - 1) / (n (n - 1))`` where s_k is
    the size of the k-th (weakly) connected component and n the number of nodes.
    Cost: O(n + m) (one connected-components pass).
    """
    n = g.vcount()
    sizes = g.connected_components(mode="weak").sizes() if n else []
    return fragmentation_from_sizes(sizes, n)


def reciprocal_distance_sum(g: ig.Graph, sources: list[int] | None = None) -> float:
    """Σ over ordered pairs (i in sources, j ≠ i) of 1/d_ij with 1/∞ = 0 (unweighted hops).

    Runs one BFS per source in igraph's C core, in blocks so memory stays O(block · n).
    Cost: O(|sources| · (n + m)).
    """
    n = g.vcount()
    if n < 2:
        return 0.0
    srcs = list(range(n)) if sources is None else list(sources)
    block = max(1, min(len(srcs), 2_000_000 // max(n, 1)))
    total = 0.0
    for start in range(0, len(srcs), block):
        d = np.asarray(
            g.distances(source=srcs[start : start + block], mode="all"), dtype=np.float64
        )
        with np.errstate(divide="ignore"):
            inv = 1.0 / d
        inv[~np.isfinite(inv)] = 0.0  # 1/0 on the diagonal and 1/inf for unreachable pairs
        total += float(inv.sum())
    return total


def distance_fragmentation(g: ig.Graph) -> float:
    """Borgatti's distance-weighted fragmentation DF.

    Definition (Borgatti 2006, eq. 9): ``DF = 1 - Σ_{i≠j} (1/d_ij) / (n (n - 1))`` with d_ij the
    geodesic (hop) distance and 1/∞ = 0. DF = 0 only for a complete graph, DF = 1 when no pair
    is connected; a graph of fewer than 2 nodes is defined as DF = 1.
    Cost: O(n · (n + m)) (a BFS from every node).
    """
    n = g.vcount()
    if n < 2:
        return 1.0
    return 1.0 - reciprocal_distance_sum(g) / (n * (n - 1.0))
