"""Headline incident figures as one JSON-able dict, for `cellmap demo`, the web overview and the notes.

Composes the analyses of this package on the frames of an open store (`CaseFrames`); no I/O of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from cellmap.incidents import actors, coherence, places, trends
from cellmap.store.case import CaseFrames


def incident_summary(
    frames: CaseFrames, year: int | None = None, buffer_km: float = 10.0, shuffles: int = 999
) -> dict:
    """Year-on-year change three ways (for `year`, default the last full year of data), the share of
    incidents inside the triangle per year, and every cell's coherence label with its figures."""
    import polars as pl

    incidents = places.with_area(frames.incidents, places.load_polygons(buffer_km=buffer_km))
    if incidents.is_empty():
        return {"incidents": 0}
    last = cast(dt.date, incidents["date"].max())
    year = year or (last.year if (last.month, last.day) == (12, 31) else last.year - 1)
    yoy = trends.year_on_year(incidents, year)
    by_area = places.polygon_counts(
        incidents, places.load_polygons(buffer_km=buffer_km), "year"
    ).with_columns(pl.col("period").dt.year().alias("year"))
    inside = by_area.group_by("year").agg(
        (
            pl.col("incidents").filter(pl.col("area") == places.TRIANGLE).sum()
            / pl.col("incidents").sum()
        ).alias("share")
    )
    cells = frames.ids_of_kind("cell")
    labelled = []
    if cells:
        attributed = actors.incident_cells(frames.incidents, frames.entities, frames.relations)
        campaigns = coherence.campaigns_frame(frames.entities, frames.properties)
        table = coherence.coherence(
            attributed,
            campaigns,
            frames.relations,
            cells,
            rule=coherence.CoherenceRule(shuffles=shuffles),
        )
        names = frames.names()
        labelled = [{**row, "cell": names.get(row["cell_id"])} for row in table.to_dicts()]
    return {
        "incidents": incidents.height,
        "year": year,
        "year_on_year": yoy.to_dicts(),
        "triangle_share_by_year": dict(inside.sort("year").iter_rows()),
        "coherence": labelled,
    }
