"""What the ACLED and GTD adapters share: their mapping tables and the helpers that apply them to rows.

The mappings are data (`cellmap/schema/acled_mapping.yaml`, `cellmap/schema/gtd_mapping.yaml`):
sub-event or attack type -> cellmap type; outcomes; then ordered keyword rules on the event text
(jail attacks, assassinations, extortion, foiled/aborted). Every record keeps the original codes in
``source_codes`` and names the mapping in ``mapping``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from cellmap.errors import InputError
from cellmap.model import schema_file

Row = Mapping[str, Any]


@cache
def load_mapping(name: str) -> dict[str, Any]:
    """The mapping `name` ('acled' or 'gtd') read from cellmap/schema/<name>_mapping.yaml."""
    return schema_file(f"{name}_mapping.yaml")


def input_error(line: int, field: str, reason: str) -> InputError:
    return InputError(reason, line=line, field=field)


def lower_keys(row: Row) -> dict[str, str]:
    return {
        str(k).strip().lower(): ("" if v is None else str(v).strip())
        for k, v in row.items()
        if k is not None
    }


def optional_float(row: dict[str, str], field: str, line: int) -> float | None:
    text = row.get(field, "")
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise input_error(line, field, f"not a number: {text!r}") from None


def count(row: dict[str, str], field: str, line: int) -> int:
    value = optional_float(row, field, line)
    if value is not None and not 0 <= value < 2**31:
        raise input_error(line, field, f"not a count: {row[field][:40]!r}")
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


def _mapping_label(mapping: dict[str, Any]) -> str:
    return f"{mapping['name']} v{mapping['version']}"


def with_rules_and_codes(
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


def base_record(
    mapping: dict[str, Any], event_id: str, report: str | dict | None
) -> dict[str, Any]:
    record: dict[str, Any] = {"record": "incident", "id": f"{mapping['source_dataset']}-{event_id}"}
    if report is not None:
        record["report"] = report
    return record
