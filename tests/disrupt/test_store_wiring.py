"""From a small hand-made store to roles, cells, reachability, recorded removals and tenures."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from cellmap.disrupt.context import (
    deputies,
    drop_reachability,
    leadership_reachability,
    organisation,
    person_roles,
)
from cellmap.disrupt.curves import removal_curve
from cellmap.disrupt.orders import recorded_order, role_order
from cellmap.disrupt.replay import removals_from_relations
from cellmap.disrupt.tenure import role_tenures


@pytest.fixture
def frames(small_store):
    from cellmap.graph.projection import person_graph
    from cellmap.store import open_store, views

    with open_store(small_store).session() as s:
        rel, ent, props = (
            views.relations(s),
            views.entities(s),
            views.properties(s, props=["site_kind"]),
        )
    g = person_graph(rel, ent, kinds=["communication"])
    key = {e: k for e, k in ent.select("entity_id", "key").iter_rows()}
    return g, rel, props, key


def vertex(g, name):
    return g.vs.find(name=name).index


def test_roles_deputies_and_reachability(frames):
    g, rel, props, key = frames
    roles = person_roles(g, rel, at=dt.date(2020, 6, 1))
    assert roles[vertex(g, "L")] == "leader" and roles[vertex(g, "F1")] == "fighter"
    assert deputies(g, rel) == {vertex(g, "L"): vertex(g, "K1")}
    lead = leadership_reachability(g, rel, at=dt.date(2020, 6, 1))
    drop = drop_reachability(g, rel, props, at=dt.date(2020, 6, 1))
    assert sorted(key[int(c)] for c in lead.items) == ["C1", "C2"]
    by_cell = {
        key[int(c)]: [g.vs[v]["name"] for v in src]
        for c, src in zip(drop.items, drop.sources, strict=False)
    }
    assert by_cell == {"C1": ["M1"], "C2": ["M2"]}  # C1 via its drop D1, C2 via its messenger
    assert all([g.vs[v]["name"] for v in t] == ["H"] for t in drop.targets)
    # Striking K1 alone cuts nothing; then H cuts both cells from the leadership and from the head.
    curve = removal_curve(g, [vertex(g, "K1"), vertex(g, "H")], [lead, drop])
    assert curve["cells_cut_from_leadership"].to_list() == [0, 0, 2]
    assert curve["cells_drop_cut_from_sector_head"].to_list() == [0, 0, 2]
    # leadership first: leader, council members (most connected first), sector head
    order = role_order(g, roles, "leadership")
    assert [g.vs[v]["name"] for v in order] == ["L", "K1", "K2", "H"]
    org = organisation(g, rel, at=dt.date(2020, 6, 1))
    assert sorted((r, g.vs[h]["name"]) for r, _, h in org.posts) == [
        ("council_member", "K1"),
        ("council_member", "K2"),
        ("leader", "L"),
        ("sector_head", "H"),
    ]


def test_recorded_removals_and_tenure(frames):
    g, rel, _, key = frames
    events = removals_from_relations(rel)
    order, skipped = recorded_order(
        g,
        events.with_columns(
            pl.col("person").cast(pl.Int64).replace_strict(key, return_dtype=pl.Utf8)
        ),
    )
    assert [g.vs[v]["name"] for v in order] == ["L", "H"]  # 2021-02-01 arrest, 2021-05-01 strike
    ten = role_tenures(rel, roles=["leader", "sector_head"], study_end=dt.date(2021, 6, 1))
    assert sorted(ten.select("days", "eliminated").iter_rows()) == [(486, True), (762, True)]
