"""Network view: the link chart (nodes, edges, measures, communities, key players), search,
neighbours and the paths between two entities with the reports behind every edge."""

from __future__ import annotations

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel

from cellmap.web import analysis
from cellmap.web.api.params import bad_parameter, filters, workbench
from cellmap.web.api.provenance import relations_out
from cellmap.web.api.schemas import RelationOut
from cellmap.web.graphs import PATH_METHODS, LinkChart, find_paths, link_chart
from cellmap.web.workbench import Filters, Workbench

router = APIRouter(tags=["network"])


class Node(BaseModel):
    id: int
    label: str
    kind: str | None
    cell: int | None = None
    community: int | None = None
    key_player: bool = False
    x: float
    y: float
    measure: float


class Edge(BaseModel):
    source: int
    target: int
    kinds: list[str]
    relations: int


class NetworkOut(BaseModel):
    nodes: list[Node]
    edges: list[Edge]
    measure: str
    measures: list[str]
    key_players: list[int]
    truncated: bool


class EntityHit(BaseModel):
    id: int
    name: str
    kind: str


class PathEdge(BaseModel):
    source: int
    target: int
    relations: list[RelationOut]


class PathOut(BaseModel):
    nodes: list[EntityHit]
    edges: list[PathEdge]


class PathsOut(BaseModel):
    source: EntityHit
    target: EntityHit
    length: int | None
    paths: list[PathOut]


@router.get("/network", response_model=NetworkOut, summary="The link chart under the given filters")
def network(
    wb: Workbench = Depends(workbench),
    flt: Filters = Depends(filters),
    measure: str = Query("degree", description="node measure used for size"),
    limit: int = Query(
        20000, ge=1, le=100000, description="at most this many nodes (largest measure first)"
    ),
) -> NetworkOut:
    chart = link_chart(wb, flt)
    if measure not in analysis.MEASURES:
        raise bad_parameter(
            "measure", f"unknown measure {measure!r} (known: {', '.join(analysis.MEASURES)})"
        )
    values = analysis.measure(wb, chart, measure)
    community = analysis.communities(wb, chart) or [None] * len(chart.entity_ids)
    keys = analysis.key_players(wb, chart)
    chosen = list(range(len(chart.entity_ids)))
    truncated = len(chosen) > limit
    if truncated:
        chosen = sorted(chosen, key=lambda v: -values[v])[:limit]
    return chart_out(wb, chart, chosen, values, community, keys, measure, truncated)


def chart_out(
    wb: Workbench,
    chart: LinkChart,
    chosen: list[int],
    values: list[float],
    community: list,
    keys: list[int],
    measure: str,
    truncated: bool,
) -> NetworkOut:
    """Nodes `chosen` (vertex indices) of the chart and the edges among them."""
    cells = wb.recorded_cells()
    key_set = set(keys)
    graph = chart.graph
    labels, kinds = (
        graph.vs["label"] if graph.vcount() else [],
        graph.vs["kind"] if graph.vcount() else [],
    )
    nodes = [
        Node(
            id=chart.entity_ids[v],
            label=labels[v] or str(chart.entity_ids[v]),
            kind=kinds[v],
            cell=cells.get(chart.entity_ids[v]),
            community=community[v],
            key_player=chart.entity_ids[v] in key_set,
            x=float(chart.layout[v, 0]),
            y=float(chart.layout[v, 1]),
            measure=float(values[v]),
        )
        for v in chosen
    ]
    keep = set(chosen)
    edge_kinds, edge_counts = chart.edge_summary()
    edges = [
        Edge(
            source=chart.entity_ids[s],
            target=chart.entity_ids[t],
            kinds=edge_kinds[e],
            relations=edge_counts[e],
        )
        for e, (s, t) in enumerate(graph.get_edgelist())
        if s in keep and t in keep
    ]
    return NetworkOut(
        nodes=nodes,
        edges=edges,
        measure=measure,
        measures=list(analysis.MEASURES),
        key_players=keys,
        truncated=truncated,
    )


class SearchHit(EntityHit):
    matched: str  # the name, alias, kunya, nisba or laqab that matched


NAME_PROPS = ("name", "alias", "kunya", "nisba", "laqab")


def name_index(wb: Workbench) -> pl.DataFrame:
    """One row per (resolved entity, name it is known by): captions and every name-like property of
    every record of the cluster, so that a search for a kunya or a variant spelling finds the person."""

    def build() -> pl.DataFrame:
        entities = wb.entities()
        captions = entities.select(
            pl.col("canonical_id").alias("id"), pl.col("name").alias("matched")
        )
        props = wb.properties(props=list(NAME_PROPS)).select(
            "entity_id", pl.col("value").alias("matched")
        )
        aliases = props.join(
            entities.select("entity_id", pl.col("canonical_id").alias("id")), on="entity_id"
        ).select("id", "matched")
        kinds = entities.select(
            pl.col("entity_id").alias("id"), "kind", pl.col("name").alias("caption")
        )
        return (
            pl.concat([captions, aliases])
            .drop_nulls()
            .unique()
            .join(kinds, on="id")
            .with_columns(pl.col("matched").str.to_lowercase().alias("folded"))
        )

    return wb.cached(("name_index",), build)


@router.get(
    "/search",
    response_model=list[SearchHit],
    summary="Entities any of whose names (caption, alias, kunya, nisba, laqab) contains the text",
)
def search(
    q: str = Query(
        ..., min_length=1, max_length=200, description="text to find in names (case-insensitive)"
    ),
    kind: str | None = Query(None, description="entity kind, e.g. person"),
    limit: int = Query(20, ge=1, le=200),
    wb: Workbench = Depends(workbench),
) -> list[SearchHit]:
    from cellmap import model

    if kind and kind not in model.entity_kinds():
        raise bad_parameter(
            "kind", f"unknown entity kind {kind!r} (known: {', '.join(model.entity_kinds())})"
        )
    frame = name_index(wb)
    if kind:
        frame = frame.filter(pl.col("kind") == kind)
    needle = q.strip().lower()
    hits = (
        frame.filter(pl.col("folded").str.contains(needle, literal=True))
        .with_columns(
            (pl.col("folded") == needle).alias("exact"),
            pl.col("folded").str.starts_with(needle).alias("prefix"),
            (pl.col("matched") == pl.col("caption")).alias("own_name"),
        )
        .sort(
            ["exact", "prefix", "own_name", "caption", "id"],
            descending=[True, True, True, False, False],
        )
        .unique("id", keep="first", maintain_order=True)
        .head(limit)
    )
    return [
        SearchHit(id=r["id"], name=r["caption"] or "", kind=r["kind"], matched=r["matched"])
        for r in hits.iter_rows(named=True)
    ]


def entity_hit(wb: Workbench, entity_id: int, name: str) -> EntityHit:
    canonical = wb.canonical(entity_id)
    if canonical is None:
        raise HTTPException(status_code=404, detail=f"{name}: no entity with id {entity_id}")
    return EntityHit(
        id=canonical, name=wb.names().get(canonical, ""), kind=wb.kinds().get(canonical, "")
    )


@router.get(
    "/network/neighbours/{entity_id}",
    response_model=NetworkOut,
    summary="An entity and its neighbours (to expand on the canvas)",
)
def neighbours(
    entity_id: int, wb: Workbench = Depends(workbench), flt: Filters = Depends(filters)
) -> NetworkOut:
    centre = entity_hit(wb, entity_id, "entity_id")
    chart = link_chart(wb, flt)
    v = chart.vertex(centre.id)
    around = [] if v is None else [v] + sorted(set(chart.graph.neighbors(v)))
    values = [float(d) for d in chart.graph.degree()]
    return chart_out(wb, chart, around, values, [None] * len(values), [], "degree", False)


def relations_by_id(wb: Workbench) -> dict[int, list[RelationOut]]:
    """Every relation statement as an API model, by relation id (built once per store generation)."""

    def build() -> dict[int, list[RelationOut]]:
        index: dict[int, list[RelationOut]] = {}
        for relation in relations_out(wb, wb.relations()):
            index.setdefault(relation.relation_id, []).append(relation)
        return index

    return wb.cached(("relations_by_id",), build)


@router.get(
    "/paths",
    response_model=PathsOut,
    summary="Shortest paths between two entities, with reports per edge",
)
def paths(
    source: int = Query(..., description="entity id at one end"),
    target: int = Query(..., description="entity id at the other end"),
    limit: int = Query(5, ge=1, le=50, description="at most this many paths"),
    how: str = Query(
        "shortest", description="'shortest': every shortest path; 'k': the k shortest simple paths"
    ),
    wb: Workbench = Depends(workbench),
    flt: Filters = Depends(filters),
) -> PathsOut:
    a, b = entity_hit(wb, source, "source"), entity_hit(wb, target, "target")
    if a.id == b.id:
        raise bad_parameter("target", "is the same entity as source")
    if how not in PATH_METHODS:
        raise bad_parameter("how", f"unknown method {how!r} (known: {', '.join(PATH_METHODS)})")
    chart = link_chart(wb, flt)
    found = find_paths(chart, a.id, b.id, limit, how)
    names, kinds = wb.names(), wb.kinds()
    by_id = relations_by_id(wb)
    out = []
    for path in found:
        edges = []
        for u, w in zip(path, path[1:], strict=False):
            ids = sorted(set(chart.evidence(u, w)["relation_id"].to_list()))
            edges.append(
                PathEdge(source=u, target=w, relations=[r for i in ids for r in by_id.get(i, [])])
            )
        out.append(
            PathOut(
                nodes=[EntityHit(id=e, name=names.get(e, ""), kind=kinds.get(e, "")) for e in path],
                edges=edges,
            )
        )
    return PathsOut(
        source=a, target=b, length=min(len(p) for p in found) - 1 if found else None, paths=out
    )
