"""Facts with their sources: relation rows and report ids turned into API models with report links."""

from __future__ import annotations

import json

import polars as pl

from cellmap.web.api.schemas import RelationOut, ReportRef
from cellmap.web.workbench import Workbench, jsonable_rows


def report_ref(workbench: Workbench, report_id: int | None) -> ReportRef | None:
    if report_id is None:
        return None
    row = workbench.report_index().get(report_id)
    if row is None:
        return ReportRef(report_id=report_id)
    return ReportRef(**{k: row.get(k) for k in ReportRef.model_fields})


def relations_out(workbench: Workbench, relations: pl.DataFrame) -> list[RelationOut]:
    names = workbench.names()
    out = []
    for row in jsonable_rows(relations):
        attrs = row.get("attrs")
        if isinstance(attrs, str):
            try:
                attrs = json.loads(attrs) if attrs else {}
            except json.JSONDecodeError:
                attrs = {"raw": attrs}
        out.append(
            RelationOut(
                relation_id=row["relation_id"],
                kind=row["kind"],
                source_id=row["source_id"],
                target_id=row["target_id"],
                source_name=names.get(row["source_id"]),
                target_name=names.get(row["target_id"]),
                role=row.get("role"),
                valid_from=row.get("valid_from"),
                valid_to=row.get("valid_to"),
                end_reason=row.get("end_reason"),
                attrs=attrs or {},
                grade=row.get("grade"),
                report=report_ref(workbench, row.get("report_id")),
            )
        )
    return out
