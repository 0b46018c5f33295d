"""`--robust N`: shares over samples of reports kept by grade, merges kept by score, drawn ties and
unseen members (cellmap.unseen.robust)."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from cellmap.cli import app
from cellmap.graph.keyplayers import key_players
from cellmap.graph.measures import betweenness
from cellmap.graph.projection import person_graph
from cellmap.store import open_store, views
from cellmap.unseen.robust import RobustModel, load_model, robust_set, robustness


def _frames():
    """Persons 1–4 (records 1, 2 are one man by an automatic merge of score 0.7; record 5 by an
    analyst's judgement), a tie 1–3 reported at E5, a tie 3–4 at A1, a tie 2–4 at B2."""
    entities = pl.DataFrame(
        {
            "entity_id": [1, 2, 3, 4, 5],
            "canonical_id": [1, 1, 3, 4, 1],
            "kind": ["person"] * 5,
            "key": ["P-1", "P-2", "P-3", "P-4", "P-5"],
            "name": ["One", "One too", "Three", "Four", "One again"],
        }
    )
    relations = pl.DataFrame(
        {
            "relation_id": [10, 11, 12],
            "kind": ["meeting", "command", "communication"],
            "source_id": [1, 3, 2],
            "target_id": [3, 4, 4],
            "source_kind": ["person"] * 3,
            "target_kind": ["person"] * 3,
            "report_id": [100, 101, 102],
        }
    )
    reports = pl.DataFrame(
        {"report_id": [100, 101, 102], "reliability": ["E", "A", "B"], "credibility": [5, 1, 2]}
    )
    judgements = pl.DataFrame(
        {
            "left_id": [1, 1],
            "right_id": [2, 5],
            "decision": ["same", "same"],
            "score": [0.7, 0.99],
            "automatic": [True, False],
        }
    )
    return relations, entities, reports, judgements


def _share_close(count: int, draws: int, p: float) -> bool:
    """Within four binomial standard errors of p."""
    return abs(count / draws - p) < 4 * np.sqrt(p * (1 - p) / draws)


def test_reports_are_kept_by_grade_and_merges_by_score():
    model = RobustModel.from_frames(*_frames(), perturb=("reports", "merges"))
    # the table in schema/robustness.yaml: E5 = 0.45 × 0.35, A1 = 1, B2 = 0.9 × 0.9
    assert model.report_keep.tolist() == pytest.approx([0.45 * 0.35, 1.0, 0.81])
    rng = np.random.default_rng(5)
    draws = 2000
    e5 = a1 = split = 0
    for _ in range(draws):
        g, _ = model.sample(rng)
        names = g.vs["name"]
        pairs = {frozenset((names[a], names[b])) for a, b in g.get_edgelist()}
        e5 += frozenset(("P-1", "P-3")) in pairs
        a1 += frozenset(("P-3", "P-4")) in pairs
        split += g.vcount() == 4  # record 2 apart from One (the analyst's 1–5 always holds)
    assert a1 == draws
    assert _share_close(e5, draws, 0.45 * 0.35)
    assert _share_close(split, draws, 0.3)  # the automatic merge of score 0.7 undone


def test_a_missing_tie_of_probability_p_appears_in_p_of_samples():
    relations, entities, reports, judgements = _frames()
    only_3_4 = relations.filter(pl.col("relation_id") == 11)
    model = RobustModel.from_frames(only_3_4, entities, reports, judgements, perturb=())
    model.tie_pairs = np.array([[0, 2]])  # One–Four, which no report states
    model.tie_probability = np.array([0.25])
    rng = np.random.default_rng(9)
    draws = 2000
    hits = sum(model.sample(rng)[0].ecount() == 2 for _ in range(draws))
    assert _share_close(hits, draws, 0.25)


def test_nothing_perturbed_gives_the_plain_answer(case):
    store = open_store(case.db)
    with store.session() as conn:
        model = load_model(conn, perturb=())
        relations, entities = views.relations(conn), views.entities(conn)
    store.close()
    plain = person_graph(relations, entities)
    result = robustness(model, 2, seed=3, k=3, objective="F", measures=("betweenness",))
    # an independent computation: key players and betweenness on the plain person graph
    players = set(key_players(plain, 3, objective="F", seed=3).nodes)
    values = betweenness(plain)[0]
    names = plain.vs["name"]
    top10 = set(
        sorted(
            (i for i in range(len(names)) if values[i] > 0), key=lambda i: (-values[i], names[i])
        )[:10]
    )
    by_node = {p["node"]: p for p in result["persons"]}
    assert set(robust_set(result, 1.0)) == players
    assert {n for n, p in by_node.items() if p["plain_key_player"]} == players
    assert {n for n, p in by_node.items() if p["top"]["betweenness"] == 1.0} == {
        names[i] for i in top10
    }
    assert all(
        p["top"]["betweenness"] in (0.0, 1.0) and p["key_player"] in (0.0, 1.0)
        for p in by_node.values()
    )
    assert result["expected"] == {
        "reports_kept": 1.0,
        "merges_undone": 0.0,
        "ties_added": 0.0,
        "members_added": 0.0,
    }


def test_robustness_is_seeded_whatever_the_workers():
    model = RobustModel.from_frames(*_frames(), perturb=("reports", "merges"))
    model.tie_pairs, model.tie_probability = np.array([[0, 2]]), np.array([0.5])
    runs = [
        robustness(model, 12, seed=4, k=1, objective="F", workers=w, measures=("degree",))
        for w in (1, 2, 1)
    ]
    assert runs[0] == runs[1] == runs[2]
    other = robustness(model, 12, seed=5, k=1, objective="F", workers=1, measures=("degree",))
    assert other["persons"] != runs[0]["persons"]  # another seed, other draws


def test_robust_cli_json_and_bounds(case):
    args = ["analyse", "keyplayers", "--db", case.db, "--k", "3", "--objective", "F"]
    run = CliRunner().invoke(app, [*args, "--robust", "2", "--seed", "4", "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert data["samples"] == 2 and data["seed"] == 4 and data["identities"]["persons"] > 0
    # each share is a whole number of the 2 samples; the plain set has k = 3 persons
    assert all(p["key_player"] in (0.0, 0.5, 1.0) for p in data["persons"])
    assert sum(p["plain_key_player"] for p in data["persons"]) == 3
    assert set(data["expected"]) == {"reports_kept", "merges_undone", "ties_added", "members_added"}
    refused = CliRunner().invoke(app, [*args, "--robust", "0"])
    assert refused.exit_code != 0 and "--robust" in refused.output
    refused = CliRunner().invoke(app, [*args, "--robust", "2", "--min-grade", "B3"])
    assert refused.exit_code != 0 and "--robust" in refused.output


def test_coherence_shares_unperturbed_are_the_plain_labels(case):
    from cellmap.incidents import actors
    from cellmap.incidents import coherence as c
    from cellmap.store.case import CaseFrames
    from cellmap.unseen.robust import coherence_shares

    store = open_store(case.db)
    with store.session() as conn:
        frames = CaseFrames.from_connection(conn)
        raw = (
            views.relations(conn, resolved=False),
            views.entities(conn),
            views.incidents(conn, resolved=False),
            views.reports(conn),
            views.latest_judgements(conn),
        )
    store.close()
    campaigns = c.campaigns_frame(frames.entities, frames.properties)
    cells = frames.ids_of_kind("cell")
    rule = c.CoherenceRule(shuffles=99)

    def label_cells(incidents, entities, relations):
        located = actors.incident_cells(incidents, entities, relations)
        return c.coherence(located, campaigns, relations, cells, rule=rule)

    plain = label_cells(frames.incidents, frames.entities, frames.relations)
    shares = coherence_shares(*raw, label_cells, 2, seed=1, perturb=())
    for cell, label in plain.select("cell_id", "label").iter_rows():
        assert shares[cell] == {label: 1.0}
    assert "coordinated" in set(plain["label"])  # the scenario has coordinated cells to compare


def test_brief_robustness_gives_the_plain_set_its_shares(case):
    from cellmap.unseen.robust import brief_robustness

    store = open_store(case.db)
    with store.session() as conn:
        model = load_model(conn)
    store.close()
    brief = brief_robustness(model, samples=2, seed=1, k=3)
    assert len(brief["share"]) == 3 and all(v in (0.0, 0.5, 1.0) for v in brief["share"].values())
    assert all(o["share"] >= 0.5 and o["entity_id"] not in brief["share"] for o in brief["others"])
    assert brief["sentence"].endswith(".") and "of the 3 key players" in brief["sentence"]
    # a report's own set: a person tied to no one (never a key player of F) has share 0
    never = model.identities[int(np.flatnonzero(model.plain_degree == 0)[0])]
    mine = brief_robustness(model, samples=2, seed=1, k=3, plain=[never])
    assert mine["share"] == {never: 0.0} and "0 of the 1 key players" in mine["sentence"]


def test_robust_set_by_threshold_or_by_the_highest_shares():
    """share ≥ 0.5 may hold fewer than k persons; the k highest shares hold k (equal shares: plain
    key players first, then by key; a share of 0 never)."""
    persons = [
        {"node": "P-d", "key_player": 0.9, "plain_key_player": False},
        {"node": "P-c", "key_player": 0.4, "plain_key_player": False},
        {"node": "P-b", "key_player": 0.4, "plain_key_player": True},
        {"node": "P-a", "key_player": 0.4, "plain_key_player": False},
        {"node": "P-e", "key_player": 0.0, "plain_key_player": True},
    ]
    result = {"persons": persons}
    assert robust_set(result) == ["P-d"]
    assert robust_set(result, size=3) == ["P-d", "P-b", "P-a"]
    assert robust_set(result, size=9) == ["P-d", "P-b", "P-a", "P-c"]


def test_coherence_robust_cli_share_is_each_cells_share_of_the_drawn_samples(case):
    """``incidents coherence --robust 2 --json``: each cell's coordinated_share equals the share
    computed here from the same two samples, drawn as the module states (one seeded generator per
    sample from ``SeedSequence(seed).spawn``; first a uniform per report against its grade's
    reliability × credibility in ``schema/robustness.yaml``, then one per automatic judgement
    against its score), resolved with NetworkX's components and labelled by the plain rule over
    the plain answer's weeks."""
    from pathlib import Path

    import networkx as nx
    import yaml

    import cellmap
    from cellmap.incidents import actors
    from cellmap.incidents import coherence as c
    from cellmap.store.case import CaseFrames

    samples, seed = 2, 7
    args = ["incidents", "coherence", "--db", case.db, "--shuffles", "99"]
    run = CliRunner().invoke(app, [*args, "--robust", str(samples), "--seed", str(seed), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert data["samples"] == samples and data["seed"] == seed
    shown = {row["cell_id"]: row["coordinated_share"] for row in data["cells"]}

    table = Path(cellmap.__file__).parent / "schema" / "robustness.yaml"
    inclusion = yaml.safe_load(table.read_text())["report_inclusion"]
    store = open_store(case.db)
    with store.session() as conn:
        frames = CaseFrames.from_connection(conn)
        relations = views.relations(conn, resolved=False)
        entities = views.entities(conn)
        incidents = views.incidents(conn, resolved=False)
        reports = views.reports(conn)
        judgements = views.latest_judgements(conn)
    store.close()
    campaigns = c.campaigns_frame(frames.entities, frames.properties)
    cells = frames.ids_of_kind("cell")
    keep = np.array(
        [
            inclusion["reliability"][r] * inclusion["credibility"][str(g)]
            for r, g in reports.select("reliability", "credibility").iter_rows()
        ]
    )
    same = judgements.filter(pl.col("decision") == "same")
    first, last = incidents["date"].min(), incidents["date"].max()
    coordinated: dict[int, int] = {}
    for stream in np.random.SeedSequence(seed).spawn(samples):
        rng = np.random.default_rng(stream)
        kept = reports["report_id"].filter(pl.Series(rng.random(reports.height) < keep))
        merged = nx.Graph()
        for left, right, score, automatic in same.select(
            "left_id", "right_id", "score", "automatic"
        ).iter_rows():
            if not automatic or rng.random() < score:
                merged.add_edge(left, right)
        mapping = {e: min(part) for part in nx.connected_components(merged) for e in part}

        def resolved(frame: pl.DataFrame, columns, kept=kept, mapping=mapping) -> pl.DataFrame:
            frame = frame.filter(pl.col("report_id").is_in(kept.implode()))
            return frame.with_columns(
                pl.col(x).replace_strict(mapping, default=pl.col(x), return_dtype=pl.Int64)
                for x in columns
            )

        sample_entities = entities.with_columns(
            pl.col("entity_id")
            .replace_strict(mapping, default=pl.col("entity_id"), return_dtype=pl.Int64)
            .alias("canonical_id")
        )
        sample_relations = resolved(relations, ["source_id", "target_id"])
        located = actors.incident_cells(
            resolved(incidents, ["attributed_to"]), sample_entities, sample_relations
        )
        labels = c.coherence(
            located,
            campaigns,
            sample_relations,
            cells,
            first,
            last,
            rule=c.CoherenceRule(shuffles=99),
        )
        for cell, label in labels.select("cell_id", "label").iter_rows():
            coordinated[cell] = coordinated.get(cell, 0) + (label == "coordinated")
    assert shown == {cell: coordinated.get(cell, 0) / samples for cell in shown}
    plain = {row["cell_id"]: row["label"] for row in data["cells"]}
    # the samples change answers: some plainly coordinated cell is not coordinated in every sample
    assert any(plain[cell] == "coordinated" and shown[cell] < 1 for cell in shown)
