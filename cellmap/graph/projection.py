"""Projections: relation and entity frames (from the store views, or a plain edge list) → igraph graphs.

Every projection returns an undirected simple igraph graph:

* vertex attributes ``name`` (the entity key, or the node id of an edge list — unique), ``entity_id``
  (int, -1 for edge lists), ``kind`` (``person``, ``cell``, … or ``node``) and ``label`` (display name);
* edge attribute ``weight`` (float);
* graph attribute ``evidence``: a Polars frame with one row per (edge, supporting relation):
  ``edge`` (igraph edge index), ``relation_id``, ``kind``, ``report_id``, ``reliability``,
  ``credibility``, ``grade``, ``via`` (the shared affiliation's key in one-mode projections, else null),
  sorted by ``edge`` so that the evidence of any edge is found by binary search
  (:func:`edge_evidence`) — how X is connected to Y, and on whose word;
* graph attribute ``memberships``: a Polars frame ``vertex, group_kind ('cell'|'sector'), group``
  giving each person's recorded cells and sectors (used by the cell/sector counts and by the
  structural-versus-recorded comparison of :mod:`cellmap.graph.communities`).

Parallel statements about one pair collapse into one edge; its weight is the sum, over the distinct
relation kinds that support it, of that kind's weight (default 1): a second report of the same tie
corroborates it (it is listed as evidence) but does not make it twice as strong.

The functions take frames shaped like ``cellmap.store.views.relations`` / ``views.entities`` output
and never open a store themselves (analyses take data and return data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

import igraph as ig
import numpy as np
import polars as pl

from cellmap.errors import InputError

__all__ = [
    "RELIABILITY_ORDER",
    "filter_relations",
    "person_graph",
    "two_mode_graph",
    "one_mode_projection",
    "meta_network",
    "graph_from_edge_list",
    "read_edge_list",
    "edge_evidence",
    "vertex_index",
    "AFFILIATION_KINDS",
    "grade_rank",
    "cached",
    "edge_array",
]

RELIABILITY_ORDER = "ABCDEF"

#: Two-mode projections: the relation kinds that tie a person to an entity of each affiliation kind.
AFFILIATION_KINDS: dict[str, tuple[str, ...]] = {
    "cell": ("membership",),
    "organisation": ("membership",),
    "sector": ("membership",),
    "site": ("use", "communication"),
    "incident": ("participation", "attribution"),
    "fund": ("use", "payment"),
    "identifier": ("use", "communication"),
    "vehicle": ("use",),
}

_EVIDENCE_SCHEMA = {
    "edge": pl.Int64,
    "relation_id": pl.Int64,
    "kind": pl.Utf8,
    "report_id": pl.Int64,
    "reliability": pl.Utf8,
    "credibility": pl.Int64,
    "grade": pl.Utf8,
    "via": pl.Utf8,
}


# ---------------------------------------------------------------------------------------- caches
def cached(g: ig.Graph, name: str, compute):
    """A value derived from the graph's structure, computed once per graph object.

    The cache lives in a graph attribute keyed by the object's id and its vertex and edge counts, so
    a copy or subgraph (which inherits graph attributes) recomputes instead of reading a stale value.
    """
    key = (id(g), g.vcount(), g.ecount())
    store = g["_cache"] if "_cache" in g.attributes() else None
    if not isinstance(store, dict) or store.get("key") != key:
        store = {"key": key}
        g["_cache"] = store
    if name not in store:
        store[name] = compute()
    return store[name]


def edge_array(g: ig.Graph) -> np.ndarray:
    """The edges as an (m, 2) int64 array (cached: igraph's edge list costs ~1 s per million edges)."""
    return cached(g, "edges", lambda: np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2))


# --------------------------------------------------------------------------------------- filters
def _parse_grade(min_grade: str) -> tuple[str, int]:
    grade = min_grade.strip().upper()
    if len(grade) != 2 or grade[0] not in RELIABILITY_ORDER or grade[1] not in "123456":
        raise InputError(
            f"{min_grade!r} is not an Admiralty grade such as 'B3' (A-F, 1-6)", field="min_grade"
        )
    return grade[0], int(grade[1])


def filter_relations(
    relations: pl.DataFrame,
    kinds: Iterable[str] | None = None,
    min_grade: str | None = None,
    window: tuple[dt.date | None, dt.date | None] | None = None,
) -> pl.DataFrame:
    """Keep the relation statements of the given kinds, at or above a minimum grade, valid in a window.

    ``min_grade='B3'`` keeps statements whose report has reliability A–B *and* credibility 1–3 (the
    Admiralty / STANAG 2022 scale; lower letter and lower digit are better). ``window=(start, end)``
    keeps statements whose validity interval ``[valid_from, valid_to]`` overlaps it (a missing bound
    is open). Cost: O(rows), vectorised in Polars.
    """
    out = relations
    if kinds is not None:
        out = out.filter(pl.col("kind").is_in(list(kinds)))
    if min_grade:
        letter, digit = _parse_grade(min_grade)
        allowed = list(RELIABILITY_ORDER[: RELIABILITY_ORDER.index(letter) + 1])
        out = out.filter(pl.col("reliability").is_in(allowed) & (pl.col("credibility") <= digit))
    if window is not None:
        start, end = window
        if start is not None and "valid_to" in out.columns:
            out = out.filter(pl.col("valid_to").is_null() | (pl.col("valid_to") >= start))
        if end is not None and "valid_from" in out.columns:
            out = out.filter(pl.col("valid_from").is_null() | (pl.col("valid_from") <= end))
    return out


# --------------------------------------------------------------------------------------- builder
def _evidence_columns(links: pl.DataFrame) -> pl.DataFrame:
    """Bring a links frame to the evidence schema (missing columns become nulls)."""
    cols = []
    for name, dtype in _EVIDENCE_SCHEMA.items():
        if name == "edge":
            continue
        cols.append(
            pl.col(name).cast(dtype)
            if name in links.columns
            else pl.lit(None, dtype=dtype).alias(name)
        )
    return links.select(pl.col("u"), pl.col("v"), *cols)


def _build(
    nodes: pl.DataFrame,
    links: pl.DataFrame,
    kind_weights: Mapping[str, float] | None,
    summed_weight: str | None = None,
) -> ig.Graph:
    """Build the simple undirected graph.

    ``nodes``: columns ``name, entity_id, kind, label`` (one row per vertex, in vertex order).
    ``links``: columns ``u, v`` (vertex indices) plus evidence columns. Self-loops are dropped.
    Weight = Σ over distinct kinds of ``kind_weights[kind]`` (default 1), or, if ``summed_weight``
    names a column, the sum of that column over distinct (kind, via) rows. Cost: O(L log L) for L links.
    """
    n = nodes.height
    links = links.filter(pl.col("u") != pl.col("v")).with_columns(
        (pl.min_horizontal("u", "v") * n + pl.max_horizontal("u", "v")).alias("pair")
    )
    weights = dict(kind_weights or {})
    if summed_weight is None:
        per_kind = (
            links.select("pair", "kind")
            .unique()
            .with_columns(
                pl.col("kind")
                .replace_strict(weights, default=1.0, return_dtype=pl.Float64)
                .alias("w")
            )
        )
        pairs = per_kind.group_by("pair").agg(pl.col("w").sum().alias("weight"))
    else:
        pairs = (
            links.select("pair", "kind", "via", summed_weight)
            .unique(subset=["pair", "kind", "via"])
            .group_by("pair")
            .agg(pl.col(summed_weight).cast(pl.Float64).sum().alias("weight"))
        )
    # One integer key per unordered pair: a single-column sort orders edges by (u, v).
    pairs = pairs.sort("pair").with_row_index("edge").with_columns(pl.col("edge").cast(pl.Int64))
    key = pairs["pair"].to_numpy()
    ends = np.column_stack([key // max(n, 1), key % max(n, 1)]).astype(np.int64).reshape(-1, 2)
    evidence = (
        _evidence_columns(links.drop("pair"))
        .with_columns((pl.min_horizontal("u", "v") * n + pl.max_horizontal("u", "v")).alias("pair"))
        .join(pairs.select("pair", "edge"), on="pair")
        .select(list(_EVIDENCE_SCHEMA))
        .sort("edge")
    )
    return _graph(nodes, ends, pairs["weight"].to_numpy(), evidence)


def _graph(nodes: pl.DataFrame, ends: np.ndarray, weights: np.ndarray, evidence) -> ig.Graph:
    """The igraph graph of vertices ``nodes`` and edges ``ends`` (sorted (u, v) pairs, u < v), with
    its weights, evidence and an empty memberships table."""
    # igraph takes an iterator of int pairs several times faster than an array or a list of lists.
    g = ig.Graph(
        n=nodes.height,
        edges=zip(ends[:, 0].tolist(), ends[:, 1].tolist(), strict=True),
        directed=False,
    )
    for col in ("name", "entity_id", "kind", "label"):
        g.vs[col] = nodes[col].to_list()
    g.es["weight"] = weights.tolist()
    g["evidence"] = evidence
    g["memberships"] = pl.DataFrame(
        schema={"vertex": pl.Int64, "group_kind": pl.Utf8, "group": pl.Utf8}
    )
    cached(g, "edges", lambda: ends)
    return g


def _node_frame(entities: pl.DataFrame, ids: pl.Series | None = None) -> pl.DataFrame:
    """Vertex table from an entities frame (resolved: one row per canonical id)."""
    ent = entities
    if "canonical_id" in ent.columns:
        ent = ent.filter(pl.col("canonical_id") == pl.col("entity_id"))
    if ids is not None:
        ent = ent.filter(pl.col("entity_id").is_in(ids.unique().implode()))
    ent = ent.unique(subset=["entity_id"]).sort("entity_id")
    return ent.select(
        pl.col("key").cast(pl.Utf8).alias("name"),
        pl.col("entity_id").cast(pl.Int64),
        pl.col("kind").cast(pl.Utf8),
        pl.col("name").cast(pl.Utf8).fill_null(pl.col("key")).alias("label"),
    )


def _canonical_entities(entities: pl.DataFrame) -> pl.DataFrame:
    if "canonical_id" in entities.columns:
        return entities.filter(pl.col("canonical_id") == pl.col("entity_id"))
    return entities


def _index_links(relations: pl.DataFrame, nodes: pl.DataFrame) -> pl.DataFrame:
    """Map source_id/target_id to vertex indices u, v (rows whose ends are not vertices are dropped)."""
    index = nodes.select(pl.col("entity_id"), pl.int_range(pl.len(), dtype=pl.Int64).alias("idx"))
    return relations.join(
        index.rename({"entity_id": "source_id", "idx": "u"}), on="source_id"
    ).join(index.rename({"entity_id": "target_id", "idx": "v"}), on="target_id")


def _attach_memberships(g: ig.Graph, relations: pl.DataFrame, entities: pl.DataFrame) -> ig.Graph:
    """Record each person's cells and sectors (membership → cell / sector, and cell part_of sector)."""
    ents = _canonical_entities(entities).select("entity_id", "key", "kind")
    mem = (
        relations.filter(pl.col("kind") == "membership")
        .select("source_id", "target_id")
        .join(
            ents.rename({"entity_id": "target_id", "key": "group", "kind": "group_kind"}),
            on="target_id",
        )
    )
    cell_sector = (
        relations.filter(pl.col("kind") == "part_of")
        .select(pl.col("source_id").alias("target_id"), pl.col("target_id").alias("sector_id"))
        .join(
            ents.filter(pl.col("kind") == "sector")
            .rename({"entity_id": "sector_id", "key": "group"})
            .drop("kind"),
            on="sector_id",
        )
    )
    via_cells = (
        mem.filter(pl.col("group_kind") == "cell")
        .select("source_id", "target_id")
        .join(cell_sector, on="target_id")
        .select("source_id", "group", pl.lit("sector").alias("group_kind"))
    )
    groups = pl.concat(
        [
            mem.filter(pl.col("group_kind").is_in(["cell", "sector"])).select(
                "source_id", "group", "group_kind"
            ),
            via_cells,
        ],
        how="vertical_relaxed",
    )
    index = pl.DataFrame(
        {"source_id": g.vs["entity_id"], "vertex": list(range(g.vcount()))},
        schema={"source_id": pl.Int64, "vertex": pl.Int64},
    )
    g["memberships"] = (
        groups.with_columns(pl.col("source_id").cast(pl.Int64))
        .join(index, on="source_id")
        .select("vertex", "group_kind", "group")
        .unique()
        .sort("vertex", "group_kind", "group")
    )
    return g


# ----------------------------------------------------------------------------------- projections
def person_graph(
    relations: pl.DataFrame,
    entities: pl.DataFrame,
    kinds: Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
    min_grade: str | None = None,
    window: tuple[dt.date | None, dt.date | None] | None = None,
    include_isolates: bool = True,
) -> ig.Graph:
    """Person–person graph from the chosen relation kinds (default: every kind tying two persons).

    Every person of ``entities`` is a vertex (isolates included unless ``include_isolates=False``), so
    measures compare like with like across grades. Weight per pair: Σ over its distinct kinds of
    ``weights[kind]`` (default 1). Cost: O(R log R) for R relation rows.
    """
    rel = filter_relations(relations, kinds, min_grade, window)
    persons = _canonical_entities(entities).filter(pl.col("kind") == "person")
    person_ids = persons["entity_id"]
    rel = rel.filter(
        pl.col("source_id").is_in(person_ids.implode())
        & pl.col("target_id").is_in(person_ids.implode())
    )
    if include_isolates:
        nodes = _node_frame(persons)
    else:
        nodes = _node_frame(persons, pl.concat([rel["source_id"], rel["target_id"]]))
    g = _build(nodes, _index_links(rel, nodes), weights)
    return _attach_memberships(g, filter_relations(relations, None, min_grade, window), entities)


def two_mode_graph(
    relations: pl.DataFrame,
    entities: pl.DataFrame,
    affiliation: str = "cell",
    kinds: Iterable[str] | None = None,
    min_grade: str | None = None,
    window: tuple[dt.date | None, dt.date | None] | None = None,
) -> ig.Graph:
    """Two-mode (bipartite) graph persons × entities of kind ``affiliation`` (cell, site, incident, …).

    Ties are the relations of ``kinds`` (default :data:`AFFILIATION_KINDS[affiliation]`) between a
    person and such an entity, in either direction. Vertex attribute ``type`` is False for persons and
    True for affiliations (igraph's bipartite convention). Weight = number of distinct relation kinds.
    Cost: O(R log R).
    """
    rel_kinds = (
        list(kinds)
        if kinds is not None
        else list(AFFILIATION_KINDS.get(affiliation, ("membership",)))
    )
    rel = filter_relations(relations, rel_kinds, min_grade, window)
    ents = _canonical_entities(entities)
    side = ents.filter(pl.col("kind").is_in(["person", affiliation]))
    person_ids = side.filter(pl.col("kind") == "person")["entity_id"].implode()
    affil_ids = side.filter(pl.col("kind") == affiliation)["entity_id"].implode()
    rel = rel.filter(
        (pl.col("source_id").is_in(person_ids) & pl.col("target_id").is_in(affil_ids))
        | (pl.col("source_id").is_in(affil_ids) & pl.col("target_id").is_in(person_ids))
    )
    nodes = _node_frame(side.filter(pl.col("kind") == "person")).vstack(
        _node_frame(side.filter(pl.col("kind") == affiliation))
    )
    g = _build(nodes, _index_links(rel, nodes), None)
    g.vs["type"] = [k != "person" for k in g.vs["kind"]]
    return _attach_memberships(g, filter_relations(relations, None, min_grade, window), entities)


def one_mode_projection(bipartite: ig.Graph, keep: str = "person") -> ig.Graph:
    """One-mode projection of a two-mode graph onto the vertices of kind ``keep``.

    Two kept vertices are tied when they share at least one affiliation; the weight is the number of
    shared affiliations (Breiger 1974, "The duality of persons and groups"). The evidence of a
    projected tie is the evidence of both affiliation ties, with ``via`` naming the affiliation.
    Cost: O(Σ_a d_a²) over affiliations a of degree d_a.
    """
    kept = [v.index for v in bipartite.vs if v["kind"] == keep]
    new_index = {old: new for new, old in enumerate(kept)}
    ev = bipartite["evidence"]
    ends = edge_array(bipartite)
    kinds = np.asarray(bipartite.vs["kind"], dtype=object)
    is_kept_u = kinds[ends[:, 0]] == keep if len(ends) else np.zeros(0, bool)
    person = np.where(is_kept_u, ends[:, 0], ends[:, 1]) if len(ends) else ends[:, 0]
    affil = np.where(is_kept_u, ends[:, 1], ends[:, 0]) if len(ends) else ends[:, 0]
    ties = pl.DataFrame(
        {"edge": np.arange(len(ends), dtype=np.int64), "person": person, "affil": affil}
    )
    names = pl.DataFrame(
        {"affil": np.arange(bipartite.vcount(), dtype=np.int64), "via": bipartite.vs["name"]}
    )
    ties = ties.join(names, on="affil").join(ev.drop("via"), on="edge", how="left")
    pairs = ties.join(ties.select("affil", pl.col("person").alias("other")), on="affil").filter(
        pl.col("person") != pl.col("other")
    )
    remap = pl.DataFrame(
        {"old": list(new_index), "new": list(new_index.values())},
        schema={"old": pl.Int64, "new": pl.Int64},
    )
    links = (
        pairs.join(remap.rename({"old": "person", "new": "u"}), on="person")
        .join(remap.rename({"old": "other", "new": "v"}), on="other")
        .with_columns(pl.lit(1.0).alias("shared"))
    )
    sub = bipartite.vs[kept]
    nodes = pl.DataFrame(
        {
            "name": sub["name"],
            "entity_id": sub["entity_id"],
            "kind": sub["kind"],
            "label": sub["label"],
        },
        schema={"name": pl.Utf8, "entity_id": pl.Int64, "kind": pl.Utf8, "label": pl.Utf8},
    )
    g = _build(nodes, links, None, summed_weight="shared")
    mem = bipartite["memberships"].join(remap.rename({"old": "vertex", "new": "nv"}), on="vertex")
    g["memberships"] = mem.select(pl.col("nv").alias("vertex"), "group_kind", "group")
    return g


def meta_network(
    relations: pl.DataFrame,
    entities: pl.DataFrame,
    kinds: Iterable[str] | None = None,
    weights: Mapping[str, float] | None = None,
    min_grade: str | None = None,
    window: tuple[dt.date | None, dt.date | None] | None = None,
) -> ig.Graph:
    """The whole meta-network (Carley 2002): every entity of every kind, every relation kind.

    Vertices are all (canonical) entities; ``kind`` tells persons, cells, sites, incidents… apart.
    Cost: O((N + R) log R).
    """
    rel = filter_relations(relations, kinds, min_grade, window)
    nodes = _node_frame(_canonical_entities(entities))
    g = _build(nodes, _index_links(rel, nodes), weights)
    return _attach_memberships(g, filter_relations(relations, None, min_grade, window), entities)


# ------------------------------------------------------------------------------------ edge lists
def read_edge_list(path: str | Path) -> pl.DataFrame:
    """Read an edge list — CSV, or Parquet (a file or a directory of pieces) — with columns
    ``source,target[,weight]`` (or ``from,to``; node ids are names).

    Raises InputError naming the file, line and field when a column or value is missing or bad.
    """
    path = Path(path)
    try:
        if path.is_dir() or path.suffix.lower() == ".parquet":  # Parquet: one file or its pieces
            pieces = path / "*.parquet" if path.is_dir() else path
            frame = pl.read_parquet(pieces)
            frame = frame.with_columns(pl.all().cast(pl.Utf8))  # node ids as text, as in a CSV
        else:
            frame = pl.read_csv(path, infer_schema_length=0)  # all strings: ids stay as written
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError) as exc:
        raise InputError(f"cannot read the edge list ({exc})", file=str(path), line=1) from exc
    cols = {c.strip().lower(): c for c in frame.columns}
    for name, synonym in (
        ("source", "from"),
        ("target", "to"),
    ):  # from,to edge lists are common too
        if name not in cols and synonym in cols:
            cols[name] = cols[synonym]
    for need in ("source", "target"):
        if need not in cols:
            raise InputError(
                "missing column (need source,target[,weight])", file=str(path), line=1, field=need
            )
    out = frame.select(
        pl.col(cols["source"]).str.strip_chars().alias("source"),
        pl.col(cols["target"]).str.strip_chars().alias("target"),
        *([pl.col(cols["weight"]).alias("weight")] if "weight" in cols else []),
    )
    for field in ("source", "target"):
        bad = out.with_row_index("line", offset=2).filter(
            pl.col(field).is_null() | (pl.col(field) == "")
        )
        if bad.height:
            raise InputError("empty node id", file=str(path), line=int(bad["line"][0]), field=field)
    if "weight" in out.columns:
        cast = out["weight"].cast(pl.Float64, strict=False)
        bad_rows = np.flatnonzero(
            cast.is_null().to_numpy() & out["weight"].is_not_null().to_numpy()
        )
        if len(bad_rows):
            raise InputError(
                f"not a number ({out['weight'][int(bad_rows[0])]!r})",
                file=str(path),
                line=int(bad_rows[0]) + 2,
                field="weight",
            )
        out = out.with_columns(cast.fill_null(1.0).alias("weight"))
    return out


def graph_from_edge_list(edges: pl.DataFrame | str | Path) -> ig.Graph:
    """Graph from a plain edge list (``source, target[, weight]``), with no store.

    Vertices are the node ids in order of first appearance (the sources, then the targets).
    Repeated pairs collapse into one edge whose weight is the sum of the rows' weights (default 1).
    Evidence rows carry the CSV line as ``relation_id`` and no report. Node ids become integer codes
    in one columnar pass (a Polars Enum over the distinct ids) and the pairs are collapsed by one
    sort over integer keys, so no string is handled row by row. Cost: O(E log E).
    """
    frame = read_edge_list(edges) if not isinstance(edges, pl.DataFrame) else edges
    names = pl.concat([frame["source"], frame["target"]]).cast(pl.Utf8).unique(maintain_order=True)
    n = len(names)
    codes = pl.Enum(names)
    u = frame["source"].cast(pl.Utf8).cast(codes).to_physical().to_numpy().astype(np.int64)
    v = frame["target"].cast(pl.Utf8).cast(codes).to_physical().to_numpy().astype(np.int64)
    if "weight" in frame.columns:
        weight = frame["weight"].cast(pl.Float64).fill_null(1.0).to_numpy()
    else:
        weight = np.ones(frame.height)
    kept = np.flatnonzero(u != v)  # self-loops are dropped
    pair = np.minimum(u, v)[kept] * n + np.maximum(u, v)[kept]
    order = np.argsort(pair, kind="stable")  # by (u, v), then by line
    pair, rows = pair[order], kept[order]
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    starts = np.flatnonzero(first)
    key = pair[starts]
    ends = np.column_stack([key // max(n, 1), key % max(n, 1)]).astype(np.int64).reshape(-1, 2)
    weights = np.add.reduceat(weight[rows], starts) if len(starts) else np.zeros(0)
    line = pl.Series("relation_id", rows + 2, dtype=pl.Int64)
    evidence = pl.DataFrame(
        {"edge": pl.Series("edge", np.cumsum(first) - 1, dtype=pl.Int64), "relation_id": line}
    ).select(
        "edge",
        "relation_id",
        pl.lit("edge", dtype=pl.Utf8).alias("kind"),
        *(
            pl.lit(None, dtype=_EVIDENCE_SCHEMA[c]).alias(c)
            for c in ("report_id", "reliability", "credibility", "grade")
        ),
        pl.col("relation_id").cast(pl.Utf8).alias("via"),
    )
    nodes = pl.DataFrame(
        {
            "name": names,
            "entity_id": pl.Series([-1] * n, dtype=pl.Int64),
            "kind": pl.Series(["node"] * n, dtype=pl.Utf8),
            "label": names,
        }
    )
    return _graph(nodes, ends, weights, evidence)


# --------------------------------------------------------------------------------------- lookups
def vertex_index(g: ig.Graph, node: str | int) -> int:
    """Vertex index of a node given by name (entity key / edge-list id), entity id, or unique label.
    O(1) by name (igraph keeps a name index), O(n) otherwise."""
    try:
        return g.vs.find(name=str(node)).index
    except ValueError:
        pass
    if isinstance(node, int) or (isinstance(node, str) and node.lstrip("-").isdigit()):
        ids = g.vs["entity_id"] if "entity_id" in g.vs.attributes() else []
        if int(node) in ids and int(node) >= 0:
            return ids.index(int(node))
    labels = g.vs["label"] if "label" in g.vs.attributes() else []
    matches = [i for i, label in enumerate(labels) if label == node]
    if len(matches) == 1:
        return matches[0]
    raise InputError(
        f"{node!r} is not in the graph" + (" (the name is ambiguous)" if matches else ""),
        field="node",
    )


def grade_rank(grade: str | None) -> int:
    """Sort key of an Admiralty grade: A1 → 0 (best) … F6 → 35; unknown → 36."""
    if (
        not grade
        or len(grade) != 2
        or grade[0] not in RELIABILITY_ORDER
        or grade[1] not in "123456"
    ):
        return 36
    return RELIABILITY_ORDER.index(grade[0]) * 6 + int(grade[1]) - 1


def edge_evidence(g: ig.Graph, edges: Iterable[int]) -> pl.DataFrame:
    """Evidence rows (relations, reports, grades) of the given edge indices. O(k log E) for k edges."""
    ev: pl.DataFrame = g["evidence"]
    wanted = np.asarray(sorted(set(edges)), dtype=np.int64)
    col = ev["edge"].to_numpy()
    starts = np.searchsorted(col, wanted, side="left")
    stops = np.searchsorted(col, wanted, side="right")
    rows = (
        np.concatenate([np.arange(a, b) for a, b in zip(starts, stops, strict=False)])
        if len(wanted)
        else np.zeros(0, np.int64)
    )
    return ev[rows] if len(rows) else ev.clear()
