"""A strike campaign on the person network: a strategy's removal order and the curves it gives,
with the cells cut off from a single leader and from a collective leadership side by side.

The composition the workbench's Simulate view and the brief share (one copy): the order from
:func:`cellmap.disrupt.strategies.strike_order`, the curves from
:func:`cellmap.disrupt.attack.attack_curve` (incremental removal curves, Newman & Ziff 2000;
fragmentation F, Borgatti 2006) and cell reachability from
:func:`cellmap.disrupt.context.leadership_reachability`. Cost: that of the strategy's order plus
O(n + m + Σ deg) for the curves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import igraph as ig
import polars as pl

from cellmap.disrupt.attack import attack_curve
from cellmap.disrupt.context import leadership_reachability
from cellmap.disrupt.curves import Reachability
from cellmap.disrupt.recovery import COLLECTIVE, SINGLE
from cellmap.disrupt.strategies import strike_order

__all__ = ["Campaign", "strike_campaign"]


@dataclass
class Campaign:
    """order: vertex indices struck, in order; curve: one row per state (step 0 = intact), with
    ``largest_share, components, fragmentation, cells_cut_off_single, cells_cut_off_collective``."""

    order: list[int]
    curve: pl.DataFrame
    single: Reachability
    collective: Reachability

    def leaders(self, collective: bool = False) -> list[int]:
        """Vertex indices holding the leadership roles (the leader alone, or with the council)."""
        reach = self.collective if collective else self.single
        return sorted({v for targets in reach.targets for v in targets})


def strike_campaign(
    g: ig.Graph,
    relations: pl.DataFrame,
    strategy: str,
    k: int,
    at: dt.date | None = None,
    targets: Sequence[int] = (),
) -> Campaign:
    """Strike `k` persons of `g` by `strategy` (see `strike_order`); raises ValueError for an
    unknown strategy or missing targets."""
    order, _info = strike_order(g, strategy, k, relations=relations, at=at, targets=targets)
    single = leadership_reachability(
        g, relations, at, leadership_roles=SINGLE, name="cells_cut_off_single"
    )
    collective = leadership_reachability(
        g, relations, at, leadership_roles=COLLECTIVE, name="cells_cut_off_collective"
    )
    return Campaign(order, attack_curve(g, order, [single, collective]), single, collective)
