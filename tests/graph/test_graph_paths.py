"""Paths and their evidence, against NetworkX path enumeration."""

from __future__ import annotations

import itertools

import igraph as ig
import networkx as nx
import numpy as np
import polars as pl
import pytest
from graph_helpers import UCINET_GRAPHS, to_networkx, ucinet_graph
from hypothesis import given, settings
from hypothesis import strategies as st

from cellmap.graph.paths import connect, k_shortest_paths, shortest_paths, simple_paths
from cellmap.graph.projection import person_graph


@pytest.fixture(scope="module", params=UCINET_GRAPHS[:5], ids=[p for _, p in UCINET_GRAPHS[:5]])
def pair(request):
    g = ucinet_graph(*request.param)
    return g, to_networkx(g)


def some_pairs(h: nx.Graph, count: int = 6):
    nodes = sorted(h.nodes)
    step = max(1, len(nodes) // count)
    return [(a, b) for a, b in itertools.combinations(nodes[::step], 2)][:12]


def test_all_shortest_paths(pair):
    g, h = pair
    for a, b in some_pairs(h):
        ours = shortest_paths(g, g.vs[a]["name"], g.vs[b]["name"])
        assert sorted(ours) == sorted(nx.all_shortest_paths(h, a, b))


def test_k_shortest_paths_lengths(pair):
    g, h = pair
    for a, b in some_pairs(h)[:4]:
        ours = k_shortest_paths(g, g.vs[a]["name"], g.vs[b]["name"], 5)
        theirs = list(itertools.islice(nx.shortest_simple_paths(h, a, b), 5))
        assert [len(p) for p in ours] == [len(p) for p in theirs]
        assert all(nx.is_simple_path(h, p) for p in ours)


def test_simple_paths_up_to_length(pair):
    g, h = pair
    for a, b in some_pairs(h)[:4]:
        ours = simple_paths(g, g.vs[a]["name"], g.vs[b]["name"], 3)
        assert sorted(map(tuple, ours)) == sorted(
            map(tuple, nx.all_simple_paths(h, a, b, cutoff=3))
        )


def test_evidence_lists_reports_and_weakest_grade():
    entities = pl.DataFrame(
        {
            "entity_id": [1, 2, 3],
            "key": ["P1", "P2", "P3"],
            "kind": ["person"] * 3,
            "name": ["Ali", "Badr", "Coulibaly"],
        }
    )
    relations = pl.DataFrame(
        {
            "relation_id": [10, 11, 12],
            "kind": ["communication", "meeting", "kinship"],
            "source_id": [1, 1, 2],
            "target_id": [2, 2, 3],
            "report_id": [100, 101, 102],
            "reliability": ["A", "E", "C"],
            "credibility": [2, 5, 4],
        }
    ).with_columns((pl.col("reliability") + pl.col("credibility").cast(pl.Utf8)).alias("grade"))
    g = person_graph(relations, entities)
    conn = connect(g, "P1", "Coulibaly")
    assert conn.paths["nodes"].to_list() == [["P1", "P2", "P3"]]
    # Step 1 rests on two reports (A2 and E5): its best is A2; step 2 on C4: the path is as strong as C4.
    assert conn.paths["weakest_grade"].to_list() == ["C4"]
    assert conn.steps.filter(pl.col("step") == 1)["report_id"].to_list() == [100, 101]
    assert set(conn.steps["grade"]) == {"A2", "E5", "C4"}
    none = connect(g, "P1", "P1")
    assert none.paths["length"].to_list() == [0]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 30), p=st.floats(0.03, 0.4), seed=st.integers(0, 10_000))
def test_bidirectional_search_finds_every_geodesic(n, p, seed):
    rng = np.random.default_rng(seed)
    g = ig.Graph(n=n, edges=[(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < p])
    g.vs["name"] = [str(i) for i in range(n)]
    h = to_networkx(g)
    for a, b in [(0, n - 1), (n // 2, 0), (1 % n, n - 1)]:
        expected = sorted(nx.all_shortest_paths(h, a, b)) if nx.has_path(h, a, b) else []
        assert shortest_paths(g, str(a), str(b)) == expected


def test_geodesic_listing_stops_at_the_limit():
    # Two hubs joined through 40 middle nodes on each of two layers: 1,600 geodesics.
    left, right = [f"l{i}" for i in range(40)], [f"r{i}" for i in range(40)]
    edges = (
        [("s", x) for x in left] + [(x, y) for x in left for y in right] + [(y, "t") for y in right]
    )
    g = ig.Graph.TupleList(edges)
    g.vs["label"] = g.vs["name"]
    assert len(shortest_paths(g, "s", "t", limit=100)) == 100
    assert len(shortest_paths(g, "s", "t", limit=5000)) == 1600
