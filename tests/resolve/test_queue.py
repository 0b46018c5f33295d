"""The review queue kept in the store: the kept pairs are the matcher's pairs on the same records
(computed here independently with `candidates` on the store's records), a later reader takes them
without scoring, a caller is given the queue of what it may see, and an import or a retraction makes
the kept queue stale. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, insert, select

from cellmap.resolve import queue as q
from cellmap.resolve.candidates import candidates, store_records
from cellmap.store import tables as t
from tests.auth.compartmented import COMPARTMENTS, build, scenario

pytestmark = pytest.mark.slow  # scores the case four times

SMALL = "tests/web/data/small.cellmap.jsonl"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return scenario(tmp_path_factory.mktemp("queue-case"))


def matcher_pairs(session_of) -> list[tuple]:
    """The matcher's pairs on the records a session reads: (left, right, score, reasons)."""
    with session_of() as conn:
        records = store_records(conn)
    found = candidates(records, workers=1)
    return [
        (a, b, s, json.loads(r) if r else None)
        for a, b, s, r in found.select("left_id", "right_id", "score", "reasons").iter_rows()
    ]


def as_tuples(pairs: list[dict]) -> list[tuple]:
    return [(p["left_id"], p["right_id"], p["score"], p["reasons"]) for p in pairs]


def no_scoring(*_args, **_kwargs):
    raise AssertionError("the kept queue should have been read, not scored again")


def kept_queues(store) -> list[tuple]:
    with store.session() as conn:
        return conn.execute(
            select(t.review_queue.c.scope, t.review_queue.c.pairs).order_by(t.review_queue.c.scope)
        ).all()


def test_the_queue_is_kept_read_back_per_caller_and_stale_after_an_import_or_retraction(
    any_store, files, monkeypatch
):
    from cellmap.ingest import import_files

    build(any_store, files)
    expected = matcher_pairs(any_store.session)
    assert len(expected) > 10  # the case has pairs worth a look

    assert as_tuples(q.scored_queue(any_store)) == expected
    with any_store.session() as conn:
        stored = conn.execute(select(func.count()).select_from(t.review_candidate)).scalar()
    assert stored == len(expected)
    assert kept_queues(any_store) == [("*", len(expected))]

    with monkeypatch.context() as later:  # a later process: no scoring allowed
        later.setattr(q, "candidates", no_scoring)
        assert as_tuples(q.scored_queue(any_store)) == expected
        # a caller holding every compartment of the store sees what the store holds: the same queue
        assert as_tuples(q.scored_queue(any_store.scoped(frozenset(COMPARTMENTS)))) == expected

    # a caller holding one compartment gets the queue of what it may see, kept on its own
    partner = any_store.scoped(frozenset({"partner"}))
    partner_pairs = matcher_pairs(partner.session)
    assert partner_pairs != expected
    assert as_tuples(q.scored_queue(partner)) == partner_pairs
    assert [scope for scope, _ in kept_queues(any_store)] == ["*", "partner"]

    # an import, then a retraction, change the records: the kept queue no longer answers
    monkeypatch.setattr(q, "candidates", no_scoring)
    with any_store.session() as conn:
        state = q.queue_key(any_store, conn, "*")
    import_files(any_store, [SMALL])
    with any_store.session() as conn:
        assert q.queue_key(any_store, conn, "*") != state
        state, newest = (
            q.queue_key(any_store, conn, "*"),
            conn.execute(select(func.max(t.import_batch.c.id))).scalar(),
        )
    with pytest.raises(AssertionError, match="kept queue"):
        q.scored_queue(any_store)
    with any_store.transaction() as conn:
        conn.execute(
            insert(t.retraction).values(
                import_id=newest, retracted_by="admin", retracted_at=dt.datetime(2026, 12, 5)
            )
        )
    with any_store.session() as conn:
        assert q.queue_key(any_store, conn, "*") != state
    with pytest.raises(AssertionError, match="kept queue"):
        q.scored_queue(any_store)
    monkeypatch.undo()
    # scored again for the new state, and kept in place of the older queue of the same scope
    now = matcher_pairs(any_store.session)
    assert as_tuples(q.scored_queue(any_store)) == now
    assert kept_queues(any_store) == [("*", len(now)), ("partner", len(partner_pairs))]
