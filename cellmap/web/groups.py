"""The link chart folded into groups, so that the network view opens readable: one node per cell
(its recorded members), per sector (at the sector level) or per detected community of entities with
no recorded cell; small components (lone pairs and fragments) are kept aside rather than drawn.

Folding is a graph quotient: each group is one node, and the edge between two groups carries the
number of person-level ties between their members (its weight). Cost O(n + m) per grouping, plus a
force layout of the quotient (a few hundred nodes) and of each expanded group's members.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import igraph as ig
import numpy as np
import polars as pl

from cellmap.web.graphs import LinkChart, link_chart
from cellmap.web.workbench import Filters, Workbench

# Components of at most this many entities, with no cell in them, are listed in the side panel.
FRAGMENT_MAX = 5
# Entity kinds drawn as themselves: the top of the organisation, a handful of nodes.
TOP_KINDS = ("sector", "organisation")
LEVELS = ("cell", "sector")


@dataclass
class Group:
    key: str  # "cell:12", "sector:45", "community:3"
    kind: str  # cell | sector | community
    label: str
    members: list[int] = field(default_factory=list)  # vertex indices
    sector: int | None = None  # the sector entity this group belongs to, when known


@dataclass
class Grouping:
    """Which group each vertex of the chart falls in (None: drawn as itself), and the fragments."""

    chart: LinkChart
    group_of: list[str | None]
    groups: dict[str, Group]
    fragments: list[list[int]]  # vertex lists, largest first
    sector_of_cell: dict[int, int]
    layout: dict[str, tuple[float, float]]  # drawn key (group key or entity id as str) -> position


def sector_of_cells(wb: Workbench) -> dict[int, int]:
    """Cell entity id -> the sector it is recorded as part of (relation part_of)."""
    kinds = wb.kinds()
    part_of = wb.relations(Filters(kinds=("part_of",)))
    return {
        s: t
        for s, t in part_of.select("source_id", "target_id").iter_rows()
        if kinds.get(s) == "cell" and kinds.get(t) == "sector"
    }


def build_grouping(
    wb: Workbench, chart: LinkChart, level: str, communities: list | None
) -> Grouping:
    graph, ids = chart.graph, chart.entity_ids
    kinds = graph.vs["kind"] if graph.vcount() else []
    names = wb.names()
    cells = wb.recorded_cells()
    sectors = sector_of_cells(wb)
    group_of: list[str | None] = [None] * graph.vcount()
    groups: dict[str, Group] = {}

    components = sorted(graph.connected_components(), key=lambda c: (-len(c), c[0]))
    fragments = [
        members
        for members in components
        if len(members) <= FRAGMENT_MAX and not any(ids[v] in cells for v in members)
    ]
    aside = {v for members in fragments for v in members}

    def join(v: int, key: str, kind: str, label: str, sector: int | None) -> None:
        group = groups.setdefault(key, Group(key, kind, label, sector=sector))
        group.members.append(v)
        group_of[v] = key

    for v in range(graph.vcount()):
        if v in aside or kinds[v] in TOP_KINDS:
            continue
        cell = cells.get(ids[v])
        if cell is not None:
            sector = sectors.get(cell)
            if level == "sector" and sector is not None:
                join(v, f"sector:{sector}", "sector", names.get(sector, f"sector {sector}"), sector)
            else:
                join(v, f"cell:{cell}", "cell", names.get(cell, f"cell {cell}"), sector)
        elif communities is not None:
            join(v, f"community:{communities[v]}", "community", "", None)
    # A community group of one entity is just that entity; the others are numbered by size.
    numbered = sorted(
        (g for g in groups.values() if g.kind == "community"), key=lambda g: -len(g.members)
    )
    for rank, group in enumerate(numbered, start=1):
        if len(group.members) == 1:
            group_of[group.members[0]] = None
            del groups[group.key]
        else:
            group.label = f"Group {rank}"
            group.sector = _dominant_sector(group, graph, group_of, groups)
    return Grouping(chart, group_of, groups, fragments, sectors, {})


def _dominant_sector(group: Group, graph: ig.Graph, group_of, groups) -> int | None:
    """The sector most of a detected group's ties lead to (for its colour), or None."""
    votes: Counter = Counter()
    for v in group.members:
        for u in graph.neighbors(v):
            other = group_of[u]
            if (
                other
                and other != group.key
                and other in groups
                and groups[other].kind != "community"
            ):
                votes[groups[other].sector] += 1
    votes.pop(None, None)
    return votes.most_common(1)[0][0] if votes else None


def drawn_key(grouping: Grouping, v: int, expanded: set[str]) -> str | None:
    """The key of the node vertex v is drawn in: its group's key, or its own entity id; None when
    it is kept aside in a fragment."""
    key = grouping.group_of[v]
    if key is not None and key not in expanded:
        return key
    return str(grouping.chart.entity_ids[v])


def quotient(grouping: Grouping, expanded: set[str]) -> tuple[list[str], dict]:
    """Drawn node keys, and the edges between them: {(a, b): [ties, statements, kinds]}."""
    chart = grouping.chart
    aside = {v for members in grouping.fragments for v in members}
    keys = [
        None if v in aside else drawn_key(grouping, v, expanded)
        for v in range(chart.graph.vcount())
    ]
    edge_kinds, edge_counts = chart.edge_summary()
    edges: dict[tuple[str, str], list] = {}
    for e, (s, t) in enumerate(chart.graph.get_edgelist()):
        a, b = keys[s], keys[t]
        if a is None or b is None or a == b:
            continue
        pair = (a, b) if a < b else (b, a)
        entry = edges.setdefault(pair, [0, 0, set()])
        entry[0] += 1
        entry[1] += edge_counts[e]
        entry[2].update(edge_kinds[e])
    drawn = list(dict.fromkeys(k for k in keys if k is not None))
    return drawn, edges


def layout_groups(grouping: Grouping, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions of the collapsed picture: Fruchterman–Reingold (Fruchterman & Reingold 1991,
    Software: Practice and Experience 21(11)) on the quotient graph, ties as edge weights (log-scaled
    so a cell's hundred internal-looking ties do not collapse it onto its neighbour)."""
    drawn, edges = quotient(grouping, set())
    index = {k: i for i, k in enumerate(drawn)}
    graph = ig.Graph(n=len(drawn), edges=[(index[a], index[b]) for a, b in edges])
    weights = [1 + np.log1p(w[0]) for w in edges.values()]
    rng = np.random.default_rng(seed)
    start = rng.uniform(-1, 1, size=(len(drawn), 2)).tolist()
    coords = (
        np.asarray(graph.layout_fruchterman_reingold(weights=weights, niter=500, seed=start).coords)
        if drawn
        else np.zeros((0, 2))
    )
    if len(drawn):
        coords = coords - coords.mean(axis=0)
        coords = coords / max(1e-9, np.abs(coords).max())
    return {k: (float(coords[i, 0]), float(coords[i, 1])) for i, k in enumerate(drawn)}


def member_layout(grouping: Grouping, key: str, seed: int = 7) -> dict[int, tuple[float, float]]:
    """Members of group `key` around the group's position: their own force layout, in a disc whose
    radius grows with the square root of the group's size."""
    group = grouping.groups[key]
    centre = np.asarray(grouping.layout.get(key, (0.0, 0.0)))
    sub = grouping.chart.graph.induced_subgraph(group.members)
    rng = np.random.default_rng(seed)
    if sub.vcount() > 1:
        half = max(1.0, np.sqrt(sub.vcount()) / 2)
        start = rng.uniform(-half, half, size=(sub.vcount(), 2)).tolist()
        coords = np.asarray(sub.layout_fruchterman_reingold(niter=300, seed=start).coords)
        coords = coords - coords.mean(axis=0)
        coords = coords / max(1e-9, np.sqrt((coords**2).sum(axis=1)).max())
    else:
        coords = np.zeros((sub.vcount(), 2))
    radius = 0.05 + 0.012 * np.sqrt(len(group.members))
    ids = grouping.chart.entity_ids
    points = centre + radius * coords
    return {ids[v]: (float(points[i, 0]), float(points[i, 1])) for i, v in enumerate(group.members)}


def grouping_for(wb: Workbench, filters: Filters, level: str, communities_of) -> Grouping:
    """The grouping of the filtered chart at `level`, laid out, cached per store generation."""

    def build() -> Grouping:
        chart = link_chart(wb, filters)
        grouping = build_grouping(wb, chart, level, communities_of(chart))
        grouping.layout = layout_groups(grouping)
        return grouping

    return wb.cached(("grouping", filters, level), build)


def fragment_rows(grouping: Grouping) -> list[list[dict]]:
    """Each fragment as its entities (id, label, kind)."""
    graph, ids = grouping.chart.graph, grouping.chart.entity_ids
    return [
        [
            {
                "id": ids[v],
                "label": graph.vs[v]["label"] or str(ids[v]),
                "kind": graph.vs[v]["kind"],
            }
            for v in members
        ]
        for members in grouping.fragments
    ]


def group_members_frame(grouping: Grouping, key: str) -> pl.DataFrame:
    """The members of one group (entity id, label, kind), for the detail panel."""
    graph, ids = grouping.chart.graph, grouping.chart.entity_ids
    members = grouping.groups[key].members
    return pl.DataFrame(
        {
            "id": [ids[v] for v in members],
            "label": [graph.vs[v]["label"] or "" for v in members],
            "kind": [graph.vs[v]["kind"] for v in members],
        }
    )


def ties_inside(grouping: Grouping) -> dict[str, int]:
    """Per group: the ties among its own members (hidden while it is collapsed)."""
    inside: dict[str, int] = defaultdict(int)
    for s, t in grouping.chart.graph.get_edgelist():
        a, b = grouping.group_of[s], grouping.group_of[t]
        if a is not None and a == b:
            inside[a] += 1
    return inside
