"""The review queue: the candidate pairs worth an analyst's look, scored once per state of the records
and kept in the store.

Definition: blocking then scoring of the store's person records (`cellmap.resolve.candidates.candidates`,
pairs scoring ≥ 0.3, best first). The records it reads are unresolved, so they change with an import
or a retraction, never with a judgement: the scored pairs are written to the store (tables
`review_queue` and `review_candidate`) under a key naming that state (the newest import batch, its
start and the retractions: `cellmap.resolve.store_index.records_state`, as the name index is keyed)
and the compartments that were read, and any later process — a server started tomorrow,
a second server on the same PostgreSQL — reads them instead of scoring again. A queue of an older state
with the same scope is deleted when the newer one is written.

Cost: reading a kept queue is O(P) for P pairs (the demo: about 4,300 pairs, tens of milliseconds);
scoring is the matcher's (seconds to minutes, see `candidates`).
Example::

    pairs = scored_queue(store)          # scores and keeps the queue, or reads the kept one
    pairs[0] == {"left_id": 12, "right_id": 40, "score": 0.93, "reasons": {...}}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time

import polars as pl
from sqlalchemy import Connection, delete, insert, select

from cellmap.resolve.candidates import candidates, store_records
from cellmap.resolve.store_index import records_state
from cellmap.store import tables as t

ALL = "*"  # the scope of a queue read with every compartment of the store
CHUNK = 1000  # rows per insert


def scope_of(conn: Connection, visible: frozenset[str] | None) -> str:
    """`ALL` when `visible` is None or holds every compartment the store's reports are in (the caller
    then reads exactly what the whole store holds); otherwise the compartments, sorted, comma-joined."""
    if visible is None:
        return ALL
    present = set(conn.execute(select(t.report.c.compartment).distinct()).scalars())
    if present <= set(visible):
        return ALL
    scope = ",".join(sorted(visible))
    # many compartments: named by their digest, to fit the key column
    return scope if len(scope) <= 160 else "sha1:" + hashlib.sha1(scope.encode()).hexdigest()


def queue_key(store, conn: Connection, scope: str) -> str:
    """The key a queue is kept under: the records' state and the scope."""
    newest, started, retracted = records_state(store, conn)
    return f"import {newest or 0} of {started}, {retracted} retracted | {scope}"


def kept(conn: Connection, key: str) -> list[dict] | None:
    """The pairs kept under `key`, best first, or None when no queue is kept for it."""
    queue = conn.execute(select(t.review_queue.c.id).where(t.review_queue.c.key == key)).first()
    if queue is None:
        return None
    c = t.review_candidate.c
    rows = conn.execute(
        select(c.left_id, c.right_id, c.score, c.reasons)
        .where(c.queue_id == queue.id)
        .order_by(c.rank)
    ).all()
    return [{"left_id": a, "right_id": b, "score": s, "reasons": _parsed(r)} for a, b, s, r in rows]


def keep(conn: Connection, key: str, scope: str, found: pl.DataFrame, seconds: float) -> None:
    """Write the scored pairs under `key` (in the caller's write transaction), replacing the queues of
    older states kept for the same scope; a queue already kept under `key` (another process scored
    it first) is left as it is."""
    q = t.review_queue.c
    if conn.execute(select(q.id).where(q.key == key)).first() is not None:
        return
    older = select(q.id).where(q.scope == scope)
    conn.execute(delete(t.review_candidate).where(t.review_candidate.c.queue_id.in_(older)))
    conn.execute(delete(t.review_queue).where(q.scope == scope))
    queue_id = conn.execute(
        insert(t.review_queue)
        .values(
            key=key,
            scope=scope,
            pairs=found.height,
            seconds=round(seconds, 3),
            scored_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
        .returning(q.id)
    ).scalar_one()
    rows = [
        {"queue_id": queue_id, "rank": rank, "left_id": a, "right_id": b, "score": s, "reasons": r}
        for rank, (a, b, s, r) in enumerate(
            found.select("left_id", "right_id", "score", "reasons").iter_rows()
        )
    ]
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(t.review_candidate), rows[start : start + CHUNK])


def scored_queue(store) -> list[dict]:
    """The review queue of `store` as its reader sees it (a `ScopedStore` reads its compartments
    only): the kept queue when one matches the records' state, otherwise scored now and kept."""
    base = store.base
    visible = getattr(store, "visible", None)
    with base.session() as conn:
        scope = scope_of(conn, visible)
        key = queue_key(base, conn, scope)
        pairs = kept(conn, key)
        if pairs is not None:
            return pairs
    reader = base if scope == ALL else store
    started = time.perf_counter()
    with reader.session() as conn:  # the key and the records from one snapshot
        key = queue_key(base, conn, scope)
        records = store_records(conn)
    found = candidates(records, workers=1) if records.height >= 2 else _no_pairs()
    seconds = time.perf_counter() - started
    with base.transaction() as conn:
        keep(conn, key, scope, found, seconds)
    return [
        {"left_id": a, "right_id": b, "score": s, "reasons": _parsed(r)}
        for a, b, s, r in found.select("left_id", "right_id", "score", "reasons").iter_rows()
    ]


def _no_pairs() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"left_id": pl.Int64, "right_id": pl.Int64, "score": pl.Float64, "reasons": pl.Utf8}
    )


def _parsed(text: str | None) -> dict | None:
    try:
        return json.loads(text) if text else None
    except (TypeError, ValueError):
        return None
