"""Automatic merges: the matcher's pairs above a stated threshold, recorded as automatic judgements.

Analyses run on resolved identities (``views.*(resolved=True)``): the analysts' judgements plus these
automatic ``same`` judgements. Each one is marked ``automatic`` with its score and the threshold in its
reasons, so it is reversible: an analyst's later ``not_same`` or ``split`` supersedes it, and
:func:`cellmap.store.views.resolution_summary` states how many persons the records became.
Cost: blocking and scoring of the store's person records (see :mod:`cellmap.resolve.candidates`).
"""

from __future__ import annotations

# The demo's threshold: above the record model's decision threshold (0.35) for precision over recall —
# a wrong automatic merge joins two men's ties, a missed one leaves a man split in two.
DEFAULT_THRESHOLD = 0.5


def merge_automatically(
    store, threshold: float = DEFAULT_THRESHOLD, workers: int | None = None
) -> int:
    """Block, score and record automatic ``same`` judgements at or above `threshold`; returns how
    many were written (pairs already judged by anyone are left alone)."""
    from cellmap.resolve.candidates import block, same_report_pairs, score_candidates, store_records
    from cellmap.resolve.judgements import auto_accept

    with store.session() as conn:
        records = store_records(conn)
    if records.height < 2:
        return 0
    pairs = block(records, per_record=10, workers=workers)
    scored = score_candidates(records, pairs, workers=workers)
    with store.transaction() as conn:
        return auto_accept(conn, scored, threshold, cannot_link=same_report_pairs(records))
