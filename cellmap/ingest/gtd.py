"""GTD event rows -> cellmap incident records (the JSONL ``incident`` form of docs/formats.md).

Pure functions on rows, as in `cellmap.ingest.acled`. The mapping is data
(`cellmap/schema/gtd_mapping.yaml`): attack type -> cellmap type, ``success = 0`` -> an
unsuccessful outcome, keyword rules on the summary. An incident's id is ``GTD-<eventid>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
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

GTD_REQUIRED = ("eventid", "iyear", "imonth", "iday", "attacktype1_txt", "success")


def is_gtd_header(columns: Iterable[str]) -> bool:
    """True when a CSV header carries GTD's event columns (eventid, iyear, imonth, iday, attacktype1_txt, success)."""
    return set(GTD_REQUIRED) <= {c.strip().lower() for c in columns}


def _gtd_date(values: dict[str, str], line: int) -> tuple[str, str]:
    try:
        year, month, day = int(values["iyear"]), int(values["imonth"]), int(values["iday"])
    except ValueError:
        raise input_error(line, "iyear/imonth/iday", "not whole numbers") from None
    try:
        if month == 0:
            return date(year, 1, 1).isoformat()[:4], "year"
        if day == 0:
            return date(year, month, 1).isoformat()[:7], "month"
        return date(year, month, day).isoformat(), "day"
    except (ValueError, OverflowError) as error:
        raise input_error(line, "iyear/imonth/iday", str(error)) from None


def gtd_row_to_incident(
    row: Row, line: int = 0, report: str | dict | None = None
) -> dict[str, Any]:
    """One GTD event row -> one cellmap incident record (see module docstring)."""
    mapping = load_mapping("gtd")
    values = lower_keys(row)
    for field in GTD_REQUIRED:
        if values.get(field, "") == "":
            raise input_error(line, field, "missing")
    if values["success"] not in mapping["success"]:
        raise input_error(line, "success", f"expected 0 or 1, got {values['success']!r}")
    attack_type = values["attacktype1_txt"]
    chosen = {**mapping["default"], **mapping["attack_types"].get(attack_type, {})}
    chosen.update(mapping["suicide"].get(values.get("suicide", ""), {}))
    when, precision = _gtd_date(values, line)
    incident = base_record(mapping, values["eventid"], report)
    incident.update(
        date=when,
        date_precision=precision,
        type=chosen["type"],
        sub_type=attack_type,
        outcome=mapping["success"][values["success"]],
        fatalities=count(values, "nkill", line),
        lat=optional_float(values, "latitude", line),
        lon=optional_float(values, "longitude", line),
        geo_precision=mapping["specificity"].get(values.get("specificity", ""), "unknown"),
        location=values.get("city") or None,
        admin1=values.get("provstate") or None,
        admin2=None,
        admin3=None,
        notes=values.get("summary") or None,
        source_dataset=mapping["source_dataset"],
        source_event_id=values["eventid"],
    )
    return with_rules_and_codes(incident, mapping, values, "summary_rules", "summary")


def gtd_rows_to_incidents(
    rows: Iterable[Row], report: str | dict | None = None
) -> list[dict[str, Any]]:
    """GTD rows -> cellmap incident records (one per eventid; a repeated eventid keeps the last row). O(n)."""
    latest: dict[str, tuple[int, Row]] = {}
    for index, row in enumerate(rows):
        latest[lower_keys(row).get("eventid", f"#{index}")] = (index + 2, row)
    return [
        gtd_row_to_incident(row, line, report)
        for line, row in sorted(latest.values(), key=lambda t: t[0])
    ]
