"""Which candidate pairs an automatic acceptance may take without bridging two different people.

Clusters are connected components of "same" pairs, so one wrong link merges two whole clusters.
``constrained_accept`` takes pairs best first (score ≥ ``threshold``) and accepts a pair only if
the two clusters it would join contain no *cannot-link* pair: an analyst's ``not_same``
judgement, or a candidate pair scored below ``cannot_below`` (strong evidence of two people) —
when the frame has a ``contradicts`` column, only such pairs whose evidence contradicts identity
(two full names, or a contradicting attribute), not a bare kunya that shares no part with a full name;
and, at any score, pairs marked ``names_differ`` (two different full names).
This is greedy agglomerative clustering under cannot-link constraints (Wagstaff, Cardie, Rogers
& Schrödl, ICML 2001). Cost O(P log P + A·s²) for P pairs, A accepted merges of clusters of size ≤ s.
"""
from __future__ import annotations

from typing import Iterable

import polars as pl


def constrained_accept(scored: pl.DataFrame, threshold: float, cannot_below: float = 0.2,
                       cannot_link: Iterable[tuple[int, int]] = (),
                       already_same: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int, float]]:
    """Pairs (left_id, right_id, score) to accept, best first; see the module docstring."""
    score = {(min(a, b), max(a, b)): s for a, b, s in
             scored.select("left_id", "right_id", "score").iter_rows()}
    forbidden = {(min(a, b), max(a, b)) for a, b in cannot_link}
    if "contradicts" in scored.columns:
        # a bare kunya scoring low against a full name lacks shared parts; it does not contradict it
        forbidden |= {(min(a, b), max(a, b)) for a, b, s, c in
                      scored.select("left_id", "right_id", "score", "contradicts").iter_rows()
                      if s < cannot_below and c}
    else:
        forbidden |= {pair for pair, s in score.items() if s < cannot_below}
    if "names_differ" in scored.columns:
        forbidden |= {(min(a, b), max(a, b)) for a, b, d in
                      scored.select("left_id", "right_id", "names_differ").iter_rows() if d}
    cluster: dict[int, int] = {}
    members: dict[int, list[int]] = {}

    def find(x: int) -> int:
        return cluster.get(x, x)

    def join(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        merged = members.pop(ra, [ra]) + members.pop(rb, [rb])
        root = min(ra, rb)
        for x in merged:
            cluster[x] = root
        members[root] = merged

    for a, b in already_same:
        if find(a) != find(b):
            join(a, b)
    accepted = []
    for (a, b), s in sorted(score.items(), key=lambda item: -item[1]):
        if s < threshold:
            break
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ma, mb = members.get(ra, [ra]), members.get(rb, [rb])
        if any((min(x, y), max(x, y)) in forbidden for x in ma for y in mb):
            continue
        join(a, b)
        accepted.append((a, b, s))
    return accepted
