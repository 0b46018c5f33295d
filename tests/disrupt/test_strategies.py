"""One strike-strategy dispatch for the CLI and the workbench (cellmap.disrupt.strategies)."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import pytest

from cellmap.disrupt.strategies import catalogue, strategy_name, strike_order


def _karate() -> tuple[ig.Graph, nx.Graph]:
    nxg = nx.karate_club_graph()  # Zachary (1977), 34 members, 78 ties
    g = ig.Graph(n=nxg.number_of_nodes(), edges=list(nxg.edges()))
    g.vs["name"] = [str(v) for v in range(g.vcount())]
    return g, nxg


def test_fixed_and_adaptive_degree_orders_match_networkx():
    g, nxg = _karate()
    order, info = strike_order(g, "degree", 5)
    expected = sorted(nxg.nodes, key=lambda v: (-nxg.degree(v), v))[:5]
    assert order == expected == [33, 0, 32, 2, 1]
    assert info == {"by": "degree", "adaptive": False}
    eigen = nx.eigenvector_centrality_numpy(nxg)
    assert strike_order(g, "eigenvector", 4)[0] == sorted(eigen, key=lambda v: -eigen[v])[:4]
    adaptive, info = strike_order(g, "adaptive:degree", 4)
    survivors, recalculated = nxg.copy(), []
    for _ in range(4):  # recompute degree on the survivors, lowest index among ties
        best = min(survivors.nodes, key=lambda v: (-survivors.degree(v), v))
        recalculated.append(best)
        survivors.remove_node(best)
    assert adaptive == recalculated
    assert info == {"by": "degree", "adaptive": True}


def test_targets_keep_their_order_and_bad_strategies_are_named():
    g, _ = _karate()
    assert strike_order(g, "targets", targets=[5, 3, 9])[0] == [5, 3, 9]
    with pytest.raises(ValueError, match="listed twice"):
        strike_order(g, "targets", targets=[5, 5])
    with pytest.raises(ValueError, match="at least one person"):
        strike_order(g, "targets")
    with pytest.raises(ValueError, match="strategy 'closest'"):
        strike_order(g, "closest")
    with pytest.raises(ValueError, match="needs memberships and roles"):
        strike_order(g, "roles:leadership")


def test_every_strategy_on_offer_is_dispatched_and_the_cli_options_name_them():
    g, _ = _karate()
    for strategy in catalogue():
        if not strategy.name.startswith("roles:"):  # roles need a store (tests/web, cli tests)
            assert len(strike_order(g, strategy.name, 3)[0]) == 3
    assert strategy_name("betweenness", adaptive=True) == "adaptive:betweenness"
    assert strategy_name("roles", roles="planners") == "roles:planners"
    assert strategy_name("keyplayers") == "keyplayers"
