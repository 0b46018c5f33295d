"""Candidate pairs on Spark — blocking as joins, the scorer per partition — are the local engine's
pairs with the local engine's scores, on a generated scenario's person records."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from cellmap.cli import app
from cellmap.resolve import spark_engine
from cellmap.resolve.candidates import block, score_candidates, store_records
from cellmap.store import open_store


def test_blocking_and_scores_equal_the_local_engine(spark, scenario_store):
    store = open_store(scenario_store)
    with store.session() as conn:
        records = store_records(conn)
    store.close()
    expected_pairs = block(records, per_record=10, workers=1)
    pairs = spark_engine.block(spark, records, per_record=10)
    assert expected_pairs.height > 100
    assert pairs.select("left_id", "right_id").to_dicts() == (
        expected_pairs.select("left_id", "right_id").to_dicts()
    )
    assert pairs["shared_keys"].to_list() == expected_pairs["shared_keys"].to_list()
    np.testing.assert_allclose(pairs["prescore"], expected_pairs["prescore"], atol=1e-12)
    expected = score_candidates(records, expected_pairs, workers=1)
    scored = spark_engine.score_candidates(spark, records, pairs)
    np.testing.assert_allclose(scored["score"], expected["score"], atol=1e-12)
    for column in ("reasons", "contradicts", "names_differ", "nisbas_clash"):
        assert scored[column].to_list() == expected[column].to_list()


def test_cli_candidates_on_spark_fill_the_same_queue(spark, scenario_store, tmp_path):
    runner = CliRunner()
    queues = {}
    for engine in ("spark", "local"):
        queue = tmp_path / f"{engine}.jsonl"
        result = runner.invoke(
            app,
            [
                "resolve",
                "candidates",
                "--db",
                scenario_store,
                "--engine",
                engine,
                "--queue",
                str(queue),
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        queues[engine] = [json.loads(line) for line in queue.read_text().splitlines()]
    assert len(queues["spark"]) == len(queues["local"]) > 10
    assert queues["spark"] == queues["local"]
