"""The `cellmap` command line: thin commands that call the modules below them."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from cellmap.cliutil import (
    DbOption,
    JsonOption,
    banner,
    date_option,
    emit_json,
    err,
    fail,
    load_store,
    out,
    user_errors,
)
from cellmap.errors import InputError, InputErrors
from cellmap.web.cli import HostOption, PortOption
from cellmap.web.cli import serve as web_serve

if TYPE_CHECKING:
    from typer import _click as click

# The command groups: name → (module, its Typer app, the line `cellmap --help` shows). A group's module
# is imported when the group runs, not when the CLI loads (issue 16: fast start).
GROUPS = {
    "analyse": (
        "cellmap.graph.cli",
        "app",
        "Network analytics: measures, cells, key players, paths.",
    ),
    "simulate": (
        "cellmap.disrupt.cli",
        "app",
        "Disruption and recovery: strike curves, succession, tenure.",
    ),
    "incidents": (
        "cellmap.incidents.cli",
        "app",
        "Incidents: trends, places, attribution, command-and-control coherence.",
    ),
    "finance": ("cellmap.finance.cli", "app", "The war chest: ledger, burn rate, runway."),
    "resolve": (
        "cellmap.resolve.cli",
        "app",
        "Entity resolution: candidates, review, judgements, clusters.",
    ),
    "scenario": (
        "cellmap.scenario.cli",
        "app",
        "The built-in synthetic scenario (fictional persons, real places).",
    ),
    "web": ("cellmap.web.cli", "app", "The workbench (web application)."),
    "user": (
        "cellmap.auth.cli",
        "user_app",
        "Accounts of a team deployment: users, roles, compartments, tokens.",
    ),
    "audit": ("cellmap.auth.cli", "audit_app", "The audit trail: who did what, when, from where."),
    "estimate": (
        "cellmap.unseen.cli",
        "app",
        "Estimates of what the reports do not show (unseen members).",
    ),
}


class _GroupLine(TyperGroup):
    """A group's name and help line, standing in for the group until it is resolved."""


class _GroupsOnUse(TyperGroup):
    """The top-level command: its own commands, plus the groups of `GROUPS`, each imported and built
    when it is first resolved. The help listing (and the "did you mean" of a mistyped name) needs
    only their names and lines."""

    _listing = False

    def __init__(self, **settings: Any):
        super().__init__(**settings)
        for name, (_, _, line) in GROUPS.items():
            self.commands[name] = _GroupLine(name=name, help=line)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if isinstance(command, _GroupLine) and not self._listing:
            module, attribute, line = GROUPS[cmd_name]
            command = typer.main.get_group(getattr(importlib.import_module(module), attribute))
            command.name, command.help = cmd_name, line
            self.commands[cmd_name] = command
        return command

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    help="cellmap: an analyst workbench for clandestine networks.",
    no_args_is_help=True,
    cls=_GroupsOnUse,
)


@app.command()
def init(db: str | None = DbOption, json_out: bool = JsonOption) -> None:
    """Create the store (or migrate it to the newest schema)."""
    store = load_store(db)
    if json_out:
        emit_json({"db": store.display_url(), "initialised": True})
    else:
        err.print(f"store ready: {store.display_url()}")


def _progress_bar(label: str, total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal and total < 10_000,
    )
    return bar, bar.add_task(label, total=total)


def _expand_folders(paths: list[Path]) -> tuple[list[Path], list[InputError]]:
    """Files as given, each folder replaced by the files of it that cellmap recognises; the files
    left out of folders are printed (and returned) with the reason."""
    from cellmap.ingest import folder_files

    files: list[Path] = []
    skipped: list[InputError] = []
    for path in paths:
        if path.is_dir():
            found, left_out = folder_files(path)
            if not found:
                fail(InputError("no file in this folder that cellmap can import", file=str(path)))
            files += found
            skipped += left_out
        elif path.is_file():
            files.append(path)
        else:
            fail(InputError("no such file or folder", file=str(path)))
    for item in skipped:
        err.print(f"skipped {item.describe()}", highlight=False, soft_wrap=True)
    return files, skipped


@app.command("import")
def import_(
    paths: list[Path] = typer.Argument(
        ...,
        help="Files or folders to import: cellmap JSONL, FtM JSONL, CSV (entities, "
        "relations, reports, incidents, ACLED, GTD). A folder gives every file in it that "
        "cellmap recognises (a generated scenario's ground truth never).",
    ),
    db: str | None = DbOption,
    report_id: str | None = typer.Option(
        None, "--report-id", help="Report for records that name none."
    ),
    grade: str = typer.Option(
        "F6", "--grade", help="Admiralty grade of that report (default F6: cannot be judged)."
    ),
    report_kind: str = typer.Option("other", "--report-kind", help="Kind of that report."),
    check: bool = typer.Option(
        False, "--check", help="Only validate: list every error, store nothing."
    ),
    compartment: str | None = typer.Option(
        None,
        "--compartment",
        help="Compartment of the reports that name none (default: 'default'); only users "
        "holding it see them.",
    ),
    json_out: bool = JsonOption,
) -> None:
    """Import files (or every recognised file of a folder) in one transaction: all land, or none
    (errors name file, line and field)."""
    from cellmap.auth import audit, check_compartment
    from cellmap.ingest import count_lines, import_files, validate_files

    if compartment is not None:
        with user_errors():
            compartment = check_compartment(compartment, "--compartment")

    store = load_store(db)
    default_report = {"grade": grade, "kind": report_kind}
    if report_id:
        default_report["id"] = report_id
    paths, skipped = _expand_folders(paths)
    if check:
        result = validate_files(store, paths, default_report, compartment=compartment)
        checked = f"{result.records:,} records checked, {len(result.errors)} errors; nothing stored"
        if json_out:
            emit_json({**result.to_dict(), "skipped": [e.to_dict() for e in skipped]})
            if result.errors:
                raise typer.Exit(code=2)
        elif result.errors:
            fail(InputErrors(result.errors), note=checked)
        else:
            err.print(checked)
        return
    bar, task = _progress_bar("importing (2 passes)", 2 * count_lines(paths))
    with user_errors(note="nothing was stored"), bar:
        result = import_files(
            store,
            paths,
            default_report,
            progress=lambda n: bar.advance(task, n),
            compartment=compartment,
        )
    audit.record_now(
        store,
        audit.os_actor(),
        "cellmap import",
        params={
            "files": [str(p) for p in paths],
            "compartment": compartment,
            "added": result.added,
        },
    )
    if json_out:
        emit_json({**result.to_dict(), "skipped": [e.to_dict() for e in skipped]})
    else:
        added = ", ".join(f"{v:,} {k}" for k, v in result.added.items() if v)
        err.print(
            f"imported {result.records:,} records in {result.seconds:.1f} s: {added or 'nothing new'}"
        )


@app.command()
def export(
    fmt: str = typer.Option(
        ...,
        "--format",
        "-f",
        help="ftm, jsonl, csv (a folder), graphml, gexf, stix or i2 (a folder).",
    ),
    out_path: Path = typer.Option(..., "--out", "-o", help="Output file (folder for csv and i2)."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """Export the store; FtM, JSONL and CSV keep every statement's report and grade."""
    from cellmap.export import FORMATS
    from cellmap.export import export as run_export

    if fmt not in FORMATS:
        fail(InputError(f"{fmt!r} is not one of: {', '.join(FORMATS)}", field="--format"))
    store = load_store(db)
    written = run_export(store, fmt, out_path)
    if json_out:
        emit_json({"format": fmt, "out": str(out_path), "written": written})
    else:
        err.print(f"wrote {out_path}: " + ", ".join(f"{v:,} {k}" for k, v in written.items()))


@app.command()
def stats(db: str | None = DbOption, json_out: bool = JsonOption) -> None:
    """What is in the store: rows per table, entities by kind, reports by grade."""
    from cellmap.store import views

    store = load_store(db)
    with store.session() as conn:
        result: dict[str, Any] = {
            "db": store.display_url(),
            "synthetic": views.is_synthetic(conn),
            "counts": views.counts(conn),
            "entities_by_kind": views.entity_counts(conn),
            "reports_by_grade": views.report_grade_counts(conn),
        }
    if json_out:
        emit_json(result)
        return
    banner(result["synthetic"])
    for title, rows in (
        ("rows", result["counts"]),
        ("entities by kind", result["entities_by_kind"]),
        ("reports by grade", result["reports_by_grade"]),
    ):
        table = Table(title=title)
        table.add_column("")
        table.add_column("count", justify="right")
        for key, value in rows.items():
            table.add_row(key, f"{value:,}")
        out().print(table)


@app.command()
def report(
    out_path: Path = typer.Option(
        ..., "--out", "-o", help="brief.html (self-contained) or brief.pdf (printed by Chromium)."
    ),
    db: str | None = DbOption,
    min_grade: str | None = typer.Option(
        None, "--min-grade", help="Only statements graded at least this, e.g. B3."
    ),
    start: str | None = typer.Option(
        None, "--from", help="Relations valid and incidents dated from this day (YYYY-MM-DD)."
    ),
    end: str | None = typer.Option(None, "--to", help="… up to this day (YYYY-MM-DD)."),
    focus: str | None = typer.Option(
        None, "--focus", help="A person (id or key) whose contacts the brief traces."
    ),
    robust: int = typer.Option(
        20,
        "--robust",
        help="How sure: each key player's and each cell's share of N samples (reports kept by "
        "grade, automatic merges by score, likely ties and unseen members); 0: none. None under "
        "--min-grade.",
    ),
    json_out: bool = JsonOption,
) -> None:
    """Write the analyst's brief: bottom line up front, key judgements with likelihood and
    confidence words, the evidence with its reports and grades, how sure the key players and the
    cells' labels are, and a sources annex."""
    from cellmap import model
    from cellmap.auth import audit
    from cellmap.report import BriefFilters, build_brief, write_brief

    first, last = date_option(start, "--from"), date_option(end, "--to")
    with user_errors(note="no brief was written"):
        limit = model.robust_sample_bounds()["cli_max"]
        if not 0 <= robust <= limit:
            raise InputError(f"{robust} is not between 0 and {limit}", field="--robust")
        filters = BriefFilters(
            min_grade=str(model.Grade.parse(min_grade)) if min_grade else None,
            start=first,
            end=last,
            focus=focus,
        )
        if first and last and first > last:
            raise InputError(f"{first} is after --to {last}", field="--from")
        store = load_store(db)
        with err.status("analysing for the brief…"):
            brief = build_brief(store, filters, robust=robust)
        with err.status(f"writing {out_path.name}…"):
            write_brief(brief, out_path)
    audit.record_now(
        store,
        audit.os_actor(),
        "cellmap report",
        params={"out": str(out_path), "filters": filters.describe(), "robust": robust},
    )
    result = {
        "out": str(out_path),
        "filters": filters.describe(),
        "judgements": len(brief.judgements),
        "reports_cited": len(brief.annex),
        "compartments": brief.compartments,
        "synthetic": brief.synthetic,
    }
    if json_out:
        emit_json(result)
    else:
        err.print(
            f"wrote {out_path}: {result['judgements']} key judgements, "
            f"{result['reports_cited']:,} reports cited ({filters.describe()})"
        )


app.command("serve")(web_serve)


@app.command()
def demo(
    db: str | None = DbOption,
    data_dir: Path = typer.Option(
        Path("data"), "--data-dir", help="Where the demo scenario is generated."
    ),
    serve_after: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the workbench afterwards."
    ),
    host: str = HostOption,
    port: int = PortOption,
    year: int = typer.Option(
        2022,
        "--year",
        help="Year of the year-on-year comparison (2022: the seed's '55% drop in operations').",
    ),
    json_out: bool = JsonOption,
) -> None:
    """Generate the synthetic demo scenario (if missing), import it, print the analysis, serve the workbench."""
    from cellmap.case_summary import print_summary, summarise
    from cellmap.ingest import count_lines, import_files
    from cellmap.scenario import ensure_demo, scenario_files

    with err.status("generating the synthetic demo scenario (fictional persons)…"):
        folder = ensure_demo(data_dir)
    files = scenario_files(folder)
    store = load_store(db or str(data_dir / "cellmap.sqlite"))
    bar, task = _progress_bar("importing the demo scenario", 2 * count_lines(files))
    with bar:
        result = import_files(store, files, progress=lambda n: bar.advance(task, n))
    err.print(
        f"{store.display_url()}: {result.records:,} records read, "
        f"{sum(result.added.values()):,} rows added in {result.seconds:.1f} s"
    )
    from cellmap.resolve.automatic import DEFAULT_THRESHOLD, merge_automatically

    with err.status(
        f"resolving identities (automatic merges at score ≥ {DEFAULT_THRESHOLD}, reversible)…"
    ):
        merged = merge_automatically(store)
    err.print(f"{merged:,} automatic merges recorded (threshold {DEFAULT_THRESHOLD})")
    from cellmap.resolve.queue import scored_queue

    with err.status("scoring the review queue (kept in the store for the workbench)…"):
        queue = scored_queue(store)
    err.print(f"{len(queue):,} candidate pairs scored and kept for the review queue")
    with err.status("analysing…"):
        summary = summarise(store, year=year)
    if json_out:
        emit_json(summary)
    else:
        print_summary(summary, out())
    if serve_after:
        from cellmap.web.cli import run_server

        run_server(store.url, host, port, demo=True)


if __name__ == "__main__":
    app()
