"""Cases: an analyst's named working set of a view (filters, expanded groups, pinned positions,
selection, notes on nodes and links), saved in the store with its author and reopened later. Every
save is kept as a version (`workbench_case_version`), so nothing an analyst saved is overwritten.

A case carries the compartments its last author held (its state was made from what they show): it
is listed, opened and saved again only by callers holding all of them (`views.cases`); for anyone
else it does not exist (404, as for an id never used)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import insert, select, update

from cellmap import strict_json
from cellmap.auth import Identity
from cellmap.store import inserted_id, views
from cellmap.store import tables as t
from cellmap.web.api.params import RowIdPath, bad_parameter, require_known, workbench
from cellmap.web.security import allow, workbench_for
from cellmap.web.workbench import Workbench

router = APIRouter(tags=["cases"])

VIEWS = ("network", "map", "timeline")
MAX_STATE_BYTES = 1_000_000  # a case is a working set, not a data store


class CaseIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=200)
    view: str = Field("network", max_length=32)
    state: dict[str, Any]  # the author is the logged-in user, never a field the client sends


class CaseSummary(BaseModel):
    id: int
    name: str
    view: str
    author: str
    compartments: list[str]  # who may read it: holders of every one of these
    version: int
    created_at: str
    updated_at: str


class CaseOut(CaseSummary):
    state: dict[str, Any]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _checked_state(body: CaseIn) -> str:
    require_known("view", body.view, VIEWS)
    text = strict_json.dumps(body.state, ensure_ascii=False)
    if len(text.encode()) > MAX_STATE_BYTES:
        raise bad_parameter(
            "state", f"is {len(text.encode()):,} bytes; at most {MAX_STATE_BYTES:,}"
        )
    return text


def _summary(row) -> CaseSummary:
    return CaseSummary(**_fields(row))


def _out(row) -> CaseOut:
    return CaseOut(**_fields(row), state=json.loads(row.state))


def _fields(row) -> dict:
    return dict(
        id=row.id,
        name=row.name,
        view=row.view,
        author=row.author,
        compartments=[c for c in row.compartments.split(",") if c],
        version=row.version,
        created_at=row.created_at.isoformat(),
        updated_at=row.updated_at.isoformat(),
    )


@router.get("/cases", response_model=list[CaseSummary], summary="Saved cases, newest first")
def list_cases(
    view: str | None = Query(None, max_length=32, description="only the cases of this view"),
    wb: Workbench = Depends(workbench),
) -> list[CaseSummary]:
    with wb.store.session() as conn:
        return [_summary(row) for row in views.cases(conn, view=view or None)]


@router.get("/cases/{case_id}", response_model=CaseOut, summary="One saved case with its state")
def get_case(case_id: RowIdPath, wb: Workbench = Depends(workbench)) -> CaseOut:
    with wb.store.session() as conn:
        found = views.cases(conn, case_id=case_id, with_state=True)
    if not found:
        raise _no_case(case_id)
    return _out(found[0])


def _no_case(case_id: int) -> HTTPException:
    return HTTPException(status_code=404, detail=f"case_id: no case {case_id}")


def _holdings(conn, wb: Workbench) -> str:
    """The compartments a case saved now carries: those its author holds (the operator: all)."""
    return views.joined_compartments(
        views.known_compartments(conn) if wb.visible is None else wb.visible
    )


@router.post("/cases", response_model=CaseOut, status_code=201, summary="Save a new case")
def create_case(
    body: CaseIn,
    wb: Workbench = Depends(workbench_for("analyst")),
    caller: Identity = Depends(allow("analyst")),
) -> CaseOut:
    state, now = _checked_state(body), _now()
    with wb.store.transaction() as conn:
        case_id = inserted_id(
            conn.execute(
                insert(t.workbench_case).values(
                    name=body.name,
                    view=body.view,
                    author=caller.name,
                    state=state,
                    compartments=_holdings(conn, wb),
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
        )
        _record_version(conn, case_id, 1, caller.name, state, now)
    return get_case(case_id, wb)


@router.put("/cases/{case_id}", response_model=CaseOut, summary="Save a case again (a new version)")
def update_case(
    case_id: RowIdPath,
    body: CaseIn,
    wb: Workbench = Depends(workbench_for("analyst")),
    caller: Identity = Depends(allow("analyst")),
) -> CaseOut:
    state, now = _checked_state(body), _now()
    with wb.store.transaction() as conn:
        c = t.workbench_case.c
        row = conn.execute(select(c.version, c.compartments).where(c.id == case_id)).first()
        if row is None or not views.may_read_case(row.compartments, wb.visible):
            raise _no_case(case_id)
        version = row.version + 1
        conn.execute(
            update(t.workbench_case)
            .where(t.workbench_case.c.id == case_id)
            .values(
                name=body.name,
                view=body.view,
                author=caller.name,
                state=state,
                # the new author holds every compartment the case carried: it only ever widens
                compartments=_holdings(conn, wb),
                version=version,
                updated_at=now,
            )
        )
        _record_version(conn, case_id, version, caller.name, state, now)
    return get_case(case_id, wb)


def _record_version(conn, case_id: int, version: int, author: str, state: str, now) -> None:
    conn.execute(
        insert(t.workbench_case_version).values(
            case_id=case_id, version=version, author=author, state=state, saved_at=now
        )
    )
