"""Sensitivity of conclusions to the minimum report grade."""

from __future__ import annotations

import networkx as nx
import polars as pl

from cellmap.graph.sensitivity import (
    grade_label,
    key_player_set,
    same_group,
    sensitivity,
    top_measure,
)


def frames():
    """Two strongly reported triangles (A2) joined only through X, whose ties rest on E5 reports,
    plus a chain c3–c4 reported at C3."""
    people = ["a1", "a2", "a3", "b1", "b2", "b3", "X", "c3", "c4"]
    entities = pl.DataFrame(
        {
            "entity_id": list(range(1, 10)),
            "key": people,
            "kind": ["person"] * 9,
            "name": [p.upper() for p in people],
        }
    )
    ids = {p: i + 1 for i, p in enumerate(people)}
    ties = [
        ("a1", "a2", "A2"),
        ("a2", "a3", "A2"),
        ("a1", "a3", "A2"),
        ("b1", "b2", "A2"),
        ("b2", "b3", "A2"),
        ("b1", "b3", "A2"),
        ("a1", "X", "E5"),
        ("X", "b1", "E5"),
        ("a3", "c3", "C3"),
        ("c3", "c4", "C3"),
    ]
    relations = pl.DataFrame(
        {
            "relation_id": list(range(len(ties))),
            "kind": ["meeting"] * len(ties),
            "source_id": [ids[a] for a, _, _ in ties],
            "target_id": [ids[b] for _, b, _ in ties],
            "report_id": list(range(100, 100 + len(ties))),
            "grade": [g for *_, g in ties],
            "reliability": [g[0] for *_, g in ties],
            "credibility": [int(g[1]) for *_, g in ties],
        }
    )
    return relations, entities, ties


def nx_top_betweenness(ties, allowed, top):
    h = nx.Graph()
    h.add_nodes_from({p for a, b, _ in ties for p in (a, b)})
    h.add_edges_from((a, b) for a, b, g in ties if g in allowed)
    bc = nx.betweenness_centrality(h)
    ranked = sorted((n for n in bc if bc[n] > 0), key=lambda n: (-bc[n], n))
    return set(ranked[:top])


def test_top_betweenness_by_grade_matches_networkx_and_flags_weak_support():
    relations, entities, ties = frames()
    table = sensitivity(
        relations, entities, top_measure("betweenness", top=3), grades=(None, "C3", "A2")
    )
    for grade, allowed in [(None, {"A2", "C3", "E5"}), ("C3", {"A2", "C3"}), ("A2", {"A2"})]:
        held = set(table.filter(pl.col(grade_label(grade)))["node"])
        assert held == nx_top_betweenness(ties, allowed, 3)
    support = dict(table.select("node", "support").iter_rows())
    assert support["X"] == "weak reports only"  # X bridges only on E5 reports
    assert support["a3"] == "some grades"  # a3 brokers c3 only while C3 reports count


def test_key_players_and_groups_tables():
    relations, entities, ties = frames()
    kp = sensitivity(relations, entities, key_player_set(k=1, objective="F"), grades=(None, "A2"))
    for grade, allowed in [(None, {"A2", "C3", "E5"}), ("A2", {"A2"})]:
        h = nx.Graph()
        h.add_nodes_from(entities["key"].to_list())
        h.add_edges_from((a, b) for a, b, g in ties if g in allowed)

        def frag(v, h=h):
            rest = h.copy()
            rest.remove_node(v)
            n = rest.number_of_nodes()
            return 1 - sum(len(c) * (len(c) - 1) for c in nx.connected_components(rest)) / (
                n * (n - 1)
            )

        best = max(frag(v) for v in h)
        (ours,) = kp.filter(pl.col(grade_label(grade)))["node"].to_list()
        assert frag(ours) == best
    groups = sensitivity(relations, entities, same_group(), grades=(None, "A2"))
    assert set(groups.columns) >= {"all reports", "A2+", "support"}
    # The A2 triangles stay together at every grade.
    assert groups.filter(pl.col("node") == "a1|a2")["support"].to_list() == ["every grade"]
