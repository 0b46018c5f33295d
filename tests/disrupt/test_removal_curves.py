"""Incremental removal curves against the naive recomputation and against NetworkX."""

from __future__ import annotations

import random

import igraph as ig
import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellmap.disrupt import orders
from cellmap.disrupt.curves import Reachability, distance_curve, removal_curve, removal_curve_naive
from cellmap.disrupt.orders import measure_order, random_orders, recorded_order
from cellmap.disrupt.replay import removals_from_jjatt


def nx_curve(g: ig.Graph, order) -> list[tuple[int, int, float]]:
    """(largest component, components, F) after each removal, by NetworkX from scratch."""
    h = nx.Graph()
    h.add_nodes_from(range(g.vcount()))
    h.add_edges_from(g.get_edgelist())
    out = []
    for i in range(len(order) + 1):
        if i:
            h.remove_node(int(order[i - 1]))
        comps = [len(c) for c in nx.connected_components(h)]
        n = h.number_of_nodes()
        frag = 1.0 if n < 2 else 1 - sum(s * (s - 1) for s in comps) / (n * (n - 1))
        out.append((max(comps, default=0), len(comps), frag))
    return out


def random_requirements(rng, n, groups=2):
    reqs = []
    for gi in range(groups):
        items = int(rng.integers(0, 6))
        reqs.append(
            Reachability(
                f"cut_{gi}",
                [str(j) for j in range(items)],
                [rng.choice(n, size=int(rng.integers(0, 4))).tolist() for _ in range(items)],
                [rng.choice(n, size=int(rng.integers(0, 3))).tolist() for _ in range(items)],
            )
        )
    return reqs


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 40), p=st.floats(0.0, 0.3), seed=st.integers(0, 10_000), frac=st.floats(0, 1)
)
def test_incremental_equals_naive_on_random_graphs(n, p, seed, frac):
    rng = np.random.default_rng(seed)
    edges = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < p]
    g = ig.Graph(n=n, edges=edges)
    order = rng.permutation(n)[: int(round(frac * n))]
    reqs = random_requirements(rng, n)
    fast = removal_curve(g, order, reqs)
    slow = removal_curve_naive(g, order, reqs)
    assert fast.equals(slow)
    ref = nx_curve(g, order)
    assert fast["largest_component"].to_list() == [r[0] for r in ref]
    assert fast["components"].to_list() == [r[1] for r in ref]
    assert np.allclose(fast["fragmentation"].to_numpy(), [r[2] for r in ref], rtol=0, atol=1e-12)


def test_incremental_equals_naive_on_jjatt(jjatt):
    for name, (g, _) in jjatt.items():
        for order in (
            measure_order(g, "degree"),
            measure_order(g, "degree", adaptive=True),
            measure_order(g, "betweenness", k=10, adaptive=True),
            random_orders(g.vcount(), None, 1, 7)[0],
        ):
            assert removal_curve(g, order).equals(removal_curve_naive(g, order)), name
            ref = nx_curve(g, order)
            assert removal_curve(g, order)["largest_component"].to_list() == [r[0] for r in ref], (
                name
            )


def test_recorded_arrest_order_on_madrid(jjatt):
    g, nodes = jjatt["madrid_train_bombings_2004"]
    events = removals_from_jjatt(nodes)
    order, skipped = recorded_order(g, events)
    assert skipped.height == 0
    # Independent: every person with an arrest or a death date, once (README: 42 arrests, 7 deaths).
    dated = nodes.filter(pl.col("Arrest_Date").is_not_null() | pl.col("Death_Date").is_not_null())
    assert len(order) == dated.height
    # The real order is chronological: dates never go backwards.
    first = events.group_by("person").agg(pl.col("date").min())
    by_person = dict(first.iter_rows())
    dates = [by_person[g.vs[v]["name"]] for v in order]
    assert dates == sorted(dates)
    curve = removal_curve(g, order)
    assert curve.equals(removal_curve_naive(g, order))
    ref = nx_curve(g, order)
    assert curve["components"].to_list() == [r[1] for r in ref]


def test_reachability_by_hand():
    # Leader 0 -- 1 -- 2 (cell A: 2, 3), 2 -- 3; leader 0 -- 4 (cell B: 4)
    g = ig.Graph(n=5, edges=[(0, 1), (1, 2), (2, 3), (0, 4)])
    reach = Reachability("cells_cut", ["A", "B"], [[2, 3], [4]], [[0], [0]])
    curve = removal_curve(g, [1, 4, 0], [reach])
    # intact: both reach; after 1: A cut; after 4: B gone too; after 0: both cut.
    assert curve["cells_cut"].to_list() == [0, 1, 2, 2]


def test_distance_curve_against_networkx(jjatt):
    g, _ = jjatt["bali_bombings_2002"]
    order = measure_order(g, "degree", k=5)
    curve = distance_curve(g, order)
    h = nx.Graph()
    h.add_nodes_from(range(g.vcount()))
    h.add_edges_from(g.get_edgelist())
    n0 = g.vcount()
    for i, row in enumerate(curve.iter_rows(named=True)):
        if i:
            h.remove_node(order[i - 1])
        n = h.number_of_nodes()
        total = sum(
            1 / d for a, r in nx.all_pairs_shortest_path_length(h) for b, d in r.items() if a != b
        )
        assert row["distance_fragmentation"] == pytest.approx(1 - total / (n * (n - 1)), abs=1e-12)
        assert row["efficiency"] == pytest.approx(total / (n0 * (n0 - 1)), abs=1e-12)


@pytest.mark.parametrize("scan", [True, False], ids=["argmax", "heap"])
def test_adaptive_degree_heap_equals_recomputation(scan, monkeypatch):
    monkeypatch.setattr(orders, "ARGMAX_WORK", orders.ARGMAX_WORK if scan else 0)
    random.seed(3)  # igraph draws from Python's random module
    for trial in range(20):
        g = ig.Graph.Erdos_Renyi(n=30, p=0.15)
        if trial % 4 == 0:  # parallel ties count once each in degree
            g.add_edges(g.get_edgelist()[: g.ecount() // 3])
        fast = measure_order(g, "degree", adaptive=True)
        alive, slow = list(range(30)), []
        while alive:
            deg = g.induced_subgraph(alive).degree()
            best = max(range(len(alive)), key=lambda j: (deg[j], -alive[j]))
            slow.append(alive.pop(best))
        assert fast == slow


def test_jjatt_graphs_match_readme_counts(jjatt):
    # Counts verified by parsing in ../shared/datasets/jjatt_corenets/README.md (undirected pairs).
    expected = {
        "madrid_train_bombings_2004": (54, 226),
        "bali_bombings_2002": (27, 158),
        "vivace_bombing_cell_2005": (5, 10),
    }
    for name, (n, m) in expected.items():
        g, _ = jjatt[name]
        assert (g.vcount(), g.ecount()) == (n, m)


def test_partial_dates_as_written_in_the_public_files():
    import datetime as dt

    from cellmap.disrupt.replay import parse_partial_date

    assert parse_partial_date("11/13/2001") == (dt.date(2001, 11, 13), "day")
    assert parse_partial_date("11/?/2001") == (dt.date(2001, 11, 1), "month")
    assert parse_partial_date("?/?/2000") == (dt.date(2000, 1, 1), "year")
    assert parse_partial_date("6/?2005") == (dt.date(2005, 6, 1), "month")
    assert parse_partial_date("11/17/05") == (dt.date(2005, 11, 17), "day")
    assert parse_partial_date("1/13/98") == (dt.date(1998, 1, 13), "day")
    assert parse_partial_date(" ") == (None, None)
    with pytest.raises(ValueError, match="13/40/2001"):
        parse_partial_date("13/40/2001")


def test_every_public_jjatt_removal_date_parses(jjatt):
    for name, (_g, nodes) in jjatt.items():
        events = removals_from_jjatt(nodes)
        assert events["date"].min().year >= 1980 and events["date"].max().year <= 2025, name
