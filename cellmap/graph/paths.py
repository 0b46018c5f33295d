"""Paths between two entities, and the reports behind every step ("how is X connected to Y, and on
whose word").

Lengths are hops (a projection's weight is a tie strength, not a distance). Three questions:

* ``shortest`` — every shortest path (all geodesics; bidirectional BFS, plus the paths listed);
* ``k`` — the k shortest simple paths, in order of length (Yen 1971, "Finding the k shortest
  loopless paths in a network"; O(k n (m + n log n)));
* ``simple`` — all simple paths of at most L edges (depth-first enumeration, exponential in L in the
  worst case; bounded by ``limit``).

Each returns two frames: ``paths`` (one row per path: ``path, length, nodes, labels,
weakest_grade``; ``nodes`` and ``labels`` are lists, from source to target) and ``steps`` (one row per step and supporting statement: ``path, step, source,
target, source_label, target_label, edge, weight, kind, relation_id, report_id, grade``). A step's
grade is that of its best supporting report; a path is as strong as its weakest step.
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np
import polars as pl

from cellmap.graph.measures import adjacency
from cellmap.graph.projection import cached, edge_evidence, grade_rank, vertex_index

__all__ = ["Connection", "connect", "shortest_paths", "k_shortest_paths", "simple_paths"]


@dataclass
class Connection:
    """Paths between two nodes and the evidence for every step."""

    source: str
    target: str
    paths: pl.DataFrame
    steps: pl.DataFrame


def _csr(g: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, indices) of the symmetric adjacency, cached per graph."""

    def build():
        a = adjacency(g)
        return a.indptr.astype(np.int64), a.indices.astype(np.int64)

    return cached(g, "csr", build)


def _expand(indptr: np.ndarray, indices: np.ndarray, frontier: np.ndarray) -> np.ndarray:
    """All neighbours of the frontier nodes (with repeats), vectorised. O(Σ degrees)."""
    starts, stops = indptr[frontier], indptr[frontier + 1]
    lengths = stops - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return indices[offsets + np.arange(total)]


def shortest_paths(
    g: ig.Graph, source: str | int, target: str | int, limit: int = 1000
) -> list[list[int]]:
    """All geodesics from source to target (at most ``limit``), as vertex lists; none when unreachable.

    Bidirectional breadth-first search: the smaller frontier grows one level at a time until the two
    searches touch; the geodesics are then the paths through the touching layer whose distances from
    both ends add up to the shortest distance d. Cost: O(Σ degrees of the nodes within d/2 of either
    end) — far below a full search on small-world graphs — plus the paths listed.
    """
    s, t = vertex_index(g, source), vertex_index(g, target)
    if s == t:
        return [[s]]
    indptr, indices = _csr(g)
    n = g.vcount()
    dist = {s: np.full(n, -1, dtype=np.int64), t: np.full(n, -1, dtype=np.int64)}
    dist[s][s] = dist[t][t] = 0
    frontier = {s: np.array([s]), t: np.array([t])}
    depth = {s: 0, t: 0}
    while len(frontier[s]) and len(frontier[t]):
        side = s if len(frontier[s]) <= len(frontier[t]) else t
        other = t if side == s else s
        nb = _expand(indptr, indices, frontier[side])
        new = np.unique(nb[dist[side][nb] < 0])
        depth[side] += 1
        dist[side][new] = depth[side]
        frontier[side] = new
        touching = new[dist[other][new] >= 0]
        if len(touching):
            d = int(depth[side] + dist[other][touching].min())
            layer = touching[depth[side] + dist[other][touching] == d]
            return _enumerate_paths(indptr, indices, dist[s], dist[t], layer, s, t, limit)
    return []


def _enumerate_paths(indptr, indices, from_s, from_t, layer, s, t, limit) -> list[list[int]]:
    """Paths s → v (down the from_s distances) joined to v → t (down from_t), for v in the layer."""

    def walk(v: int, dist: np.ndarray, end: int) -> list[list[int]]:
        if v == end:
            return [[v]]
        out = []
        step = indices[indptr[v] : indptr[v + 1]]
        for u in np.sort(step[dist[step] == dist[v] - 1]).tolist():
            for rest in walk(u, dist, end):
                out.append([v] + rest)
                if len(out) >= limit:
                    return out
        return out

    paths: list[list[int]] = []
    for v in np.sort(layer).tolist():
        heads = [list(reversed(p)) for p in walk(v, from_s, s)]
        tails = walk(v, from_t, t)
        for h in heads:
            paths += [h + tl[1:] for tl in tails[: limit - len(paths)]]
            if len(paths) >= limit:
                return sorted(paths)
    return sorted(paths)


def k_shortest_paths(g: ig.Graph, source: str | int, target: str | int, k: int) -> list[list[int]]:
    """The k shortest simple paths by hop count (Yen's algorithm in igraph's C core)."""
    s, t = vertex_index(g, source), vertex_index(g, target)
    return [list(p) for p in g.get_k_shortest_paths(s, to=t, k=k, mode="all", output="vpath")]


def simple_paths(
    g: ig.Graph, source: str | int, target: str | int, max_length: int, limit: int = 10_000
) -> list[list[int]]:
    """All simple paths of at most ``max_length`` edges (shortest first), at most ``limit`` of them."""
    s, t = vertex_index(g, source), vertex_index(g, target)
    paths = g.get_all_simple_paths(s, to=t, maxlen=max_length, mode="all", max_results=limit)
    return sorted((list(p) for p in paths), key=lambda p: (len(p), p))


def _frames(g: ig.Graph, paths: list[list[int]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    on_paths = sorted({v for p in paths for v in p})
    has_label, has_weight = "label" in g.vs.attributes(), "weight" in g.es.attributes()
    names = dict(zip(on_paths, g.vs[on_paths]["name"], strict=False)) if on_paths else {}
    labels = (
        dict(zip(on_paths, g.vs[on_paths]["label"], strict=False))
        if on_paths and has_label
        else names
    )
    step_rows = []
    for p, path in enumerate(paths, start=1):
        for i, (a, b) in enumerate(zip(path, path[1:], strict=False), start=1):
            e = g.get_eid(a, b)
            step_rows.append(
                (
                    p,
                    i,
                    names[a],
                    names[b],
                    labels[a],
                    labels[b],
                    e,
                    g.es[e]["weight"] if has_weight else 1.0,
                )
            )
    steps = pl.DataFrame(
        step_rows,
        schema={
            "path": pl.Int64,
            "step": pl.Int64,
            "source": pl.Utf8,
            "target": pl.Utf8,
            "source_label": pl.Utf8,
            "target_label": pl.Utf8,
            "edge": pl.Int64,
            "weight": pl.Float64,
        },
        orient="row",
    )
    evidence = (
        edge_evidence(g, steps["edge"].to_list()).drop("via")
        if "evidence" in g.attributes()
        else None
    )
    if evidence is not None:
        steps = steps.join(evidence, on="edge", how="left").sort(
            "path", "step", "report_id", nulls_last=True
        )
    else:
        steps = steps.with_columns(pl.lit(None, pl.Utf8).alias("grade"))
    best = (
        steps.select("path", "step", "grade")
        .with_columns(pl.col("grade").map_elements(grade_rank, return_dtype=pl.Int64).alias("rank"))
        .group_by("path", "step")
        .agg(pl.col("rank").min())
    )
    weakest = best.group_by("path").agg(pl.col("rank").max().alias("rank"))
    summary = pl.DataFrame(
        {
            "path": list(range(1, len(paths) + 1)),
            "length": [len(p) - 1 for p in paths],
            "nodes": [[names[v] for v in p] for p in paths],
            "labels": [[labels[v] for v in p] for p in paths],
        },
        schema={
            "path": pl.Int64,
            "length": pl.Int64,
            "nodes": pl.List(pl.Utf8),
            "labels": pl.List(pl.Utf8),
        },
    )
    summary = (
        summary.join(weakest, on="path", how="left")
        .with_columns(
            pl.col("rank").map_elements(_grade_of_rank, return_dtype=pl.Utf8).alias("weakest_grade")
        )
        .drop("rank")
    )
    return summary.sort("path"), steps


def _grade_of_rank(rank: int | None) -> str | None:
    if rank is None or rank >= 36:
        return None
    return "ABCDEF"[rank // 6] + str(rank % 6 + 1)


def connect(
    g: ig.Graph,
    source: str | int,
    target: str | int,
    how: str = "shortest",
    k: int = 3,
    max_length: int = 4,
    limit: int = 10_000,
) -> Connection:
    """How is ``source`` connected to ``target``: the paths (``how`` = shortest | k | simple) and, for
    every step, the statements and reports that support it with their grades."""
    if how == "shortest":
        paths = shortest_paths(g, source, target)
    elif how == "k":
        paths = k_shortest_paths(g, source, target, k)
    elif how == "simple":
        paths = simple_paths(g, source, target, max_length, limit)
    else:
        raise ValueError(f"how: {how!r} is not one of shortest, k, simple")
    summary, steps = _frames(g, paths)
    return Connection(
        g.vs[vertex_index(g, source)]["name"], g.vs[vertex_index(g, target)]["name"], summary, steps
    )
