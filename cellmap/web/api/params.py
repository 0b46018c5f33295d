"""Query parameters shared by the routers, validated into clear 4xx errors that name the parameter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated

from fastapi import HTTPException, Path, Query
from pydantic import Field

from cellmap import model
from cellmap.errors import InputError
from cellmap.web.security import workbench_for
from cellmap.web.workbench import Filters

# The store's keys are 64-bit signed integers (SQLite INTEGER, PostgreSQL BIGINT): a larger number
# names no record and is refused before it reaches the driver.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def bad_parameter(name: str, reason: str, status: int = 422) -> HTTPException:
    """A 4xx whose message starts with the parameter's name, as every API error here does."""
    return HTTPException(status_code=status, detail=f"{name}: {reason}")


def require_known(name: str, value: str, known: Iterable[str], what: str | None = None) -> str:
    """`value` when it is one of `known`; else a 422 naming the parameter and listing the choices."""
    choices = list(known)
    if value not in choices:
        label = what or name
        raise bad_parameter(name, f"unknown {label} {value!r} (known: {', '.join(choices)})")
    return value


# The workbench as the caller may see it; a route taking it demands at least a viewer.
workbench = workbench_for("viewer")


def parse_grade(value: str | None, name: str = "min_grade") -> str | None:
    if value in (None, ""):
        return None
    try:
        return str(model.Grade.parse(value))
    except InputError as error:
        raise bad_parameter(name, error.reason) from None


def parse_date(value: str | None, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        day, _precision = model.parse_date(value, field=name)
    except InputError as error:
        raise bad_parameter(name, error.reason) from None
    return day


def parse_kinds(value: str | None, name: str = "kinds") -> tuple[str, ...] | None:
    if not value:
        return None
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    for kind in kinds:
        require_known(name, kind, model.relation_kinds(), "relation kind")
    return kinds or None


def filters(
    kinds: str | None = Query(
        None, description="comma-separated relation kinds, e.g. membership,communication"
    ),
    start: str | None = Query(
        None, description="window start, ISO date (YYYY, YYYY-MM or YYYY-MM-DD)"
    ),
    end: str | None = Query(None, description="window end, ISO date"),
    min_grade: str | None = Query(
        None, description="minimum Admiralty grade, e.g. B3 (A-B and 1-3)"
    ),
) -> Filters:
    first, last = parse_date(start, "start"), parse_date(end, "end")
    if first and last and first > last:
        raise bad_parameter("start", f"{first} is after end {last}")
    return Filters(
        kinds=parse_kinds(kinds), start=first, end=last, min_grade=parse_grade(min_grade)
    )
