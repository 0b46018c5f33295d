"""Noordin Top (139 persons, 13 relations) imported through cellmap's import path and projected;
projections and measures checked against NetworkX graphs built straight from the data set's CSVs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import polars as pl
import pytest
from graph_helpers import NOORDIN, needs_datasets
from networkx.algorithms import bipartite

from cellmap.graph import measures as m
from cellmap.graph.communities import compare_with_recorded, leiden
from cellmap.graph.projection import meta_network, one_mode_projection, person_graph, two_mode_graph

pytestmark = needs_datasets
ALIASES = {"Suramto (Deni)": "Suramto", "Ismail1 (Muh Ikhwn)": "Ismail1"}


def csv_graph(sheet: str) -> nx.Graph:
    """NetworkX graph of a one-mode sheet, built directly from the data set (names as nodes)."""
    persons = pl.read_csv(NOORDIN / "13_attributes.csv", infer_schema_length=0)["actor"].to_list()
    h = nx.Graph()
    h.add_nodes_from(persons)
    for a, b in (
        pl.read_csv(NOORDIN / sheet, infer_schema_length=0).select("source", "target").iter_rows()
    ):
        a, b = ALIASES.get(a, a), ALIASES.get(b, b)
        if a != b:
            h.add_edge(a, b)
    return h


def test_all_relations_land(noordin_frames):
    relations, entities = noordin_frames
    assert entities.filter(pl.col("kind") == "person").height == 139
    # 13 relations (README counts): 1-mode sheets as stored rows, 2-mode sheets as ties, + primary group.
    assert relations.filter(pl.col("kind") == "communication").height == 312
    assert relations.filter(pl.col("kind") == "kinship").height == 49
    assert relations.filter(pl.col("kind") == "association").height == 205 + 154 + 17
    assert relations.filter(pl.col("kind") == "participation").height == 83 + 81 + 71
    assert relations.filter(pl.col("kind") == "use").height == 64
    assert (
        relations.filter(pl.col("report_key") != "NT-R-ATTR").select("report_key").n_unique() == 14
    )


def test_person_projection_equals_the_csv_graph_and_measures_match(noordin_frames):
    relations, entities = noordin_frames
    g = person_graph(relations, entities, kinds=["communication"])
    h = csv_graph("3_communication_ties_edges.csv")
    assert g.vcount() == 139 and g.ecount() == 312 == h.number_of_edges()
    assert sum(1 for d in g.degree() if d == 0) == 19  # README: 19 isolates
    labels = g.vs["label"]
    assert {frozenset((labels[a], labels[b])) for a, b in g.get_edgelist()} == {
        frozenset(e) for e in h.edges
    }
    hb = nx.betweenness_centrality(h)
    np.testing.assert_allclose(m.betweenness(g)[0], [hb[x] for x in labels], atol=1e-9)
    hh = nx.harmonic_centrality(h)
    np.testing.assert_allclose(m.harmonic_closeness(g), [hh[x] / 138 for x in labels], atol=1e-9)
    hc = nx.constraint(h)
    np.testing.assert_allclose(m.constraint(g), [hc[x] for x in labels], atol=1e-9, equal_nan=True)
    hk = nx.core_number(h)
    assert m.coreness(g).tolist() == [hk[x] for x in labels]


def test_kind_weights_time_and_grade_filters(noordin_frames):
    relations, entities = noordin_frames
    g = person_graph(
        relations, entities, kinds=["communication", "kinship"], weights={"kinship": 2.0}
    )
    both = csv_graph("3_communication_ties_edges.csv")
    kin = csv_graph("4_kinship_ties_edges.csv")
    labels = g.vs["label"]
    for e in g.es:
        a, b = labels[e.source], labels[e.target]
        assert e["weight"] == both.has_edge(a, b) * 1.0 + kin.has_edge(a, b) * 2.0
    assert person_graph(relations, entities, min_grade="A1").ecount() == 0
    assert (
        person_graph(relations, entities, min_grade="B2").ecount()
        == person_graph(relations, entities).ecount()
    )


def test_two_mode_and_one_mode_projection(noordin_frames):
    relations, entities = noordin_frames
    orgs = relations.filter(pl.col("report_key") == "NT-R-1")
    b = two_mode_graph(orgs, entities, affiliation="organisation")
    assert b.is_bipartite() and b.ecount() == 135
    p = one_mode_projection(b)
    # Independent: NetworkX's weighted bipartite projection of the data set's own affiliation list.
    ties = pl.read_csv(NOORDIN / "1_organizations_orgs_affiliations.csv", infer_schema_length=0)
    bg = nx.Graph()
    people = {ALIASES.get(a, a) for a in ties["actor"]}
    bg.add_edges_from(
        (ALIASES.get(a, a), ("org", o)) for a, o in ties.select("actor", "affiliation").iter_rows()
    )
    ref = bipartite.weighted_projected_graph(bg, people)
    labels = p.vs["label"]
    ours = {frozenset((labels[e.source], labels[e.target])): e["weight"] for e in p.es}
    theirs = {frozenset((a, c)): d["weight"] for a, c, d in ref.edges(data=True)}
    assert ours == theirs
    # Every projected tie cites the organisation it goes through and the report that says so.
    assert p["evidence"]["via"].null_count() == 0 and set(p["evidence"]["report_id"]) == set(
        orgs["report_id"]
    )


def test_meta_network_holds_every_entity(noordin_frames):
    relations, entities = noordin_frames
    g = meta_network(relations, entities)
    assert g.vcount() == entities.height
    assert set(g.vs["kind"]) == {"person", "organisation", "incident", "site", "cell"}


def test_communities_against_recorded_cells(noordin_frames):
    relations, entities = noordin_frames
    g = person_graph(relations, entities, kinds=["communication", "association", "kinship"])
    comms = leiden(g, resolution=1.0, seed=1)
    parts = [set(np.flatnonzero(np.asarray(comms.membership) == c)) for c in set(comms.membership)]
    assert comms.quality == pytest.approx(
        nx.community.modularity(to_weighted(g), parts, resolution=1.0), abs=1e-9
    )
    # Leiden finds a partition at least as good as NetworkX's Louvain (same graph, same resolution).
    louvain = nx.community.louvain_communities(to_weighted(g), resolution=1.0, seed=1)
    assert comms.quality >= nx.community.modularity(to_weighted(g), louvain) - 0.02
    cmp = compare_with_recorded(g, comms)
    metrics = pytest.importorskip(
        "sklearn.metrics"
    )  # installed with the dev extras (via nomenklatura)
    mem = (
        g["memberships"]
        .filter(pl.col("group_kind") == "cell")
        .sort("vertex", "group")
        .unique("vertex", keep="first", maintain_order=True)
    )
    structural = [comms.membership[v] for v in mem["vertex"]]
    assert cmp.compared == mem.height > 50
    assert cmp.ari == pytest.approx(
        metrics.adjusted_rand_score(mem["group"].to_list(), structural), abs=1e-9
    )
    assert cmp.nmi == pytest.approx(
        metrics.normalized_mutual_info_score(mem["group"].to_list(), structural), abs=1e-9
    )
    assert 0 < cmp.mismatches.height < cmp.compared


def to_weighted(g) -> nx.Graph:
    h = nx.Graph()
    h.add_nodes_from(range(g.vcount()))
    h.add_weighted_edges_from(
        (a, b, w) for (a, b), w in zip(g.get_edgelist(), g.es["weight"], strict=False)
    )
    return h
