"""Record attributes as Fellegi–Sunter evidence: log-likelihood ratios added to the name logit.

Each attribute present on both records adds ln(m/u) (Fellegi & Sunter 1969, "A theory for record
linkage", JASA 64): m = P(agree | same person), u = P(agree | different persons), read from the
matcher's ``attributes`` table. Dates compare by day when both are full dates, else by year; a
``unit`` inside the other's unit is nested (no contradiction); a ``period`` tests a dated event
against the other's membership periods; a ``profile`` is the contact-role evidence of
:mod:`.profile`; a ``name_part`` attribute is a slot clash of :mod:`.slots`; other attributes
compare as sets of folded values (any shared value agrees). Attributes are not independent: the
agreeing ones together add at most ``max_positive`` (identifiers excepted).

Cost: O(v) for v values per attribute. Example: birth dates 1980-03-01 on both sides add
``agree_day`` (3.0 in the scenario matcher).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from cellmap.resolve.features.dates import active_on as active_on
from cellmap.resolve.features.dates import dates_of, norm_values, periods_of
from cellmap.resolve.features.name_parts import PartSimilarity
from cellmap.resolve.features.profile import profile_log_odds
from cellmap.resolve.features.slots import Slots, slots_clash
from cellmap.resolve.names import fold

AttributeSpec = tuple[str, dict, tuple[str, ...]]


def attribute_specs(attributes: dict) -> tuple[AttributeSpec, ...]:
    """(name, spec, the record keys it reads) for each attribute of a matcher's table."""
    out = []
    for attr, spec in attributes.items():
        if spec.get("kind") == "name_part":
            keys: tuple[str, ...] = ("names",)
        elif spec.get("kind") == "period":
            keys = (spec["seen"], spec["period"])
        else:
            keys = (attr, *spec.get("aliases", []))
        out.append((attr, spec, keys))
    return tuple(out)


def period_log_odds(left: dict, right: dict, spec: dict) -> float | None:
    """An event dated outside every known active period of the other record (beyond ``slack_days``)
    gives ``outside``; events all inside give ``inside``; no dated event or no period: None."""
    slack = dt.timedelta(days=spec.get("slack_days", 0))
    verdict = None
    for events, periods in (
        (dates_of(left.get(spec["seen"])), periods_of(right.get(spec["period"]))),
        (dates_of(right.get(spec["seen"])), periods_of(left.get(spec["period"]))),
    ):
        if not events or not periods:
            continue
        if not all(active_on([day], periods, slack) for day in events):
            return spec["outside"]
        verdict = spec["inside"]
    return verdict


def _date_log_odds(va: set[str], vb: set[str], spec: dict) -> float:
    full_a = {v[:10] for v in va if len(v) >= 10}
    full_b = {v[:10] for v in vb if len(v) >= 10}
    years_a, years_b = {v[:4] for v in va}, {v[:4] for v in vb}
    if full_a and full_b and full_a & full_b:
        return spec["agree_day"]
    if years_a & years_b:
        return spec["agree_year"] if not (full_a and full_b) else spec["agree_year_differ_day"]
    gap = min(
        (abs(int(x) - int(y)) for x in years_a for y in years_b if x.isdigit() and y.isdigit()),
        default=None,
    )
    if gap is not None and gap <= 2:
        return spec["near_year"]
    if gap is not None and gap <= spec.get("guess_years", 2) and not (full_a and full_b):
        return spec["guessed_year"]
    return spec["disagree"]


def attribute_log_odds(
    left: dict,
    right: dict,
    specs: tuple[AttributeSpec, ...],
    slots_of: Callable[[tuple[str, ...]], Slots],
    sim: PartSimilarity,
    backgrounds: dict[str, dict[str, float]],
) -> dict[str, float]:
    """Log-likelihood ratios of the attributes present on both sides (see the module docstring).
    ``slots_of`` gives a record's name slots from its names, ``backgrounds`` the profile
    backgrounds by attribute."""
    out: dict[str, float] = {}
    slots = None  # the name slots of both records, looked up once for all name_part attributes
    for attr, spec, keys in specs:
        if not any(k in left for k in keys) or not any(k in right for k in keys):
            continue  # the attribute is absent on one side: no evidence (the common case, checked cheaply)
        kind = spec.get("kind")
        if kind == "name_part":
            if slots is None:
                slots = (
                    slots_of(tuple(left.get("names") or ())),
                    slots_of(tuple(right.get("names") or ())),
                )
            if slots_clash(slots[0][spec["slot"]], slots[1][spec["slot"]], sim):
                out[attr] = spec["clash"]
            continue
        if kind == "profile":
            llr = profile_log_odds(left[attr], right[attr], spec, backgrounds.get(attr))
            if llr is not None:
                out[attr] = llr
            continue
        if kind == "period":
            llr = period_log_odds(left, right, spec)
            if llr is not None:
                out[attr] = llr
            continue
        va = set().union(*(norm_values(left.get(n)) for n in keys))
        vb = set().union(*(norm_values(right.get(n)) for n in keys))
        if not va or not vb:
            continue
        if kind == "unit" and not va & vb:
            # one record's unit lies inside the other's (a cell of his sector): no contradiction
            above_a, above_b = (
                norm_values(left.get(spec["above"])),
                norm_values(right.get(spec["above"])),
            )
            if va & above_b or vb & above_a:
                out[attr] = spec["nested"]
                continue
        if kind == "date":
            out[attr] = _date_log_odds(va, vb, spec)
        else:
            folded_a = {fold(v) or v for v in va}
            folded_b = {fold(v) or v for v in vb}
            out[attr] = spec["agree"] if folded_a & folded_b else spec["disagree"]
    return out


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


def combined_score(z_name: float, attrs: dict[str, float], max_positive: float | None) -> float:
    """Name logit plus attribute log-odds; agreeing correlated attributes add at most ``max_positive``
    (identifiers excepted)."""
    if not attrs:
        return sigmoid(z_name)
    positive = sum(v for k, v in attrs.items() if v > 0 and k != "identifier")
    cap = positive if max_positive is None else max_positive
    return sigmoid(
        z_name
        + sum(v for k, v in attrs.items() if v <= 0 or k == "identifier")
        + min(positive, cap)
    )
