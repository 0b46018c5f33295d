"""CLI commands for what the reports do not show (`cellmap estimate ...`).

cellmap estimate hidden                 # members in all: observed, estimate, 90 % interval, model
cellmap estimate hidden --by cell       # and per cell (or --by sector)
cellmap estimate hidden --json          # {"members": {...}, "units": [...]}
"""

from __future__ import annotations

import typer
from rich.table import Table

from cellmap.cliutil import (
    DbOption,
    JsonOption,
    banner,
    emit_json,
    load_store,
    out,
    user_errors,
)
from cellmap.errors import InputError

# Its help line is kept with the other groups' in cellmap/cli.py (GROUPS).
app = typer.Typer(no_args_is_help=True)


def resolved_frames(db: str | None):
    """The store's resolved relations and entities, its reports, whether it is synthetic, and the
    resolution summary ("N persons from M records (K automatic merges)")."""
    from cellmap.store import views

    store = load_store(db)
    with store.session() as conn:
        frames = (
            views.relations(conn),
            views.entities(conn),
            views.reports(conn),
            views.is_synthetic(conn),
            views.resolution_summary(conn),
        )
    store.close()
    return frames


@app.command("hidden")
def hidden_cmd(
    db: str | None = DbOption,
    by: str | None = typer.Option(None, "--by", help="Also estimate per cell or per sector."),
    level: float = typer.Option(0.9, "--level", help="Interval level: 0.8, 0.9, 0.95 or 0.99."),
    criterion: str = typer.Option(
        "BIC", "--criterion", help="Model weights (or choice) per unit: BIC or AIC."
    ),
    method: str = typer.Option(
        "averaged",
        "--method",
        help="averaged: Bayesian model averaging over the log-linear models (default); "
        "chosen: the single model the criterion picks.",
    ),
    json_out: bool = JsonOption,
) -> None:
    """How many members the reports do not show: capture–recapture across report sources."""
    from cellmap.unseen.population import hidden_members

    with user_errors():
        if by not in (None, "cell", "sector"):
            raise InputError(f"{by!r} is not cell or sector", field="--by")
        if level not in (0.8, 0.9, 0.95, 0.99):
            raise InputError(f"{level} is not 0.8, 0.9, 0.95 or 0.99", field="--level")
        if criterion.upper() not in ("AIC", "BIC"):
            raise InputError(f"{criterion!r} is not AIC or BIC", field="--criterion")
        if method not in ("averaged", "chosen"):
            raise InputError(f"{method!r} is not averaged or chosen", field="--method")
        relations, entities, reports, synthetic, resolution = resolved_frames(db)
        result = hidden_members(relations, entities, reports, by, level, criterion.upper(), method)
    result["resolution"] = resolution
    if json_out:
        emit_json(result)
        return
    banner(synthetic)
    console = out()
    m = result["members"]
    console.print(
        f"[bold]Members:[/] {m['observed']:,} seen, about [bold]{m['estimate']:,.0f}[/] in all "
        f"({m['level']:.0%} interval {m['low']:,.0f}–{m['high']:,.0f}; "
        f"{max(m['estimate'] - m['observed'], 0):,.0f} unseen)"
    )
    console.print(f"model: {m['model']}; sources: {', '.join(result['sources'])}")
    from cellmap.store.views import resolution_line

    console.print(f"on {resolution_line(resolution)}")
    if result["units"]:
        table = Table(title=f"Members by {by} ({m['level']:.0%} interval)")
        for col in ("unit", "sector", "seen", "estimate", "low", "high"):
            table.add_column(
                col, justify="right" if col in ("seen", "estimate", "low", "high") else "left"
            )
        for u in result["units"]:
            table.add_row(
                str(u["name"] or u["unit"]),
                str(u["sector"] or ""),
                f"{u['observed']:,}",
                f"{u['estimate']:,.0f}",
                f"{u['low']:,.0f}",
                f"{u['high']:,.0f}",
            )
        console.print(table)
        if result.get("unassigned"):
            console.print(f"{result['unassigned']:,} seen persons belong to no known {by}")
