"""Missing-tie prediction: scores against hand computation, and the CLI's JSON on a scenario."""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from cellmap.cli import app
from cellmap.store import open_store, views
from cellmap.unseen.links import (
    CONTEXT_MAX_PERSONS,
    TIE_KINDS,
    adamic_adar,
    candidates,
    dcsbm_scores,
    evidence,
    local_path,
    logistic_fit,
    missing_ties,
    person_contexts,
    predict,
    resource_allocation,
    shared_contexts,
)

ADJ = {1: {2, 3}, 2: {1, 3}, 3: {1, 2, 4}, 4: {3}, 5: set()}
BLOCK = {1: "a", 2: "a", 3: "a", 4: "a", 5: "b"}


def test_adamic_adar_by_hand():
    # 1 and 4 share neighbour 3 (degree 3): 1 / log 3
    assert adamic_adar(ADJ, [(1, 4)])[(1, 4)] == pytest.approx(1 / math.log(3))


def test_block_model_by_hand():
    # degrees +1: k1 = 3, k4 = 2, block a total 3+3+4+2 = 12; ties inside a counted twice: 8 (+0.5)
    assert dcsbm_scores(ADJ, BLOCK, [(1, 4)])[(1, 4)] == pytest.approx(3 / 12 * 2 / 12 * 8.5)


def test_local_path_and_resource_allocation_by_hand():
    # 1 and 4: one shared contact (3, degree 3) and one walk of length three, 1-2-3-4
    assert local_path(ADJ, [(1, 4)])[(1, 4)] == pytest.approx(1 + 0.01 * 1)
    assert resource_allocation(ADJ, [(1, 4)])[(1, 4)] == pytest.approx(1 / 3)
    # 2 and 5 share nothing: 5 has no contact
    assert local_path(ADJ, [(2, 5)])[(2, 5)] == 0


def test_contexts_link_persons_no_path_joins():
    # persons 10 and 20 (no tie, no shared contact) in one report, one incident, paid by one fund;
    # 30 shares only the fund; 40 is in another report
    rows = [
        ("membership", 10, 90, "person", "cell", 1),
        ("membership", 20, 90, "person", "cell", 1),
        ("participation", 10, 70, "person", "incident", 2),
        ("participation", 20, 70, "person", "incident", 3),
        ("payment", 60, 10, "fund", "person", 4),
        ("payment", 60, 20, "fund", "person", 5),
        ("payment", 60, 30, "fund", "person", 6),
        ("use", 40, 80, "person", "site", 7),
    ]
    columns = ["kind", "source_id", "target_id", "source_kind", "target_kind", "report_id"]
    relations = pl.DataFrame(rows, schema=columns, orient="row")
    adj = {10: set(), 20: set(), 30: set(), 40: set()}
    contexts = person_contexts(relations, adj)
    assert contexts[10] == {
        ("report", 1),
        ("report", 2),
        ("report", 4),
        ("incident", 70),
        ("fund", 60),
    }
    assert contexts[40] == {("report", 7), ("use", 80)}
    assert shared_contexts(contexts, [(10, 20), (10, 30), (10, 40)]) == {
        (10, 20): 3.0,  # report 1, incident 70, fund 60
        (10, 30): 1.0,  # fund 60
        (10, 40): 0.0,
    }
    assert candidates(adj, {}, contexts) == {(10, 20), (10, 30), (20, 30)}
    # a report naming more than CONTEXT_MAX_PERSONS persons is no context
    crowd = pl.DataFrame(
        [("membership", 100 + i, 90, "person", "cell", 9) for i in range(CONTEXT_MAX_PERSONS + 1)],
        schema=columns,
        orient="row",
    )
    assert person_contexts(crowd, range(100, 300)) == {
        100 + i: set() for i in range(CONTEXT_MAX_PERSONS + 1)
    }
    ranked = predict(adj, {}, 2, "context", contexts)
    assert [(a, b) for a, b, _ in ranked] == [(10, 20), (10, 30)]
    why = evidence(10, 20, adj, {10: 90, 20: 90}, contexts, {90: "Cell 9", 70: "Raid", 60: "Fund"})
    assert why == [
        "same unit: Cell 9",
        "named together in 1 report: 1",
        "both took part in: Raid",
        "both paid by: Fund",
    ]


def test_candidates_are_unlinked_pairs_in_a_block_or_two_steps_apart():
    assert candidates(ADJ, BLOCK) == {(1, 4), (2, 4)}
    assert [p[:2] for p in predict(ADJ, BLOCK, 2, "adamic-adar")] == [(1, 4), (2, 4)]
    with pytest.raises(ValueError):
        predict(ADJ, BLOCK, 2, "oracle")


def test_links_json_names_store_keys_scores_and_evidence(case):
    result = CliRunner().invoke(app, ["analyse", "links", "--db", case.db, "--top", "30", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    predictions = data["predictions"]
    assert data["method"] == "context" and len(predictions) == 30
    persons = case.truth["record_to_person"]
    true_pairs = {
        frozenset((t["source"], t["target"])) for t in case.truth["ties"] if t["kind"] in TIE_KINDS
    }
    hits = 0
    for p in predictions:
        assert set(p) >= {"source", "target", "score", "why"} and p["why"]
        assert p["source"] in persons and p["target"] in persons
        hits += frozenset((persons[p["source"]], persons[p["target"]])) in true_pairs
    # the base rate is about 1 in 100 unlinked pairs (bench unseen): ≥ 10 times it
    assert hits >= 3
    # and at least as many as the Adamic–Adar baseline's 30 on the same store
    store = open_store(case.db)
    with store.session() as conn:
        frames = views.relations(conn), views.entities(conn), views.reports(conn)
    store.close()
    baseline = missing_ties(*frames, top=30, method="adamic-adar")
    assert hits >= sum(
        frozenset((persons[p["source"]], persons[p["target"]])) in true_pairs for p in baseline
    )
    assert [p["score"] for p in predictions] == sorted(
        (p["score"] for p in predictions), reverse=True
    )


def test_logistic_fit_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 3))
    y = (x @ [1.5, -2.0, 0.5] + rng.normal(size=200)) > 0.3
    reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000).fit(x, y)
    weights = logistic_fit(x, y)
    assert weights[0] == pytest.approx(reference.intercept_[0], abs=1e-4)
    assert weights[1:] == pytest.approx(reference.coef_[0], abs=1e-4)


def test_learned_model_finds_the_ties_missing_inside_two_cliques():
    # two cliques of 7 joined by one tie, two ties missing inside each: the four are the top four
    nodes = range(14)
    adj = {n: {m for m in nodes if m != n and m // 7 == n // 7} for n in nodes}
    adj[6].add(7)
    adj[7].add(6)
    missing = [(0, 1), (2, 3), (7, 8), (9, 10)]
    for a, b in missing:
        adj[a].discard(b)
        adj[b].discard(a)
    ranked = predict(adj, {}, 4, "learned")
    assert {frozenset((a, b)) for a, b, _ in ranked} == {frozenset(pair) for pair in missing}
    assert all(0 < score < 1 for _, _, score in ranked)  # probabilities
