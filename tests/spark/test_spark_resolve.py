"""Candidate pairs on Spark — blocking as joins, the scorer per partition — are the local engine's
pairs with the local engine's scores, on a generated scenario's person records."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cellmap.cli import app
from cellmap.resolve import spark_engine
from cellmap.resolve.candidates import block, score_candidates, store_records
from cellmap.resolve.splink_model import fit_and_predict
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


@pytest.mark.spark_full
def test_splink_model_on_spark_equals_duckdb(spark, scenario_store):
    """Splink's Spark backend (the name score as a pandas UDF on the executors, the candidate pairs
    as a Spark DataFrame) fits and scores like Splink on DuckDB. u is estimated on every pair (its
    sample is a hash of the record id, which the two databases compute differently). Minutes
    on the test cluster (Spark jobs per EM iteration: 560 s under load), hence only on request."""
    store = open_store(scenario_store)
    with store.session() as conn:
        records = store_records(conn).head(150)
    store.close()
    pairs = block(records, per_record=10, workers=1)
    every_pair = records.height**2
    expected = fit_and_predict(records, pairs, u_pairs=every_pair)
    spark_pairs = spark.createDataFrame(pairs.select("left_id", "right_id").to_pandas())
    got = fit_and_predict(records, spark_pairs, u_pairs=every_pair, spark=spark)
    assert expected.height == pairs.height > 100
    assert got.select("left_id", "right_id").to_dicts() == (
        expected.select("left_id", "right_id").to_dicts()
    )
    assert got.columns == expected.columns
    for column in expected.columns[2:]:
        if column.startswith("gamma_"):
            assert got[column].to_list() == expected[column].to_list(), column
        else:
            np.testing.assert_allclose(got[column], expected[column], atol=1e-9, err_msg=column)
    assert expected["match_probability"].max() > 0.9  # the model found matches to agree on
