"""Incident trends: counts per period, year-on-year change three ways, change points, leadership events.

Every function takes the incidents frame of `cellmap.store.views.incidents` (columns used: ``date``,
``date_precision``, ``type``, ``outcome`` and any grouping column such as ``admin1`` or ``area``) and
returns a Polars frame. Counting methods are those of `cellmap.incidents.vocabulary`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import cast

import numpy as np
import polars as pl
from scipy.stats import beta

from cellmap import model
from cellmap.incidents.vocabulary import COUNTING_METHODS, counting_method_filter

LEADERSHIP_ROLES: tuple[str, ...] = model.role_group("leadership")
#: Membership end reasons that count as a counter-terrorism removal.
REMOVAL_END_REASONS: tuple[str, ...] = ("killed", "arrested")

_PERIOD_TRUNCATE = {"month": "1mo", "year": "1y", "week": "1w"}
#: The dates precise enough to place an incident in a period of that length.
_PRECISE_ENOUGH = {
    "week": ("day", "week"),
    "month": ("day", "week", "month"),
    "year": ("day", "week", "month", "year"),
}


def precise_rows(incidents: pl.DataFrame | pl.LazyFrame, period: str) -> pl.LazyFrame:
    """The incidents with a date at least as precise as `period` (null precision counts as 'day')."""
    if period not in _PERIOD_TRUNCATE:
        raise ValueError(f"period: expected one of {', '.join(_PERIOD_TRUNCATE)}, got {period!r}")
    keep = pl.col("date").is_not_null()
    if "date_precision" in incidents.collect_schema().names():
        keep &= pl.col("date_precision").fill_null("day").is_in(list(_PRECISE_ENOUGH[period]))
    return incidents.lazy().filter(keep)


PERIOD_KEY = "__period_key"
_KEY_TABLE_DAYS = 100_000


def _period_key(period: str) -> pl.Expr:
    """An integer naming the `period` of ``date`` in date order: the year, 12·year + month − 1, or the
    week's Monday in days since 1970 (grouping on it is cheaper than on truncated dates)."""
    date = pl.col("date")
    if period == "year":
        return date.dt.year()
    if period == "month":
        return date.dt.year() * 12 + date.dt.month() - 1
    return date.dt.truncate(_PERIOD_TRUNCATE[period]).to_physical()


def period_keys(dates: pl.Series, period: str) -> pl.Series | pl.Expr:
    """`_period_key` of every date, read from a table of the dates' range of days (one NumPy gather
    instead of a calendar computation per row); the expression itself for weeks or a range over
    100,000 days. Null dates get an arbitrary key (callers drop them)."""
    days = dates.to_physical()
    if period not in ("year", "month") or days.null_count() == days.len():
        return _period_key(period)
    first, last = int(cast(int, days.min())), int(cast(int, days.max()))
    if last - first > _KEY_TABLE_DAYS:
        return _period_key(period)
    unit = "M8[Y]" if period == "year" else "M8[M]"
    since_1970 = np.arange(first, last + 1).astype("M8[D]").astype(unit).astype(np.int32)
    table = since_1970 + (1970 if period == "year" else 1970 * 12)
    offsets = days.fill_null(first).to_numpy() - first
    return pl.Series(PERIOD_KEY, table[offsets])


def period_of_key(key: pl.Expr, period: str) -> pl.Expr:
    """The first day of the period that `_period_key` named."""
    if period == "year":
        return pl.date(key, 1, 1)
    if period == "month":
        return pl.date(key // 12, key % 12 + 1, 1)
    return key.cast(pl.Date)


def grouped_by_period(
    incidents: pl.DataFrame,
    period: str,
    by: Sequence[str],
    aggregations: Sequence[pl.Expr],
    only_keys: Sequence[int] | None = None,
) -> pl.DataFrame:
    """``aggregations`` per period of the precise-enough incidents and per value of the `by` columns:
    columns period, *by, then the aggregations (unsorted). One hash group-by on an integer period key,
    O(n). `only_keys`: group only the periods of these keys (`_period_key`; for years, the year)."""
    keyed = incidents.with_columns(period_keys(incidents["date"], period).alias(PERIOD_KEY))
    rows = precise_rows(keyed, period)
    if only_keys is not None:
        rows = rows.filter(pl.col(PERIOD_KEY).is_in(list(only_keys)))
    return (
        rows.group_by(PERIOD_KEY, *by)
        .agg(*aggregations)
        .with_columns(period_of_key(pl.col(PERIOD_KEY), period).alias("period"))
        .drop(PERIOD_KEY)
        .select("period", *by, pl.exclude("period", *by))
        .collect()
    )


def period_counts(
    incidents: pl.DataFrame, period: str = "month", by: Sequence[str] = ("type", "outcome")
) -> pl.DataFrame:
    """Incident counts per `period` ('week', 'month' or 'year') and per value of the `by` columns.

    An incident is counted in a period only if its date is at least that precise (a month-precision
    date counts in its month and year, not in a week). One hash group-by: O(n).
    """
    return grouped_by_period(
        incidents, period, list(by), [pl.len().cast(pl.Int64).alias("incidents")]
    ).sort(["period", *by], nulls_last=True)


def _method_counts(method: str) -> pl.Expr:
    return counting_method_filter(method).sum().cast(pl.Int64).alias(method)


def counts_by_method(incidents: pl.DataFrame, period: str = "month") -> pl.DataFrame:
    """One row per period with the count under each counting method, zero-filled between first and last period."""
    counted = grouped_by_period(
        incidents, period, [], [_method_counts(method) for method in COUNTING_METHODS]
    )
    if counted.is_empty():
        return counted.sort("period")
    every = pl.DataFrame(
        {
            "period": pl.date_range(
                cast(dt.date, counted["period"].min()),
                cast(dt.date, counted["period"].max()),
                _PERIOD_TRUNCATE[period],
                eager=True,
            )
        }
    )
    return every.join(counted, on="period", how="left").fill_null(0).sort("period")


def rate_ratio_interval(
    previous: int, current: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Exact confidence interval for the ratio λ₁/λ₀ of two Poisson rates from counts `current`, `previous`.

    Conditional on N = n₀ + n₁, n₁ ~ Binomial(N, π) with π = λ₁/(λ₀+λ₁); the Clopper–Pearson interval
    for π, π_L = B(α/2; n₁, n₀+1) and π_U = B(1−α/2; n₁+1, n₀) (beta quantiles), maps to the ratio by
    R = π/(1−π). Reference: Armitage, Berry & Matthews, *Statistical Methods in Medical Research*
    (4th ed., 2002) §5.3; Clopper & Pearson (1934), Biometrika 26:404. O(1).
    Returns (low, high); high is +inf when `previous` is 0.
    """
    alpha = 1.0 - confidence
    low_pi = 0.0 if current == 0 else float(beta.ppf(alpha / 2, current, previous + 1))
    high_pi = 1.0 if previous == 0 else float(beta.ppf(1 - alpha / 2, current + 1, previous))
    low = low_pi / (1 - low_pi)
    high = math.inf if high_pi >= 1.0 else high_pi / (1 - high_pi)
    return low, high


def change_level(previous: int, current: int) -> float | None:
    """How firmly the counts say the rate moved in the direction they moved: 1 − the one-sided p-value
    of the exact conditional test behind `rate_ratio_interval` (given N = n₀ + n₁, n₁ ~ Binomial(N, ½)
    under equal rates). For a fall, 1 − P(X ≤ n₁); for a rise, 1 − P(X ≥ n₁), X ~ Binomial(N, ½); None when the
    counts are equal or both zero. Equal to the largest one-sided confidence at which
    `rate_ratio_interval` excludes a ratio of 1 (Armitage, Berry & Matthews 2002, §5.3). O(1).

    >>> round(change_level(71, 56), 3)  # 71 completed operations, then 56
    0.893
    """
    from scipy.stats import binom

    total = previous + current
    if total == 0 or previous == current:
        return None
    if current < previous:
        return float(1.0 - binom.cdf(current, total, 0.5))
    return float(1.0 - binom.sf(current - 1, total, 0.5))


def year_on_year(incidents: pl.DataFrame, year: int, confidence: float = 0.95) -> pl.DataFrame:
    """Change from `year`−1 to `year` under the three counting methods, side by side, with exact intervals.

    change = n_year / n_(year−1) − 1; interval from `rate_ratio_interval` (counts are small, so a normal
    approximation would mislead). One row per method: method, definition, previous, current, change,
    change_low, change_high (None when the previous count is 0). O(n).
    """
    yearly = grouped_by_period(
        incidents,
        "year",
        [],
        [_method_counts(method) for method in COUNTING_METHODS],
        only_keys=[year - 1, year],
    )
    counted = {row["period"].year: row for row in yearly.iter_rows(named=True)}
    rows = []
    for method, definition in COUNTING_METHODS.items():
        previous, current = (
            int(counted[y][method]) if y in counted else 0 for y in (year - 1, year)
        )
        low, high = rate_ratio_interval(previous, current, confidence)
        defined = previous > 0
        rows.append(
            {
                "method": method,
                "definition": definition,
                "year": year,
                "previous": previous,
                "current": current,
                "change": (current / previous - 1) if defined else None,
                "change_low": (low - 1) if defined else None,
                "change_high": (high - 1) if defined else None,
                "confidence": confidence,
            }
        )
    return pl.DataFrame(rows)


def change_points(
    series: pl.DataFrame, column: str, penalty: float | None = None, min_size: int = 3
) -> pl.DataFrame:
    """Change points in a count series (rows in time order, e.g. from `counts_by_method`).

    Method: PELT (Killick, Fearnhead & Eckley 2012, JASA 107:1590) with an L2 (mean-shift) cost on the
    Anscombe-transformed counts y = 2√(x + 3/8), whose variance is ≈ 1 for Poisson counts, and the BIC
    penalty 2·ln(n) unless `penalty` is given; implementation `ruptures` (Truong, Oudre & Vayatis 2020).
    Returns one row per change: the first period of the new segment and the mean counts before and after.
    Cost O(n) expected (PELT pruning), O(n²) worst case.
    """
    import ruptures

    counts = series[column].to_numpy().astype(float)
    empty = pl.DataFrame(
        schema={
            "period": series.schema.get("period", pl.Date),
            "mean_before": pl.Float64,
            "mean_after": pl.Float64,
        }
    )
    if len(counts) < 2 * min_size:
        return empty
    signal = 2.0 * np.sqrt(counts + 3.0 / 8.0)
    penalty = 2.0 * math.log(len(counts)) if penalty is None else penalty
    ends = (
        ruptures.Pelt(model="l2", min_size=min_size, jump=1)
        .fit(signal.reshape(-1, 1))
        .predict(pen=penalty)
    )
    bounds = [0, *ends]
    rows = []
    for start, cut, stop in zip(bounds[:-2], bounds[1:-1], bounds[2:], strict=False):
        rows.append(
            {
                "period": series["period"][cut],
                "mean_before": float(counts[start:cut].mean()),
                "mean_after": float(counts[cut:stop].mean()),
            }
        )
    return pl.DataFrame(rows, schema=empty.schema) if rows else empty


def leadership_events(
    relations: pl.DataFrame, roles: Sequence[str] = LEADERSHIP_ROLES
) -> pl.DataFrame:
    """Strikes, raids and arrests against holders of leadership `roles`, from the relations view.

    Two sources, both kept: ``ct_action`` relations whose target held such a role (attrs: date, action,
    outcome), and ``membership`` relations in such a role that ended with end_reason killed/arrested
    (date = valid_to); one row per person and day, merging both records of one strike. Returns date,
    person_id, role, event, source ('ct_action', 'membership' or both), relation_ids, sorted by date.
    O(r log r) for r relations.
    """
    leaders = relations.filter((pl.col("kind") == "membership") & pl.col("role").is_in(list(roles)))
    roles_held = leaders.group_by("source_id").agg(
        pl.col("role").unique().sort().str.join("/").alias("role")
    )
    ended = leaders.filter(
        pl.col("end_reason").is_in(list(REMOVAL_END_REASONS)) & pl.col("valid_to").is_not_null()
    )
    from_membership = ended.select(
        pl.col("valid_to").alias("date"),
        pl.col("source_id").alias("person_id"),
        "role",
        pl.col("end_reason").alias("event"),
        pl.lit("membership").alias("source"),
        "relation_id",
    )
    actions = relations.filter(pl.col("kind") == "ct_action").join(
        roles_held, left_on="target_id", right_on="source_id", how="inner", suffix="_held"
    )
    attrs = [json.loads(a or "{}") for a in actions["attrs"].to_list()]
    from_actions = pl.DataFrame(
        {
            "date": pl.Series([a.get("date") for a in attrs], dtype=pl.Utf8).str.to_date(
                strict=False
            ),
            "person_id": actions["target_id"],
            "role": actions["role_held"],
            "event": pl.Series([a.get("action") or "ct_action" for a in attrs], dtype=pl.Utf8),
            "source": pl.Series(["ct_action"] * actions.height, dtype=pl.Utf8),
            "relation_id": actions["relation_id"],
        },
        schema=from_membership.schema,
    )
    both = pl.concat([from_membership, from_actions.filter(pl.col("date").is_not_null())])
    # One row per person and day: a strike is often recorded both as a ct_action and as the end of memberships.
    return (
        both.group_by("date", "person_id")
        .agg(
            pl.col("role")
            .str.split("/")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .str.join("/"),
            pl.col("event").unique().sort().str.join("/"),
            pl.col("source").unique().sort().str.join("+"),
            pl.col("relation_id").sort().alias("relation_ids"),
        )
        .sort("date", "person_id")
    )


def timeline(
    incidents: pl.DataFrame, relations: pl.DataFrame | None = None, period: str = "month"
) -> pl.DataFrame:
    """Counts per period under the three methods, with the leadership events of each period on the same axis."""
    counts = counts_by_method(incidents, period)
    if relations is None or counts.is_empty():
        return counts.with_columns(pl.lit(None, dtype=pl.Utf8).alias("leadership_events"))
    events = leadership_events(relations).with_columns(
        pl.col("date").dt.truncate(_PERIOD_TRUNCATE[period]).alias("period")
    )
    per_period = events.group_by("period").agg(
        pl.format("{} {} ({})", "event", "person_id", "role")
        .sort()
        .str.join("; ")
        .alias("leadership_events")
    )
    return counts.join(per_period, on="period", how="left")
