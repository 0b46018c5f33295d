"""FollowTheMoney JSON lines: one FtM entity per entity and report (FtM "fragments" sharing an id),
one per relationship and one per incident version, each carrying cellmap's extension object with its
report (defined in full on first use) so that the grades survive the round trip. Mapping: schema/ftm.yaml.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from followthemoney import model as ftm_model
from sqlalchemy import Connection

from cellmap import strict_json
from cellmap.export.snapshot import Snapshot, _iso
from cellmap.model import ftm_mapping


@cache
def _reverse_properties() -> dict[str, str]:
    """cellmap property -> the FtM property written for it (the first one mapped onto it)."""
    reverse: dict[str, str] = {}
    for ftm_prop, cellmap_prop in ftm_mapping()["properties"].items():
        reverse.setdefault(cellmap_prop, ftm_prop)
    return reverse


def entity_line(key: str, kind: str, props: dict[str, list[str]], ext: dict) -> dict:
    """One FtM entity for entity `key` of cellmap `kind`; properties FtM has no place for, and a kind
    more specific than the schema's default, go to the extension object `ext`."""
    schema_name = ftm_mapping()["export_entities"][kind]
    schema = ftm_model.schemata[schema_name]
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
    if ftm_mapping()["entities"].get(schema_name) != kind:
        ext["kind"] = kind
    return {"id": key, "schema": schema_name, "properties": ftm_props, "cellmap": ext}


@cache
def _holds(schema_name: str, prop: str | None, kind: str | None) -> bool:
    """Whether FtM property `prop` of `schema_name` may name an entity of cellmap `kind`
    (an unknown kind is given the benefit of the doubt)."""
    if prop is None:
        return False
    entity_schema = ftm_mapping()["export_entities"].get(kind) if kind else None
    if entity_schema is None:
        return True
    target_range = ftm_model.schemata[schema_name].properties[prop].range
    return target_range is None or ftm_model.schemata[entity_schema].is_a(target_range)


def _end_property(spec: dict, schema_name: str, end: str, kind: str | None) -> str | None:
    """The property of `spec` that holds the `end` ("source"/"target") of kind `kind`, or None."""
    for prop in (spec[end], spec.get(f"{end}_account")):
        if _holds(schema_name, prop, kind):
            return prop
    return None


def relation_line(
    record: dict, source_kind: str | None = None, target_kind: str | None = None
) -> dict:
    """One FtM interval entity for a canonical relation record. The schema is the one
    `export_relations` names for the kind, or UnknownLink when that schema cannot hold the ends
    (given their kinds, when known); what FtM has no place for goes to the extension object."""
    maps = ftm_mapping()
    schema_name = maps["export_relations"].get(record["kind"], "UnknownLink")
    spec = maps["relations"][schema_name]
    source_prop = _end_property(spec, schema_name, "source", source_kind)
    target_prop = _end_property(spec, schema_name, "target", target_kind)
    if source_prop is None or target_prop is None:
        schema_name = "UnknownLink"
        spec = maps["relations"][schema_name]
        source_prop, target_prop = spec["source"], spec["target"]
    props: dict[str, list[str]] = {source_prop: [record["source"]], target_prop: [record["target"]]}
    ext: dict = {"report": record["report"]}
    if spec["kind"] != record["kind"]:
        ext["kind"] = record["kind"]
    if record.get("role"):
        if spec.get("role"):
            props[spec["role"]] = [record["role"]]
        else:
            ext["role"] = record["role"]
    if record.get("valid_from"):
        props["startDate"] = [record["valid_from"]]
    if record.get("valid_to"):
        props["endDate"] = [record["valid_to"]]
    if record.get("end_reason"):
        ext["end_reason"] = record["end_reason"]
    attrs = dict(record.get("attrs") or {})
    for cellmap_attr, ftm_prop in (spec.get("attrs") or {}).items():
        if cellmap_attr in attrs:
            value = attrs[cellmap_attr]
            props[ftm_prop] = [str(value)]
            if isinstance(value, str):  # a number or flag stays in the extension with its type
                del attrs[cellmap_attr]
    if attrs:
        ext["attrs"] = attrs
    rel_id = record.get("id")
    if not rel_id:
        digest = hashlib.sha1(strict_json.dumps(record, sort_keys=True, default=str).encode())
        rel_id = f"rel-{digest.hexdigest()[:24]}"
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
            handle.write(strict_json.dumps(line, ensure_ascii=False) + "\n")
            written[kind] += 1

        for key, kind, report, props, valid_from, valid_to in snap.fragments():
            ext = {"report": report_ref(report)} if report else {}
            if valid_from:
                ext["valid_from"] = _iso(valid_from)
            if valid_to:
                ext["valid_to"] = _iso(valid_to)
            put(entity_line(key, kind, props, ext), "entities")
        kind_of_key = dict(snap.entities.select("key", "kind").iter_rows())
        for record in snap.relation_records():
            record["report"] = report_ref(record["report"])
            ends = kind_of_key.get(record["source"]), kind_of_key.get(record["target"])
            put(relation_line(record, *ends), "relations")
        for record in snap.incident_records():
            fields = {k: v for k, v in record.items() if k not in ("record", "id", "report")}
            line = entity_line(
                record["id"],
                "incident",
                {},
                {"report": report_ref(record["report"]), "incident": fields},
            )
            put(line, "incidents")
    return written
