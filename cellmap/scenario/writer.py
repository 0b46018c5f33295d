"""Streaming writers for a scenario folder: reports, FtM entities, incidents CSV, ground truth.

Records are built in cellmap's canonical form (docs/formats.md §1) and written as the report
files an analyst would receive: reports as cellmap JSON lines, entities and relationships as
FollowTheMoney JSON lines with cellmap's ``"cellmap"`` extension object, incidents as an
ACLED-compatible CSV with cellmap's columns. The ground truth goes to its own file.
Every line is written as soon as it is made, so memory stays bounded whatever the size.
"""

from __future__ import annotations

import csv
import json
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

import yaml
from followthemoney import model as ftm_model

from cellmap.scenario import GROUND_TRUTH_FILE, MANIFEST_FILE

REPORTS_FILE = "reports.jsonl"
ENTITIES_FILE = "entities.ftm.jsonl"
INCIDENTS_FILE = "incidents.csv"
IMPORT_ORDER = (REPORTS_FILE, ENTITIES_FILE, INCIDENTS_FILE)

INCIDENT_COLUMNS = (
    "id",
    "event_id_cnty",
    "event_date",
    "type",
    "outcome",
    "event_type",
    "sub_event_type",
    "actor1",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "attributed_to",
    "attribution_confidence",
    "notes",
    "source",
    "report",
)

# cellmap entity kind -> FtM schema written
ENTITY_SCHEMA = {
    "person": "Person",
    "organisation": "Organization",
    "sector": "Organization",
    "cell": "Organization",
    "site": "Address",
    "fund": "BankAccount",
    "identifier": "UserAccount",
    "vehicle": "Vehicle",
    "campaign": "Project",
}
# cellmap relation kind -> (FtM schema, source property, target property, {attr: FtM property})
RELATION_SCHEMA = {
    "membership": ("Membership", "member", "organization", {}),
    "kinship": ("Family", "person", "relative", {"relationship": "relationship"}),
    "communication": ("Call", "caller", "receiver", {"date": "date"}),
    "payment": (
        "Payment",
        "payer",
        "beneficiary",
        {"amount": "amount", "currency": "currency", "date": "date"},
    ),
}
UNKNOWN_LINK = ("UnknownLink", "subject", "object", {"date": "date"})


@lru_cache(maxsize=1)
def _ftm_property_names() -> dict[str, str]:
    """cellmap property -> FtM property, inverted from the import mapping (cellmap/schema/ftm.yaml)."""
    text = resources.files("cellmap.schema").joinpath("ftm.yaml").read_text(encoding="utf-8")
    inverse: dict[str, str] = {}
    for ftm_name, cellmap_name in yaml.safe_load(text)["properties"].items():
        inverse.setdefault(cellmap_name, ftm_name)
    return inverse


@cache
def _ftm_property(schema: str, prop: str) -> str | None:
    """The FtM property carrying cellmap property `prop` on `schema`, or None (goes to the extension)."""
    name = _ftm_property_names().get(prop, prop)
    return name if name in ftm_model.get(schema).properties else None


def entity_to_ftm(record: dict) -> dict:
    """A canonical entity record → one FtM entity with the cellmap extension."""
    schema = ENTITY_SCHEMA[record["kind"]]
    props: dict[str, list] = {}
    extra: dict[str, list] = {}
    for prop, values in record["properties"].items():
        ftm_name = _ftm_property(schema, prop)
        (props.setdefault(ftm_name, []) if ftm_name else extra.setdefault(prop, [])).extend(values)
    ext: dict[str, Any] = {"report": record["report"], "kind": record["kind"]}
    if extra:
        ext["properties"] = extra
    if record.get("valid_from") or record.get("valid_to"):
        ext["valid_from"], ext["valid_to"] = record.get("valid_from"), record.get("valid_to")
    return {"id": record["id"], "schema": schema, "properties": props, "cellmap": ext}


def relation_to_ftm(record: dict) -> dict:
    """A canonical relation record → one FtM interval entity with the cellmap extension."""
    kind = record["kind"]
    schema, source_prop, target_prop, attr_props = RELATION_SCHEMA.get(kind, UNKNOWN_LINK)
    if kind == "communication" and not (
        record["source"].startswith("P-") and record["target"].startswith("P-")
    ):
        schema, source_prop, target_prop, attr_props = (
            UNKNOWN_LINK  # a Call joins two parties, not a site
        )
    props: dict[str, list] = {source_prop: [record["source"]], target_prop: [record["target"]]}
    attrs = record.get("attrs") or {}
    for attr, ftm_name in attr_props.items():
        if attr in attrs:
            props[ftm_name] = [str(attrs[attr])]
    if record.get("role"):
        props["role"] = [record["role"]]
    if record.get("valid_from"):
        props["startDate"] = [record["valid_from"]]
    if record.get("valid_to"):
        props["endDate"] = [record["valid_to"]]
    ext: dict[str, Any] = {"report": record["report"], "kind": kind}
    for key in ("role", "valid_from", "valid_to", "end_reason"):
        if record.get(key):
            ext[key] = record[key]
    if attrs:
        ext["attrs"] = attrs
    if schema not in ("Membership", "UnknownLink") and "role" in props:
        del props["role"]
    return {"id": record["id"], "schema": schema, "properties": props, "cellmap": ext}


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class ScenarioWriter:
    """Open files of one scenario folder; every `write_*` appends one line."""

    def __init__(self, out_dir: Path, entity_format: str = "ftm"):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.entity_format = entity_format
        self.entities_file = ENTITIES_FILE if entity_format == "ftm" else "entities.cellmap.jsonl"
        self._files: dict[str, IO[str]] = {}
        for name in (REPORTS_FILE, self.entities_file, INCIDENTS_FILE, GROUND_TRUTH_FILE):
            self._files[name] = open(self.out_dir / name, "w", encoding="utf-8", newline="")
        self._incidents = csv.writer(self._files[INCIDENTS_FILE], lineterminator="\n")
        self._incidents.writerow(INCIDENT_COLUMNS)
        self.counts: dict[str, int] = {}

    def _count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def report(self, record: dict) -> None:
        self._files[REPORTS_FILE].write(_dumps({"record": "report", **record}) + "\n")
        self._count("reports")

    def entity(self, record: dict) -> None:
        line = (
            entity_to_ftm(record) if self.entity_format == "ftm" else {"record": "entity", **record}
        )
        self._files[self.entities_file].write(_dumps(line) + "\n")
        self._count(f"entity:{record['kind']}")

    def relation(self, record: dict) -> None:
        line = (
            relation_to_ftm(record)
            if self.entity_format == "ftm"
            else {"record": "relation", **record}
        )
        self._files[self.entities_file].write(_dumps(line) + "\n")
        self._count(f"relation:{record['kind']}")

    def incident(self, row: dict) -> None:
        self._incidents.writerow(["" if row.get(c) is None else row[c] for c in INCIDENT_COLUMNS])
        self._count("incidents")

    def truth(self, record: dict) -> None:
        self._files[GROUND_TRUTH_FILE].write(_dumps(record) + "\n")

    def close(self, manifest: dict) -> dict:
        """Close every file and write manifest.json (with the import order and line counts); returns it."""
        for handle in self._files.values():
            handle.close()
        manifest = {
            **manifest,
            "files": [REPORTS_FILE, self.entities_file, INCIDENTS_FILE],
            "ground_truth": GROUND_TRUTH_FILE,
            "counts": dict(sorted(self.counts.items())),
        }
        (self.out_dir / MANIFEST_FILE).write_text(
            json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return manifest
