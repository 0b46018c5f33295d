"""CLI commands for the built-in synthetic scenario (`cellmap scenario ...`).

cellmap scenario generate --seed 7 --size demo --out data/scenario-demo
cellmap scenario generate --seed 7 --size large --out /tmp/large --persons 100000 --comms 1000000
cellmap scenario truth data/scenario-demo        # what the ground truth holds (evaluation only)
"""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from cellmap import strict_json
from cellmap.cliutil import JsonOption, emit_json, err, out, user_errors

# Its help line is kept with the other groups' in cellmap/cli.py (GROUPS).
app = typer.Typer(no_args_is_help=True)
SYNTHETIC = "[bold yellow]SYNTHETIC SCENARIO[/] — every person, phone and report is fictional"


@app.command()
def generate(
    folder: Path = typer.Option(..., "--out", help="Folder to write the scenario into."),
    seed: int = typer.Option(
        20190101, "--seed", help="Random seed: the same seed gives byte-identical files."
    ),
    size: str = typer.Option(
        "demo", "--size", help="demo (a few hundred persons) or large (benchmarks)."
    ),
    persons: int | None = typer.Option(
        None, "--persons", help="About how many persons (default by size)."
    ),
    incidents: int | None = typer.Option(None, "--incidents", help="About how many incidents."),
    comms: int | None = typer.Option(None, "--comms", help="How many communication records."),
    entity_format: str = typer.Option(
        "ftm", "--format", help="ftm (FollowTheMoney lines) or cellmap (JSON lines)."
    ),
    json_out: bool = JsonOption,
) -> None:
    """Write a synthetic scenario as the reports an analyst would receive, plus a separate ground truth."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cellmap.scenario import generate as generate_scenario

    started = time.perf_counter()
    bar = Progress(
        TextColumn("[bold]generating cells"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=json_out,
    )
    with bar, user_errors():
        task = bar.add_task("cells", total=None)
        manifest = generate_scenario(
            seed,
            size,
            folder,
            persons=persons,
            incidents=incidents,
            comms=comms,
            entity_format=entity_format,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    seconds = time.perf_counter() - started
    if json_out:
        manifest = {k: v for k, v in manifest.items() if k != "triangle"}
        emit_json({**manifest, "out": str(folder), "seconds": round(seconds, 2)})
        return
    err.print(SYNTHETIC)
    counts = manifest["counts"]
    table = Table(title=f"Synthetic scenario (seed {seed}, {size}) in {folder} — {seconds:.1f} s")
    table.add_column("records")
    table.add_column("count", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    table.add_row("persons (true identities)", f"{manifest['persons_generated']:,}")
    out().print(table)
    err.print(f"import with: cellmap import {' '.join(str(folder / f) for f in manifest['files'])}")


@app.command()
def truth(
    folder: Path = typer.Argument(..., help="A scenario folder."),
    json_out: bool = JsonOption,
) -> None:
    """Summarise a scenario's ground truth (for evaluation; the product never reads it otherwise)."""
    from cellmap.scenario import load_ground_truth

    data = load_ground_truth(folder)
    persons = data["persons"].values()
    split = sum(1 for p in persons if len(p["records"]) >= 2)
    summary = {
        "persons": len(data["persons"]),
        "records": len(data["record_to_person"]),
        "persons_with_several_records": split,
        "members_never_reported": sum(
            1 for p in persons if p["kind"] != "merchant" and not p["records"]
        ),
        "members": sum(1 for p in persons if p["kind"] != "merchant"),
        "ties": len(data["ties"]),
        "ties_reported": sum(1 for t in data["ties"] if t["reported"]),
        "cells": len(data["cells"]),
        "synchronised_cells": sum(1 for c in data["cells"].values() if c["synchronised"]),
        "traced_strikes": [
            {k: s[k] for k in ("date", "role", "sector", "contact")} for s in data["traced_strikes"]
        ],
        "leadership_removals": [r["date"] for r in (data["leadership"] or {}).get("removals", [])],
    }
    if json_out:
        emit_json(summary)
        return
    err.print(SYNTHETIC)
    table = Table(title=f"Ground truth of {folder} (synthetic)")
    table.add_column("item")
    table.add_column("value")
    for key, value in summary.items():
        table.add_row(key, strict_json.dumps(value) if isinstance(value, list) else f"{value:,}")
    out().print(table)
