"""Timeline view: incidents, strikes, arrests and role changes on one time axis, filterable by cell
and event type. Every event links to its report."""

from __future__ import annotations

import json

import polars as pl
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from cellmap.web.api.params import (
    MAX_ROW_ID,
    bad_parameter,
    parse_date,
    parse_grade,
    require_known,
    workbench,
)
from cellmap.web.workbench import Filters, Workbench, jsonable_rows

router = APIRouter(tags=["timeline"])

CATEGORIES = ("incident", "strike", "arrest", "role_change", "exit")


class Event(BaseModel):
    date: str
    category: str
    label: str
    detail: str | None = None
    entity_id: int | None = None
    entity_name: str | None = None
    cell: int | None = None
    grade: str | None = None
    report_id: int | None = None
    report_key: str | None = None


class TimelineOut(BaseModel):
    events: list[Event]
    cells: list[dict]
    categories: list[str]


@router.get("/timeline", response_model=TimelineOut, summary="Dated events on one axis")
def timeline(
    categories: str | None = Query(
        None, description=f"comma-separated, from {', '.join(CATEGORIES)}"
    ),
    cell: int | None = Query(
        None, ge=1, le=MAX_ROW_ID, description="only events of this cell (entity id)"
    ),
    start: str | None = Query(None),
    end: str | None = Query(None),
    min_grade: str | None = Query(None),
    limit: int = Query(20000, ge=1, le=200000),
    wb: Workbench = Depends(workbench),
) -> TimelineOut:
    wanted = set(CATEGORIES)
    if categories:
        wanted = {c.strip() for c in categories.split(",") if c.strip()}
        for category in sorted(wanted):
            require_known("categories", category, CATEGORIES, "category")
    first, last, grade = parse_date(start, "start"), parse_date(end, "end"), parse_grade(min_grade)
    kinds = wb.kinds()
    if cell is not None and kinds.get(cell) != "cell":
        raise bad_parameter("cell", f"entity {cell} is not a cell")
    events = all_events(wb, grade)
    if first:
        events = [e for e in events if e.date >= first.isoformat()]
    if last:
        events = [e for e in events if e.date <= last.isoformat()]
    events = [e for e in events if e.category in wanted and (cell is None or e.cell == cell)]
    names = wb.names()
    cells = sorted(
        ({"id": i, "name": names.get(i, "")} for i, k in kinds.items() if k == "cell"),
        key=lambda c: str(c["name"]),
    )
    return TimelineOut(events=events[:limit], cells=cells, categories=list(CATEGORIES))


def all_events(wb: Workbench, min_grade: str | None) -> list[Event]:
    """Every dated event, sorted by date; cached per store generation and grade."""
    return wb.cached(("timeline", min_grade), lambda: _build(wb, min_grade))


def _build(wb: Workbench, min_grade: str | None) -> list[Event]:
    names, cells = wb.names(), wb.recorded_cells()
    events: list[Event] = []
    for r in jsonable_rows(wb.incidents(min_grade).filter(pl.col("date").is_not_null())):
        events.append(
            Event(
                date=r["date"],
                category="incident",
                label=f"{r.get('type')} ({r.get('outcome')})",
                detail=r.get("location"),
                entity_id=r.get("attributed_to"),
                cell=cells.get(r["attributed_to"]) if r.get("attributed_to") is not None else None,
                grade=r.get("grade"),
                report_id=r.get("report_id"),
            )
        )
    relations = wb.relations(Filters(kinds=("ct_action", "membership"), min_grade=min_grade))
    for r in jsonable_rows(relations):
        target, source = r["target_id"], r["source_id"]
        if r["kind"] == "ct_action":
            attrs = _attrs(r.get("attrs"))
            date = attrs.get("date") or r.get("valid_from")
            if not date:
                continue
            action = attrs.get("action") or "strike"
            events.append(
                Event(
                    date=str(date)[:10],
                    category="arrest" if action == "arrest" else "strike",
                    label=f"{action} on {names.get(target, target)}",
                    detail=f"outcome: {attrs.get('outcome', 'unknown')}",
                    entity_id=target,
                    cell=cells.get(target),
                    grade=r.get("grade"),
                    report_id=r.get("report_id"),
                )
            )
            continue
        if r.get("valid_from"):
            events.append(
                Event(
                    date=r["valid_from"],
                    category="role_change",
                    label=f"{names.get(source, source)} becomes {r.get('role') or 'member'}",
                    detail=f"of {names.get(target, target)}",
                    entity_id=source,
                    cell=cells.get(source),
                    grade=r.get("grade"),
                    report_id=r.get("report_id"),
                )
            )
        if r.get("valid_to") and r.get("end_reason"):
            category = "arrest" if r["end_reason"] == "arrested" else "exit"
            events.append(
                Event(
                    date=r["valid_to"],
                    category=category,
                    label=f"{names.get(source, source)}: {r['end_reason']}",
                    detail=f"{r.get('role') or 'member'} of {names.get(target, target)}",
                    entity_id=source,
                    cell=cells.get(source),
                    grade=r.get("grade"),
                    report_id=r.get("report_id"),
                )
            )
    keys = wb.report_index()
    for event in events:
        if event.report_id is not None and event.report_id in keys:
            event.report_key = keys[event.report_id].get("report_key")
        if event.entity_id is not None:
            event.entity_name = names.get(event.entity_id)
    events.sort(key=lambda e: (e.date, e.category, e.label))
    return events


def _attrs(value) -> dict:
    if isinstance(value, dict):
        return value
    try:
        return json.loads(value) if value else {}
    except (TypeError, json.JSONDecodeError):
        return {}


class MonthCount(BaseModel):
    month: str  # YYYY-MM
    incidents: int


class HistogramOut(BaseModel):
    months: list[MonthCount]


@router.get(
    "/timeline/histogram",
    response_model=HistogramOut,
    summary="Incidents per month, every month from the first to the last (for the time slider)",
)
def histogram(
    min_grade: str | None = Query(None, description="minimum Admiralty grade"),
    wb: Workbench = Depends(workbench),
) -> HistogramOut:
    grade = parse_grade(min_grade)

    def build() -> HistogramOut:
        dates = wb.incidents(grade).filter(pl.col("date").is_not_null()).select("date")
        if dates.height == 0:
            return HistogramOut(months=[])
        counts = dates.group_by(pl.col("date").dt.strftime("%Y-%m").alias("month")).len()
        found = dict(counts.iter_rows())
        first, last = min(found), max(found)
        months, (year, month) = [], map(int, first.split("-"))
        while f"{year:04d}-{month:02d}" <= last:
            key = f"{year:04d}-{month:02d}"
            months.append(MonthCount(month=key, incidents=int(found.get(key, 0))))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return HistogramOut(months=months)

    return wb.cached(("incident_histogram", grade), build)
