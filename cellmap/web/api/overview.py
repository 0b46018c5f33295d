"""Overview: what is in the store, the three incident trends side by side, the latest strikes,
the key players and the runway."""

from __future__ import annotations

from typing import Annotated

import polars as pl
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from cellmap import model as schema
from cellmap.auth import Identity
from cellmap.web import analysis
from cellmap.web.api.params import bad_parameter, workbench
from cellmap.web.api.provenance import relations_out
from cellmap.web.api.schemas import Count, RelationOut, Series
from cellmap.web.security import allow, heavy
from cellmap.web.workbench import Filters, Workbench

router = APIRouter(tags=["overview"])


class KeyPlayer(BaseModel):
    id: int
    name: str
    kind: str | None


class OverviewOut(BaseModel):
    entities_by_kind: list[Count]
    reports_by_grade: list[Count]
    trends: list[Series]
    trends_source: str
    latest_strikes: list[RelationOut]
    key_players: list[KeyPlayer]
    key_players_source: str | None
    key_players_result: dict | None = None
    runway: dict | None
    runway_source: str | None
    incidents_summary: dict | None = None


@router.get("/overview", response_model=OverviewOut, summary="The store at a glance")
def overview(
    year: int | None = Query(
        None,
        ge=1,
        le=9999,
        description="compare this year with the one before (default: last full year)",
    ),
    wb: Workbench = Depends(workbench),
) -> OverviewOut:
    entities = (
        wb.canonical_entities()
        .group_by("kind")
        .len()
        .sort(["len", "kind"], descending=[True, False])
    )
    reports = wb.reports().group_by("grade").len().sort("grade")
    trends, trends_source = analysis.incident_trends(wb.incidents())
    years = [int(p) for p in trends[0].periods] if trends and trends[0].periods else []
    if year is not None and (not years or not years[0] < year <= years[-1]):
        span = (
            f"{years[0] + 1}–{years[-1]}"
            if len(years) > 1
            else "none (fewer than two years of incidents)"
        )
        raise bad_parameter(
            "year", f"{year} has no year before it in the data (years to compare: {span})"
        )
    runway, runway_source = analysis.runway(wb)
    strikes = wb.relations(Filters(kinds=("ct_action",)))
    # A strike's date is its attrs.date when recorded, else the start of the relation's validity.
    strikes = strikes.with_columns(
        pl.coalesce(
            pl.col("attrs").str.json_path_match("$.date"), pl.col("valid_from").cast(pl.Utf8)
        ).alias("when")
    )
    strikes = strikes.sort(["when", "relation_id"], descending=True, nulls_last=True).head(10)
    keys = analysis.key_players(wb)
    names, kinds = wb.names(), wb.kinds()
    return OverviewOut(
        entities_by_kind=[Count(key=k, count=n) for k, n in entities.iter_rows()],
        reports_by_grade=[Count(key=g or "?", count=n) for g, n in reports.iter_rows()],
        trends=trends,
        trends_source=trends_source,
        latest_strikes=relations_out(wb, strikes),
        key_players=[KeyPlayer(id=i, name=names.get(i, ""), kind=kinds.get(i)) for i in keys],
        key_players_source=analysis.KEY_PLAYERS_SOURCE if keys else None,
        key_players_result={k: v for k, v in analysis.key_player_set(wb).items() if k != "ids"}
        or None,
        runway=runway,
        runway_source=runway_source,
        incidents_summary=analysis.incident_headlines(wb, year),
    )


class RobustShare(BaseModel):
    id: int
    name: str
    share: float  # of the samples in which he is in the key-player set (or the top by a measure)
    plain: bool  # in that set on the plain (unperturbed) network


class RobustSamples(BaseModel):
    samples: int
    seed: int
    expected: dict[str, float]  # what one sample changes on average
    inclusion: dict[str, float]  # the grade table: probability a sample keeps a report


class RobustOut(RobustSamples):
    k: int
    objective: str
    persons: list[RobustShare]


# The bounds of every robustness route's samples and seed.
Samples = Annotated[
    int, Query(ge=1, le=schema.robust_sample_bounds()["api_max"], description="samples to draw")
]
Seed = Annotated[int, Query(ge=0, le=2**31 - 1, description="seed of the samples")]


@router.get(
    "/overview/robust",
    response_model=RobustOut,
    summary="How sure the key players are: each person's share of seeded samples",
)
def robust_key_players(
    request: Request,
    samples: Samples = 20,
    seed: Seed = 0,
    k: int = Query(analysis.KEY_PLAYERS, ge=1, le=50, description="size of the key-player set"),
    wb: Workbench = Depends(workbench),
    caller: Identity = Depends(allow("viewer")),
) -> RobustOut:
    """Samples keep reports by grade, automatic merges by score, and add likely missing ties and
    unseen members (cellmap.unseen.robust); computed on what the caller may see. A heavy analysis."""
    return heavy(
        request, caller, lambda: RobustOut(**analysis.robust_key_players(wb, samples, seed, k))
    )


class RobustMeasuresOut(RobustSamples):
    top: int
    measures: dict[str, list[RobustShare]]


@router.get(
    "/overview/robust/measures",
    response_model=RobustMeasuresOut,
    summary="How sure the top persons by each measure are: shares of seeded samples",
)
def robust_measures(
    request: Request,
    samples: Samples = 20,
    seed: Seed = 0,
    top: int = Query(10, ge=1, le=50, description="size of the top by each measure"),
    wb: Workbench = Depends(workbench),
    caller: Identity = Depends(allow("viewer")),
) -> RobustMeasuresOut:
    """Per measure (degree, betweenness, harmonic, eigenvector, PageRank, as `analyse measures`
    computes them on the person network): each person's share of the samples in which he is among
    the `top`, for the plain top and anyone in it in half the samples or more. Samples as for the
    key players (cellmap.unseen.robust); computed on what the caller may see. A heavy analysis."""
    return heavy(
        request,
        caller,
        lambda: RobustMeasuresOut(**analysis.robust_measures(wb, samples, seed, top)),
    )
