"""Leadership tenure: how long holders of a role survive in post (Kaplan–Meier).

The seed claims that "any activist who rises to a position of commitment will sooner or later be
eliminated". With the role history of the store (membership relations with a role, a start, an
end and an end reason) each holding of a critical role is one observation: its duration in post,
and whether it ended by *elimination* (end reason killed or arrested — the event) or not (still in
post at the end of the data, or left / replaced / released / unknown — censored: we only know the
holder survived at least that long).

Kaplan–Meier product-limit estimator (Kaplan & Meier 1958):
``S(t) = Π_{t_i ≤ t} (1 - d_i / n_i)`` over the distinct event times t_i, with d_i events at t_i
and n_i holdings still at risk just before t_i (censored at t_i counts as at risk: censoring is
taken to happen just after the events of the same time). Variance by Greenwood's formula
``Var S(t) = S(t)² Σ_{t_i ≤ t} d_i / (n_i (n_i - d_i))``; the confidence band uses the log(-log)
transform (Kalbfleisch & Prentice 2002), which keeps it inside [0, 1]. The median tenure is the
smallest t with S(t) ≤ 0.5 (undefined — None — when the curve never gets there).
Cost: O(h log h) for h holdings.

References
----------
Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations.
JASA 53(282), 457-481.
Greenwood, M. (1926). The natural duration of cancer. Reports on Public Health 33.
Kalbfleisch, J. D. & Prentice, R. L. (2002). The Statistical Analysis of Failure Time Data, 2nd ed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist
from typing import cast

import numpy as np
import polars as pl

from cellmap import model

__all__ = [
    "kaplan_meier",
    "median_survival",
    "role_tenures",
    "tenure_summary",
    "survival_at",
    "ELIMINATING_END_REASONS",
    "CRITICAL_ROLES",
]

ELIMINATING_END_REASONS = ("killed", "arrested")
CRITICAL_ROLES = model.role_group("critical")
_RELIABILITY_RANK = {c: i for i, c in enumerate("ABCDEF")}


def kaplan_meier(
    durations: Sequence[float] | np.ndarray,
    observed: Sequence[bool] | np.ndarray,
    confidence: float = 0.95,
) -> pl.DataFrame:
    """Kaplan–Meier survival table: one row per distinct time (events or censorings).

    Columns: ``time, at_risk, events, censored, survival, ci_low, ci_high``; survival is the
    product-limit estimate just after ``time``. Durations must be ≥ 0.
    """
    t = np.asarray(durations, dtype=np.float64)
    e = np.asarray(observed, dtype=bool)
    if t.shape != e.shape:
        raise ValueError("kaplan_meier: durations and observed differ in length")
    if t.size and (np.isnan(t).any() or t.min() < 0):
        raise ValueError("kaplan_meier: durations must be non-negative numbers")
    times, inverse = np.unique(t, return_inverse=True)
    events = np.bincount(inverse, weights=e, minlength=times.size).astype(np.int64)
    total = np.bincount(inverse, minlength=times.size).astype(np.int64)
    # at risk just before each time: all minus those who left earlier (empty input: no rows)
    at_risk = t.size - np.concatenate([[0], np.cumsum(total)])[: times.size].astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = 1.0 - events / at_risk
        survival = np.cumprod(factor)
        greenwood = np.cumsum(
            np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.inf)
        )
        z = NormalDist().inv_cdf(0.5 + confidence / 2)
        log_s = np.log(survival)
        half = z * np.sqrt(greenwood) / np.abs(log_s)
        low = survival ** np.exp(half)
        high = survival ** np.exp(-half)
    defined = (survival > 0) & (survival < 1) & np.isfinite(half)
    low = np.where(defined, low, np.where(survival >= 1, 1.0, 0.0))
    high = np.where(defined, high, np.where(survival >= 1, 1.0, 0.0))
    return pl.DataFrame(
        {
            "time": times,
            "at_risk": at_risk,
            "events": events,
            "censored": total - events,
            "survival": survival,
            "ci_low": low,
            "ci_high": high,
        }
    )


def median_survival(table: pl.DataFrame) -> float | None:
    """Smallest time at which the Kaplan–Meier survival is ≤ 0.5, else None."""
    hit = table.filter(pl.col("survival") <= 0.5)
    return float(hit["time"][0]) if hit.height else None


def role_tenures(
    relations: pl.DataFrame,
    roles: Iterable[str] = CRITICAL_ROLES,
    eliminating: Iterable[str] = ELIMINATING_END_REASONS,
    study_end: dt.date | None = None,
) -> pl.DataFrame:
    """One row per holding of a role: ``person, role, unit, start, end, days, eliminated, end_reason``.

    Input: membership relations shaped like ``cellmap.store.views.relations`` (``source_id`` the
    person, ``target_id`` the unit, ``role, valid_from, valid_to, end_reason``; ``reliability`` and
    ``credibility`` if present). Several statements of one holding (same person, role, unit and
    start) are reduced to the best-graded one. A holding without a start cannot be timed and is
    dropped. An open holding (no end) is censored at ``study_end`` (default: the latest date in the
    relations). ``eliminated`` is true when the end reason is in ``eliminating``. O(r log r).
    """
    roles, eliminating = list(roles), list(eliminating)
    mem = relations.filter(
        (pl.col("kind") == "membership")
        & pl.col("role").is_in(roles)
        & pl.col("valid_from").is_not_null()
    )
    if study_end is None:
        dates = pl.concat(
            [relations["valid_from"].drop_nulls(), relations["valid_to"].drop_nulls()]
        )
        study_end = cast(dt.date, dates.max()) if dates.len() else None
    rank = []
    if "reliability" in mem.columns:
        mem = mem.with_columns(
            pl.col("reliability").replace_strict(_RELIABILITY_RANK, default=9).alias("_rel")
        )
        rank = ["_rel", "credibility"]
    mem = mem.sort(["source_id", "role", "target_id", "valid_from", *rank], nulls_last=True).unique(
        subset=["source_id", "role", "target_id", "valid_from"], keep="first", maintain_order=True
    )
    out = mem.select(
        pl.col("source_id").alias("person"),
        "role",
        pl.col("target_id").alias("unit"),
        pl.col("valid_from").alias("start"),
        pl.col("valid_to").fill_null(pl.lit(study_end, dtype=pl.Date)).alias("end"),
        pl.col("end_reason"),
        (pl.col("valid_to").is_not_null() & pl.col("end_reason").is_in(eliminating)).alias(
            "eliminated"
        ),
    ).with_columns((pl.col("end") - pl.col("start")).dt.total_days().alias("days"))
    return out.filter(pl.col("days") >= 0)


def tenure_summary(
    tenures: pl.DataFrame,
    by: str = "role_group",
    groups: Mapping[str, Sequence[str]] | None = None,
) -> pl.DataFrame:
    """Median tenure and elimination counts per group of roles.

    ``groups`` maps a group name to roles (default: ``leader`` alone, and every critical role).
    Columns: ``group, holdings, eliminated, censored, median_days, survival_1y, survival_2y``.
    """
    groups = groups or {"leader": ["leader"], "critical roles": list(CRITICAL_ROLES)}
    rows = []
    for name, roles in groups.items():
        sub = tenures.filter(pl.col("role").is_in(list(roles)))
        table = kaplan_meier(sub["days"].to_numpy(), sub["eliminated"].to_numpy())
        rows.append(
            {
                by: name,
                "holdings": sub.height,
                "eliminated": int(sub["eliminated"].sum()),
                "censored": sub.height - int(sub["eliminated"].sum()),
                "median_days": median_survival(table),
                "survival_1y": survival_at(table, 365.0),
                "survival_2y": survival_at(table, 730.0),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            by: pl.String,
            "holdings": pl.Int64,
            "eliminated": pl.Int64,
            "censored": pl.Int64,
            "median_days": pl.Float64,
            "survival_1y": pl.Float64,
            "survival_2y": pl.Float64,
        },
    )


def survival_at(table: pl.DataFrame, t: float) -> float | None:
    """S(t) from a Kaplan–Meier table (a step function); beyond the last observed time it is known
    only if the curve has reached 0, else None."""
    if table.height == 0:
        return None
    if t > cast(float, table["time"].max()):
        return 0.0 if float(table["survival"][-1]) == 0.0 else None
    before = table.filter(pl.col("time") <= t)
    return float(before["survival"][-1]) if before.height else 1.0
