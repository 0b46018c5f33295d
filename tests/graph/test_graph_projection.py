"""Projection filters: time window, minimum grade, kinds; two-mode onto either side; edge lists."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from cellmap.errors import InputError
from cellmap.graph.projection import (
    filter_relations,
    graph_from_edge_list,
    one_mode_projection,
    person_graph,
    two_mode_graph,
)


def frames():
    entities = pl.DataFrame(
        {
            "entity_id": [1, 2, 3, 4, 10, 11],
            "key": ["P1", "P2", "P3", "P4", "C1", "C2"],
            "kind": ["person"] * 4 + ["cell"] * 2,
            "name": ["A", "B", "C", "D", "c1", "c2"],
        }
    )
    d = dt.date
    relations = pl.DataFrame(
        {
            "relation_id": [1, 2, 3, 4, 5, 6, 7],
            "kind": [
                "meeting",
                "communication",
                "kinship",
                "membership",
                "membership",
                "membership",
                "membership",
            ],
            "source_id": [1, 2, 3, 1, 2, 3, 4],
            "target_id": [2, 3, 4, 10, 10, 11, 11],
            "valid_from": [d(2019, 1, 1), d(2020, 6, 1), None, None, None, None, None],
            "valid_to": [d(2019, 12, 31), None, d(2018, 1, 1), None, None, None, None],
            "report_id": [100, 101, 102, 103, 103, 104, 104],
            "reliability": ["A", "B", "E", "B", "B", "C", "C"],
            "credibility": [1, 3, 5, 2, 2, 3, 3],
        }
    ).with_columns((pl.col("reliability") + pl.col("credibility").cast(pl.Utf8)).alias("grade"))
    return relations, entities


def ties(g):
    names = g.vs["name"]
    return {frozenset((names[a], names[b])) for a, b in g.get_edgelist()}


def test_time_window_keeps_overlapping_validity():
    relations, entities = frames()
    g2019 = person_graph(relations, entities, window=(dt.date(2019, 3, 1), dt.date(2019, 4, 1)))
    assert ties(g2019) == {frozenset(("P1", "P2"))}
    g2021 = person_graph(relations, entities, window=(dt.date(2021, 1, 1), None))
    assert ties(g2021) == {frozenset(("P2", "P3"))}
    early = person_graph(relations, entities, window=(None, dt.date(2017, 1, 1)))
    assert ties(early) == {frozenset(("P3", "P4"))}


def test_grade_and_kind_filters():
    relations, entities = frames()
    assert filter_relations(relations, min_grade="B3")["relation_id"].to_list() == [1, 2, 4, 5]
    assert filter_relations(relations, kinds=["kinship"])["relation_id"].to_list() == [3]
    with pytest.raises(InputError):
        filter_relations(relations, min_grade="Z9")
    g = person_graph(
        relations, entities, kinds=["meeting", "communication"], weights={"meeting": 3}
    )
    assert sorted(g.es["weight"]) == [1.0, 3.0]


def test_two_mode_projects_onto_either_side():
    relations, entities = frames()
    b = two_mode_graph(relations, entities, affiliation="cell")
    assert b.vcount() == 6 and b.ecount() == 4
    persons = one_mode_projection(b, keep="person")
    assert ties(persons) == {frozenset(("P1", "P2")), frozenset(("P3", "P4"))}
    cells = one_mode_projection(b, keep="cell")
    assert cells.vcount() == 2 and cells.ecount() == 0  # no person sits in both cells


def test_edge_list_sums_repeated_rows_and_names_bad_lines(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("source,target,weight\na,b,1\nb,a,2.5\nb,c,1\n")
    g = graph_from_edge_list(path)
    assert g.vcount() == 3 and sorted(g.es["weight"]) == [1.0, 3.5]
    path.write_text("from,to\nx,y\n")
    assert graph_from_edge_list(path).ecount() == 1
    path.write_text("source,target,weight\na,b,heavy\n")
    with pytest.raises(InputError, match="weight"):
        graph_from_edge_list(path)
