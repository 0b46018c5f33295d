"""Collective evidence for bare kunyas and laqabs: is the name part unique within the unit?

A report that names a man only "Abu Majid" or "al-Hajji" cannot be resolved by the name alone —
several fictional persons share a kunya — but an analyst reads it in its unit: if among the
*persons* known by full name in that cell exactly one carries the kunya "Abu Majid", the bare
record most likely denotes him. This is collective entity resolution (Bhattacharya & Getoor,
"Collective entity resolution in relational data", ACM TKDD 1(1), 2007): first resolve the
records that carry a full name (ism + father's name, nisba or family name) among themselves with
a high threshold, then count, per (unit, name-part skeleton), the distinct resolved full-name
persons carrying that part (over all their names and aliases). A pair that shares such a
(unit, part) with count 1 gets ``UNIQUE_IN_UNIT_LLR`` added to its logit; a count ≥ 2 is
ambiguity and adds ``AMBIGUOUS_IN_UNIT_LLR`` (0; the reasons still say how many persons carry it,
for the analyst's review). The pair's rarest shared (unit, part) decides. The part must appear on both records; the unit on both records.

Cost: O(P) for the first-pass clustering of P scored pairs (greedy, see
:func:`cellmap.resolve.clustering.constrained_accept`), O(N·k·u) (unit, part) rows for N records
of k parts in u units, and O(P·k·u) for the pair look-ups.
"""
from __future__ import annotations

import datetime as dt
import json
import math

import polars as pl

from cellmap.resolve.clustering import constrained_accept
from cellmap.resolve.score import attribute_weights, dates_of, periods_of

UNIQUE_IN_UNIT_LLR = 3.0  # tuned on scenarios with seeds 1 and 2 only (never the demo seed)
AMBIGUOUS_IN_UNIT_LLR = 0.0  # two or more persons of the unit carry it: no evidence either way (a penalty
# of -1 or -2 lost more recall than it gained precision on seeds 1 and 2)
FULL_NAME_THRESHOLD = 0.7  # first pass: only confident merges of full-name records


def _units(value) -> set[str]:
    return {u for u in str(value or "").split(";") if u}


def unique_in_unit(records: pl.DataFrame, scored: pl.DataFrame, part_keys: dict[int, set[str]],
                   full: dict[int, bool]) -> pl.DataFrame:
    """``scored`` with the unit-uniqueness log-odds added to ``score`` (and named in ``reasons``).

    ``part_keys`` maps record id → skeletons of its kunyas and bare laqabs
    (:func:`cellmap.resolve.candidates.epithet_keys`);
    ``full`` maps record id → whether it carries a full name.
    """
    if scored.is_empty() or "unit" not in records.columns:
        return scored
    units = {r: _units(u) for r, u in zip(records["record_id"].to_list(), records["unit"].to_list())}
    both_full = scored.filter(pl.Series([full.get(a, False) and full.get(b, False) for a, b in
                                         zip(scored["left_id"].to_list(), scored["right_id"].to_list())]))
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
    active = dict(zip(records["record_id"].to_list(), records["active"].to_list())) if "active" in records.columns else {}
    seen = dict(zip(records["record_id"].to_list(), records["seen"].to_list())) if "seen" in records.columns else {}
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
        return not spans or not days or any(
            start - slack <= day and (end is None or day <= end + slack) for start, end in spans for day in days)
    scores, reasons = [], []
    clash = scored["nisbas_clash"].to_list() if "nisbas_clash" in scored.columns else [False] * scored.height
    for (a, b, s, why), nisbas_differ in zip(scored.select("left_id", "right_id", "score", "reasons").iter_rows(), clash):
        # a full name, or a kunya whose nisba is not the carrier's, is no bare epithet of his
        if full.get(a, False) and full.get(b, False) or nisbas_differ:
            scores.append(s), reasons.append(why)
            continue
        shared = [(u, p) for u in units.get(a, set()) & units.get(b, set())
                  for p in part_keys.get(a, set()) & part_keys.get(b, set()) if (u, p) in carriers]
        if not shared:
            scores.append(s), reasons.append(why)
            continue
        # the carriers who could be this bare record: those active when it was seen acting
        days = [d for rid in (a, b) if not full.get(rid, False) for d in dates_of(seen.get(rid))]
        candidates = {key: [c for c in carriers[key] if active_at(c, days)] for key in shared}
        unit, part = min(shared, key=lambda key: (len(candidates[key]) or len(carriers[key]) + 1, key))
        carried_by = len(candidates[(unit, part)])
        if carried_by == 0:
            scores.append(s), reasons.append(why)
            continue
        llr = UNIQUE_IN_UNIT_LLR if carried_by == 1 else AMBIGUOUS_IN_UNIT_LLR
        s = min(max(s, 1e-9), 1 - 1e-9)
        adjusted = 1.0 / (1.0 + math.exp(-(math.log(s / (1 - s)) + llr)))
        detail = json.loads(why or "{}")
        detail["unit_epithet"] = {"unit": unit, "part": part, "persons_in_unit": carried_by, "llr": llr}
        scores.append(adjusted), reasons.append(json.dumps(detail))
    return scored.with_columns(pl.Series("score", scores, dtype=pl.Float64),
                               pl.Series("reasons", reasons, dtype=pl.Utf8))


def unique_above(scored: pl.DataFrame) -> pl.DataFrame:
    """``scored`` with ``UNIQUE_IN_UNIT_LLR`` added to the pairs proposed by
    :func:`cellmap.resolve.candidates.uplink_pairs` whose epithet exactly one person above the bare
    record's cell carries (column ``uplink_carriers``; reasons ``uplink_epithet``). O(P)."""
    scores, reasons = [], []
    for s, why, carriers in scored.select("score", "reasons", "uplink_carriers").iter_rows():
        if carriers != 1:
            scores.append(s), reasons.append(why)
            continue
        s = min(max(s, 1e-9), 1 - 1e-9)
        scores.append(1.0 / (1.0 + math.exp(-(math.log(s / (1 - s)) + UNIQUE_IN_UNIT_LLR))))
        detail = json.loads(why or "{}")
        detail["uplink_epithet"] = {"persons_above": 1, "persons_in_unit": 0, "llr": UNIQUE_IN_UNIT_LLR}
        reasons.append(json.dumps(detail))
    return scored.with_columns(pl.Series("score", scores, dtype=pl.Float64),
                               pl.Series("reasons", reasons, dtype=pl.Utf8))
