"""H3 cells of many points at once: a NumPy port of the H3 C library's ``latLngToCell``.

The H3 grid (Uber's hexagonal hierarchical index; Brodsky, *H3: Uber's Hexagonal Hierarchical Spatial
Index*, 2018, https://h3geo.org/docs/core-library/overview; C library v4, Apache 2.0, files
``faceijk.c``, ``coordijk.c``, ``h3Index.c``, ``baseCells.c``) places a point in a cell in four steps,
each done here on whole arrays:

1. the icosahedron face whose centre is closest on the unit sphere (largest dot product), read from a
   lat/lng raster where a whole raster cell has one closest face (``_geoToClosestFace``);
2. the gnomonic projection of the point onto that face, scaled to the resolution's hexagon size
   (``_geoToHex2d``: tan r·(cos θ, sin θ)/u₀·√7^res with r the arc to the face centre and θ the angle
   from the face's i axis, turned by asin(√(3/28)) on Class III resolutions). Here it is the point's
   components along the face plane's axes divided by its component along the centre, the same
   quantity without trigonometry;
3. the hexagon containing the plane point, as ijk coordinates (``_hex2dToCoordIJK``);
4. one digit per resolution by walking up the aperture-7 hierarchy (``_upAp7``/``_upAp7r``), then the
   base cell and its rotation from the face's lookup table (``faceIjkBaseCells``), the digits turned
   60° counter-clockwise that many times (``_faceIjkToH3``).

The float steps (1–3) differ from the C library's by rounding only, which changes a cell only for a
point within ~1e-15 (relative) of a boundary. Every point whose face choice or hexagon lies within a
wide margin of a boundary (1e-12 of the face lead, 1e-12·√7^res hexagon units of an edge), every point
within 3 mrad of a face centre (where C's acos(1 − d²/2) loses precision), every point on one of the
12 pentagon base cells (whose digit rules differ) and every row that is not a finite latitude in
[-90, 90] and longitude in [-180, 180] is reported as *unsure*; the caller gives those to h3-py, so
the result equals h3-py's point by point and bad rows are refused by h3-py exactly as before.
Cost O(n · res) NumPy operations in cache-sized blocks: about 0.2 CPU-seconds per million points at
resolution 6, a third of one h3-py call per point.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

#: Icosahedron face centres as unit vectors (faceijk.c ``faceCenterPoint``).
_FACE_CENTRE_XYZ = np.array(
    [
        [0.2199307791404606, 0.6583691780274996, 0.7198475378926182],
        [-0.2139234834501421, 0.1478171829550703, 0.9656017935214205],
        [0.1092625278784797, -0.4811951572873210, 0.8697775121287253],
        [0.7428567301586791, -0.3593941678278028, 0.5648005936517033],
        [0.8112534709140969, 0.3448953237639384, 0.4721387736413930],
        [-0.1055498149613921, 0.9794457296411413, 0.1718874610009365],
        [-0.8075407579970092, 0.1533552485898818, 0.5695261994882688],
        [-0.2846148069787907, -0.8644080972654206, 0.4144792552473539],
        [0.7405621473854482, -0.6673299564565524, -0.0789837646326737],
        [0.8512303986474293, 0.4722343788582681, -0.2289137388687808],
        [-0.7405621473854481, 0.6673299564565524, 0.0789837646326737],
        [-0.8512303986474292, -0.4722343788582682, 0.2289137388687808],
        [0.1055498149613919, -0.9794457296411413, -0.1718874610009365],
        [0.8075407579970092, -0.1533552485898819, -0.5695261994882688],
        [0.2846148069787908, 0.8644080972654204, -0.4144792552473539],
        [-0.7428567301586791, 0.3593941678278027, -0.5648005936517033],
        [-0.8112534709140971, -0.3448953237639382, -0.4721387736413930],
        [-0.2199307791404607, -0.6583691780274996, -0.7198475378926182],
        [0.2139234834501420, -0.1478171829550704, -0.9656017935214205],
        [-0.1092625278784796, 0.4811951572873210, -0.8697775121287253],
    ]
)
#: Face centres as (lat, lng) radians (faceijk.c ``faceCenterGeo``).
_FACE_CENTRE_LATLNG = np.array(
    [
        [0.803582649718989942, 1.248397419617396099],
        [1.307747883455638156, 2.536945009877921159],
        [1.054751253523952054, -1.347517358900396623],
        [0.600191595538186799, -0.450603909469755746],
        [0.491715428198773866, 0.401988202911306943],
        [0.172745327415618701, 1.678146885280433686],
        [0.605929321571350690, 2.953923329812411617],
        [0.427370518328979641, -1.888876200336285401],
        [-0.079066118549212831, -0.733429513380867741],
        [-0.230961644455383637, 0.506495587332349035],
        [0.079066118549212831, 2.408163140208925497],
        [0.230961644455383637, -2.635097066257444203],
        [-0.172745327415618701, -1.463445768309359553],
        [-0.605929321571350690, -0.187669323777381622],
        [-0.427370518328979641, 1.252716453253507838],
        [-0.600191595538186799, 2.690988744120037492],
        [-0.491715428198773866, -2.739604450678486295],
        [-0.803582649718989942, -1.893195233972397139],
        [-1.307747883455638156, -0.604647643711872080],
        [-1.054751253523952054, 1.794075294689396615],
    ]
)
#: Azimuth (radians) from each face centre to its vertex 0, the face's Class II i axis
#: (faceijk.c ``faceAxesAzRadsCII[face][0]``).
_FACE_I_AXIS_AZIMUTH = np.array(
    [
        5.619958268523939882,
        5.760339081714187279,
        0.780213654393430055,
        0.430469363979999913,
        6.130269123335111400,
        2.692877706530642877,
        2.982963003477243874,
        3.532912002790141181,
        3.494305004259568154,
        3.003214169499538391,
        5.930472956509811562,
        0.138378484090254847,
        0.448714947059150361,
        0.158629650112549365,
        5.891865957979238535,
        2.711123289609793325,
        3.294508837434268316,
        3.804819692245439833,
        3.664438879055192436,
        2.361378999196363184,
    ]
)
#: baseCells.c ``faceIjkBaseCells[face][i][j][k]`` = (base cell, 60° ccw rotations), one face a line,
#: 27 (base cell, rotations) pairs in i, j, k order.
_FACE_IJK_BASE_CELLS_TEXT = """
16 0 18 0 24 0 33 0 30 0 32 3 49 1 48 3 50 3 8 0 5 5 10 5 22 0 16 0 18 0 41 1 33 0 30 0 4 0 0 5 2 5 15 1 8 0 5 5 31 1 22 0 16 0
2 0 6 0 14 0 10 0 11 0 17 3 24 1 23 3 25 3 0 0 1 5 9 5 5 0 2 0 6 0 18 1 10 0 11 0 4 1 3 5 7 5 8 1 0 0 1 5 16 1 5 0 2 0
7 0 21 0 38 0 9 0 19 0 34 3 14 1 20 3 36 3 3 0 13 5 29 5 1 0 7 0 21 0 6 1 9 0 19 0 4 2 12 5 26 5 0 1 3 0 13 5 2 1 1 0 7 0
26 0 42 0 58 0 29 0 43 0 62 3 38 1 47 3 64 3 12 0 28 5 44 5 13 0 26 0 42 0 21 1 29 0 43 0 4 3 15 5 31 5 3 1 12 0 28 5 7 1 13 0 26 0
31 0 41 0 49 0 44 0 53 0 61 3 58 1 65 3 75 3 15 0 22 5 33 5 28 0 31 0 41 0 42 1 44 0 53 0 4 4 8 5 16 5 12 1 15 0 22 5 26 1 28 0 31 0
50 0 48 0 49 3 32 0 30 3 33 3 24 3 18 3 16 3 70 0 67 0 66 3 52 3 50 0 48 0 37 3 32 0 30 3 83 0 87 3 85 3 74 3 70 0 67 0 57 1 52 3 50 0
25 0 23 0 24 3 17 0 11 3 10 3 14 3 6 3 2 3 45 0 39 0 37 3 35 3 25 0 23 0 27 3 17 0 11 3 63 0 59 3 57 3 56 3 45 0 39 0 46 3 35 3 25 0
36 0 20 0 14 3 34 0 19 3 9 3 38 3 21 3 7 3 55 0 40 0 27 3 54 3 36 0 20 0 51 3 34 0 19 3 72 0 60 3 46 3 73 3 55 0 40 0 71 3 54 3 36 0
64 0 47 0 38 3 62 0 43 3 29 3 58 3 42 3 26 3 84 0 69 0 51 3 82 3 64 0 47 0 76 3 62 0 43 3 97 0 89 3 71 3 98 3 84 0 69 0 96 3 82 3 64 0
75 0 65 0 58 3 61 0 53 3 44 3 49 3 41 3 31 3 94 0 86 0 76 3 81 3 75 0 65 0 66 3 61 0 53 3 107 0 104 3 96 3 101 3 94 0 86 0 85 3 81 3 75 0
57 0 59 0 63 3 74 0 78 3 79 3 83 3 92 3 95 3 37 0 39 3 45 3 52 0 57 0 59 0 70 3 74 0 78 3 24 0 23 3 25 3 32 3 37 0 39 3 50 3 52 0 57 0
46 0 60 0 72 3 56 0 68 3 80 3 63 3 77 3 90 3 27 0 40 3 55 3 35 0 46 0 60 0 45 3 56 0 68 3 14 0 20 3 36 3 17 3 27 0 40 3 25 3 35 0 46 0
71 0 89 0 97 3 73 0 91 3 103 3 72 3 88 3 105 3 51 0 69 3 84 3 54 0 71 0 89 0 55 3 73 0 91 3 38 0 47 3 64 3 34 3 51 0 69 3 36 3 54 0 71 0
96 0 104 0 107 3 98 0 110 3 115 3 97 3 111 3 119 3 76 0 86 3 94 3 82 0 96 0 104 0 84 3 98 0 110 3 58 0 65 3 75 3 62 3 76 0 86 3 64 3 82 0 96 0
85 0 87 0 83 3 101 0 102 3 100 3 107 3 112 3 114 3 66 0 67 3 70 3 81 0 85 0 87 0 94 3 101 0 102 3 49 0 48 3 50 3 61 3 66 0 67 3 75 3 81 0 85 0
95 0 92 0 83 0 79 0 78 0 74 3 63 1 59 3 57 3 109 0 108 0 100 5 93 1 95 0 92 0 77 1 79 0 78 0 117 4 118 5 114 5 106 1 109 0 108 0 90 1 93 1 95 0
90 0 77 0 63 0 80 0 68 0 56 3 72 1 60 3 46 3 106 0 93 0 79 5 99 1 90 0 77 0 88 1 80 0 68 0 117 3 109 5 95 5 113 1 106 0 93 0 105 1 99 1 90 0
105 0 88 0 72 0 103 0 91 0 73 3 97 1 89 3 71 3 113 0 99 0 80 5 116 1 105 0 88 0 111 1 103 0 91 0 117 2 106 5 90 5 121 1 113 0 99 0 119 1 116 1 105 0
119 0 111 0 97 0 115 0 110 0 98 3 107 1 104 3 96 3 121 0 116 0 103 5 120 1 119 0 111 0 112 1 115 0 110 0 117 1 113 5 105 5 118 1 121 0 116 0 114 1 120 1 119 0
114 0 112 0 107 0 100 0 102 0 101 3 83 1 87 3 85 3 118 0 120 0 115 5 108 1 114 0 112 0 92 1 100 0 102 0 117 0 121 5 119 5 109 1 118 0 120 0 95 1 108 1 114 0
"""
_FACE_IJK_BASE_CELLS = np.array(_FACE_IJK_BASE_CELLS_TEXT.split(), dtype=np.int64).reshape(
    20, 3, 3, 3, 2
)
#: The 12 pentagon base cells (baseCells.c ``baseCellData``): their digits skip the deleted k
#: subsequence, so their points are left to the C library.
PENTAGON_BASE_CELLS = (4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117)
_BASE_CELL_OF_ENTRY = _FACE_IJK_BASE_CELLS[..., 0].reshape(-1)
_TURNS_OF_ENTRY = _FACE_IJK_BASE_CELLS[..., 1].reshape(-1)
_IS_PENTAGON = np.zeros(122, dtype=bool)
_IS_PENTAGON[list(PENTAGON_BASE_CELLS)] = True

#: constants.h: the res-0 hexagon size on the gnomonic plane, the Class III rotation, 2π, 1/sin 60°.
_INV_RES0_U_GNOMONIC = 2.61803398874989484820458683436563
_AP7_ROT_RADS = 0.333473172251832115336090755351601070065900389
_SQRT7 = 2.6457513110645905905016157536392604257102
_RSIN60 = 1.1547005383792515290182975610039149112953
_SQRT3_2 = 0.8660254037844386467637231707529361834714
_PI_180 = 0.0174532925199432957692369076848861271111

#: Digit after one 60° counter-clockwise turn (h3Index.c ``_rotate60ccw``), and after 0–5 turns.
_ROTATE_60_CCW = np.array([0, 5, 3, 1, 6, 4, 2, 7], dtype=np.uint64)
_ROTATIONS = np.empty((6, 8), dtype=np.uint64)
_ROTATIONS[0] = np.arange(8, dtype=np.uint64)
for _turn in range(1, 6):
    _ROTATIONS[_turn] = _ROTATE_60_CCW[_ROTATIONS[_turn - 1]]
_ROTATIONS_FLAT = _ROTATIONS.reshape(-1)


def _plane_axes(turn: float) -> np.ndarray:
    """Per face, three unit vectors: the centre, and the face plane's x and y axes for hex2d coordinates
    (the i axis turned by `turn`): with n, e the north and east unit vectors at the centre and A the
    i axis's azimuth less `turn`, x = cos A·n + sin A·e and y = sin A·n − cos A·e (so that x, y give
    C's θ = A − azimuth)."""
    lat, lng = _FACE_CENTRE_LATLNG[:, 0], _FACE_CENTRE_LATLNG[:, 1]
    north = np.stack([-np.sin(lat) * np.cos(lng), -np.sin(lat) * np.sin(lng), np.cos(lat)], axis=1)
    east = np.stack([-np.sin(lng), np.cos(lng), np.zeros_like(lng)], axis=1)
    azimuth = (_FACE_I_AXIS_AZIMUTH - turn)[:, None]
    x_axis = np.cos(azimuth) * north + np.sin(azimuth) * east
    y_axis = np.sin(azimuth) * north - np.cos(azimuth) * east
    return np.concatenate([_FACE_CENTRE_XYZ, x_axis, y_axis], axis=1)


#: Indexed by resolution % 2: Class II resolutions use the i axis, Class III turn it by asin(√(3/28)).
_PLANE_AXES = np.stack([_plane_axes(0.0), _plane_axes(_AP7_ROT_RADS)])
#: Points within 3 mrad (~19 km) of a face centre go to the C library, whose acos(1 − d²/2) there
#: loses more than the hexagon margin.
_NEAR_CENTRE_COS = float(np.cos(3e-3))
_FACE_GAP_MARGIN = 1e-12
_RASTER_PER_DEGREE = 2
_HEX_MARGIN = 1e-12
MAX_RESOLUTION = 15
_BLOCK = 32_768
_MAX_THREADS = 4
_INT16_RESOLUTIONS = 7


def _closest_faces(point: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the face centre with the largest dot product with each column of `point` (3 × m), and
    that dot product's lead over the runner-up's."""
    dots = _FACE_CENTRE_XYZ @ point
    face = np.zeros(point.shape[1], dtype=np.intp)
    best = dots[0].copy()
    second = np.full(point.shape[1], -np.inf)
    for index in range(1, len(dots)):
        higher = dots[index] > best
        second = np.where(higher, best, np.maximum(second, dots[index]))
        best = np.where(higher, dots[index], best)
        face[higher] = index
    return face, best - second


_UNBUILT = -2
_FACE_RASTER = np.full((180 * _RASTER_PER_DEGREE, 360 * _RASTER_PER_DEGREE), _UNBUILT, np.int8)


def _face_raster_rows(rows: np.ndarray) -> np.ndarray:
    """The face raster's cells (1/_RASTER_PER_DEGREE degrees) in `rows` of latitude: the closest face
    of every point in the cell, or −1 near a face boundary. A face is written only when, at the cell's
    centre, its dot product beats the runner-up's by more than twice the cell's angular radius plus the
    tie margin: a dot product changes by at most the angle moved, so the lead holds over the cell."""
    step = 1.0 / _RASTER_PER_DEGREE
    lat = np.radians(-90.0 + (rows + 0.5) * step)
    lng = np.radians(np.arange(-180.0 + step / 2, 180.0, step))
    grid_lat, grid_lng = np.meshgrid(lat, lng, indexing="ij")
    point = np.stack(
        [
            np.cos(grid_lng) * np.cos(grid_lat),
            np.sin(grid_lng) * np.cos(grid_lat),
            np.sin(grid_lat),
        ]
    ).reshape(3, -1)
    face, lead = _closest_faces(point)
    half_diagonal = np.radians(step) / np.sqrt(2.0) * 1.01  # angular radius of any raster cell
    decided = lead > 2.0 * half_diagonal + _FACE_GAP_MARGIN
    return np.where(decided, face, -1).astype(np.int8).reshape(grid_lat.shape)


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _raster_rows(lat: np.ndarray) -> np.ndarray:
    """The face raster's row of each latitude in [-90, 90] degrees."""
    return np.minimum(
        ((lat + 90.0) * _RASTER_PER_DEGREE).astype(np.intp), _FACE_RASTER.shape[0] - 1
    )


def _build_raster_rows(lat: np.ndarray) -> None:
    """Build the face raster's rows that the latitudes meet and that are not built yet."""
    with np.errstate(invalid="ignore"):
        in_range = lat[np.abs(lat) <= 90.0]
    met = np.flatnonzero(np.bincount(_raster_rows(in_range), minlength=_FACE_RASTER.shape[0]))
    unbuilt = met[_FACE_RASTER[met, 0] == _UNBUILT]
    if unbuilt.size:
        _FACE_RASTER[unbuilt] = _face_raster_rows(unbuilt)


def _raster_faces(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    """The (built) face raster's value for each in-range (lat, lng) in degrees."""
    width = _FACE_RASTER.shape[1]
    column = np.minimum(((lng + 180.0) * _RASTER_PER_DEGREE).astype(np.intp), width - 1)
    return np.take(_FACE_RASTER.reshape(-1), _raster_rows(lat) * width + column).astype(np.intp)


def _nearest_seventh(n: np.ndarray) -> np.ndarray:
    """lround(n / 7) in exact integers: n/7 is never within 1/14 of a half, so no tie arises."""
    return (2 * n + 7) // 14


def _hex2d_to_ijk(x: np.ndarray, y: np.ndarray, margin: float) -> tuple[np.ndarray, ...]:
    """coordijk.c ``_hex2dToCoordIJK`` on arrays, as axial coordinates (i − k, j − k), plus whether each
    point lies within `margin` of its hexagon's edge (then a last-bit difference could change the
    answer). Hexagon centres are at (i − j/2, j·√3/2), one apart; edges 1/2 from the centre."""
    a1, a2 = np.abs(x), np.abs(y)
    x2 = a2 * _RSIN60
    x1 = a1 + x2 / 2.0
    m1, m2 = np.floor(x1), np.floor(x2)
    r1, r2 = x1 - m1, x2 - m2
    m1, m2 = m1.astype(np.int32), m2.astype(np.int32)
    low_r1, high_r1 = r1 < 1.0 / 3.0, r1 >= 2.0 / 3.0
    i = np.where(
        r1 < 0.5,
        m1 + (~low_r1 & (1.0 - r1 <= r2) & (r2 < 2.0 * r1)),
        m1 + (high_r1 | ~((2.0 * r1 - 1.0 < r2) & (r2 < 1.0 - r1))),
    )
    j = m2 + np.where(
        low_r1 | high_r1,
        r2 >= np.where(low_r1, (1.0 + r1) / 2.0, r1 / 2.0),
        r2 >= 1.0 - r1,
    )
    # fold across the axes (C: i − 2·(i − ⌊j/2⌋) for even j, i − 2·(i − ⌊(j+1)/2⌋) − 1 for odd j,
    # both j − i; then i − ⌊(2j+1)/2⌋ = i − j below the x axis)
    i = np.where(x < 0.0, j - i, i)
    below = y < 0.0
    i = np.where(below, i - j, i)
    j = np.where(below, -j, j)
    dx = x - (i - 0.5 * j)
    dy = y - j * _SQRT3_2
    half_dy = dy * _SQRT3_2
    edge = np.maximum(np.abs(dx), np.abs(0.5 * dx + half_dy))
    edge = np.maximum(edge, np.abs(half_dy - 0.5 * dx))
    return i, j, edge > 0.5 - margin


def latlng_to_cells(
    lat: np.ndarray, lng: np.ndarray, resolution: int
) -> tuple[np.ndarray, np.ndarray]:
    """H3 cell (uint64) of each (lat, lng) in degrees at `resolution`, and a mask of the points this
    port leaves to the C library (cell 0 there): near a boundary, on a pentagon base cell, or not a
    finite in-range coordinate. Equal to h3 ``latlng_to_cell`` wherever the mask is False. Works in
    blocks of 32,768 points, so that temporaries stay in cache, on up to four threads.

    >>> cells, unsure = latlng_to_cells(np.array([34.5624]), np.array([38.28402]), 6)  # Palmyra
    >>> f"{int(cells[0]):x}", bool(unsure[0])
    ('862d81d1fffffff', False)
    """
    if not 0 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"resolution: expected 0–{MAX_RESOLUTION}, got {resolution}")
    lat = np.asarray(lat, dtype=np.float64).reshape(-1)
    lng = np.asarray(lng, dtype=np.float64).reshape(-1)
    if lat.shape != lng.shape:
        raise ValueError(f"lat and lng differ in length: {lat.size} and {lng.size}")
    cells = np.empty(lat.size, dtype=np.uint64)
    unsure = np.empty(lat.size, dtype=bool)

    def fill(block: slice) -> None:
        face, a, b, unsure_hexagon = _block_face_ijk(lat[block], lng[block], resolution)
        cells[block], unsure_cell = face_ijk_to_cells(face, a, b, resolution)
        unsure[block] = unsure_hexagon | unsure_cell

    _in_blocks(lat, fill)
    return cells, unsure


def latlng_to_face_ijk(lat: np.ndarray, lng: np.ndarray, resolution: int) -> tuple[np.ndarray, ...]:
    """Steps 1–3 alone: the face (intp) and the hexagon's axial coordinates a = i − k, b = j − k
    (int32) on that face at `resolution`, with the unsure mask of `latlng_to_cells` for these steps.
    Points with equal (face, a, b) have one cell (`face_ijk_to_cells`), so callers that count points
    per cell can group first and index each group once."""
    if not 0 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"resolution: expected 0–{MAX_RESOLUTION}, got {resolution}")
    lat = np.asarray(lat, dtype=np.float64).reshape(-1)
    lng = np.asarray(lng, dtype=np.float64).reshape(-1)
    face = np.empty(lat.size, dtype=np.intp)
    a = np.empty(lat.size, dtype=np.int32)
    b = np.empty(lat.size, dtype=np.int32)
    unsure = np.empty(lat.size, dtype=bool)

    def fill(block: slice) -> None:
        face[block], a[block], b[block], unsure[block] = _block_face_ijk(
            lat[block], lng[block], resolution
        )

    _in_blocks(lat, fill)
    return face, a, b, unsure


def _in_blocks(lat: np.ndarray, fill) -> None:
    """Run `fill` on every block of 32,768 points, on up to four threads (NumPy releases the GIL
    inside each array operation), after building the face raster rows the latitudes need."""
    _build_raster_rows(lat)
    blocks = [slice(start, start + _BLOCK) for start in range(0, lat.size, _BLOCK)]
    threads = min(_MAX_THREADS, _usable_cpus(), len(blocks))
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(fill, blocks))
    else:
        for block in blocks:
            fill(block)


def _block_face_ijk(lat: np.ndarray, lng: np.ndarray, resolution: int) -> tuple[np.ndarray, ...]:
    with np.errstate(invalid="ignore"):
        valid = (np.abs(lat) <= 90.0) & (np.abs(lng) <= 180.0)
    lat_r = np.where(valid, lat, 0.0) * _PI_180
    lng_r = np.where(valid, lng, 0.0) * _PI_180

    # 1. closest face centre (largest dot product): read from a raster where a whole raster cell has
    # one closest face, computed over all 20 faces elsewhere; a near tie is left to the C library
    cos_lat, sin_lat = np.cos(lat_r), np.sin(lat_r)
    point = np.empty((3, lat.size))
    np.multiply(np.cos(lng_r), cos_lat, out=point[0])
    np.multiply(np.sin(lng_r), cos_lat, out=point[1])
    point[2] = sin_lat
    face = _raster_faces(np.where(valid, lat, 0.0), np.where(valid, lng, 0.0))
    unsure = ~valid
    undecided = np.flatnonzero(face < 0)
    if undecided.size:
        chosen, lead = _closest_faces(point[:, undecided])
        face[undecided] = chosen
        unsure[undecided] |= lead < _FACE_GAP_MARGIN

    # 2. gnomonic projection onto the face, scaled to the resolution: x = tan r·cos θ, y = tan r·sin θ
    # (r the arc to the face centre, θ the angle from the face's i axis) are the point's components
    # along the face's plane axes divided by its component along the centre
    axes = _PLANE_AXES[resolution % 2]
    along = [np.take(axes[:, column], face) for column in range(9)]
    centre = along[0] * point[0] + along[1] * point[1] + along[2] * point[2]
    unsure |= centre > _NEAR_CENTRE_COS  # C's own arc is imprecise there (acos near 1)
    scale = _INV_RES0_U_GNOMONIC * _SQRT7**resolution / centre
    x = (along[3] * point[0] + along[4] * point[1] + along[5] * point[2]) * scale
    y = (along[6] * point[0] + along[7] * point[1] + along[8] * point[2]) * scale
    scale = _INV_RES0_U_GNOMONIC * _SQRT7**resolution

    # 3. the hexagon holding the plane point, in axial coordinates (i − k, j − k)
    a, b, near = _hex2d_to_ijk(x, y, _HEX_MARGIN * scale)
    return face, a, b, unsure | near


def face_ijk_to_cells(
    face: np.ndarray, a: np.ndarray, b: np.ndarray, resolution: int
) -> tuple[np.ndarray, np.ndarray]:
    """Step 4 (h3Index.c ``_faceIjkToH3``): the H3 cell of each hexagon given by its face and axial
    coordinates at `resolution`, and a mask of those left to the C library (cell 0 there): on one of
    the 12 pentagon base cells, or off the face's base-cell table."""
    # a face spans tan r ≤ 0.764, so |a|, |b| ≤ 1.155·0.764·scale < 2,100 up to res 7: int16 holds 2·(3a − b) + 7
    if resolution <= _INT16_RESOLUTIONS:
        a, b = a.astype(np.int16), b.astype(np.int16)

    unsure = np.zeros(face.size, dtype=bool)
    # 4. digits from the finest resolution up (the parent's axial coordinates by aperture-7 rounding,
    # the digit from the offset to the parent's centre child), then the base cell and its rotation
    cells = np.full(face.size, (1 << ((MAX_RESOLUTION - resolution) * 3)) - 1, dtype=np.uint64)
    digits = []
    for res in range(resolution, 0, -1):
        if res % 2 == 1:  # Class III: _upAp7 then _downAp7
            up_a, up_b = _nearest_seventh(3 * a - b), _nearest_seventh(a + 2 * b)
            da, db = a - (2 * up_a + up_b), b - (3 * up_b - up_a)
        else:  # Class II: _upAp7r then _downAp7r
            up_a, up_b = _nearest_seventh(2 * a + b), _nearest_seventh(3 * b - a)
            da, db = a - (3 * up_a - up_b), b - (up_a + 2 * up_b)
        low = np.minimum(np.minimum(da, db), 0)
        digits.append((res, 4 * da + 2 * db - 7 * low))  # 4i + 2j + k of the normalised offset
        a, b = up_a, up_b
    low = np.minimum(np.minimum(a, b), 0)
    i, j, k = a - low, b - low, -low
    unsure |= np.maximum(np.maximum(i, j), k) > 2
    entry = ((face * 3 + np.minimum(i, 2)) * 3 + np.minimum(j, 2)) * 3 + np.minimum(k, 2)
    base_cell = np.take(_BASE_CELL_OF_ENTRY, entry)
    unsure |= np.take(_IS_PENTAGON, base_cell)
    rotation_row = np.take(_TURNS_OF_ENTRY, entry) * 8  # the row of _ROTATIONS, flattened
    for res, digit in digits:
        cells |= np.take(_ROTATIONS_FLAT, rotation_row + digit) << np.uint64(
            (MAX_RESOLUTION - res) * 3
        )
    cells |= np.uint64(1 << 59) | np.uint64(resolution << 52)
    cells |= base_cell.astype(np.uint64) << np.uint64(45)
    cells[unsure] = 0
    return cells, unsure
