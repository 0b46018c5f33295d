"""The `cellmap` command line: thin commands that call the modules below them."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from cellmap.disrupt.cli import app as simulate_app
from cellmap.errors import InputError
from cellmap.finance.cli import app as finance_app
from cellmap.graph.cli import app as analyse_app
from cellmap.incidents.cli import app as incidents_app
from cellmap.resolve.cli import app as resolve_app
from cellmap.scenario.cli import app as scenario_app
from cellmap.store import open_store, views
from cellmap.web.cli import app as web_app

app = typer.Typer(help="cellmap: an analyst workbench for clandestine networks.", no_args_is_help=True)
app.add_typer(analyse_app, name="analyse")
app.add_typer(simulate_app, name="simulate")
app.add_typer(incidents_app, name="incidents")
app.add_typer(finance_app, name="finance")
app.add_typer(resolve_app, name="resolve")
app.add_typer(scenario_app, name="scenario")
app.add_typer(web_app, name="web")

console = Console(stderr=True)
DbOption = typer.Option(None, "--db", envvar="CELLMAP_DB", help="Database URL or SQLite file (default ./data/cellmap.sqlite).")
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")


def emit_json(value) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def fail(error: InputError) -> None:
    console.print(f"[bold red]error:[/] {error.describe()}", highlight=False)
    raise typer.Exit(code=2)


@app.command()
def init(db: Optional[str] = DbOption, json_out: bool = JsonOption) -> None:
    """Create the store (or migrate it to the newest schema)."""
    store = open_store(db)
    store.init()
    if json_out:
        emit_json({"db": store.display_url(), "initialised": True})
    else:
        console.print(f"store ready: {store.display_url()}")


@app.command()
def stats(db: Optional[str] = DbOption, json_out: bool = JsonOption) -> None:
    """What is in the store: rows per table, entities by kind, reports by grade."""
    store = open_store(db)
    store.init()
    with store.session() as conn:
        result = {
            "db": store.display_url(),
            "synthetic": views.is_synthetic(conn),
            "counts": views.counts(conn),
            "entities_by_kind": views.entity_counts(conn),
            "reports_by_grade": views.report_grade_counts(conn),
        }
    if json_out:
        emit_json(result)
        return
    out = Console()
    if result["synthetic"]:
        out.print("[bold yellow]SYNTHETIC DATA — fictional persons[/]")
    for title, rows in (("rows", result["counts"]), ("entities by kind", result["entities_by_kind"]),
                        ("reports by grade", result["reports_by_grade"])):
        table = Table(title=title)
        table.add_column("")
        table.add_column("count", justify="right")
        for key, value in rows.items():
            table.add_row(key, f"{value:,}")
        out.print(table)


if __name__ == "__main__":
    app()
