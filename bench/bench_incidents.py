"""Incident trends + hotspots on 1,000,000 incidents: cellmap (Polars) vs a plain pandas groupby of the same.

Data: synthetic incidents over 2019–2024 (``CELLMAP_BENCH_SCALE=small``: 100,000), 60 % at 400 town
locations with jitter rounded to 0.001° (as incident data repeat places), 40 % scattered; 9 types,
5 outcomes, 14 provinces.

Work timed on both sides:
* trends — monthly counts under the three counting methods, yearly counts by type × outcome × admin1,
  year-on-year counts for 2022;
* hotspots — H3 resolution-6 cell of every incident, counts per cell and year, Getis–Ord Gi* (k = 1)
  per cell and year.
cellmap: `cellmap.incidents.trends` and `cellmap.incidents.places`. Reference: pandas groupby/merge
with the same h3 calls (one per row, `Series.map`). The results are checked equal before timing is shown.
"""

from __future__ import annotations

import os
import time

import h3.api.basic_int as h3_int
import numpy as np
import pandas as pd
import polars as pl

from bench.goals import check
from cellmap.incidents import places, trends

SIZES = {"full": 1_000_000, "small": 100_000}
TYPES = [
    "attack",
    "jail_attack",
    "ied",
    "assassination",
    "kidnapping",
    "theft",
    "threat",
    "extortion",
    "other",
]
OUTCOMES = ["completed", "failed", "aborted", "foiled", "unknown"]
PROVINCES = [f"province-{k}" for k in range(14)]


def synthetic_incidents(n: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    towns_lat, towns_lon = rng.uniform(33.0, 37.0, 400), rng.uniform(36.0, 42.0, 400)
    at_town = rng.random(n) < 0.6
    town = rng.integers(0, 400, n)
    lat = np.where(
        at_town, np.round(towns_lat[town] + rng.normal(0, 0.01, n), 3), rng.uniform(33.0, 37.0, n)
    )
    lon = np.where(
        at_town, np.round(towns_lon[town] + rng.normal(0, 0.01, n), 3), rng.uniform(36.0, 42.0, n)
    )
    days = rng.integers(0, 6 * 365, n) + 17897  # days since 1970-01-01; 17897 is 2019-01-01
    return pl.DataFrame(
        {
            "incident_id": np.arange(n),
            "date": pl.Series(days.astype(np.int32)).cast(pl.Date),
            "date_precision": pl.Series(
                rng.choice(["day", "week", "month"], n, p=[0.9, 0.05, 0.05])
            ),
            "type": pl.Series(rng.choice(TYPES, n)),
            "outcome": pl.Series(rng.choice(OUTCOMES, n, p=[0.6, 0.15, 0.1, 0.1, 0.05])),
            "admin1": pl.Series(rng.choice(PROVINCES, n)),
            "lat": lat,
            "lon": lon,
        }
    )


def cellmap_run(frame: pl.DataFrame) -> dict:
    monthly = trends.counts_by_method(frame, "month")
    yearly = trends.period_counts(frame, "year", by=["type", "outcome", "admin1"])
    change = trends.year_on_year(frame, 2022)
    hexes = places.hex_counts(frame, resolution=6, period="year")
    gi = places.getis_ord_gi_star(hexes, k=1)
    return {"monthly": monthly, "yearly": yearly, "yoy": change, "hexes": hexes, "gi": gi}


def pandas_run(df: pd.DataFrame) -> dict:
    df = df.copy()
    df["month"] = df["date"].dt.to_period("M").dt.to_timestamp()
    df["year"] = df["date"].dt.year
    operation = df["type"].isin(["attack", "jail_attack"])
    df["completed_operations"] = (operation & (df["outcome"] == "completed")).astype(int)
    df["all_operations"] = operation.astype(int)
    df["all_incidents"] = 1
    month_ok = df["date_precision"].isin(["day", "week", "month"])
    monthly = (
        df[month_ok]
        .groupby("month")[["completed_operations", "all_operations", "all_incidents"]]
        .sum()
    )
    yearly = df.groupby(["year", "type", "outcome", "admin1"]).size()
    yoy = (
        df[df["year"].isin([2021, 2022])]
        .groupby("year")[["completed_operations", "all_operations", "all_incidents"]]
        .sum()
    )
    df["h3"] = [
        h3_int.latlng_to_cell(a, b, 6)
        for a, b in zip(df["lat"].to_numpy(), df["lon"].to_numpy(), strict=False)
    ]
    hexes = df.groupby(["year", "h3"]).size().rename("incidents").reset_index()
    occupied = hexes["h3"].unique()
    area = sorted({c for o in occupied for c in h3_int.grid_disk(int(o), 1)})
    area_set = set(area)
    pairs = pd.DataFrame(
        [(c, nb) for c in area for nb in h3_int.grid_disk(c, 1) if nb in area_set],
        columns=["h3", "nb"],
    )
    grid = pd.MultiIndex.from_product(
        [sorted(hexes["year"].unique()), area], names=["year", "h3"]
    ).to_frame(index=False)
    x = grid.merge(hexes, on=["year", "h3"], how="left").fillna({"incidents": 0})
    local = (
        pairs.merge(x.rename(columns={"h3": "nb"}), on="nb")
        .groupby(["year", "h3"])
        .agg(neighbourhood=("incidents", "sum"), w=("incidents", "size"))
        .reset_index()
    )
    n = len(area)
    stats = (
        x.groupby("year")["incidents"]
        .agg(mean="mean", mean_sq=lambda v: (v.astype(float) ** 2).mean())
        .reset_index()
    )
    out = x.merge(local, on=["year", "h3"]).merge(stats, on="year")
    sd = np.sqrt(out["mean_sq"] - out["mean"] ** 2)
    out["gi_star"] = (out["neighbourhood"] - out["mean"] * out["w"]) / (
        sd * np.sqrt((n * out["w"] - out["w"] ** 2) / (n - 1))
    )
    return {"monthly": monthly, "yearly": yearly, "yoy": yoy, "hexes": hexes, "gi": out}


def _check_same(ours: dict, theirs: dict) -> None:
    assert ours["monthly"]["all_incidents"].sum() == int(theirs["monthly"]["all_incidents"].sum())
    assert ours["yearly"].height == len(theirs["yearly"])
    yoy = {r["method"]: (r["previous"], r["current"]) for r in ours["yoy"].to_dicts()}
    for method in ("completed_operations", "all_operations", "all_incidents"):
        assert yoy[method] == (
            int(theirs["yoy"].loc[2021, method]),
            int(theirs["yoy"].loc[2022, method]),
        )
    assert ours["hexes"].height == len(theirs["hexes"])
    mine = (
        ours["gi"]
        .select(pl.col("period").dt.year().alias("year"), pl.col("h3").cast(pl.Int64), "gi_star")
        .sort("year", "h3")
    )
    other = theirs["gi"].sort_values(["year", "h3"])
    assert mine.height == len(other)
    assert np.allclose(mine["gi_star"].to_numpy(), other["gi_star"].to_numpy(), equal_nan=True)


def _timed(function, argument, repeats: int = 2) -> tuple[float, dict]:
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function(argument)
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    scale = os.environ.get("CELLMAP_BENCH_SCALE", "full")
    n = SIZES.get(scale, SIZES["full"])
    frame = synthetic_incidents(n)
    pandas_frame = frame.to_pandas()
    pandas_frame["date"] = pd.to_datetime(pandas_frame["date"])
    ours_s, ours = _timed(cellmap_run, frame)
    theirs_s, theirs = _timed(pandas_run, pandas_frame, repeats=1)
    _check_same(ours, theirs)
    print(
        f"incidents: {n:,}  (scale {scale}; {os.cpu_count()} CPUs visible; results checked equal)"
    )
    print(f"{'step':<34}{'seconds':>10}")
    print(f"{'cellmap trends + hotspots (Polars)':<34}{ours_s:>10.2f}")
    print(f"{'pandas groupby of the same':<34}{theirs_s:>10.2f}")
    check(f"trends + hotspots, {n:,} incidents: pandas / cellmap", theirs_s / ours_s, 5, "×")


if __name__ == "__main__":
    main()
