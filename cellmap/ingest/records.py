"""Validation of input records in cellmap's canonical form (the cellmap JSON lines of docs/formats.md).

Every reader (JSONL, FtM, CSV, ACLED/GTD) turns its lines into these dicts; `validate` checks them
against the model in `schema/model.yaml` and returns typed records, or raises `InputError` naming the
field. The file and line are added by the caller, which knows them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, overload

from cellmap import strict_json
from cellmap.auth import check_compartment
from cellmap.errors import InputError
from cellmap.model import (
    Grade,
    entity_kinds,
    parse_date,
    relation_kinds,
    report_kinds,
    vocabulary,
)

_KEY = re.compile(r"^[^\s].{0,254}$", re.S)
_PROP = re.compile(r"^[A-Za-z_][A-Za-z0-9_:.\-]{0,63}$")
MAX_TEXT = 100_000
MAX_INTEGER = 2**31 - 1  # counts (fatalities, attrs.count) fit a 32-bit column
MAX_AMOUNT_DIGITS = 30  # money: at most 10^30 and at least 10^-30


@dataclass
class ReportRecord:
    key: str
    kind: str
    grade: Grade
    title: str | None = None
    date: dt.date | None = None
    source: str | None = None
    synthetic: bool = False
    compartment: str | None = None  # None: the import's compartment (`--compartment`, else default)


@dataclass
class EntityRecord:
    key: str
    kind: str
    report: str | ReportRecord | None
    properties: dict[str, list[str]] = field(default_factory=dict)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@dataclass
class RelationRecord:
    kind: str
    source: str
    target: str
    report: str | ReportRecord | None
    key: str | None = None
    role: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    end_reason: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class IncidentRecord:
    key: str
    report: str | ReportRecord | None
    type: str
    outcome: str
    date: dt.date | None
    date_precision: str | None
    values: dict[str, Any] = field(default_factory=dict)  # the incident table's other columns


def _text(value: Any, name: str, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    if type(value) is str:  # the common case, checked by C string methods alone
        text = value.strip()
        if text and len(text) <= limit and text.isascii() and "\x00" not in text:
            return text  # ASCII holds no surrogate
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise InputError("is required", field=name)
        return None
    if isinstance(value, (dict, list)):
        raise InputError(f"must be text, not {type(value).__name__}", field=name)
    text = str(value).strip()
    if len(text) > limit:
        raise InputError(f"is longer than {limit:,} characters", field=name)
    if "\x00" in text:
        raise InputError("contains a NUL character", field=name)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("contains an unpaired surrogate (not a character)", field=name) from None
    return text


@overload
def _key(value: Any, name: str = "id", *, required: Literal[True] = True) -> str: ...
@overload
def _key(value: Any, name: str = "id", *, required: bool) -> str | None: ...
def _key(value: Any, name: str = "id", *, required: bool = True) -> str | None:
    text = _text(value, name, required=required)
    if text is not None and not _KEY.match(text):
        raise InputError(f"{text[:40]!r} is not a valid id (1–255 characters)", field=name)
    return text


@overload
def _choice(
    value: Any,
    name: str,
    choices: list[str],
    *,
    required: Literal[True] = True,
    default: str | None = None,
) -> str: ...
@overload
def _choice(
    value: Any, name: str, choices: list[str], *, required: bool, default: str | None = None
) -> str | None: ...
def _choice(
    value: Any, name: str, choices: list[str], *, required: bool = True, default: str | None = None
) -> str | None:
    text = _text(value, name)
    if text is None:
        if required and default is None:
            raise InputError(f"is required (one of: {', '.join(choices)})", field=name)
        return default
    if text in choices:  # already in normal form (the common case: no regex)
        return text
    norm = re.sub(r"[\s\-]+", "_", text.lower())
    if norm not in choices:
        raise InputError(f"{text!r} is not one of: {', '.join(choices)}", field=name)
    return norm


_DATES: dict[str, tuple[dt.date | None, str | None]] = {}  # text -> parse_date's answer
MAX_DATES_KEPT = 100_000


def _date(value: Any, name: str) -> tuple[dt.date | None, str | None]:
    """parse_date, once per distinct text (an import repeats its dates; a date is immutable)."""
    if type(value) is str and value in _DATES:
        return _DATES[value]
    try:
        answer = parse_date(value, field=name)
    except InputError as error:
        raise InputError(error.reason, field=name) from None
    if type(value) is str and len(_DATES) < MAX_DATES_KEPT:
        _DATES[value] = answer
    return answer


def _float(value: Any, name: str, lo: float | None = None, hi: float | None = None) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list)):
        raise InputError(f"must be a number, not {type(value).__name__}", field=name)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{str(value)[:40]!r} is not a number in range", field=name) from None
    if (
        math.isnan(number)
        or math.isinf(number)
        or (lo is not None and number < lo)
        or (hi is not None and number > hi)
    ):
        raise InputError(f"{value!r} is out of range [{lo}, {hi}]", field=name)
    return number


def _int(value: Any, name: str, lo: int = 0, hi: int = MAX_INTEGER) -> int | None:
    number = _float(value, name, lo=lo, hi=hi)
    if number is None:
        return None
    if number != int(number):
        raise InputError(f"{value!r} is not a whole number", field=name)
    return int(number)


def decimal_text(value: Any, name: str) -> str:
    """Money as exact decimal text (never a float)."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise InputError(f"{value!r} is not an amount", field=name) from None
    if not amount.is_finite() or abs(amount.adjusted()) > MAX_AMOUNT_DIGITS:
        raise InputError(f"{str(value)[:40]!r} is not an amount", field=name)
    return format(amount.normalize(), "f") if amount == amount.to_integral() else str(amount)


def _report_ref(value: Any) -> str | ReportRecord | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return validate_report(value)
    return _key(value, "report")


def validate_report(data: dict) -> ReportRecord:
    grade_text = data.get("grade")
    if grade_text is None and data.get("reliability") is not None:
        grade_text = f"{data.get('reliability')}{data.get('credibility')}"
    try:
        grade = Grade.parse(grade_text) if grade_text not in (None, "") else None
    except InputError as error:
        raise InputError(
            error.reason, field="report.grade" if "record" not in data else "grade"
        ) from None
    if grade is None:
        raise InputError("is required (Admiralty grade such as B2)", field="grade")
    synthetic = data.get("synthetic", False)
    if isinstance(synthetic, str):
        synthetic = synthetic.strip().lower() in ("1", "true", "yes")
    compartment = _text(data.get("compartment"), "compartment")
    return ReportRecord(
        key=_key(data.get("id"), "report.id" if "record" not in data else "id"),
        kind=_choice(data.get("kind"), "kind", report_kinds(), default="other"),
        grade=grade,
        title=_text(data.get("title"), "title"),
        date=_date(data.get("date"), "date")[0],
        source=_text(data.get("source"), "source"),
        synthetic=bool(synthetic),
        compartment=check_compartment(compartment) if compartment else None,
    )


def _properties(value: Any) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError("must be an object of property: [values]", field="properties")
    props: dict[str, list[str]] = {}
    for name, values in value.items():
        if not isinstance(name, str) or not _PROP.match(name):
            raise InputError(f"{str(name)[:40]!r} is not a property name", field="properties")
        values = values if isinstance(values, list) else [values]
        texts = [_text(v, f"properties.{name}") for v in values]
        props[name] = [t for t in texts if t is not None]
    return props


def validate_entity(data: dict) -> EntityRecord:
    kind = _choice(data.get("kind"), "kind", list(entity_kinds()))
    return EntityRecord(
        key=_key(data.get("id")),
        kind=kind,
        report=_report_ref(data.get("report")),
        properties=_properties(data.get("properties")),
        valid_from=_date(data.get("valid_from"), "valid_from")[0],
        valid_to=_date(data.get("valid_to"), "valid_to")[0],
    )


def _attrs(kind: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError("must be an object", field="attrs")
    attrs: dict[str, Any] = {}
    for name, item in value.items():
        if not isinstance(name, str) or not _PROP.match(name):
            raise InputError(f"{str(name)[:40]!r} is not an attribute name", field="attrs")
        if item is None or item == "":
            continue
        if isinstance(item, (dict, list)):
            raise InputError("must be a single value", field=f"attrs.{name}")
        if name == "amount":
            item = decimal_text(item, "attrs.amount")
        elif name == "date":
            day = _date(item, "attrs.date")[0]
            item = day.isoformat() if day else None
        elif name == "count":
            item = _int(item, "attrs.count")
        elif name == "confidence":
            item = _float(item, "attrs.confidence", 0.0, 1.0)
        elif name in ("payment_kind", "action", "outcome"):
            vocab = {
                "payment_kind": "payment_kinds",
                "action": "ct_actions",
                "outcome": "ct_outcomes",
            }[name]
            item = _choice(item, f"attrs.{name}", vocabulary(vocab))
        elif isinstance(item, str):
            item = _text(item, f"attrs.{name}")
        elif isinstance(item, float) and (math.isnan(item) or math.isinf(item)):
            raise InputError("is not a finite number", field=f"attrs.{name}")
        attrs[name] = item
    return attrs


def validate_relation(data: dict) -> RelationRecord:
    kinds = relation_kinds()
    kind = _choice(data.get("kind"), "kind", list(kinds))
    spec = kinds[kind]
    role = None
    if data.get("role") not in (None, ""):
        vocab = spec.get("role_vocabulary")
        role = (
            _choice(data.get("role"), "role", vocabulary(vocab))
            if vocab
            else _text(data.get("role"), "role", limit=64)
        )
    valid_from = _date(data.get("valid_from"), "valid_from")[0]
    valid_to = _date(data.get("valid_to"), "valid_to")[0]
    if valid_from and valid_to and valid_to < valid_from:
        raise InputError(f"{valid_to} is before valid_from {valid_from}", field="valid_to")
    return RelationRecord(
        kind=kind,
        source=_key(data.get("source"), "source"),
        target=_key(data.get("target"), "target"),
        report=_report_ref(data.get("report")),
        key=_key(data.get("id"), required=False),
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        end_reason=_choice(
            data.get("end_reason"), "end_reason", vocabulary("end_reasons"), required=False
        ),
        attrs=_attrs(kind, data.get("attrs")),
    )


def validate_incident(data: dict) -> IncidentRecord:
    date, precision = _date(data.get("date"), "date")
    if date is None:
        raise InputError("is required", field="date")
    precision = (
        _choice(
            data.get("date_precision"),
            "date_precision",
            vocabulary("date_precisions"),
            required=False,
        )
        or precision
    )
    codes = data.get("source_codes")
    if codes is not None and not isinstance(codes, (dict, str)):
        raise InputError("must be an object", field="source_codes")
    deleted = data.get("deleted", False)
    if isinstance(deleted, str):
        deleted = deleted.strip().lower() in ("1", "true", "yes")
    values = {
        "lat": _float(data.get("lat"), "lat", -90, 90),
        "lon": _float(data.get("lon"), "lon", -180, 180),
        "geo_precision": _choice(
            data.get("geo_precision"), "geo_precision", vocabulary("geo_precisions"), required=False
        ),
        "fatalities": _int(data.get("fatalities"), "fatalities"),
        "attribution_confidence": _float(
            data.get("attribution_confidence"), "attribution_confidence", 0.0, 1.0
        ),
        "source_codes": strict_json.dumps(codes, sort_keys=True)
        if isinstance(codes, dict)
        else _text(codes, "source_codes"),
        "deleted": bool(deleted),
    }
    for name in (
        "location",
        "admin1",
        "admin2",
        "admin3",
        "country",
        "sub_type",
        "actor1",
        "notes",
    ):
        values[name] = _text(data.get(name), name)
    values["source_dataset"] = _text(data.get("source_dataset"), "source_dataset", limit=32)
    values["source_event_id"] = _text(data.get("source_event_id"), "source_event_id", limit=64)
    mapping = data.get(
        "mapping"
    )  # which mapping made the record (e.g. ACLED's), with the rules it applied
    values["mapping"] = (
        strict_json.dumps(mapping, sort_keys=True)
        if isinstance(mapping, dict)
        else _text(mapping, "mapping")
    )
    attributed = _key(data.get("attributed_to"), "attributed_to", required=False)
    values["attributed_to"] = attributed
    if (values["lat"] is None) != (values["lon"] is None):
        raise InputError(
            "lat and lon must be given together", field="lon" if values["lon"] is None else "lat"
        )
    return IncidentRecord(
        key=_key(data.get("id")),
        report=_report_ref(data.get("report")),
        type=_choice(data.get("type"), "type", vocabulary("incident_types")),
        outcome=_choice(
            data.get("outcome"), "outcome", vocabulary("incident_outcomes"), default="unknown"
        ),
        date=date,
        date_precision=precision,
        values=values,
    )


Record = ReportRecord | EntityRecord | RelationRecord | IncidentRecord
VALIDATORS: dict[str, Callable[[dict], Record]] = {
    "report": validate_report,
    "entity": validate_entity,
    "relation": validate_relation,
    "incident": validate_incident,
}


def deletion_key(data: dict) -> str:
    """The incident key a deletion record retires."""
    return _key(data.get("id"))


def validate(data: Any) -> Record:
    if not isinstance(data, dict):
        raise InputError(f"a record must be a JSON object, not {type(data).__name__}")
    kind = data.get("record")
    if not isinstance(kind, str) or kind not in VALIDATORS:
        raise InputError(f"{kind!r} is not one of: {', '.join(VALIDATORS)}", field="record")
    return VALIDATORS[kind](data)
