"""Review view: the entity-resolution queue (candidate pairs with their evidence) and the analyst's
judgement on each pair (same / not same / unsure), the second of the two acts that write.

The queue is scored once per import (in the background when the workbench starts, see
`warm_queue`), never per request: a page of the queue filters the scored pairs by the latest
judgements and describes the pairs of that page only. Undoing a judgement appends a new judgement
that restores the pair's previous state; nothing is deleted."""

from __future__ import annotations

import functools
import threading
from importlib import resources
from typing import Literal

import polars as pl
import yaml
from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from cellmap.auth import Identity
from cellmap.web import analysis
from cellmap.web.api.imports import _compartment
from cellmap.web.api.params import RowId, RowIdPath, bad_parameter, workbench
from cellmap.web.security import allow, workbench_for
from cellmap.web.workbench import Workbench

router = APIRouter(tags=["review"])

NAME_PROPS = ("name", "alias", "kunya", "nisba", "laqab")


class Evidence(BaseModel):
    report_id: int
    report_key: str
    grade: str | None


class Side(BaseModel):
    id: int
    name: str
    latin: str | None = None  # the name transliterated, when it is written in Arabic script
    kind: str
    names: list[str]
    properties: dict[str, list[str]]
    reports: list[Evidence] = []  # the reports this record's statements come from


class Reason(BaseModel):
    text: str  # plain words
    weight: float | None = None  # log-odds added (> 0 for "same")
    supports: bool  # True: speaks for "same"; False: against


class Candidate(BaseModel):
    left: Side
    right: Side
    score: float | None
    reasons: dict | list | None = None
    plain: list[Reason] = []


class QueueOut(BaseModel):
    candidates: list[Candidate]
    source: str
    remaining: int  # pending pairs in all
    offset: int = 0
    ready: bool = True  # False while the queue is still being scored (first start)


class JudgementIn(BaseModel):
    left_id: RowId
    right_id: RowId
    decision: Literal["same", "not_same", "unsure"]
    compartment: str | None = Field(
        None, max_length=64, description="who may see the judgement: a compartment you hold"
    )


class JudgementOut(BaseModel):
    id: int | None = None
    left_id: int
    right_id: int
    decision: str
    author: str
    undoes: int | None = None  # the judgement this one undid
    compartment: str | None = None


class UndoIn(BaseModel):
    """Nothing to send: the author is the logged-in user."""


_warming: dict[int, threading.Thread] = {}
MAX_WARMED = 4  # compartment sets scored at start, one after another (seconds each on the demo)


def holdings_to_warm(wb: Workbench) -> list[frozenset[str]]:
    """The compartment sets of the store's active users, the most shared first (at most
    MAX_WARMED): a queue is scored per set of compartments read, so these are the queues the
    users will open (a store without accounts: none, as no one can log in)."""
    from collections import Counter

    from cellmap.auth import accounts

    with wb.store.base.session() as conn:
        users = [u for u in accounts.list_users(conn) if not u.disabled]
    if not users:
        return []
    shared = Counter(frozenset(u.compartments) for u in users)
    return [held for held, _users in shared.most_common(MAX_WARMED)]


def warm_queue(wb: Workbench) -> threading.Thread:
    """Score the candidate pairs in a background thread, so the first page is ready when an analyst
    opens the review (scoring the demo takes seconds; a page then takes milliseconds): the queues of
    the users' compartment sets (`holdings_to_warm`), as each caller's workbench will ask for them."""

    def warm():
        for held in holdings_to_warm(wb):
            analysis.review_queue(wb.for_caller(held))

    thread = threading.Thread(target=warm, daemon=True)
    _warming[wb.caches_id] = thread
    thread.start()
    return thread


def _still_warming(wb: Workbench) -> bool:
    thread = _warming.get(wb.caches_id)
    return thread is not None and thread.is_alive()


@router.get(
    "/review/queue", response_model=QueueOut, summary="Candidate pairs awaiting a judgement"
)
def queue(
    limit: int = Query(20, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000, description="skip this many pending pairs"),
    wait: bool = Query(
        True, description="wait for the first scoring instead of answering 'not ready'"
    ),
    wb: Workbench = Depends(workbench),
) -> QueueOut:
    if not wait and _still_warming(wb):
        return QueueOut(candidates=[], source="scoring", remaining=0, ready=False)
    pairs, source = analysis.review_queue(wb)
    judged = judged_pairs(wb)
    pending = [
        p
        for p in pairs
        if (min(p["left_id"], p["right_id"]), max(p["left_id"], p["right_id"])) not in judged
    ]
    chosen = pending[offset : offset + limit]
    ids = sorted({p["left_id"] for p in chosen} | {p["right_id"] for p in chosen})
    sides = describe(wb, ids)
    return QueueOut(
        candidates=[
            Candidate(
                left=sides[p["left_id"]],
                right=sides[p["right_id"]],
                score=p.get("score"),
                reasons=p.get("reasons"),
                plain=plain_reasons(p.get("reasons")),
            )
            for p in chosen
            if p["left_id"] in sides and p["right_id"] in sides
        ],
        source=source,
        remaining=len(pending),
        offset=offset,
    )


def judged_pairs(wb: Workbench) -> set[tuple[int, int]]:
    """Pairs with a decided (same / not same) latest judgement; unsure pairs stay in the queue."""
    from cellmap.store import views

    with wb.store.session() as conn:
        latest = views.latest_judgements(conn)
    decided = latest.filter(pl.col("decision") != "unsure")
    return {(min(a, b), max(a, b)) for a, b in decided.select("left_id", "right_id").iter_rows()}


def describe(wb: Workbench, ids: list[int]) -> dict[int, Side]:
    """Each record's names, other properties and reports (unresolved: the record itself, not its
    cluster); names in Arabic script get their transliteration."""
    from cellmap.resolve.names import arabic_to_latin, has_arabic

    entities = records_of(wb, ids)
    props = wb.properties(entity_ids=ids)
    values: dict[int, dict[str, list[str]]] = {}
    reports: dict[int, dict[int, Evidence]] = {}
    for row in props.iter_rows(named=True):
        found = values.setdefault(row["entity_id"], {}).setdefault(row["prop"], [])
        if row["value"] not in found:
            found.append(row["value"])
        grade = f"{row['reliability']}{row['credibility']}" if row.get("reliability") else None
        reports.setdefault(row["entity_id"], {}).setdefault(
            row["report_id"],
            Evidence(
                report_id=row["report_id"], report_key=row.get("report_key") or "", grade=grade
            ),
        )
    out = {}
    for row in entities.iter_rows(named=True):
        claims = values.get(row["entity_id"], {})
        name = row["name"] or ""
        out[row["entity_id"]] = Side(
            id=row["entity_id"],
            name=name,
            latin=arabic_to_latin(name) if has_arabic(name) else None,
            kind=row["kind"],
            names=[v for p in NAME_PROPS for v in claims.get(p, [])],
            properties=dict(claims),
            reports=list(reports.get(row["entity_id"], {}).values())[:20],
        )
    return out


def records_of(wb: Workbench, ids: list[int]) -> pl.DataFrame:
    """The records `ids` (entity_id, kind, name) as the caller may see them, unresolved: a judgement
    drops the workbench's cached frames, and re-reading every entity per pair would cost more than
    the pair."""
    from cellmap.store import views

    with wb.store.session() as conn:
        frame = views.entities(conn, resolved=False, ids=ids)
    return frame.select("entity_id", "kind", "name")


@functools.cache
def _vocabulary() -> dict:
    text = resources.files("cellmap.schema").joinpath("review_reasons.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def plain_reasons(reasons: dict | None) -> list[Reason]:
    """The matcher's reasons in words: name agreement, attributes by the log-odds they added
    (strongest first), and the name features worth saying."""
    if not isinstance(reasons, dict):
        return []
    words = _vocabulary()
    out: list[Reason] = []
    name_score = reasons.get("name_score")
    if isinstance(name_score, (int, float)):
        out.append(
            Reason(
                text=f"names alike at {name_score:.0%} after spelling variants",
                supports=name_score >= 0.5,
            )
        )
    out += [Reason(text=f"agree: {a}", supports=True) for a in reasons.get("agree") or []]
    out += [
        Reason(text=f"no counterpart: {d}", supports=False) for d in reasons.get("differ") or []
    ]
    attributes = reasons.get("attributes") or {}
    for attribute, weight in sorted(attributes.items(), key=lambda kv: -abs(kv[1] or 0)):
        known = words["attributes"].get(attribute)
        if not weight or known is None:
            continue
        out.append(
            Reason(
                text=known["for"] if weight > 0 else known["against"],
                weight=round(float(weight), 2),
                supports=weight > 0,
            )
        )
    features = reasons.get("features") or {}
    for feature, text in words["features"].items():
        if features.get(feature) == 1:
            out.append(Reason(text=text, supports=True))
    epithet = reasons.get("unit_epithet")
    if isinstance(epithet, dict) and {"part", "persons_in_unit", "unit"} <= set(epithet):
        out.append(Reason(text=words["unit_epithet"].format(**epithet), supports=True))
    return out


@router.post(
    "/review/judgements", response_model=JudgementOut, summary="Record a judgement on a pair"
)
def judge(
    body: JudgementIn,
    wb: Workbench = Depends(workbench_for("reviewer")),
    caller: Identity = Depends(allow("reviewer")),
) -> JudgementOut:
    """The author is the logged-in user, never a value the client sends."""
    compartment = _compartment(body.compartment, caller)
    if body.left_id == body.right_id:
        raise bad_parameter("right_id", "is the same record as left_id")
    found = set(records_of(wb, [body.left_id, body.right_id])["entity_id"].to_list())
    for name, entity_id in (("left_id", body.left_id), ("right_id", body.right_id)):
        if entity_id not in found:
            raise HTTPException(status_code=404, detail=f"{name}: no entity with id {entity_id}")
    judgement_id = analysis.record_judgement(
        wb, body.left_id, body.right_id, body.decision, caller.name, compartment=compartment
    )
    wb.changed(records=False)
    return JudgementOut(
        id=judgement_id,
        left_id=body.left_id,
        right_id=body.right_id,
        decision=body.decision,
        author=caller.name,
        compartment=compartment,
    )


@router.post(
    "/review/judgements/{judgement_id}/undo",
    response_model=JudgementOut,
    summary="Undo a judgement: a new judgement restoring the pair's previous state (nothing deleted)",
)
def undo(
    judgement_id: RowIdPath,
    body: UndoIn | None = None,
    wb: Workbench = Depends(workbench_for("reviewer")),
    caller: Identity = Depends(allow("reviewer")),
) -> JudgementOut:
    from cellmap.store import tables as t

    j = t.judgement.c
    with wb.store.session() as conn:
        row = conn.execute(
            select(j.left_id, j.right_id, j.compartment).where(j.id == judgement_id)
        ).first()
        if row is None or row.compartment not in caller.compartments:
            raise HTTPException(
                status_code=404, detail=f"judgement_id: no judgement {judgement_id}"
            )
        history = conn.execute(
            select(j.id, j.decision)
            .where(j.left_id == row.left_id, j.right_id == row.right_id)
            .order_by(j.id)
        ).all()
    if history[-1].id != judgement_id:
        raise bad_parameter(
            "judgement_id",
            f"judgement {judgement_id} is no longer the pair's latest (judgement "
            f"{history[-1].id} came after it): undo that one first",
            409,
        )
    before = [h.decision for h in history if h.id < judgement_id]
    decision = before[-1] if before else "unsure"  # a pair never judged goes back to the queue
    new_id = analysis.record_judgement(
        wb,
        row.left_id,
        row.right_id,
        decision,
        caller.name,
        reasons={"undoes": judgement_id},
        compartment=row.compartment,
    )
    wb.changed(records=False)
    return JudgementOut(
        id=new_id,
        left_id=row.left_id,
        right_id=row.right_id,
        decision=decision,
        author=caller.name,
        undoes=judgement_id,
    )
