"""`cellmap scenario generate` and `cellmap scenario truth`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cellmap.scenario.cli import app


def test_generate_then_truth_as_json(tmp_path):
    runner = CliRunner()
    out = tmp_path / "s"
    done = runner.invoke(
        app,
        [
            "generate",
            "--out",
            str(out),
            "--seed",
            "4",
            "--persons",
            "100",
            "--incidents",
            "200",
            "--comms",
            "100",
            "--json",
        ],
    )
    assert done.exit_code == 0, done.output
    manifest = json.loads(done.stdout)
    assert manifest["synthetic"] is True and manifest["seed"] == 4
    assert manifest["files"] == ["reports.jsonl", "entities.ftm.jsonl", "incidents.csv"]
    truth = runner.invoke(app, ["truth", str(out), "--json"])
    assert truth.exit_code == 0, truth.output
    summary = json.loads(truth.stdout)
    assert len(summary["leadership_removals"]) == 4 and len(summary["traced_strikes"]) == 6
    assert summary["persons_with_several_records"] >= 1


def test_generate_refuses_an_unknown_size(tmp_path):
    done = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "x"), "--size", "huge"])
    assert done.exit_code == 2
