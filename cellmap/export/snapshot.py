"""The store as plain records for exporters: reports, entity fragments, relations, incident versions.

Every exporter writes the same snapshot; each item keeps its report so that provenance survives.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection

from cellmap.model import incident_fields
from cellmap.store import views


@dataclass
class Snapshot:
    reports: pl.DataFrame
    entities: pl.DataFrame
    properties: pl.DataFrame
    relations: pl.DataFrame
    incidents: pl.DataFrame

    @classmethod
    def read(cls, conn: Connection) -> Snapshot:
        return cls(
            reports=views.reports(conn),
            entities=views.entities(conn, resolved=False),
            properties=views.properties(conn),
            relations=views.relations(conn, resolved=False),
            incidents=views.incidents(conn, include_deleted=True, resolved=False),
        )

    def key_of(self) -> dict[int, str]:
        return dict(self.entities.select("entity_id", "key").iter_rows())

    def kind_of(self) -> dict[int, str]:
        return dict(self.entities.select("entity_id", "kind").iter_rows())

    def report_records(self) -> dict[str, dict]:
        """Report key → the report as a cellmap report object."""
        out = {}
        for row in self.reports.iter_rows(named=True):
            out[row["report_key"]] = {
                "id": row["report_key"],
                "title": row["title"],
                "kind": row["kind"],
                "date": row["date"].isoformat() if row["date"] else None,
                "source": row["source"],
                "grade": row["grade"],
                "synthetic": row["synthetic"],
            }
        return out

    def fragments(
        self,
    ) -> Iterator[tuple[str, str, str | None, dict[str, list[str]], object, object]]:
        """(entity key, kind, report key, properties, valid_from, valid_to) per entity and report."""
        key_of, kind_of = self.key_of(), self.kind_of()
        grouped = self.properties.group_by(
            ["entity_id", "report_key", "valid_from", "valid_to"], maintain_order=True
        )
        seen: set[int] = set()
        for (entity_id, report_key, valid_from, valid_to), frame in grouped:
            props: dict[str, list[str]] = {}
            for prop, value in frame.select("prop", "value").iter_rows():
                props.setdefault(prop, []).append(value)
            seen.add(entity_id)
            yield key_of[entity_id], kind_of[entity_id], report_key, props, valid_from, valid_to
        incident_entities = set(self.incidents["incident_id"].to_list())
        for entity_id, key, kind in self.entities.select("entity_id", "key", "kind").iter_rows():
            if entity_id not in seen and entity_id not in incident_entities:
                yield key, kind, None, {}, None, None

    def relation_records(self) -> Iterator[dict]:
        key_of = self.key_of()
        for row in self.relations.iter_rows(named=True):
            yield {
                "record": "relation",
                "id": row["key"],
                "kind": row["kind"],
                "source": key_of[row["source_id"]],
                "target": key_of[row["target_id"]],
                "role": row["role"],
                "valid_from": _iso(row["valid_from"]),
                "valid_to": _iso(row["valid_to"]),
                "end_reason": row["end_reason"],
                "attrs": json.loads(row["attrs"]) if row["attrs"] else {},
                "report": row["report_key"],
            }

    def incident_records(self) -> Iterator[dict]:
        key_of = self.key_of()
        for row in self.incidents.iter_rows(named=True):
            record = {
                "record": "incident",
                "id": row["key"],
                "report": row["report_key"],
                "date": _iso(row["date"]),
            }
            for name in incident_fields():
                if row[name] is not None:
                    record[name] = row[name]
            if row["source_codes"]:
                record["source_codes"] = json.loads(row["source_codes"])
            if row["attributed_to"] is not None:
                record["attributed_to"] = key_of[row["attributed_to"]]
            yield record


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
