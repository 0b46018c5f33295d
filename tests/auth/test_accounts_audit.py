"""Accounts (Argon2id passwords, hashed tokens), compartments on import, and the audit chain, through
the real CLI on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text
from typer.testing import CliRunner

from cellmap.auth import accounts, audit
from cellmap.cli import app
from cellmap.ingest import import_files
from cellmap.store import tables as t

PASSWORD = "correct horse battery staple"


def run(store, *args, input: str | None = None, code: int = 0):
    result = CliRunner().invoke(app, [*args, "--db", store.url], input=input)
    assert result.exit_code == code, result.output + str(result.exception or "")
    return result


def said(result, text: str) -> bool:
    """Whether a command printed `text`, whatever the console's line wrapping (spaces ignored)."""
    return "".join(text.split()) in "".join(result.output.split())


def test_user_add_hashes_the_password_with_argon2id(any_store):
    run(
        any_store,
        "user",
        "add",
        "alice",
        "--role",
        "analyst",
        "--compartments",
        "B,A",
        input=PASSWORD + "\n",
    )
    with any_store.session() as conn:
        stored = conn.execute(select(t.app_user.c.password_hash)).scalar_one()
        assert stored.startswith("$argon2id$")
        assert PasswordHasher().verify(stored, PASSWORD)  # an independent check of the hash
        alice = accounts.verify_password(conn, "alice", PASSWORD)
        assert (alice.name, alice.role, alice.compartments) == ("alice", "analyst", {"A", "B"})
        assert accounts.verify_password(conn, "alice", PASSWORD + "x") is None
        assert accounts.verify_password(conn, "nobody", PASSWORD) is None
    listed = json.loads(run(any_store, "user", "list", "--json").stdout)
    assert listed == [
        {
            "name": "alice",
            "role": "analyst",
            "compartments": ["A", "B"],
            "disabled": False,
            "password": True,
        }
    ]


def test_user_commands_refuse_bad_input(sqlite_store):
    result = run(
        sqlite_store, "user", "add", "bob", "--role", "boss", input=PASSWORD + "\n", code=2
    )
    assert said(result, "role: 'boss' is not one of: viewer, analyst, reviewer, admin")
    result = run(sqlite_store, "user", "add", "bob", "--role", "viewer", input="short\n", code=2)
    assert said(result, "password: is shorter than 12 characters")
    result = run(
        sqlite_store,
        "user",
        "add",
        "bob",
        "--role",
        "viewer",
        "--compartments",
        "a b",
        input=PASSWORD + "\n",
        code=2,
    )
    assert said(result, "compartments: 'a b' is not a compartment name")
    result = run(sqlite_store, "user", "grant", "nobody", "A", code=2)
    assert said(result, "name: no user 'nobody'")
    with sqlite_store.session() as conn:
        assert conn.execute(select(t.app_user)).all() == []  # nothing half-written


def test_grant_revoke_disable_passwd(sqlite_store):
    run(sqlite_store, "user", "add", "carol", "--role", "viewer", input=PASSWORD + "\n")
    run(sqlite_store, "user", "grant", "carol", "X,Y")
    run(sqlite_store, "user", "revoke", "carol", "X")
    run(sqlite_store, "user", "passwd", "carol", input="another long password\n")
    with sqlite_store.session() as conn:
        assert accounts.get_user(conn, "carol").compartments == ("Y",)
        assert accounts.verify_password(conn, "carol", PASSWORD) is None
        assert accounts.verify_password(conn, "carol", "another long password").name == "carol"
    run(sqlite_store, "user", "disable", "carol")
    with sqlite_store.session() as conn:
        assert accounts.verify_password(conn, "carol", "another long password") is None


def test_token_is_printed_once_and_stored_as_its_hash(any_store):
    run(any_store, "user", "add", "svc", "--role", "viewer", "--no-password")
    token = json.loads(run(any_store, "user", "token", "svc", "--json").stdout)["token"]
    with any_store.transaction() as conn:
        stored = conn.execute(select(t.api_token.c.token_hash)).scalar_one()
        assert stored == hashlib.sha256(token.encode()).hexdigest()
        assert token not in json.dumps(
            [list(r) for r in conn.execute(select(t.api_token))], default=str
        )
        assert accounts.verify_token(conn, token).name == "svc"
        assert accounts.verify_token(conn, token + "x") is None
        # an expired token is refused
        old = accounts.issue_token(conn, "svc", dt.timedelta(minutes=1))
        conn.execute(
            t.api_token.update()
            .where(t.api_token.c.token_hash == accounts.digest(old))
            .values(expires_at=accounts.now() - dt.timedelta(seconds=1))
        )
        assert accounts.verify_token(conn, old) is None
    run(any_store, "user", "token", "svc", "--revoke")
    with any_store.session() as conn:
        assert accounts.verify_token(conn, token) is None


def test_import_compartment_option_and_field(any_store, tmp_path):
    reports = tmp_path / "reports.csv"
    reports.write_text(
        "id,title,kind,date,source,grade,compartment\n"
        "R-CSV,a report,other,2021-01-01,x,B2,partner-1\n"
        "R-CSV2,another,other,2021-01-01,x,B2,\n"
    )
    lines = tmp_path / "records.jsonl"
    lines.write_text(
        json.dumps({"record": "report", "id": "R-J", "grade": "C3", "compartment": "ops"})
        + "\n"
        + json.dumps({"record": "report", "id": "R-D", "grade": "C3"})
        + "\n"
    )
    run(any_store, "import", str(reports), str(lines), "--compartment", "unit-7")
    import_files(any_store, [lines], compartment="unit-7")  # the same again: no-op
    with any_store.session() as conn:
        found = dict(conn.execute(select(t.report.c.key, t.report.c.compartment)).all())
    assert found == {"R-CSV": "partner-1", "R-CSV2": "unit-7", "R-J": "ops", "R-D": "unit-7"}
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"record": "report", "id": "R-P", "grade": "A1"}) + "\n")
    import_files(any_store, [plain])
    with any_store.session() as conn:
        assert (
            conn.execute(select(t.report.c.compartment).where(t.report.c.key == "R-P")).scalar_one()
            == "default"
        )
    # the same report into another compartment is refused, without naming the stored one
    result = run(any_store, "import", str(lines), "--compartment", "other", code=2)
    assert said(result, "R-D' is already recorded in another compartment")
    assert "unit-7" not in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"record": "report", "id": "R-B", "grade": "A1", "compartment": "no spaces"})
        + "\n"
    )
    result = run(any_store, "import", str(bad), code=2)
    assert said(result, "bad.jsonl:1: compartment: 'no spaces' is not a compartment name")


def _edit_audit_row(store, row_id: int, sql_set: str) -> None:
    """A hand edit, as an operator with database access would make it (around the trigger)."""
    with store.transaction() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit DISABLE TRIGGER audit_append_only"))
            conn.execute(text(f"UPDATE audit SET {sql_set} WHERE id = {row_id}"))
            conn.execute(text("ALTER TABLE audit ENABLE TRIGGER audit_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_append_only_update"))
            conn.execute(text(f"UPDATE audit SET {sql_set} WHERE id = {row_id}"))


def test_audit_records_cli_writes_and_verify_detects_a_hand_edit(any_store):
    run(
        any_store,
        "user",
        "add",
        "dan",
        "--role",
        "admin",
        "--compartments",
        "A",
        input=PASSWORD + "\n",
    )
    run(any_store, "user", "grant", "dan", "B")
    run(any_store, "user", "token", "dan")
    rows = json.loads(run(any_store, "audit", "--json").stdout)
    assert [r["action"] for r in rows] == [
        "cellmap user add",
        "cellmap user grant",
        "cellmap user token",
    ]
    assert all(r["actor"].startswith("os:") for r in rows)
    assert rows[1]["params"] == {"name": "dan", "compartments": ["B"]}
    assert json.loads(run(any_store, "audit", "--user", "nobody", "--json").stdout) == []
    verified = json.loads(run(any_store, "audit", "verify", "--json").stdout)
    assert verified["intact"] and verified["rows"] == 3
    # the chain, recomputed independently of the module: SHA-256 over previous hash and content
    prev = "0" * 64
    with any_store.session() as conn:
        for row in conn.execute(select(t.audit).order_by(t.audit.c.id)).mappings():
            content = json.dumps(
                [
                    row["id"],
                    row["at"].isoformat(timespec="microseconds"),
                    row["actor"],
                    row["address"],
                    row["action"],
                    row["params"],
                    row["entities"],
                    row["status"],
                ],
                ensure_ascii=False,
                separators=(",", ":"),
            )
            prev = hashlib.sha256((prev + "\x1e" + content).encode()).hexdigest()
            assert row["hash"] == prev
    # the table refuses edits through SQL …
    with pytest.raises(Exception, match="append-only"), any_store.transaction() as conn:
        conn.execute(text("UPDATE audit SET actor = 'someone' WHERE id = 2"))
    # … and an edit made around the trigger is detected and named
    _edit_audit_row(any_store, 2, 'params = \'{"name": "dan", "compartments": ["C"]}\'')
    result = run(any_store, "audit", "verify", code=1)
    assert said(result, "audit chain broken at row 2: its content does not match its hash")


def test_audit_verify_detects_a_deleted_row(sqlite_store):
    with sqlite_store.transaction() as conn:
        for i in range(4):
            audit.record(conn, "tester", f"act {i}", params={"i": i}, entities=[3, 1, 2])
    with sqlite_store.transaction() as conn:
        conn.execute(text("DROP TRIGGER audit_append_only_delete"))
        conn.execute(text("DELETE FROM audit WHERE id = 2"))
    with sqlite_store.session() as conn:
        count, _head, broken = audit.verify(conn)
    assert (count, broken.id) == (1, 3)
    assert "link to the previous row" in broken.reason
