"""CLI commands for the workbench: `cellmap serve` (registered by the top-level CLI)."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="The workbench (web application).", no_args_is_help=True)
console = Console(stderr=True)


def run_server(db: str | None, host: str, port: int, log_level: str = "warning") -> None:
    """Open the store at `db`, build the app and serve it until interrupted."""
    import uvicorn

    from cellmap.store import open_store
    from cellmap.web.app import create_app

    store = open_store(db)
    store.init()
    application = create_app(store)
    url = f"http://{host}:{port}/"
    console.print(f"cellmap workbench on {store.display_url()}")
    console.print(f"open {url}  (API docs: {url}docs)")
    print(url, flush=True)
    uvicorn.run(application, host=host, port=port, log_level=log_level)


@app.command()
def serve(
    db: str | None = typer.Option(
        None, "--db", envvar="CELLMAP_DB", help="Database URL or SQLite file."
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (loopback by default)."
    ),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the workbench (web front end and JSON API; docs at /docs)."""
    run_server(db, host, port, log_level)


@app.command()
def openapi() -> None:
    """Print the API's OpenAPI document (JSON)."""
    import json

    from cellmap.web.app import create_app

    print(json.dumps(create_app(None).openapi(), indent=2))
