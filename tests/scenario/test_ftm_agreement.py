"""The scenario writer and the FtM exporter speak one mapping (schema/ftm.yaml): a relationship the
writer puts in a scenario file is written the same way by `cellmap export --format ftm` after import."""

from __future__ import annotations

import json
from decimal import Decimal
from itertools import product

import pytest
from followthemoney import model as ftm_model

from cellmap.export import export
from cellmap.ingest import import_files
from cellmap.model import relation_kinds
from cellmap.scenario import generate, scenario_files
from cellmap.scenario.writer import ScenarioWriter
from cellmap.store import open_store

REPORT = {
    "id": "R-1",
    "title": "Every relation kind [synthetic]",
    "kind": "analyst_note",
    "date": "2020-01-01",
    "source": "test",
    "grade": "B2",
    "synthetic": True,
}
PREFIXES = {
    "person": "P",
    "organisation": "ORG",
    "sector": "SEC",
    "cell": "CELL",
    "site": "SITE",
    "fund": "FUND",
    "identifier": "PH",
    "vehicle": "VEH",
    "campaign": "CAMP",
}
# Two entities of each kind the relations may join (the incident comes from the incidents file).
ENTITIES = {kind: [f"{prefix}-1", f"{prefix}-2"] for kind, prefix in PREFIXES.items()}
INCIDENT_ID = "INC-1"
# Attribute values by name, as the scenario writes them (strings) or as an analyst's file may (numbers).
ATTR_VALUES = {
    "date": "2020-02-03",
    "count": 3,
    "channel": "phone",
    "relationship": "brother",
    "place": "Al Mayadin",
    "amount": "400.00",
    "currency": "USD",
    "payment_kind": "stipend",
    "incident": INCIDENT_ID,
    "purpose": "rent",
    "confidence": 0.7,
    "action": "strike",
    "force": "ORG-1",
    "outcome": "killed",
}
# What FtM itself says each cellmap relationship is, for the ends FtM's schema allows
# (followthemoney's model: Associate and Family join two Persons, a Call two LegalEntities, a Payment
# a payer or payer's account and a beneficiary or beneficiary's account); UnknownLink otherwise.
EXPECTED = {
    ("association", "person", "person"): ("Associate", "person", "associate"),
    ("association", "organisation", "person"): ("UnknownLink", "subject", "object"),
    ("kinship", "person", "person"): ("Family", "person", "relative"),
    ("membership", "person", "cell"): ("Membership", "member", "organization"),
    ("communication", "person", "person"): ("Call", "caller", "receiver"),
    ("communication", "person", "site"): ("UnknownLink", "subject", "object"),
    ("communication", "identifier", "identifier"): ("UnknownLink", "subject", "object"),
    ("payment", "person", "cell"): ("Payment", "payer", "beneficiary"),
    ("payment", "fund", "person"): ("Payment", "payerAccount", "beneficiary"),
    ("payment", "cell", "fund"): ("Payment", "payer", "beneficiaryAccount"),
    ("meeting", "person", "person"): ("UnknownLink", "subject", "object"),
    ("command", "person", "person"): ("UnknownLink", "subject", "object"),
}


def _every_relation() -> list[dict]:
    """One relation record per relation kind of the model and pair of end kinds it allows."""
    records = []
    for kind, spec in relation_kinds().items():
        for source_kind, target_kind in product(spec["source"], spec["target"]):
            ends = []
            for end_kind in (source_kind, target_kind):
                if end_kind == "incident":
                    ends.append(INCIDENT_ID)
                else:
                    taken = ends.count(ENTITIES[end_kind][0])
                    ends.append(ENTITIES[end_kind][taken])
            records.append(
                {
                    "id": f"REL-{len(records) + 1:04d}",
                    "kind": kind,
                    "source": ends[0],
                    "target": ends[1],
                    "role": "witness" if kind == "participation" else "member",
                    "report": REPORT["id"],
                    "valid_from": "2019-05-14",  # the store keeps relation dates to the day
                    "valid_to": "2021-06-30" if kind == "membership" else None,
                    "end_reason": "arrested" if kind == "membership" else None,
                    "attrs": {a: ATTR_VALUES[a] for a in spec.get("attrs", [])},
                    "kinds": (source_kind, target_kind),
                }
            )
    return records


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _comparable(line: dict) -> dict:
    """The line with the extension's report left out (the writer names the report, whose file holds
    the reports; the exporter defines it in full on first use) and amounts as numbers (the store
    keeps an amount as canonical decimal text: "400.00" comes back as "400")."""
    ext = {k: v for k, v in line["cellmap"].items() if k != "report"}
    props = {
        name: [Decimal(v) for v in values] if name == "amount" else values
        for name, values in line["properties"].items()
    }
    return {**line, "properties": props, "cellmap": ext}


def _import_and_export(folder, tmp_path) -> dict[str, dict]:
    store = open_store(tmp_path / "store.sqlite")
    store.init()
    import_files(store, scenario_files(folder))
    out = tmp_path / "export.ftm.jsonl"
    export(store, "ftm", out)
    store.close()
    return {line["id"]: line for line in _lines(out)}


def test_writer_and_exporter_write_every_relation_kind_alike(tmp_path):
    folder = tmp_path / "kinds"
    writer = ScenarioWriter(folder)
    writer.report(REPORT)
    for kind, keys in ENTITIES.items():
        for key in keys:
            writer.entity({"id": key, "kind": kind, "report": REPORT["id"], "properties": {}})
    records = _every_relation()
    for record in records:
        writer.relation({k: v for k, v in record.items() if k != "kinds"})
    writer.incident(
        {
            "id": INCIDENT_ID,
            "event_date": "2020-02-03",
            "type": "attack",
            "outcome": "completed",
            "country": "Syria",
            "location": "Al Mayadin",
            "latitude": 35.0199,
            "longitude": 40.4518,
            "geo_precision": "town",
            "fatalities": 2,
            "attributed_to": "CELL-1",
            "attribution_confidence": 0.7,
            "source": "synthetic",
            "report": REPORT["id"],
        }
    )
    writer.close({"synthetic": True})
    written = {line["id"]: line for line in _lines(folder / writer.entities_file)}
    exported = _import_and_export(folder, tmp_path)

    assert len(records) > 40
    assert {r["kind"] for r in records} == set(relation_kinds())
    for record in records:
        line = written[record["id"]]
        assert _comparable(exported[record["id"]]) == _comparable(line), record
        schema = ftm_model.get(line["schema"])
        assert set(line["properties"]) <= set(schema.properties), record
        expected = EXPECTED.get((record["kind"], *record["kinds"]))
        if expected is not None:
            schema_name, source_prop, target_prop = expected
            assert line["schema"] == schema_name, record
            assert line["properties"][source_prop] == [record["source"]], record
            assert line["properties"][target_prop] == [record["target"]], record


def test_every_relation_survives_the_round_trip_with_its_kind_role_dates_and_attrs(tmp_path):
    from cellmap.ingest.ftm import ftm_to_record

    folder = tmp_path / "kinds"
    writer = ScenarioWriter(folder)
    records = _every_relation()
    for record in records:
        writer.relation({k: v for k, v in record.items() if k != "kinds"})
    writer.close({"synthetic": True})
    for line, record in zip(_lines(folder / writer.entities_file), records, strict=True):
        back = ftm_to_record(line)
        assert back["kind"] == record["kind"]
        assert (back["source"], back["target"]) == (record["source"], record["target"])
        assert back["role"] == record["role"]
        assert (back["valid_from"], back["valid_to"]) == (record["valid_from"], record["valid_to"])
        assert back["end_reason"] == record["end_reason"]
        assert back["attrs"] == record["attrs"]  # numbers keep their type


@pytest.mark.slow
def test_a_generated_scenario_exports_its_relations_as_it_wrote_them(tmp_path):
    folder = tmp_path / "scenario"
    generate(5, "demo", folder, persons=120, incidents=60, comms=100)
    written = [line for line in _lines(folder / "entities.ftm.jsonl")]
    exported = _import_and_export(folder, tmp_path)
    relations = [line for line in written if line["id"].startswith("REL-")]
    schemata = {line["schema"] for line in relations}
    assert {"Membership", "Family", "Call", "Payment", "UnknownLink"} <= schemata
    differ = [
        line["id"]
        for line in relations
        if line["id"] in exported and _comparable(exported[line["id"]]) != _comparable(line)
    ]
    assert differ == []
    # A relationship stated twice in one report is stored once (same fingerprint), under one id.
    content = lambda line: json.dumps({**_comparable(line), "id": None}, default=str)  # noqa: E731
    exported_content = {content(line) for line in exported.values()}
    repeated = [line for line in relations if line["id"] not in exported]
    assert len(repeated) < len(relations) / 100
    assert all(content(line) in exported_content for line in repeated)
