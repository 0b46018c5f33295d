"""Name features for real lists (feature set ``names-v1``): the ``parts-v1`` features plus
token-frequency evidence.

Real lists name many people "Muhammad", "Ali" or "al-Hasan": an agreeing part says as much as it is
rare. Each part's fold key has an inverse document frequency ``idf = ln(1 + N / df)`` (Spärck Jones
1972) from a reference count of name parts (``data/matchers/names-v1.parts.csv``, counted on the
fit part of the OFAC list and of the UN positives only; an unseen part gets ``df = 0.5``). From the
part alignment of :mod:`.name_parts`:

- ``idf_cov_min`` / ``idf_cov_max``: the idf-weighted coverage Σ idf·sim (matched) / Σ idf (all) of
  each side's identifying parts — a missing rare part costs more than a missing "Muhammad";
- ``idf_matched``: the matched evidence Σ idf·sim, scaled by 1/25 and capped at 1;
- ``idf_unmatched``: the rarest part left without a counterpart (idf / 10, capped), either side;
- ``rare_agree``: some part rarer than df ≤ 3 agrees (sim ≥ 0.85);
- ``common_only``: every agreeing part is common (idf < 3) — two men called "Muhammad Ali";
- ``short_covered``: the shorter name's parts all found in the longer one (an alias that drops parts);
- ``no_match``: no identifying part of one name has a counterpart in the other;
- ``contained``: a part left without counterpart is written inside one of the other side's
  (Wole ~ Oluwole, Ahmed ~ Seedahmed: joined or shortened names), at least four letters.

Cost: O(m·n·k) per pair as :mod:`.name_parts`, plus O(m + n) dictionary lookups.
Example: "SHABIB, Ahmad Khalaf Abd" against "AL-DULAYMI, Ahmad Khalaf Shabib": Khalaf and Shabib are
rare, their agreement gives a high ``idf_matched`` although "al-Dulaymi" has no counterpart.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from importlib import resources

from cellmap.resolve.features import name_parts
from cellmap.resolve.names import AnalysedName

EXTRA = (
    "idf_cov_min",
    "idf_cov_max",
    "idf_matched",
    "idf_unmatched",
    "rare_agree",
    "common_only",
    "short_covered",
    "no_match",
    "contained",
)
FEATURES = name_parts.FEATURES + EXTRA
UNSEEN_DF = 0.5
RARE_DF = 3
COMMON_IDF = 3.0


@lru_cache(maxsize=1)
def part_counts() -> tuple[dict[str, int], int]:
    """(fold key -> number of names holding it, number of names) of the reference count."""
    path = resources.files("cellmap.resolve").joinpath("data", "matchers", "names-v1.parts.csv")
    counts: dict[str, int] = {}
    names = 0
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh.read().splitlines()):
            if row["key"] == "":
                names = int(row["names"])
            else:
                counts[row["key"]] = int(row["names"])
    return counts, names


def idf(key: str) -> float:
    counts, total = part_counts()
    return math.log(1 + total / counts.get(key, UNSEEN_DF))


def real_name_features(
    a: AnalysedName,
    b: AnalysedName,
    sim: name_parts.PartSimilarity,
    person: bool = True,
    done: name_parts.Aligned | None = None,
) -> dict[str, float]:
    """The features of :data:`FEATURES` (``done``: the names' alignment when the caller has it)."""
    if not a.parts or not b.parts:
        return dict.fromkeys(FEATURES, 0.0)
    done = done or name_parts.aligned(a, b, sim)
    feats = name_parts.name_features(a, b, sim, person, done)
    feats.update(dict.fromkeys(EXTRA, 0.0))
    a, b, al = done.a, done.b, done.alignment
    core_a = [i for i, p in enumerate(a.parts) if p.tag != "title"]
    core_b = [j for j, q in enumerate(b.parts) if q.tag != "title"]
    idf_a = {i: idf(a.parts[i].key) for i in core_a}
    idf_b = {j: idf(b.parts[j].key) for j in core_b}
    matched = [(i, j, s) for i, j, s in al.pairs if i in idf_a and j in idf_b]
    # a matched pair weighs as its less rare side: a rare spelling of a common name is no rarer
    weight = {(i, j): min(idf_a[i], idf_b[j]) for i, j, _ in matched}
    got_a = sum(weight[(i, j)] * s for i, j, s in matched)
    cov_a = got_a / sum(idf_a.values()) if idf_a else 0.0
    cov_b = got_a / sum(idf_b.values()) if idf_b else 0.0
    cov_a, cov_b = min(cov_a, 1.0), min(cov_b, 1.0)
    feats["idf_cov_min"], feats["idf_cov_max"] = min(cov_a, cov_b), max(cov_a, cov_b)
    feats["idf_matched"] = min(got_a / 25.0, 1.0)
    unmatched = [idf_a[i] for i in al.unmatched_a if i in idf_a]
    unmatched += [idf_b[j] for j in al.unmatched_b if j in idf_b]
    feats["idf_unmatched"] = min(max(unmatched, default=0.0) / 10.0, 1.0)
    counts, _ = part_counts()
    agreeing = [(i, j) for i, j, s in matched if s >= name_parts.PART_AGREE]
    feats["rare_agree"] = (
        1.0
        if any(
            max(counts.get(a.parts[i].key, 0), counts.get(b.parts[j].key, 0)) <= RARE_DF
            for i, j in agreeing
        )
        else 0.0
    )
    feats["common_only"] = (
        1.0 if agreeing and all(weight[(i, j)] < COMMON_IDF for i, j in agreeing) else 0.0
    )
    short_side = al.unmatched_a if len(core_a) <= len(core_b) else al.unmatched_b
    short_core = idf_a if len(core_a) <= len(core_b) else idf_b
    feats["short_covered"] = 1.0 if not [k for k in short_side if k in short_core] else 0.0
    feats["no_match"] = 0.0 if matched else 1.0
    left = [a.parts[i].key for i in al.unmatched_a if i in idf_a]
    right = [b.parts[j].key for j in al.unmatched_b if j in idf_b]
    keys_a = [a.parts[i].key for i in core_a]
    keys_b = [b.parts[j].key for j in core_b]
    feats["contained"] = (
        1.0
        if any(len(k) >= 4 and any(k in o and k != o for o in keys_b) for k in left)
        or any(len(k) >= 4 and any(k in o and k != o for o in keys_a) for k in right)
        else 0.0
    )
    return feats
