"""One case as the analyses read it: the store's views as frames, taken once from an open connection.

The incident and finance analyses, their CLIs, the summary and the workbench all start from `CaseFrames`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection

from cellmap.errors import InputError
from cellmap.store import views


@dataclass
class CaseFrames:
    """incidents, entities, properties, relations: the store's views (see `cellmap.store.views`)."""

    incidents: pl.DataFrame
    entities: pl.DataFrame
    properties: pl.DataFrame
    relations: pl.DataFrame

    @classmethod
    def from_connection(cls, conn: Connection, min_grade: str | None = None) -> CaseFrames:
        return cls(
            incidents=views.incidents(conn, min_grade=min_grade),
            entities=views.entities(conn),
            properties=views.properties(conn, min_grade=min_grade),
            relations=views.relations(conn, min_grade=min_grade),
        )

    def names(self) -> dict[int, str]:
        """canonical entity id -> display name ('name (key)')."""
        first = self.entities.sort("entity_id").unique(
            "canonical_id", keep="first", maintain_order=True
        )
        return {
            i: f"{n or '?'} ({k})"
            for i, n, k in first.select("canonical_id", "name", "key").iter_rows()
        }

    def ids_of_kind(self, kind: str) -> list[int]:
        return sorted(set(self.entities.filter(pl.col("kind") == kind)["canonical_id"].to_list()))

    def resolve_entity(self, text: str) -> int:
        """An entity's canonical id from its numeric id or its key (as in the imported files)."""
        if text.isdigit():
            match = self.entities.filter(pl.col("entity_id") == int(text))
        else:
            match = self.entities.filter(pl.col("key") == text)
        if match.is_empty():
            raise InputError(f"no entity with id or key {text!r}", field="entity")
        return int(match["canonical_id"][0])
