"""Borgatti's F and DF against an independent NetworkX computation."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellmap.graph.fragmentation import distance_fragmentation, fragmentation


def nx_fragmentation(h: nx.Graph) -> float:
    n = h.number_of_nodes()
    if n < 2:
        return 1.0
    reach = sum(len(c) * (len(c) - 1) for c in nx.connected_components(h))
    return 1 - reach / (n * (n - 1))


def nx_distance_fragmentation(h: nx.Graph) -> float:
    n = h.number_of_nodes()
    if n < 2:
        return 1.0
    total = sum(
        1 / d for i, row in nx.all_pairs_shortest_path_length(h) for j, d in row.items() if i != j
    )
    return 1 - total / (n * (n - 1))


def to_nx(g: ig.Graph) -> nx.Graph:
    h = nx.Graph()
    h.add_nodes_from(range(g.vcount()))
    h.add_edges_from(g.get_edgelist())
    return h


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 25), p=st.floats(0.0, 0.4), seed=st.integers(0, 10_000))
def test_matches_networkx_on_random_graphs(n, p, seed):
    import random

    random.seed(seed)
    g = ig.Graph.Erdos_Renyi(n=n, p=p) if n else ig.Graph()
    h = to_nx(g)
    assert fragmentation(g) == pytest.approx(nx_fragmentation(h), abs=1e-12)
    assert distance_fragmentation(g) == pytest.approx(nx_distance_fragmentation(h), abs=1e-12)


def test_known_values():
    assert fragmentation(ig.Graph.Full(5)) == 0.0
    assert distance_fragmentation(ig.Graph.Full(5)) == pytest.approx(0.0)
    assert fragmentation(ig.Graph(5)) == 1.0
    assert distance_fragmentation(ig.Graph(5)) == 1.0
    # Two disjoint edges among 4 nodes: 4 of 12 ordered pairs reachable, all at distance 1.
    g = ig.Graph(4, [(0, 1), (2, 3)])
    assert fragmentation(g) == pytest.approx(1 - 4 / 12)
    assert distance_fragmentation(g) == pytest.approx(1 - 4 / 12)
    # Path of 3: pairs at distance 1 (4 ordered) and 2 (2 ordered): DF = 1 - (4 + 1) / 6.
    assert distance_fragmentation(ig.Graph(3, [(0, 1), (1, 2)])) == pytest.approx(1 - 5 / 6)
