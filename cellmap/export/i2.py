"""i2 Analyst's Notebook: an entity file and a link file (CSV) for i2's import of delimited data.

`entities.csv` has one row per entity (its label, type in i2's standard palette, first date, other
properties as the description, the reports that state it with their kinds, and the grade of its best
report split into i2's Grade 1 = source reliability and Grade 2 = information credibility); `links.csv`
one row per relationship statement (both ends, link type, label, dates, direction, its report and
grade). Types and columns are data (`schema/i2.yaml`); docs/guide/import.md gives the import
specification and the steps to load both files. Cells are spreadsheet-safe (no formula runs).
Cost O(statements).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from sqlalchemy import Connection

from cellmap.export.snapshot import Snapshot, _iso
from cellmap.ingest.csvfile import neutralise
from cellmap.model import Grade, i2_mapping, relation_kinds

ENTITIES_FILE = "entities.csv"
LINKS_FILE = "links.csv"


def _best(grades: list[str]) -> Grade | None:
    known = [Grade.parse(g) for g in grades if g]
    return min(known, key=lambda g: (g.credibility, g.reliability)) if known else None


def _grading(grade: Grade | None) -> dict[str, str]:
    if grade is None:
        return {"Grade 1": "", "Grade 2": "", "Grade": ""}
    return {"Grade 1": grade.reliability, "Grade 2": str(grade.credibility), "Grade": str(grade)}


def _write(path: Path, columns: list[str], rows: list[dict]) -> int:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: neutralise("" if v is None else str(v)) for k, v in row.items()})
    return len(rows)


def write(conn: Connection, out: Path) -> dict[str, int]:
    mapping = i2_mapping()
    snap = Snapshot.read(conn)
    reports = snap.report_records()
    kind_of = dict(snap.entities.select("key", "kind").iter_rows())
    label_of = {k: n or k for k, n in snap.entities.select("key", "name").iter_rows()}
    props: dict[str, dict[str, list[str]]] = defaultdict(dict)
    cited: dict[str, list[str]] = defaultdict(list)
    first_date: dict[str, str] = {}
    for key, _kind, report, values, valid_from, _valid_to in snap.fragments():
        for prop, items in values.items():
            known = props[key].setdefault(prop, [])
            known.extend(v for v in items if v not in known)
        if report:
            cited[key].append(report)
        start = _iso(valid_from)
        if start and (key not in first_date or start < first_date[key]):
            first_date[key] = start
    for incident in snap.incident_records():
        cited[incident["id"]].append(incident["report"])
        if incident.get("date"):
            first_date[incident["id"]] = incident["date"]
    entities = []
    for key, kind in kind_of.items():
        sources = sorted(set(cited.get(key, [])))
        description = "; ".join(
            f"{prop}: {', '.join(values)}"
            for prop, values in props.get(key, {}).items()
            if prop != "name"
        )
        entities.append(
            {
                "Entity ID": key,
                "Entity Type": mapping["entity_types"][kind],
                "Label": label_of[key],
                "Date": first_date.get(key, ""),
                "Description": description,
                "Source Reference": "; ".join(sources),
                "Source Type": "; ".join(sorted({reports[r]["kind"] or "" for r in sources})),
                **_grading(_best([reports[r]["grade"] for r in sources])),
                "cellmap Kind": kind,
            }
        )
    directed = {kind: spec.get("directed", True) for kind, spec in relation_kinds().items()}
    links = []
    for number, record in enumerate(snap.relation_records(), start=1):
        stated_by = reports[record["report"]]
        kind = record["kind"]
        link_type = mapping["link_types"][kind]
        label = link_type + (f" ({record['role']})" if record["role"] else "")
        links.append(
            {
                "Link ID": record["id"] or f"L{number}",
                "From Entity ID": record["source"],
                "From Entity Type": mapping["entity_types"][kind_of[record["source"]]],
                "To Entity ID": record["target"],
                "To Entity Type": mapping["entity_types"][kind_of[record["target"]]],
                "Link Type": link_type,
                "Label": label,
                "Date": record["valid_from"] or record["attrs"].get("date", ""),
                "End Date": record["valid_to"] or "",
                "Direction": "Ahead" if directed.get(kind, True) else "None",
                "Source Reference": record["report"],
                "Source Type": stated_by["kind"] or "",
                **_grading(Grade.parse(stated_by["grade"]) if stated_by["grade"] else None),
                "cellmap Kind": kind,
            }
        )
    out.mkdir(parents=True, exist_ok=True)
    return {
        "entities": _write(out / ENTITIES_FILE, list(mapping["entity_columns"]), entities),
        "links": _write(out / LINKS_FILE, list(mapping["link_columns"]), links),
    }
