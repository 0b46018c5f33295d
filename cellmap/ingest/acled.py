"""ACLED event rows -> cellmap incident records (the JSONL ``incident`` form of docs/formats.md).

Pure functions on rows (``dict[str, str]`` as ``csv.DictReader`` yields them). The CSV reader
(`cellmap.ingest.csvfile`) recognises the header with `is_acled_header`, calls
`acled_rows_to_incidents`, and the importer stores the records it gets back. The mapping is data
(`cellmap/schema/acled_mapping.yaml`, applied by `cellmap.ingest.event_mappings`): sub-event type ->
cellmap type; "Disrupted weapons use" -> foiled; keyword rules on the notes.

Re-imports: an incident's id is ``ACLED-<event_id_cnty>``, stable across ACLED's weekly re-exports,
so an edited event lands on the same key; within one file the row with the newest ``timestamp``
wins. ACLED's deletions file (``event_id_cnty,deleted_timestamp``) gives the keys to retire through
`acled_deleted_keys`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cellmap.ingest.event_mappings import (
    Row,
    base_record,
    count,
    input_error,
    load_mapping,
    lower_keys,
    optional_float,
    with_rules_and_codes,
)

ACLED_REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type")
ACLED_DELETIONS_HEADER = ("event_id_cnty", "deleted_timestamp")


def is_acled_header(columns: Iterable[str]) -> bool:
    """True when a CSV header carries ACLED's event columns (event_id_cnty, event_date, event_type, sub_event_type)."""
    return set(ACLED_REQUIRED) <= {c.strip().lower() for c in columns}


def is_acled_deletions_header(columns: Iterable[str]) -> bool:
    """True for ACLED's list of deleted events (event_id_cnty, deleted_timestamp)."""
    return set(ACLED_DELETIONS_HEADER) <= {c.strip().lower() for c in columns}


def _parse_acled_date(text: str, line: int) -> str:
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise input_error(line, "event_date", f"not a date: {text!r}")


def acled_row_to_incident(
    row: Row, line: int = 0, report: str | dict | None = None
) -> dict[str, Any]:
    """One ACLED event row -> one cellmap incident record (see module docstring). `line` names the row in errors."""
    mapping = load_mapping("acled")
    values = lower_keys(row)
    for field in ACLED_REQUIRED:
        if not values.get(field):
            raise input_error(line, field, "missing")
    sub_event = values["sub_event_type"]
    base = {**mapping["default"], **mapping["sub_event_types"].get(sub_event, {})}
    incident = base_record(mapping, values["event_id_cnty"], report)
    incident.update(
        date=_parse_acled_date(values["event_date"], line),
        date_precision=mapping["time_precision"].get(values.get("time_precision", ""), "day"),
        type=base["type"],
        sub_type=sub_event,
        outcome=base.get("outcome", "completed"),
        fatalities=count(values, "fatalities", line),
        lat=optional_float(values, "latitude", line),
        lon=optional_float(values, "longitude", line),
        geo_precision=mapping["geo_precision"].get(values.get("geo_precision", ""), "unknown"),
        location=values.get("location") or None,
        admin1=values.get("admin1") or None,
        admin2=values.get("admin2") or None,
        admin3=values.get("admin3") or None,
        notes=values.get("notes") or None,
        source_dataset=mapping["source_dataset"],
        source_event_id=values["event_id_cnty"],
    )
    return with_rules_and_codes(incident, mapping, values, "notes_rules", "notes")


def _acled_timestamp(values: dict[str, str]) -> float:
    try:
        return float(values.get("timestamp") or 0)
    except ValueError:
        return 0.0


def acled_rows_to_incidents(
    rows: Iterable[Row], report: str | dict | None = None
) -> list[dict[str, Any]]:
    """ACLED rows -> cellmap incident records, one per event id (the row with the newest `timestamp` wins).

    Row numbers in errors count the header as line 1. Cost O(n) in the number of rows.
    """
    newest: dict[str, tuple[float, int, Row]] = {}
    for index, row in enumerate(rows):
        line = index + 2
        values = lower_keys(row)
        event_id = values.get("event_id_cnty", "")
        if not event_id:
            raise input_error(line, "event_id_cnty", "missing")
        stamp = _acled_timestamp(values)
        if event_id not in newest or stamp >= newest[event_id][0]:
            newest[event_id] = (stamp, line, row)
    return [
        acled_row_to_incident(row, line, report)
        for _, line, row in sorted(newest.values(), key=lambda t: t[1])
    ]


def acled_deleted_keys(rows: Iterable[Row]) -> list[str]:
    """Incident ids (``ACLED-<event_id_cnty>``) listed in an ACLED deletions file, for the store to retire."""
    prefix = load_mapping("acled")["source_dataset"]
    return [
        f"{prefix}-{lower_keys(r)['event_id_cnty']}"
        for r in rows
        if lower_keys(r).get("event_id_cnty")
    ]
