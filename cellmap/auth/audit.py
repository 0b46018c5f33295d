"""The audit trail: one append-only row per request or writing command, chained by SHA-256.

Each row stores `prev_hash` (the previous row's `hash`, 64 zeros for the first) and
`hash = SHA-256(prev_hash ‖ canonical JSON of the row's content)`, the hash chain of Haber and
Stornetta ("How to time-stamp a digital document", J. Cryptology 3(2), 1991). Editing a row changes
its hash; deleting one breaks the next row's link; `verify` walks the chain (O(n)) and names the
first row that does not fit. Removing rows from the end leaves a shorter valid chain: keep the head
hash `verify` prints somewhere else (a ticket, a log server) to detect that too.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import OperationalError

from cellmap import strict_json
from cellmap.auth.accounts import now
from cellmap.store import tables as t

GENESIS = "0" * 64
MAX_ENTITIES = 10_000  # a read's returned entity ids kept per row (the count is always kept)
_lock = threading.Lock()


def os_actor() -> str:
    """The operating-system user running a CLI command, as the audit names it."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"os:{name}"


def _content(row: dict) -> str:
    at = row["at"]
    return strict_json.dumps(
        [
            row["id"],
            at.isoformat(timespec="microseconds") if isinstance(at, dt.datetime) else str(at),
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


def row_hash(prev_hash: str, row: dict) -> str:
    return hashlib.sha256((prev_hash + "\x1e" + _content(row)).encode("utf-8")).hexdigest()


def record(
    conn: Connection,
    actor: str,
    action: str,
    params: dict | None = None,
    entities: Iterable[int] | None = None,
    address: str | None = None,
    status: int | None = None,
) -> int:
    """Append one audit row in the caller's transaction (commit it to keep it); returns its id."""
    ids = sorted({int(i) for i in entities}) if entities is not None else None
    entity_text = None
    if ids is not None:
        entity_text = strict_json.dumps(
            {"count": len(ids), "ids": ids[:MAX_ENTITIES]}, separators=(",", ":")
        )
    with _lock:
        if conn.dialect.name == "postgresql":  # one writer of the chain at a time, across servers
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(731300)")
        last = conn.execute(
            select(t.audit.c.id, t.audit.c.hash).order_by(t.audit.c.id.desc()).limit(1)
        ).first()
        prev_hash = last.hash if last else GENESIS
        new_id = (last.id + 1) if last else 1
        row = {
            "id": new_id,
            "at": now(),
            "actor": actor[:128],
            "address": (address or None) and address[:64],
            "action": action[:255],
            "params": strict_json.dumps(params, sort_keys=True, default=str, ensure_ascii=False)
            if params
            else None,
            "entities": entity_text,
            "status": status,
        }
        conn.execute(
            insert(t.audit).values(**row, prev_hash=prev_hash, hash=row_hash(prev_hash, row))
        )
        return new_id


def record_now(store, actor: str, action: str, attempts: int = 5, **kwargs) -> int:
    """`record` in a transaction of its own (retried when another process holds SQLite's write lock)."""
    for attempt in range(attempts):
        try:
            with store.transaction() as conn:
                return record(conn, actor, action, **kwargs)
        except OperationalError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@dataclass
class Broken:
    id: int
    reason: str


def verify(conn: Connection) -> tuple[int, str, Broken | None]:
    """(rows checked, head hash, the first broken row or None)."""
    prev_hash, count = GENESIS, 0
    for row in conn.execute(select(t.audit).order_by(t.audit.c.id)).mappings():
        if row["prev_hash"] != prev_hash:
            return (
                count,
                prev_hash,
                Broken(
                    row["id"],
                    "its link to the previous row does not match (a row before it was "
                    "edited or deleted)",
                ),
            )
        if row_hash(prev_hash, dict(row)) != row["hash"]:
            return count, prev_hash, Broken(row["id"], "its content does not match its hash")
        prev_hash, count = row["hash"], count + 1
    return count, prev_hash, None


def rows(
    conn: Connection, user: str | None = None, since: dt.datetime | None = None, limit: int = 1000
) -> list[dict]:
    a = t.audit.c
    query = select(t.audit).order_by(a.id.desc()).limit(limit)
    if user:
        query = query.where(a.actor == user)
    if since:
        query = query.where(a.at >= since)
    out = []
    for row in conn.execute(query).mappings():
        item = dict(row)
        for key in ("params", "entities"):
            item[key] = json.loads(item[key]) if item[key] else None
        item["at"] = item["at"].isoformat(timespec="seconds")
        out.append(item)
    return out[::-1]
