"""`cellmap finance ledger|runway` end to end through a real store (import, views, CLI, JSON)."""

import json

from typer.testing import CliRunner

from cellmap.cli import app

from .conftest import KINDS, PAYMENTS, USES


def write_case(path):
    lines = [
        {
            "record": "report",
            "id": "R-1",
            "title": "ledger test",
            "kind": "financial_record",
            "date": "2021-04-01",
            "source": "test",
            "grade": "B2",
            "synthetic": True,
        }
    ]
    for entity, kind in KINDS.items():
        props = {"name": [f"entity {entity}"]}
        if entity == 100:
            props.update(
                opening_balance=["1000000.00"], opening_date=["2021-01-01"], currency=["USD"]
            )
        if entity == 101:
            props.update(opening_balance=["250000.50"], opening_date=["2021-01"])
        lines.append(
            {
                "record": "entity",
                "id": f"E-{entity}",
                "kind": kind,
                "report": "R-1",
                "properties": props,
            }
        )
    for rid, source, target, amount, kind, date, _ in PAYMENTS:
        lines.append(
            {
                "record": "relation",
                "id": f"PAY-{rid}",
                "kind": "payment",
                "source": f"E-{source}",
                "target": f"E-{target}",
                "report": "R-1",
                "attrs": {"amount": amount, "currency": "USD", "date": date, "payment_kind": kind},
            }
        )
    for rid, source, target in USES:
        lines.append(
            {
                "record": "relation",
                "id": f"USE-{rid}",
                "kind": "use",
                "source": f"E-{source}",
                "target": f"E-{target}",
                "report": "R-1",
            }
        )
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")


def test_ledger_and_runway_commands(tmp_path):
    case = tmp_path / "case.jsonl"
    write_case(case)
    db = str(tmp_path / "s.sqlite")
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "--db", db, str(case)])
    assert imported.exit_code == 0, imported.output
    ledger = runner.invoke(app, ["finance", "ledger", "--db", db, "--json"])
    assert ledger.exit_code == 0, ledger.output
    funds = {row["fund"]: row for row in json.loads(ledger.stdout)["funds"]}
    assert (
        funds["all funds"]["closing_balance"] == "1284145.93"
    )  # worked out by hand in test_ledger.py
    assert funds["entity 100"]["closing_balance"] == "941745.67"
    runway = runner.invoke(
        app, ["finance", "runway", "--db", db, "--window", "1", "--json", "--without", "E-101"]
    )
    assert runway.exit_code == 0, runway.output
    result = json.loads(runway.stdout)
    assert abs(result["runway"]["runway_months"] - 1284145.93 / 19499.99) < 1e-6
    removed = [r for r in result["removals"] if r["entity_id"] is not None]
    assert len(removed) == 1 and abs(removed[0]["runway_months"] - 941745.67 / 19400) < 1e-6
    table = runner.invoke(app, ["finance", "runway", "--db", db, "--window", "1"])
    assert table.exit_code == 0 and "Runway if removed" in table.output
