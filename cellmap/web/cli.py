"""CLI commands for the workbench: `cellmap serve` (registered by the top-level CLI)."""

from __future__ import annotations

import typer

from cellmap.cliutil import DbOption, emit_json, err, load_store

app = typer.Typer(help="The workbench (web application).", no_args_is_help=True)

HostOption = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default).")
PortOption = typer.Option(8000, "--port", help="Port to listen on.")


def run_server(db: str | None, host: str, port: int, log_level: str = "warning") -> None:
    """Open the store at `db`, build the app and serve it until interrupted."""
    import uvicorn

    from cellmap.graph.parallel import forbid_fork
    from cellmap.web.app import create_app

    store = load_store(db)
    application = create_app(store)
    url = f"http://{host}:{port}/"
    err.print(f"cellmap workbench on {store.display_url()}")
    err.print(f"open {url}  (API docs: {url}docs)")
    print(url, flush=True)
    # uvicorn answers requests in threads: a fork there would copy locks other threads hold, so the
    # server's analyses run in the calling thread (cellmap.graph.parallel); the CLI keeps its pool.
    forbid_fork()
    uvicorn.run(application, host=host, port=port, log_level=log_level)


@app.command()
def serve(
    db: str | None = DbOption,
    host: str = HostOption,
    port: int = PortOption,
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the workbench (web front end and JSON API; docs at /docs)."""
    run_server(db, host, port, log_level)


@app.command()
def openapi() -> None:
    """Print the API's OpenAPI document (JSON)."""
    from cellmap.web.app import create_app

    emit_json(create_app(None).openapi())
