"""Paths between two entities, and the reports behind every step ("how is X connected to Y, and on
whose word").

Lengths are hops (a projection's weight is a tie strength, not a distance). Three questions:

* ``shortest`` — every shortest path (all geodesics; BFS, O(n + m) plus the paths listed);
* ``k`` — the k shortest simple paths, in order of length (Yen 1971, "Finding the k shortest
  loopless paths in a network"; O(k n (m + n log n)));
* ``simple`` — all simple paths of at most L edges (depth-first enumeration, exponential in L in the
  worst case; bounded by ``limit``).

Each returns two frames: ``paths`` (one row per path: ``path, length, nodes, labels,
weakest_grade``) and ``steps`` (one row per step and supporting statement: ``path, step, source,
target, source_label, target_label, edge, weight, kind, relation_id, report_id, grade``). A step's
grade is that of its best supporting report; a path is as strong as its weakest step.
"""
from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import polars as pl

from cellmap.graph.projection import edge_evidence, grade_rank, vertex_index

__all__ = ["Connection", "connect", "shortest_paths", "k_shortest_paths", "simple_paths"]


@dataclass
class Connection:
    """Paths between two nodes and the evidence for every step."""
    source: str
    target: str
    paths: pl.DataFrame
    steps: pl.DataFrame


def shortest_paths(g: ig.Graph, source: str | int, target: str | int) -> list[list[int]]:
    """All geodesics from source to target, as vertex lists (none when unreachable). O(n + m + P)."""
    s, t = vertex_index(g, source), vertex_index(g, target)
    if s == t:
        return [[s]]
    paths = g.get_all_shortest_paths(s, to=t, mode="all")
    return sorted(paths)


def k_shortest_paths(g: ig.Graph, source: str | int, target: str | int, k: int) -> list[list[int]]:
    """The k shortest simple paths by hop count (Yen's algorithm in igraph's C core)."""
    s, t = vertex_index(g, source), vertex_index(g, target)
    return [list(p) for p in g.get_k_shortest_paths(s, to=t, k=k, mode="all", output="vpath")]


def simple_paths(g: ig.Graph, source: str | int, target: str | int, max_length: int,
                 limit: int = 10_000) -> list[list[int]]:
    """All simple paths of at most ``max_length`` edges (shortest first), at most ``limit`` of them."""
    s, t = vertex_index(g, source), vertex_index(g, target)
    paths = g.get_all_simple_paths(s, to=t, maxlen=max_length, mode="all", max_results=limit)
    return sorted((list(p) for p in paths), key=lambda p: (len(p), p))


def _frames(g: ig.Graph, paths: list[list[int]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    names = g.vs["name"]
    labels = g.vs["label"] if "label" in g.vs.attributes() else names
    weights = g.es["weight"] if "weight" in g.es.attributes() else None
    step_rows = []
    for p, path in enumerate(paths, start=1):
        for i, (a, b) in enumerate(zip(path, path[1:]), start=1):
            e = g.get_eid(a, b)
            step_rows.append((p, i, names[a], names[b], labels[a], labels[b], e, weights[e] if weights else 1.0))
    steps = pl.DataFrame(step_rows, schema={"path": pl.Int64, "step": pl.Int64, "source": pl.Utf8,
                                            "target": pl.Utf8, "source_label": pl.Utf8, "target_label": pl.Utf8,
                                            "edge": pl.Int64, "weight": pl.Float64}, orient="row")
    evidence = edge_evidence(g, steps["edge"].to_list()).drop("via") if "evidence" in g.attributes() else None
    if evidence is not None:
        steps = steps.join(evidence, on="edge", how="left").sort("path", "step", "report_id", nulls_last=True)
    else:
        steps = steps.with_columns(pl.lit(None, pl.Utf8).alias("grade"))
    best = (steps.select("path", "step", "grade")
            .with_columns(pl.col("grade").map_elements(grade_rank, return_dtype=pl.Int64).alias("rank"))
            .group_by("path", "step").agg(pl.col("rank").min()))
    weakest = best.group_by("path").agg(pl.col("rank").max().alias("rank"))
    summary = pl.DataFrame({
        "path": list(range(1, len(paths) + 1)),
        "length": [len(p) - 1 for p in paths],
        "nodes": [" → ".join(names[v] for v in p) for p in paths],
        "labels": [" → ".join(labels[v] for v in p) for p in paths],
    }, schema={"path": pl.Int64, "length": pl.Int64, "nodes": pl.Utf8, "labels": pl.Utf8})
    summary = summary.join(weakest, on="path", how="left").with_columns(
        pl.col("rank").map_elements(_grade_of_rank, return_dtype=pl.Utf8).alias("weakest_grade")).drop("rank")
    return summary.sort("path"), steps


def _grade_of_rank(rank: int | None) -> str | None:
    if rank is None or rank >= 36:
        return None
    return "ABCDEF"[rank // 6] + str(rank % 6 + 1)


def connect(g: ig.Graph, source: str | int, target: str | int, how: str = "shortest", k: int = 3,
            max_length: int = 4, limit: int = 10_000) -> Connection:
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
    names = g.vs["name"]
    return Connection(names[vertex_index(g, source)], names[vertex_index(g, target)], summary, steps)
