"""Whom a record dealt with: naive-Bayes evidence from contact-role profiles.

A record's contacts are counted by the partners' roles (``cell_head=3;fighter=1``). The record with
fewer contacts is read as a sample drawn either from the other's contact mix or from the network's
(the *background*, the shares of each role over all records at hand): the log-likelihood ratio is
Σ_r c_s(r)·ln(p_p(r) / bg(r)), the profile p smoothed with ``smoothing`` pseudo-contacts drawn from
the background (Lidstone 1920; naive Bayes, Lewis 1998). The background is an explicit argument —
computed once from the records being resolved and held by the scorer — so a score never depends on
which records were scored before.

Cost: O(roles) per pair. Example: background {cell_head: .25, fighter: .6, messenger: .15},
profile cell_head=9;fighter=1, sample cell_head=1: ln(((9 + .25) / 11) / .25) = 1.21.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=200_000)
def counts_of(value: str | None) -> dict[str, int]:
    """``{"cell_head": 3, "fighter": 1}`` of a ``cell_head=3;fighter=1`` value; malformed items skipped."""
    out: dict[str, int] = {}
    for item in (value or "").split(";"):
        role, _, count = item.rpartition("=")
        if role and count.isdigit():
            out[role] = out.get(role, 0) + int(count)
    return out


def profile_background(values: Sequence[str | None]) -> dict[str, float]:
    """The share of each role over all records' ``role=count`` values (the "any man of this
    network" side of the ratio)."""
    totals: dict[str, int] = {}
    for value in values:
        for role, count in counts_of(value).items():
            totals[role] = totals.get(role, 0) + count
    grand = sum(totals.values())
    return {role: n / grand for role, n in totals.items()} if grand else {}


def profile_log_odds(
    left: str, right: str, spec: dict, background: dict[str, float] | None
) -> float | None:
    """The clipped log-likelihood ratio of the module docstring; None without a background or while
    the profile has fewer than ``min_profile`` contacts. Clipped to ±``cap``: contacts of one man are
    not independent."""
    if not background:
        return None
    sample, profile = sorted((counts_of(left), counts_of(right)), key=lambda c: sum(c.values()))
    total = sum(profile.values())
    if not sample or total < spec.get("min_profile", 1):
        return None
    alpha = spec.get("smoothing", 1.0)
    llr = sum(
        n
        * math.log(
            (profile.get(role, 0) + alpha * background[role]) / (total + alpha) / background[role]
        )
        for role, n in sample.items()
        if background.get(role)
    )
    return max(-spec["cap"], min(spec["cap"], llr))
