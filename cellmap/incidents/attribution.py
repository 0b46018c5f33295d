"""Which cell most likely carried out an unattributed incident: space–time proximity to each cell's
sites and past incidents, as a probability with the evidence behind it.

Score of cell c for an unattributed incident u at place x_u and date t_u:
    s_c(u) = Σ_{i ∈ I_c, 0 < t_u − t_i ≤ T} exp(−d(x_u, x_i)/σ) · exp(−(t_u − t_i)/τ)
             + β · Σ_{k ∈ S_c} exp(−d(x_u, x_k)/σ)
with I_c the incidents already attributed to c (earlier than u, within T days), S_c its sites, d the
great-circle distance (km). P(c | u) = s_c / (s_0 + Σ_c' s_c'), where s_0 is a background weight for "a
cell not in the data" (the share that stays unexplained when no cell is near). A distance-decay kernel
as in geographic profiling (Rossmo, *Geographic Profiling*, 2000) and the triggering kernel of a
self-exciting point process (Mohler et al., JASA 106:100, 2011).
Cost O(U · (A + S)) for U unattributed incidents, A attributed incidents and S sites (chunked numpy).

Attributions from reports are never overwritten: only incidents with no ``attributed_to`` get
suggestions, and suggestions are returned, not stored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class AttributionParameters:
    distance_scale_km: float = 25.0  # σ
    time_scale_days: float = 90.0  # τ
    max_lag_days: int = 365  # T
    site_weight: float = 1.0  # β
    background: float = 0.05  # s_0
    top: int = 3  # candidates returned per incident


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distances (km) between every point of 1 (rows) and every point of 2 (columns)."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dl = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def _days(dates: pl.Series) -> np.ndarray:
    return dates.cast(pl.Int32).to_numpy().astype(float)


def suggest_attributions(
    incidents: pl.DataFrame,
    cell_sites: pl.DataFrame,
    cells: list[int] | None = None,
    parameters: AttributionParameters = AttributionParameters(),
    chunk: int = 2000,
) -> pl.DataFrame:
    """Suggestions for the incidents without ``attributed_to`` (see module docstring).

    `incidents` needs incident_id, date, lat, lon, attributed_to and ``cell_id`` (the cell behind a reported
    attribution, from `actors.incident_cells`); `cell_sites` needs cell_id, site_id, lat, lon. Returns per
    unattributed incident its `top` cells: incident_id, rank, cell_id, probability, unexplained (P of a cell
    not in the data), nearest_site_id, site_km, nearest_incident_id, incident_km, incident_days, supporting
    (past incidents of that cell within σ km and τ days), and the parameters as JSON.
    """
    p = parameters
    located = incidents.filter(
        pl.col("lat").is_not_null() & pl.col("lon").is_not_null() & pl.col("date").is_not_null()
    )
    known = located.filter(pl.col("cell_id").is_not_null())
    targets = located.filter(pl.col("attributed_to").is_null())
    cell_ids = sorted(
        set(cells)
        if cells is not None
        else set(known["cell_id"].to_list()) | set(cell_sites["cell_id"].to_list())
    )
    empty = _empty_result()
    if targets.is_empty() or not cell_ids:
        return empty
    index = {c: k for k, c in enumerate(cell_ids)}
    known = known.filter(pl.col("cell_id").is_in(cell_ids)).sort("date")
    targets = targets.sort("date")
    sites = cell_sites.filter(pl.col("cell_id").is_in(cell_ids))
    all_known_cell = np.array([index[c] for c in known["cell_id"].to_list()], dtype=int)
    site_cell = np.array([index[c] for c in sites["cell_id"].to_list()], dtype=int)
    n_cells = len(cell_ids)
    all_known_onehot = np.zeros((known.height, n_cells))
    all_known_onehot[np.arange(known.height), all_known_cell] = 1
    site_onehot = np.zeros((sites.height, n_cells))
    site_onehot[np.arange(sites.height), site_cell] = 1
    all_known_lat, all_known_lon, known_day = (
        known["lat"].to_numpy(),
        known["lon"].to_numpy(),
        _days(known["date"]),
    )
    site_lat, site_lon = sites["lat"].to_numpy(), sites["lon"].to_numpy()
    all_known_ids, site_ids = known["incident_id"].to_numpy(), sites["site_id"].to_numpy()

    target_days = _days(targets["date"])
    frames = []
    for start, stop, lo, hi in _blocks(target_days, known_day, p.max_lag_days, sites.height, chunk):
        part = targets.slice(start, stop - start)
        lat, lon, day = part["lat"].to_numpy(), part["lon"].to_numpy(), target_days[start:stop]
        # Only the known incidents dated within (day − T, day) of this block can weigh in.
        known_lat, known_lon, known_day_block = (
            all_known_lat[lo:hi],
            all_known_lon[lo:hi],
            known_day[lo:hi],
        )
        known_cell, known_onehot, known_ids = (
            all_known_cell[lo:hi],
            all_known_onehot[lo:hi],
            all_known_ids[lo:hi],
        )
        # Past incidents of each cell: distance, lag, kernel weight.
        d_inc = haversine_km(lat, lon, known_lat, known_lon)
        lag = day[:, None] - known_day_block[None, :]
        usable = (lag > 0) & (lag <= p.max_lag_days)
        w_inc = np.where(
            usable, np.exp(-d_inc / p.distance_scale_km - lag / p.time_scale_days), 0.0
        )
        d_site = haversine_km(lat, lon, site_lat, site_lon)
        w_site = p.site_weight * np.exp(-d_site / p.distance_scale_km)
        score = w_inc @ known_onehot + w_site @ site_onehot
        total = score.sum(axis=1) + p.background
        probability = score / total[:, None]
        order = np.argsort(-probability, axis=1, kind="stable")[:, : p.top]
        rows = np.repeat(np.arange(part.height), order.shape[1])
        chosen = order.ravel()
        site_km, site_at = _nearest_per_cell(d_site, site_cell, n_cells)
        inc_km, inc_at = _nearest_per_cell(np.where(usable, d_inc, np.inf), known_cell, n_cells)
        near = (d_inc <= p.distance_scale_km) & usable & (lag <= p.time_scale_days)
        supporting = near.astype(float) @ known_onehot
        inc_pick = inc_at[rows, chosen]
        site_pick = site_at[rows, chosen]
        frames.append(
            pl.DataFrame(
                {
                    "incident_id": part["incident_id"].to_numpy()[rows],
                    "rank": np.tile(np.arange(1, order.shape[1] + 1), part.height),
                    "cell_id": np.array(cell_ids)[chosen],
                    "probability": probability[rows, chosen],
                    "unexplained": (p.background / total)[rows],
                    "nearest_site_id": np.where(
                        site_pick >= 0,
                        site_ids[np.maximum(site_pick, 0)] if sites.height else -1,
                        -1,
                    ),
                    "site_km": site_km[rows, chosen],
                    "nearest_incident_id": np.where(
                        inc_pick >= 0,
                        known_ids[np.maximum(inc_pick, 0)] if len(known_ids) else -1,
                        -1,
                    ),
                    "incident_km": inc_km[rows, chosen],
                    "incident_days": np.where(
                        inc_pick >= 0,
                        lag[rows, np.maximum(inc_pick, 0)] if len(known_ids) else np.nan,
                        np.nan,
                    ),
                    "supporting": supporting[rows, chosen].astype(np.int64),
                }
            )
        )
    result = pl.concat(frames).with_columns(
        pl.when(pl.col("nearest_site_id") >= 0)
        .then(pl.col("nearest_site_id"))
        .alias("nearest_site_id"),
        pl.when(pl.col("nearest_incident_id") >= 0)
        .then(pl.col("nearest_incident_id"))
        .alias("nearest_incident_id"),
        pl.col("site_km").replace(np.inf, None),
        pl.col("incident_km").replace(np.inf, None),
        pl.lit(str(asdict(p))).alias("parameters"),
    )
    return result.select(empty.columns)


def _blocks(
    target_days: np.ndarray,
    known_days: np.ndarray,
    max_lag: int,
    sites: int,
    rows: int,
    budget: int = 4_000_000,
):
    """Blocks (start, stop) of date-sorted targets with the slice [lo, hi) of date-sorted known incidents
    that can precede them within `max_lag` days; a block is halved until rows × columns ≤ `budget`,
    so memory stays bounded whatever the number of incidents."""
    start = 0
    while start < len(target_days):
        size = rows
        while True:
            stop = min(len(target_days), start + size)
            lo = int(np.searchsorted(known_days, target_days[start] - max_lag, side="left"))
            hi = int(np.searchsorted(known_days, target_days[stop - 1], side="left"))
            if size == 1 or (stop - start) * (hi - lo + sites) <= budget:
                break
            size //= 2
        yield start, stop, lo, hi
        start = stop


def _nearest_per_cell(
    distance: np.ndarray, owner: np.ndarray, n_cells: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each row and each cell: the smallest distance among that cell's columns and its column index (−1 if none)."""
    best = np.full((distance.shape[0], n_cells), np.inf)
    at = np.full((distance.shape[0], n_cells), -1, dtype=np.int64)
    for cell in np.unique(owner):
        columns = np.flatnonzero(owner == cell)
        sub = distance[:, columns]
        k = np.argmin(sub, axis=1)
        value = sub[np.arange(sub.shape[0]), k]
        best[:, cell] = value
        at[:, cell] = np.where(np.isfinite(value), columns[k], -1)
    return best, at


def _empty_result() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "incident_id": pl.Int64,
            "rank": pl.Int64,
            "cell_id": pl.Int64,
            "probability": pl.Float64,
            "unexplained": pl.Float64,
            "nearest_site_id": pl.Int64,
            "site_km": pl.Float64,
            "nearest_incident_id": pl.Int64,
            "incident_km": pl.Float64,
            "incident_days": pl.Float64,
            "supporting": pl.Int64,
            "parameters": pl.Utf8,
        }
    )


def with_suggestions(incidents: pl.DataFrame, suggestions: pl.DataFrame) -> pl.DataFrame:
    """The incidents with ``suggested_cell`` and ``suggested_probability`` (rank-1 suggestion) added beside
    the reported ``attributed_to``, which is left exactly as it was."""
    best = suggestions.filter(pl.col("rank") == 1).select(
        "incident_id",
        pl.col("cell_id").alias("suggested_cell"),
        pl.col("probability").alias("suggested_probability"),
    )
    return incidents.join(best, on="incident_id", how="left")


def masked_check(
    incidents: pl.DataFrame,
    cell_sites: pl.DataFrame,
    cells: list[int] | None = None,
    fraction: float = 0.2,
    seed: int = 0,
    parameters: AttributionParameters = AttributionParameters(),
) -> dict:
    """How well the method recovers known attributions: hide the cell of a random `fraction` of the
    attributed incidents, suggest, and compare. Returns counts, top-1 and top-k accuracy, the mean
    probability given to the true cell, the baseline of always naming the most active cell, and a
    calibration table (rank-1 suggestions by stated probability: how many were right).
    Cost: one `suggest_attributions` run."""
    attributed = incidents.filter(pl.col("cell_id").is_not_null() & pl.col("lat").is_not_null())
    if attributed.is_empty():
        return {"hidden": 0}
    hidden = attributed.sample(fraction=fraction, seed=seed)
    truth = dict(hidden.select("incident_id", "cell_id").iter_rows())
    masked = incidents.filter(
        pl.col("cell_id").is_not_null() | pl.col("attributed_to").is_not_null()
    ).with_columns(
        pl.when(pl.col("incident_id").is_in(list(truth)))
        .then(None)
        .otherwise(pl.col("attributed_to"))
        .alias("attributed_to"),
        pl.when(pl.col("incident_id").is_in(list(truth)))
        .then(None)
        .otherwise(pl.col("cell_id"))
        .alias("cell_id"),
    )
    suggestions = suggest_attributions(masked, cell_sites, cells, parameters)
    scored = suggestions.with_columns(
        pl.col("incident_id")
        .replace_strict(truth, default=None, return_dtype=pl.Int64)
        .alias("truth")
    )
    hit = scored.filter(pl.col("cell_id") == pl.col("truth"))
    # Reliability diagram of the rank-1 suggestions: stated probability vs share correct, in fifths.
    calibration = (
        scored.filter(pl.col("rank") == 1)
        .with_columns(
            (pl.col("probability") * 5).floor().clip(upper_bound=4).cast(pl.Int64).alias("bin"),
            (pl.col("cell_id") == pl.col("truth")).alias("correct"),
        )
        .group_by("bin")
        .agg(
            pl.len().alias("suggestions"),
            pl.col("probability").mean().alias("mean_probability"),
            pl.col("correct").mean().alias("share_correct"),
        )
        .sort("bin")
        .with_columns(
            pl.format(
                "{}–{}", (pl.col("bin") * 0.2).round(1), ((pl.col("bin") + 1) * 0.2).round(1)
            ).alias("probability_bin")
        )
        .drop("bin")
    )
    most_active = (
        attributed.filter(~pl.col("incident_id").is_in(list(truth)))["cell_id"].mode().sort()[0]
    )
    return {
        "hidden": len(truth),
        "top1_accuracy": hit.filter(pl.col("rank") == 1).height / len(truth),
        f"top{parameters.top}_accuracy": hit["incident_id"].n_unique() / len(truth),
        "mean_probability_of_true_cell": float(hit["probability"].sum()) / len(truth),
        "baseline_most_active_cell": sum(1 for v in truth.values() if v == most_active)
        / len(truth),
        "calibration": calibration.to_dicts(),
        "fraction": fraction,
        "seed": seed,
    }
