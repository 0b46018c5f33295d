"""ACLED- and GTD-format event rows -> cellmap incident records (the JSONL ``incident`` form of docs/formats.md).

Pure functions on rows (``dict[str, str]`` as ``csv.DictReader`` yields them). The importer
(`cellmap.ingest`) recognises the header with `is_acled_header` / `is_gtd_header`, calls
`acled_rows_to_incidents` / `gtd_rows_to_incidents`, and stores the records it gets back.

The mappings are data (`data/acled_mapping.yaml`, `data/gtd_mapping.yaml`): sub-event or attack type
-> cellmap type; ACLED "Disrupted weapons use" and GTD ``success = 0`` -> unsuccessful outcomes; then
ordered keyword rules on the event text (jail attacks, assassinations, extortion, foiled/aborted).
Every record keeps the original codes in ``source_codes`` and names the mapping in ``mapping``.

Re-imports: an incident's id is ``ACLED-<event_id_cnty>`` / ``GTD-<eventid>``, stable across ACLED's
weekly re-exports, so an edited event lands on the same key; within one file the row with the newest
``timestamp`` wins. ACLED's deletions file (``event_id_cnty,deleted_timestamp``) gives the keys to
retire through `acled_deleted_keys`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml

from cellmap.errors import InputError

ACLED_REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type")
GTD_REQUIRED = ("eventid", "iyear", "imonth", "iday", "attacktype1_txt", "success")
ACLED_DELETIONS_HEADER = ("event_id_cnty", "deleted_timestamp")

Row = Mapping[str, Any]


@cache
def load_mapping(name: str) -> dict[str, Any]:
    """The mapping `name` ('acled' or 'gtd') read from cellmap/incidents/data/<name>_mapping.yaml."""
    text = (
        resources.files("cellmap.incidents")
        .joinpath("data", f"{name}_mapping.yaml")
        .read_text("utf-8")
    )
    return yaml.safe_load(text)


def is_acled_header(columns: Iterable[str]) -> bool:
    """True when a CSV header carries ACLED's event columns (event_id_cnty, event_date, event_type, sub_event_type)."""
    return set(ACLED_REQUIRED) <= {c.strip().lower() for c in columns}


def is_gtd_header(columns: Iterable[str]) -> bool:
    """True when a CSV header carries GTD's event columns (eventid, iyear, imonth, iday, attacktype1_txt, success)."""
    return set(GTD_REQUIRED) <= {c.strip().lower() for c in columns}


def is_acled_deletions_header(columns: Iterable[str]) -> bool:
    """True for ACLED's list of deleted events (event_id_cnty, deleted_timestamp)."""
    return set(ACLED_DELETIONS_HEADER) <= {c.strip().lower() for c in columns}


def _input_error(line: int, field: str, reason: str) -> InputError:
    return InputError(reason, line=line, field=field)


def _lower_keys(row: Row) -> dict[str, str]:
    return {
        str(k).strip().lower(): ("" if v is None else str(v).strip())
        for k, v in row.items()
        if k is not None
    }


def _optional_float(row: dict[str, str], field: str, line: int) -> float | None:
    text = row.get(field, "")
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise _input_error(line, field, f"not a number: {text!r}") from None


def _count(row: dict[str, str], field: str, line: int) -> int:
    value = _optional_float(row, field, line)
    return 0 if value is None else int(round(value))


def _apply_text_rules(rules: list[dict], text: str, incident: dict[str, Any]) -> list[str]:
    """Apply ordered keyword rules to `text`; the first matching rule sets each field. Returns the patterns used."""
    fixed: set[str] = set()
    used: list[str] = []
    for rule in rules:
        if "when_type" in rule and incident["type"] not in rule["when_type"]:
            continue
        if "when_outcome" in rule and incident["outcome"] not in rule["when_outcome"]:
            continue
        if not re.search(rule["pattern"], text, flags=re.IGNORECASE):
            continue
        changes = {k: v for k, v in rule["set"].items() if k not in fixed}
        if changes:
            incident.update(changes)
            fixed.update(changes)
            used.append(rule["pattern"])
    return used


def _parse_acled_date(text: str, line: int) -> str:
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise _input_error(line, "event_date", f"not a date: {text!r}")


def _mapping_label(mapping: dict[str, Any]) -> str:
    return f"{mapping['name']} v{mapping['version']}"


def _with_rules_and_codes(
    incident: dict[str, Any],
    mapping: dict[str, Any],
    values: dict[str, str],
    rules: str,
    text_field: str,
) -> dict[str, Any]:
    """Apply the mapping's text rules, then keep the original codes and name the mapping used."""
    rules_used = _apply_text_rules(mapping[rules], values.get(text_field, ""), incident)
    incident["source_codes"] = {k: values[k] for k in mapping["kept_codes"] if k in values}
    incident["mapping"] = {"name": _mapping_label(mapping), "rules_matched": rules_used}
    return incident


def _base_record(
    mapping: dict[str, Any], event_id: str, report: str | dict | None
) -> dict[str, Any]:
    record: dict[str, Any] = {"record": "incident", "id": f"{mapping['source_dataset']}-{event_id}"}
    if report is not None:
        record["report"] = report
    return record


def acled_row_to_incident(
    row: Row, line: int = 0, report: str | dict | None = None
) -> dict[str, Any]:
    """One ACLED event row -> one cellmap incident record (see module docstring). `line` names the row in errors."""
    mapping = load_mapping("acled")
    values = _lower_keys(row)
    for field in ACLED_REQUIRED:
        if not values.get(field):
            raise _input_error(line, field, "missing")
    sub_event = values["sub_event_type"]
    base = {**mapping["default"], **mapping["sub_event_types"].get(sub_event, {})}
    incident = _base_record(mapping, values["event_id_cnty"], report)
    incident.update(
        date=_parse_acled_date(values["event_date"], line),
        date_precision=mapping["time_precision"].get(values.get("time_precision", ""), "day"),
        type=base["type"],
        sub_type=sub_event,
        outcome=base.get("outcome", "completed"),
        fatalities=_count(values, "fatalities", line),
        lat=_optional_float(values, "latitude", line),
        lon=_optional_float(values, "longitude", line),
        geo_precision=mapping["geo_precision"].get(values.get("geo_precision", ""), "unknown"),
        location=values.get("location") or None,
        admin1=values.get("admin1") or None,
        admin2=values.get("admin2") or None,
        admin3=values.get("admin3") or None,
        notes=values.get("notes") or None,
        source_dataset=mapping["source_dataset"],
        source_event_id=values["event_id_cnty"],
    )
    return _with_rules_and_codes(incident, mapping, values, "notes_rules", "notes")


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
        values = _lower_keys(row)
        event_id = values.get("event_id_cnty", "")
        if not event_id:
            raise _input_error(line, "event_id_cnty", "missing")
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
        f"{prefix}-{_lower_keys(r)['event_id_cnty']}"
        for r in rows
        if _lower_keys(r).get("event_id_cnty")
    ]


def _gtd_date(values: dict[str, str], line: int) -> tuple[str, str]:
    try:
        year, month, day = int(values["iyear"]), int(values["imonth"]), int(values["iday"])
    except ValueError:
        raise _input_error(line, "iyear/imonth/iday", "not whole numbers") from None
    try:
        if month == 0:
            return date(year, 1, 1).isoformat()[:4], "year"
        if day == 0:
            return date(year, month, 1).isoformat()[:7], "month"
        return date(year, month, day).isoformat(), "day"
    except ValueError as error:
        raise _input_error(line, "iyear/imonth/iday", str(error)) from None


def gtd_row_to_incident(
    row: Row, line: int = 0, report: str | dict | None = None
) -> dict[str, Any]:
    """One GTD event row -> one cellmap incident record (see module docstring)."""
    mapping = load_mapping("gtd")
    values = _lower_keys(row)
    for field in GTD_REQUIRED:
        if values.get(field, "") == "":
            raise _input_error(line, field, "missing")
    if values["success"] not in mapping["success"]:
        raise _input_error(line, "success", f"expected 0 or 1, got {values['success']!r}")
    attack_type = values["attacktype1_txt"]
    chosen = {**mapping["default"], **mapping["attack_types"].get(attack_type, {})}
    chosen.update(mapping["suicide"].get(values.get("suicide", ""), {}))
    when, precision = _gtd_date(values, line)
    incident = _base_record(mapping, values["eventid"], report)
    incident.update(
        date=when,
        date_precision=precision,
        type=chosen["type"],
        sub_type=attack_type,
        outcome=mapping["success"][values["success"]],
        fatalities=_count(values, "nkill", line),
        lat=_optional_float(values, "latitude", line),
        lon=_optional_float(values, "longitude", line),
        geo_precision=mapping["specificity"].get(values.get("specificity", ""), "unknown"),
        location=values.get("city") or None,
        admin1=values.get("provstate") or None,
        admin2=None,
        admin3=None,
        notes=values.get("summary") or None,
        source_dataset=mapping["source_dataset"],
        source_event_id=values["eventid"],
    )
    return _with_rules_and_codes(incident, mapping, values, "summary_rules", "summary")


def gtd_rows_to_incidents(
    rows: Iterable[Row], report: str | dict | None = None
) -> list[dict[str, Any]]:
    """GTD rows -> cellmap incident records (one per eventid; a repeated eventid keeps the last row). O(n)."""
    latest: dict[str, tuple[int, Row]] = {}
    for index, row in enumerate(rows):
        latest[_lower_keys(row).get("eventid", f"#{index}")] = (index + 2, row)
    return [
        gtd_row_to_incident(row, line, report)
        for line, row in sorted(latest.values(), key=lambda t: t[0])
    ]
