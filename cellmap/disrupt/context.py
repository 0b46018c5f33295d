"""From store frames to what the strike and recovery models need: roles, cells, leadership.

Inputs are frames shaped like ``cellmap.store.views.relations`` / ``views.properties`` and a person
graph from :func:`cellmap.graph.projection.person_graph` (vertex attribute ``entity_id``). Nothing
here opens a store. Units (cells, sectors, the organisation) are named by their entity id as text.

Conventions (stated, because the data allow several readings):
* a membership counts at date ``at`` when ``valid_from ≤ at ≤ valid_to`` (a missing bound is open);
  with ``at=None`` every membership counts (the whole recorded history);
* a person's role is their most senior role in the model's role vocabulary order
  (``cellmap/schema/model.yaml``: leader first);
* a cell's sector is given by ``part_of`` (cell → sector);
* a cell's message drop is a site with property ``site_kind = message_drop`` that the cell (or one of
  its members) ``use``s; the persons serving it are those with a ``use`` or ``communication``
  relation to it; when the data name no drop, the cell's persons with role ``messenger`` stand in;
* a designated deputy is a ``command`` relation whose ``attrs`` has ``"relationship": "deputy"``
  (source = the principal, target = the deputy).
"""

from __future__ import annotations

import datetime as dt
import json

import igraph as ig
import polars as pl

from cellmap import model
from cellmap.disrupt.curves import Reachability
from cellmap.disrupt.recovery import COLLECTIVE, Organisation, organisation_from_memberships
from cellmap.disrupt.tenure import CRITICAL_ROLES

__all__ = [
    "memberships_at",
    "vertex_memberships",
    "person_roles",
    "cell_sectors",
    "leadership_reachability",
    "drop_reachability",
    "deputies",
    "organisation",
]


def _valid_at(frame: pl.DataFrame, at: dt.date | None) -> pl.DataFrame:
    if at is None:
        return frame
    return frame.filter(
        (pl.col("valid_from").is_null() | (pl.col("valid_from") <= at))
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= at))
    )


def memberships_at(relations: pl.DataFrame, at: dt.date | None = None) -> pl.DataFrame:
    """Membership statements valid at ``at``: ``person_id, unit, unit_kind, role`` (distinct)."""
    mem = _valid_at(relations.filter(pl.col("kind") == "membership"), at)
    return mem.select(
        pl.col("source_id").alias("person_id"),
        pl.col("target_id").cast(pl.Utf8).alias("unit"),
        pl.col("target_kind").alias("unit_kind"),
        "role",
    ).unique(maintain_order=True)


def _vertex_of(g: ig.Graph) -> pl.DataFrame:
    return pl.DataFrame(
        {"person_id": g.vs["entity_id"], "vertex": list(range(g.vcount()))},
        schema={"person_id": pl.Int64, "vertex": pl.Int64},
    )


def vertex_memberships(
    g: ig.Graph, relations: pl.DataFrame, at: dt.date | None = None
) -> pl.DataFrame:
    """Memberships of the graph's persons: ``vertex, unit, unit_kind, role``."""
    if "entity_id" not in g.vs.attributes():
        return pl.DataFrame(
            schema={"vertex": pl.Int64, "unit": pl.Utf8, "unit_kind": pl.Utf8, "role": pl.Utf8}
        )
    return (
        memberships_at(relations, at)
        .join(_vertex_of(g), on="person_id")
        .select("vertex", "unit", "unit_kind", "role")
        .sort("vertex", "unit")
    )


def person_roles(
    g: ig.Graph, relations: pl.DataFrame, at: dt.date | None = None
) -> list[str | None]:
    """Each vertex's most senior role at ``at`` (None without a recorded role)."""
    rank = model.role_rank()
    best: list[str | None] = [None] * g.vcount()
    for v, role in vertex_memberships(g, relations, at).select("vertex", "role").iter_rows():
        if role in rank and (best[v] is None or rank[role] < rank[best[v]]):
            best[v] = role
    return best


def cell_sectors(relations: pl.DataFrame, at: dt.date | None = None) -> pl.DataFrame:
    """``cell, sector`` pairs from part_of relations (cell → sector)."""
    rel = _valid_at(
        relations.filter(
            (pl.col("kind") == "part_of")
            & (pl.col("source_kind") == "cell")
            & (pl.col("target_kind") == "sector")
        ),
        at,
    )
    return rel.select(
        pl.col("source_id").cast(pl.Utf8).alias("cell"),
        pl.col("target_id").cast(pl.Utf8).alias("sector"),
    ).unique(maintain_order=True)


def _cells(members: pl.DataFrame) -> dict[str, list[int]]:
    cells = (
        members.filter(pl.col("unit_kind") == "cell")
        .group_by("unit", maintain_order=True)
        .agg(pl.col("vertex").unique().sort())
    )
    return dict(sorted(zip(cells["unit"].to_list(), cells["vertex"].to_list(), strict=False)))


def leadership_reachability(
    g: ig.Graph,
    relations: pl.DataFrame,
    at: dt.date | None = None,
    leadership_roles: tuple[str, ...] = COLLECTIVE,
    name: str = "cells_cut_from_leadership",
) -> Reachability:
    """One item per cell: its members must reach a holder of ``leadership_roles``."""
    members = vertex_memberships(g, relations, at)
    leaders = sorted(
        set(members.filter(pl.col("role").is_in(list(leadership_roles)))["vertex"].to_list())
    )
    cells = _cells(members)
    return Reachability(
        name,
        list(cells),
        list(cells.values()),
        [leaders] * len(cells),
        description="cells none of whose surviving members can reach a surviving "
        + " or ".join(leadership_roles),
    )


def drop_reachability(
    g: ig.Graph,
    relations: pl.DataFrame,
    properties: pl.DataFrame | None = None,
    at: dt.date | None = None,
    name: str = "cells_drop_cut_from_sector_head",
) -> Reachability:
    """One item per cell: the persons serving its message drop must reach its sector head."""
    members = vertex_memberships(g, relations, at)
    cells = _cells(members)
    sector_of = dict(cell_sectors(relations, at).iter_rows())
    heads: dict[str, list[int]] = {}
    for v, unit in (
        members.filter(pl.col("role") == "sector_head").select("vertex", "unit").iter_rows()
    ):
        heads.setdefault(unit, []).append(v)
    servers = _drop_servers(g, relations, properties, at, cells, members)
    items = list(cells)
    return Reachability(
        name,
        items,
        [servers.get(c, []) for c in items],
        [sorted(heads.get(sector_of.get(c, ""), [])) for c in items],
        description="cells whose message-drop messengers cannot reach their sector head",
    )


def _drop_servers(g, relations, properties, at, cells, members) -> dict[str, list[int]]:
    """Per cell, the vertices serving its message drop (else its messengers)."""
    servers: dict[str, set[int]] = {}
    drop_known: set[str] = set()
    if properties is not None and properties.height and "entity_id" in g.vs.attributes():
        drops = set(
            properties.filter(
                (pl.col("prop") == "site_kind") & (pl.col("value") == "message_drop")
            )["entity_id"].to_list()
        )
        ties = _valid_at(
            relations.filter(
                pl.col("kind").is_in(["use", "communication"])
                & pl.col("target_id").is_in(list(drops))
            ),
            at,
        )
        vertex = {e: v for v, e in enumerate(g.vs["entity_id"])}
        cell_of_person: dict[int, set[str]] = {}
        for v, unit in (
            members.filter(pl.col("unit_kind") == "cell").select("vertex", "unit").iter_rows()
        ):
            cell_of_person.setdefault(v, set()).add(unit)
        drop_cells: dict[int, set[str]] = {}
        for src, kind, site in ties.select("source_id", "source_kind", "target_id").iter_rows():
            if kind == "cell":
                drop_cells.setdefault(site, set()).add(str(src))
        for src, kind, site in ties.select("source_id", "source_kind", "target_id").iter_rows():
            if kind == "person" and src in vertex:
                v = vertex[src]
                for cell in drop_cells.get(site) or cell_of_person.get(v, set()):
                    servers.setdefault(cell, set()).add(v)
        drop_known.update(servers)
    # Cells whose drop is not in the data: their messengers stand in for the drop.
    messengers = members.filter((pl.col("unit_kind") == "cell") & (pl.col("role") == "messenger"))
    for v, unit in messengers.select("vertex", "unit").iter_rows():
        if unit in cells and unit not in drop_known:
            servers.setdefault(unit, set()).add(v)
    return {c: sorted(vs) for c, vs in servers.items()}


def deputies(g: ig.Graph, relations: pl.DataFrame, at: dt.date | None = None) -> dict[int, int]:
    """principal vertex → deputy vertex, from command relations marked ``relationship: deputy``."""
    if "entity_id" not in g.vs.attributes():
        return {}
    vertex = {e: v for v, e in enumerate(g.vs["entity_id"])}
    out: dict[int, int] = {}
    for src, dst, attrs in (
        _valid_at(relations.filter(pl.col("kind") == "command"), at)
        .select("source_id", "target_id", "attrs")
        .iter_rows()
    ):
        info = json.loads(attrs) if attrs else {}
        if info.get("relationship") == "deputy" and src in vertex and dst in vertex:
            out[vertex[src]] = vertex[dst]
    return out


def organisation(
    g: ig.Graph,
    relations: pl.DataFrame,
    at: dt.date | None = None,
    succession_roles: tuple[str, ...] = CRITICAL_ROLES,
) -> Organisation:
    """The :class:`Organisation` of the recovery model at ``at``."""
    members = vertex_memberships(g, relations, at)
    return organisation_from_memberships(
        g, members, cell_sectors(relations, at), deputies(g, relations, at), succession_roles
    )
