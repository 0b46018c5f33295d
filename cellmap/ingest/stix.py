"""STIX 2.1 bundles → cellmap records (the mapping of `schema/stix.yaml`, written by export/stix.py).

A bundle cellmap wrote carries its own records on each object (`x_cellmap_report`,
`x_cellmap_fragments`, `x_cellmap_incident`, `x_cellmap_relation`) and imports to exactly what was
exported. A bundle from elsewhere is read from the standard properties: `report` → a report (grade F
and the credibility of its `confidence`, by STIX 2.1 Appendix A's Admiralty Credibility scale),
`identity`/`threat-actor`/`intrusion-set`/`campaign`/`location`/`infrastructure`/`incident` → entities
of the kind the mapping names (their name, aliases, coordinates), `relationship` → a relation of the
kind whose relationship_type it is; each cites the first report whose `object_refs` hold it (else the
import's default report). Sightings, indicators, malware and the other types are not read.

Each object is first checked by the `stix2` library; a bad one is an error naming the object's
position and id. Reports come first, so that the entities may cite them. Cost O(objects).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cellmap.errors import InputError
from cellmap.ingest import jsonl
from cellmap.model import credibility_of_confidence, stix_mapping

# How far into a file the bundle's `"type": "bundle"` must appear to recognise it.
HEAD_BYTES = 4096


def is_bundle(path: Path) -> bool:
    """True when the file is a JSON object whose `type` (near the start) is `bundle`."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES).lstrip(b"\xef\xbb\xbf \t\r\n")
    compact = head.replace(b" ", b"").replace(b"\n", b"").replace(b"\t", b"").replace(b"\r", b"")
    return compact.startswith(b"{") and b'"type":"bundle"' in compact


def _objects(path: Path) -> list[dict]:
    try:
        data = jsonl.parse_line(path.read_bytes().decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(f"not a JSON bundle: {error}", file=str(path)) from None
    if not isinstance(data, dict) or data.get("type") != "bundle":
        raise InputError("not a STIX bundle", file=str(path), field="type")
    objects = data.get("objects") or []
    if not isinstance(objects, list):
        raise InputError("must be a list", file=str(path), field="objects")
    return objects


def _where(index: int, obj: Any) -> str:
    ident = obj.get("id") if isinstance(obj, dict) else None
    return f"objects[{index}]" + (f" ({ident})" if ident else "")


def _day(timestamp: str | None) -> str | None:
    return timestamp[:10] if timestamp else None


def read(path: Path, phase: int | None = None) -> Iterator[tuple[int, dict | InputError]]:
    import stix2  # a second to load: only when a bundle is read
    import stix2.exceptions

    mapping = stix_mapping()
    kinds = mapping["import_entities"]
    relation_kind = {v: k for k, v in mapping["relations"].items()}
    objects = _objects(path)
    valid: list[tuple[int, dict]] = []
    for index, obj in enumerate(objects, start=1):
        try:
            stix2.parse(obj, allow_custom=True, version="2.1")
        except (stix2.exceptions.STIXError, ValueError, TypeError, KeyError) as error:
            reason = str(error).splitlines()[0][:300]
            yield index, InputError(reason, file=str(path), line=index, field=_where(index, obj))
            continue
        valid.append((index, obj))
    key_of: dict[str, str] = {}
    report_of: dict[str, str] = {}
    for _index, obj in valid:
        if obj["type"] == "report":
            own = obj.get("x_cellmap_report")
            report_key = own["id"] if isinstance(own, dict) else obj["id"]
            for ref in obj.get("object_refs", []):
                report_of.setdefault(ref, report_key)
        key = obj.get("x_cellmap_key")
        key_of[obj["id"]] = key if isinstance(key, str) else obj["id"]
    for index, obj in valid:  # reports first: the other records cite them
        if obj["type"] != "report":
            continue
        own = obj.get("x_cellmap_report")
        if isinstance(own, dict):
            yield index, {"record": "report", **own}
            continue
        credibility = credibility_of_confidence(obj.get("confidence"))
        yield (
            index,
            {
                "record": "report",
                "id": obj["id"],
                "title": obj.get("name"),
                "date": _day(obj.get("published")),
                "kind": "other",
                "grade": f"F{credibility}",
            },
        )
    for index, obj in valid:
        kind_key = f"{obj['type']}/{obj.get('identity_class')}"
        kind = obj.get("x_cellmap_kind") or kinds.get(kind_key) or kinds.get(obj["type"])
        if obj["type"] == "relationship":
            yield index, _relation(obj, relation_kind, key_of, report_of, path, index)
        elif obj["type"] in ("report", "sighting") or kind is None:
            continue
        elif "x_cellmap_fragments" in obj or "x_cellmap_incident" in obj:
            key = key_of[obj["id"]]
            for fragment in obj.get("x_cellmap_fragments") or []:
                yield index, {"record": "entity", "id": key, "kind": kind, **fragment}
            if isinstance(obj.get("x_cellmap_incident"), dict):
                yield index, {"record": "incident", **obj["x_cellmap_incident"]}
        else:
            yield index, _foreign_entity(obj, kind, report_of.get(obj["id"]))


def _foreign_entity(obj: dict, kind: str, report: str | None) -> dict:
    props: dict[str, list[str]] = {"name": [obj["name"]]} if obj.get("name") else {}
    if obj.get("aliases"):
        props["alias"] = list(obj["aliases"])
    if "latitude" in obj and "longitude" in obj:
        props["lat"], props["lon"] = [str(obj["latitude"])], [str(obj["longitude"])]
    if obj.get("description"):
        props["notes"] = [obj["description"]]
    return {
        "record": "entity",
        "id": obj["id"],
        "kind": kind,
        "properties": props,
        "report": report,
    }


def _relation(
    obj: dict,
    relation_kind: dict[str, str],
    key_of: dict[str, str],
    report_of: dict[str, str],
    path: Path,
    index: int,
) -> dict | InputError:
    own = obj.get("x_cellmap_relation")
    if isinstance(own, dict):
        return own
    kind = relation_kind.get(obj["relationship_type"])
    if kind is None:
        return InputError(
            f"{obj['relationship_type']!r} is not one of: {', '.join(relation_kind)}",
            file=str(path),
            line=index,
            field=f"{_where(index, obj)}.relationship_type",
        )
    return {
        "record": "relation",
        "id": obj["id"],
        "kind": kind,
        "source": key_of.get(obj["source_ref"], obj["source_ref"]),
        "target": key_of.get(obj["target_ref"], obj["target_ref"]),
        "valid_from": _day(obj.get("start_time")),
        "valid_to": _day(obj.get("stop_time")),
        "report": report_of.get(obj["id"]),
    }
