"""CSV files → cellmap records; which kind of file it is comes from its header (docs/formats.md §3)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from cellmap.errors import InputError
from cellmap.ingest import acled, gtd

MULTI_SEPARATOR = ";"
RELATION_COLUMNS = {
    "id",
    "kind",
    "source",
    "target",
    "role",
    "valid_from",
    "valid_to",
    "end_reason",
    "report",
    "grade",
}
ENTITY_COLUMNS = {"id", "kind", "report", "grade", "valid_from", "valid_to"}
INCIDENT_SYNONYMS = {
    "event_date": "date",
    "sub_event_type": "sub_type",
    "latitude": "lat",
    "longitude": "lon",
    "event_id_cnty": "source_event_id",
}
INCIDENT_COLUMNS = {
    "id",
    "date",
    "date_precision",
    "type",
    "outcome",
    "sub_type",
    "fatalities",
    "lat",
    "lon",
    "geo_precision",
    "location",
    "admin1",
    "admin2",
    "admin3",
    "country",
    "actor1",
    "attributed_to",
    "attribution_confidence",
    "notes",
    "source_dataset",
    "source_event_id",
    "deleted",
}


def _rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 ({error.reason})", file=str(path), line=line) from None
    if "\x00" in text:
        raise InputError("contains NUL bytes: not a text CSV file", file=str(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError("is empty (no header line)", file=str(path), line=1) from None
    except csv.Error as error:
        raise InputError(f"bad CSV: {error}", file=str(path), line=1) from None
    if len(set(header)) != len(header) or "" in header:
        raise InputError("header has empty or repeated column names", file=str(path), line=1)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for row in reader:
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise InputError(
                        f"has {len(row)} fields, the header has {len(header)}",
                        file=str(path),
                        line=reader.line_num,
                    )
                yield (
                    reader.line_num,
                    dict(zip(header, (cell.strip() for cell in row), strict=False)),
                )
        except csv.Error as error:
            raise InputError(f"bad CSV: {error}", file=str(path), line=reader.line_num) from None

    return header, rows()


def _report(row: dict[str, str]):
    if row.get("grade") and row.get("report"):
        return {"id": row["report"], "grade": row["grade"]}
    return row.get("report") or None


def _report_row(row: dict[str, str]) -> dict:
    return {"record": "report", **row}


def _entity_row(row: dict[str, str]) -> dict:
    props = {
        name: [v.strip() for v in value.split(MULTI_SEPARATOR) if v.strip()]
        for name, value in row.items()
        if name not in ENTITY_COLUMNS and value
    }
    return {
        "record": "entity",
        "id": row.get("id"),
        "kind": row.get("kind"),
        "properties": props,
        "valid_from": row.get("valid_from"),
        "valid_to": row.get("valid_to"),
        "report": _report(row),
    }


def _relation_row(row: dict[str, str]) -> dict:
    attrs = {k: v for k, v in row.items() if k not in RELATION_COLUMNS and v != ""}
    return {
        "record": "relation",
        **{k: row.get(k) for k in RELATION_COLUMNS if k not in ("report", "grade")},
        "attrs": attrs,
        "report": _report(row),
    }


def _incident_row(row: dict[str, str]) -> dict:
    values = {INCIDENT_SYNONYMS.get(k, k): v for k, v in row.items()}
    record = {k: values[k] for k in INCIDENT_COLUMNS if values.get(k, "") != ""}
    return {"record": "incident", **record, "report": _report(row)}


def _kind(header: list[str], path: Path) -> str:
    columns = set(header)
    if {"kind", "source", "target"} <= columns:
        return "relations"
    if {"id", "type"} <= columns:
        return "incidents"
    if acled.is_acled_deletions_header(columns) and not acled.is_acled_header(columns):
        return "acled_deletions"
    if acled.is_acled_header(columns):
        return "acled"
    if gtd.is_gtd_header(columns):
        return "gtd"
    if {"id", "kind", "name"} <= columns:
        return "entities"
    if {"id", "grade"} <= columns:
        return "reports"
    raise InputError(
        "header not recognised: expected a reports, entities, relations, incidents, ACLED or GTD file "
        "(see docs/formats.md)",
        file=str(path),
        line=1,
    )


ROW_READERS: dict[str, Callable[[dict[str, str]], dict]] = {
    "reports": _report_row,
    "entities": _entity_row,
    "relations": _relation_row,
    "incidents": _incident_row,
}


def _mapped_incidents(
    kind: str, rows: list[tuple[int, dict[str, str]]], path: Path
) -> Iterator[tuple[int, dict]]:
    """ACLED/GTD rows through their adapters (`acled`, `gtd`); line numbers follow each source event."""
    id_field = "event_id_cnty" if kind == "acled" else "eventid"
    line_of = {row.get(id_field, ""): line for line, row in rows}
    convert = acled.acled_rows_to_incidents if kind == "acled" else gtd.gtd_rows_to_incidents
    try:
        records = convert([row for _, row in rows])
    except InputError as error:
        raise InputError(error.reason, file=str(path), line=error.line, field=error.field) from None
    for record in records:
        yield line_of.get(record.get("source_event_id", ""), 0), record


def read(path: Path, phase: int | None = None) -> Iterator[tuple[int, dict]]:
    header, rows = _rows(path)
    kind = _kind(header, path)
    if kind in ("acled", "gtd"):
        yield from _mapped_incidents(kind, list(rows), path)
        return
    if kind == "acled_deletions":
        for line, row in rows:
            for key in acled.acled_deleted_keys([row]):
                yield line, {"record": "deletion", "id": key}
        return
    convert = ROW_READERS[kind]
    for line, row in rows:
        yield line, convert(row)
