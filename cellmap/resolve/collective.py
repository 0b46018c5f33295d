"""Collective evidence for bare kunyas and laqabs: is the name part unique within the unit?

A report that names a man only "Abu Majid" or "al-Hajji" cannot be resolved by the name alone —
several fictional persons share a kunya — but an analyst reads it in its unit: if among the
*persons* known by full name in that cell exactly one carries the kunya "Abu Majid", the bare
record most likely denotes him. This is collective entity resolution (Bhattacharya & Getoor,
"Collective entity resolution in relational data", ACM TKDD 1(1), 2007): first resolve the
records that carry a full name (ism + father's name, nisba or family name) among themselves with
a high threshold, then count, per (unit, name-part skeleton), the distinct resolved full-name
persons carrying that part (over all their names and aliases). A pair that shares such a
(unit, part) with count 1 gets ``UNIQUE_IN_UNIT_LLR`` added to its logit — as does a bare record whose
epithet no one in its own cell carries and exactly one person in a unit *above* it does (a sector head); a count ≥ 2 is
ambiguity and adds ``AMBIGUOUS_IN_UNIT_LLR`` (0; the reasons still say how many persons carry it,
for the analyst's review). The pair's rarest shared (unit, part) decides. The part must appear on both records; the unit on both records.
Who could be meant is counted with the men above the unit (a cell's reports also name its sector head)
and only among those active when the bare record acted; the boost goes to a full-name record only if
its own resolved person is the one who could be meant.

Cost: O(P) for the first-pass clustering of P scored pairs (greedy, see
:func:`cellmap.resolve.clustering.constrained_accept`), O(N·k·u) (unit, part) rows for N records
of k parts in u units, and O(P·k·u) for the pair look-ups.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from cellmap import strict_json
from cellmap.resolve.clustering import constrained_accept
from cellmap.resolve.score import active_on, add_log_odds, attribute_weights, dates_of, periods_of

UNIQUE_IN_UNIT_LLR = 3.0  # tuned on scenarios with seeds 1 and 2 only (never the demo seed)
AMBIGUOUS_IN_UNIT_LLR = (
    0.0  # two or more persons of the unit carry it: no evidence either way (a penalty
)
# of -1 or -2 lost more recall than it gained precision on seeds 1 and 2)
FULL_NAME_THRESHOLD = 0.7  # first pass: only confident merges of full-name records


def units_of(value) -> set[str]:
    """The unit ids of a ';'-joined ``unit``/``unit_above``/``context`` value."""
    return {u for u in str(value or "").split(";") if u}


def unique_in_unit(
    records: pl.DataFrame,
    scored: pl.DataFrame,
    part_keys: dict[int, set[str]],
    full: dict[int, bool],
) -> pl.DataFrame:
    """``scored`` with the unit-uniqueness log-odds added to ``score`` (and named in ``reasons``).

    ``part_keys`` maps record id → skeletons of its kunyas and bare laqabs
    (:func:`cellmap.resolve.candidates.epithet_keys`);
    ``full`` maps record id → whether it carries a full name.
    """
    if scored.is_empty() or "unit" not in records.columns:
        return scored
    units = {
        r: units_of(u)
        for r, u in zip(records["record_id"].to_list(), records["unit"].to_list(), strict=False)
    }
    above = (
        {
            r: units_of(u)
            for r, u in zip(
                records["record_id"].to_list(), records["unit_above"].to_list(), strict=False
            )
        }
        if "unit_above" in records.columns
        else {}
    )
    both_full = scored.filter(
        pl.Series(
            [
                full.get(a, False) and full.get(b, False)
                for a, b in zip(
                    scored["left_id"].to_list(), scored["right_id"].to_list(), strict=False
                )
            ]
        )
    )
    parent: dict[int, int] = {}

    def person_of(x: int) -> int:  # union-find with path halving
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for a, b, _ in constrained_accept(both_full, FULL_NAME_THRESHOLD):
        parent[person_of(max(a, b))] = person_of(min(a, b))
    carriers: dict[tuple[str, str], set[int]] = {}
    periods: dict[int, list] = {}  # resolved person -> membership periods of his full-name records
    active = (
        dict(zip(records["record_id"].to_list(), records["active"].to_list(), strict=False))
        if "active" in records.columns
        else {}
    )
    seen = (
        dict(zip(records["record_id"].to_list(), records["seen"].to_list(), strict=False))
        if "seen" in records.columns
        else {}
    )
    for rid, is_full in full.items():
        if not is_full:
            continue
        periods.setdefault(person_of(rid), []).extend(periods_of(active.get(rid)))
        for unit in units.get(rid, ()):
            for part in part_keys.get(rid, ()):
                carriers.setdefault((unit, part), set()).add(person_of(rid))
    slack = dt.timedelta(days=attribute_weights()["attributes"]["activity"].get("slack_days", 0))

    def active_at(person: int, days: list[dt.date]) -> bool:
        """Whether the person could have acted on one of ``days`` (unknown periods: yes)."""
        spans = periods.get(person) or []
        return not spans or not days or active_on(days, spans, slack)

    scores: list[float] = []
    reasons: list[str | None] = []

    def keep(score: float, reason: str | None) -> None:
        scores.append(score)
        reasons.append(reason)

    clash = (
        scored["nisbas_clash"].to_list()
        if "nisbas_clash" in scored.columns
        else [False] * scored.height
    )
    for (a, b, s, why), nisbas_differ in zip(
        scored.select("left_id", "right_id", "score", "reasons").iter_rows(), clash, strict=False
    ):
        # a full name, or a kunya whose nisba is not the carrier's, is no bare epithet of his
        if full.get(a, False) and full.get(b, False) or nisbas_differ:
            keep(s, why)
            continue
        shared = [
            (u, p)
            for u in units.get(a, set()) & units.get(b, set())
            for p in part_keys.get(a, set()) & part_keys.get(b, set())
            if (u, p) in carriers
        ]
        if not shared:
            up = _uplink(a, b, full, units, above, part_keys, carriers)
            if up is None:
                keep(s, why)
                continue
            detail = json.loads(why or "{}")
            detail["uplink_epithet"] = {
                "unit": up[0],
                "part": up[1],
                "persons_above": 1,
                "persons_in_unit": 0,
                "llr": UNIQUE_IN_UNIT_LLR,
            }
            keep(add_log_odds(s, UNIQUE_IN_UNIT_LLR), strict_json.dumps(detail))
            continue
        # the carriers who could be this bare record: those active when it was seen acting
        days = [d for rid in (a, b) if not full.get(rid, False) for d in dates_of(seen.get(rid))]
        candidates = {key: [c for c in carriers[key] if active_at(c, days)] for key in shared}
        unit, part = min(
            shared, key=lambda key: (len(candidates[key]) or len(carriers[key]) + 1, key)
        )
        # a unit's reports also name the men above it (the sector head "Abu Yasin" calling the cell head):
        # an epithet carried in the unit and by someone above is ambiguous, not unique
        over = {
            c
            for rid in (a, b)
            if not full.get(rid, False)
            for up in above.get(rid, ())
            for c in carriers.get((up, part), ())
            if active_at(c, days)
        }
        could_be = over | set(candidates[(unit, part)])
        carried_by = len(could_be)
        if carried_by == 0:
            keep(s, why)
            continue
        llr = UNIQUE_IN_UNIT_LLR if carried_by == 1 else AMBIGUOUS_IN_UNIT_LLR
        if any(full.get(rid, False) and person_of(rid) not in could_be for rid in (a, b)):
            # the pair's full-name record is not among the men who could have been meant (he had left
            # the cell when the bare record acted): the unique carrier is someone else
            llr = AMBIGUOUS_IN_UNIT_LLR
        adjusted = add_log_odds(s, llr)
        detail = json.loads(why or "{}")
        detail["unit_epithet"] = {
            "unit": unit,
            "part": part,
            "persons_in_unit": carried_by,
            "llr": llr,
        }
        keep(adjusted, strict_json.dumps(detail))
    return scored.with_columns(
        pl.Series("score", scores, dtype=pl.Float64), pl.Series("reasons", reasons, dtype=pl.Utf8)
    )


def _uplink(
    a: int,
    b: int,
    full: dict[int, bool],
    units: dict,
    above: dict,
    part_keys: dict,
    carriers: dict[tuple[str, str], set[int]],
) -> tuple[str, str] | None:
    """(unit, part) when one record is bare, no one in its own units carries the shared epithet, and
    exactly one resolved person in a unit above it does — the other record being his (the pairs of
    :func:`cellmap.resolve.candidates.uplink_pairs`: the sector head "Abu Yasin" named in a cell's report)."""
    if full.get(a, False) == full.get(b, False):
        return None
    bare, carrier = (a, b) if not full.get(a, False) else (b, a)
    for part in sorted(part_keys.get(bare, set()) & part_keys.get(carrier, set())):
        if any((unit, part) in carriers for unit in units.get(bare, ())):
            continue
        for unit in sorted(above.get(bare, set()) & units.get(carrier, set())):
            if len(carriers.get((unit, part), ())) == 1:
                return unit, part
    return None
