"""Every node measure against an independent NetworkX computation on public covert-network data."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from graph_helpers import MONTAGNA, UCINET_GRAPHS, dataset_graph, to_networkx

from cellmap.graph import measures as m

GRAPHS = UCINET_GRAPHS + MONTAGNA

TOL = 1e-9


@pytest.fixture(
    scope="module", params=GRAPHS, ids=[p.stem if hasattr(p, "stem") else p[1] for p in GRAPHS]
)
def pair(request):
    g = dataset_graph(request.param)
    return g, to_networkx(g)


def as_array(d: dict, n: int) -> np.ndarray:
    return np.array([d[i] for i in range(n)], dtype=float)


def test_degree_and_strength(pair):
    g, h = pair
    n = g.vcount()
    assert np.array_equal(m.degree(g), as_array(dict(h.degree()), n))
    np.testing.assert_allclose(
        m.strength(g), as_array(dict(h.degree(weight="weight")), n), atol=TOL
    )


def test_exact_betweenness(pair):
    g, h = pair
    values, stderr = m.betweenness(g)
    np.testing.assert_allclose(
        values, as_array(nx.betweenness_centrality(h, normalized=True), g.vcount()), atol=TOL
    )
    assert not stderr.any()


def test_harmonic_closeness(pair):
    g, h = pair
    n = g.vcount()
    expected = as_array(nx.harmonic_centrality(h), n) / (n - 1)
    np.testing.assert_allclose(m.harmonic_closeness(g), expected, atol=TOL)


def test_sampled_estimators_agree_with_networkx_in_expectation(pair):
    g, h = pair
    n = g.vcount()
    exact = as_array(nx.betweenness_centrality(h), n)
    hexact = as_array(nx.harmonic_centrality(h), n) / (n - 1)
    # Every vertex a source: the estimators must equal the exact values, with no stated error.
    np.testing.assert_allclose(m.harmonic_closeness(g, samples=n, seed=3), hexact, atol=TOL)
    every, every_se = m.betweenness(g, samples=n, seed=3)
    np.testing.assert_allclose(every, exact, atol=TOL)
    assert not every_se.any()
    est, se = m.betweenness(g, samples=max(10, n // 2), seed=1)
    # The stated error must cover the true value for the bulk of the vertices (|z| < 4).
    z = np.abs(est - exact) / np.where(se > 0, se, np.inf)
    assert np.mean(z < 4) > 0.9
    hest = m.harmonic_closeness(g, samples=max(10, n // 2), seed=1)
    assert np.mean(np.abs(hest - hexact)) < 0.25 * np.mean(hexact) + 1e-12


def test_eigenvector(pair):
    g, h = pair
    # Eigenvector centrality is defined on a connected graph: compare on the largest component.
    giant = g.connected_components().giant()
    hh = to_networkx(giant)
    ours = m.eigenvector(giant)
    ref = as_array(nx.eigenvector_centrality_numpy(hh, weight="weight"), giant.vcount())
    ref = np.abs(ref) / np.abs(ref).max()
    np.testing.assert_allclose(ours, ref, atol=1e-8)


def test_pagerank(pair):
    g, h = pair
    n = g.vcount()
    google = nx.google_matrix(h, alpha=0.85, weight="weight", nodelist=range(n))
    # The stationary distribution p = p G, Σp = 1, solved directly (one equation replaced by Σp = 1).
    system = np.asarray(google).T - np.eye(n)
    system[-1, :] = 1.0
    rhs = np.zeros(n)
    rhs[-1] = 1.0
    lead = np.linalg.solve(system, rhs)
    np.testing.assert_allclose(m.pagerank(g), lead, atol=TOL)


def test_coreness_articulation_bridges(pair):
    g, h = pair
    n = g.vcount()
    assert np.array_equal(m.coreness(g), as_array(nx.core_number(h), n))
    assert set(np.flatnonzero(m.articulation_points(g))) == set(nx.articulation_points(h))
    ours = {
        frozenset((g.vs.find(name=a).index, g.vs.find(name=b).index))
        for a, b in m.bridges(g).select("source", "target").iter_rows()
    }
    assert ours == {frozenset(e) for e in nx.bridges(h)}


@pytest.mark.parametrize("weighted", [False, True])
def test_constraint_and_effective_size(pair, weighted):
    g, h = pair
    n = g.vcount()
    if not weighted:
        h = nx.Graph(h.edges())
        h.add_nodes_from(range(n))
    weight = "weight" if weighted else None
    np.testing.assert_allclose(
        m.constraint(g, weighted=weighted),
        as_array(nx.constraint(h, weight=weight), n),
        atol=TOL,
        equal_nan=True,
    )
    # nodes=... selects NetworkX's per-node definition (Burt: m_jq = w_jq / max_k w_jk). Its all-nodes
    # sparse shortcut (NetworkX 3.6) divides by the max of q's row instead, which differs on weighted graphs.
    np.testing.assert_allclose(
        m.effective_size(g, weighted=weighted),
        as_array(nx.effective_size(h, nodes=list(h) if weighted else None, weight=weight), n),
        atol=TOL,
        equal_nan=True,
    )


def test_measures_frame_has_every_column(pair):
    g, _ = pair
    frame = m.measures(g)
    assert frame.height == g.vcount()
    for col in (
        "degree",
        "strength",
        "betweenness",
        "betweenness_se",
        "harmonic",
        "eigenvector",
        "pagerank",
        "coreness",
        "articulation",
        "constraint",
        "effective_size",
        "cells_connected",
        "sectors_connected",
    ):
        assert col in frame.columns


def test_bit_parallel_bfs_gives_exact_reciprocal_distance_sums(pair):
    from cellmap.graph.bitbfs import arcs, reciprocal_distance_sums

    g, h = pair
    n = g.vcount()
    per = reciprocal_distance_sums(arcs(g), np.arange(n), per_node=True, block=64)  # several blocks
    np.testing.assert_allclose(per, as_array(nx.harmonic_centrality(h), n), atol=1e-9)
    removed = np.arange(0, n, 7)
    rest = h.copy()
    rest.remove_nodes_from(removed.tolist())
    total = reciprocal_distance_sums(arcs(g), np.setdiff1d(np.arange(n), removed), removed=removed)
    assert total == pytest.approx(sum(nx.harmonic_centrality(rest).values()), abs=1e-9)


def test_graphs_without_ties():
    import igraph as ig

    for g in (ig.Graph(0), ig.Graph(1), ig.Graph(4)):
        g.vs["name"] = [str(i) for i in range(g.vcount())]
        frame = m.measures(g)
        assert frame.height == g.vcount()
        assert frame["constraint"].is_nan().all() and frame["effective_size"].is_nan().all()


def test_sampled_betweenness_is_the_same_on_forked_workers():
    g = dataset_graph(UCINET_GRAPHS[4])
    serial = m.betweenness(g, samples=40, seed=3, workers=1)
    forked = m.betweenness(g, samples=40, seed=3, workers=2)
    np.testing.assert_allclose(serial[0], forked[0], atol=1e-12)
    np.testing.assert_allclose(serial[1], forked[1], atol=1e-12)


@pytest.mark.parametrize("make", [lambda: ig.Graph.Barabasi(2_000, 6), lambda: ig.Graph.Full(7)])
def test_triangle_listing_against_igraph(make):
    g = make().simplify()
    tri, tri_edges = m._Triangles._list(g.vcount(), np.asarray(g.get_edgelist()))
    assert sorted(tuple(sorted(t)) for t in tri.tolist()) == sorted(
        tuple(sorted(t)) for t in g.list_triangles()
    )
    a, b, c = tri.T
    for column, (x, y) in enumerate(((a, b), (a, c), (b, c))):
        assert tri_edges[:, column].tolist() == g.get_eids(
            list(zip(x.tolist(), y.tolist(), strict=True))
        )
