"""`cellmap simulate …` end to end on a JJATT edge list and on a small store."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
from typer.testing import CliRunner

from cellmap.disrupt.attack import monte_carlo
from cellmap.disrupt.cli import app
from tests.disrupt.conftest import JJATT, jjatt_graph

runner = CliRunner()


def write_edges(tmp_path, name="madrid_train_bombings_2004"):
    g = jjatt_graph(name)
    path = tmp_path / "edges.csv"
    path.write_text(
        "source,target\n"
        + "".join(f"{g.vs[a]['name']},{g.vs[b]['name']}\n" for a, b in g.get_edgelist())
    )
    return path, g


def test_attack_json_one_row_per_removal(tmp_path):
    edges, g = write_edges(tmp_path)
    result = runner.invoke(
        app,
        [
            "attack",
            "--edges",
            str(edges),
            "--by",
            "degree",
            "--k",
            "4",
            "--json",
            "--plot",
            str(tmp_path / "curve"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["rows"]) == 5 and data["rows"][0]["removed"] is None
    top = max(range(g.vcount()), key=lambda v: (g.degree(v), -v))
    assert data["rows"][1]["removed"] == g.vs[top]["name"]
    assert (tmp_path / "curve.png").stat().st_size > 0 and (
        tmp_path / "curve.svg"
    ).stat().st_size > 0


def test_attack_recorded_from_jjatt_node_table(tmp_path):
    edges, g = write_edges(tmp_path)
    nodes = next((JJATT / "madrid_train_bombings_2004").glob("*_Nodes_*.csv"))
    result = runner.invoke(
        app,
        ["attack", "--edges", str(edges), "--by", "recorded", "--removals", str(nodes), "--json"],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    dates = [r["date"] for r in rows[1:]]
    table = pl.read_csv(nodes, infer_schema_length=0)
    dated = table.filter(
        pl.col("Arrest_Date").is_not_null() | pl.col("Death_Date").is_not_null()
    ).height
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
    assert (a["largest_share_lo"] <= a["largest_share_mean"]).all() and (
        a["largest_share_mean"] <= a["largest_share_hi"]
    ).all()
    assert np.all(a["runs"].to_numpy() == 25)


def test_bad_removals_file_names_file_line_and_field(tmp_path):
    edges, _ = write_edges(tmp_path)
    bad = tmp_path / "removals.csv"
    bad.write_text("person,date\n3100,2004-03-11\n3101,11 March\n")
    result = runner.invoke(
        app, ["attack", "--edges", str(edges), "--by", "recorded", "--removals", str(bad)]
    )
    assert result.exit_code == 2
    assert "removals.csv:3:date:" in "".join(result.output.split())  # Rich may wrap the long path


def test_person_date_removals_file(tmp_path):
    edges, _ = write_edges(tmp_path)
    good = tmp_path / "removals.csv"
    good.write_text("person,date\n3101,2004-03-12\n3100,2004-03-11\nNOT-IN-NETWORK,2004-01-01\n")
    result = runner.invoke(
        app,
        ["attack", "--edges", str(edges), "--by", "recorded", "--removals", str(good), "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["removed"] for r in data["rows"][1:]] == ["3100", "3101"]
    assert data["strategy"]["skipped_not_in_network"] == ["NOT-IN-NETWORK"]


def test_attack_by_roles_on_a_store(small_store):
    result = runner.invoke(
        app,
        [
            "attack",
            "--db",
            small_store,
            "--by",
            "roles",
            "--roles",
            "leadership",
            "--json",
            "--at",
            "2020-06-01",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [r["removed"] for r in rows[1:]] == ["L", "K1", "K2", "H"]
    # L, then K1: the remaining council member still reaches both cells through H; after K2 nobody leads.
    assert [r["cells_cut_from_leadership"] for r in rows] == [0, 0, 0, 2, 2]


def test_recovery_and_tenure_commands_on_a_store(small_store, tmp_path):
    result = runner.invoke(
        app,
        [
            "recovery",
            "--db",
            small_store,
            "--at",
            "2020-06-01",
            "--runs",
            "5",
            "--tie-probability",
            "1",
            "--json",
            "--plot",
            str(tmp_path / "rec"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["parameters"]["tie_probability"] == 1.0 and data["parameters"]["runs"] == 5
    assert data["synthetic"] is True  # the fixture's report is marked synthetic
    by = {(r["structure"], r["outcome"]): r for r in data["rows"]}
    assert by[("single leader (as recorded)", "strikes_to_cut_off")]["median"] == 1
    assert (tmp_path / "rec-strikes_to_cut_off.svg").exists()
    result = runner.invoke(
        app, ["tenure", "--db", small_store, "--json", "--plot", str(tmp_path / "km")]
    )
    assert result.exit_code == 0, result.output
    summary = {r["role_group"]: r for r in json.loads(result.stdout)["summary"]}
    assert summary["leader"]["holdings"] == 1 and summary["leader"]["eliminated"] == 1
    assert (tmp_path / "km.png").exists()
    shown = runner.invoke(app, ["tenure", "--db", small_store])
    assert shown.exit_code == 0 and shown.stdout.startswith("SYNTHETIC DATA — fictional persons")


def test_attack_on_a_synthetic_store_says_so(small_store):
    shown = runner.invoke(app, ["attack", "--db", small_store, "--by", "degree", "--k", "1"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("SYNTHETIC DATA — fictional persons")
    data = json.loads(
        runner.invoke(app, ["attack", "--db", small_store, "--k", "1", "--json"]).stdout
    )
    assert data["synthetic"] is True
