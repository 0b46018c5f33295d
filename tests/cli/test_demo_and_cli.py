"""The commands a user runs first: `cellmap demo` (without serving), import/export/stats with --json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import polars as pl
import pytest
from typer.testing import CliRunner

from cellmap.cli import app
from cellmap.store import open_store, views

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, ["demo", "--data-dir", str(data), "--no-serve", "--json"])
    assert result.exit_code == 0, result.output
    return data, json.loads(result.stdout[result.stdout.index("{") :])


def test_demo_reports_the_seed_headline_and_labels_synthetic(demo_run):
    _, summary = demo_run
    assert summary["synthetic"] is True
    completed = next(
        r for r in summary["incidents"]["year_on_year"] if r["method"] == "completed_operations"
    )
    assert completed["change"] == pytest.approx(-0.55, abs=0.01)
    assert summary["incidents"]["year"] == 2022


def test_demo_key_players_fragment_as_networkx_computes(demo_run):
    data, summary = demo_run
    store = open_store(data / "cellmap.sqlite")
    with store.session() as conn:
        entities = views.entities(conn)
        rel = views.relations(conn).filter(
            (pl.col("source_kind") == "person") & (pl.col("target_kind") == "person")
        )
    graph = nx.Graph()
    graph.add_edges_from(
        (s, t) for s, t in rel.select("source_id", "target_id").iter_rows() if s != t
    )
    assert graph.number_of_nodes() == summary["key_players"]["graph"]["persons"]
    id_of = dict(entities.select("key", "canonical_id").iter_rows())
    chosen = {id_of[key] for key in summary["key_players"]["keys"]}
    assert len(chosen) == summary["key_players"]["k"] and chosen <= set(graph)
    # Borgatti's F of the residual graph: 1 - sum_k s_k (s_k - 1) / (n (n - 1)), n its node count (Borgatti 2006)
    remaining = graph.subgraph(set(graph) - chosen)
    n = remaining.number_of_nodes()
    pairs = sum(len(c) * (len(c) - 1) for c in nx.connected_components(remaining))
    assert 1 - pairs / (n * (n - 1)) == pytest.approx(
        summary["key_players"]["fragmentation_after"], abs=1e-9
    )


def test_import_export_stats_json(tmp_path, sample_file):
    db = str(tmp_path / "cli.sqlite")
    result = runner.invoke(app, ["import", str(sample_file), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"]["relations"] == 5
    stats = json.loads(runner.invoke(app, ["stats", "--db", db, "--json"]).stdout)
    assert stats["counts"]["entities"] == 7 and stats["synthetic"] is True
    assert stats["reports_by_grade"] == {"B2": 1, "C3": 1}
    out = tmp_path / "x.gexf"
    exported = runner.invoke(
        app, ["export", "--format", "gexf", "--out", str(out), "--db", db, "--json"]
    )
    assert json.loads(exported.stdout)["written"] == {
        "nodes": 7,
        "edges": 5,
        "edges with spells": 3,
    }


def test_bad_file_exits_2_with_file_line_field_and_stores_nothing(tmp_path, sample_file):
    db = str(tmp_path / "cli.sqlite")
    runner.invoke(app, ["import", str(sample_file), "--db", db])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"record": "report", "id": "R", "grade": "B2"}\n{"record": "entity", "id": "Q", "kind": "cel"}\n'
    )
    result = runner.invoke(app, ["import", str(bad), "--db", db])
    assert result.exit_code == 2
    assert f"{bad}:2: kind:" in result.output.replace("\n", "")
    with open_store(db).session() as conn:
        assert views.counts(conn)["reports"] == 2
    check = runner.invoke(app, ["import", str(bad), "--db", db, "--check", "--json"])
    assert check.exit_code == 2 and json.loads(check.stdout)["errors"][0]["line"] == 2


def test_import_folder_takes_every_recognised_file_never_the_ground_truth(demo_run, tmp_path):
    data, _ = demo_run
    folder = tmp_path / "scenario"
    shutil.copytree(data / "scenario-demo", folder)
    (folder / "notes.txt").write_text("an analyst's notes\n")
    db = str(tmp_path / "folder.sqlite")
    result = runner.invoke(app, ["import", str(folder), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout[result.stdout.index("{") :])
    manifest = json.loads((folder / "manifest.json").read_text())
    # the manifest's report files, reports first; ground truth, manifest and notes left out
    assert [Path(f).name for f in answer["files"]] == manifest["files"]
    assert {Path(s["file"]).name for s in answer["skipped"]} == {
        "ground_truth.jsonl",
        "manifest.json",
        "notes.txt",
    }
    with open_store(data / "cellmap.sqlite").session() as conn:
        demo_counts = views.counts(conn)  # the demo imported the manifest's files by name
    with open_store(db).session() as conn:
        counts = views.counts(conn)
        keys = set(views.entities(conn, resolved=False)["key"].to_list())
    assert {k: v for k, v in counts.items() if k != "judgements"} == {
        k: v for k, v in demo_counts.items() if k != "judgements"
    }
    truth_ids = {
        json.loads(line)["id"]
        for line in (folder / "ground_truth.jsonl").read_text().splitlines()
        if json.loads(line)["type"] == "person"
    }
    assert truth_ids and not truth_ids & keys
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = runner.invoke(app, ["import", str(empty), "--db", db])
    assert refused.exit_code == 2 and "no file in this folder" in refused.output
