"""Network view: the link chart (nodes, edges, measures, communities, key players), search,
neighbours and the paths between two entities with the reports behind every edge."""

from __future__ import annotations

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel

from cellmap.model import UNGRADED, Grade
from cellmap.web import analysis, groups
from cellmap.web.api.params import (
    MAX_ROW_ID,
    RowIdPath,
    bad_parameter,
    filters,
    require_known,
    workbench,
)
from cellmap.web.api.provenance import relations_out
from cellmap.web.api.schemas import RelationOut
from cellmap.web.graphs import PATH_METHODS, LinkChart, find_paths, link_chart
from cellmap.web.workbench import Filters, Workbench

router = APIRouter(tags=["network"])


class Node(BaseModel):
    id: int | str  # an entity id, or a group's key ("cell:12", "sector:45", "community:3")
    label: str
    kind: str | None
    cell: int | None = None
    community: int | None = None
    key_player: bool = False
    x: float
    y: float
    measure: float
    group: str | None = None  # the group an entity node belongs to (drawn expanded)
    members: int = 1  # entities folded into this node (1 for an entity)
    sector: int | None = None  # the sector of the node's cell, when recorded
    ties_inside: int = 0  # ties among a group's own members


class Edge(BaseModel):
    source: int | str
    target: int | str
    kinds: list[str]
    relations: int
    ties: int = 1  # entity-level ties folded into this edge


class FragmentEntity(BaseModel):
    id: int
    label: str
    kind: str | None


class NetworkOut(BaseModel):
    nodes: list[Node]
    edges: list[Edge]
    measure: str
    measures: list[str]
    key_players: list[int]
    truncated: bool
    view: str = "persons"
    level: str | None = None
    expanded: list[str] = []
    fragments: list[list[FragmentEntity]] = []
    entities: int = 0  # entities in the chart under the filters (drawn, folded or aside)


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


class Tie(BaseModel):
    """One entity-level tie folded into a link between groups, with the statements behind it."""

    source: EntityHit
    target: EntityHit
    relations: list[RelationOut]


class TiesOut(BaseModel):
    ties: list[Tie]
    total: int  # ties between the two ends under the filters; `ties` holds the first `limit`


class PathsOut(BaseModel):
    source: EntityHit
    target: EntityHit
    length: int | None
    paths: list[PathOut]


VIEWS = ("groups", "persons")


@router.get("/network", response_model=NetworkOut, summary="The link chart under the given filters")
def network(
    wb: Workbench = Depends(workbench),
    flt: Filters = Depends(filters),
    measure: str = Query("degree", description="node measure used for size"),
    limit: int = Query(
        20000, ge=1, le=100000, description="at most this many nodes (largest measure first)"
    ),
    view: str = Query(
        "groups",
        description="'groups': cells, sectors and detected groups as single nodes (expand some "
        "with `expand`), small fragments listed aside; 'persons': every entity",
    ),
    level: str = Query("cell", description="groups view: fold into 'cell' or 'sector' groups"),
    expand: str | None = Query(
        None,
        max_length=4000,
        description="groups view: comma-separated group keys drawn as members",
    ),
    reveal: str | None = Query(
        None,
        max_length=2000,
        description="groups view: comma-separated entity ids whose groups are expanded",
    ),
) -> NetworkOut:
    require_known("view", view, VIEWS)
    require_known("level", level, groups.LEVELS)
    require_known("measure", measure, analysis.MEASURES)
    chart = link_chart(wb, flt)
    if view == "groups":
        return grouped_out(
            wb, flt, chart, measure, level, parse_expand(expand), parse_ids(reveal, "reveal")
        )
    values = analysis.measure(wb, chart, measure)
    found = analysis.communities(wb, chart)
    community: list[int | None] = list(found) if found else [None] * len(chart.entity_ids)
    keys = analysis.key_players(wb, chart)
    chosen = list(range(len(chart.entity_ids)))
    truncated = len(chosen) > limit
    if truncated:
        chosen = sorted(chosen, key=lambda v: -values[v])[:limit]
    return chart_out(wb, chart, chosen, values, community, keys, measure, truncated)


def parse_expand(value: str | None) -> list[str]:
    keys = [k.strip() for k in (value or "").split(",") if k.strip()]
    for key in keys:
        kind, _, number = key.partition(":")
        if kind not in ("cell", "sector", "community") or not number.isdigit():
            raise bad_parameter("expand", f"{key!r} is not a group key such as cell:12")
    return list(dict.fromkeys(keys))


def parse_ids(value: str | None, name: str) -> list[int]:
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    if any(not p.isdigit() for p in parts):
        raise bad_parameter(name, "must be comma-separated entity ids")
    return [int(p) for p in parts][:200]


def grouped_out(
    wb: Workbench,
    flt: Filters,
    chart: LinkChart,
    measure: str,
    level: str,
    expand: list[str],
    reveal: list[int] | None = None,
) -> NetworkOut:
    """Groups as single nodes sized by members, edges weighted by the ties between them; members of
    `expand` (and the groups of the entities in `reveal`) drawn one by one around their group."""
    grouping = groups.grouping_for(wb, flt, level, lambda c: analysis.communities(wb, c))
    for entity in reveal or []:
        v = chart.vertex(wb.canonical(entity) or entity)
        key = grouping.group_of[v] if v is not None else None
        if key is not None and key not in expand:
            expand = [*expand, key]
    unknown = [k for k in expand if k not in grouping.groups]
    if unknown:
        raise bad_parameter("expand", f"no group {unknown[0]!r} under these filters", 404)
    expanded = set(expand)
    values = analysis.measure(wb, chart, measure)
    keys = set(analysis.key_players(wb, chart) or [])
    cells = wb.recorded_cells()
    drawn, edges = groups.quotient(grouping, expanded)
    inside = groups.ties_inside(grouping)
    positions = dict(grouping.layout)
    for key in expand:
        positions.update({str(i): p for i, p in groups.member_layout(grouping, key).items()})
    sectors = grouping.sector_of_cell
    nodes = []
    for key in drawn:
        group = grouping.groups.get(key)
        x, y = positions.get(key, (0.0, 0.0))
        if group is not None:
            nodes.append(
                Node(
                    id=key,
                    label=f"{group.label} · {len(group.members):,}",
                    kind=group.kind,
                    x=x,
                    y=y,
                    measure=float(len(group.members)),
                    members=len(group.members),
                    sector=group.sector,
                    ties_inside=inside.get(key, 0),
                )
            )
            continue
        entity = int(key)
        v = chart.vertex(entity)
        assert v is not None  # a member drawn by the quotient is a vertex of this chart
        cell = cells.get(entity)
        nodes.append(
            Node(
                id=entity,
                label=chart.graph.vs[v]["label"] or key,
                kind=chart.graph.vs[v]["kind"],
                cell=cell,
                key_player=entity in keys,
                x=x,
                y=y,
                measure=float(values[v]),
                group=grouping.group_of[v],
                sector=sectors.get(cell)
                if cell is not None
                else (entity if chart.graph.vs[v]["kind"] == "sector" else None),
            )
        )
    return NetworkOut(
        nodes=nodes,
        edges=[
            Edge(source=_node_id(a), target=_node_id(b), kinds=sorted(k), relations=n, ties=ties)
            for (a, b), (ties, n, k) in edges.items()
        ],
        measure=measure,
        measures=list(analysis.MEASURES),
        key_players=sorted(keys),
        truncated=False,
        view="groups",
        level=level,
        expanded=expand,
        fragments=[[FragmentEntity(**e) for e in f] for f in groups.fragment_rows(grouping)],
        entities=chart.graph.vcount(),
    )


@router.get(
    "/network/ties",
    response_model=TiesOut,
    summary="The entity-level ties behind a link of the grouped chart, with their reports",
)
def ties(
    a: str = Query(
        ..., max_length=40, description="one end: a group key (cell:12) or an entity id"
    ),
    b: str = Query(..., max_length=40, description="the other end, likewise"),
    level: str = Query("cell", description="the grouping the keys belong to: 'cell' or 'sector'"),
    limit: int = Query(30, ge=1, le=200, description="at most this many ties (best grade first)"),
    wb: Workbench = Depends(workbench),
    flt: Filters = Depends(filters),
) -> TiesOut:
    """Ties between the members of end `a` and those of end `b` (a group's members, or the entity
    itself), each with its relationship statements; ordered by the best grade among them, then by
    how many statements support the tie."""
    require_known("level", level, groups.LEVELS)
    chart = link_chart(wb, flt)
    grouping = groups.grouping_for(wb, flt, level, lambda c: analysis.communities(wb, c))
    ends = [_end_members(chart, grouping, key, name) for key, name in ((a, "a"), (b, "b"))]
    if ends[0] & ends[1]:
        raise bad_parameter("b", "overlaps end a: give two different groups or entities")
    graph, ids = chart.graph, chart.entity_ids
    pairs = sorted(
        (min(v, u), max(v, u)) for v in ends[0] for u in graph.neighbors(v) if u in ends[1]
    )
    by_id = relations_by_id(wb)
    names, kinds = wb.names(), wb.kinds()
    found = []
    for v, u in pairs:
        relation_ids = sorted(set(chart.evidence(ids[v], ids[u])["relation_id"].to_list()))
        relations = sorted(  # best grade first, so that a reader sees the strongest reports
            (r for i in relation_ids for r in by_id.get(i, [])),
            key=lambda r: (
                _grade(r),
                (r.report.report_key or "") if r.report else "",
                r.relation_id,
            ),
        )
        best = _grade(relations[0]) if relations else UNGRADED
        found.append((best, -len(relations), ids[v], ids[u], relations))
    found.sort(key=lambda row: row[:4])
    return TiesOut(
        ties=[
            Tie(source=_hit(names, kinds, x), target=_hit(names, kinds, y), relations=rs)
            for _, _, x, y, rs in found[:limit]
        ],
        total=len(found),
    )


def _grade(relation: RelationOut) -> Grade:
    return Grade.parse(relation.grade) if relation.grade else UNGRADED


def _hit(names: dict[int, str], kinds: dict[int, str], entity: int) -> EntityHit:
    return EntityHit(id=entity, name=names.get(entity, ""), kind=kinds.get(entity, ""))


def _end_members(chart: LinkChart, grouping: groups.Grouping, key: str, name: str) -> set[int]:
    """The chart's vertices standing for one end of a link: a group's members, or one entity."""
    key = key.strip()
    if key.isdigit():
        v = chart.vertex(int(key))
        if v is None:
            raise bad_parameter(name, f"no entity {key} in the chart under these filters", 404)
        return {v}
    group = grouping.groups.get(key)
    if group is None:
        raise bad_parameter(name, f"no group {key!r} under these filters", 404)
    return set(group.members)


def _node_id(key: str) -> int | str:
    return int(key) if key.isdigit() else key


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
        entities=graph.vcount(),
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

    if kind:
        require_known("kind", kind, model.entity_kinds(), "entity kind")
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
            ["exact", "prefix", "own_name", "caption", "id", "matched"],  # ties: the same answer
            descending=[True, True, True, False, False, False],
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
    entity_id: RowIdPath, wb: Workbench = Depends(workbench), flt: Filters = Depends(filters)
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
    source: int = Query(..., ge=1, le=MAX_ROW_ID, description="entity id at one end"),
    target: int = Query(..., ge=1, le=MAX_ROW_ID, description="entity id at the other end"),
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
    require_known("how", how, PATH_METHODS, "method")
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
                nodes=[_hit(names, kinds, e) for e in path],
                edges=edges,
            )
        )
    return PathsOut(
        source=a, target=b, length=min(len(p) for p in found) - 1 if found else None, paths=out
    )
