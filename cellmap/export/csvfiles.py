"""CSV: a folder of reports.csv, entities.csv, relations.csv and incidents.csv in the forms
`cellmap import` reads (docs/formats.md §3), through the reader's own cell codec
(`cellmap.ingest.csvfile`): no cell runs as a spreadsheet formula, several values of a property are
joined by `;`, and a property or attribute never overwrites one of the file's own columns, so that
an export imports back to the same values and exports again to the same bytes."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Connection

from cellmap import strict_json
from cellmap.export.snapshot import Snapshot, _iso
from cellmap.ingest.csvfile import (
    ATTRIBUTE_PREFIX,
    PROPERTY_PREFIX,
    column_name,
    join_values,
    neutralise,
)


def _write(path: Path, columns: list[str], rows: list[dict]) -> int:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: neutralise("" if v is None else str(v)) for k, v in row.items()})
    return len(rows)


def write(conn: Connection, out: Path) -> dict[str, int]:
    snap = Snapshot.read(conn)
    out.mkdir(parents=True, exist_ok=True)
    reports = [
        {**r, "synthetic": "true" if r["synthetic"] else "false"}
        for r in snap.report_records().values()
    ]
    entities = []
    for key, kind, report, props, valid_from, valid_to in snap.fragments():
        row = {
            "id": key,
            "kind": kind,
            "report": report,
            "valid_from": _iso(valid_from),
            "valid_to": _iso(valid_to),
            "name": "",
        }
        row.update(
            {
                column_name(prop, PROPERTY_PREFIX, own=("name",)): join_values(values)
                for prop, values in props.items()
            }
        )
        entities.append(row)
    relations = [
        {
            **{k: v for k, v in r.items() if k not in ("record", "attrs")},
            **{column_name(k, ATTRIBUTE_PREFIX): v for k, v in r["attrs"].items()},
        }
        for r in snap.relation_records()
    ]
    incidents = []
    for record in snap.incident_records():
        row = {k: v for k, v in record.items() if k != "record"}
        if isinstance(row.get("source_codes"), dict):
            row["source_codes"] = strict_json.dumps(row["source_codes"], sort_keys=True)
        incidents.append(row)

    def columns(rows: list[dict], first: list[str]) -> list[str]:
        rest = sorted({k for row in rows for k in row} - set(first))
        return first + rest

    return {
        "reports": _write(
            out / "reports.csv",
            ["id", "title", "kind", "date", "source", "grade", "synthetic"],
            reports,
        ),
        "entities": _write(
            out / "entities.csv", columns(entities, ["id", "kind", "name", "report"]), entities
        ),
        "relations": _write(
            out / "relations.csv",
            columns(relations, ["kind", "source", "target", "id", "role"]),
            relations,
        ),
        "incidents": _write(
            out / "incidents.csv", columns(incidents, ["id", "date", "type", "outcome"]), incidents
        ),
    }
