"""How many members the reports do not show, in all and per cell or sector.

Capture probabilities differ from cell to cell (one cell's phones are tapped, another's ledgers were
seized), and a single model over the whole network mixes them. So the estimate is stratified: each
cell, the command level (persons whose unit is a sector or the organisation) and the persons of no
known unit are each estimated on their own persons by :mod:`cellmap.unseen.capture`, and the total
is the sum. Two methods:

- ``averaged`` (the default): Bayesian model averaging over the unit's log-linear models (Madigan &
  York 1997, "Bayesian methods for estimation of the size of a closed population", Biometrika 84),
  weights ∝ exp(−BIC/2); each unit's unseen count is drawn ``DRAWS`` times from its mixture (fixed
  seed), the draws of the units are summed draw by draw, and every interval is the quantiles of the
  draws. A small stratum (15–40 persons) cannot tell dependence from heterogeneity; a single model
  chosen by BIC then gives an interval too narrow (6 of 16 training seeds missed the truth, all
  below), the average carries the doubt over which model holds;
- ``chosen``: the model chosen by BIC (AIC on request; independence when none fits or when it is
  unbounded) with its profile interval; the units' intervals combined as independent normal errors
  (half-width / z at the level, added in quadrature), never below the number seen.

A sector is the sum of its cells.
Cost: one estimator run per unit (66 log-linear fits of 16 cells), plus 20,000 draws per unit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from cellmap import model
from cellmap.unseen.capture import CHI2_1, Estimate, averaged, estimate
from cellmap.unseen.histories import capture_histories, history_counts, unit_sectors

UNIT_KINDS = ("cell", "sector")
# an upper bound above this many times the number seen says nothing: the unit's model is unbounded
UNBOUNDED = 10.0
METHODS = ("averaged", "chosen")
DRAWS = 20000  # draws per unit of the averaged estimate (fixed seed: the same answer every run)
COMMAND_LEVEL = "command level"  # the stratum of persons whose unit is a sector or the organisation


def _stratum(counts: dict, sources: tuple[str, ...], level: float, criterion: str) -> Estimate:
    """One unit's estimate: the model chosen by `criterion`; independence when none fits or when the
    chosen model's interval has no upper bound, or one above `UNBOUNDED` times the number seen (a
    small unit whose dependence terms leave the unseen count unidentified); the number seen, with a
    note in the model, when even independence is unbounded."""
    result = estimate(counts, sources, level=level, criterion=criterion)
    if not sum(counts.values()):
        return result

    def unbounded(e: Estimate) -> bool:
        return e.high > UNBOUNDED * max(e.observed, 1)

    if result.model in ("no model fits", "too few sources") or unbounded(result):
        chosen = result.model
        result = estimate(counts, sources, level=level, model=())
        if chosen not in ("no model fits", "too few sources", "independence"):
            result.model = f"independence ({chosen} unbounded)"
    if unbounded(result):
        result = Estimate(
            result.observed,
            float(result.observed),
            float(result.observed),
            float(result.observed),
            level,
            "unbounded: the number seen",
            criterion,
            result.sources,
            result.histories,
        )
    return result


def combine(parts: list[Estimate], level: float, label: str) -> dict:
    """Sum of unit estimates; interval from the units' half-widths added in quadrature."""
    z = math.sqrt(CHI2_1[level])
    observed = sum(p.observed for p in parts)
    total = sum(p.estimate for p in parts)
    below = math.sqrt(sum(((p.estimate - p.low) / z) ** 2 for p in parts))
    above = math.sqrt(sum(((p.high - p.estimate) / z) ** 2 for p in parts))
    return {
        "observed": observed,
        "estimate": round(total, 1),
        "low": round(max(total - z * below, observed), 1),
        "high": round(total + z * above, 1),
        "level": level,
        "model": label,
    }


def summed(parts: list[tuple[Estimate, np.ndarray]], level: float, label: str) -> dict:
    """Sum of averaged unit estimates; the interval from the quantiles of the summed draws."""
    observed = sum(e.observed for e, _ in parts)
    draws = np.sum([d for _, d in parts], axis=0) if parts else np.zeros(1)
    tail = (1 - level) / 2
    return {
        "observed": observed,
        "estimate": round(sum(e.estimate for e, _ in parts), 1),
        "low": round(observed + float(np.quantile(draws, tail)), 1),
        "high": round(observed + float(np.quantile(draws, 1 - tail)), 1),
        "level": level,
        "model": label,
    }


def _fit_strata(
    strata: dict, sources: tuple[str, ...], level: float, criterion: str, method: str
) -> dict[Any, tuple[Estimate, np.ndarray | None]]:
    """Each stratum's estimate (and its draws of the unseen count when averaged)."""
    if method not in METHODS:
        raise ValueError(f"method: {method!r} is not one of {', '.join(METHODS)}")
    if method == "chosen":
        return {
            unit: (_stratum(history_counts(members), sources, level, criterion), None)
            for unit, members in strata.items()
        }
    rng = np.random.default_rng(0)
    return {
        unit: averaged(
            history_counts(members), sources, rng, DRAWS, level, criterion, bound=UNBOUNDED
        )
        for unit, members in strata.items()
    }


def _total(parts: list[tuple[Estimate, np.ndarray | None]], level: float, label: str) -> dict:
    if parts and parts[0][1] is not None:
        return summed(parts, level, label)  # type: ignore[arg-type]
    return combine([e for e, _ in parts], level, label)


def _strata(people: dict, kinds: dict) -> dict:
    """Each cell's persons; the command level (sectors, organisation) together; no known unit (None)."""
    strata: dict = {}
    for person in people.values():
        unit = person.unit
        key = unit if unit is None or kinds.get(unit) == "cell" else COMMAND_LEVEL
        strata.setdefault(key, []).append(person)
    return strata


def stratum_estimates(
    relations: pl.DataFrame,
    entities: pl.DataFrame,
    reports: pl.DataFrame,
    level: float = 0.9,
    criterion: str = "BIC",
    method: str = "averaged",
) -> dict[Any, tuple[Estimate, list[int]]]:
    """Each stratum's estimate and its seen persons' (resolved) ids, as :func:`hidden_members` fits
    them: the unseen members a robustness sample draws (:mod:`cellmap.unseen.robust`)."""
    sources = tuple(dict.fromkeys(model.capture_sources().values()))
    people = capture_histories(relations, reports)
    kinds = dict(zip(entities["entity_id"].to_list(), entities["kind"].to_list(), strict=False))
    strata = _strata(people, kinds)
    fitted = _fit_strata(strata, sources, level, criterion, method)
    return {
        unit: (fitted[unit][0], sorted(p.entity_id for p in members))
        for unit, members in strata.items()
    }


def hidden_members(
    relations: pl.DataFrame,
    entities: pl.DataFrame,
    reports: pl.DataFrame,
    by: str | None = None,
    level: float = 0.9,
    criterion: str = "BIC",
    method: str = "averaged",
) -> dict:
    """``{"members": {observed, estimate, low, high, level, model, criterion}, "sources", "units"}``.

    `relations` and `entities` resolved (the analyses' identities); `by` is None, "cell" or "sector";
    `method` "averaged" (model averaging, the default) or "chosen" (one model per unit)."""
    if by not in (None, *UNIT_KINDS):
        raise ValueError(f"by: {by!r} is not cell or sector")
    sources = tuple(dict.fromkeys(model.capture_sources().values()))
    people = capture_histories(relations, reports)
    kinds = dict(zip(entities["entity_id"].to_list(), entities["kind"].to_list(), strict=False))
    strata = _strata(people, kinds)
    fitted = _fit_strata(strata, sources, level, criterion, method)
    units = sorted(u for u in fitted if isinstance(u, int))
    how = (
        f"log-linear models averaged by {criterion} weight"
        if method == "averaged"
        else f"log-linear by {criterion}"
    )
    label = f"stratified ({len(fitted)} strata: cells, command level), {how}"
    whole = _total(list(fitted.values()), level, label)
    result: dict[str, Any] = {
        "members": {**whole, "criterion": criterion, "method": method},
        "sources": list(sources),
        "histories": {
            "+".join(sorted(h)): c
            for h, c in sorted(
                history_counts(people.values()).items(), key=lambda kv: sorted(kv[0])
            )
        },
        "units": [],
        "unassigned": len(strata.get(None, [])),
    }
    if by is None:
        return result
    names = dict(zip(entities["entity_id"].to_list(), entities["name"].to_list(), strict=False))
    keys = dict(zip(entities["entity_id"].to_list(), entities["key"].to_list(), strict=False))
    sector_of = unit_sectors(relations)
    if by == "cell":
        groups = {u: [u] for u in units if kinds.get(u) == "cell"}
    else:
        groups = {}
        for u in units:
            if sector_of.get(u) is not None:
                groups.setdefault(sector_of[u], []).append(u)
    for unit, members in groups.items():
        # a sector is the sum of its cells (the command level is estimated across sectors)
        parts = [fitted[u] for u in members]
        row = _total(parts, level, parts[0][0].model if len(parts) == 1 else label)
        result["units"].append(
            {
                "unit": keys.get(unit),
                "name": names.get(unit),
                "kind": kinds.get(unit),
                "sector": names.get(sector_of.get(unit)),
                **row,
            }
        )
    result["units"].sort(key=lambda u: str(u["unit"]))
    return result
