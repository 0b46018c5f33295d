"""Attribution: probabilities recomputed by hand from the formula, evidence, no overwriting, no look-ahead."""

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from cellmap.incidents.attribution import (
    AttributionParameters,
    suggest_attributions,
    with_suggestions,
)

PALMYRA, RAQQA = (34.5624, 38.28402), (35.9528, 39.0079)
CELL_A, CELL_B = 1, 2


def km(a, b):
    """Great-circle distance, written out independently of the module (haversine, R = 6371.0088 km)."""
    (la1, lo1), (la2, lo2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def incidents_frame(rows):
    return pl.DataFrame(
        rows, schema=["incident_id", "date", "lat", "lon", "attributed_to", "cell_id"], orient="row"
    )


SITES = pl.DataFrame(
    {
        "cell_id": [CELL_A, CELL_B],
        "site_id": [101, 102],
        "lat": [PALMYRA[0], RAQQA[0]],
        "lon": [PALMYRA[1], RAQQA[1]],
    }
)


def test_probabilities_match_the_formula():
    near_palmyra = (34.60, 38.35)
    rows = [
        (1, dt.date(2022, 1, 10), 34.58, 38.30, CELL_A, CELL_A),  # 30 days before the target
        (2, dt.date(2022, 2, 1), 35.90, 39.05, CELL_B, CELL_B),  # 8 days before, near Raqqa
        (3, dt.date(2022, 3, 1), 34.55, 38.25, CELL_A, CELL_A),  # after the target: must not count
        (9, dt.date(2022, 2, 9), *near_palmyra, None, None),  # the unattributed incident
    ]
    p = AttributionParameters()
    result = suggest_attributions(incidents_frame(rows), SITES, parameters=p)
    s_a = math.exp(-km(near_palmyra, (34.58, 38.30)) / 25 - 30 / 90) + math.exp(
        -km(near_palmyra, PALMYRA) / 25
    )
    s_b = math.exp(-km(near_palmyra, (35.90, 39.05)) / 25 - 8 / 90) + math.exp(
        -km(near_palmyra, RAQQA) / 25
    )
    total = s_a + s_b + p.background
    got = {r["cell_id"]: r for r in result.to_dicts()}
    assert got[CELL_A]["rank"] == 1 and got[CELL_A]["probability"] == pytest.approx(
        s_a / total, rel=1e-9
    )
    assert got[CELL_B]["probability"] == pytest.approx(s_b / total, rel=1e-9)
    assert got[CELL_A]["unexplained"] == pytest.approx(p.background / total, rel=1e-9)
    # Evidence: nearest site and nearest earlier incident of the suggested cell.
    assert got[CELL_A]["nearest_site_id"] == 101 and got[CELL_A]["site_km"] == pytest.approx(
        km(near_palmyra, PALMYRA)
    )
    assert got[CELL_A]["nearest_incident_id"] == 1 and got[CELL_A]["incident_days"] == 30
    assert got[CELL_A]["supporting"] == 1


def test_reported_attributions_are_never_overwritten():
    rows = [
        (
            1,
            dt.date(2022, 1, 10),
            *PALMYRA,
            CELL_B,
            CELL_B,
        ),  # reported as cell B although it sits at A's site
        (2, dt.date(2022, 1, 20), *PALMYRA, None, None),
    ]
    incidents = incidents_frame(rows)
    suggestions = suggest_attributions(incidents, SITES)
    assert set(suggestions["incident_id"]) == {2}
    merged = with_suggestions(incidents, suggestions)
    assert merged["attributed_to"].to_list() == [CELL_B, None]
    assert merged.filter(pl.col("incident_id") == 1)["suggested_cell"].item() is None


def test_far_from_every_cell_is_mostly_unexplained():
    rows = [(5, dt.date(2022, 1, 1), 33.5, 36.3, None, None)]  # Damascus, ~200 km from both sites
    result = suggest_attributions(incidents_frame(rows), SITES)
    assert result["unexplained"][0] > 0.99


def test_masked_check_recovers_well_separated_cells():
    from cellmap.incidents.attribution import masked_check

    rows = []
    for k in range(40):
        cell, (lat, lon) = (CELL_A, PALMYRA) if k % 2 else (CELL_B, RAQQA)
        rows.append(
            (
                k + 1,
                dt.date(2022, 1, 1) + dt.timedelta(days=5 * k),
                lat + 0.01 * (k % 3),
                lon,
                cell,
                cell,
            )
        )
    result = masked_check(incidents_frame(rows), SITES, fraction=0.25, seed=1)
    assert result["hidden"] == 10 and result["top1_accuracy"] == 1.0
    assert result["baseline_most_active_cell"] <= 0.7
    assert sum(row["suggestions"] for row in result["calibration"]) == 10
    assert all(row["share_correct"] == 1.0 for row in result["calibration"])


def test_blocking_by_date_does_not_change_the_answer():
    rng = np.random.default_rng(5)
    rows = []
    for k in range(120):
        cell = int(rng.integers(1, 4))
        day = dt.date(2021, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))
        attributed = cell if rng.random() < 0.7 else None
        rows.append(
            (
                k + 1,
                day,
                34.5 + rng.normal(0, 0.3),
                39.0 + rng.normal(0, 0.5),
                attributed,
                attributed,
            )
        )
    incidents = incidents_frame(rows)
    sites = pl.DataFrame(
        {
            "cell_id": [1, 2, 3],
            "site_id": [11, 12, 13],
            "lat": [34.5, 34.8, 34.2],
            "lon": [38.5, 39.5, 40.0],
        }
    )
    whole = suggest_attributions(incidents, sites, chunk=5000).sort("incident_id", "rank")
    blocked = suggest_attributions(incidents, sites, chunk=3).sort("incident_id", "rank")
    assert whole.height == blocked.height > 0
    exact = [
        "incident_id",
        "rank",
        "cell_id",
        "nearest_site_id",
        "nearest_incident_id",
        "supporting",
    ]
    assert whole.select(exact).equals(blocked.select(exact))
    for column in ("probability", "unexplained", "site_km", "incident_km", "incident_days"):
        assert np.allclose(
            whole[column].to_numpy(), blocked[column].to_numpy(), rtol=1e-12, equal_nan=True
        ), column
