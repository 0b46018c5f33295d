"""Name-part features (feature set ``parts-v1``): part similarity, alignment, name features.

Two analysed names (:mod:`cellmap.resolve.names`) are aligned part by part: the similarity of two
parts is the normalised Levenshtein similarity of their fold keys (of their consonant skeletons
when one side is Arabic script), damped when the tags disagree (a kunya is not an ism); pairs are
taken greedily, best first (a 1/2-approximation of the maximum-weight matching, exact for the
short names met here). From the alignment come the features of :data:`FEATURES` — weighted
coverage of each side, the weakest matched part, whole-string similarities, and the tag-aware
evidence: a shared nisba alone is weak (nisba weight < 1), a clash of two nisbas is negative, a
shared kunya plus ism is strong. Levenshtein (1966); Jaro–Winkler (Winkler 1990).

Every function that compares parts takes ``sim``, the scorer's cached :func:`part_similarity`
(``sim(p, q, cross_script) -> float``): the cache lives in the scorer, not here.

Cost: O(m·n·k) for names of m and n parts of length ≤ k; independent of the store size.
Example: ``name_features(analyse_name("Usama bin Ladin"), analyse_name("Osama bin Laden"), sim)``
gives ``same_key == 1.0`` (the fold keys agree part for part).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler, Levenshtein

from cellmap.resolve.names import AnalysedName, NamePart, skeleton, tokens

PartSimilarity = Callable[[NamePart, NamePart, bool], float]

_DIGITS = re.compile(r"\d+")

FEATURES = (
    "cov_min",
    "cov_max",
    "weakest_match",
    "concat_sorted",
    "concat_ordered",
    "skeleton_sorted",
    "nisba_conflict",
    "kunya_agree",
    "kunya_conflict",
    "ism_sim",
    "last_sim",
    "unmatched_short",
    "order_swapped",
    "parts_diff",
    "same_key",
    "same_text",
    "cross_script",
    "single_part",
    "raw_jaro_winkler",
    "number_mismatch",
    "worst_part",
    "tag_swaps",
    "unmatched_count",
    "mean_match",
    "matched_parts",
    "bare_kunya_or_laqab",
)

TAG_WEIGHT = {
    "title": 0.1,
    "initial": 0.5,
    "nisba": 0.7,
    "kunya": 1.0,
    "ism": 1.0,
    "nasab": 0.9,
    "laqab": 0.8,
    "family": 1.0,
    "name": 1.0,
}
PART_AGREE = 0.85  # part similarity at which two parts are read as one name
MATCH_FLOOR = 0.6  # part similarity below this counts as unmatched


def part_similarity(p: NamePart, q: NamePart, cross_script: bool) -> float:
    """Similarity of two parts in [0, 1]; see the module docstring. Pure: the scorer caches it by
    the parts' signatures."""
    # reads only what NamePart.signature names (names.SIMILARITY_TAGS, key, skeleton, first letter): the
    # scorer's cache is keyed by it
    if p.tag == "initial" or q.tag == "initial":
        other = q if p.tag == "initial" else p
        return 0.9 if p.text[:1] == q.text[:1] and other.tag != "title" else 0.0
    if cross_script:
        # Arabic script drops an initial ʿayn (ʿAdnan → dnn) and writes initial ya/waw as vowels
        # (يوسف → asf): compare the skeletons also without their leading vowel or semivowel
        # — and Latin drops a final h after a vowel (Abdallah ~ Abdalla), also where Arabic writes ح (صالح, Saleh)
        bare_p, bare_q = p.skeleton.lstrip("ayw"), q.skeleton.lstrip("ayw")
        sim = Levenshtein.normalized_similarity(p.skeleton, q.skeleton)
        if bare_p and bare_q:
            sim = max(sim, Levenshtein.normalized_similarity(bare_p, bare_q))
        if min(len(p.skeleton), len(q.skeleton)) >= 2 and (p.skeleton[-1] == "h") != (
            q.skeleton[-1] == "h"
        ):
            sim = max(
                sim,
                Levenshtein.normalized_similarity(p.skeleton.rstrip("h"), q.skeleton.rstrip("h")),
            )
    else:
        # a short skeleton (Muath ~ Muadh: "md", Thiya ~ Dhiya: "d") says little unless equal and the keys are
        # as long: they then differ only in letters the skeleton merges (t/d); Zaid ~ Ziyad ("dd") differ by a letter
        short_equal = (
            0.9 if p.skeleton and p.skeleton == q.skeleton and len(p.key) == len(q.key) else 0.0
        )
        sim = max(
            Levenshtein.normalized_similarity(p.key, q.key),
            0.95 * Levenshtein.normalized_similarity(p.skeleton, q.skeleton)
            if len(p.skeleton) > 2
            else short_equal,
        )
    if (p.tag == "kunya") != (q.tag == "kunya") or (p.tag == "title") != (q.tag == "title"):
        sim *= 0.7
    return sim


@dataclass
class Alignment:
    pairs: list[tuple[int, int, float]] = field(
        default_factory=list
    )  # (index in a, index in b, sim)
    unmatched_a: list[int] = field(default_factory=list)
    unmatched_b: list[int] = field(default_factory=list)


def similarity_matrix(a: AnalysedName, b: AnalysedName, sim: PartSimilarity) -> list[list[float]]:
    """Part-by-part similarities (rows: parts of a, columns: parts of b). O(m·n·k)."""
    cross = a.arabic_script != b.arabic_script
    return [[sim(p, q, cross) for q in b.parts] for p in a.parts]


def align(a: AnalysedName, b: AnalysedName, sims: list[list[float]]) -> Alignment:
    """Greedy best-first one-to-one alignment of the parts of two names. O(m·n·log(m·n))."""
    cells = []
    for i, p in enumerate(a.parts):
        for j, q in enumerate(b.parts):
            sim = sims[i][j]
            if sim >= MATCH_FLOOR:
                # prefer same-tag pairs and in-order pairs on ties
                cells.append((sim, p.tag == q.tag, -abs(i - j), i, j))
    cells.sort(reverse=True)
    used_a, used_b = set(), set()
    out = Alignment()
    for sim, _, _, i, j in cells:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out.pairs.append((i, j, sim))
    out.unmatched_a = [i for i in range(len(a.parts)) if i not in used_a]
    out.unmatched_b = [j for j in range(len(b.parts)) if j not in used_b]
    return out


def _coverage(
    parts: tuple[NamePart, ...], matched: dict[int, float], weights: dict[str, float]
) -> float:
    total = sum(weights.get(p.tag, 1.0) for p in parts)
    if total == 0:
        return 0.0
    return sum(weights.get(parts[i].tag, 1.0) * s for i, s in matched.items()) / total


def _best_tag_sim(
    a: AnalysedName, b: AnalysedName, tag: str, sims: list[list[float]]
) -> float | None:
    rows = [i for i, p in enumerate(a.parts) if p.tag == tag]
    cols = [j for j, q in enumerate(b.parts) if q.tag == tag]
    if not rows or not cols:
        return None
    return max(sims[i][j] for i in rows for j in cols)


@lru_cache(maxsize=200_000)
def _plain(original: str) -> str:
    return " ".join(tokens(original))


def _discordance(pairs: list[tuple[int, int, float]]) -> float:
    """Share of discordant matched pairs (Kendall): 1 when the order of parts is reversed."""
    n = len(pairs)
    if n < 2:
        return 0.0
    bad = sum(
        1
        for x in range(n)
        for y in range(x + 1, n)
        if (pairs[x][0] - pairs[y][0]) * (pairs[x][1] - pairs[y][1]) < 0
    )
    return bad / (n * (n - 1) / 2)


def _merge_split(a: AnalysedName, b: AnalysedName) -> tuple[AnalysedName, AnalysedName]:
    """Join two adjacent parts of one name when together they spell one part of the other
    (MOHAMMADHASNI ~ MOHAMMAD HASNI, Patr ushev ~ Patrushev): word joining and splitting are
    frequent list errors. Fold keys are compared (normalised Levenshtein ≥ 0.9). O(m·n)."""

    def merge(x: AnalysedName, y: AnalysedName) -> AnalysedName:
        parts = list(x.parts)
        targets = [q.key for q in y.parts if len(q.key) >= 5]
        i = 0
        while i < len(parts) - 1 and targets:
            p, q = parts[i], parts[i + 1]
            joined = p.key + q.key
            if (
                p.tag != "title"
                and q.tag != "title"
                and any(Levenshtein.normalized_similarity(joined, t) >= 0.9 for t in targets)
            ):
                parts[i : i + 2] = [
                    NamePart(
                        text=f"{p.text}{q.text}", tag=p.tag, key=joined, skeleton=skeleton(joined)
                    )
                ]
                continue
            i += 1
        if len(parts) == len(x.parts):
            return x
        return AnalysedName(original=x.original, parts=tuple(parts), arabic_script=x.arabic_script)

    if a.arabic_script != b.arabic_script:
        return a, b
    return merge(a, b), merge(b, a)


@dataclass
class Aligned:
    """Two names after word joining (:func:`_merge_split`), their part similarities and alignment."""

    a: AnalysedName
    b: AnalysedName
    sims: list[list[float]]
    alignment: Alignment


def aligned(a: AnalysedName, b: AnalysedName, sim: PartSimilarity) -> Aligned:
    a, b = _merge_split(a, b)
    sims = similarity_matrix(a, b, sim)
    return Aligned(a, b, sims, align(a, b, sims))


def name_features(
    a: AnalysedName,
    b: AnalysedName,
    sim: PartSimilarity,
    person: bool = True,
    done: Aligned | None = None,
) -> dict[str, float]:
    """The features of :data:`FEATURES` for two analysed names, each in [0, 1] (``done``: their
    alignment when the caller has it already)."""
    weights = TAG_WEIGHT if person else {}
    cross = a.arabic_script != b.arabic_script
    feats = dict.fromkeys(FEATURES, 0.0)
    if not a.parts or not b.parts:
        return feats
    done = done or aligned(a, b, sim)
    a, b, sims, al = done.a, done.b, done.sims, done.alignment
    ma = {i: s for i, _, s in al.pairs}
    mb = {j: s for _, j, s in al.pairs}
    cov_a, cov_b = _coverage(a.parts, ma, weights), _coverage(b.parts, mb, weights)
    feats["cov_min"], feats["cov_max"] = min(cov_a, cov_b), max(cov_a, cov_b)
    core_pairs = [s for i, j, s in al.pairs if a.parts[i].tag != "title"]
    feats["weakest_match"] = min(core_pairs) if core_pairs else 0.0
    keys_a = [p.key for p in a.parts if p.tag != "title"]
    keys_b = [p.key for p in b.parts if p.tag != "title"]
    if cross:
        keys_a = [p.skeleton for p in a.parts if p.tag != "title"]
        keys_b = [p.skeleton for p in b.parts if p.tag != "title"]
    feats["concat_sorted"] = Levenshtein.normalized_similarity(
        "".join(sorted(keys_a)), "".join(sorted(keys_b))
    )
    feats["concat_ordered"] = Levenshtein.normalized_similarity("".join(keys_a), "".join(keys_b))
    sk_a = "".join(sorted(p.skeleton for p in a.parts if p.tag != "title"))
    sk_b = "".join(sorted(p.skeleton for p in b.parts if p.tag != "title"))
    feats["skeleton_sorted"] = Levenshtein.normalized_similarity(sk_a, sk_b)
    if person:
        nisba = _best_tag_sim(a, b, "nisba", sims)
        feats["nisba_conflict"] = 1.0 if nisba is not None and nisba < PART_AGREE else 0.0
        kunya = _best_tag_sim(a, b, "kunya", sims)
        feats["kunya_agree"] = 1.0 if kunya is not None and kunya >= 0.85 else 0.0
        feats["kunya_conflict"] = 1.0 if kunya is not None and kunya < 0.85 else 0.0
        ism = _best_tag_sim(a, b, "ism", sims)
        feats["ism_sim"] = 0.5 if ism is None else ism
    core_a = [p for p in a.parts if p.tag != "title"]
    core_b = [p for p in b.parts if p.tag != "title"]
    idx_a = [i for i, p in enumerate(a.parts) if p.tag != "title"]
    idx_b = [j for j, q in enumerate(b.parts) if q.tag != "title"]
    if idx_a and idx_b:
        feats["last_sim"] = sims[idx_a[-1]][idx_b[-1]]
    short, unmatched = (a, al.unmatched_a) if len(core_a) <= len(core_b) else (b, al.unmatched_b)
    n_short = sum(1 for p in short.parts if p.tag != "title") or 1
    feats["unmatched_short"] = sum(1 for i in unmatched if short.parts[i].tag != "title") / n_short
    feats["order_swapped"] = _discordance(sorted(al.pairs))
    feats["parts_diff"] = abs(len(core_a) - len(core_b)) / max(len(core_a), len(core_b), 1)
    feats["same_key"] = 1.0 if sorted(keys_a) == sorted(keys_b) else 0.0
    raw_a, raw_b = _plain(a.original), _plain(b.original)
    feats["same_text"] = 1.0 if raw_a == raw_b else 0.0
    feats["cross_script"] = 1.0 if cross else 0.0
    feats["single_part"] = 1.0 if min(len(core_a), len(core_b)) <= 1 else 0.0
    feats["raw_jaro_winkler"] = JaroWinkler.similarity(raw_a, raw_b)
    # the worst-explained part of either name: one clashing surname or father's name is enough
    # to tell two people apart, however well the rest agrees
    best_a = [max((sims[i][j] for j in idx_b), default=0.0) for i in idx_a]
    best_b = [max((sims[i][j] for i in idx_a), default=0.0) for j in idx_b]
    feats["worst_part"] = min(best_a + best_b, default=0.0)
    role = {"ism": "ism", "kunya": "kunya", "nasab": "nasab"}
    swaps = sum(
        1
        for i, j, _ in al.pairs
        if a.parts[i].tag in role and b.parts[j].tag in role and a.parts[i].tag != b.parts[j].tag
    )
    feats["tag_swaps"] = swaps / max(len(al.pairs), 1) if person else 0.0
    unmatched_core = [i for i in al.unmatched_a if a.parts[i].tag != "title"]
    unmatched_core += [j for j in al.unmatched_b if b.parts[j].tag != "title"]
    feats["unmatched_count"] = min(len(unmatched_core), 3) / 3
    feats["mean_match"] = sum(core_pairs) / len(core_pairs) if core_pairs else 0.0
    # how much identifying information agrees: three agreeing parts say more than one
    feats["matched_parts"] = min(len(core_pairs), 4) / 4
    # a kunya or laqab alone is shared by many people (Abu Yusuf, al-Shaykh)
    bare = lambda parts: len(parts) == 1 and parts[0].tag in ("kunya", "laqab", "family", "nisba")  # noqa: E731
    feats["bare_kunya_or_laqab"] = 1.0 if (bare(core_a) or bare(core_b)) and person else 0.0
    nums_a, nums_b = set(_DIGITS.findall(a.original)), set(_DIGITS.findall(b.original))
    feats["number_mismatch"] = 1.0 if nums_a != nums_b else 0.0
    return feats
