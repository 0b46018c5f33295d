"""Kaplan–Meier against published figures and a hand computation; role tenures from relations."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from cellmap.disrupt.tenure import (
    kaplan_meier,
    median_survival,
    role_tenures,
    survival_at,
    tenure_summary,
)

# Freireich et al. (1963) leukaemia remission times, 6-MP arm (weeks; + = censored), as analysed by
# Gehan (1965) and in Kleinbaum & Klein, "Survival Analysis: A Self-Learning Text", ch. 2: KM estimates
# 0.857 (6), 0.807 (7), 0.753 (10), 0.690 (13), 0.627 (16), 0.538 (22), 0.448 (23); median 23 weeks.
SIX_MP = [
    6,
    6,
    6,
    "6+",
    7,
    "9+",
    10,
    "10+",
    "11+",
    13,
    16,
    "17+",
    "19+",
    "20+",
    22,
    23,
    "25+",
    "32+",
    "32+",
    "34+",
    "35+",
]


def parse(values):
    return ([float(str(v).rstrip("+")) for v in values], [not str(v).endswith("+") for v in values])


def test_kaplan_meier_six_mp_published_values():
    table = kaplan_meier(*parse(SIX_MP))
    published = {6: 0.857, 7: 0.807, 10: 0.753, 13: 0.690, 16: 0.627, 22: 0.538, 23: 0.448}
    for t, s in published.items():
        assert survival_at(table, t) == pytest.approx(s, abs=5e-4)
    assert median_survival(table) == 23
    row = table.filter(pl.col("time") == 6).row(0, named=True)
    assert (row["at_risk"], row["events"], row["censored"]) == (21, 3, 1)
    # log(-log) Greenwood band at t = 6 (R survival, conf.type = "log-log"): 0.620 - 0.952.
    assert row["ci_low"] == pytest.approx(0.620, abs=5e-4)
    assert row["ci_high"] == pytest.approx(0.952, abs=5e-4)
    assert survival_at(table, 40) is None  # last observation censored: S(40) unknown


def test_kaplan_meier_by_hand():
    table = kaplan_meier([1, 2, 2, 3, 4, 4, 5], [1, 1, 0, 1, 0, 1, 1])
    # 6/7, ·5/6, ·3/4, ·2/3, ·0/1
    assert table["survival"].to_list() == pytest.approx([6 / 7, 5 / 7, 15 / 28, 5 / 14, 0.0])
    assert table["at_risk"].to_list() == [7, 6, 4, 3, 1]
    assert median_survival(table) == 4
    assert survival_at(table, 9) == 0.0


def test_kaplan_meier_against_lifelines_if_available():
    lifelines = pytest.importorskip("lifelines")
    durations, observed = parse(SIX_MP)
    fit = lifelines.KaplanMeierFitter().fit(durations, observed)
    table = kaplan_meier(durations, observed)
    for t, s in zip(table["time"], table["survival"], strict=False):
        assert float(fit.survival_function_at_times(t).iloc[0]) == pytest.approx(s)
    assert fit.median_survival_time_ == median_survival(table)


def test_role_tenures_from_membership_relations():
    d = dt.date
    rel = pl.DataFrame(
        {
            "kind": ["membership"] * 5 + ["communication"],
            "source_id": [1, 1, 2, 3, 4, 1],
            "target_id": [10, 10, 10, 11, 11, 2],
            "role": ["leader", "leader", "leader", "cell_head", "fighter", None],
            "valid_from": [
                d(2019, 1, 1),
                d(2019, 1, 1),
                d(2020, 1, 1),
                d(2019, 6, 1),
                d(2019, 1, 1),
                d(2019, 1, 1),
            ],
            "valid_to": [d(2019, 12, 31), d(2019, 6, 1), None, d(2020, 6, 1), None, None],
            "end_reason": ["killed", "left", None, "left", None, None],
            "reliability": ["B", "E", "B", "C", "C", "C"],
            "credibility": [2, 5, 2, 3, 3, 3],
            "attrs": [json.dumps({})] * 6,
        }
    )
    ten = role_tenures(rel, study_end=d(2021, 1, 1))
    # person 1's two reports of one holding: the B2 report wins (killed on 2019-12-31).
    assert ten.sort("person")["days"].to_list() == [364, 366, 366]
    assert ten.sort("person")["eliminated"].to_list() == [True, False, False]
    summary = tenure_summary(ten).row(0, named=True)
    assert summary["holdings"] == 2 and summary["eliminated"] == 1
