"""Coherence: correlations against numpy, the shift null, hops and disjoint paths against NetworkX, labels."""

import datetime as dt

import networkx as nx
import numpy as np
import polars as pl
import pytest

from cellmap.incidents import coherence

START = dt.date(2021, 1, 4)  # a Monday
CAMPAIGNS = pl.DataFrame(
    {
        "campaign_id": [1, 2, 3, 4],
        "name": ["c1", "c2", "c3", "c4"],
        "start": [
            dt.date(2021, 2, 1),
            dt.date(2021, 6, 7),
            dt.date(2021, 10, 4),
            dt.date(2022, 3, 7),
        ],
        "end": [
            dt.date(2021, 2, 21),
            dt.date(2021, 6, 27),
            dt.date(2021, 10, 24),
            dt.date(2022, 3, 27),
        ],
    }
)


def synthetic_incidents():
    rng = np.random.default_rng(7)
    rows, number = [], 0
    for campaign_start, campaign_end in CAMPAIGNS.select("start", "end").iter_rows():
        for _ in range(6):  # cell 1 strikes inside campaigns
            number += 1
            offset = int(rng.integers(0, (campaign_end - campaign_start).days + 1))
            rows.append((number, campaign_start + dt.timedelta(days=offset), 1))
    for _ in range(24):  # cell 2 keeps its own steady schedule, every 4 weeks
        number += 1
        rows.append((number, START + dt.timedelta(days=28 * (number % 24) + 3), 2))
    return pl.DataFrame(rows, schema=["incident_id", "date", "cell_id"], orient="row")


def test_correlation_matches_numpy_and_null_is_a_probability():
    incidents = synthetic_incidents()
    table = coherence.temporal_coherence(incidents, CAMPAIGNS, [1, 2], START, dt.date(2022, 6, 26))
    weeks = coherence._weeks(START, dt.date(2022, 6, 26))
    matrix = coherence.weekly_series(incidents, [1, 2], weeks)
    calendar = coherence.campaign_calendar(CAMPAIGNS, weeks)
    assert calendar.max() == 1.0 and calendar.sum() == pytest.approx(
        12.0
    )  # 4 campaigns × 3 full weeks
    rows = {r["cell_id"]: r for r in table.to_dicts()}
    assert rows[1]["r_campaign"] == pytest.approx(np.corrcoef(matrix[0], calendar)[0, 1])
    assert rows[2]["r_campaign"] == pytest.approx(np.corrcoef(matrix[1], calendar)[0, 1])
    assert rows[1]["p_campaign"] <= 0.01 < rows[2]["p_campaign"]
    assert 0 < rows[2]["p_campaign"] <= 1 and rows[1]["incidents"] == 24


def command_relations():
    # leader 100, council member 101; sector 50; cells 1, 2, 3; persons 10.. ; organisation 900 (left out)
    rows = [
        ("membership", 100, 900, "person", "organisation", "leader"),
        ("membership", 101, 900, "person", "organisation", "council_member"),
        (
            "membership",
            11,
            900,
            "person",
            "organisation",
            "member",
        ),  # would short-cut through the org
        ("membership", 10, 50, "person", "sector", "sector_head"),
        ("command", 100, 10, "person", "person", None),
        ("command", 101, 10, "person", "person", None),
        ("part_of", 1, 50, "cell", "sector", None),
        ("membership", 11, 1, "person", "cell", "cell_head"),
        (
            "command",
            101,
            11,
            "person",
            "person",
            None,
        ),  # cell 1: via sector head and via its own head
        ("part_of", 2, 50, "cell", "sector", None),  # cell 2: only through the sector
        ("membership", 12, 3, "person", "cell", "cell_head"),  # cell 3: no link upward
        ("part_of", 50, 900, "sector", "organisation", None),
    ]
    return pl.DataFrame(
        rows,
        schema=["kind", "source_id", "target_id", "source_kind", "target_kind", "role"],
        orient="row",
    ).with_columns(
        pl.lit(None, dtype=pl.Date).alias("valid_from"),
        pl.lit(None, dtype=pl.Date).alias("valid_to"),
    )


def test_hops_and_disjoint_paths_match_networkx():
    relations = command_relations()
    table = {
        r["cell_id"]: r for r in coherence.structural_coherence(relations, [1, 2, 3]).to_dicts()
    }
    g = nx.Graph()
    leaders = {100, 101}
    for _kind, s, t, sk, tk, _ in relations.select(
        "kind", "source_id", "target_id", "source_kind", "target_kind", "role"
    ).iter_rows():
        if "organisation" in (sk, tk):
            continue
        g.add_edge("L" if s in leaders else s, "L" if t in leaders else t)
    g.add_node(3)
    for cell in (1, 2):
        assert table[cell]["hops"] == nx.shortest_path_length(g, cell, "L")
        assert table[cell]["independent_paths"] == len(list(nx.node_disjoint_paths(g, cell, "L")))
    assert (table[1]["hops"], table[1]["independent_paths"]) == (2, 2)  # 1–11–L and 1–50–10–L
    assert (table[2]["hops"], table[2]["independent_paths"]) == (3, 1)
    assert table[3]["hops"] is None and table[3]["independent_paths"] == 0


def test_labels_follow_the_rule():
    rule = coherence.CoherenceRule()
    base = {"incidents": 20, "r_peers": 0.0, "p_peers": 0.5}
    strong_linked = {
        **base,
        "r_campaign": 0.5,
        "p_campaign": 0.001,
        "hops": 3,
        "independent_paths": 2,
    }
    assert coherence.label_cell(strong_linked, rule)[0] == "coordinated"
    assert (
        coherence.label_cell({**strong_linked, "hops": None, "independent_paths": 0}, rule)[0]
        == "partly"
    )
    assert coherence.label_cell({**strong_linked, "r_campaign": 0.1}, rule)[0] == "partly"
    none = {**strong_linked, "r_campaign": 0.05, "p_campaign": 0.4}
    label, reason = coherence.label_cell(none, rule)
    assert label == "autonomous" and "r=0.05 with campaigns" in reason and "3 hops" in reason
    assert coherence.label_cell({**none, "incidents": 3}, rule)[0] == "undetermined"


def test_end_to_end_labels_on_synthetic_cells():
    relations = command_relations()
    table = coherence.coherence(
        synthetic_incidents(), CAMPAIGNS, relations, [1, 2], START, dt.date(2022, 6, 26)
    )
    labels = dict(table.select("cell_id", "label").iter_rows())
    assert labels == {1: "coordinated", 2: "autonomous"}
