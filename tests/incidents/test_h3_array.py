"""The NumPy port of H3's latLngToCell against h3-py (the H3 C library) point by point.

Cheap by default (a few thousand points per case); ``CELLMAP_H3_FULL_CHECK=1`` adds 2,000,000 random
points at every resolution (about a minute).
"""

import os

import h3
import h3.api.basic_int as h3_int
import numpy as np
import pytest

from cellmap.incidents import h3_array, places

RESOLUTIONS = range(16)


def library_cells(lat, lng, resolution):
    return np.array(
        [h3_int.latlng_to_cell(a, b, resolution) for a, b in zip(lat, lng, strict=True)],
        dtype=np.uint64,
    )


def uniform_on_sphere(n, seed):
    rng = np.random.default_rng(seed)
    return np.degrees(np.arcsin(rng.uniform(-1, 1, n))), rng.uniform(-180, 180, n)


def assert_same_as_library(lat, lng, resolution):
    lat, lng = np.asarray(lat, dtype=float), np.asarray(lng, dtype=float)
    expected = library_cells(lat, lng, resolution)
    cells, unsure = h3_array.latlng_to_cells(lat, lng, resolution)
    assert np.array_equal(cells[~unsure], expected[~unsure])
    assert np.array_equal(places.h3_cells(lat, lng, resolution), expected)
    return unsure


@pytest.mark.parametrize("resolution", RESOLUTIONS)
def test_random_points_on_the_whole_sphere(resolution):
    lat, lng = uniform_on_sphere(3_000, seed=resolution)
    unsure = assert_same_as_library(lat, lng, resolution)
    # only the 12 pentagon base cells (~8 % of the sphere) and boundary points are left to the library
    assert unsure.mean() < 0.12


def test_repeated_town_coordinates_take_the_distinct_path():
    rng = np.random.default_rng(5)
    towns_lat, towns_lng = rng.uniform(33, 37, 300), rng.uniform(36, 42, 300)
    town = rng.integers(0, 300, 60_000)
    assert_same_as_library(towns_lat[town], towns_lng[town], 6)


def test_poles_antimeridian_and_face_centres():
    face_lat = np.degrees(h3_array._FACE_CENTRE_LATLNG[:, 0])
    face_lng = np.degrees(h3_array._FACE_CENTRE_LATLNG[:, 1])
    tiny = 1e-9
    lat = np.concatenate(
        [
            [90, -90, 90 - tiny, -90 + tiny, 0, 0, 0, 0, 45, -45, 89.999, -89.999],
            face_lat,
            face_lat + 0.01,
        ]
    )
    lng = np.concatenate(
        [
            [0, 0, 123.4, -56.7, 180, -180, 180 - tiny, -180 + tiny, 180, -180, 179.99, -179.99],
            face_lng,
            face_lng - 0.01,
        ]
    )
    for resolution in RESOLUTIONS:
        assert_same_as_library(lat, lng, resolution)


def test_pentagon_centres_and_their_neighbourhood():
    rng = np.random.default_rng(7)
    for resolution in (0, 3, 8, 15):
        centres = np.array([h3.cell_to_latlng(p) for p in h3.get_pentagons(resolution)])
        lat = np.repeat(centres[:, 0], 20) + rng.normal(0, 0.5, 240)
        lng = np.repeat(centres[:, 1], 20) + rng.normal(0, 0.5, 240)
        assert_same_as_library(np.clip(lat, -90, 90), np.clip(lng, -180, 180), resolution)


def test_points_on_and_near_cell_edges_and_vertices():
    lat, lng = uniform_on_sphere(40, seed=11)
    for resolution in (1, 6, 9, 15):
        boundary = []
        for a, b in zip(lat, lng, strict=True):
            ring = np.array(h3.cell_to_boundary(h3.latlng_to_cell(a, b, resolution)))
            following = np.roll(ring, -1, axis=0)
            boundary += [ring, (ring + following) / 2]  # vertices and edge midpoints
            for share in (1e-13, 1e-9, 1e-6):  # just inside and outside the edge
                centre = ring.mean(axis=0)
                boundary += [ring + share * (centre - ring), ring - share * (centre - ring)]
        points = np.concatenate(boundary)
        assert_same_as_library(points[:, 0], points[:, 1], resolution)


def test_bad_coordinates_are_refused_by_the_library_as_before():
    with pytest.raises(h3.H3LatLngDomainError):
        places.h3_cells(np.array([35.0, np.nan]), np.array([38.0, 39.0]), 6)
    with pytest.raises(h3.H3LatLngDomainError):
        places.h3_cells(np.array([35.0, 36.0]), np.array([np.inf, 39.0]), 6)
    with pytest.raises(h3.H3ResDomainError):
        places.h3_cells(np.array([35.0]), np.array([38.0]), 16)
    # out-of-range but finite degrees are the library's to answer (it wraps them)
    assert_same_as_library([100.0, -95.0, 35.0], [0.0, -400.0, 540.0], 6)


@pytest.mark.skipif(
    os.environ.get("CELLMAP_H3_FULL_CHECK") != "1", reason="heavy: CELLMAP_H3_FULL_CHECK=1"
)
@pytest.mark.parametrize("resolution", RESOLUTIONS)
def test_two_million_random_points(resolution):
    lat, lng = uniform_on_sphere(2_000_000, seed=100 + resolution)
    expected = library_cells(lat, lng, resolution)
    cells, unsure = h3_array.latlng_to_cells(lat, lng, resolution)
    assert np.array_equal(cells[~unsure], expected[~unsure])
