"""Strike simulations: a removal order and its curves, single runs and Monte Carlo.

:func:`attack_curve` joins the incremental component curve (:mod:`cellmap.disrupt.curves`) with
the distance measures when they are asked for. :func:`monte_carlo` runs many random orders and
summarises every metric per step by its mean and an equal-tailed percentile band.
"""

from __future__ import annotations

from collections.abc import Sequence

import igraph as ig
import numpy as np
import polars as pl

from cellmap.disrupt.curves import Reachability, distance_curve, removal_curve
from cellmap.disrupt.orders import random_orders

__all__ = ["attack_curve", "monte_carlo", "curve_metrics"]

BASE_METRICS = ("largest_share", "components", "fragmentation")


def curve_metrics(curve: pl.DataFrame) -> list[str]:
    """Metric columns of a curve (everything except the bookkeeping columns)."""
    skip = {
        "step",
        "removed",
        "removed_index",
        "remaining",
        "largest_component",
        "distance_sources",
        "run",
        "date",
        "strategy",
    }
    return [c for c in curve.columns if c not in skip]


def attack_curve(
    g: ig.Graph,
    order: Sequence[int],
    reachability: Sequence[Reachability] = (),
    distances: int | str | None = None,
    seed: int = 0,
) -> pl.DataFrame:
    """The curve of one removal order: one row per state (step 0 = intact network).

    ``distances``: None (component measures only, incremental, O(n + m + Σ deg)), ``"all"``
    (exact DF and efficiency at every state, O(k · n · (n + m))) or an int S (estimated from S
    sampled sources, O(k · S · (n + m)); see :func:`cellmap.disrupt.curves.distance_curve`).
    """
    curve = removal_curve(g, order, reachability)
    if distances is None or distances == "none":
        return curve
    sample = None if distances == "all" else int(distances)
    return curve.join(distance_curve(g, order, sample=sample, seed=seed), on="step", how="left")


def monte_carlo(
    g: ig.Graph,
    k: int | None,
    runs: int,
    seed: int,
    reachability: Sequence[Reachability] = (),
    band: float = 0.95,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Random removal orders (``runs`` of them, ``k`` removals each, reproducible for ``seed``).

    Returns (all runs: the curves stacked with a ``run`` column; summary: per step and metric the
    mean and the ``band`` equal-tailed percentile interval, columns ``<metric>_mean``,
    ``<metric>_lo``, ``<metric>_hi``). Cost: O(runs · (n + m + Σ deg)).
    """
    orders = random_orders(g.vcount(), k, runs, seed)
    curves = [
        removal_curve(g, order, reachability).with_columns(pl.lit(r).alias("run"))
        for r, order in enumerate(orders)
    ]
    if not curves:
        raise ValueError("monte carlo: runs must be at least 1")
    stacked = pl.concat(curves)
    lo_q, hi_q = (1 - band) / 2, 1 - (1 - band) / 2
    metrics = curve_metrics(stacked)
    summary = (
        stacked.group_by("step")
        .agg(
            [pl.col(m).cast(pl.Float64).mean().alias(f"{m}_mean") for m in metrics]
            + [
                pl.col(m).cast(pl.Float64).quantile(lo_q, "linear").alias(f"{m}_lo")
                for m in metrics
            ]
            + [
                pl.col(m).cast(pl.Float64).quantile(hi_q, "linear").alias(f"{m}_hi")
                for m in metrics
            ]
            + [pl.len().alias("runs")]
        )
        .sort("step")
    )
    return stacked, summary


def summary_at(summary: pl.DataFrame, metric: str) -> np.ndarray:
    """(steps × 3) array of mean, lo, hi of one metric from a Monte Carlo summary."""
    return summary.select(f"{metric}_mean", f"{metric}_lo", f"{metric}_hi").to_numpy()
