"""Places: incidents in H3 hexagons, the Getis–Ord Gi* hotspot statistic, counts inside named polygons, GeoJSON.

Functions take the incidents frame of `cellmap.store.views.incidents` (``lat``, ``lon``, ``date``,
``date_precision``) and return Polars frames; `to_geojson` turns a result into a GeoJSON dict for maps.
Only incidents with coordinates count; ``geo_precision`` is kept by the caller's filter if wanted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import h3
import h3.api.basic_int as h3_int
import numpy as np
import polars as pl
import shapely
from h3 import _cy as h3_cy  # noqa: PLC2701 — see _latlng_to_cells
from scipy import sparse
from scipy.stats import norm
from shapely.geometry import shape

from cellmap.incidents import h3_array
from cellmap.incidents.trends import (
    PERIOD_KEY,
    grouped_by_period,
    period_keys,
    period_of_key,
    precise_rows,
)

TRIANGLE = "triangle"
OUTSIDE = "outside"
_KM_PER_DEGREE_LAT = 110.574
_KM_PER_DEGREE_LON_EQUATOR = 111.320


def load_polygons(
    path: str | Path | None = None, buffer_km: float = 0.0
) -> dict[str, shapely.Geometry]:
    """Named polygons from a GeoJSON FeatureCollection (default: the shipped triangle), keyed by the
    feature's ``id`` property (else ``name``). `buffer_km` widens each polygon by that many kilometres
    in a local equirectangular projection centred on the polygon (error < 1 % at this scale)."""
    if path is None:
        text = (
            resources.files("cellmap.incidents")
            .joinpath("data", "triangle.geojson")
            .read_text("utf-8")
        )
    else:
        text = Path(path).read_text("utf-8")
    polygons = {}
    for number, feature in enumerate(json.loads(text)["features"]):
        props = feature.get("properties") or {}
        name = str(props.get("id") or props.get("name") or f"polygon-{number + 1}")
        geometry = shape(feature["geometry"])
        polygons[name] = _buffer_km(geometry, buffer_km) if buffer_km else geometry
    return polygons


def _buffer_km(geometry: shapely.Geometry, km: float) -> shapely.Geometry:
    lat0 = geometry.centroid.y
    kx = _KM_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(lat0))
    scale = np.array([kx, _KM_PER_DEGREE_LAT])
    in_km = shapely.transform(geometry, lambda xy: xy * scale)
    return shapely.transform(in_km.buffer(km), lambda xy: xy / scale)


def with_area(incidents: pl.DataFrame, polygons: Mapping[str, shapely.Geometry]) -> pl.DataFrame:
    """Add ``area``: the name of the first polygon that covers the incident (boundary included), else
    'outside' (or null without coordinates). Vectorised point-in-polygon (shapely.intersects_xy), O(n·v)."""
    lon = incidents["lon"].fill_null(np.nan).to_numpy()
    lat = incidents["lat"].fill_null(np.nan).to_numpy()
    area = np.full(incidents.height, OUTSIDE, dtype=object)
    assigned = np.zeros(incidents.height, dtype=bool)
    for name, polygon in polygons.items():
        shapely.prepare(polygon)
        inside = shapely.intersects_xy(polygon, lon, lat) & ~assigned
        area[inside] = name
        assigned |= inside
    area[np.isnan(lon) | np.isnan(lat)] = None
    return incidents.with_columns(pl.Series("area", area.tolist(), dtype=pl.Utf8))


def polygon_counts(
    incidents: pl.DataFrame,
    polygons: Mapping[str, shapely.Geometry],
    period: str = "year",
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """Incident counts per period inside each named polygon and outside them all (plus optional `by` columns)."""
    located = with_area(incidents, polygons).filter(pl.col("area").is_not_null())
    return grouped_by_period(
        located, period, ["area", *by], [pl.len().cast(pl.Int64).alias("incidents")]
    ).sort(["period", "area", *by])


_REPEAT_SAMPLE = 20_000


def _latlng_to_cells(lat: list[float], lon: list[float], resolution: int) -> np.ndarray:
    to_cell = (
        getattr(h3_cy, "latlng_to_cell", None) or h3_int.latlng_to_cell
    )  # the Cython entry skips a wrapper
    return np.fromiter(
        map(to_cell, lat, lon, [resolution] * len(lat)), dtype=np.uint64, count=len(lat)
    )


def _cells_of(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    """The NumPy port's cells, with the points it leaves out (near a boundary, on a pentagon base cell,
    not a finite in-range coordinate, or any resolution outside 0–15) given to the H3 C library one
    by one, so the answer and the errors are h3's."""
    if not 0 <= resolution <= h3_array.MAX_RESOLUTION:
        return _latlng_to_cells(lat.tolist(), lon.tolist(), resolution)
    cells, unsure = h3_array.latlng_to_cells(lat, lon, resolution)
    rows = np.flatnonzero(unsure)
    if rows.size:
        cells[rows] = _latlng_to_cells(lat[rows].tolist(), lon[rows].tolist(), resolution)
    return cells


def _repeats(lat: np.ndarray, lon: np.ndarray) -> bool:
    """Whether an evenly spaced sample of the points says fewer than a quarter are distinct."""
    if len(lat) <= _REPEAT_SAMPLE:
        return False
    sample = pl.DataFrame({"lat": lat, "lon": lon}).gather_every(len(lat) // _REPEAT_SAMPLE)
    return sample.n_unique() < sample.height / 4


def h3_cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cell (uint64) of each point, equal to h3's ``latlng_to_cell``: `cellmap.incidents.h3_array`
    (vectorised, O(n·resolution)) with the H3 C library for the points it leaves out; once per
    distinct coordinate pair when an evenly spaced sample of the rows says fewer than a quarter are distinct
    (incident data repeat town coordinates). A NaN or infinite coordinate raises h3's
    H3LatLngDomainError."""
    points = pl.DataFrame({"lat": lat, "lon": lon})
    if not _repeats(lat, lon):
        return _cells_of(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float), resolution)
    distinct = points.unique(maintain_order=False)
    cells = _cells_of(distinct["lat"].to_numpy(), distinct["lon"].to_numpy(), resolution)
    lookup = distinct.with_columns(pl.Series("h3", cells, dtype=pl.UInt64))
    return points.join(lookup, on=["lat", "lon"], how="left", maintain_order="left")[
        "h3"
    ].to_numpy()


def hex_counts(incidents: pl.DataFrame, resolution: int = 6, period: str = "year") -> pl.DataFrame:
    """Incidents per H3 cell (`resolution`, 6 ≈ 36 km² hexagons) and period: period, h3 (uint64), incidents. O(n)."""
    located = (
        precise_rows(incidents, period)
        .filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
        .select("date", "lat", "lon")
        .collect()
    )
    lat, lon = located["lat"].to_numpy(), located["lon"].to_numpy()
    counts = pl.len().cast(pl.Int64).alias("incidents")
    keys = (
        located.select(period_keys(located["date"], period).alias(PERIOD_KEY))[PERIOD_KEY]
        .to_numpy()
        .astype(np.int64)
    )
    step = 7 if period == "week" else 1  # week keys are days
    if (
        not 0 <= resolution <= h3_array.MAX_RESOLUTION
        or (keys.size > 0 and (int(keys.max()) - int(keys.min())) // step >= 1 << _KEY_BITS)
        or _repeats(lat, lon)
    ):
        cells = h3_cells(lat, lon, resolution)
        located = located.select("date", pl.Series("h3", cells, dtype=pl.UInt64))
        return grouped_by_period(located, period, ["h3"], [counts]).sort("period", "h3")
    return (
        _counts_per_cell(lat, lon, keys, step, resolution)
        .with_columns(period_of_key(pl.col(PERIOD_KEY), period).alias("period"))
        .select("period", "h3", "incidents")
        .sort("period", "h3")
    )


_KEY_BITS, _FACE_SHIFT, _AXIAL_BITS = 10, 48, 24


def _counts_per_cell(
    lat: np.ndarray, lon: np.ndarray, keys: np.ndarray, step: int, resolution: int
) -> pl.DataFrame:
    """Points per (period key, H3 cell): PERIOD_KEY, h3, incidents, for keys `step` apart spanning
    fewer than 2^_KEY_BITS steps. The NumPy port's hexagons are grouped first (one sort of a packed
    key·face·a·b integer) and each group's cell found once (`h3_array.face_ijk_to_cells`); the
    points the port leaves out get h3's cell one by one."""
    face, a, b, unsure = h3_array.latlng_to_face_ijk(lat, lon, resolution)
    first = int(keys.min()) if keys.size else 0
    sure = np.flatnonzero(~unsure) if unsure.any() else np.s_[:]  # a slice copies nothing
    half = 1 << (_AXIAL_BITS - 1)
    packed = (
        ((keys[sure] - first) // step << (_FACE_SHIFT + 5))
        | (face[sure].astype(np.int64) << _FACE_SHIFT)
        | ((a[sure].astype(np.int64) + half) << _AXIAL_BITS)
        | (b[sure].astype(np.int64) + half)
    )
    groups, sizes = np.unique(packed, return_counts=True)
    axial_mask = (1 << _AXIAL_BITS) - 1
    cells, pentagonal = h3_array.face_ijk_to_cells(
        ((groups >> _FACE_SHIFT) & 31).astype(np.intp),
        (((groups >> _AXIAL_BITS) & axial_mask) - half).astype(np.int32),
        ((groups & axial_mask) - half).astype(np.int32),
        resolution,
    )
    if pentagonal.any():  # these hexagons' points go to h3 one by one
        unsure[np.flatnonzero(~unsure)[np.isin(packed, groups[pentagonal])]] = True
    by_group = pl.DataFrame(
        {
            PERIOD_KEY: (groups[~pentagonal] >> (_FACE_SHIFT + 5)) * step + first,
            "h3": pl.Series(cells[~pentagonal], dtype=pl.UInt64),
            "incidents": pl.Series(sizes[~pentagonal], dtype=pl.Int64),
        }
    )
    rows = np.flatnonzero(unsure)
    if not rows.size:
        return by_group
    by_point = pl.DataFrame(
        {
            PERIOD_KEY: keys[rows],
            "h3": pl.Series(
                _latlng_to_cells(lat[rows].tolist(), lon[rows].tolist(), resolution),
                dtype=pl.UInt64,
            ),
            "incidents": pl.Series(np.ones(rows.size, dtype=np.int64)),
        }
    )
    return pl.concat([by_group, by_point]).group_by(PERIOD_KEY, "h3").agg(pl.col("incidents").sum())


def _neighbour_pairs(cells: np.ndarray, k: int) -> pl.DataFrame:
    """(h3, neighbour) for every cell and each cell within grid distance k of it (itself included)."""
    grid_disk = getattr(h3_cy, "grid_disk", None) or h3_int.grid_disk  # the Cython entry: an array
    disks = [grid_disk(cell, k) for cell in cells.tolist()]
    return pl.DataFrame(
        {
            "h3": pl.Series(np.repeat(cells.astype(np.uint64), [len(d) for d in disks])),
            "neighbour": pl.Series(
                np.concatenate(disks).astype(np.uint64) if disks else [], dtype=pl.UInt64
            ),
        }
    )


def getis_ord_gi_star(counts: pl.DataFrame, k: int = 1) -> pl.DataFrame:
    """Getis–Ord Gi* z-score of each H3 cell in each period of `hex_counts` output.

    Study area: every cell within grid distance k of a cell with an incident in any period (so empty
    neighbours count as zeros), the same n cells for every period. Weights: w_ij = 1 when j is within
    grid distance k of i (i itself included), else 0; with W_i = Σ_j w_ij,
        Gi* = (Σ_j w_ij x_j − x̄ W_i) / ( s · √((n W_i − W_i²)/(n − 1)) ),  x̄ = Σx/n,  s = √(Σx²/n − x̄²).
    Two-sided normal p-value; ``hotspot`` is 'hot' (z ≥ 1.96), 'cold' (z ≤ −1.96) or '' — uncorrected for
    multiple testing. Reference: Ord & Getis (1995), Geographical Analysis 27(4):286–306.
    Cost O(P · n · k²) for P periods (one sparse product W·x in SciPy).
    Returns period, h3, incidents, neighbourhood, gi_star, p_value, hotspot (all study-area cells).
    """
    occupied = counts["h3"].unique()
    around_occupied = _neighbour_pairs(occupied.to_numpy(), k)
    area = around_occupied["neighbour"].unique()
    border = area.filter(~area.is_in(occupied.implode()))
    pairs = pl.concat([around_occupied, _neighbour_pairs(border.to_numpy(), k)]).filter(
        pl.col("neighbour").is_in(area.implode())
    )
    cells = np.sort(area.to_numpy())
    n = cells.size
    periods = counts["period"].unique().sort()
    # x[p, c]: incidents of period p in study-area cell c (zero where none)
    x = np.zeros((periods.len(), n), dtype=np.int64)
    x[
        np.searchsorted(periods.to_numpy(), counts["period"].to_numpy()),
        np.searchsorted(cells, counts["h3"].to_numpy()),
    ] = counts["incidents"].to_numpy()
    weights = sparse.csr_matrix(
        (
            np.ones(pairs.height, dtype=np.int64),
            (
                np.searchsorted(cells, pairs["h3"].to_numpy()),
                np.searchsorted(cells, pairs["neighbour"].to_numpy()),
            ),
        ),
        shape=(n, n),
    )
    x_frame = pl.DataFrame(
        {
            "period": periods.gather(np.repeat(np.arange(periods.len()), n)),
            "h3": pl.Series(np.tile(cells, periods.len()), dtype=pl.UInt64),
            "incidents": pl.Series(x.reshape(-1), dtype=pl.Int64),
        }
    )
    local = pl.DataFrame(
        {  # Σ_j w_ij x_j (exact in integers) and W_i for every period and cell, in x_frame's order
            "neighbourhood": pl.Series(np.asarray((weights @ x.T).T).reshape(-1), dtype=pl.Int64),
            "w": pl.Series(np.tile(np.asarray(weights.sum(axis=1)).reshape(-1), periods.len())),
        }
    )
    stats = (
        x_frame.group_by("period")
        .agg(
            (pl.col("incidents").sum() / n).alias("mean"),
            ((pl.col("incidents").cast(pl.Float64) ** 2).sum() / n).alias("mean_sq"),
        )
        .with_columns(
            (pl.col("mean_sq") - pl.col("mean") ** 2).clip(lower_bound=0).sqrt().alias("sd")
        )
    )
    w = pl.col("w").cast(pl.Float64)
    out = (
        pl.concat([x_frame, local], how="horizontal")
        .join(stats, on="period")
        .with_columns(
            (
                (pl.col("neighbourhood") - pl.col("mean") * w)
                / (pl.col("sd") * ((n * w - w**2) / (n - 1)).sqrt())
            ).alias("gi_star")
        )
        .with_columns(
            pl.when(pl.col("sd") > 0).then(pl.col("gi_star")).otherwise(None).alias("gi_star")
        )
    )
    z = out["gi_star"].to_numpy().astype(float)
    p = 2 * norm.sf(np.abs(z))
    return (
        out.with_columns(pl.Series("p_value", p).fill_nan(None))
        .with_columns(
            pl.when(pl.col("gi_star") >= 1.96)
            .then(pl.lit("hot"))
            .when(pl.col("gi_star") <= -1.96)
            .then(pl.lit("cold"))
            .otherwise(pl.lit(""))
            .alias("hotspot")
        )
        .select("period", "h3", "incidents", "neighbourhood", "gi_star", "p_value", "hotspot")
        .sort("period", "h3")
    )


def to_geojson(cells: pl.DataFrame) -> dict:
    """A GeoJSON FeatureCollection with one hexagon per row of `cells` (a frame with an ``h3`` column);
    every other column becomes a property (dates as ISO strings). Coordinates are [lon, lat] (RFC 7946)."""
    features = []
    for row in cells.to_dicts():
        cell = h3.int_to_str(int(row["h3"]))
        ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        props = {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in row.items()
            if k != "h3"
        }
        props["h3"] = cell
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def polygons_to_geojson(
    polygons: Mapping[str, shapely.Geometry], counts: pl.DataFrame | None = None
) -> dict:
    """The named polygons as GeoJSON, with their per-period counts (from `polygon_counts`) as properties."""
    features = []
    for name, polygon in polygons.items():
        props: dict = {"id": name}
        if counts is not None:
            mine = counts.filter(pl.col("area") == name)
            props["incidents"] = {
                str(p): int(c) for p, c in mine.select("period", "incidents").iter_rows()
            }
        features.append(
            {"type": "Feature", "geometry": shapely.geometry.mapping(polygon), "properties": props}
        )
    return {"type": "FeatureCollection", "features": features}
