"""Streaming writers for a scenario folder: reports, FtM entities, incidents CSV, ground truth.

Records are built in cellmap's canonical form (docs/formats.md §1) and written as the report
files an analyst would receive: reports as cellmap JSON lines, entities and relationships as
FollowTheMoney JSON lines with cellmap's ``"cellmap"`` extension object (built by the FtM
exporter's line builders: the scenario and an export of it speak the one mapping, schema/ftm.yaml),
incidents as an ACLED-compatible CSV with cellmap's columns. The ground truth goes to its own file.
Every line is written as soon as it is made, so memory stays bounded whatever the size.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

from cellmap import strict_json
from cellmap.export.ftm import entity_line, relation_line
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


def entity_to_ftm(record: dict) -> dict:
    """A canonical entity record → one FtM entity with the cellmap extension."""
    ext: dict[str, Any] = {"report": record["report"]}
    if record.get("valid_from") or record.get("valid_to"):
        ext["valid_from"], ext["valid_to"] = record.get("valid_from"), record.get("valid_to")
    return entity_line(record["id"], record["kind"], record["properties"], ext)


def _dumps(obj: Any) -> str:
    return strict_json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


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
        # Kinds of the entities written other than persons (a few thousand at most): a relation's ends
        # decide its FtM schema (a Call joins two parties, not a site). Persons, the bulk, are not
        # remembered, so memory stays bounded; every non-person entity is written before the
        # relations naming it (tests/scenario/test_ftm_agreement.py checks against the exporter).
        self._end_kinds: dict[str, str] = {}

    def _count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def report(self, record: dict) -> None:
        self._files[REPORTS_FILE].write(_dumps({"record": "report", **record}) + "\n")
        self._count("reports")

    def entity(self, record: dict) -> None:
        if record["kind"] != "person":
            self._end_kinds[record["id"]] = record["kind"]
        line = (
            entity_to_ftm(record) if self.entity_format == "ftm" else {"record": "entity", **record}
        )
        self._files[self.entities_file].write(_dumps(line) + "\n")
        self._count(f"entity:{record['kind']}")

    def relation(self, record: dict) -> None:
        if self.entity_format == "ftm":
            ends = (self._end_kinds.get(record[end], "person") for end in ("source", "target"))
            line = relation_line(record, *ends)
        else:
            line = {"record": "relation", **record}
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
            strict_json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        return manifest
