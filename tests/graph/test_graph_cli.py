"""`cellmap analyse …` on a store (Noordin Top) and on a plain edge list."""

from __future__ import annotations

import json

import networkx as nx
import polars as pl
import pytest
from graph_helpers import UCINET, needs_datasets, write_noordin_cellmap_csv
from typer.testing import CliRunner

from cellmap.graph.cli import app
from cellmap.ingest import import_files
from cellmap.store import open_store

pytestmark = needs_datasets
runner = CliRunner()
SIREN = UCINET / "covert_41_siren" / "01_SIREN_edges.csv"


@pytest.fixture(scope="module")
def noordin_db(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("noordin_cli")
    store = open_store("sqlite:///" + str(folder / "s.sqlite"))
    store.init()
    import_files(store, write_noordin_cellmap_csv(folder))
    store.close()
    return "sqlite:///" + str(folder / "s.sqlite")


def run_json(*args):
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_measures_on_an_edge_list_match_networkx():
    out = run_json("measures", "--edges", str(SIREN), "--top", "0")
    edges = pl.read_csv(SIREN, infer_schema_length=0)
    h = nx.Graph([(a, b) for a, b in edges.iter_rows() if a != b])
    bc = nx.betweenness_centrality(h)
    assert out["nodes"] == h.number_of_nodes() and out["edges"] == h.number_of_edges()
    for row in out["measures"]:
        assert row["betweenness"] == pytest.approx(bc[row["node"]], abs=1e-9)


def test_every_command_on_the_store(noordin_db):
    m = run_json("measures", "--db", noordin_db, "--kinds", "communication", "--top", "5")
    assert m["nodes"] == 139 and m["edges"] == 312 and len(m["measures"]) == 5
    c = run_json("cells", "--db", noordin_db, "--resolution", "1.0")
    assert c["compared"] > 50 and -1 <= c["ari"] <= 1 and 0 <= c["nmi"] <= 1
    k = run_json(
        "keyplayers", "--db", noordin_db, "--k", "2", "--objective", "F", "--method", "greedy"
    )
    assert len(k["players"]) == 2 and k["score"] >= k["baseline"]
    p = run_json(
        "path",
        "Noordin Mohammed Top",
        "Abu Dujanah",
        "--db",
        noordin_db,
        "--kinds",
        "communication",
    )
    assert p["paths"] and all(
        step["grade"] == "B2" and step["report"].startswith("NT-R-") for step in p["steps"]
    )
    # paths are arrays of ids, one more than the steps, whose consecutive pairs are the steps
    for path in p["paths"]:
        assert len(path["nodes"]) == path["length"] + 1 == len(path["labels"])
        assert (path["labels"][0], path["labels"][-1]) == ("Noordin Mohammed Top", "Abu Dujanah")
        pairs = {(s["source"], s["target"]) for s in p["steps"] if s["path"] == path["path"]}
        assert pairs == set(zip(path["nodes"], path["nodes"][1:], strict=False))
    s = run_json("measures", "--db", noordin_db, "--grades", "all,B2,A1", "--top", "3")
    assert {row["support"] for row in s} == {"some grades"}  # nothing survives A1: no A1 reports


def test_readable_tables_and_one_line_errors(noordin_db, tmp_path):
    result = runner.invoke(app, ["keyplayers", "--db", noordin_db, "--k", "2", "--objective", "DR"])
    assert result.exit_code == 0 and "Noordin Mohammed Top" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("source,weight\na,1\n")
    result = runner.invoke(app, ["measures", "--edges", str(bad)])
    assert result.exit_code == 2 and "bad.csv:1: target: missing column" in result.output
    result = runner.invoke(app, ["path", "nobody", "MUKLAS", "--edges", str(SIREN)])
    assert result.exit_code == 2 and "node: 'nobody' is not in the graph" in result.output


def reject(token):
    raise ValueError(f"non-standard JSON token {token}")


def test_json_is_strict_even_with_isolates_and_no_cells(tmp_path, noordin_db):
    edges = tmp_path / "e.csv"
    edges.write_text("source,target\na,b\nb,c\nc,a\nd,e\n")
    out = run_json("cells", "--edges", str(edges))
    assert out["ari"] is None and out["compared"] == 0
    # 19 isolates in the communication network: their constraint is undefined and must print as null.
    result = runner.invoke(
        app, ["measures", "--db", noordin_db, "--kinds", "communication", "--top", "0", "--json"]
    )
    rows = json.loads(result.stdout, parse_constant=reject)["measures"]
    assert sum(row["constraint"] is None for row in rows) == 19
