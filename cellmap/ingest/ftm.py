"""FollowTheMoney entities as JSON lines → cellmap records (docs/formats.md §2).

The schema mapping is data (`schema/ftm.yaml`). Each FtM line is checked by the `followthemoney`
model (schema and property names must exist); cellmap's extension object `"cellmap"` carries what FtM
has no place for: the report and its grade, a more specific kind (cell, sector…), role, validity, attrs.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import yaml

from cellmap.errors import InputError
from cellmap.ingest.jsonl import SKIPPED, json_lines
from cellmap.model import ftm_mapping


@cache
def ftm_property_names() -> dict[str, frozenset[str]]:
    """Every FollowTheMoney schema's property names, as `followthemoney.model` gives them (a schema's
    own, its ancestors' and the reverse properties of entity properties whose range is one of them),
    read from FtM's own model files (`followthemoney/schema/*.yaml`) with the C YAML loader. Importing
    `followthemoney` builds its whole model with the pure-Python loader: 0.9 s of CPU, more than the
    rest of a small import; a test checks the two agree on every schema."""
    package = importlib.util.find_spec("followthemoney")
    assert package is not None and package.submodule_search_locations, "followthemoney is installed"
    folder = Path(package.submodule_search_locations[0]) / "schema"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    schemata: dict[str, dict] = {}
    for path in sorted(folder.rglob("*.yaml")):
        with open(path, "rb") as handle:
            schemata.update(yaml.load(handle, Loader=loader))
    own = {name: set(spec.get("properties") or {}) for name, spec in schemata.items()}
    for spec in schemata.values():
        for prop in (spec.get("properties") or {}).values():
            reverse, target = prop.get("reverse"), prop.get("range")
            if reverse and target in own:
                own[target].add(reverse["name"])

    def lineage(name: str) -> set[str]:
        """The schema and all its ancestors."""
        found, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(schemata[current].get("extends") or [])
        return found

    return {name: frozenset().union(*(own[a] for a in lineage(name))) for name in schemata}


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def ftm_to_record(data: object) -> dict:
    """One FtM entity (as a dict) → one canonical cellmap record dict."""
    if not isinstance(data, dict):
        raise InputError("an FtM line must be a JSON object")
    schema_name = data.get("schema")
    schema = ftm_property_names().get(schema_name) if isinstance(schema_name, str) else None
    if schema is None:
        raise InputError(f"{schema_name!r} is not a FollowTheMoney schema", field="schema")
    props = data.get("properties") or {}
    if not isinstance(props, dict):
        raise InputError("must be an object", field="properties")
    for name, values in props.items():
        if name not in schema:
            raise InputError(f"{schema_name} has no property {name!r}", field=f"properties.{name}")
        if not isinstance(values, list):
            raise InputError("FtM property values must be a list", field=f"properties.{name}")
    ext = data.get("cellmap") or {}
    if not isinstance(ext, dict):
        raise InputError("must be an object", field="cellmap")
    for name in ("properties", "attrs", "incident"):
        if ext.get(name) is not None and not isinstance(ext[name], dict):
            raise InputError("must be an object", field=f"cellmap.{name}")
    report = ext.get("report", data.get("report"))
    maps = ftm_mapping()
    relation = maps["relations"].get(schema_name)
    if relation is not None:

        def part(name: str | None) -> str | None:
            """The property's first value as text (every property value is a list, checked above)."""
            values = props.get(name) if name else None
            return str(values[0]) if values else None

        attrs = {
            cm: _first(props.get(ftm, [])) for cm, ftm in (relation.get("attrs") or {}).items()
        }
        attrs.update(ext.get("attrs") or {})
        return {
            "record": "relation",
            "id": data.get("id"),
            "kind": ext.get("kind", relation["kind"]),
            "source": part(relation["source"]) or part(relation.get("source_account")),
            "target": part(relation["target"]) or part(relation.get("target_account")),
            "role": ext.get("role", part(relation.get("role"))),
            "valid_from": ext.get("valid_from", part("startDate")),
            "valid_to": ext.get("valid_to", part("endDate")),
            "end_reason": ext.get("end_reason"),
            "attrs": {k: v for k, v in attrs.items() if v is not None},
            "report": report,
        }
    kind = ext.get("kind") or maps["entities"].get(schema_name)
    if kind is None:
        raise InputError(
            f"cellmap has no kind for FtM schema {schema_name} (name one in cellmap.kind)",
            field="schema",
        )
    properties: dict[str, list] = {}
    for name, values in props.items():
        properties.setdefault(maps["properties"].get(name, name), []).extend(values)
    for name, values in (ext.get("properties") or {}).items():
        properties.setdefault(name, []).extend(values if isinstance(values, list) else [values])
    record = {
        "record": "entity",
        "id": data.get("id"),
        "kind": kind,
        "properties": properties,
        "valid_from": ext.get("valid_from"),
        "valid_to": ext.get("valid_to"),
        "report": report,
    }
    if kind == "incident" and ext.get("incident"):
        record["incident"] = ext["incident"]
    return record


@cache
def _may_be_wanted_in_phase_2() -> re.Pattern[bytes]:
    """What a line needs to hold to be a relationship or an Event: one of their schema names in
    quotes, or an escape (a name may be spelled with escapes). Any other line is neither."""
    names = sorted([*ftm_mapping()["relations"], "Event"])
    return re.compile(rb'\\|"(?:' + b"|".join(re.escape(n.encode()) for n in names) + rb')"')


def read(path: Path, phase: int | None = None) -> Iterator[tuple[int, dict | InputError]]:
    """Records of an FtM file. The importer's first pass (phase 1) needs only entities, its second (phase 2)
    only relationships and incidents: the other lines are passed on as bare markers, not converted twice.
    The second pass does not even parse a line that cannot be a relationship or an Event (its errors,
    if any, were reported by the first)."""
    relation_schemata = ftm_mapping()["relations"]
    wanted = _may_be_wanted_in_phase_2().search if phase == 2 else None
    for number, data in json_lines(path, wanted):
        if data is SKIPPED:
            yield number, {"record": "entity"}
            continue
        if isinstance(data, InputError):
            yield number, data
            continue
        if phase is not None and isinstance(data, dict) and isinstance(data.get("schema"), str):
            is_relation = data["schema"] in relation_schemata
            if (phase == 1 and is_relation) or (
                phase == 2 and not is_relation and data["schema"] != "Event"
            ):
                yield number, {"record": "relation" if is_relation else "entity"}
                continue
        try:
            record = ftm_to_record(data)
        except InputError as error:  # this line is bad; the next ones are read on
            yield number, InputError(error.reason, file=str(path), line=number, field=error.field)
            continue
        yield number, record
        if record.get("incident"):
            yield (
                number,
                {
                    "record": "incident",
                    "id": record["id"],
                    "report": record["report"],
                    **record["incident"],
                },
            )
