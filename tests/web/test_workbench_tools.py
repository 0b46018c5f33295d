"""The workbench as a daily tool (issue 20): the folded network, cases, the time histogram, the
review queue's plain reasons, transliteration and undo. Expected values are computed here from the
fixture file or from the persons view, independently of the grouping code."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import networkx as nx

from .test_api import RECORDS, fixture_graph, key_of


def _members_by_group(persons: dict) -> dict[str, set[int]]:
    """Group key -> entity ids, from the persons view: recorded cell, else own node."""
    out: dict[str, set[int]] = {}
    for node in persons["nodes"]:
        if node["cell"] is not None:
            out.setdefault(f"cell:{node['cell']}", set()).add(node["id"])
    return out


def test_groups_view_folds_recorded_cells_and_weights_links_by_ties(read_client):
    persons = read_client.get("/api/network", params={"view": "persons"}).json()
    grouped = read_client.get("/api/network").json()
    assert grouped["view"] == "groups" and grouped["entities"] == len(persons["nodes"])
    groups = {n["id"]: n for n in grouped["nodes"] if isinstance(n["id"], str)}
    expected = _members_by_group(persons)
    cell_groups = {k: v for k, v in groups.items() if k.startswith("cell:")}
    assert {k: v["members"] for k, v in cell_groups.items()} == {
        k: len(v) for k, v in expected.items()
    }
    # Every entity is drawn once: as itself, inside one group, or in a fragment aside.
    drawn_entities = sum(1 for n in grouped["nodes"] if not isinstance(n["id"], str))
    aside = sum(len(f) for f in grouped["fragments"])
    assert (
        drawn_entities + sum(g["members"] for g in groups.values()) + aside == grouped["entities"]
    )
    # Link weights: ties between the members of two drawn nodes, counted on the persons view.
    where = {}
    for node in grouped["nodes"]:
        if isinstance(node["id"], str):
            continue
        where[node["id"]] = node["id"]
    for key, members in expected.items():
        for member in members:
            where[member] = key
    ties: Counter = Counter()
    for edge in persons["edges"]:
        a, b = where.get(edge["source"]), where.get(edge["target"])
        if a is not None and b is not None and a != b:
            ties[frozenset((a, b))] += 1
    got = {frozenset((e["source"], e["target"])): e["ties"] for e in grouped["edges"]}
    for pair, count in got.items():
        if all(p in where.values() for p in pair):
            assert ties[pair] == count, pair


def test_expanding_a_group_draws_its_members_and_reveal_finds_a_person(read_client):
    ids = key_of(read_client)
    grouped = read_client.get("/api/network").json()
    cell = next(n for n in grouped["nodes"] if str(n["id"]).startswith("cell:"))
    expanded = read_client.get("/api/network", params={"expand": cell["id"]}).json()
    members = [n for n in expanded["nodes"] if n.get("group") == cell["id"]]
    assert len(members) == cell["members"] and cell["id"] not in {
        n["id"] for n in expanded["nodes"]
    }
    revealed = read_client.get("/api/network", params={"reveal": ids["P-5"]}).json()
    assert ids["P-5"] in {n["id"] for n in revealed["nodes"]}
    bad = read_client.get("/api/network", params={"expand": "cell:abc"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("expand:")
    assert read_client.get("/api/network", params={"expand": "cell:999999"}).status_code == 404
    assert (
        read_client.get("/api/network", params={"view": "galaxy"})
        .json()["detail"]
        .startswith("view:")
    )


def test_fragments_are_the_small_components_without_a_cell(read_client):
    persons = read_client.get("/api/network", params={"view": "persons"}).json()
    graph = nx.Graph()
    graph.add_nodes_from(n["id"] for n in persons["nodes"])
    graph.add_edges_from((e["source"], e["target"]) for e in persons["edges"])
    cells = {n["id"] for n in persons["nodes"] if n["cell"] is not None}
    expected = {
        frozenset(c) for c in nx.connected_components(graph) if len(c) <= 5 and not (c & cells)
    }
    grouped = read_client.get("/api/network").json()
    assert {frozenset(e["id"] for e in f) for f in grouped["fragments"]} == expected
    assert fixture_graph().number_of_nodes() == len(persons["nodes"])


def test_cases_are_saved_versioned_and_reopened(client):
    state = {
        "filters": {"min_grade": "B2"},
        "expanded": ["cell:3"],
        "pinned": {"12": {"x": 0.1, "y": -0.2}},
        "selected": "12",
        "notes": {"12": "met the courier twice", "12|15": "link from R-3 only"},
    }
    created = client.post(
        "/api/cases", json={"name": "Courier ring", "state": state, "author": "someone-else"}
    )
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["version"] == 1 and case["author"] == "tester" and case["state"] == state
    state["notes"]["12"] = "met the courier three times"
    again = client.put(
        f"/api/cases/{case['id']}",
        json={"name": "Courier ring", "state": state},
    ).json()
    assert again["version"] == 2 and again["author"] == "tester"
    listed = client.get("/api/cases", params={"view": "network"}).json()
    assert [c["name"] for c in listed] == ["Courier ring"]
    assert client.get(f"/api/cases/{case['id']}").json()["state"]["notes"]["12"].endswith("times")
    # Both versions stay in the store.
    from sqlalchemy import select

    from cellmap.store import tables as t

    store = client.app.state.workbench.store
    with store.session() as conn:
        versions = conn.execute(
            select(t.workbench_case_version.c.version, t.workbench_case_version.c.author)
        ).all()
    assert sorted(versions) == [(1, "tester"), (2, "tester")]
    assert client.get("/api/cases/999").json()["detail"].startswith("case_id:")
    bad = client.post("/api/cases", json={"name": "x", "view": "nowhere", "state": {}})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("view:")


def test_a_case_is_read_and_saved_only_by_holders_of_its_authors_compartments(client):
    from .conftest import user_token

    store = client.app.state.workbench.store.base

    def as_user(name: str, held: set[str]) -> dict:
        return {"Authorization": f"Bearer {user_token(store, name, 'analyst', held)}"}

    narrow, wide, other = (
        as_user("narrow", {"default"}),
        as_user("wide", {"default", "partner"}),
        as_user("other", {"partner"}),
    )
    body = {"name": "Courier ring", "state": {"notes": {"12": "seen in R-3"}}}
    case = client.post("/api/cases", json=body, headers=narrow).json()
    assert case["compartments"] == ["default"]
    missing = client.get("/api/cases/999", headers=other)
    hidden = client.get(f"/api/cases/{case['id']}", headers=other)
    assert hidden.status_code == missing.status_code == 404  # as a missing id, the id aside
    assert hidden.json()["detail"] == missing.json()["detail"].replace("999", str(case["id"]))
    assert client.get("/api/cases", headers=other).json() == []
    put = client.put(f"/api/cases/{case['id']}", json={**body, "name": "mine"}, headers=other)
    assert put.status_code == 404
    # a holder of more compartments saves it again: it now carries theirs, and the first
    # author (who lacks partner) no longer reads it; nothing the other user sent was stored
    widened = client.put(f"/api/cases/{case['id']}", json=body, headers=wide).json()
    assert widened["compartments"] == ["default", "partner"] and widened["version"] == 2
    assert client.get(f"/api/cases/{case['id']}", headers=narrow).status_code == 404
    assert client.get("/api/cases", headers=wide).json()[0]["name"] == "Courier ring"


def test_incident_histogram_counts_every_month(read_client):
    months = read_client.get("/api/timeline/histogram").json()["months"]
    dates = [
        dt.date.fromisoformat(r["date"]) for r in RECORDS if r["record"] == "incident" and r["date"]
    ]
    expected = Counter(d.strftime("%Y-%m") for d in dates)
    got = {m["month"]: m["incidents"] for m in months}
    assert {k: v for k, v in got.items() if v} == dict(expected)
    assert months[0]["month"] == min(expected) and months[-1]["month"] == max(expected)
    assert len(months) == len(set(got))  # one row per month, empty months included


def test_review_reasons_in_words_and_undo_is_a_new_judgement(client):
    from cellmap.store import views
    from cellmap.web.api.review import plain_reasons

    reasons = {
        "name_score": 0.87,
        "agree": ["al-urduni ~ al-ardni (nisba, 1.00)"],
        "attributes": {"unit": 0.65, "context": -3.5, "gender": 0.0},
        "features": {"cross_script": 1.0, "kunya_agree": 0.0},
    }
    words = [(r.text, r.supports) for r in plain_reasons(reasons)]
    assert words == [
        ("names alike at 87% after spelling variants", True),
        ("agree: al-urduni ~ al-ardni (nisba, 1.00)", True),
        ("their units and contacts do not overlap", False),
        ("placed in the same unit by their reports", True),
        ("one name is in Arabic script, the other in Latin: compared after transliteration", True),
    ]
    queue = client.get("/api/review/queue", params={"limit": 5}).json()
    assert queue["ready"] and queue["candidates"], queue
    pair = queue["candidates"][0]
    first = client.post(
        "/api/review/judgements",
        json={"left_id": pair["left"]["id"], "right_id": pair["right"]["id"], "decision": "same"},
    ).json()
    after = client.get("/api/review/queue", params={"limit": 5}).json()
    assert after["remaining"] == queue["remaining"] - 1
    undone = client.post(f"/api/review/judgements/{first['id']}/undo", json={}).json()
    assert undone["undoes"] == first["id"] and undone["decision"] == "unsure"
    store = client.app.state.workbench.store
    with store.session() as conn:
        latest = views.latest_judgements(conn)
    assert latest.height == 1 and latest["decision"][0] == "unsure"
    from sqlalchemy import func, select

    from cellmap.store import tables as t

    with store.session() as conn:
        assert conn.execute(select(func.count()).select_from(t.judgement)).scalar() == 2
    assert (
        client.get("/api/review/queue", params={"limit": 5}).json()["remaining"]
        == queue["remaining"]
    )
    stale = client.post(f"/api/review/judgements/{first['id']}/undo", json={})
    assert stale.status_code == 409 and stale.json()["detail"].startswith("judgement_id:")


def test_arabic_names_carry_their_transliteration(client, tmp_path):
    import json

    from cellmap.ingest import import_files
    from cellmap.resolve.names import arabic_to_latin
    from cellmap.web.api.review import describe

    wb = client.app.state.workbench
    extra = tmp_path / "arabic.cellmap.jsonl"
    extra.write_text(
        json.dumps(
            {
                "record": "entity",
                "id": "P-AR",
                "kind": "person",
                "report": "R-1",
                "properties": {"name": ["أبو ناصر الأردني"]},
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    import_files(wb.store, [extra])
    wb.changed()
    names = dict(
        (n, i) for i, n in wb.entities(resolved=False).select("entity_id", "name").iter_rows()
    )
    arabic, latin = names["أبو ناصر الأردني"], names["Abu Khalid al-Raqqawi"]
    sides = describe(wb, [arabic, latin])
    assert sides[arabic].latin == arabic_to_latin("أبو ناصر الأردني") == "abu nasr al-ardni"
    assert sides[latin].latin is None
    assert [r.report_key for r in sides[arabic].reports] == ["R-1"]


def test_the_queues_warmed_at_start_are_those_of_the_users_compartment_sets(store):
    from sqlalchemy import select

    from cellmap.auth import accounts
    from cellmap.store import tables as t
    from cellmap.web.api.review import holdings_to_warm, warm_queue
    from cellmap.web.workbench import Workbench

    wb = Workbench(store)
    assert holdings_to_warm(wb) == []  # no account: no one to warm for
    with store.transaction() as conn:
        for name, held in (("a", ("default",)), ("b", ("default",)), ("c", ("partner",))):
            accounts.add_user(conn, name, "reviewer", held, "a long pass phrase")
        accounts.add_user(conn, "gone", "reviewer", ("x",), "a long pass phrase")
        accounts.disable(conn, "gone")
    assert holdings_to_warm(wb) == [frozenset({"default"}), frozenset({"partner"})]
    warm_queue(wb).join()
    with store.session() as conn:
        scopes = set(conn.execute(select(t.review_queue.c.scope)).scalars())
    # {default} holds every compartment of this store: its queue is the whole store's ("*")
    assert scopes == {"*", "partner"}
