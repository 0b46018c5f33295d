"""End to end against a scenario's ground truth: generate (training seed), import into a real store,
block, score, cluster with cannot-links; pairwise F1 over the records of each true person."""

from __future__ import annotations

import itertools

import pytest

from cellmap.ingest import import_files
from cellmap.resolve.candidates import block, same_report_pairs, score_candidates
from cellmap.resolve.clustering import constrained_accept
from cellmap.resolve.train import store_person_records
from cellmap.scenario import generate, load_ground_truth, scenario_files
from cellmap.store import open_store

TRAINING_SEED = 2  # never the demo seed (20190101): that one is the bench's held-out evaluation


def _pairs(groups: dict) -> set[tuple[int, int]]:
    return {
        (a, b) for members in groups.values() for a, b in itertools.combinations(sorted(members), 2)
    }


@pytest.mark.xdist_group("scenario_truth")
def test_resolution_recovers_the_scenarios_persons(tmp_path):
    folder = tmp_path / "scenario"
    generate(
        seed=TRAINING_SEED, size="demo", out_dir=folder, persons=250, incidents=1500, comms=1200
    )
    store = open_store(tmp_path / "s.sqlite")
    store.init()
    import_files(store, scenario_files(folder))
    store.close()
    records = store_person_records(str(tmp_path / "s.sqlite"))
    truth = load_ground_truth(folder)["record_to_person"]
    person_of = {
        rid: truth[key]
        for rid, key in zip(records["record_id"], records["key"], strict=False)
        if key in truth
    }
    scored = score_candidates(records, block(records, per_record=10, workers=1), workers=1)
    accepted = constrained_accept(scored, 0.4, cannot_link=same_report_pairs(records))

    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b, _ in accepted:
        parent[find(a)] = find(b)
    predicted = _pairs(
        {root: [r for r in person_of if find(r) == root] for root in {find(r) for r in person_of}}
    )
    true = _pairs({p: [r for r, q in person_of.items() if q == p] for p in set(person_of.values())})
    precision = len(predicted & true) / len(predicted)
    recall = len(predicted & true) / len(true)
    assert len(true) > 150  # persons named under several records and spellings (F15)
    # measured 0.969 / 0.928 (deterministic: seeded generator, ties ranked in a fixed order); 0.975 /
    # 0.976 before reports observed only part of the network (issue 21): records now carry fewer ties
    assert precision >= 0.93 and recall >= 0.90, (precision, recall)
