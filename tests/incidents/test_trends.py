"""Trends: the three year-on-year methods on a hand-made file, exact intervals, change points, leadership events.

`data/yoy_hand.jsonl` holds 108 incidents written to these hand counts:
  2021: completed operations 16 attack + 4 jail_attack = 20; failed 5 + aborted 3 + foiled 2 → operations 30;
        small-scale ied 10, threat 8, theft 6, kidnapping 3, assassination 2, extortion 1 = 30 → all 60.
  2022: completed operations 8 + 1 = 9; failed 6 + aborted 4 + foiled 1 → operations 20;
        small-scale 10 + 8 + 5 + 2 + 2 + 1 = 28 → all 48 (one 2022 threat is dated to the year only).
So year-on-year 2022: 9/20 − 1 = −55 %, 20/30 − 1 = −33.3 %, 48/60 − 1 = −20 %.
"""

import datetime as dt
import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from cellmap.incidents import trends


def test_year_on_year_three_methods_by_hand(hand_incidents):
    table = {r["method"]: r for r in trends.year_on_year(hand_incidents, 2022).to_dicts()}
    assert (
        table["completed_operations"]["previous"],
        table["completed_operations"]["current"],
    ) == (20, 9)
    assert (table["all_operations"]["previous"], table["all_operations"]["current"]) == (30, 20)
    assert (table["all_incidents"]["previous"], table["all_incidents"]["current"]) == (60, 48)
    assert table["completed_operations"]["change"] == pytest.approx(-0.55)
    assert table["all_operations"]["change"] == pytest.approx(-1 / 3)
    assert table["all_incidents"]["change"] == pytest.approx(-0.20)


@pytest.mark.parametrize("previous,current", [(20, 9), (30, 20), (60, 48), (5, 0), (3, 11)])
def test_rate_ratio_interval_matches_binomial_tails(previous, current):
    # Independent check of the Clopper–Pearson bounds through the binomial tail probabilities:
    # P(X >= n1 | N, pi_L) = alpha/2 and P(X <= n1 | N, pi_U) = alpha/2, with R = pi / (1 - pi).
    low, high = trends.rate_ratio_interval(previous, current, 0.95)
    total = previous + current
    if current > 0:
        pi_low = low / (1 + low)
        assert binom.sf(current - 1, total, pi_low) == pytest.approx(0.025, abs=1e-9)
    else:
        assert low == 0
    pi_high = high / (1 + high)
    assert binom.cdf(current, total, pi_high) == pytest.approx(0.025, abs=1e-9)
    assert low <= current / previous <= high


def test_interval_contains_point_and_is_reported(hand_incidents):
    row = (
        trends.year_on_year(hand_incidents, 2022)
        .filter(pl.col("method") == "completed_operations")
        .row(0, named=True)
    )
    assert row["change_low"] < -0.55 < row["change_high"]
    assert row["change_low"] > -1 and row["change_high"] < 0.5


def test_monthly_counts_leave_out_year_precision_dates(hand_incidents):
    monthly = trends.counts_by_method(hand_incidents, "month")
    in_2022 = monthly.filter(pl.col("period").dt.year() == 2022)
    assert in_2022["all_incidents"].sum() == 47
    assert monthly.height == 24  # zero-filled Jan 2021 .. Dec 2022
    yearly = trends.period_counts(hand_incidents, "year", by=["type"])
    threats_2022 = yearly.filter(
        (pl.col("period").dt.year() == 2022) & (pl.col("type") == "threat")
    )
    assert threats_2022["incidents"].item() == 8


incident_rows = st.lists(
    st.tuples(
        st.dates(dt.date(2019, 1, 1), dt.date(2022, 12, 31)),
        st.sampled_from(["attack", "jail_attack", "ied", "threat", "theft", "other"]),
        st.sampled_from(["completed", "failed", "aborted", "foiled", "unknown"]),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=40, deadline=None)
@given(incident_rows)
def test_methods_nest_and_match_plain_counts(rows):
    frame = pl.DataFrame(rows, schema=["date", "type", "outcome"], orient="row").with_columns(
        pl.lit("day").alias("date_precision")
    )
    monthly = trends.counts_by_method(frame, "month")
    assert (monthly["completed_operations"] <= monthly["all_operations"]).all()
    assert (monthly["all_operations"] <= monthly["all_incidents"]).all()
    assert monthly["all_incidents"].sum() == len(rows)
    operations = sum(1 for _, kind, _ in rows if kind in ("attack", "jail_attack"))
    completed = sum(
        1
        for _, kind, outcome in rows
        if kind in ("attack", "jail_attack") and outcome == "completed"
    )
    assert (monthly["all_operations"].sum(), monthly["completed_operations"].sum()) == (
        operations,
        completed,
    )


def test_change_point_found_at_a_clear_level_shift():
    months = pl.date_range(dt.date(2019, 1, 1), dt.date(2022, 12, 1), "1mo", eager=True)
    counts = [20, 22, 19, 21] * 6 + [5, 4, 6, 5] * 6
    found = trends.change_points(pl.DataFrame({"period": months, "n": counts}), "n")
    assert found["period"].to_list() == [dt.date(2021, 1, 1)]
    assert found.row(0, named=True)["mean_before"] == pytest.approx(20.5)
    assert found.row(0, named=True)["mean_after"] == pytest.approx(5.0)


def test_leadership_events_from_memberships_and_ct_actions():
    relations = pl.DataFrame(
        {
            "relation_id": [1, 2, 3, 4],
            "kind": ["membership", "membership", "ct_action", "membership"],
            "source_id": [10, 11, 99, 12],
            "target_id": [1, 1, 11, 1],
            "role": ["leader", "council_member", None, "fighter"],
            "valid_to": [dt.date(2020, 3, 4), None, None, dt.date(2021, 1, 1)],
            "end_reason": ["killed", None, None, "arrested"],
            "attrs": [
                "{}",
                "{}",
                json.dumps({"date": "2022-06-02", "action": "raid", "outcome": "captured"}),
                "{}",
            ],
        }
    )
    events = trends.leadership_events(relations)
    assert events.select("date", "person_id", "role", "event").rows() == [
        (dt.date(2020, 3, 4), 10, "leader", "killed"),
        (dt.date(2022, 6, 2), 11, "council_member", "raid"),
    ]


@pytest.mark.parametrize(
    "span_days", [3_000, 200_000]
)  # a key table, and the expression (> 100,000 days)
@pytest.mark.parametrize("period", ["week", "month", "year"])
def test_period_counts_equal_a_plain_truncation(period, span_days):
    # Independent computation: truncate each date with Polars' own calendar and count.
    start = dt.date(1800, 3, 15) if span_days > 100_000 else dt.date(2019, 12, 30)
    days = [start + dt.timedelta(days=(k * 7919) % span_days) for k in range(400)]
    frame = pl.DataFrame(
        {
            "date": [None if k % 37 == 0 else d for k, d in enumerate(days)],
            "date_precision": [["day", "week", "month", "year", None][k % 5] for k in range(400)],
            "type": [["attack", "ied"][k % 2] for k in range(400)],
        }
    )
    precise = {"week": ("day", "week"), "month": ("day", "week", "month")}.get(period)
    kept = frame.filter(pl.col("date").is_not_null())
    if precise:
        kept = kept.filter(pl.col("date_precision").fill_null("day").is_in(list(precise)))
    truncate = {"week": "1w", "month": "1mo", "year": "1y"}[period]
    expected = (
        kept.group_by(pl.col("date").dt.truncate(truncate).alias("period"), "type")
        .agg(pl.len().cast(pl.Int64).alias("incidents"))
        .sort("period", "type")
    )
    got = trends.period_counts(frame, period, by=["type"])
    assert got.equals(expected)
