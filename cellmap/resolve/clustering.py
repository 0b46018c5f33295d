"""Which candidate pairs an automatic acceptance may take without bridging two different people.

Clusters are connected components of "same" pairs, so one wrong link merges two whole clusters.
``constrained_accept`` takes pairs best first (score ≥ ``threshold``) and accepts a pair only if
the two clusters it would join contain no *cannot-link* pair: an analyst's ``not_same``
judgement, or a candidate pair scored below ``cannot_below`` (strong evidence of two people) —
when the frame has a ``contradicts`` column, only such pairs whose evidence contradicts identity
(two full names, or a contradicting attribute), not a bare kunya that shares no part with a full name;
and, at any score, pairs marked ``names_differ`` (two different full names).
This is greedy agglomerative clustering under cannot-link constraints (Wagstaff, Cardie, Rogers
& Schrödl, ICML 2001). Cost O(P log P + P·c·log N) for P pairs and c cannot-links per record (each merge is
checked through the smaller cluster's cannot-link partners; union by size relabels a record O(log N) times).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl


def constrained_accept(
    scored: pl.DataFrame,
    threshold: float,
    cannot_below: float = 0.2,
    cannot_link: Iterable[tuple[int, int]] = (),
    already_same: Iterable[tuple[int, int]] = (),
) -> list[tuple[int, int, float]]:
    """Pairs (left_id, right_id, score) to accept, best first; see the module docstring."""
    score = {
        (min(a, b), max(a, b)): s
        for a, b, s in scored.select("left_id", "right_id", "score").iter_rows()
    }
    forbidden = {(min(a, b), max(a, b)) for a, b in cannot_link}
    if "contradicts" in scored.columns:
        # a bare kunya scoring low against a full name lacks shared parts; it does not contradict it
        forbidden |= {
            (min(a, b), max(a, b))
            for a, b, s, c in scored.select(
                "left_id", "right_id", "score", "contradicts"
            ).iter_rows()
            if s < cannot_below and c
        }
    else:
        forbidden |= {pair for pair, s in score.items() if s < cannot_below}
    if "names_differ" in scored.columns:
        forbidden |= {
            (min(a, b), max(a, b))
            for a, b, d in scored.select("left_id", "right_id", "names_differ").iter_rows()
            if d
        }
    # cannot-link partners per record: a merge is checked through the smaller cluster's partners,
    # so clusters of thousands of records (a leader named in every cell's reports) stay cheap
    partners: dict[int, set[int]] = {}
    for a, b in forbidden:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    cluster: dict[int, int] = {}
    members: dict[int, list[int]] = {}

    def find(x: int) -> int:
        return cluster.get(x, x)

    def join(ra: int, rb: int) -> None:
        big, small = (
            (ra, rb) if len(members.get(ra, (ra,))) >= len(members.get(rb, (rb,))) else (rb, ra)
        )
        moved = members.pop(small, [small])
        for x in moved:
            cluster[x] = big
        members.setdefault(big, [big]).extend(moved)

    def conflict(ra: int, rb: int) -> bool:
        small, other = (
            (ra, rb) if len(members.get(ra, (ra,))) <= len(members.get(rb, (rb,))) else (rb, ra)
        )
        return any(
            find(y) == other for x in members.get(small, [small]) for y in partners.get(x, ())
        )

    for a, b in already_same:
        if find(a) != find(b):
            join(find(a), find(b))
    accepted = []
    for (a, b), s in sorted(score.items(), key=lambda item: -item[1]):
        if s < threshold:
            break
        ra, rb = find(a), find(b)
        if ra == rb or conflict(ra, rb):
            continue
        join(ra, rb)
        accepted.append((a, b, s))
    return accepted
