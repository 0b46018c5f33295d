"""API tests: every route on a small graded fixture, values checked against the fixture file itself
(read independently here, with NetworkX for paths) and bad parameters giving clear 4xx, never 500."""

from __future__ import annotations

import io
import itertools
import json
import time

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import BROKEN, SMALL, app_client

RECORDS = [
    json.loads(line) for line in SMALL.read_text(encoding="utf-8").splitlines() if line.strip()
]
GRADES = {r["id"]: r["grade"] for r in RECORDS if r["record"] == "report"}
ENTITY_KIND = {r["id"]: r["kind"] for r in RECORDS if r["record"] == "entity"}
NAMES = {}
for record in RECORDS:
    if record["record"] == "entity":
        NAMES.setdefault(record["id"], record["properties"]["name"][0])


def key_of(client) -> dict[str, int]:
    """Fixture key → store id, through the search API."""
    out = {}
    for key, name in NAMES.items():
        hits = client.get("/api/search", params={"q": name, "limit": 50}).json()
        out[key] = next(h["id"] for h in hits if h["name"] == name)
    return out


def fixture_graph(max_reliability: str = "F", max_credibility: int = 6) -> nx.Graph:
    """The link chart computed straight from the fixture file: every relation whose report meets the grade."""
    g = nx.Graph()
    for r in RECORDS:
        if r["record"] != "relation":
            continue
        grade = GRADES[r["report"]]
        if grade[0] <= max_reliability and int(grade[1]) <= max_credibility:
            g.add_edge(r["source"], r["target"])
    return g


def test_index_and_static_assets_are_served(read_client):
    page = read_client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert read_client.get("/static/app.js").status_code == 200
    assert read_client.get("/static/app.css").status_code == 200
    assert read_client.get("/favicon.ico").status_code == 200
    assert "cdn" not in page.text.lower()
    docs = read_client.get("/docs")
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower() and "http" not in docs.text.replace("http-equiv", "")
    assert read_client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert read_client.get("/redoc").status_code == 404  # ReDoc would load from a CDN: not offered


def test_openapi_documents_every_route(read_client):
    spec = read_client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for route in (
        "/api/status",
        "/api/overview",
        "/api/overview/robust",
        "/api/overview/robust/measures",
        "/api/network",
        "/api/search",
        "/api/paths",
        "/api/network/neighbours/{entity_id}",
        "/api/entities/{entity_id}",
        "/api/reports/{report_id}",
        "/api/map",
        "/api/map/hexagons",
        "/api/map/borders",
        "/api/timeline",
        "/api/simulate",
        "/api/simulate/strategies",
        "/api/simulate/leadership",
        "/api/review/queue",
        "/api/review/judgements",
        "/api/import/check",
        "/api/import",
    ):
        assert route in paths, route


def test_robust_key_players_are_shares_of_bounded_samples(read_client):
    from cellmap.model import robust_sample_bounds

    params = {"samples": 4, "seed": 2, "k": 2}  # the fixture's few persons: a set of 2
    data = read_client.get("/api/overview/robust", params=params).json()
    assert data["samples"] == 4 and data["objective"] == "F" and data["k"] == 2
    assert data["inclusion"]["A1"] == 1.0 and data["inclusion"]["E5"] == pytest.approx(0.1575)
    shares = [p["share"] for p in data["persons"]]
    assert shares and all(abs(s * 4 - round(s * 4)) < 1e-9 and 0 <= s <= 1 for s in shares)
    assert sum(p["plain"] for p in data["persons"]) == 2  # the unperturbed network's set
    assert sum(shares) * 4 <= 2 * 4  # at most k seen persons per sample
    again = read_client.get("/api/overview/robust", params=params).json()
    assert again == data  # seeded
    too_many = robust_sample_bounds()["api_max"] + 1
    assert read_client.get("/api/overview/robust", params={"samples": too_many}).status_code == 422


def test_robust_measures_are_shares_of_the_top_by_each_measure(read_client):
    params = {"samples": 4, "seed": 2, "top": 3}
    data = read_client.get("/api/overview/robust/measures", params=params).json()
    assert data["samples"] == 4 and data["top"] == 3 and data["inclusion"]["A1"] == 1.0
    assert set(data["measures"]) == {"degree", "betweenness", "harmonic", "eigenvector", "pagerank"}
    for rows in data["measures"].values():
        shares = [r["share"] for r in rows]
        assert all(abs(s * 4 - round(s * 4)) < 1e-9 and 0 <= s <= 1 for s in shares)
        assert sum(r["plain"] for r in rows) <= 3 and shares == sorted(shares, reverse=True)
    # the plain top 3 by degree, against NetworkX on the fixture's person-to-person relations
    ids = key_of(read_client)
    persons = {k for k, kind in ENTITY_KIND.items() if kind == "person"}
    g = fixture_graph().subgraph(persons)
    degrees = dict(g.degree())
    third = sorted(degrees.values(), reverse=True)[2]
    plain = {r["id"] for r in data["measures"]["degree"] if r["plain"]}
    assert len(plain) == 3
    assert {ids[k] for k, d in degrees.items() if d > third} <= plain
    assert plain <= {ids[k] for k, d in degrees.items() if d >= third}
    assert read_client.get("/api/overview/robust/measures", params=params).json() == data
    for bad in ({"top": 51}, {"samples": 0}, {"seed": -1}):
        assert read_client.get("/api/overview/robust/measures", params=bad).status_code == 422


def test_status_counts_and_synthetic_banner(read_client):
    status = read_client.get("/api/status").json()
    assert status["synthetic"] is True
    assert status["banner"] == "SYNTHETIC DATA — fictional persons"
    assert status["counts"]["reports"] == len(GRADES)
    assert status["counts"]["incidents"] == sum(r["record"] == "incident" for r in RECORDS)


def test_overview(read_client):
    data = read_client.get("/api/overview").json()
    by_kind = {c["key"]: c["count"] for c in data["entities_by_kind"]}
    assert by_kind["person"] == sum(k == "person" for k in ENTITY_KIND.values())
    assert by_kind["cell"] == 2
    assert {c["key"]: c["count"] for c in data["reports_by_grade"]} == {
        "A1": 1,
        "B2": 1,
        "C3": 1,
        "E5": 1,
    }
    trends = {s["name"]: dict(zip(s["periods"], s["values"], strict=False)) for s in data["trends"]}
    incidents = [r for r in RECORDS if r["record"] == "incident"]
    for year in ("2021", "2022"):
        in_year = [i for i in incidents if i["date"].startswith(year)]
        assert trends["all incidents"][year] == len(in_year)
        assert trends["all operations"][year] == sum(
            i["type"] in ("attack", "jail_attack") for i in in_year
        )
        assert trends["completed operations"][year] == sum(
            i["type"] in ("attack", "jail_attack") and i["outcome"] == "completed" for i in in_year
        )
    strikes = data["latest_strikes"]
    assert [s["target_name"] for s in strikes] == ["Abu Khalid al-Raqqawi"]
    assert strikes[0]["report"]["report_key"] == "R-3" and strikes[0]["report"]["grade"] == "A1"


def test_network_matches_the_fixture_graph(read_client):
    ids = key_of(read_client)
    data = read_client.get("/api/network", params={"view": "persons"}).json()
    expected = fixture_graph()
    assert {n["id"] for n in data["nodes"]} == {ids[k] for k in expected.nodes}
    got_edges = {frozenset((e["source"], e["target"])) for e in data["edges"]}
    assert got_edges == {frozenset((ids[a], ids[b])) for a, b in expected.edges}
    degree = {n["id"]: n["measure"] for n in data["nodes"]}
    assert all(degree[ids[k]] == expected.degree(k) for k in expected.nodes)
    cells = {n["id"]: n["cell"] for n in data["nodes"]}
    assert cells[ids["P-5"]] == ids["C-2"] and cells[ids["P-3"]] == ids["C-1"]


def test_network_filters_by_grade_kind_and_window(read_client):
    ids = key_of(read_client)
    strict = read_client.get("/api/network", params={"min_grade": "C3", "view": "persons"}).json()
    expected = fixture_graph("C", 3)
    assert {n["id"] for n in strict["nodes"]} == {ids[k] for k in expected.nodes}
    comms = read_client.get(
        "/api/network", params={"kinds": "communication", "view": "persons"}
    ).json()
    assert all(e["kinds"] == ["communication"] for e in comms["edges"])
    assert len(comms["edges"]) == sum(
        r["record"] == "relation" and r["kind"] == "communication" for r in RECORDS
    )
    # Before 2019-05 only the leader's and council member's memberships (from 2019-04) and undated ties hold.
    early = read_client.get(
        "/api/network", params={"kinds": "membership", "end": "2019-05", "view": "persons"}
    ).json()
    assert {n["id"] for n in early["nodes"]} == {ids["P-1"], ids["P-2"], ids["ORG-1"]}


def test_network_betweenness_matches_networkx(read_client):
    ids = key_of(read_client)
    data = read_client.get(
        "/api/network", params={"measure": "betweenness", "view": "persons"}
    ).json()
    expected = nx.betweenness_centrality(fixture_graph(), normalized=True)
    got = {n["id"]: n["measure"] for n in data["nodes"]}
    for key, value in expected.items():
        assert got[ids[key]] == pytest.approx(value)


def test_search_and_neighbours(read_client):
    ids = key_of(read_client)
    hits = read_client.get("/api/search", params={"q": "abu kh", "kind": "person"}).json()
    assert [h["name"] for h in hits] == ["Abu Khalid al-Raqqawi"]
    around = read_client.get(f"/api/network/neighbours/{ids['P-2']}").json()
    expected = {ids[k] for k in fixture_graph().neighbors("P-2")} | {ids["P-2"]}
    assert {n["id"] for n in around["nodes"]} == expected


def test_paths_equal_networkx_all_shortest_paths_with_reports(read_client):
    ids = key_of(read_client)
    result = read_client.get(
        "/api/paths", params={"source": ids["P-1"], "target": ids["P-7"], "limit": 50}
    ).json()
    expected = {
        tuple(ids[k] for k in path) for path in nx.all_shortest_paths(fixture_graph(), "P-1", "P-7")
    }
    assert {tuple(n["id"] for n in p["nodes"]) for p in result["paths"]} == expected
    assert result["length"] == nx.shortest_path_length(fixture_graph(), "P-1", "P-7")
    by_key = {v: k for k, v in ids.items()}
    for path in result["paths"]:
        for edge in path["edges"]:
            a, b = by_key[edge["source"]], by_key[edge["target"]]
            expected_reports = sorted(
                r["report"]
                for r in RECORDS
                if r["record"] == "relation" and {r["source"], r["target"]} == {a, b}
            )
            assert sorted(r["report"]["report_key"] for r in edge["relations"]) == expected_reports
            assert all(
                r["report"]["grade"] == GRADES[r["report"]["report_key"]] for r in edge["relations"]
            )


def test_a_link_between_groups_lists_its_ties_with_their_reports(read_client):
    ids = key_of(read_client)
    by_key = {v: k for k, v in ids.items()}
    grouped = read_client.get("/api/network").json()
    between = [
        e for e in grouped["edges"] if isinstance(e["source"], str) or isinstance(e["target"], str)
    ]
    assert between, "the fixture's grouped chart has links between groups"
    graph = fixture_graph()
    for edge in between:
        params = {"a": str(edge["source"]), "b": str(edge["target"]), "limit": 200}
        found = read_client.get("/api/network/ties", params=params).json()
        assert found["total"] == edge["ties"] == len(found["ties"])  # the quotient's own count
        best = []
        for tie in found["ties"]:
            a, b = by_key[tie["source"]["id"]], by_key[tie["target"]["id"]]
            assert graph.has_edge(a, b)
            expected = sorted(
                r["report"]
                for r in RECORDS
                if r["record"] == "relation" and {r["source"], r["target"]} == {a, b}
            )
            assert sorted(r["report"]["report_key"] for r in tie["relations"]) == expected
            best.append(min((r["grade"][0], int(r["grade"][1])) for r in tie["relations"]))
        assert best == sorted(best)  # best-graded ties first
    edge = between[0]
    one = read_client.get(
        "/api/network/ties", params={"a": str(edge["source"]), "b": str(edge["target"]), "limit": 1}
    ).json()
    assert len(one["ties"]) == 1 and one["total"] == edge["ties"]


def test_paths_respect_min_grade(read_client):
    ids = key_of(read_client)
    # Hamza Qasim (P-7) is tied to the others only by the E5 forum rumour.
    result = read_client.get(
        "/api/paths", params={"source": ids["P-1"], "target": ids["P-7"], "min_grade": "C3"}
    ).json()
    assert result["paths"] == [] and result["length"] is None


def test_entity_page_shows_conflicts_names_roles_and_reports(read_client):
    ids = key_of(read_client)
    data = read_client.get(f"/api/entities/{ids['P-1']}").json()
    names = {(c["prop"], c["value"], c["grade"]) for c in data["names"]}
    assert ("name", "Abu Khaled al-Rakkawi", "E5") in names and (
        "kunya",
        "Abu Khalid",
        "B2",
    ) in names
    conflict = next(c for c in data["conflicts"] if c["prop"] == "birth_date")
    assert sorted((c["value"], c["report"]["report_key"]) for c in conflict["claims"]) == [
        ("1980", "R-1"),
        ("1983", "R-4"),
    ]
    assert [(r["role"], r["valid_to"], r["end_reason"]) for r in data["roles"]] == [
        ("leader", "2021-02-11", "killed")
    ]
    assert data["measures"]["degree"] == fixture_graph().degree("P-1")
    assert {r["kind"] for r in data["relations"]} == {"membership", "communication", "ct_action"}


def test_report_page(read_client):
    status = read_client.get("/api/search", params={"q": "Omar"}).json()
    assert status
    reports = {}
    for report_id in range(1, 5):
        body = read_client.get(f"/api/reports/{report_id}").json()
        reports[body["report"]["report_key"]] = body
    assert reports["R-2"]["incidents"] == 4
    assert len(reports["R-3"]["relations"]) == sum(
        r["record"] == "relation" and r["report"] == "R-3" for r in RECORDS
    )


def test_map_incidents_sites_places_triangle_and_hexagons(read_client):
    data = read_client.get("/api/map").json()
    assert sorted(i["location"] for i in data["incidents"]) == sorted(
        r["location"] for r in RECORDS if r["record"] == "incident"
    )
    assert [(s["name"], s["lat"], s["lon"]) for s in data["sites"]] == [
        ("Safe house near Tadmur", 34.56, 38.28)
    ]
    assert [p["name"] for p in data["triangle"]] == ["Palmyra", "Deir ez-Zor", "Abu Kamal"]
    from shapely.geometry import Point, shape

    area = shape(
        next(f for f in data["areas"]["features"] if f["properties"]["id"] == "triangle")[
            "geometry"
        ]
    )
    # The fixture's desert-road extortion (34.9, 39.5) lies between the three towns.
    assert area.contains(Point(39.5, 34.9))
    assert any(p["name"] == "Aleppo" for p in data["places"])
    window = read_client.get("/api/map", params={"start": "2022-01-01"}).json()
    assert len(window["incidents"]) == 2
    hexes = read_client.get("/api/map/hexagons", params={"resolution": 4}).json()
    assert sum(h["count"] for h in hexes["hexagons"]) == 4
    import h3

    assert {h["cell"] for h in hexes["hexagons"]} == {
        h3.latlng_to_cell(r["lat"], r["lon"], 4) for r in RECORDS if r["record"] == "incident"
    }
    borders = read_client.get("/api/map/borders").json()
    assert any(f["properties"]["name"] == "Syria" for f in borders["features"])


def test_timeline_events_and_filters(read_client):
    ids = key_of(read_client)
    data = read_client.get("/api/timeline").json()
    categories = [e["category"] for e in data["events"]]
    assert categories.count("incident") == 4
    assert categories.count("strike") == 1
    assert categories.count("arrest") == 1  # Karim Sabbagh's membership ended by arrest
    assert [e["date"] for e in data["events"]] == sorted(e["date"] for e in data["events"])
    bravo = read_client.get(
        "/api/timeline", params={"cell": ids["C-2"], "categories": "incident"}
    ).json()
    assert [e["detail"] for e in bravo["events"]] == ["Deir ez-Zor"]


def test_simulate_curves(read_client):
    ids = key_of(read_client)
    strategies = {s["name"] for s in read_client.get("/api/simulate/strategies").json()}
    assert {"degree", "betweenness", "persons", "roles:leadership"} <= strategies
    body = read_client.post(
        "/api/simulate", json={"strategy": "persons", "persons": [ids["P-2"]]}
    ).json()
    persons = (
        fixture_graph().subgraph([k for k, kind in ENTITY_KIND.items() if kind == "person"]).copy()
    )
    persons.add_nodes_from(k for k, kind in ENTITY_KIND.items() if kind == "person")
    n = persons.number_of_nodes()

    def fragmentation(g):
        return 1 - sum(len(c) * (len(c) - 1) for c in nx.connected_components(g)) / (n * (n - 1))

    assert body["curve"][0]["fragmentation"] == pytest.approx(fragmentation(persons))
    persons.remove_node("P-2")
    assert body["curve"][1]["fragmentation"] == pytest.approx(
        1
        - sum(len(c) * (len(c) - 1) for c in nx.connected_components(persons)) / ((n - 1) * (n - 2))
    )
    # Omar Haddad (council) is the only bridge from the leader to both cells.
    assert body["curve"][1]["cells_cut_off_single"] == 2
    assert body["curve"][1]["removed"]["name"] == "Omar Haddad"
    assert [p["name"] for p in body["leadership_collective"]] == [
        "Abu Khalid al-Raqqawi",
        "Omar Haddad",
    ]


def test_review_queue_and_judgement(client):
    ids = key_of(client)
    left, right = ids["P-7"], ids["P-8"]
    assert (
        client.post(
            "/api/review/judgements",
            json={"left_id": left, "right_id": right, "decision": "unsure"},
        ).status_code
        == 200
    )
    queue = client.get("/api/review/queue").json()
    assert [(c["left"]["name"], c["right"]["name"]) for c in queue["candidates"]] == [
        ("Hamza Qasim", "Hamzah Kassem")
    ]
    assert (
        client.post(
            "/api/review/judgements", json={"left_id": left, "right_id": right, "decision": "same"}
        ).status_code
        == 200
    )
    assert client.get("/api/review/queue").json()["candidates"] == []
    merged = client.get(f"/api/entities/{right}").json()
    assert merged["entity"]["id"] == min(left, right)
    assert sorted(r["name"] for r in merged["records"]) == ["Hamza Qasim", "Hamzah Kassem"]


def test_import_of_a_broken_file_lists_errors_and_stores_nothing(client):
    before = client.get("/api/status").json()["counts"]
    files = {"files": ("broken.cellmap.jsonl", BROKEN.read_bytes(), "application/json")}
    checked = client.post("/api/import/check", files=files).json()
    assert checked["stored"] is False
    found = {(e["line"], e["field"]) for e in checked["errors"]}
    # Line 1 has grade Z9, line 2 an undefined report, line 4 the date 2022-13-45 (see the fixture file).
    assert {(1, "grade"), (2, "report"), (4, "date")} <= found
    assert all(
        e["file"] == "broken.cellmap.jsonl" and 1 <= e["line"] <= 4 for e in checked["errors"]
    )
    listed = [(e["line"], e["field"], e["reason"]) for e in checked["errors"]]
    assert listed == sorted(set(listed))  # in line order, each once
    response = client.post(
        "/api/import",
        files={"files": ("broken.cellmap.jsonl", BROKEN.read_bytes(), "application/json")},
    )
    assert response.status_code == 422
    assert {(e["line"], e["field"]) for e in response.json()["errors"]} == found
    assert client.get("/api/status").json()["counts"] == before


def test_import_of_a_good_file_stores_it(client):
    line = {
        "record": "entity",
        "id": "P-99",
        "kind": "person",
        "report": "R-1",
        "properties": {"name": ["Walid Fictional"]},
    }
    content = (json.dumps(line) + "\n").encode()
    checked = client.post(
        "/api/import/check", files={"files": ("new.cellmap.jsonl", content, "application/json")}
    ).json()
    assert checked["errors"] == [] and checked["added"]["entities"] == 1
    assert client.get("/api/search", params={"q": "Walid"}).json() == []
    done = client.post(
        "/api/import", files={"files": ("new.cellmap.jsonl", content, "application/json")}
    ).json()
    assert done["stored"] is True and done["added"]["entities"] == 1
    assert [h["name"] for h in client.get("/api/search", params={"q": "Walid"}).json()] == [
        "Walid Fictional"
    ]


BAD_REQUESTS = [
    ("get", "/api/network", {"min_grade": "Z9"}, "min_grade"),
    ("get", "/api/network", {"kinds": "friendship"}, "kinds"),
    ("get", "/api/network", {"start": "2021-13"}, "start"),
    ("get", "/api/network", {"start": "2022-01-01", "end": "2021-01-01"}, "start"),
    ("get", "/api/network", {"measure": "charisma"}, "measure"),
    ("get", "/api/network", {"limit": "0"}, "limit"),
    ("get", "/api/search", {"q": ""}, "q"),
    ("get", "/api/search", {"q": "a", "kind": "dragon"}, "kind"),
    ("get", "/api/paths", {"target": "1"}, "source"),
    ("get", "/api/paths", {"source": "999999", "target": "1"}, "source"),
    ("get", "/api/paths", {"source": "6", "target": "6"}, "target"),
    ("get", "/api/paths", {"source": "x", "target": "1"}, "source"),
    ("get", "/api/network/neighbours/999999", {}, "entity_id"),
    ("get", "/api/entities/999999", {}, "entity_id"),
    ("get", "/api/entities/abc", {}, "entity_id"),
    ("get", "/api/reports/999999", {}, "report_id"),
    ("get", "/api/map", {"types": "picnic"}, "types"),
    ("get", "/api/map", {"end": "yesterday"}, "end"),
    ("get", "/api/map/hexagons", {"resolution": "20"}, "resolution"),
    ("get", "/api/timeline", {"categories": "party"}, "categories"),
    ("get", "/api/timeline", {"cell": "6"}, "cell"),
    ("get", "/api/review/queue", {"limit": "-1"}, "limit"),
    ("get", "/api/network/ties", {"a": "cell:999999", "b": "cell:1"}, "a"),
    ("get", "/api/network/ties", {"a": "1", "b": "1"}, "b"),
    ("get", "/api/network/ties", {"a": "1", "b": "x" * 41}, "b"),
    ("get", "/api/network/ties", {"a": "1", "b": "2", "level": "zone"}, "level"),
]


@pytest.mark.parametrize("method,url,params,parameter", BAD_REQUESTS)
def test_bad_parameters_give_a_4xx_naming_the_parameter(
    read_client, method, url, params, parameter
):
    response = getattr(read_client, method)(url, params=params)
    assert 400 <= response.status_code < 500, response.text
    detail = response.json()["detail"]
    text = detail if isinstance(detail, str) else json.dumps(detail)
    assert parameter in text


@pytest.mark.parametrize(
    "body,parameter",
    [
        ({"strategy": "charm"}, "strategy"),
        ({"strategy": "persons"}, "persons"),
        ({"strategy": "persons", "persons": [999999]}, "persons"),
        ({"strategy": "degree", "k": 0}, "k"),
        ({"strategy": "degree", "min_grade": "G7"}, "min_grade"),
    ],
)
def test_bad_simulations(read_client, body, parameter):
    response = read_client.post("/api/simulate", json=body)
    assert response.status_code == 422 and parameter in json.dumps(response.json()["detail"])


@pytest.mark.parametrize(
    "body,status,parameter",
    [
        ({"left_id": 6, "right_id": 7, "decision": "maybe"}, 422, "decision"),
        ({"left_id": 6, "right_id": 6, "decision": "same"}, 422, "right_id"),
        ({"left_id": 999999, "right_id": 6, "decision": "same"}, 404, "left_id"),
    ],
)
def test_bad_judgements(read_client, body, status, parameter):
    response = read_client.post("/api/review/judgements", json=body)
    assert response.status_code == status and parameter in json.dumps(response.json()["detail"])


def test_bad_imports(read_client):
    assert read_client.post("/api/import/check").status_code == 422
    response = read_client.post(
        "/api/import/check",
        files={"files": ("a.jsonl", b"{}\n", "application/json")},
        data={"grade": "Q1"},
    )
    assert response.status_code == 422 and "grade" in response.json()["detail"]
    unknown = read_client.post(
        "/api/import/check", files={"files": ("notes.txt", b"hello", "text/plain")}
    )
    assert unknown.status_code == 200  # a check reports the file's errors, it does not fail
    assert unknown.json()["stored"] is False and unknown.json()["records"] == 0
    assert "format not recognised" in unknown.json()["errors"][0]["reason"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    min_grade=st.text(max_size=4),
    start=st.text(max_size=12),
    kinds=st.text(max_size=20),
    measure=st.sampled_from(["degree", "pagerank", "nonsense", ""]),
)
def test_network_never_fails_with_a_500(read_client, min_grade, start, kinds, measure):
    response = read_client.get(
        "/api/network",
        params={"min_grade": min_grade, "start": start, "kinds": kinds, "measure": measure},
    )
    assert response.status_code in (200, 422), response.text


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    source=st.integers(-5, 40),
    target=st.integers(-5, 40),
    grade=st.sampled_from(["", "A1", "C3", "F6", "b2"]),
)
def test_paths_never_fail_with_a_500(read_client, source, target, grade):
    response = read_client.get(
        "/api/paths", params={"source": source, "target": target, "min_grade": grade}
    )
    assert response.status_code in (200, 404, 422), response.text


def test_upload_names_cannot_escape_the_upload_folder(read_client):
    response = read_client.post(
        "/api/import/check",
        files={"files": ("../../etc/evil.jsonl", io.BytesIO(b"\n"), "text/plain")},
    )
    assert response.status_code == 200
    assert response.json()["files"] == ["evil.jsonl"]


def test_leadership_comparison(read_client):
    body = read_client.post("/api/simulate/leadership", json={"runs": 3}).json()
    structures = {(r["structure"], r["outcome"]) for r in body["rows"]}
    assert len(structures) == 4 and all(r["runs"] == 3 for r in body["rows"])
    assert {r["outcome"] for r in body["rows"]} == {"strikes_to_cut_off", "steps_to_recover"}
    bad = read_client.post("/api/simulate/leadership", json={"runs": 0})
    assert bad.status_code == 422 and "runs" in json.dumps(bad.json()["detail"])


def test_overview_year_on_year_for_a_chosen_year(read_client):
    data = read_client.get("/api/overview", params={"year": 2022}).json()
    rows = {r["method"]: r for r in data["incidents_summary"]["year_on_year"]}
    incidents = [r for r in RECORDS if r["record"] == "incident"]
    count = lambda year: sum(i["date"].startswith(str(year)) for i in incidents)  # noqa: E731
    assert (rows["all_incidents"]["previous"], rows["all_incidents"]["current"]) == (
        count(2021),
        count(2022),
    )
    for bad in (2021, 1999, 2030):
        response = read_client.get("/api/overview", params={"year": bad})
        assert response.status_code == 422 and response.json()["detail"].startswith("year")


def test_k_shortest_simple_paths(read_client):
    ids = key_of(read_client)
    result = read_client.get(
        "/api/paths", params={"source": ids["P-1"], "target": ids["P-7"], "how": "k", "limit": 4}
    ).json()
    expected = list(itertools.islice(nx.shortest_simple_paths(fixture_graph(), "P-1", "P-7"), 4))
    assert [len(p["nodes"]) for p in result["paths"]] == [len(p) for p in expected]
    for path in result["paths"]:
        assert all(
            fixture_graph().has_edge(
                *(k for k, v in ids.items() if v in (e["source"], e["target"]))
            )
            for e in path["edges"]
        )
    bad = read_client.get(
        "/api/paths", params={"source": ids["P-1"], "target": ids["P-7"], "how": "all"}
    )
    assert bad.status_code == 422 and bad.json()["detail"].startswith("how")


def test_simulate_by_role_priority(read_client):
    body = read_client.post("/api/simulate", json={"strategy": "roles:leadership", "k": 4}).json()
    struck = [p["removed"]["name"] for p in body["curve"][1:]]
    # leader, then council member, then the two cell heads (most connected first).
    assert struck[:2] == ["Abu Khalid al-Raqqawi", "Omar Haddad"]
    assert sorted(struck[2:4]) == ["Samir Darwish", "Yusuf Nasser"]


def test_concurrent_callers_compute_a_cached_value_once(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from cellmap.web.workbench import Workbench

    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    wb = Workbench(store=None)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: wb.cached(("k",), slow), range(8)))
    assert results == [1] * 8 and len(calls) == 1
    wb.changed()
    assert wb.cached(("k",), slow) == 2


def test_search_finds_variant_spellings_and_kunyas(read_client):
    hits = read_client.get("/api/search", params={"q": "rakkawi"}).json()
    assert [(h["name"], h["matched"]) for h in hits] == [
        ("Abu Khalid al-Raqqawi", "Abu Khaled al-Rakkawi")
    ]


def test_simulate_as_of_a_date(read_client):
    # On 2021-06-01 the leader (killed 2021-02-11) is gone: with a single leader every cell is cut off
    # before any strike; the council member still reaches both cells (communication and meeting ties).
    body = read_client.post(
        "/api/simulate", json={"strategy": "degree", "k": 1, "at": "2021-06-01"}
    ).json()
    assert body["at"] == "2021-06-01" and body["leadership_single"] == []
    assert (
        body["curve"][0]["cells_cut_off_single"],
        body["curve"][0]["cells_cut_off_collective"],
    ) == (2, 0)
    before = read_client.post(
        "/api/simulate", json={"strategy": "degree", "k": 1, "at": "2020-06-01"}
    ).json()
    assert [p["name"] for p in before["leadership_single"]] == ["Abu Khalid al-Raqqawi"]
    bad = read_client.post("/api/simulate", json={"strategy": "degree", "at": "yesterday"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("at")


def test_incident_entity_page(read_client):
    hit = read_client.get("/api/search", params={"q": "Abu Kamal", "kind": "incident"}).json()[0]
    data = read_client.get(f"/api/entities/{hit['id']}").json()
    source = next(r for r in RECORDS if r["record"] == "incident" and r["location"] == "Abu Kamal")
    assert (data["incident"]["date"], data["incident"]["type"], data["incident"]["outcome"]) == (
        source["date"],
        source["type"],
        source["outcome"],
    )
    assert data["incident"]["report"]["report_key"] == source["report"]


def test_an_empty_store_serves_every_view(tmp_path):
    from cellmap.store import open_store

    empty = open_store("sqlite:///" + str(tmp_path / "empty.sqlite"))
    empty.init()
    with app_client(empty) as c:
        for url in (
            "/api/status",
            "/api/overview",
            "/api/network",
            "/api/map",
            "/api/map/hexagons",
            "/api/timeline",
            "/api/review/queue",
            "/api/simulate/strategies",
            "/api/search?q=a",
            "/",
        ):
            assert c.get(url).status_code == 200, url
        assert c.get("/api/status").json()["synthetic"] is False
        nothing = c.post("/api/simulate", json={"strategy": "degree"})
        assert nothing.status_code == 200
        assert (nothing.json()["persons"], nothing.json()["cells"]) == (0, 0)
        assert [p["step"] for p in nothing.json()["curve"]] == [0]
        leadership = c.post("/api/simulate/leadership", json={"runs": 1})
        assert leadership.status_code == 200
        # no organisation: no strike ever cuts a cell off (censored), nothing to recover from
        rows = {(r["structure"], r["outcome"]): r for r in leadership.json()["rows"]}
        assert len(rows) == 4
        for (_structure, outcome), row in rows.items():
            if outcome == "strikes_to_cut_off":
                assert (row["censored"], row["mean"]) == (1, None)
            else:
                assert (row["outcome"], row["censored"], row["mean"]) == (
                    "steps_to_recover",
                    0,
                    0.0,
                )
    empty.close()
