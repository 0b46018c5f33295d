"""Review view: the entity-resolution queue (candidate pairs with their evidence) and the analyst's
judgement on each pair (same / not same / unsure), the second of the two acts that write."""

from __future__ import annotations

from typing import Literal

import polars as pl
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from cellmap.web import analysis
from cellmap.web.api.network import entity_hit
from cellmap.web.api.params import bad_parameter, workbench
from cellmap.web.workbench import Workbench

router = APIRouter(tags=["review"])


class Side(BaseModel):
    id: int
    name: str
    kind: str
    names: list[str]
    properties: dict[str, list[str]]


class Candidate(BaseModel):
    left: Side
    right: Side
    score: float | None
    reasons: dict | list | None = None


class QueueOut(BaseModel):
    candidates: list[Candidate]
    source: str
    remaining: int


class JudgementIn(BaseModel):
    left_id: int
    right_id: int
    decision: Literal["same", "not_same", "unsure"]
    author: str = Field("analyst", min_length=1, max_length=128)


class JudgementOut(BaseModel):
    left_id: int
    right_id: int
    decision: str
    author: str


@router.get(
    "/review/queue", response_model=QueueOut, summary="Candidate pairs awaiting a judgement"
)
def queue(limit: int = Query(20, ge=1, le=500), wb: Workbench = Depends(workbench)) -> QueueOut:
    pairs, source = analysis.review_queue(wb)
    judged = judged_pairs(wb)
    pending = [
        p
        for p in pairs
        if (min(p["left_id"], p["right_id"]), max(p["left_id"], p["right_id"])) not in judged
    ]
    chosen = pending[:limit]
    ids = sorted({p["left_id"] for p in chosen} | {p["right_id"] for p in chosen})
    sides = describe(wb, ids)
    return QueueOut(
        candidates=[
            Candidate(
                left=sides[p["left_id"]],
                right=sides[p["right_id"]],
                score=p.get("score"),
                reasons=p.get("reasons"),
            )
            for p in chosen
            if p["left_id"] in sides and p["right_id"] in sides
        ],
        source=source,
        remaining=len(pending),
    )


def judged_pairs(wb: Workbench) -> set[tuple[int, int]]:
    """Pairs with a decided (same / not same) latest judgement; unsure pairs stay in the queue."""
    from cellmap.store import views

    with wb.store.session() as conn:
        latest = views.latest_judgements(conn)
    decided = latest.filter(pl.col("decision") != "unsure")
    return {(min(a, b), max(a, b)) for a, b in decided.select("left_id", "right_id").iter_rows()}


def describe(wb: Workbench, ids: list[int]) -> dict[int, Side]:
    """Each record's names and other properties (unresolved: the record itself, not its cluster)."""
    entities = wb.entities(resolved=False).filter(pl.col("entity_id").is_in(ids))
    props = wb.properties(entity_ids=ids)
    values: dict[int, dict[str, list[str]]] = {}
    for entity_id, prop, value in props.select("entity_id", "prop", "value").iter_rows():
        found = values.setdefault(entity_id, {}).setdefault(prop, [])
        if value not in found:
            found.append(value)
    out = {}
    for row in entities.iter_rows(named=True):
        found = values.get(row["entity_id"], {})
        names = [v for p in ("name", "alias", "kunya", "nisba", "laqab") for v in found.get(p, [])]
        out[row["entity_id"]] = Side(
            id=row["entity_id"],
            name=row["name"] or "",
            kind=row["kind"],
            names=names,
            properties={p: v for p, v in found.items()},
        )
    return out


@router.post(
    "/review/judgements", response_model=JudgementOut, summary="Record a judgement on a pair"
)
def judge(body: JudgementIn, wb: Workbench = Depends(workbench)) -> JudgementOut:
    if body.left_id == body.right_id:
        raise bad_parameter("right_id", "is the same record as left_id")
    for name, entity_id in (("left_id", body.left_id), ("right_id", body.right_id)):
        entity_hit(wb, entity_id, name)  # 404 naming the parameter when unknown
    analysis.record_judgement(wb, body.left_id, body.right_id, body.decision, body.author)
    wb.changed(records=False)
    return JudgementOut(**body.model_dump())
