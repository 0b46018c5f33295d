"""Key players: objectives against NetworkX, heuristic against exhaustive search on small graphs."""

from __future__ import annotations

import itertools

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from graph_helpers import to_networkx, ucinet_graph
from hypothesis import given, settings
from hypothesis import strategies as st

from cellmap.graph.keyplayers import (
    fragmentation_after_each,
    key_players,
    kpp_neg,
    kpp_pos,
    objective_function,
)

SMALL = [
    ("covert_2_9_11_hijackers", "02_9_11_HIJACKERS_PRIORCONTACTS"),
    ("covert_26_jemaah_islamiyah_koschade", "01_JI_KOSCHADE"),
    ("covert_1_17_november_greece_bombing", "02_17NOV_GREECE_19851994"),
]


def nx_objective(h: nx.Graph, s, objective: str, m: int = 2) -> float:
    """Borgatti's objectives computed independently with NetworkX."""
    n, k = h.number_of_nodes(), len(s)
    if objective in ("F", "DF"):
        rest = h.copy()
        rest.remove_nodes_from(s)
        n2 = rest.number_of_nodes()
        if n2 < 2:
            return 1.0
        if objective == "F":
            return 1 - sum(len(c) * (len(c) - 1) for c in nx.connected_components(rest)) / (
                n2 * (n2 - 1)
            )
        inv = sum(
            1 / d
            for i, row in nx.all_pairs_shortest_path_length(rest)
            for j, d in row.items()
            if i != j
        )
        return 1 - inv / (n2 * (n2 - 1))
    dist: dict = {}
    for src in s:  # hop distance from the set: the minimum over its members
        for j, d in nx.single_source_shortest_path_length(h, src, cutoff=m).items():
            dist[j] = min(d, dist.get(j, d))
    outside = {j: d for j, d in dist.items() if j not in set(s)}
    value = sum(1 / d for d in outside.values()) if objective == "DR" else len(outside)
    return value / (n - k)


def brute_force(h: nx.Graph, k: int, objective: str, m: int = 2) -> float:
    return max(nx_objective(h, s, objective, m) for s in itertools.combinations(h.nodes, k))


def random_graph(n: int, p: float, seed: int) -> ig.Graph:
    rng = np.random.default_rng(seed)
    edges = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < p]
    g = ig.Graph(n=n, edges=edges)
    g.vs["name"] = [str(i) for i in range(n)]
    return g


@pytest.mark.parametrize("objective", ["F", "DF", "R", "DR"])
@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(3, 14),
    p=st.floats(0.05, 0.5),
    seed=st.integers(0, 10_000),
    k=st.integers(1, 3),
    data=st.data(),
)
def test_objectives_match_networkx(objective, n, p, seed, k, data):
    g = random_graph(n, p, seed)
    h = to_networkx(g)
    k = min(k, n - 1)
    s = data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))
    evaluate = objective_function(g, objective, m=2)
    assert evaluate(np.asarray(s)) == pytest.approx(nx_objective(h, s, objective), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(3, 25),
    p=st.floats(0.02, 0.4),
    seed=st.integers(0, 10_000),
    removed=st.integers(0, 3),
)
def test_fragmentation_after_each_node(n, p, seed, removed):
    g = random_graph(n, p, seed)
    h = to_networkx(g)
    base = list(range(min(removed, n - 1)))
    got = fragmentation_after_each(g, np.asarray(base, dtype=np.int64))
    for v in range(n):
        if v in base:
            assert np.isnan(got[v])
        else:
            assert got[v] == pytest.approx(nx_objective(h, base + [v], "F"), abs=1e-12)


@pytest.mark.parametrize("objective", ["F", "DF", "R", "DR"])
@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(4, 11), p=st.floats(0.1, 0.5), seed=st.integers(0, 10_000), k=st.integers(1, 3)
)
def test_exact_method_is_the_brute_force_optimum(objective, n, p, seed, k):
    g = random_graph(n, p, seed)
    result = key_players(g, k, objective=objective, method="exact")
    assert result.score == pytest.approx(brute_force(to_networkx(g), k, objective), abs=1e-12)
    heuristic = key_players(g, k, objective=objective, method="greedy", candidates=None)
    assert heuristic.score <= result.score + 1e-12


@pytest.mark.parametrize("graph", SMALL, ids=[p for _, p in SMALL])
@pytest.mark.parametrize(
    "objective,k", [("F", 2), ("F", 3), ("DF", 2), ("DF", 3), ("DR", 2), ("DR", 3), ("R", 2)]
)
def test_heuristic_is_optimal_on_covert_networks(graph, objective, k):
    g = ucinet_graph(*graph)
    h = to_networkx(g)
    heuristic = key_players(
        g, k, objective=objective, method="greedy", candidates=None, restarts=3, seed=7
    )
    best = brute_force(h, k, objective)
    assert heuristic.score == pytest.approx(best, abs=1e-12)
    # The reported set really achieves the reported score (recomputed by NetworkX).
    assert nx_objective(h, heuristic.indices, objective) == pytest.approx(
        heuristic.score, abs=1e-12
    )


def test_seed_makes_results_repeatable_and_frames_are_complete():
    g = ucinet_graph("covert_41_siren", "01_SIREN")
    a = kpp_neg(g, 3, "DF", method="greedy", restarts=2, seed=11)
    b = kpp_neg(g, 3, "DF", method="greedy", restarts=2, seed=11)
    assert a.nodes == b.nodes and a.score == b.score
    frame = kpp_pos(g, 3, "DR", m=2).to_frame()
    assert frame.height == 3 and set(frame.columns) >= {"node", "score", "objective", "method"}
    with pytest.raises(ValueError):
        kpp_neg(g, 3, "DR")


def test_parallel_workers_give_the_same_answer():
    g = ucinet_graph("covert_2_9_11_hijackers", "01_9_11_HIJACKERS_ASSOCIATES")
    one = kpp_neg(g, 3, "DF", method="greedy", candidates=None, workers=1)
    two = kpp_neg(g, 3, "DF", method="greedy", candidates=None, workers=2)
    assert (one.nodes, one.score, one.evaluations) == (two.nodes, two.score, two.evaluations)
