"""The Spark engine's degree, strength, PageRank and components equal the local engine's, on the
public covert networks (read by Spark from their CSV files, and handed over as projected graphs)
and on a generated scenario's store, through the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))
from graph_helpers import UCINET, UCINET_GRAPHS, require_datasets, ucinet_graph  # noqa: E402

from cellmap.cli import app  # noqa: E402
from cellmap.graph import measures as local  # noqa: E402
from cellmap.graph import spark_engine as se  # noqa: E402

PAGERANK_AGREEMENT = 1e-6  # the bar; the tolerance stated in spark_engine gives ~1e-8


def _compare(frame, g) -> None:
    """Spark's frame (one row per vertex, ``id`` = local index) against the local engine and igraph."""
    got = frame.toPandas().sort_values("id")
    assert got["id"].tolist() == list(range(g.vcount()))
    expected = local.measures(g).to_pandas()
    assert got["node"].tolist() == expected["node"].tolist()
    np.testing.assert_array_equal(got["degree"].to_numpy(), expected["degree"].to_numpy())
    np.testing.assert_allclose(
        got["strength"].to_numpy(), expected["strength"].to_numpy(), atol=1e-9
    )
    np.testing.assert_allclose(
        got["pagerank"].to_numpy(), expected["pagerank"].to_numpy(), rtol=0, atol=PAGERANK_AGREEMENT
    )
    # igraph's own PageRank (PRPACK), an independent implementation of the same definition
    np.testing.assert_allclose(
        got["pagerank"].to_numpy(), g.pagerank(weights="weight"), rtol=0, atol=PAGERANK_AGREEMENT
    )
    assert got["component"].tolist() == expected["component"].tolist()
    membership = g.connected_components().membership
    assert len(set(got["component"])) == len(set(membership))


def _edges_file(spec) -> str:
    return str(next((UCINET / spec[0]).glob(f"{spec[1]}_edges.csv")))


def test_covert_network_read_by_spark_from_csv(spark):
    """The 9/11 hijackers' network (Krebs 2002) read from its CSV by Spark."""
    require_datasets()
    spec = UCINET_GRAPHS[0]
    frame, info = se.measures(se.read_edges(spark, _edges_file(spec)))
    _compare(frame, ucinet_graph(*spec))
    assert 1 <= info["component_rounds"] <= 10


@pytest.mark.spark_full
@pytest.mark.parametrize("spec", UCINET_GRAPHS[1:], ids=[s[1] for s in UCINET_GRAPHS[1:]])
def test_more_covert_networks(spark, spec):
    require_datasets()
    g = ucinet_graph(*spec)  # with the isolates of the nodes file: dangling vertices
    frame, _ = se.measures(se.from_igraph(spark, g))
    _compare(frame, g)


def test_components_by_large_star_small_star(spark):
    """The docstring's example, and a path whose ids alternate (the worst order for stars)."""
    import igraph as ig

    g = ig.Graph(n=6, edges=[(3, 1), (1, 2), (5, 4), (0, 0)][:3])
    g.vs["name"] = [f"v{i}" for i in range(6)]
    g.es["weight"] = [1.0] * g.ecount()
    roots, _ = se.components(se.from_igraph(spark, g))
    assert dict(roots.toPandas().itertuples(index=False)) == {0: 0, 1: 1, 2: 1, 3: 1, 4: 4, 5: 4}
    order = [0, 9, 2, 7, 4, 5, 6, 3, 8, 1]
    path = ig.Graph(n=10, edges=list(zip(order, order[1:], strict=False)))
    path.vs["name"] = [str(i) for i in range(10)]
    roots, rounds = se.components(se.from_igraph(spark, path))
    assert set(roots.toPandas()["root"]) == {0}
    assert rounds >= 2


def test_bad_edge_list_names_file_and_field(spark, tmp_path):
    from cellmap.errors import InputError

    bad = tmp_path / "bad.csv"
    bad.write_text("source,target,weight\na,b,1\nb,c,heavy\n")
    with pytest.raises(InputError, match="weight: not a number .'heavy'") as caught:
        se.read_edges(spark, str(bad))
    assert caught.value.file == str(bad)
    missing = tmp_path / "cols.csv"
    missing.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="source: missing column"):
        se.read_edges(spark, str(missing))


def test_cli_spark_engine_equals_local_on_generated_scenario(spark, scenario_store, tmp_path):
    """`cellmap analyse measures --engine spark` on a generated scenario's store, written to
    Parquet, against the local engine's answer."""
    runner = CliRunner()
    out = tmp_path / "measures.parquet"
    result = runner.invoke(
        app,
        [
            "analyse",
            "measures",
            "--db",
            scenario_store,
            "--engine",
            "spark",
            "--top",
            "0",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["engine"] == "spark"
    spark_rows = pl.read_parquet(out / "*.parquet").sort("node")
    result = runner.invoke(
        app, ["analyse", "measures", "--db", scenario_store, "--top", "0", "--json"]
    )
    assert result.exit_code == 0, result.output
    local_rows = pl.DataFrame(json.loads(result.stdout)["measures"]).sort("node")
    assert spark_rows.height == local_rows.height == answer["nodes"] > 50
    assert spark_rows["node"].to_list() == local_rows["node"].to_list()
    assert spark_rows["degree"].to_list() == local_rows["degree"].to_list()
    assert spark_rows["component"].to_list() == local_rows["component"].to_list()
    np.testing.assert_allclose(spark_rows["strength"], local_rows["strength"], atol=1e-9)
    np.testing.assert_allclose(
        spark_rows["pagerank"], local_rows["pagerank"], atol=PAGERANK_AGREEMENT
    )
    assert [r["node"] for r in answer["measures"][:5]] == (
        local_rows.sort(["pagerank", "node"], descending=[True, False])["node"].head(5).to_list()
    )
