"""Pair scores for names and records, with their reasons.

Name score
----------
Two analysed names (:mod:`cellmap.resolve.names`) are aligned part by part: the similarity of two
parts is the normalised Levenshtein similarity of their fold keys (of their consonant skeletons
when one side is Arabic script), damped when the tags disagree (a kunya is not an ism); pairs are
taken greedily, best first (a 1/2-approximation of the maximum-weight matching, exact for the
short names met here). From the alignment come the features of :data:`FEATURES` — weighted
coverage of each side, the weakest matched part, whole-string similarities, and the tag-aware
evidence the issue asks for: a shared nisba alone is weak (nisba weight < 1), a clash of two
nisbas is negative, a shared kunya plus ism is strong.

The features are combined by logistic regression, ``p = 1 / (1 + exp(-(b + w·x)))`` (Cox 1958),
fitted on the training half of the public cases (``cellmap.resolve.train``); coefficients live in
``data/name_model.json`` so they can be read and refitted. Non-person schemas (Organization,
Company, Vessel …) use the same features with every part weighted equally, organisation types
folded by rigour (``Aktiengesellschaft`` = ``AG``), and their own coefficients.

Record attributes (birth date or year, place, nationality, cell, role, identifiers) add the
log-likelihood ratios of ``data/attribute_weights.yaml`` to the logit (Fellegi & Sunter 1969).

Cost: O(m·n·k) for names of m and n parts of length ≤ k; independent of the store size.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml
from rapidfuzz.distance import JaroWinkler, Levenshtein

from cellmap.resolve.names import (
    AnalysedName,
    NamePart,
    analyse_name,
    fold,
    skeleton,
    to_ascii,
    tokens,
)

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
MATCH_FLOOR = 0.6  # part similarity below this counts as unmatched
PERSON_SCHEMAS = frozenset({"person", "Person", "PERSON", ""})
_DIGITS = re.compile(r"\d+")


def _data_text(filename: str) -> str:
    return resources.files("cellmap.resolve").joinpath("data", filename).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def model_coefficients() -> dict[str, dict[str, float]]:
    """{"person": {"bias": b, feature: w, ...}, "generic": {...}} from data/name_model.json."""
    return json.loads(_data_text("name_model.json"))


@lru_cache(maxsize=1)
def attribute_weights() -> dict:
    return yaml.safe_load(_data_text("attribute_weights.yaml"))


def is_person_schema(schema: str | None) -> bool:
    return (schema or "").strip() in PERSON_SCHEMAS


@lru_cache(maxsize=200_000)
def analyse_generic(name: str) -> AnalysedName:
    """Organisation, vessel and other non-person names: every token a plain part, org types folded."""
    from rigour.names import replace_org_types_compare

    text = to_ascii(name or "")
    try:
        text = replace_org_types_compare(text.lower())
    except Exception:  # rigour may reject odd inputs; the plain text still compares
        text = text.lower()
    parts = []
    for tok in tokens(text):
        key = fold(tok)
        if key:
            parts.append(NamePart(text=tok, tag="name", key=key, skeleton=skeleton(key)))
    return AnalysedName(original=name or "", parts=tuple(parts), arabic_script=False)


_ANALYSED: dict[
    str, AnalysedName
] = {}  # filled in bulk by preanalyse(); inherited by forked workers


def analyse_person(name: str) -> AnalysedName:
    found = _ANALYSED.get(name)
    if found is None:
        found = _ANALYSED[name] = analyse_name(name or "")
    return found


def _analyse_many(names: list[str]) -> list[AnalysedName]:
    return [analyse_name(n) for n in names]


def preanalyse(names: list[str], workers: int = 1) -> None:
    """Analyse many person names at once into the shared cache (inherited by forked scoring workers).

    Runs in this process: shipping analysed names back from worker processes costs more than the
    analysis itself (measured 3x slower with 2 workers). ``workers`` is accepted for symmetry."""
    todo = [n for n in dict.fromkeys(names) if n not in _ANALYSED]
    _ANALYSED.update(zip(todo, _analyse_many(todo), strict=False))


_PART_SIMILARITIES: dict[tuple[int, int, bool], float] = {}
_PART_SIMILARITIES_MAX = 4_000_000  # about 0.5 GB; the scenarios met so far need a tenth of it


def part_similarity(p: NamePart, q: NamePart, cross_script: bool) -> float:
    """Similarity of two parts in [0, 1]; see the module docstring. Cached by the parts' signatures:
    name parts repeat (1.5 M part comparisons of 100,000 candidate pairs are 112,000 distinct ones)."""
    cache_key = (p.signature, q.signature, cross_script)
    sim = _PART_SIMILARITIES.get(cache_key)
    if sim is None:
        if len(_PART_SIMILARITIES) >= _PART_SIMILARITIES_MAX:
            _PART_SIMILARITIES.clear()
        sim = _PART_SIMILARITIES[cache_key] = _part_similarity(p, q, cross_script)
    return sim


def _part_similarity(p: NamePart, q: NamePart, cross_script: bool) -> float:
    # reads only what NamePart.signature names (names.SIMILARITY_TAGS, key, skeleton, first letter): the cache
    # above is keyed by it
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


PART_AGREE = 0.85  # part similarity at which two parts are read as one name (as in name_features)


NAME_SLOTS = ("surname", "father", "given", "kunya")


@lru_cache(maxsize=400_000)  # one record meets up to 2·per_record partners: analyse its names once
def name_slots(names: tuple[str, ...]) -> dict[str, tuple[tuple[NamePart, bool], ...]]:
    """The parts that fill each slot of :data:`NAME_SLOTS` over all of a record's names, with whether
    each part was written in Arabic script. O(parts)."""
    out: dict[str, list] = {slot: [] for slot in NAME_SLOTS}
    for name in names:
        analysed = analyse_person(name or "")
        core = [part for part in analysed.parts if part.tag not in ("title", "initial")]
        script = analysed.arabic_script
        # the given name opening a name of two or more parts; a lone word ("Idari", "Dheeb") is a laqab
        # more often than an ism, and the plain word after a kunya ("Abu Uthman Babi") is a nisba
        if (
            len(core) >= 2
            and core[0].tag == "ism"
            and not any(part.tag == "kunya" for part in core)
        ):
            out["given"].append((core[0], script))
        # a nisba written without its article ("Suhayb Zakareeya Jazrawee") is read as a family name; in
        # a two-part name ("Hamza Raed") the last part is the father's name, not a surname
        surname_tags = ("nisba", "family") if len(core) >= 3 else ("nisba",)
        for part in core:
            if part.tag in surname_tags:
                out["surname"].append((part, script))
            elif part.tag == "nasab":
                out["father"].append((part, script))
            elif part.tag == "kunya":
                out["kunya"].append((part, script))
    return {slot: tuple(parts) for slot, parts in out.items()}


def _slots_clash(left: tuple, right: tuple) -> bool:
    return bool(left and right) and not any(
        part_similarity(p, q, ap != bq) >= PART_AGREE for p, ap in left for q, bq in right
    )


def parts_clash(names_a: Sequence[str], names_b: Sequence[str], slot: str = "surname") -> bool:
    """True when both records fill a name slot — ``surname`` (nisba or family name), ``father`` (nasab),
    ``given`` (the ism opening a name) or ``kunya`` — over all their names, and no value of one matches
    any of the other: "Abu Ali al-Zubaydi" is not the cell's "Abu Ali al-Deiri", "Marwan bin Mahmud" not
    "Marwan Ahmad al-Masri". A man may carry several nisbas (al-Husseini al-Qurashi al-Baghdadi): one
    shared value is enough. O(n·m)."""
    return _slots_clash(name_slots(tuple(names_a))[slot], name_slots(tuple(names_b))[slot])


def nisbas_clash(names_a: Sequence[str], names_b: Sequence[str]) -> bool:
    return parts_clash(names_a, names_b, "surname")


@dataclass
class Alignment:
    pairs: list[tuple[int, int, float]] = field(
        default_factory=list
    )  # (index in a, index in b, sim)
    unmatched_a: list[int] = field(default_factory=list)
    unmatched_b: list[int] = field(default_factory=list)


def similarity_matrix(a: AnalysedName, b: AnalysedName) -> list[list[float]]:
    """Part-by-part similarities (rows: parts of a, columns: parts of b). O(m·n·k)."""
    cross = a.arabic_script != b.arabic_script
    return [[part_similarity(p, q, cross) for q in b.parts] for p in a.parts]


def align(a: AnalysedName, b: AnalysedName, sims: list[list[float]] | None = None) -> Alignment:
    """Greedy best-first one-to-one alignment of the parts of two names. O(m·n·log(m·n))."""
    sims = similarity_matrix(a, b) if sims is None else sims
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


def name_features(a: AnalysedName, b: AnalysedName, person: bool = True) -> dict[str, float]:
    """The features of :data:`FEATURES` for two analysed names, each in [0, 1]."""
    weights = TAG_WEIGHT if person else {}
    cross = a.arabic_script != b.arabic_script
    feats = dict.fromkeys(FEATURES, 0.0)
    if not a.parts or not b.parts:
        return feats
    a, b = _merge_split(a, b)
    sims = similarity_matrix(a, b)
    al = align(a, b, sims)
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


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


def logit(p: float) -> float:
    """Log-odds of a score, clamped away from 0 and 1."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def add_log_odds(score: float, llr: float) -> float:
    """A score moved by ``llr`` on the log-odds scale (Fellegi–Sunter evidence is additive there)."""
    return _sigmoid(logit(score) + llr)


@lru_cache(maxsize=8)
def _coefficient_vector(model: str) -> tuple[float, tuple[float, ...]]:
    coef = model_coefficients()[model]
    return coef["bias"], tuple(coef.get(name, 0.0) for name in FEATURES)


def logit_from_features(feats: dict[str, float], model: str) -> float:
    bias, weights = _coefficient_vector(model)
    return bias + sum(w * feats[name] for w, name in zip(weights, FEATURES, strict=False) if w)


@dataclass
class PairScore:
    score: float  # probability-like score in [0, 1]
    name_score: float
    features: dict[str, float]
    attribute_reasons: dict[str, float]  # attribute -> log-odds added
    agree: list[str]  # parts that agree, "abu bakr ~ abou bakr (kunya)"
    differ: list[str]  # parts without a counterpart

    def reasons(self) -> dict:
        return {
            "name_score": round(self.name_score, 4),
            "agree": self.agree,
            "differ": self.differ,
            "attributes": {k: round(v, 3) for k, v in self.attribute_reasons.items()},
            "features": {k: round(v, 3) for k, v in self.features.items() if v},
        }


def _explain(a: AnalysedName, b: AnalysedName) -> tuple[list[str], list[str]]:
    al = align(a, b)
    agree = [
        f"{a.parts[i].text} ~ {b.parts[j].text} ({a.parts[i].tag}, {s:.2f})"
        for i, j, s in sorted(al.pairs)
    ]
    differ = [f"{a.parts[i].text} ({a.parts[i].tag}, left only)" for i in al.unmatched_a]
    differ += [f"{b.parts[j].text} ({b.parts[j].tag}, right only)" for j in al.unmatched_b]
    return agree, differ


def _norm_values(value) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, (list, tuple, set)):
        vals = value
    else:
        vals = str(value).split(";")
    return {
        str(v).strip().lower()
        for v in vals
        if str(v).strip() and str(v).strip().lower() not in ("nan", "none")
    }


def periods_of(value) -> list[tuple[dt.date, dt.date | None]]:
    """Membership periods 'from/to' (open end empty) of a ';'-joined string or a list."""
    return list(_cached_periods(value)) if isinstance(value, str) else _parse_periods(value)


def dates_of(value) -> list[dt.date]:
    """ISO dates of a ';'-joined string or a list; malformed dates are skipped."""
    return list(_cached_dates(value)) if isinstance(value, str) else _parse_dates(value)


@lru_cache(
    maxsize=200_000
)  # a leader's record carries thousands of dates and meets thousands of pairs
def _cached_periods(value: str) -> tuple:
    return tuple(_parse_periods(value))


@lru_cache(maxsize=200_000)
def _cached_dates(value: str) -> tuple:
    return tuple(_parse_dates(value))


_PROFILE_BACKGROUND: dict[
    str, dict[str, float]
] = {}  # attribute -> share of each value over all records


def set_profile_background(attribute: str, values: Sequence[str | None]) -> dict[str, float]:
    """Set the background shares of a ``profile`` attribute (``role=count`` strings) from all records at
    hand — the "any man of this network" side of its log-likelihood ratio. Set before scoring."""
    totals: dict[str, int] = {}
    for value in values:
        for role, count in counts_of(value).items():
            totals[role] = totals.get(role, 0) + count
    grand = sum(totals.values())
    _PROFILE_BACKGROUND[attribute] = (
        {role: n / grand for role, n in totals.items()} if grand else {}
    )
    return _PROFILE_BACKGROUND[attribute]


@lru_cache(maxsize=200_000)
def counts_of(value: str | None) -> dict[str, int]:
    """``{"cell_head": 3, "fighter": 1}`` of a ``cell_head=3;fighter=1`` value; malformed items skipped."""
    out: dict[str, int] = {}
    for item in (value or "").split(";"):
        role, _, count = item.rpartition("=")
        if role and count.isdigit():
            out[role] = out.get(role, 0) + int(count)
    return out


def _profile_log_odds(attribute: str, left: str, right: str, spec: dict) -> float | None:
    """Naive-Bayes log-likelihood ratio that the record with fewer contacts was drawn from the other's
    contact mix rather than from the network's: Σ_r c_s(r)·ln(p_p(r) / bg(r)), the profile p smoothed with
    ``smoothing`` pseudo-contacts from the background bg (Lidstone); no evidence while the profile has
    fewer than ``min_profile`` contacts. Clipped to ±``cap``: contacts of one man are not independent."""
    background = _PROFILE_BACKGROUND.get(attribute)
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


def _parse_periods(value) -> list[tuple[dt.date, dt.date | None]]:
    out = []
    for period in _norm_values(value):
        start, _, end = period.partition("/")
        try:
            out.append(
                (
                    dt.date.fromisoformat(start[:10]),
                    dt.date.fromisoformat(end[:10]) if end else None,
                )
            )
        except ValueError:
            continue  # a malformed period is no evidence
    return out


def _parse_dates(value) -> list[dt.date]:
    out = []
    for day in _norm_values(value):
        try:
            out.append(dt.date.fromisoformat(day[:10]))
        except ValueError:
            continue
    return out


def active_on(
    days: list[dt.date], periods: list[tuple[dt.date, dt.date | None]], slack: dt.timedelta
) -> bool:
    """Whether one of ``days`` falls inside one of the periods (open end: still active), ± ``slack``."""
    return any(
        start - slack <= day and (end is None or day <= end + slack)
        for start, end in periods
        for day in days
    )


def _period_log_odds(left: dict, right: dict, spec: dict) -> float | None:
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


@lru_cache(maxsize=1)
def _attribute_specs() -> tuple[tuple[str, dict, tuple[str, ...]], ...]:
    """(name, spec, the record keys it reads) for each attribute of data/attribute_weights.yaml."""
    out = []
    for attr, spec in attribute_weights()["attributes"].items():
        if spec.get("kind") == "name_part":
            keys = ("names",)
        elif spec.get("kind") == "period":
            keys = (spec["seen"], spec["period"])
        else:
            keys = (attr, *spec.get("aliases", []))
        out.append((attr, spec, keys))
    return tuple(out)


def attribute_log_odds(left: dict, right: dict) -> dict[str, float]:
    """Log-likelihood ratios of the attributes present on both sides (data/attribute_weights.yaml).

    Dates compare by day when both are full dates, else by year; other attributes compare as
    sets of normalised values (any shared value agrees). O(v) for v values.
    """
    out: dict[str, float] = {}
    slots = None  # the name slots of both records, looked up once for all name_part attributes
    for attr, spec, keys in _attribute_specs():
        if not any(k in left for k in keys) or not any(k in right for k in keys):
            continue  # the attribute is absent on one side: no evidence (the common case, checked cheaply)
        if spec.get("kind") == "name_part":
            if slots is None:
                slots = (
                    name_slots(tuple(left.get("names") or ())),
                    name_slots(tuple(right.get("names") or ())),
                )
            if _slots_clash(slots[0][spec["slot"]], slots[1][spec["slot"]]):
                out[attr] = spec["clash"]
            continue
        if spec.get("kind") == "profile":
            llr = _profile_log_odds(attr, left[attr], right[attr], spec)
            if llr is not None:
                out[attr] = llr
            continue
        if spec.get("kind") == "period":
            llr = _period_log_odds(left, right, spec)
            if llr is not None:
                out[attr] = llr
            continue
        va = set().union(*(_norm_values(left.get(n)) for n in keys))
        vb = set().union(*(_norm_values(right.get(n)) for n in keys))
        if not va or not vb:
            continue
        if spec.get("kind") == "unit" and not va & vb:
            # one record's unit lies inside the other's (a cell of his sector): no contradiction
            above_a, above_b = (
                _norm_values(left.get(spec["above"])),
                _norm_values(right.get(spec["above"])),
            )
            if va & above_b or vb & above_a:
                out[attr] = spec["nested"]
                continue
        if spec.get("kind") == "date":
            full_a = {v[:10] for v in va if len(v) >= 10}
            full_b = {v[:10] for v in vb if len(v) >= 10}
            years_a, years_b = {v[:4] for v in va}, {v[:4] for v in vb}
            if full_a and full_b and full_a & full_b:
                out[attr] = spec["agree_day"]
            elif years_a & years_b:
                out[attr] = (
                    spec["agree_year"] if not (full_a and full_b) else spec["agree_year_differ_day"]
                )
            else:
                gap = min(
                    (
                        abs(int(x) - int(y))
                        for x in years_a
                        for y in years_b
                        if x.isdigit() and y.isdigit()
                    ),
                    default=None,
                )
                out[attr] = (
                    spec["near_year"]
                    if gap is not None and gap <= 2
                    else spec["guessed_year"]
                    if gap is not None
                    and gap <= spec.get("guess_years", 2)
                    and not (full_a and full_b)
                    else spec["disagree"]
                )
        else:
            folded_a = {fold(v) or v for v in va}
            folded_b = {fold(v) or v for v in vb}
            out[attr] = spec["agree"] if folded_a & folded_b else spec["disagree"]
    return out


def combined_score(z_name: float, attrs: dict[str, float]) -> float:
    """Name logit plus attribute log-odds; agreeing correlated attributes add at most ``max_positive``
    (identifiers excepted)."""
    if not attrs:
        return _sigmoid(z_name)
    positive = sum(v for k, v in attrs.items() if v > 0 and k != "identifier")
    cap = attribute_weights().get("max_positive", positive)
    return _sigmoid(
        z_name
        + sum(v for k, v in attrs.items() if v <= 0 or k == "identifier")
        + min(positive, cap)
    )


def score_names(
    name1: str, name2: str, schema: str | None = "Person", model: str = "person"
) -> float:
    """Score in [0, 1] that two names denote the same person (or, for other schemas, the same thing)."""
    return score_pair(name1, name2, schema, model=model).score


def score_pair(
    name1: str,
    name2: str,
    schema: str | None = "Person",
    left: dict | None = None,
    right: dict | None = None,
    explain: bool = False,
    model: str = "person",
) -> PairScore:
    """Score one pair of names with optional attributes (dicts keyed by attribute name).

    ``model`` picks the person coefficients: ``person`` (list screening: a missing name part is
    evidence against) or ``record`` (report records that often omit parts); non-person schemas
    always use ``generic``.
    """
    person = is_person_schema(schema)
    if model not in model_coefficients():
        model = "person"
    analyse = analyse_person if person else analyse_generic
    a, b = analyse(name1 or ""), analyse(name2 or "")
    feats = name_features(a, b, person=person)
    if not a.parts or not b.parts:
        z_name = -8.0  # nothing to compare: no evidence of identity
    else:
        z_name = logit_from_features(feats, model if person else "generic")
    attrs = attribute_log_odds(left or {}, right or {}) if (left and right) else {}
    agree, differ = _explain(a, b) if explain else ([], [])
    return PairScore(
        score=combined_score(z_name, attrs),
        name_score=_sigmoid(z_name),
        features=feats,
        attribute_reasons=attrs,
        agree=agree,
        differ=differ,
    )
