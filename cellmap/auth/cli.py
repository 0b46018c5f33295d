"""`cellmap user …` and `cellmap audit …`: accounts for a team deployment, and the audit trail.

Every command that writes leaves an audit row naming the operating-system user who ran it.
"""

from __future__ import annotations

import datetime as dt
import re
import sys

import typer
from rich.table import Table

from cellmap.cliutil import (
    DbOption,
    JsonOption,
    emit_json,
    err,
    fail,
    load_store,
    out,
    user_errors,
)
from cellmap.errors import InputError

# Their help lines are kept with the other groups' in cellmap/cli.py (GROUPS).
user_app = typer.Typer()
audit_app = typer.Typer(invoke_without_command=True)


def read_password(confirm: bool = True) -> str:
    """The password from standard input: typed twice at a terminal, else the first line of the pipe."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("password: ")
        if confirm and getpass.getpass("again: ") != first:
            fail(InputError("the two passwords differ", field="password"))
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        fail(InputError("no password on standard input", field="password"))
    return line


def _write(db: str | None, command: str, params: dict, act) -> None:
    """Run `act(conn)` and its audit row in one transaction."""
    from cellmap.auth import audit

    store = load_store(db)
    with user_errors(), store.transaction() as conn:
        act(conn)
        audit.record(conn, audit.os_actor(), f"cellmap {command}", params=params)


@user_app.command("add")
def add(
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Option(..., "--role", help="viewer, analyst, reviewer or admin."),
    compartments: str = typer.Option(
        "", "--compartments", help="Comma-separated compartments the user may see, e.g. A,B."
    ),
    no_password: bool = typer.Option(
        False, "--no-password", help="No password (log in by token or a trusted proxy only)."
    ),
    db: str | None = DbOption,
) -> None:
    """Add a user; the password is read from standard input (never a flag)."""
    from cellmap.auth import accounts, parse_compartments

    with user_errors():
        held = parse_compartments(compartments)
    password = None if no_password else read_password()
    _write(
        db,
        "user add",
        {"name": name, "role": role, "compartments": list(held)},
        lambda conn: accounts.add_user(conn, name, role, held, password),
    )
    err.print(f"user {name} added ({role}; compartments: {', '.join(held) or 'none'})")


@user_app.command("list")
def list_(db: str | None = DbOption, json_out: bool = JsonOption) -> None:
    """Every user with role, compartments and state."""
    from cellmap.auth import accounts

    with load_store(db).session() as conn:
        users = [u.to_dict() for u in accounts.list_users(conn)]
    if json_out:
        emit_json(users)
        return
    table = Table(title="users", title_justify="left")
    for column in ("name", "role", "compartments", "state"):
        table.add_column(column)
    for user in users:
        table.add_row(
            user["name"],
            user["role"],
            ", ".join(user["compartments"]),
            "disabled" if user["disabled"] else "active",
        )
    out().print(table)


@user_app.command("disable")
def disable(
    name: str,
    enable: bool = typer.Option(False, "--enable", help="Enable the user again."),
    db: str | None = DbOption,
) -> None:
    """Disable a user (sessions end, tokens stop working), or `--enable` again."""
    from cellmap.auth import accounts

    _write(
        db,
        "user enable" if enable else "user disable",
        {"name": name},
        lambda conn: accounts.disable(conn, name, disabled=not enable),
    )
    err.print(f"user {name} {'enabled' if enable else 'disabled'}")


@user_app.command("role")
def role(name: str, new_role: str = typer.Argument(..., metavar="ROLE"), db: str | None = DbOption):
    """Change a user's role."""
    from cellmap.auth import accounts

    _write(
        db,
        "user role",
        {"name": name, "role": new_role},
        lambda conn: accounts.set_role(conn, name, new_role),
    )
    err.print(f"user {name} is now {new_role}")


def _compartment_command(verb: str):
    def command(
        name: str = typer.Argument(..., help="User name."),
        compartments: str = typer.Argument(..., help="Comma-separated compartments."),
        db: str | None = DbOption,
    ) -> None:
        from cellmap.auth import accounts, parse_compartments

        with user_errors():
            names = parse_compartments(compartments)
        if not names:
            fail(InputError("no compartment given", field="compartments"))
        act = accounts.grant if verb == "grant" else accounts.revoke
        _write(
            db,
            f"user {verb}",
            {"name": name, "compartments": list(names)},
            lambda conn: act(conn, name, names),
        )
        err.print(f"{verb}: {name} {', '.join(names)}")

    command.__doc__ = f"{verb.capitalize()} a user compartments (comma-separated)."
    return command


user_app.command("grant")(_compartment_command("grant"))
user_app.command("revoke")(_compartment_command("revoke"))


@user_app.command("passwd")
def passwd(name: str, db: str | None = DbOption) -> None:
    """Set a user's password (read from standard input); their sessions end."""
    from cellmap.auth import accounts

    password = read_password()
    _write(
        db, "user passwd", {"name": name}, lambda conn: accounts.set_password(conn, name, password)
    )
    err.print(f"password of {name} changed")


def parse_duration(text: str | None, field: str = "--expires") -> dt.timedelta | None:
    """'30d', '12h', '90m' → a timedelta; None or '' → no expiry."""
    if not text:
        return None
    match = re.fullmatch(r"\s*(\d{1,5})\s*([dhm])\s*", text)
    if not match:
        raise InputError(f"{text!r} is not a duration like 30d, 12h or 90m", field=field)
    amount, unit = int(match.group(1)), match.group(2)
    return dt.timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: amount})


@user_app.command("token")
def token(
    name: str,
    expires: str | None = typer.Option(None, "--expires", help="Lifetime, e.g. 30d, 12h."),
    revoke_all: bool = typer.Option(False, "--revoke", help="Revoke every token of the user."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """Print a new API token once (`Authorization: Bearer TOKEN`); only its hash is stored."""
    from cellmap.auth import accounts

    if revoke_all:
        revoked = []
        _write(
            db,
            "user token --revoke",
            {"name": name},
            lambda conn: revoked.append(accounts.revoke_tokens(conn, name)),
        )
        if json_out:
            emit_json({"revoked": revoked[0]})
        else:
            err.print(f"{revoked[0]} token(s) of {name} revoked")
        return
    with user_errors():
        lifetime = parse_duration(expires)
    issued = []
    _write(
        db,
        "user token",
        {"name": name, "expires": expires},
        lambda conn: issued.append(accounts.issue_token(conn, name, lifetime)),
    )
    if json_out:
        emit_json({"token": issued[0]})
    else:
        print(issued[0])


@audit_app.callback()
def audit_list(
    ctx: typer.Context,
    user: str | None = typer.Option(None, "--user", help="Only this actor (os:NAME for the CLI)."),
    since: str | None = typer.Option(None, "--since", help="Only from this date (YYYY-MM-DD)."),
    limit: int = typer.Option(1000, "--limit", min=1, max=1_000_000, help="Newest rows shown."),
    db: str | None = DbOption,
    json_out: bool = JsonOption,
) -> None:
    """The audit trail (newest last); `cellmap audit verify` checks its chain."""
    if ctx.invoked_subcommand is not None:
        return
    from cellmap.auth import audit
    from cellmap.cliutil import date_option

    start = date_option(since, "--since")
    with load_store(db).session() as conn:
        found = audit.rows(
            conn,
            user=user,
            since=dt.datetime.combine(start, dt.time()) if start else None,
            limit=limit,
        )
    if json_out:
        emit_json(found)
        return
    table = Table(title="audit", title_justify="left")
    for column in ("id", "at", "actor", "address", "action", "status", "entities"):
        table.add_column(column, justify="right" if column in ("id", "status") else "left")
    for row in found:
        entities = row["entities"]["count"] if row["entities"] else ""
        table.add_row(
            str(row["id"]),
            row["at"],
            row["actor"],
            row["address"] or "",
            row["action"],
            "" if row["status"] is None else str(row["status"]),
            str(entities),
        )
    out().print(table)


@audit_app.command("verify")
def verify(db: str | None = DbOption, json_out: bool = JsonOption) -> None:
    """Check the audit chain: exit 0 only when intact; otherwise name the first broken row."""
    from cellmap.auth import audit

    with load_store(db).session() as conn:
        count, head, broken = audit.verify(conn)
    if json_out:
        emit_json(
            {
                "intact": broken is None,
                "rows": count,
                "head": head,
                "broken": None if broken is None else {"id": broken.id, "reason": broken.reason},
            }
        )
    elif broken is None:
        err.print(f"audit chain intact: {count:,} rows, head {head}")
    else:
        err.print(
            f"[bold red]audit chain broken at row {broken.id}:[/] {broken.reason} "
            f"({count:,} rows before it are intact)",
            highlight=False,
        )
    if broken is not None:
        raise typer.Exit(code=1)
