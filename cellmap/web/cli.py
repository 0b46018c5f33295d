"""CLI commands for the workbench: `cellmap serve` (registered by the top-level CLI)."""

from __future__ import annotations

import datetime as dt
import ipaddress

import typer

from cellmap.cliutil import DbOption, emit_json, err, fail, load_store

# Its help line is kept with the other groups' in cellmap/cli.py (GROUPS).
app = typer.Typer(no_args_is_help=True)

HostOption = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default).")
PortOption = typer.Option(8000, "--port", help="Port to listen on.")

LOCAL_ADMIN = "admin"
LINK_LIFETIME = dt.timedelta(minutes=30)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local_admin_link(store, base_url: str, create: bool) -> str | None:
    """A one-time login link for the local admin (created, without a password, when `create` and
    no such user exists), who is granted every compartment the store holds; None when no admin."""
    from sqlalchemy import select

    from cellmap.auth import accounts, audit, default_compartment
    from cellmap.errors import InputError
    from cellmap.store import tables as t

    with store.transaction() as conn:
        try:
            accounts.get_user(conn, LOCAL_ADMIN)
        except InputError:
            if not create:
                return None
            accounts.add_user(conn, LOCAL_ADMIN, "admin")
        held = set(conn.execute(select(t.report.c.compartment).distinct()).scalars())
        accounts.grant(conn, LOCAL_ADMIN, sorted(held | {default_compartment()}))
        token = accounts.issue_token(conn, LOCAL_ADMIN, LINK_LIFETIME)
        audit.record(
            conn, audit.os_actor(), "cellmap serve: one-time login link", {"user": LOCAL_ADMIN}
        )
    return f"{base_url}login/link?token={token}"


def run_server(
    db: str | None,
    host: str,
    port: int,
    log_level: str = "warning",
    security=None,
    demo: bool = False,
) -> None:
    """Open the store at `db`, build the app and serve it until interrupted.

    Without any account the server refuses a non-loopback address; on loopback it makes a local
    admin and prints a one-time login link (as Jupyter prints its token), as `cellmap demo` does."""
    import uvicorn

    from cellmap.auth import accounts
    from cellmap.graph.parallel import forbid_fork
    from cellmap.web.app import create_app
    from cellmap.web.security import Security

    store = load_store(db)
    with store.session() as conn:
        has_users = bool(accounts.list_users(conn))
    if not is_loopback(host) and not has_users:
        fail(
            f"--host: refusing to serve {host} without accounts. Create users first "
            "(`cellmap user add NAME --role admin --compartments default`), and put a TLS-"
            "terminating reverse proxy in front (see the README's 'Team use')."
        )
    security = security or Security()
    if host not in security.allowed_hosts:
        security.allowed_hosts = (*security.allowed_hosts, host)
    url = f"http://{host}:{port}/"
    link = None
    if is_loopback(host) and (demo or not has_users):
        link = local_admin_link(store, url, create=True)
    application = create_app(store, security)
    err.print(f"cellmap workbench on {store.display_url()}")
    if link:
        err.print("log in once with this link (valid 30 minutes):", highlight=False)
        print(link, flush=True)
    else:
        err.print(f"open {url} and log in  (API docs: {url}docs)")
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
    allowed_host: list[str] = typer.Option(
        [], "--allowed-host", help="A host name the server answers to (repeat; e.g. the proxy's)."
    ),
    proxy_header: str | None = typer.Option(
        None, "--proxy-header", help="Trust this header's user name (e.g. X-Forwarded-User) …"
    ),
    trusted_proxy: list[str] = typer.Option(
        [], "--trusted-proxy", help="… only from these addresses or networks (repeat)."
    ),
    idle_minutes: int = typer.Option(30, "--idle-minutes", min=1, max=24 * 60),
    session_hours: int = typer.Option(12, "--session-hours", min=1, max=24 * 30),
) -> None:
    """Serve the workbench (web front end and JSON API; docs at /docs); everyone logs in."""
    from cellmap.web.security import LOOPBACK_HOSTS, Security

    if proxy_header and not trusted_proxy:
        fail("--proxy-header: name the proxy's addresses with --trusted-proxy")
    security = Security(
        allowed_hosts=(*LOOPBACK_HOSTS, *allowed_host),
        idle_timeout=dt.timedelta(minutes=idle_minutes),
        absolute_timeout=dt.timedelta(hours=session_hours),
        proxy_header=proxy_header,
        trusted_proxies=tuple(trusted_proxy),
    )
    run_server(db, host, port, log_level, security)


@app.command()
def openapi() -> None:
    """Print the API's OpenAPI document (JSON)."""
    from cellmap.web.app import create_app

    emit_json(create_app(None).openapi())
