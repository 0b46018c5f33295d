"""Places: H3 counts, Getis–Ord Gi* against a dense-matrix computation, the triangle polygon, GeoJSON."""

import datetime as dt

import h3
import numpy as np
import polars as pl
import pytest

from cellmap.incidents import places

PALMYRA, DEIR_EZ_ZOR, ABU_KAMAL = (34.5624, 38.28402), (35.33588, 40.14084), (34.4506, 40.9171)
RAQQA, AL_BAB = (35.9528, 39.0079), (36.3705, 37.5157)


def frame(points, dates=None):
    dates = dates or [dt.date(2022, 1, 1)] * len(points)
    return pl.DataFrame(
        {
            "date": dates,
            "date_precision": ["day"] * len(points),
            "lat": [p[0] for p in points],
            "lon": [p[1] for p in points],
        }
    )


def test_triangle_covers_its_towns_and_not_raqqa():
    triangle = places.load_polygons()
    located = places.with_area(
        frame([PALMYRA, DEIR_EZ_ZOR, ABU_KAMAL, (34.8, 39.8), RAQQA, AL_BAB]), triangle
    )
    assert located["area"].to_list() == ["triangle"] * 4 + ["outside"] * 2


def test_buffer_widens_the_triangle_by_kilometres():
    west_of_palmyra = (
        PALMYRA[0],
        PALMYRA[1] - 5 / (111.32 * np.cos(np.radians(PALMYRA[0]))),
    )  # 5 km west
    plain = places.with_area(frame([west_of_palmyra]), places.load_polygons())
    wide = places.with_area(frame([west_of_palmyra]), places.load_polygons(buffer_km=10))
    narrow = places.with_area(frame([west_of_palmyra]), places.load_polygons(buffer_km=3))
    assert (plain["area"][0], wide["area"][0], narrow["area"][0]) == (
        "outside",
        "triangle",
        "outside",
    )


def test_polygon_counts_per_year():
    points = [PALMYRA, ABU_KAMAL, RAQQA, PALMYRA]
    dates = [dt.date(2021, 5, 1), dt.date(2022, 5, 1), dt.date(2022, 6, 1), dt.date(2022, 7, 1)]
    counts = places.polygon_counts(frame(points, dates), places.load_polygons(), "year")
    assert counts.select(pl.col("period").dt.year(), "area", "incidents").rows() == [
        (2021, "triangle", 1),
        (2022, "outside", 1),
        (2022, "triangle", 2),
    ]


@pytest.mark.parametrize("repeat", [1, 5])
def test_h3_cells_match_the_library(repeat):
    rng = np.random.default_rng(3)
    lat = np.repeat(rng.uniform(34, 36, 50), repeat)
    lon = np.repeat(rng.uniform(38, 41, 50), repeat)
    cells = places.h3_cells(lat, lon, 7)
    expected = [h3.str_to_int(h3.latlng_to_cell(a, b, 7)) for a, b in zip(lat, lon, strict=False)]
    assert cells.tolist() == expected


def test_gi_star_matches_dense_matrix_formula():
    rng = np.random.default_rng(11)
    towns = [PALMYRA, DEIR_EZ_ZOR, ABU_KAMAL]
    points = [
        (t[0] + rng.normal(0, 0.03), t[1] + rng.normal(0, 0.03)) for t in towns for _ in range(15)
    ]
    points += [(rng.uniform(34.4, 35.4), rng.uniform(38.2, 41.0)) for _ in range(20)]
    counts = places.hex_counts(frame(points), resolution=6, period="year")
    result = places.getis_ord_gi_star(counts, k=1)

    # Independent computation: study area = cells within grid distance 1 of an occupied cell,
    # w_ij = 1 if grid_distance(i, j) <= 1, then the textbook Gi* formula (Ord & Getis 1995, eq. 14).
    occupied = {h3.latlng_to_cell(a, b, 6) for a, b in points}
    area = sorted({c for o in occupied for c in h3.grid_disk(o, 1)})
    x = np.array(
        [sum(1 for a, b in points if h3.latlng_to_cell(a, b, 6) == c) for c in area], dtype=float
    )
    w = np.array([[1.0 if h3.grid_distance(i, j) <= 1 else 0.0 for j in area] for i in area])
    n = len(area)
    mean, sd = x.mean(), np.sqrt((x**2).mean() - x.mean() ** 2)
    wi = w.sum(axis=1)
    expected = (w @ x - mean * wi) / (sd * np.sqrt((n * (w**2).sum(axis=1) - wi**2) / (n - 1)))

    got = dict(
        zip(
            [h3.int_to_str(c) for c in result["h3"].to_list()],
            result["gi_star"].to_list(),
            strict=False,
        )
    )
    assert set(got) == set(area)
    for cell, value in zip(area, expected, strict=False):
        assert got[cell] == pytest.approx(value, rel=1e-9, abs=1e-12)
    hot = result.filter(pl.col("hotspot") == "hot")
    assert hot.height > 0 and (hot["gi_star"] >= 1.96).all()


def test_geojson_hexagons_are_closed_rings_around_their_cell():
    counts = places.hex_counts(frame([PALMYRA, PALMYRA, RAQQA]), resolution=7, period="year")
    collection = places.to_geojson(counts)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 2
    for feature in collection["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) == 7
        lat, lon = h3.cell_to_latlng(feature["properties"]["h3"])
        assert min(p[0] for p in ring) < lon < max(p[0] for p in ring)  # [lon, lat] order
        assert min(p[1] for p in ring) < lat < max(p[1] for p in ring)
    by_cell = {f["properties"]["h3"]: f["properties"]["incidents"] for f in collection["features"]}
    assert by_cell[h3.latlng_to_cell(*PALMYRA, 7)] == 2


@pytest.mark.parametrize("period,resolution", [("week", 3), ("month", 6), ("year", 9)])
def test_hex_counts_equal_counting_h3_cells_one_by_one(period, resolution):
    # World-wide points (some on pentagon base cells, which go to h3 one by one), repeated points,
    # dates over three years; expected: h3-py per point and Polars' own truncation.
    rng = np.random.default_rng(21)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, 1500)))
    lon = rng.uniform(-180, 180, 1500)
    pentagons = np.array([h3.cell_to_latlng(p) for p in h3.get_pentagons(0)])
    lat = np.concatenate([lat, np.repeat(pentagons[:, 0], 20) + rng.normal(0, 1, 240), lat[:300]])
    lon = np.concatenate([lon, np.repeat(pentagons[:, 1], 20) + rng.normal(0, 1, 240), lon[:300]])
    lat = np.clip(lat, -90, 90)
    lon = np.clip(lon, -180, 180)
    dates = [
        dt.date(2021, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 1095, len(lat))
    ]
    incidents = frame(list(zip(lat, lon, strict=True)), dates)
    cells = [
        h3.str_to_int(h3.latlng_to_cell(a, b, resolution)) for a, b in zip(lat, lon, strict=True)
    ]
    truncate = {"week": "1w", "month": "1mo", "year": "1y"}[period]
    expected = (
        incidents.with_columns(pl.Series("h3", cells, dtype=pl.UInt64))
        .group_by(pl.col("date").dt.truncate(truncate).alias("period"), "h3")
        .agg(pl.len().cast(pl.Int64).alias("incidents"))
        .sort("period", "h3")
    )
    assert places.hex_counts(incidents, resolution, period).equals(expected)


def test_hex_counts_refuse_a_nan_coordinate_as_h3_does():
    with pytest.raises(h3.H3LatLngDomainError):
        places.hex_counts(frame([PALMYRA, (np.nan, 38.0)]), 6, "year")
