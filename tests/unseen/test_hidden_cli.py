"""`cellmap estimate hidden` on a scenario whose truth is known (seed 11, never used for tuning)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cellmap.cli import app


def test_hidden_members_json_covers_the_true_number(case):
    result = CliRunner().invoke(app, ["estimate", "hidden", "--db", case.db, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    members = data["members"]
    assert set(members) >= {"observed", "estimate", "low", "high", "level"}
    true_members = sum(1 for p in case.truth["persons"].values() if p["kind"] != "merchant")
    seen_members = sum(
        1 for p in case.truth["persons"].values() if p["kind"] != "merchant" and p["records"]
    )
    assert members["level"] == 0.9
    # one seed: the interval's calibration over ten seeds is measured by `python -m bench unseen`
    assert members["low"] <= members["estimate"] <= members["high"]
    assert abs(members["estimate"] - true_members) <= 0.1 * true_members
    # the resolved observed count is close to the true number of reported members
    assert abs(members["observed"] - seen_members) <= 0.1 * seen_members
    identities = data["resolution"]
    assert identities["automatic_merges"] == case.merges and identities["thresholds"] == [0.5]
    assert identities["persons"] == identities["records"] - identities["automatic_merges"]


def test_hidden_members_by_cell_lists_every_cell(case):
    result = CliRunner().invoke(
        app, ["estimate", "hidden", "--db", case.db, "--by", "cell", "--json"]
    )
    assert result.exit_code == 0, result.output
    units = json.loads(result.output)["units"]
    assert {u["unit"] for u in units} == set(case.truth["cells"])
    assert all(
        u["low"] <= u["estimate"] <= u["high"] and u["observed"] <= u["estimate"] for u in units
    )


def test_bad_options_name_the_option(case):
    result = CliRunner().invoke(app, ["estimate", "hidden", "--db", case.db, "--by", "street"])
    assert result.exit_code != 0 and "--by" in result.output
    result = CliRunner().invoke(app, ["estimate", "hidden", "--db", case.db, "--method", "best"])
    assert result.exit_code != 0 and "--method" in result.output
