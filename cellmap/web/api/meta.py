"""Meta: what the store holds at a glance, the synthetic-data flag, the model's vocabularies."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from cellmap import model
from cellmap.web.api.params import workbench
from cellmap.web.workbench import Workbench

router = APIRouter(tags=["meta"])

BANNER = "SYNTHETIC DATA — fictional persons"


class StatusOut(BaseModel):
    synthetic: bool
    banner: str | None
    counts: dict[str, int]
    entity_kinds: list[str]
    relation_kinds: list[str]
    incident_types: list[str]
    incident_outcomes: list[str]
    generation: int


@router.get(
    "/status", response_model=StatusOut, summary="Store counts, synthetic flag, vocabularies"
)
def status(wb: Workbench = Depends(workbench)) -> StatusOut:
    synthetic = wb.synthetic()
    return StatusOut(
        synthetic=synthetic,
        banner=BANNER if synthetic else None,
        counts={
            "reports": wb.reports().height,
            "entities": wb.canonical_entities().height,
            "relations": wb.relations().height,
            "incidents": wb.incidents().height,
        },
        entity_kinds=list(model.entity_kinds()),
        relation_kinds=list(model.relation_kinds()),
        incident_types=model.vocabulary("incident_types"),
        incident_outcomes=model.vocabulary("incident_outcomes"),
        generation=wb.generation,
    )
