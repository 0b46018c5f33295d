"""Bit-parallel breadth-first search: many BFS at once, 64 sources per machine word.

Every node holds a bitset of the sources that have reached it. One BFS level ORs the frontier
bitsets along every arc (a gather and a segmented OR in NumPy), and the bits newly set at level d
are the (source, node) pairs at distance d. Cost: O(D · m · s / 64) word operations for s sources
and diameter D — for sums of reciprocal distances (harmonic closeness, distance-weighted
fragmentation) this beats s separate searches by a wide constant factor.
Reference: the technique of bit-parallel BFS, e.g. Then et al. (2014), "The more the merrier:
efficient multi-source graph traversal", PVLDB 8(4).
"""

from __future__ import annotations

import igraph as ig
import numpy as np

from cellmap.graph.projection import cached, edge_array

__all__ = ["Arcs", "arcs", "reciprocal_distance_sums"]


class Arcs:
    """The graph as arcs (u → v, both directions), sorted by head."""

    def __init__(self, n: int, edges: np.ndarray):
        edges = edges[edges[:, 0] != edges[:, 1]]
        tail = np.concatenate([edges[:, 0], edges[:, 1]])
        head = np.concatenate([edges[:, 1], edges[:, 0]])
        order = np.argsort(head, kind="stable")
        self.n = n
        self.tail, self.head = tail[order], head[order]

    def alive(self, removed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arcs among surviving nodes: (tails, start offset of each head run, head of each run)."""
        tail, head = self.tail, self.head
        if removed is not None and len(removed):
            keep = np.ones(self.n, dtype=bool)
            keep[removed] = False
            sel = keep[tail] & keep[head]
            tail, head = tail[sel], head[sel]
        if len(head) == 0:
            return tail, np.zeros(0, np.int64), np.zeros(0, np.int64)
        starts = np.flatnonzero(np.r_[True, head[1:] != head[:-1]])
        return tail, starts, head[starts]


def arcs(g: ig.Graph) -> Arcs:
    """The (cached) arc structure of a graph."""
    return cached(g, "arcs", lambda: Arcs(g.vcount(), edge_array(g)))


def reciprocal_distance_sums(
    a: Arcs,
    sources: np.ndarray,
    removed: np.ndarray | None = None,
    per_node: bool = False,
    block: int = 4096,
):
    """Σ over sources s and reached nodes v ≠ s of 1/d(s, v), ignoring ``removed`` nodes.

    Returns the total, or with ``per_node=True`` an array holding, for each node v, Σ_s 1/d(s, v).
    Sources are processed ``block`` at a time (memory O(n · block / 64) words).
    """
    n = a.n
    tail, starts, heads = a.alive(removed)
    per = np.zeros(n) if per_node else None
    total = 0.0
    if len(tail) == 0:
        return per if per_node else 0.0
    for b0 in range(0, len(sources), block):
        src = np.asarray(sources[b0 : b0 + block], dtype=np.int64)
        words = (len(src) + 63) // 64
        bit = np.arange(len(src))
        reached = np.zeros((n, words), dtype=np.uint64)
        reached[src, bit >> 6] = np.left_shift(np.uint64(1), (bit & 63).astype(np.uint64))
        frontier = reached.copy()
        level = 0
        while True:
            level += 1
            nxt = np.zeros_like(frontier)
            nxt[heads] = np.bitwise_or.reduceat(frontier[tail], starts, axis=0)
            nxt &= ~reached
            counts = np.bitwise_count(nxt).sum(axis=1, dtype=np.int64)
            found = int(counts.sum())
            if found == 0:
                break
            if per_node:
                per += counts / level
            total += found / level
            reached |= nxt
            frontier = nxt
    return per if per_node else total
