"""Entity page: every property and relationship with its reports, dates and grades; conflicting
claims side by side; aliases and spellings; role history; the entity's measures."""

from __future__ import annotations

import polars as pl
from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from cellmap.web import analysis
from cellmap.web.api.network import EntityHit, entity_hit
from cellmap.web.api.params import RowIdPath, workbench
from cellmap.web.api.provenance import relations_out, report_ref
from cellmap.web.api.schemas import RelationOut, ReportRef
from cellmap.web.graphs import link_chart
from cellmap.web.workbench import Filters, Workbench, jsonable_rows

router = APIRouter(tags=["entities"])

# Properties that hold one true value at a time: two different values from different reports conflict.
# Names, aliases and notes legitimately have many values, so they are listed, not flagged.
MULTI_VALUED = {
    "name",
    "alias",
    "kunya",
    "nisba",
    "laqab",
    "notes",
    "first_name",
    "father_name",
    "family_name",
}
NAME_PROPS = ("name", "alias", "kunya", "nisba", "laqab")


class Claim(BaseModel):
    prop: str
    value: str
    valid_from: str | None = None
    valid_to: str | None = None
    grade: str | None = None
    report: ReportRef | None = None


class Conflict(BaseModel):
    prop: str
    claims: list[Claim]


class RolePeriod(BaseModel):
    role: str | None
    organisation_id: int
    organisation: str | None
    valid_from: str | None
    valid_to: str | None
    end_reason: str | None
    grade: str | None
    report: ReportRef | None


class EntityOut(BaseModel):
    entity: EntityHit
    records: list[EntityHit]
    names: list[Claim]
    properties: list[Claim]
    conflicts: list[Conflict]
    relations: list[RelationOut]
    roles: list[RolePeriod]
    measures: dict[str, float]
    incident: dict | None = None  # the incident's latest recorded version, for an incident entity


@router.get(
    "/entities/{entity_id}", response_model=EntityOut, summary="Everything known about one entity"
)
def entity(entity_id: RowIdPath, wb: Workbench = Depends(workbench)) -> EntityOut:
    head = entity_hit(wb, entity_id, "entity_id")
    records = wb.entities().filter(pl.col("canonical_id") == head.id)
    record_ids = records["entity_id"].to_list() or [head.id]
    props = wb.properties(entity_ids=record_ids)
    claims = [_claim(wb, row) for row in jsonable_rows(props.sort(["prop", "value"]))]
    conflicts = []
    for prop in sorted({c.prop for c in claims} - MULTI_VALUED):
        of_prop = [c for c in claims if c.prop == prop]
        if len({c.value.strip().lower() for c in of_prop}) > 1:
            conflicts.append(Conflict(prop=prop, claims=of_prop))
    relations = wb.relations().filter(
        (pl.col("source_id") == head.id) | (pl.col("target_id") == head.id)
    )
    relations = relations.sort(["valid_from", "relation_id"], nulls_last=True)
    names = wb.names()
    roles = [
        RolePeriod(
            role=row.get("role"),
            organisation_id=row["target_id"],
            organisation=names.get(row["target_id"]),
            valid_from=row.get("valid_from"),
            valid_to=row.get("valid_to"),
            end_reason=row.get("end_reason"),
            grade=row.get("grade"),
            report=report_ref(wb, row.get("report_id")),
        )
        for row in jsonable_rows(
            relations.filter((pl.col("kind") == "membership") & (pl.col("source_id") == head.id))
        )
    ]
    chart = link_chart(wb, Filters())
    measures = {}
    vertex = chart.vertex(head.id)
    if vertex is not None:
        measures = {name: analysis.measure(wb, chart, name)[vertex] for name in analysis.MEASURES}
    incident = None
    if head.kind == "incident":
        found = wb.incidents().filter(pl.col("incident_id") == head.id)
        if found.height:
            incident = jsonable_rows(
                found.drop("deleted", "version_id", "mapping", "source_codes", strict=False)
            )[0]
            incident["report"] = report_ref(wb, incident.get("report_id"))
    return EntityOut(
        entity=head,
        incident=incident,
        records=[
            EntityHit(id=r["entity_id"], name=r["name"] or "", kind=r["kind"])
            for r in records.iter_rows(named=True)
        ],
        names=[c for c in claims if c.prop in NAME_PROPS],
        properties=[c for c in claims if c.prop not in NAME_PROPS],
        conflicts=conflicts,
        relations=relations_out(wb, relations),
        roles=roles,
        measures=measures,
    )


def _claim(wb: Workbench, row: dict) -> Claim:
    grade = None
    if row.get("reliability") and row.get("credibility") is not None:
        grade = f"{row['reliability']}{row['credibility']}"
    return Claim(
        prop=row["prop"],
        value=str(row["value"]),
        valid_from=row.get("valid_from"),
        valid_to=row.get("valid_to"),
        grade=grade,
        report=report_ref(wb, row.get("report_id")),
    )


class ReportOut(BaseModel):
    report: ReportRef
    relations: list[RelationOut]
    incidents: int


@router.get(
    "/reports/{report_id}", response_model=ReportOut, summary="One report and the facts it supports"
)
def report(report_id: RowIdPath, wb: Workbench = Depends(workbench)) -> ReportOut:
    if report_id not in wb.report_index():
        raise HTTPException(status_code=404, detail=f"report_id: no report with id {report_id}")
    relations = wb.relations().filter(pl.col("report_id") == report_id).head(500)
    incidents = wb.incidents().filter(pl.col("report_id") == report_id).height
    return ReportOut(
        report=report_ref(wb, report_id),
        relations=relations_out(wb, relations),
        incidents=incidents,
    )
