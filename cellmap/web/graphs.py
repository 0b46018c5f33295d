"""The link chart's graph: the filtered relations of the store as an igraph graph, with a layout.

One vertex per resolved entity that takes part in a kept relation; one edge per pair of entities
(several relations between the same pair are gathered on one edge, each with its report), so the
canvas shows one line per pair and the path view can list every report behind that line.
"""
from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np
import polars as pl

from cellmap.web.data import Filters, Workbench


@dataclass
class LinkChart:
    graph: ig.Graph                 # undirected; vertex attribute "entity_id"; edge attribute "relation_ids"
    entity_ids: list[int]
    index: dict[int, int]           # entity id -> vertex index
    relations: pl.DataFrame         # the kept relation rows
    layout: np.ndarray              # (n, 2) positions in [-1, 1]

    def vertex(self, entity_id: int) -> int | None:
        return self.index.get(entity_id)


def build_link_chart(relations: pl.DataFrame, extra_ids: list[int] | None = None, *, seed: int = 7) -> LinkChart:
    """Collapse relations into an undirected simple graph and lay it out.

    Layout: Fruchterman–Reingold (Fruchterman & Reingold 1991, "Graph drawing by force-directed
    placement", Software: Practice and Experience 21(11)), igraph's grid variant, 300 iterations from
    a seeded random start so the same data give the same picture. Cost O(iterations · (n + m)).
    """
    relations = relations.filter(pl.col("source_id").is_not_null() & pl.col("target_id").is_not_null()
                                 & (pl.col("source_id") != pl.col("target_id")))
    ids = set(relations["source_id"].to_list()) | set(relations["target_id"].to_list()) | set(extra_ids or [])
    entity_ids = sorted(ids)
    index = {entity: i for i, entity in enumerate(entity_ids)}
    pairs = (
        relations.with_columns(
            pl.min_horizontal("source_id", "target_id").alias("a"),
            pl.max_horizontal("source_id", "target_id").alias("b"),
        )
        .group_by("a", "b", maintain_order=True)
        .agg(pl.col("relation_id"), pl.col("kind").unique().alias("kinds"))
    )
    edges = [(index[a], index[b]) for a, b in zip(pairs["a"].to_list(), pairs["b"].to_list())]
    graph = ig.Graph(n=len(entity_ids), edges=edges, directed=False)
    graph.vs["entity_id"] = entity_ids
    graph.es["relation_ids"] = pairs["relation_id"].to_list()
    graph.es["kinds"] = pairs["kinds"].to_list()
    layout = _layout(graph, seed)
    return LinkChart(graph, entity_ids, index, relations, layout)


def _layout(graph: ig.Graph, seed: int) -> np.ndarray:
    n = graph.vcount()
    if n == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    start = rng.uniform(-1, 1, size=(n, 2)).tolist()
    coords = np.asarray(graph.layout_fruchterman_reingold(niter=300, seed=start, grid="auto").coords, dtype=float)
    centred = coords - coords.mean(axis=0)
    scale = np.abs(centred).max() or 1.0
    return centred / scale


def link_chart(workbench: Workbench, filters: Filters) -> LinkChart:
    """The link chart for `filters`, cached per store generation."""
    return workbench.cached(("link_chart", filters), lambda: build_link_chart(workbench.relations(filters)))


def shortest_paths(chart: LinkChart, source: int, target: int, limit: int) -> list[list[int]]:
    """Up to `limit` shortest paths (as entity ids) between two entities of the chart.

    Uses `cellmap.graph.paths` when it has landed; otherwise igraph's all-shortest-paths
    (breadth-first search, O(n + m) per source, unweighted).
    """
    a, b = chart.vertex(source), chart.vertex(target)
    if a is None or b is None:
        return []
    vertex_paths = chart.graph.get_all_shortest_paths(a, to=b)
    vertex_paths.sort(key=lambda path: [chart.entity_ids[v] for v in path])
    return [[chart.entity_ids[v] for v in path] for path in vertex_paths[:limit]]


def edge_relations(chart: LinkChart, a: int, b: int) -> list[int]:
    """Relation ids gathered on the edge between entities a and b."""
    va, vb = chart.vertex(a), chart.vertex(b)
    if va is None or vb is None:
        return []
    edge = chart.graph.get_eid(va, vb, error=False)
    return [] if edge < 0 else list(chart.graph.es[edge]["relation_ids"])
