"""Strike strategies: the one dispatch from a strategy name to a removal order, used by
`cellmap simulate attack` and the workbench's simulate view alike.

Strategy names
--------------
* a measure of :data:`orders.MEASURES` (``degree``, ``betweenness``, …) — ranked once on the intact
  network; ``adaptive:MEASURE`` — recomputed on the surviving network after each strike
  (Holme et al. 2002, "initial" and "recalculated" attacks);
* ``roles:PRIORITY`` — by role, a strike priority of the model (``leadership``, ``planners``, …;
  ``strike_priorities`` in schema/model.yaml) or a comma-separated list of roles, most connected
  first within a role;
* ``targets`` — given persons, in the given order;
* ``keyplayers`` — Borgatti's KPP-Neg set (Borgatti 2006), its members by degree;
* ``recorded`` — removals recorded in the data (arrests, deaths, strikes), by date.

Random orders are many orders, not one: they are :func:`cellmap.disrupt.attack.monte_carlo`'s.

References: Holme, P., Kim, B. J., Yoon, C. N. & Han, S. K. (2002). Attack vulnerability of complex
networks. Physical Review E 65, 056109. Borgatti, S. P. (2006). Identifying sets of key players in
a social network. Computational and Mathematical Organization Theory 12, 21–34.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import igraph as ig
import polars as pl

from cellmap.disrupt import orders

__all__ = ["Strategy", "catalogue", "strategy_name", "strike_order"]

ADAPTIVE_MEASURES = ("degree", "betweenness")  # offered adaptive: the others cost O(k·n·m)


@dataclass(frozen=True)
class Strategy:
    name: str
    label: str
    description: str


def catalogue() -> list[Strategy]:
    """The strategies offered by name: every measure, fixed and (the cheap ones) adaptive, and
    every strike priority of the model."""
    out = [
        Strategy(m, f"highest {m} first", f"ranked once by {m} on the intact network")
        for m in orders.MEASURES
    ]
    out += [
        Strategy(
            f"adaptive:{m}",
            f"highest {m} first, recomputed",
            f"{m} recomputed on the surviving network after each strike (Holme et al. 2002)",
        )
        for m in ADAPTIVE_MEASURES
    ]
    out += [
        Strategy(f"roles:{name}", f"roles: {name}", "by role: " + ", ".join(roles))
        for name, roles in orders.ROLE_PRIORITIES.items()
    ]
    return out


def strategy_name(by: str, adaptive: bool = False, roles: str | None = None) -> str:
    """The strategy name of the CLI's options ``--by``, ``--adaptive`` and ``--roles``."""
    if by in orders.MEASURES and adaptive:
        return f"adaptive:{by}"
    if by == "roles":
        return f"roles:{roles or 'leadership'}"
    return by


def strike_order(
    g: ig.Graph,
    strategy: str,
    k: int | None = None,
    *,
    relations: pl.DataFrame | None = None,
    at: dt.date | None = None,
    targets: Sequence[int] = (),
    events: pl.DataFrame | None = None,
    objective: str = "F",
) -> tuple[list[int], dict]:
    """The removal order (vertex indices of ``g``, at most ``k``) of ``strategy``, and what it was.

    What a strategy needs beyond the graph comes from the caller: ``relations`` (the store's
    relations, for the roles held at ``at``) for ``roles:``, ``targets`` (vertex indices) for
    ``targets``, ``events`` (person key, date) for ``recorded``. Raises ValueError naming what is
    missing or unknown. Cost: that of the order function of :mod:`cellmap.disrupt.orders`.
    """
    base, _, argument = strategy.partition(":")
    if base == "adaptive" and argument in orders.MEASURES:
        return orders.measure_order(g, argument, k=k, adaptive=True), {
            "by": argument,
            "adaptive": True,
        }
    if base in orders.MEASURES and not argument:
        return orders.measure_order(g, base, k=k), {"by": base, "adaptive": False}
    if base == "roles":
        if relations is None:
            raise ValueError(
                "strategy roles needs memberships and roles (a store, not an edge list)"
            )
        from cellmap.disrupt.context import person_roles

        argument = argument or "leadership"
        priority = (
            argument
            if argument in orders.ROLE_PRIORITIES
            else [r.strip() for r in argument.split(",") if r.strip()]
        )
        order = orders.role_order(g, person_roles(g, relations, at), priority)
        return order[:k], {"by": "roles", "roles": priority}
    if base == "targets":
        if not targets:
            raise ValueError("targets: choose at least one person to strike")
        if len(set(targets)) != len(targets):
            raise ValueError("targets: a person is listed twice")
        return list(targets)[:k], {"by": "targets"}
    if base == "keyplayers":
        from cellmap.graph.keyplayers import kpp_neg

        size = k or min(10, max(1, g.vcount() - 1))
        kp = kpp_neg(g, size, objective=objective)
        return orders.set_order(g, kp.indices), {
            "by": "keyplayers",
            "objective": objective,
            "score": kp.score,
            "method": kp.method,
            "within_set": "members ordered by degree in the intact network",
        }
    if base == "recorded":
        if events is None:
            raise ValueError(
                "strategy recorded needs recorded removals (a store or a removals file)"
            )
        order, skipped = orders.recorded_order(g, events)
        first = dict(events.group_by("person").agg(pl.col("date").min()).iter_rows())
        info = {
            "by": "recorded",
            "skipped_not_in_network": skipped["person"].to_list(),
            "dates": {g.vs[v]["name"]: first.get(g.vs[v]["name"]) for v in order},
        }
        return order[:k] if k else order, info
    raise ValueError(
        f"strategy {strategy!r}: expected one of {', '.join(orders.MEASURES)}, adaptive:MEASURE, "
        "roles:PRIORITY, targets, keyplayers, recorded"
    )
