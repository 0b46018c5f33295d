"""FollowTheMoney JSON lines: one FtM entity per entity and report (FtM "fragments" sharing an id),
one per relationship and one per incident version, each carrying cellmap's extension object with its
report (defined in full on first use) so that the grades survive the round trip. Mapping: schema/ftm.yaml.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from followthemoney import model as ftm_model
from sqlalchemy import Connection

from cellmap.export.snapshot import Snapshot, _iso
from cellmap.ingest.ftm import mapping


def _reverse_properties() -> dict[str, str]:
    reverse: dict[str, str] = {}
    for ftm_prop, cellmap_prop in mapping()["properties"].items():
        reverse.setdefault(cellmap_prop, ftm_prop)
    return reverse


def _entity_line(key: str, kind: str, props: dict[str, list[str]], ext: dict) -> dict:
    schema_name = mapping()["export_entities"][kind]
    schema = ftm_model.get(schema_name)
    reverse = _reverse_properties()
    ftm_props: dict[str, list[str]] = {}
    extra: dict[str, list[str]] = {}
    for prop, values in props.items():
        target = reverse.get(prop, prop)
        (ftm_props if target in schema.properties else extra).setdefault(
            target if target in schema.properties else prop, []
        ).extend(values)
    if extra:
        ext["properties"] = extra
    if mapping()["entities"].get(schema_name) != kind:
        ext["kind"] = kind
    return {"id": key, "schema": schema_name, "properties": ftm_props, "cellmap": ext}


def _relation_line(record: dict) -> dict:
    maps = mapping()
    schema_name = maps["export_relations"].get(record["kind"], "UnknownLink")
    spec = maps["relations"][schema_name]
    props: dict[str, list[str]] = {
        spec["source"]: [record["source"]],
        spec["target"]: [record["target"]],
    }
    ext: dict = {"report": record["report"]}
    if spec["kind"] != record["kind"]:
        ext["kind"] = record["kind"]
    if record["role"]:
        if spec.get("role"):
            props[spec["role"]] = [record["role"]]
        else:
            ext["role"] = record["role"]
    attrs = dict(record["attrs"])
    for cellmap_attr, ftm_prop in (spec.get("attrs") or {}).items():
        if cellmap_attr in attrs:
            props[ftm_prop] = [str(attrs.pop(cellmap_attr))]
    if attrs:
        ext["attrs"] = attrs
    for name in ("valid_from", "valid_to", "end_reason"):
        if record[name]:
            ext[name] = record[name]
    digest = hashlib.sha1(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:24]
    rel_id = record["id"] or f"rel-{digest}"
    return {"id": rel_id, "schema": schema_name, "properties": props, "cellmap": ext}


def write(conn: Connection, out: Path) -> dict[str, int]:
    snap = Snapshot.read(conn)
    reports = snap.report_records()
    defined: set[str] = set()
    written = {"entities": 0, "relations": 0, "incidents": 0}

    def report_ref(key: str | None):
        if key is None or key in defined:
            return key
        defined.add(key)
        return reports[key]

    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:

        def put(line: dict, kind: str) -> None:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            written[kind] += 1

        for key, kind, report, props, valid_from, valid_to in snap.fragments():
            ext = {"report": report_ref(report)} if report else {}
            if valid_from:
                ext["valid_from"] = _iso(valid_from)
            if valid_to:
                ext["valid_to"] = _iso(valid_to)
            put(_entity_line(key, kind, props, ext), "entities")
        for record in snap.relation_records():
            record["report"] = report_ref(record["report"])
            put(_relation_line(record), "relations")
        for record in snap.incident_records():
            fields = {k: v for k, v in record.items() if k not in ("record", "id", "report")}
            line = _entity_line(
                record["id"],
                "incident",
                {},
                {"report": report_ref(record["report"]), "incident": fields},
            )
            put(line, "incidents")
    return written
