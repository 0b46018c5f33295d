"""From a small hand-made store to roles, cells, reachability, recorded removals and tenures."""
from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from cellmap.disrupt.context import (deputies, drop_reachability, leadership_reachability, organisation,
                                     person_roles)
from cellmap.disrupt.curves import removal_curve
from cellmap.disrupt.orders import recorded_order, role_order
from cellmap.disrupt.replay import removals_from_relations
from cellmap.disrupt.tenure import role_tenures

R = {"id": "R-1", "title": "synthetic test report", "kind": "analyst_note", "date": "2021-06-01",
     "source": "test", "grade": "B2", "synthetic": True}


def rec(**kw):
    return json.dumps({**kw, "report": "R-1"})


def store_lines() -> list[str]:
    lines = [json.dumps({"record": "report", **R})]
    ents = {"O": "organisation", "CT": "organisation", "S": "sector", "C1": "cell", "C2": "cell", "D1": "site"}
    ents.update({p: "person" for p in ("L", "K1", "K2", "H", "M1", "F1", "M2", "F2")})
    for key, kind in ents.items():
        props = {"name": [f"Test {key}"]}
        if key == "D1":
            props["site_kind"] = ["message_drop"]
        lines.append(rec(record="entity", id=key, kind=kind, properties=props))
    roles = [("L", "O", "leader", "2019-01-01", "2021-02-01", "arrested"), ("K1", "O", "council_member", "2019-01-01", None, None),
             ("K2", "O", "council_member", "2019-01-01", None, None), ("H", "S", "sector_head", "2020-01-01", "2021-05-01", "killed"),
             ("M1", "C1", "messenger", "2019-01-01", None, None), ("F1", "C1", "fighter", "2019-01-01", None, None),
             ("M2", "C2", "messenger", "2019-01-01", None, None), ("F2", "C2", "fighter", "2019-01-01", None, None)]
    for i, (p, unit, role, start, end, why) in enumerate(roles):
        lines.append(rec(record="relation", id=f"M-{i}", kind="membership", source=p, target=unit, role=role,
                         valid_from=start, valid_to=end, end_reason=why))
    ties = [("L", "K1"), ("L", "K2"), ("K1", "H"), ("K2", "H"), ("H", "M1"), ("M1", "F1"), ("H", "M2"), ("M2", "F2")]
    for i, (a, b) in enumerate(ties):
        lines.append(rec(record="relation", id=f"T-{i}", kind="communication", source=a, target=b))
    lines += [rec(record="relation", id="P-1", kind="part_of", source="C1", target="S"),
              rec(record="relation", id="P-2", kind="part_of", source="C2", target="S"),
              rec(record="relation", id="U-1", kind="use", source="C1", target="D1"),
              rec(record="relation", id="U-2", kind="use", source="M1", target="D1"),
              rec(record="relation", id="D-1", kind="command", source="L", target="K1", attrs={"relationship": "deputy"}),
              rec(record="relation", id="X-1", kind="ct_action", source="CT", target="H",
                  attrs={"date": "2021-05-01", "action": "strike", "outcome": "killed"})]
    return lines


@pytest.fixture
def frames(tmp_path):
    from cellmap.graph.projection import person_graph
    from cellmap.ingest import import_files
    from cellmap.store import open_store, views

    path = tmp_path / "org.jsonl"
    path.write_text("\n".join(store_lines()) + "\n")
    store = open_store("sqlite:///" + str(tmp_path / "s.sqlite"))
    store.init()
    import_files(store, [path])
    with store.session() as s:
        rel, ent, props = views.relations(s), views.entities(s), views.properties(s, props=["site_kind"])
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
    by_cell = {key[int(c)]: [g.vs[v]["name"] for v in src] for c, src in zip(drop.items, drop.sources)}
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
        ("council_member", "K1"), ("council_member", "K2"), ("leader", "L"), ("sector_head", "H")]


def test_recorded_removals_and_tenure(frames):
    g, rel, _, key = frames
    events = removals_from_relations(rel)
    order, skipped = recorded_order(g, events.with_columns(
        pl.col("person").cast(pl.Int64).replace_strict(key, return_dtype=pl.Utf8)))
    assert [g.vs[v]["name"] for v in order] == ["L", "H"]  # 2021-02-01 arrest, 2021-05-01 strike
    ten = role_tenures(rel, roles=["leader", "sector_head"], study_end=dt.date(2021, 6, 1))
    assert sorted(ten.select("days", "eliminated").iter_rows()) == [(486, True), (762, True)]
