"""CLI commands for: Incidents: trends, places, attribution, command-and-control coherence.

`cellmap incidents trends|places|attribute|coherence` read the store (``--db``), print Rich tables, or
JSON with ``--json``. Nothing here writes to the store.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer

from cellmap import strict_json
from cellmap.cliutil import (
    DbOption,
    GradeOption,
    JsonOption,
    banner,
    date_option,
    emit_json,
    err,
    fail,
    frame_table,
    load_case,
    load_store,
    out,
    user_errors,
)
from cellmap.errors import InputError
from cellmap.lazy import lazy_module

if TYPE_CHECKING:
    import polars as pl
else:  # imported by the first command that uses it (fast start)
    pl = lazy_module("polars")

# Its help line is kept with the other groups' in cellmap/cli.py (GROUPS).
app = typer.Typer(no_args_is_help=True)

PolygonsOption = typer.Option(
    None,
    "--polygons",
    help="GeoJSON FeatureCollection of named areas (default: the "
    "Palmyra–Deir ez-Zor–Abu Kamal triangle).",
)
BufferOption = typer.Option(
    10.0,
    "--buffer-km",
    help="Widen the areas by this many km (so that incidents in the "
    "triangle's corner towns count inside).",
)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f}%"


@app.command()
def trends(
    db: str | None = DbOption,
    year: int | None = typer.Option(
        None,
        "--year",
        help="Year for the year-on-year change (default: the last year with incidents).",
    ),
    confidence: float = typer.Option(
        0.95, "--confidence", help="Confidence level of the intervals."
    ),
    by: str = typer.Option(
        "type,outcome,area",
        "--by",
        help="Columns for the breakdown (area = inside "
        "a named polygon or outside; admin1 also works).",
    ),
    period: str = typer.Option("year", "--period", help="Breakdown per year or per month."),
    polygons: Path | None = PolygonsOption,
    buffer_km: float = BufferOption,
    min_grade: str | None = GradeOption,
    json_out: bool = JsonOption,
) -> None:
    """Year-on-year change three ways (completed operations / all operations / all incidents), yearly
    counts by type, outcome and area, monthly change points, and leadership strikes on the same axis."""
    from cellmap.incidents import places
    from cellmap.incidents import trends as t

    with user_errors():
        frames, synthetic = load_case(db, min_grade)
        incidents = places.with_area(frames.incidents, places.load_polygons(polygons, buffer_km))
    if incidents.is_empty():
        fail(InputError("the store holds no incidents", field="incidents"))
    year = year or cast(dt.date, incidents["date"].max()).year
    columns = [c.strip() for c in by.split(",") if c.strip()]
    yoy = t.year_on_year(incidents, year, confidence)
    if period not in ("year", "month"):
        fail(InputError(f"{period!r} is not year or month", field="--period"))
    label = pl.col("period").dt.strftime("%Y" if period == "year" else "%Y-%m").alias(period)
    breakdown = t.period_counts(incidents, period, by=columns).with_columns(label).drop("period")
    monthly = t.counts_by_method(incidents, "month")
    points = {
        m: t.change_points(monthly, m)
        for m in ("completed_operations", "all_operations", "all_incidents")
    }
    timeline = t.timeline(incidents, frames.relations, "month")
    events = t.leadership_events(frames.relations)
    names = frames.names()
    events = events.with_columns(
        pl.col("person_id")
        .replace_strict(names, default=None, return_dtype=pl.Utf8)
        .alias("person")
    )
    if json_out:
        emit_json(
            {
                "synthetic": synthetic,
                "year_on_year": yoy.to_dicts(),
                "breakdown": breakdown.to_dicts(),
                "monthly": timeline.to_dicts(),
                "change_points": {m: f.to_dicts() for m, f in points.items()},
                "leadership_events": events.to_dicts(),
            }
        )
        return
    banner(synthetic)
    summary = yoy.select(
        "method",
        "previous",
        "current",
        pl.col("change").map_elements(_pct, return_dtype=pl.Utf8).alias("change"),
        pl.format(
            "{} to {}",
            pl.col("change_low").map_elements(_pct, return_dtype=pl.Utf8),
            pl.col("change_high").map_elements(_pct, return_dtype=pl.Utf8),
        ).alias(f"{confidence:.0%} interval"),
    )
    out().print(frame_table(f"Year-on-year change {year - 1} → {year}", summary))
    by_year = (
        t.counts_by_method(incidents, "year")
        .with_columns(pl.col("period").dt.year().alias("year"))
        .drop("period")
    )
    out().print(
        frame_table(
            "Incidents per year, three ways of counting",
            by_year.select("year", *[c for c in by_year.columns if c != "year"]),
        )
    )
    if period == "year":
        shown = (
            breakdown.pivot(on="year", index=columns, values="incidents").fill_null(0).sort(columns)
        )
    else:
        shown = (
            breakdown.pivot(
                on=columns[0], index="month", values="incidents", aggregate_function="sum"
            )
            .fill_null(0)
            .sort("month")
            if columns
            else breakdown
        )
        removals = events.group_by(pl.col("date").dt.strftime("%Y-%m").alias("month")).agg(
            pl.format("{} {}", "event", "role").str.join("; ").alias("leadership")
        )
        shown = shown.join(removals, on="month", how="left")
    out().print(
        frame_table(
            f"Incidents per {period} by {', '.join(columns) if period == 'year' else columns[0] if columns else ''}",
            shown,
        )
    )
    for method, found in points.items():
        if found.height:
            out().print(
                frame_table(
                    f"Change points in monthly {method} (PELT, L2 on Anscombe counts, BIC penalty)",
                    found,
                    "{:.1f}",
                )
            )
    if events.height:
        out().print(
            frame_table(
                "Leadership strikes and arrests (same monthly axis as the counts above)",
                events.select("date", "person", "role", "event", "source"),
            )
        )


@app.command()
def places(
    db: str | None = DbOption,
    resolution: int = typer.Option(
        6, "--resolution", help="H3 resolution (6 ≈ 36 km² hexagons, 7 ≈ 5 km²)."
    ),
    period: str = typer.Option("year", "--period", help="year or month."),
    polygons: Path | None = PolygonsOption,
    buffer_km: float = BufferOption,
    geojson: Path | None = typer.Option(
        None, "--geojson", help="Write hexagons (counts, Gi*) and areas as GeoJSON."
    ),
    top: int = typer.Option(10, "--top", help="Hotspots shown per period."),
    min_grade: str | None = GradeOption,
    json_out: bool = JsonOption,
) -> None:
    """H3 hexagon counts with the Getis–Ord Gi* hotspot statistic per period, and counts inside named areas."""
    import h3

    from cellmap.incidents import places as p

    with user_errors():
        frames, synthetic = load_case(db, min_grade)
        areas = p.load_polygons(polygons, buffer_km)
    if frames.incidents.filter(pl.col("lat").is_not_null()).is_empty():
        fail(InputError("the store holds no incidents with coordinates", field="incidents"))
    area_counts = p.polygon_counts(frames.incidents, areas, period)
    hexes = p.hex_counts(frames.incidents, resolution, period)
    gi = p.getis_ord_gi_star(hexes) if hexes.height else hexes
    if geojson is not None:
        collection = p.to_geojson(gi)
        collection["features"] += p.polygons_to_geojson(areas, area_counts)["features"]
        geojson.write_text(strict_json.dumps(collection, default=str))
        err.print(f"wrote {geojson}: {len(collection['features']):,} features")
    hot = (
        gi.filter(pl.col("hotspot") == "hot")
        .sort("period", "gi_star", descending=[False, True])
        .group_by("period", maintain_order=True)
        .head(top)
        if gi.height
        else gi
    )
    label = pl.col("period").dt.strftime("%Y" if period == "year" else "%Y-%m")
    area_counts, hot = (
        area_counts.with_columns(label),
        hot.with_columns(label) if hot.height else hot,
    )
    if json_out:
        emit_json(
            {
                "synthetic": synthetic,
                "areas": area_counts.to_dicts(),
                "hotspots": hot.with_columns(
                    pl.col("h3").map_elements(h3.int_to_str, return_dtype=pl.Utf8)
                ).to_dicts(),
            }
        )
        return
    banner(synthetic)
    out().print(
        frame_table(
            f"Incidents per {period} inside named areas (buffer {buffer_km:g} km)",
            area_counts.pivot(on="area", index="period", values="incidents").fill_null(0),
        )
    )
    if hot.height:
        shown = hot.with_columns(
            pl.col("h3").map_elements(h3.int_to_str, return_dtype=pl.Utf8),
            pl.col("h3")
            .map_elements(
                lambda c: "{:.3f}, {:.3f}".format(*h3.cell_to_latlng(h3.int_to_str(c))),
                return_dtype=pl.Utf8,
            )
            .alias("centre"),
        )
        out().print(
            frame_table(
                f"Hotspots (Gi* ≥ 1.96, H3 resolution {resolution}, k = 1; uncorrected)",
                shown.select(
                    "period", "h3", "centre", "incidents", "neighbourhood", "gi_star", "p_value"
                ),
            )
        )


@app.command()
def attribute(
    db: str | None = DbOption,
    top: int = typer.Option(3, "--top", help="Candidate cells per incident."),
    distance_km: float = typer.Option(
        25.0, "--distance-km", help="Distance scale σ of the kernel (km)."
    ),
    time_days: float = typer.Option(90.0, "--time-days", help="Time scale τ of the kernel (days)."),
    limit: int = typer.Option(25, "--limit", help="Incidents shown in the table (JSON gives all)."),
    check: float | None = typer.Option(
        None,
        "--check",
        help="Instead: hide this fraction of the reported "
        "attributions and measure how many are recovered.",
    ),
    min_grade: str | None = GradeOption,
    json_out: bool = JsonOption,
) -> None:
    """Most likely cell behind each unattributed incident, with a probability and the evidence.
    Reported attributions are never changed; nothing is written to the store."""
    from cellmap.incidents import actors
    from cellmap.incidents.attribution import (
        AttributionParameters,
        masked_check,
        suggest_attributions,
    )

    frames, synthetic = load_case(db, min_grade)
    incidents = actors.incident_cells(frames.incidents, frames.entities, frames.relations)
    sites = actors.cell_sites(frames.entities, frames.properties, frames.relations)
    parameters = AttributionParameters(
        distance_scale_km=distance_km, time_scale_days=time_days, top=top
    )
    if check is not None:
        with err.status("hiding and recovering reported attributions…"):
            result = masked_check(
                incidents, sites, frames.ids_of_kind("cell"), check, parameters=parameters
            )
        if json_out:
            emit_json({"synthetic": synthetic, "check": result})
        else:
            banner(synthetic)
            calibration = pl.DataFrame(result.pop("calibration"))
            out().print(
                ", ".join(
                    f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}"
                    for k, v in result.items()
                )
            )
            if calibration.height:
                out().print(
                    frame_table(
                        "Calibration of the most likely cell (stated probability vs share correct)",
                        calibration.select(
                            "probability_bin", "suggestions", "mean_probability", "share_correct"
                        ),
                    )
                )
        return
    with err.status("scoring unattributed incidents…"):
        found = suggest_attributions(incidents, sites, frames.ids_of_kind("cell"), parameters)
    names = frames.names()
    keys = incidents.select("incident_id", pl.col("key").alias("incident"), "date", "location")
    found = found.join(keys, on="incident_id", how="left").with_columns(
        pl.col("cell_id").replace_strict(names, default=None, return_dtype=pl.Utf8).alias("cell")
    )
    if json_out:
        emit_json(
            {
                "synthetic": synthetic,
                "unattributed": found["incident_id"].n_unique(),
                "suggestions": found.to_dicts(),
            }
        )
        return
    banner(synthetic)
    if found.is_empty():
        out().print(
            "no unattributed incidents with coordinates: every incident carries a reported attribution "
            "(use --check 0.2 to measure how well the method recovers them)"
        )
        return
    best = found.filter(pl.col("rank") == 1).sort("probability", descending=True).head(limit)
    out().print(
        frame_table(
            f"Most likely cell for {found['incident_id'].n_unique():,} unattributed incidents "
            f"(σ = {distance_km:g} km, τ = {time_days:g} days; top {limit})",
            best.select(
                "incident",
                "date",
                "location",
                "cell",
                "probability",
                "unexplained",
                "site_km",
                "incident_km",
                "incident_days",
                "supporting",
            ),
            "{:.2f}",
        )
    )


def _robust_coherence(db, samples, seed, campaigns, cells, rule, via, start, end, as_of) -> dict:
    """``coherence --robust N``: per cell, each label's share of the samples."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from cellmap import model
    from cellmap.incidents import actors
    from cellmap.incidents import coherence as c
    from cellmap.store import views
    from cellmap.unseen.robust import coherence_shares

    limit = model.robust_sample_bounds()["cli_max"]
    if not 1 <= samples <= limit:
        fail(InputError(f"{samples} is not between 1 and {limit}", field="--robust"))
    store = load_store(db)
    with store.session() as conn:
        raw = (
            views.relations(conn, resolved=False),
            views.entities(conn),
            views.incidents(conn, resolved=False),
            views.reports(conn),
            views.latest_judgements(conn),
        )
    store.close()
    kinds = [k.strip() for k in via.split(",") if k.strip()]
    # every sample on the plain answer's weeks (a sample may lose the first or last incidents)
    dates = raw[2]["date"].drop_nulls()
    first = date_option(start, "--from") or cast(dt.date | None, dates.min())
    last = date_option(end, "--to") or cast(dt.date | None, dates.max())

    def label_cells(incidents, entities, relations):
        return c.coherence(
            actors.incident_cells(incidents, entities, relations),
            campaigns,
            relations,
            cells,
            first,
            last,
            date_option(as_of, "--as-of"),
            rule,
            kinds,
        )

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    )
    with bar:
        task = bar.add_task("samples", total=samples)
        return coherence_shares(
            *raw, label_cells, samples, seed, lambda done: bar.update(task, completed=done)
        )


@app.command()
def coherence(
    db: str | None = DbOption,
    start: str | None = typer.Option(
        None, "--from", help="First day of the weekly series (YYYY-MM-DD)."
    ),
    end: str | None = typer.Option(
        None, "--to", help="Last day of the weekly series (YYYY-MM-DD)."
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Command network as of this date (default: every relation ever recorded).",
    ),
    shuffles: int = typer.Option(
        999, "--shuffles", help="Circular shifts in the null distribution."
    ),
    via: str = typer.Option(
        "membership,command,part_of",
        "--via",
        help="Relation kinds of the command network (add meeting,communication to widen it).",
    ),
    min_grade: str | None = GradeOption,
    robust: int | None = typer.Option(
        None,
        "--robust",
        help="How sure: each cell's share of N samples (reports kept by grade, automatic merges "
        "by score) in which it is labelled coordinated (1–1000, seeded by --seed).",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the --robust samples."),
    json_out: bool = JsonOption,
) -> None:
    """Per cell: synchrony with leadership campaigns and with other cells (against a shifted-time null),
    hops and independent paths to leadership, and the label coordinated / partly / autonomous.

    With --robust N: each cell's share of N samples in which it is labelled coordinated."""
    from cellmap.incidents import actors
    from cellmap.incidents import coherence as c

    frames, synthetic = load_case(db, min_grade)
    incidents = actors.incident_cells(frames.incidents, frames.entities, frames.relations)
    campaigns = c.campaigns_frame(frames.entities, frames.properties)
    cells = frames.ids_of_kind("cell")
    if not cells:
        fail(InputError("the store holds no cells", field="cells"))
    rule = c.CoherenceRule(shuffles=shuffles)
    with err.status("testing synchrony against shifted-time nulls…"):
        table = c.coherence(
            incidents,
            campaigns,
            frames.relations,
            cells,
            date_option(start, "--from"),
            date_option(end, "--to"),
            date_option(as_of, "--as-of"),
            rule,
            [k.strip() for k in via.split(",") if k.strip()],
        )
    names = frames.names()
    table = table.with_columns(
        pl.col("cell_id").replace_strict(names, default=None, return_dtype=pl.Utf8).alias("cell")
    )
    if robust is not None:
        if min_grade:
            fail(InputError("not with --min-grade (grades are sampled)", field="--robust"))
        shares = _robust_coherence(db, robust, seed, campaigns, cells, rule, via, start, end, as_of)
        table = table.with_columns(
            pl.col("cell_id")
            .replace_strict(
                {c: s.get("coordinated", 0.0) for c, s in shares.items()},
                default=0.0,
                return_dtype=pl.Float64,
            )
            .alias("coordinated_share")
        )
    if json_out:
        emit_json(
            {
                "synthetic": synthetic,
                "campaigns": campaigns.height,
                "rule": rule.__dict__,
                "via": via,
                **({"samples": robust, "seed": seed} if robust is not None else {}),
                "cells": table.to_dicts(),
            }
        )
        return
    banner(synthetic)
    console = out()
    # the figures need about 120 columns; a narrower terminal gets the answer and its share
    figures = (
        ["r_campaign", "p_campaign", "r_peers", "p_peers", "hops", "independent_paths"]
        if console.width >= 120
        else []
    )
    console.print(
        frame_table(
            f"Command-and-control coherence ({campaigns.height} campaigns, {shuffles} shifts)",
            table.select(
                "cell",
                "incidents",
                *figures,
                "label",
                *(["coordinated_share"] if robust is not None else []),
            ),
            "{:.3g}",
        )
    )
    if not figures:
        console.print("correlations, p-values, hops and paths: a terminal of 120 columns or --json")
    if robust is not None:
        out().print(
            f"coordinated_share: of {robust} samples (seed {seed}) that keep each report by its "
            "grade and each automatic merge by its score"
        )
    counts = table.group_by("label").len().sort("label")
    out().print(", ".join(f"{label}: {n}" for label, n in counts.iter_rows()))
