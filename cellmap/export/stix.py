"""STIX 2.1 (OASIS Committee Specification, 2021): the store as one bundle of STIX objects.

Objects, by the mapping of `schema/stix.yaml`: persons are `identity` (individual), the organisation
`identity` (organization), cells and sectors `intrusion-set`, sites `location`, funds, phones and
vehicles `infrastructure`, campaigns `campaign`, incidents `incident` (and an attributed incident a
`sighting` of its group on its day), each relationship statement a `relationship`, each report a
`report` whose `object_refs` are the objects that cite it. Every object's `confidence` comes from the
Admiralty grade of its report (an entity: of its best report) on the Admiralty Credibility scale of
STIX 2.1 Appendix A; the full grade is kept as `x_cellmap_grade`. Each object carries cellmap's own
records (`x_cellmap_fragments`, `x_cellmap_relation`, `x_cellmap_incident`, `x_cellmap_report`), so
the bundle imports again to the same entities, statements, relations and incidents.

Ids are UUIDv5 of the cellmap key (deterministic: the same store gives the same ids). Objects are built
through the `stix2` library, which checks every property as it goes. Cost O(statements).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import stix2
from sqlalchemy import Connection

from cellmap import strict_json
from cellmap.export.snapshot import Snapshot, _iso
from cellmap.model import Grade, stix_confidence, stix_mapping

NAMESPACE = uuid.UUID("6f1c1b9e-5a43-4d0b-9a3e-4c656c6c6d61")  # cellmap's, fixed for stable ids
PRODUCER = "identity--" + str(uuid.uuid5(NAMESPACE, "producer"))


def stix_id(stix_type: str, key: str) -> str:
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, key)}"


def _best(grades: list[str]) -> str | None:
    """The best of several Admiralty grades (most reliable, then most credible)."""
    known = [Grade.parse(g) for g in grades if g]
    return str(min(known, key=lambda g: (g.credibility, g.reliability))) if known else None


def _time(value: str | None, fallback: dt.datetime) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC) if value else fallback


def _name(kind: str, key: str, props: dict[str, list[str]]) -> str:
    return (props.get("name") or [f"{kind} {key}"])[0]


def _entity(
    kind: str, key: str, fragments: list[dict], incident: dict | None, grade: str | None, created
) -> Any:
    spec = dict(stix_mapping()["entities"][kind])
    stix_type = spec.pop("type")
    props: dict[str, list[str]] = {}
    for fragment in fragments:
        for prop, values in fragment["properties"].items():
            props.setdefault(prop, []).extend(v for v in values if v not in props.get(prop, []))
    common: dict[str, Any] = {
        "id": stix_id(stix_type, key),
        "created": created,
        "modified": created,
        "created_by_ref": PRODUCER,
        "name": _name(kind, key, props),
        "confidence": stix_confidence(grade),
        "x_cellmap_kind": kind,
        "x_cellmap_key": key,
        "x_cellmap_grade": grade,
        "x_cellmap_fragments": fragments,
        "x_cellmap_incident": incident,
        "allow_custom": True,
        **spec,
    }
    if props.get("alias") and stix_type in ("intrusion-set", "campaign", "infrastructure"):
        common["aliases"] = props["alias"]
    if stix_type == "location":
        if props.get("lat") and props.get("lon"):
            common["latitude"] = float(props["lat"][0])
            common["longitude"] = float(props["lon"][0])
        else:
            common["region"] = "unknown"  # STIX wants a region, a country or coordinates
    return _build(stix_type, common)


BUILDERS = {
    "identity": stix2.v21.Identity,
    "intrusion-set": stix2.v21.IntrusionSet,
    "campaign": stix2.v21.Campaign,
    "location": stix2.v21.Location,
    "infrastructure": stix2.v21.Infrastructure,
    "incident": stix2.v21.Incident,
}


def _build(stix_type: str, properties: dict[str, Any]) -> Any:
    return BUILDERS[stix_type](**{k: v for k, v in properties.items() if v is not None})


def bundle(conn: Connection) -> tuple[stix2.v21.Bundle, dict[str, int]]:
    """The store as a STIX 2.1 bundle, and how many objects of each type it holds."""
    snap = Snapshot.read(conn)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    reports = snap.report_records()
    grade_of = {key: r["grade"] for key, r in reports.items()}
    kind_of = dict(snap.entities.select("key", "kind").iter_rows())
    fragments: dict[str, list[dict]] = defaultdict(list)
    for key, _kind, report, props, valid_from, valid_to in snap.fragments():
        fragment = {"report": report, "properties": props}
        if valid_from or valid_to:
            fragment |= {"valid_from": _iso(valid_from), "valid_to": _iso(valid_to)}
        fragments[key].append(fragment)
    incidents = {r["id"]: r for r in snap.incident_records()}
    cited: dict[str, list[str]] = defaultdict(list)
    objects: list[Any] = [
        stix2.v21.Identity(
            id=PRODUCER,
            created=created,
            modified=created,
            name="cellmap export",
            identity_class="system",
        )
    ]
    entity_ref: dict[str, str] = {}
    for key, kind in kind_of.items():
        parts = fragments.get(key, [])
        incident = incidents.get(key)
        if not parts and incident is None:
            continue
        citing = [p["report"] for p in parts if p["report"]]
        if incident is not None:
            citing.append(incident["report"])
        grade = _best([grade_of[r] for r in citing])
        obj = _entity(kind, key, parts, incident, grade, created)
        objects.append(obj)
        entity_ref[key] = obj.id
        for report in set(citing):
            cited[report].append(obj.id)
    for record in snap.relation_records():
        grade = grade_of[record["report"]]
        start = record["valid_from"]
        stop = record["valid_to"]
        relationship = stix2.v21.Relationship(
            id=stix_id("relationship", record["id"] or strict_json.dumps(record, sort_keys=True)),
            created=created,
            modified=created,
            created_by_ref=PRODUCER,
            relationship_type=stix_mapping()["relations"][record["kind"]],
            source_ref=entity_ref[record["source"]],
            target_ref=entity_ref[record["target"]],
            confidence=stix_confidence(grade),
            **({"start_time": _time(start, created)} if start else {}),
            **({"stop_time": _time(stop, created)} if stop and stop != start else {}),
            x_cellmap_grade=grade,
            x_cellmap_relation=record,
            allow_custom=True,
        )
        objects.append(relationship)
        cited[record["report"]].append(relationship.id)
    for incident in incidents.values():
        group = incident.get("attributed_to")
        if (
            group is None
            or group not in entity_ref
            or not entity_ref[group].startswith("intrusion-set")
        ):
            continue
        seen = _time(incident.get("date"), created)
        sighting = stix2.v21.Sighting(
            id=stix_id("sighting", incident["id"]),
            created=created,
            modified=created,
            created_by_ref=PRODUCER,
            sighting_of_ref=entity_ref[group],
            first_seen=seen,
            last_seen=seen + dt.timedelta(days=1),
            count=1,
            confidence=stix_confidence(grade_of[incident["report"]]),
            description=f"incident {incident['id']} attributed to {group}",
            x_cellmap_incident_ref=entity_ref[incident["id"]],
            allow_custom=True,
        )
        objects.append(sighting)
        cited[incident["report"]].append(sighting.id)
    for key, stored in reports.items():
        objects.append(
            stix2.v21.Report(
                id=stix_id("report", "report:" + key),
                created=created,
                modified=created,
                created_by_ref=PRODUCER,
                name=stored["title"] or key,
                published=_time(stored["date"], created),
                report_types=["threat-actor"],
                object_refs=sorted(set(cited.get(key, []))) or [PRODUCER],
                confidence=stix_confidence(stored["grade"]),
                x_cellmap_grade=stored["grade"],
                x_cellmap_report=stored,
                allow_custom=True,
            )
        )
    counts: dict[str, int] = defaultdict(int)
    for obj in objects:
        counts[obj.type] += 1
    return stix2.v21.Bundle(objects=objects, allow_custom=True), dict(sorted(counts.items()))


def write(conn: Connection, out: Path) -> dict[str, int]:
    made, counts = bundle(conn)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = made.serialize(pretty=False)
    out.write_text(text + "\n", encoding="utf-8")
    return counts
