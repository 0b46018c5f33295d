"""Export → import round trips, FtM entities from the public data sets, ACLED edits and deletions."""

from __future__ import annotations

import json

import networkx as nx
import pytest
import yaml
from followthemoney import model as ftm_model

from cellmap.export import export
from cellmap.ingest import import_files
from cellmap.store import open_store, views
from tests.conftest import DATASETS


def ftm_file_from_name_bench(path) -> tuple[int, int]:
    """FtM entities (Person, Company, Organization…) taken from OpenSanctions' checks.yml, one per query and
    candidate, written as FtM JSON lines with real FtM ids. Returns (entities, property values)."""
    checks = yaml.safe_load((DATASETS / "opensanctions-name-bench" / "checks.yml").read_text())[
        "checks"
    ]
    seen: dict[str, dict] = {}
    for check in checks:
        for side in ("query", "candidate"):
            proxy = ftm_model.make_entity(check["schema"])
            for prop, values in check[side].items():
                if prop in proxy.schema.properties:
                    proxy.add(prop, values, cleaned=False)
            proxy.make_id(check["schema"], json.dumps(check[side], sort_keys=True))
            seen[proxy.id] = proxy.to_dict()
    with open(path, "w", encoding="utf-8") as handle:
        for data in seen.values():
            data["cellmap"] = {
                "report": {
                    "id": "opensanctions-checks",
                    "kind": "academic_dataset",
                    "grade": "B2",
                    "title": "OpenSanctions name-matching checks",
                }
            }
            handle.write(json.dumps(data, ensure_ascii=False) + "\n")
    values = sum(len(v) for data in seen.values() for v in data["properties"].values())
    return len(seen), values


def test_ftm_entities_from_a_public_data_set_import_export_and_import_again(tmp_path):
    source = tmp_path / "checks.ftm.jsonl"
    n_entities, n_values = ftm_file_from_name_bench(source)
    first = open_store(tmp_path / "a.sqlite")
    first.init()
    import_files(first, [source])
    with first.session() as conn:
        counts = views.counts(conn)
    assert counts["entities"] == n_entities > 200
    # duplicated values of one property collapse to one statement, so at most n_values statements
    assert 0 < counts["statements"] <= n_values
    export(first, "ftm", tmp_path / "out.ftm.jsonl")
    second = open_store(tmp_path / "b.sqlite")
    second.init()
    import_files(second, [tmp_path / "out.ftm.jsonl"])
    with second.session() as conn:
        assert views.counts(conn) == counts
        kinds = views.entity_counts(conn)
    assert set(kinds) == {"person", "organisation", "vehicle"}


@pytest.mark.parametrize("fmt,name", [("ftm", "x.ftm.jsonl"), ("jsonl", "x.jsonl"), ("csv", "csv")])
def test_every_export_imports_again_to_the_same_counts(any_store, sample_file, tmp_path, fmt, name):
    import_files(any_store, [sample_file])
    with any_store.session() as conn:
        counts = views.counts(conn)
        relations = views.relations(conn, resolved=False).drop(
            "relation_id", "source_id", "target_id", "report_id"
        )
    out = tmp_path / name
    export(any_store, fmt, out)
    files = (
        sorted(
            out.glob("*.csv"),
            key=lambda p: ["reports", "entities", "relations", "incidents"].index(p.stem),
        )
        if fmt == "csv"
        else [out]
    )
    again = open_store(tmp_path / "again.sqlite")
    again.init()
    import_files(again, files)
    with again.session() as conn:
        assert views.counts(conn) == counts
        back = views.relations(conn, resolved=False).drop(
            "relation_id", "source_id", "target_id", "report_id"
        )
    assert back.sort("kind", "role").drop("key").equals(relations.sort("kind", "role").drop("key"))
    import_files(again, files)  # and into the same store again: nothing new
    with again.session() as conn:
        assert views.counts(conn) == counts


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_exports_read_back_with_networkx(sqlite_store, sample_file, tmp_path, fmt):
    import_files(sqlite_store, [sample_file])
    out = tmp_path / f"net.{fmt}"
    export(sqlite_store, fmt, out)
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert graph.number_of_nodes() == 7 and graph.number_of_edges() == 5
    assert graph.nodes["SAMPLE-P1"]["kind"] == "person"
    kinds = sorted(d["kind"] for _, _, d in graph.edges(data=True))
    assert kinds == ["communication", "membership", "membership", "part_of", "use"]
    # the dates of sample.jsonl (months are stored as their first day; an open end stays open)
    validity = {
        ("SAMPLE-P1", "SAMPLE-C1"): ("2020-01-01", None),
        ("SAMPLE-P2", "SAMPLE-C1"): ("2020-06-01", "2021-02-11"),
    }
    for (u, v), (start, end) in validity.items():
        data = graph.get_edge_data(u, v)
        if graph.is_multigraph():
            (data,) = data.values()
        assert (data["valid_from"], data.get("valid_to")) == (start, end)
    if fmt == "gexf":  # a dynamic graph: NetworkX reads every spell (an open end as 'None')
        assert graph.graph["mode"] == "dynamic"
        spells = {(u, v): d["spells"] for u, v, d in graph.edges(data=True) if "spells" in d}
        assert spells == {
            ("SAMPLE-P1", "SAMPLE-C1"): [("2020-01-01", "None")],
            ("SAMPLE-P2", "SAMPLE-C1"): [("2020-06-01", "2021-02-11")],
            ("SAMPLE-P1", "SAMPLE-P2"): [("2020-11-02", "2020-11-02")],  # the call's day
        }
        # a node lives from its first tie's start to its last tie's end
        assert graph.nodes["SAMPLE-P2"]["spells"] == [("2020-06-01", "2021-02-11")]
        assert graph.nodes["SAMPLE-C1"]["spells"] == [("2020-01-01", "None")]
        assert "spells" not in graph.nodes["SAMPLE-S1"]  # undated ties: present throughout


ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp\n"
)


def test_acled_edits_and_deletions_reimport_without_duplicates(sqlite_store, tmp_path):
    first = tmp_path / "acled_week1.csv"
    first.write_text(
        ACLED_HEADER
        + "SYR1,2022-03-01,2022,1,Political violence,Explosions/Remote violence,Remote explosive/landmine/IED,"
        "Unidentified armed group,Homs,Tadmor,Tadmor,Palmyra,34.56,38.27,1,Local media,IED on road,0,1646300000\n"
        "SYR2,2022-03-02,2022,1,Political violence,Violence against civilians,Attack,"
        "Unidentified armed group,Deir ez Zor,Deir ez Zor,Deir ez Zor,Deir ez Zor,35.33,40.14,1,Local media,,1,1646300000\n"
    )
    import_files(sqlite_store, [first])
    import_files(sqlite_store, [first])
    with sqlite_store.session() as conn:
        assert len(views.incidents(conn)) == 2
    edited = tmp_path / "acled_week2.csv"  # ACLED corrected SYR2's fatalities in a later export
    edited.write_text(
        ACLED_HEADER
        + "SYR2,2022-03-02,2022,1,Political violence,Violence against civilians,Attack,"
        "Unidentified armed group,Deir ez Zor,Deir ez Zor,Deir ez Zor,Deir ez Zor,35.33,40.14,1,Local media,,3,1646900000\n"
    )
    import_files(sqlite_store, [edited])
    with sqlite_store.session() as conn:
        current = views.incidents(conn)
        assert len(current) == 2
        assert current.filter(current["source_event_id"] == "SYR2")["fatalities"].to_list() == [3]
    deletions = tmp_path / "acled_deleted.csv"
    deletions.write_text("event_id_cnty,deleted_timestamp\nSYR1,1647000000\n")
    import_files(sqlite_store, [deletions])
    with sqlite_store.session() as conn:
        assert views.incidents(conn)["source_event_id"].to_list() == ["SYR2"]
        assert len(views.incidents(conn, include_deleted=True)) == 2


def test_acled_mapping_with_its_rules_is_kept_whole_on_every_backend(any_store):
    """The mapping text (name and rules applied) of a jail attack is 108 characters: PostgreSQL's
    former 64-character column refused the ACLED sample (found by the fuzzer; migration 0005)."""
    from tests.conftest import REPO

    import_files(any_store, [REPO / "tests" / "incidents" / "data" / "acled_sample.csv"])
    with any_store.session() as conn:
        mappings = [json.loads(m) for m in views.incidents(conn)["mapping"].to_list()]
    jail = [m for m in mappings if any("prison" in rule for rule in m["rules_matched"])]
    assert jail and all(m["name"] == "acled-to-cellmap v1" for m in mappings)
    assert max(len(json.dumps(m)) for m in jail) > 64


def test_incident_fields_of_the_model_are_the_incident_tables_own_columns():
    """The one list the CSV reader and the exporters share is the table's columns less the keys,
    links and bookkeeping that each of them handles by name."""
    from cellmap.model import incident_fields
    from cellmap.store import tables

    handled_by_name = {"id", "entity_id", "report_id", "date", "attributed_to", "source_codes"}
    bookkeeping = {"fingerprint", "recorded_at", "import_id"}
    columns = {c.name for c in tables.incident.columns}
    assert sorted(incident_fields()) == sorted(columns - handled_by_name - bookkeeping)
