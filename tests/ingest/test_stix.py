"""STIX 2.1 out and in: the bundle validates with the `stix2` library, confidences follow the
Admiralty Credibility scale of STIX 2.1 Appendix A, and export → import gives the same store."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import stix2

from cellmap.errors import InputError
from cellmap.export import export
from cellmap.ingest import detect_format, import_files
from cellmap.store import open_store, views

# STIX 2.1 Appendix A, "Admiralty Credibility": 1 Confirmed → 90, 2 Probably True → 70,
# 3 Possibly True → 50, 4 Doubtful → 30, 5 Improbable → 10, 6 Cannot be judged → no value.
APPENDIX_A = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10, 6: None}


def sorted_lines(path) -> list[str]:
    return sorted(path.read_text(encoding="utf-8").splitlines())


def test_bundle_validates_and_its_confidences_follow_appendix_a(
    sqlite_store, sample_file, tmp_path
):
    import_files(sqlite_store, [sample_file])
    out = tmp_path / "bundle.json"
    written = export(sqlite_store, "stix", out)
    bundle = stix2.parse(out.read_text(), allow_custom=True, version="2.1")  # raises if invalid
    by_type: dict[str, list] = {}
    for obj in bundle.objects:
        by_type.setdefault(obj.type, []).append(obj)
    assert {k: len(v) for k, v in by_type.items()} == written
    source = [json.loads(line) for line in sample_file.read_text().splitlines()]
    grades = {r["id"]: r["grade"] for r in source if r["record"] == "report"}
    reports = {r.name: r for r in by_type["report"]}
    for record in (r for r in source if r["record"] == "report"):
        report = reports[record["title"]]
        assert report.get("confidence") == APPENDIX_A[int(record["grade"][1])]
        assert report.published.date() == dt.date.fromisoformat(record["date"])
    # each relationship: its type, its ends' kinds, the confidence of its report's grade
    persons = {
        o.x_cellmap_key: o for o in by_type["identity"] if o.get("identity_class") == "individual"
    }
    assert set(persons) == {"SAMPLE-P1", "SAMPLE-P2"}
    cells = {o.name for o in by_type["intrusion-set"]}
    assert cells == {"Cell Alif", "Palmyra sector"}
    (site,) = by_type["location"]
    assert (site.latitude, site.longitude) == (34.556, 38.269)
    relations = [r for r in source if r["record"] == "relation"]
    assert sorted(r.relationship_type for r in by_type["relationship"]) == sorted(
        {"membership": "member-of", "part_of": "part-of", "use": "uses"}.get(
            r["kind"], "communicates-with"
        )
        for r in relations
    )
    for rel in by_type["relationship"]:
        grade = grades[rel.x_cellmap_relation["report"]]
        assert rel.get("confidence") == APPENDIX_A[int(grade[1])]
    (member,) = [
        r
        for r in by_type["relationship"]
        if r.source_ref == persons["SAMPLE-P2"].id and r.relationship_type == "member-of"
    ]
    assert member.start_time.date() == dt.date(2020, 6, 1)
    assert member.stop_time.date() == dt.date(2021, 2, 11)
    # the incident, attributed to the cell: an incident object and a sighting of the cell
    (incident,) = by_type["incident"]
    (sighting,) = by_type["sighting"]
    cell = next(o for o in by_type["intrusion-set"] if o.name == "Cell Alif")
    assert sighting.sighting_of_ref == cell.id and sighting.x_cellmap_incident_ref == incident.id
    assert sighting.first_seen.date() == dt.date(2021, 4, 9)


def test_export_import_export_gives_the_same_store(sqlite_store, sample_file, tmp_path):
    import_files(sqlite_store, [sample_file])
    bundle = tmp_path / "bundle.json"
    export(sqlite_store, "stix", bundle)
    assert detect_format(bundle) == "stix"
    again = open_store(tmp_path / "again.sqlite")
    again.init()
    import_files(again, [bundle])
    with sqlite_store.session() as a, again.session() as b:
        assert views.counts(a) == views.counts(b)
    export(sqlite_store, "jsonl", tmp_path / "first.jsonl")
    export(again, "jsonl", tmp_path / "second.jsonl")
    assert sorted_lines(tmp_path / "first.jsonl") == sorted_lines(tmp_path / "second.jsonl")
    export(again, "stix", tmp_path / "bundle2.json")  # the same ids: ids are UUIDv5 of the keys
    ids = [
        {o["id"] for o in json.loads(p.read_text())["objects"]}
        for p in (bundle, tmp_path / "bundle2.json")
    ]
    assert ids[0] == ids[1]


def test_a_bundle_from_elsewhere_imports_by_the_standard_properties(sqlite_store, tmp_path):
    leader = stix2.v21.Identity(name="Fictional Person A", identity_class="individual")
    courier = stix2.v21.Identity(name="Fictional Person B", identity_class="individual")
    cell = stix2.v21.IntrusionSet(name="Fictional cell", aliases=["Cell Ba"])
    place = stix2.v21.Location(name="Fictional safe house", latitude=34.5, longitude=38.3)
    member = stix2.v21.Relationship(
        relationship_type="member-of",
        source_ref=courier.id,
        target_ref=cell.id,
        start_time="2020-05-01T00:00:00Z",
    )
    commands = stix2.v21.Relationship(
        relationship_type="commands", source_ref=leader.id, target_ref=courier.id
    )
    report = stix2.v21.Report(
        name="Partner report (fictional)",
        published="2021-02-03T00:00:00Z",
        confidence=65,  # 60–79: credibility 2 (probably true)
        object_refs=[leader.id, courier.id, cell.id, member.id, commands.id],
    )
    path = tmp_path / "partner.json"
    path.write_text(
        stix2.v21.Bundle(leader, courier, cell, place, member, commands, report).serialize(
            pretty=True
        )
    )
    import_files(sqlite_store, [path], {"grade": "F6", "kind": "other"})
    with sqlite_store.session() as conn:
        entities = views.entities(conn, resolved=False)
        kinds = dict(entities.select("key", "kind").iter_rows())
        relations = views.relations(conn, resolved=False)
        reports = views.reports(conn)
    assert kinds[leader.id] == kinds[courier.id] == "person" and kinds[cell.id] == "cell"
    assert kinds[place.id] == "site"
    assert sorted(relations["kind"].to_list()) == ["command", "membership"]
    graded = dict(reports.select("report_key", "grade").iter_rows())
    assert graded[report.id] == "F2"
    membership = relations.filter(relations["kind"] == "membership").row(0, named=True)
    assert membership["valid_from"] == dt.date(2020, 5, 1) and membership["report_key"] == report.id


def test_a_bad_object_names_its_place_and_nothing_is_stored(sqlite_store, tmp_path):
    a = stix2.v21.Identity(name="Fictional A", identity_class="individual")
    b = stix2.v21.Identity(name="Fictional B", identity_class="individual")
    odd = stix2.v21.Relationship(relationship_type="befriends", source_ref=a.id, target_ref=b.id)
    path = tmp_path / "odd.json"
    path.write_text(stix2.v21.Bundle(a, b, odd).serialize())
    with pytest.raises(InputError) as caught:
        import_files(sqlite_store, [path], {"grade": "F6", "kind": "other"})
    assert f"objects[3] ({odd.id}).relationship_type" in str(caught.value)
    assert "'befriends' is not one of" in str(caught.value)
    broken = json.loads(path.read_text())
    del broken["objects"][0]["name"]  # an identity must have a name: stix2 refuses it
    broken["objects"].pop()
    path.write_text(json.dumps(broken))
    with pytest.raises(InputError) as caught:
        import_files(sqlite_store, [path], {"grade": "F6", "kind": "other"})
    assert f"objects[1] ({a.id})" in str(caught.value) and "name" in str(caught.value)
    with sqlite_store.session() as conn:
        assert views.counts(conn)["entities"] == 0
