"""`cellmap simulate …` end to end on a JJATT edge list and on a small store."""
from __future__ import annotations

import json

import numpy as np
import polars as pl
from typer.testing import CliRunner

from cellmap.disrupt.attack import monte_carlo
from cellmap.disrupt.cli import app
from conftest import JJATT, jjatt_graph

runner = CliRunner()


def write_edges(tmp_path, name="madrid_train_bombings_2004"):
    g = jjatt_graph(name)
    path = tmp_path / "edges.csv"
    path.write_text("source,target\n" + "".join(f"{g.vs[a]['name']},{g.vs[b]['name']}\n" for a, b in g.get_edgelist()))
    return path, g


def test_attack_json_one_row_per_removal(tmp_path):
    edges, g = write_edges(tmp_path)
    result = runner.invoke(app, ["attack", "--edges", str(edges), "--by", "degree", "--k", "4", "--json",
                                 "--plot", str(tmp_path / "curve")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["rows"]) == 5 and data["rows"][0]["removed"] is None
    top = max(range(g.vcount()), key=lambda v: (g.degree(v), -v))
    assert data["rows"][1]["removed"] == g.vs[top]["name"]
    assert (tmp_path / "curve.png").stat().st_size > 0 and (tmp_path / "curve.svg").stat().st_size > 0


def test_attack_recorded_from_jjatt_node_table(tmp_path):
    edges, g = write_edges(tmp_path)
    nodes = next((JJATT / "madrid_train_bombings_2004").glob("*_Nodes_*.csv"))
    result = runner.invoke(app, ["attack", "--edges", str(edges), "--by", "recorded", "--removals", str(nodes), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    dates = [r["date"] for r in rows[1:]]
    table = pl.read_csv(nodes, infer_schema_length=0)
    dated = table.filter(pl.col("Arrest_Date").is_not_null() | pl.col("Death_Date").is_not_null()).height
    assert dates == sorted(dates) and len(rows) == 1 + dated


def test_unknown_target_is_a_clear_error(tmp_path):
    edges, _ = write_edges(tmp_path)
    result = runner.invoke(app, ["attack", "--edges", str(edges), "--targets", "3100,NOPE"])
    assert result.exit_code == 2
    assert "NOPE" in result.output


def test_monte_carlo_repeatable_for_a_seed():
    g = jjatt_graph("bali_bombings_2002")
    a = monte_carlo(g, 10, 25, seed=42)[1]
    b = monte_carlo(g, 10, 25, seed=42)[1]
    c = monte_carlo(g, 10, 25, seed=43)[0]
    assert a.equals(b)
    assert not monte_carlo(g, 10, 25, seed=42)[0].equals(c)
    assert (a["largest_share_lo"] <= a["largest_share_mean"]).all() and (a["largest_share_mean"] <= a["largest_share_hi"]).all()
    assert np.all(a["runs"].to_numpy() == 25)
