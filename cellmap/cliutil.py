"""What every `cellmap` command shares: its common options, the store, JSON output, tables, dates, errors.

Heavy libraries are imported by the commands themselves, so that `cellmap --help` starts quickly.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from cellmap import strict_json
from cellmap.errors import InputError, InputErrors

if TYPE_CHECKING:
    from cellmap.store import Store
    from cellmap.store.case import CaseFrames

err = Console(stderr=True)

DbOption = typer.Option(
    None,
    "--db",
    envvar="CELLMAP_DB",
    help="Database URL or SQLite file (default ./data/cellmap.sqlite).",
)
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")
GradeOption = typer.Option(
    None,
    "--min-grade",
    help="Only statements from reports at this Admiralty grade or better (e.g. B3).",
)
EngineOption = typer.Option(
    "local",
    "--engine",
    help="local (this machine) or spark (a Spark cluster: pip install 'cellmap[spark]').",
)
SparkMasterOption = typer.Option(
    None,
    "--spark-master",
    help="Spark master URL (spark://host:7077, yarn, k8s://…); default $SPARK_MASTER or local[*].",
)
SparkConfOption = typer.Option(
    None,
    "--spark-conf",
    help="A Spark setting KEY=VALUE (repeatable), e.g. spark.executor.memory=8g.",
)
SYNTHETIC_BANNER = "SYNTHETIC DATA — fictional persons"


def out() -> Console:
    """The console for what a command prints on stdout (tables, results; `err` takes progress and
    errors): the terminal's width, or 200 columns when piped (tables stay readable)."""
    probe = Console()
    return probe if probe.is_terminal else Console(width=200)


def json_text(value: Any) -> str:
    """JSON for scripts: dates and Decimals as strings (money stays exact), strict about NaN and ∞."""
    return strict_json.dumps(value, indent=2, default=str, ensure_ascii=False)


def emit_json(value: Any) -> None:
    sys.stdout.write(json_text(value) + "\n")


def cell_text(value: Any, floats: str = "{:.4g}") -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return floats.format(value)
    return str(value)


def frame_table(title: str, frame, floats: str = "{:.4g}") -> Table:
    """A Polars frame as a Rich table: numbers right-aligned, floats by `floats`, money with two decimals."""
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(column, justify="right" if frame[column].dtype.is_numeric() else "left")
    for row in frame.iter_rows():
        table.add_row(*(cell_text(v, floats) for v in row))
    return table


def print_frame(title: str, frame, floats: str = "{:.4g}") -> None:
    out().print(frame_table(title, frame, floats))


def banner(synthetic: bool) -> None:
    if synthetic:
        out().print(f"[bold yellow]{SYNTHETIC_BANNER}[/]")


def fail(error: InputError | str, note: str | None = None) -> NoReturn:
    """Print a user error on one line (file, line, field, reason) — one line per error of an
    `InputErrors` — then `note` if given, and exit with status 2. Every command fails through here."""
    errors = error.errors if isinstance(error, InputErrors) else [error]
    for item in errors:
        text = item.describe() if isinstance(item, InputError) else str(item)
        err.print(f"[bold red]error:[/] {text}", highlight=False, soft_wrap=True)
    if note:
        err.print(note, highlight=False)
    raise typer.Exit(code=2)


@contextmanager
def user_errors(note: str | None = None) -> Iterator[None]:
    """Turn a user's bad input (InputError, or an analysis' ValueError naming its field) into `fail`."""
    try:
        yield
    except ValueError as error:  # InputError is a ValueError
        fail(error if isinstance(error, InputError) else str(error), note)


def date_option(text: str | None, option: str) -> dt.date | None:
    """An ISO date given to `option`, or None; a bad one fails naming the option."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        fail(InputError(f"{text!r} is not a date YYYY-MM-DD", field=option))


def engine_name(engine: str) -> str:
    """``--engine``, checked: local or spark."""
    if engine not in ("local", "spark"):
        raise InputError(f"{engine!r} is not local or spark", field="--engine")
    return engine


def spark_from_options(master: str | None, conf: list[str] | None):
    """The Spark session for ``--spark-master`` and ``--spark-conf`` (see :mod:`cellmap.spark`)."""
    from cellmap.spark.session import parse_conf, spark_session

    settings = parse_conf(conf)
    with err.status(f"starting Spark on {master or 'the default master'}…"):
        return spark_session(master, settings)


def load_store(db: str | None) -> Store:
    """The store at `db` (URL or SQLite file; default CELLMAP_DB or ./data/cellmap.sqlite), its schema
    created or brought to the newest revision: every command opens its store through here."""
    from cellmap.store import open_store

    store = open_store(db)
    store.init()
    return store


def load_case(db: str | None, min_grade: str | None) -> tuple[CaseFrames, bool]:
    """The case frames of the store at `db` (statements at `min_grade` or better) and whether it holds
    synthetic data."""
    from cellmap.store import views
    from cellmap.store.case import CaseFrames

    store = load_store(db)
    with user_errors(), store.session() as conn, err.status("reading the store…"):
        return CaseFrames.from_connection(conn, min_grade), views.is_synthetic(conn)
