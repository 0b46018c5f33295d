"""Judgements: an analyst's decision on a pair of entities, stored as a statement with provenance.

A judgement is (left_id, right_id, decision ∈ {same, not_same, unsure}, score, reasons, author,
decided_at, automatic), appended to the store's ``judgement`` table — never updated or deleted,
so the history of decisions stays auditable. The latest judgement per unordered pair wins.
Clusters are the connected components of the pairs whose latest decision is ``same``
(union–find, O(p·α(p)) for p pairs; ``cellmap.store.views.canonical_ids``). Nothing is merged in
the tables: the resolved views map ids through these clusters, so a split is simply more
judgements (``not_same`` on every ``same`` edge that ties the split-off entities to the rest).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Iterable

import polars as pl
from sqlalchemy import Connection, insert

from cellmap import strict_json
from cellmap.auth import check_compartment, default_compartment
from cellmap.errors import InputError
from cellmap.resolve.clustering import constrained_accept
from cellmap.store import inserted_id, views
from cellmap.store import tables as t

DECISIONS = ("same", "not_same", "unsure")
AUTOMATIC_AUTHOR = "cellmap:auto"


def default_author() -> str:
    return os.environ.get("CELLMAP_AUTHOR") or getpass.getuser()


def record_judgement(
    conn: Connection,
    left_id: int,
    right_id: int,
    decision: str,
    *,
    author: str,
    score: float | None = None,
    reasons: dict | None = None,
    automatic: bool = False,
    decided_at: dt.datetime | None = None,
    compartment: str | None = None,
) -> int:
    """Append one judgement; returns its id. ``conn`` must be a write transaction.

    The judgement belongs to `compartment` (default: the default compartment): only users holding
    it see the judgement and the clusters it makes."""
    where = f"judgement {left_id}-{right_id}"
    if decision not in DECISIONS:
        raise InputError(
            f"{where}: must be one of {', '.join(DECISIONS)}, not {decision!r}", field="decision"
        )
    if left_id == right_id:
        raise InputError(f"{where}: an entity cannot be judged against itself", field="right_id")
    if not author:
        raise InputError(f"{where}: every judgement needs an author", field="author")
    a, b = sorted((int(left_id), int(right_id)))
    result = conn.execute(
        insert(t.judgement).values(
            left_id=a,
            right_id=b,
            decision=decision,
            score=score,
            reasons=strict_json.dumps(reasons or {}, ensure_ascii=False),
            author=author,
            decided_at=decided_at or dt.datetime.now(dt.UTC).replace(tzinfo=None),
            automatic=automatic,
            compartment=check_compartment(compartment or default_compartment()),
        )
    )
    return inserted_id(result)


def auto_accept(
    conn: Connection,
    scored: pl.DataFrame,
    threshold: float,
    cannot_below: float = 0.2,
    cannot_link: list[tuple[int, int]] | None = None,
) -> int:
    """Record ``same`` judgements, marked automatic, for unjudged pairs scoring ≥ ``threshold``.

    The threshold is the user's: there is no default. Pairs already judged (by anyone) are left
    alone, and a pair is skipped when accepting it would join two clusters that an analyst's
    ``not_same``, a contradicting candidate score below ``cannot_below`` or an extra ``cannot_link``
    pair (e.g. two records named in one report: ``candidates.same_report_pairs``) keeps apart
    (:func:`cellmap.resolve.clustering.constrained_accept`). Returns the number written.
    """
    if not 0.0 < threshold <= 1.0:
        raise InputError(
            f"auto-accept threshold must be in (0, 1], not {threshold}", field="threshold"
        )
    latest = views.latest_judgements(conn)
    judged = {tuple(sorted(p)) for p in latest.select("left_id", "right_id").iter_rows()}
    decided = {
        d: [
            tuple(p)
            for p in latest.filter(pl.col("decision") == d)
            .select("left_id", "right_id")
            .iter_rows()
        ]
        for d in ("same", "not_same")
    }
    pending = (
        scored.filter(
            ~pl.struct("left_id", "right_id").map_elements(
                lambda s: tuple(sorted((s["left_id"], s["right_id"]))) in judged,
                return_dtype=pl.Boolean,
            )
        )
        if judged and not scored.is_empty()
        else scored
    )
    accepted = constrained_accept(
        pending,
        threshold,
        cannot_below=cannot_below,
        cannot_link=decided["not_same"] + list(cannot_link or ()),
        already_same=decided["same"],
    )
    reasons_of = {
        tuple(sorted((r["left_id"], r["right_id"]))): r.get("reasons") or "{}"
        for r in pending.iter_rows(named=True)
    }
    for left, right, score in accepted:
        reasons = json.loads(reasons_of.get(tuple(sorted((left, right))), "{}"))
        reasons["rule"] = f"score {score:.4f} >= auto-accept threshold {threshold}, no cannot-link"
        reasons["threshold"] = threshold
        record_judgement(
            conn,
            left,
            right,
            "same",
            author=AUTOMATIC_AUTHOR,
            score=score,
            reasons=reasons,
            automatic=True,
        )
    return len(accepted)


def judged_pairs(conn: Connection, decisions: tuple[str, ...] = DECISIONS) -> set[tuple[int, int]]:
    """Pairs whose latest judgement is one of ``decisions`` (sorted id tuples)."""
    latest = views.latest_judgements(conn).filter(pl.col("decision").is_in(list(decisions)))
    return {tuple(sorted(p)) for p in latest.select("left_id", "right_id").iter_rows()}


def clusters(conn: Connection) -> pl.DataFrame:
    """Resolved clusters with more than one member: canonical_id, entity_id (one row per member)."""
    mapping = views.canonical_ids(conn)
    rows = [(canon, eid) for eid, canon in mapping.items()] + [
        (c, c) for c in set(mapping.values())
    ]
    return pl.DataFrame(
        rows, schema={"canonical_id": pl.Int64, "entity_id": pl.Int64}, orient="row"
    ).sort("canonical_id", "entity_id")


def split(conn: Connection, entity_ids: Iterable[int], *, author: str, note: str = "") -> int:
    """Split ``entity_ids`` off their cluster: ``not_same`` on every latest-``same`` edge that joins
    one of them to a member outside the set. Returns the number of judgements written. O(p)."""
    leaving = {int(e) for e in entity_ids}
    latest = views.latest_judgements(conn).filter(pl.col("decision") == "same")
    count = 0
    for left, right in latest.select("left_id", "right_id").iter_rows():
        if (left in leaving) != (right in leaving):
            record_judgement(
                conn,
                left,
                right,
                "not_same",
                author=author,
                reasons={"rule": "split", "note": note, "split_off": sorted(leaving)},
            )
            count += 1
    return count
