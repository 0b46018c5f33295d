"""The link chart's graph: the filtered meta-network (`cellmap.graph.projection.meta_network`),
without isolates and without the kinds the analyst hid, plus a layout for the canvas.

One vertex per resolved entity; one edge per pair (parallel statements collapse onto one edge, and
the graph's `evidence` frame lists every relation and report behind it), so the path view can list
every report behind a line on the canvas.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

import igraph as ig
import numpy as np
import polars as pl

from cellmap.graph.projection import edge_evidence, meta_network
from cellmap.web.workbench import Filters, Workbench

# Incidents are entities too, but thousands of them would bury the people: the map and timeline show
# them; the link chart shows them only when asked for.
DEFAULT_HIDDEN_KINDS = ("incident",)


@dataclass
class LinkChart:
    graph: ig.Graph  # undirected; vertex attributes name, entity_id, kind, label
    entity_ids: list[int]
    index: dict[int, int]  # entity id -> vertex index
    layout: np.ndarray  # (n, 2) positions in [-1, 1]
    key: tuple = ()  # what the chart was built from (filters, hidden kinds): caches of its measures key on it

    def vertex(self, entity_id: int) -> int | None:
        return self.index.get(entity_id)

    def edge_summary(self) -> tuple[list[list[str]], list[int]]:
        """Per edge (in edge order): the relation kinds behind it and the number of statements."""
        if getattr(self, "_summary", None) is None:
            per_edge = (
                self.graph["evidence"]
                .group_by("edge")
                .agg(pl.col("kind").unique().sort(), pl.len())
                .sort("edge")
            )
            kinds: list[list[str]] = [[] for _ in range(self.graph.ecount())]
            counts = [0] * self.graph.ecount()
            for edge, edge_kinds, n in per_edge.iter_rows():
                kinds[edge], counts[edge] = list(edge_kinds), int(n)
            self._summary = (kinds, counts)
        return self._summary

    def evidence(self, a: int, b: int) -> pl.DataFrame:
        """Evidence rows (relation_id, kind, report_id, grade) of the edge between entities a and b."""
        va, vb = self.vertex(a), self.vertex(b)
        edge = -1 if va is None or vb is None else self.graph.get_eid(va, vb, error=False)
        return edge_evidence(self.graph, [edge] if edge >= 0 else [])


def build_link_chart(
    relations: pl.DataFrame,
    entities: pl.DataFrame,
    filters: Filters,
    hidden_kinds: tuple[str, ...] = DEFAULT_HIDDEN_KINDS,
    *,
    seed: int = 7,
) -> LinkChart:
    """The meta-network under `filters`, minus hidden entity kinds and isolates, laid out.

    Layout: Fruchterman–Reingold (Fruchterman & Reingold 1991, "Graph drawing by force-directed
    placement", Software: Practice and Experience 21(11)), igraph's grid variant, 300 iterations
    from a seeded random start so the same data give the same picture. Cost O(iterations · (n + m)).
    """
    full = meta_network(
        relations, entities, kinds=filters.kinds, min_grade=filters.min_grade, window=filters.window
    )
    keep = [v.index for v in full.vs if v["kind"] not in hidden_kinds and v.degree() > 0]
    graph = full.induced_subgraph(keep, implementation="create_from_scratch")
    # induced_subgraph drops graph attributes' edge numbering: re-derive evidence for the kept edges.
    graph["evidence"] = _renumber_evidence(full, graph, keep)
    entity_ids = graph.vs["entity_id"] if graph.vcount() else []
    index = {entity: i for i, entity in enumerate(entity_ids)}
    # Lone pairs and small fragments keep the FR layout; hide nodes only by kind, never by measure.
    return LinkChart(
        graph, list(entity_ids), index, _layout(graph, seed), key=(filters, hidden_kinds, seed)
    )


def _renumber_evidence(full: ig.Graph, sub: ig.Graph, keep: list[int]) -> pl.DataFrame:
    evidence: pl.DataFrame = full["evidence"]
    if sub.ecount() == 0:
        return evidence.clear()
    old_of_new = [full.get_eid(keep[e.source], keep[e.target]) for e in sub.es]
    mapping = pl.DataFrame(
        {"edge": old_of_new, "new": list(range(len(old_of_new)))},
        schema={"edge": pl.Int64, "new": pl.Int64},
    )
    return (
        evidence.join(mapping, on="edge")
        .drop("edge")
        .rename({"new": "edge"})
        .select(evidence.columns)
        .sort("edge", "report_id", "relation_id", nulls_last=True)
    )


def _layout(graph: ig.Graph, seed: int) -> np.ndarray:
    """Positions in [-1, 1]²: the largest component fills the unit disc; every other component is
    laid out on its own and packed on rings around it, largest first (so that scattered pairs do not
    push the main network into a dot)."""
    n = graph.vcount()
    if n == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    components = sorted(graph.connected_components(), key=lambda c: (-len(c), c[0]))
    positions = np.zeros((n, 2))
    positions[components[0]] = _fit(_force_layout(graph.induced_subgraph(components[0]), rng), 1.0)
    radius, angle = 1.12, 0.0
    for members in components[1:]:
        size = 0.025 * np.sqrt(len(members))
        step = (2 * size + 0.01) / radius
        if angle + step > 2 * np.pi:
            radius, angle = radius + 2 * size + 0.04, 0.0
        centre = radius * np.array([np.cos(angle + step / 2), np.sin(angle + step / 2)])
        local = (
            _force_layout(graph.induced_subgraph(members), rng)
            if len(members) > 1
            else np.zeros((1, 2))
        )
        positions[members] = centre + _fit(local, size)
        angle += step
    return positions / max(1.0, np.abs(positions).max())


def _force_layout(graph: ig.Graph, rng: np.random.Generator) -> np.ndarray:
    """Fruchterman–Reingold from a seeded random start; the grid variant (repulsion only from nearby
    cells) above 200 vertices keeps an iteration O(n + m). The start spreads over a square of side
    √n, the scale igraph's grid assumes (a unit square would put every vertex in one grid cell)."""
    n = graph.vcount()
    half = max(1.0, np.sqrt(n) / 2)
    start = rng.uniform(-half, half, size=(n, 2)).tolist()
    # igraph's FR also draws from igraph's global generator: seed it too (under a lock, then put the
    # default back), or the same data give a different picture on every call.
    with _IGRAPH_RNG:
        ig.set_random_number_generator(random.Random(int(rng.integers(1 << 31))))
        try:
            coords = graph.layout_fruchterman_reingold(niter=300, seed=start, grid=n > 200).coords
        finally:
            ig.set_random_number_generator(random)
    return np.asarray(coords, dtype=float)


_IGRAPH_RNG = threading.Lock()


def _fit(coords: np.ndarray, radius: float) -> np.ndarray:
    """Centre `coords` and scale them into a disc of `radius`."""
    centred = coords - coords.mean(axis=0)
    extent = np.sqrt((centred**2).sum(axis=1)).max()
    return centred * (radius / extent) if extent > 0 else centred


def link_chart(
    workbench: Workbench, filters: Filters, hidden_kinds: tuple[str, ...] = DEFAULT_HIDDEN_KINDS
) -> LinkChart:
    """The link chart for `filters`, cached per store generation."""
    return workbench.cached(
        ("link_chart", filters, hidden_kinds),
        lambda: build_link_chart(
            workbench.relations(), workbench.entities(), filters, hidden_kinds
        ),
    )


PATH_METHODS = ("shortest", "k")


def find_paths(
    chart: LinkChart, source: int, target: int, limit: int, how: str = "shortest"
) -> list[list[int]]:
    """Paths (as entity ids) between two entities of the chart, by `cellmap.graph.paths`:
    `shortest` = every geodesic (at most `limit`, bidirectional BFS), `k` = the `limit` shortest
    simple paths (Yen 1971). Unreachable or absent entities give no path."""
    from cellmap.graph import paths

    if chart.vertex(source) is None or chart.vertex(target) is None:
        return []
    if how == "k":
        vertex_paths = paths.k_shortest_paths(chart.graph, source, target, limit)
    else:
        vertex_paths = paths.shortest_paths(chart.graph, source, target, limit=limit)
    return [[chart.entity_ids[v] for v in path] for path in vertex_paths]
