"""cellmap's own JSON lines: reports, entity fragments, relations and incidents, each with its report."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from cellmap import strict_json
from cellmap.export.snapshot import Snapshot, _iso


def write(conn: Connection, out: Path) -> dict[str, int]:
    snap = Snapshot.read(conn)
    written = {"reports": 0, "entities": 0, "relations": 0, "incidents": 0}
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:

        def put(record: dict, kind: str) -> None:
            handle.write(
                strict_json.dumps(
                    {k: v for k, v in record.items() if v is not None}, ensure_ascii=False
                )
                + "\n"
            )
            written[kind] += 1

        for stored_report in snap.report_records().values():
            put({"record": "report", **stored_report}, "reports")
        for key, kind, report, props, valid_from, valid_to in snap.fragments():
            put(
                {
                    "record": "entity",
                    "id": key,
                    "kind": kind,
                    "report": report,
                    "properties": props,
                    "valid_from": _iso(valid_from),
                    "valid_to": _iso(valid_to),
                },
                "entities",
            )
        for record in snap.relation_records():
            put(record, "relations")
        for record in snap.incident_records():
            put(record, "incidents")
    return written
