"""Name features for ranking a list's persons (feature set ``names-v2``): the ``names-v1`` features
plus evidence read from how real lists write names.

An error analysis of the listwise alias model (names-v2 matcher) on the OFAC fit part found its
remaining misses among aliases that keep a rare surname and respell the given names
(``VAZIRI, Ahmed`` ~ ``VAZIRI, Hossein Nosratollah``, beaten by ``AL-DIB, Ahmed``), or that
respell a name in another romanisation. The features added to :mod:`.real_names`:

- ``soft_tfidf``: soft TF-IDF (Cohen, Ravikumar & Fienberg, "A comparison of string distance
  metrics for name-matching tasks", IIWeb 2003): Σ V(p)·V(q)·sim(p, q) over the aligned part pairs
  with sim ≥ :data:`SOFT_THETA`, V the part's idf (:func:`.real_names.idf`) over the name's
  Euclidean norm — a cosine of idf vectors where close parts count as equal;
- ``gram_cos``: cosine of the names' character-trigram TF-IDF vectors (the padded trigrams of the
  parts' fold keys; a trigram's document frequency is the sum of the reference part counts of the
  keys holding it, capped at the number of names) — robust to word splitting and respelling;
- ``given_agree_last_differs`` / ``last_agree_only``: the given names (all parts but the last)
  agree and the last part does not, or the reverse;
- ``metaphone_cov``: the share of each name's parts whose Metaphone code (Philips 1990, rigour's
  implementation) is among the other's, the smaller of the two — another romanisation of one sound;
- ``max_matched_idf``: the rarest agreeing part (idf / 10, capped at 1);
- ``query_cov_idf``: the idf-weighted coverage of the *first* name's parts (the query's, in search);
- ``surname_agree_idf`` / ``surname_conflict``: both names written "SURNAME, Given": the rarest
  agreeing part of the surnames (idf / 10), or 1 when no surname part agrees;
- ``given_agree_idf``: Σ idf of the given-name parts (after the comma) that agree, / 15, capped;
- ``near_miss_idf``: the rarest part that resembles a part of the other name without agreeing
  (0.6 ≤ sim < 0.85: Vaziri ~ Vazirani) — two similar rare names are often two people.

Cost: O(m·n·k) per pair as :mod:`.name_parts`, plus O(trigrams) for the cosine.
Example: "KURCHENKO, Sergei" against "KURCHENKO, Sergey Vitalievich" gives ``surname_agree_idf``
0.65 and ``surname_conflict`` 0; "VAZIRI, Ahmed" against "VAZIRANI, Ahmed" ``surname_conflict`` 1
and ``near_miss_idf`` 0.88.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from rigour.text.phonetics import metaphone

from cellmap.resolve.features import name_parts
from cellmap.resolve.features.real_names import idf, part_counts, real_name_features
from cellmap.resolve.names import AnalysedName, NamePart, grams

EXTRA = (
    "soft_tfidf",
    "gram_cos",
    "given_agree_last_differs",
    "last_agree_only",
    "metaphone_cov",
    "max_matched_idf",
    "query_cov_idf",
    "surname_agree_idf",
    "surname_conflict",
    "given_agree_idf",
    "near_miss_idf",
)
SOFT_THETA = 0.8  # part similarity from which soft TF-IDF counts two parts as one term
NEAR_MISS = 0.6  # = name_parts.MATCH_FLOOR: below it two parts are simply different

Analyse = Callable[[str], AnalysedName]


def _features() -> tuple[str, ...]:
    from cellmap.resolve.features.real_names import FEATURES as NAMES_V1

    return NAMES_V1 + EXTRA


FEATURES = _features()


@lru_cache(maxsize=1)
def gram_df() -> tuple[dict[str, int], int]:
    """(trigram -> reference document frequency, number of names); see the module docstring."""
    counts, total = part_counts()
    df: Counter = Counter()
    for key, n in counts.items():
        for gram in grams(key):
            df[gram] += n
    return dict(df), total


@lru_cache(maxsize=200_000)
def gram_vector(keys: tuple[str, ...]) -> dict[str, float]:
    """Unit-length trigram TF-IDF vector of a name's part keys (a pure function: memoised)."""
    df, total = gram_df()
    tf = Counter(g for key in keys for g in grams(key))
    vec = {g: c * math.log(1 + total / min(df.get(g, 0.5), total)) for g, c in tf.items()}
    norm = math.sqrt(sum(x * x for x in vec.values())) or 1.0
    return {g: x / norm for g, x in vec.items()}


@lru_cache(maxsize=200_000)
def _metaphone(text: str) -> str:
    return metaphone(text.replace("-", ""))


def _core(parts: tuple[NamePart, ...]) -> list[int]:
    return [i for i, p in enumerate(parts) if p.tag != "title"]


def _best_sims(
    a: AnalysedName, b: AnalysedName, sim: name_parts.PartSimilarity
) -> list[tuple[NamePart, float]]:
    """Each identifying part of ``a`` with its best similarity to a part of ``b``."""
    cross = a.arabic_script != b.arabic_script
    others = [b.parts[j] for j in _core(b.parts)]
    return [
        (a.parts[i], max((sim(a.parts[i], q, cross) for q in others), default=0.0))
        for i in _core(a.parts)
    ]


def _surname_given(
    name: AnalysedName, analyse: Analyse
) -> tuple[AnalysedName | None, AnalysedName]:
    """The surname (before the comma) and the given names of a name written "SURNAME, Given";
    (None, the name) without a comma."""
    if "," not in name.original:
        return None, name
    surname, given = name.original.split(",", 1)
    return analyse(surname), analyse(given)


def list_name_features(
    a: AnalysedName,
    b: AnalysedName,
    sim: name_parts.PartSimilarity,
    analyse: Analyse,
    person: bool = True,
    done: name_parts.Aligned | None = None,
) -> dict[str, float]:
    """The features of :data:`FEATURES`; ``analyse`` is the scorer's cached name analysis (for the
    surname and the given names of a "SURNAME, Given" name); ``done``: the names' alignment when
    the caller has it."""
    if not a.parts or not b.parts:
        return dict.fromkeys(FEATURES, 0.0)
    done = done or name_parts.aligned(a, b, sim)
    feats = real_name_features(a, b, sim, person, done)
    feats.update(dict.fromkeys(EXTRA, 0.0))
    left, right, alignment = done.a, done.b, done.alignment
    core_a, core_b = _core(left.parts), _core(right.parts)
    idf_a = {i: idf(left.parts[i].key) for i in core_a}
    idf_b = {j: idf(right.parts[j].key) for j in core_b}
    pairs = [(i, j, s) for i, j, s in alignment.pairs if i in idf_a and j in idf_b]
    norm_a = math.sqrt(sum(x * x for x in idf_a.values())) or 1.0
    norm_b = math.sqrt(sum(x * x for x in idf_b.values())) or 1.0
    feats["soft_tfidf"] = min(
        1.0, sum(idf_a[i] / norm_a * idf_b[j] / norm_b * s for i, j, s in pairs if s >= SOFT_THETA)
    )
    # the names as analysed, before word joining: the trigrams already bridge a split word
    vec_a = gram_vector(tuple(a.parts[i].key for i in _core(a.parts)))
    vec_b = gram_vector(tuple(b.parts[j].key for j in _core(b.parts)))
    feats["gram_cos"] = sum(x * vec_b.get(g, 0.0) for g, x in vec_a.items())
    agree = name_parts.PART_AGREE
    if core_a and core_b:
        last_a, last_b = core_a[-1], core_b[-1]
        last_ok = any(i == last_a and j == last_b and s >= agree for i, j, s in pairs)
        given = [
            (i, j) for i, j, s in pairs if i in core_a[:-1] and j in core_b[:-1] and s >= agree
        ]
        shorter = min(len(core_a), len(core_b)) - 1
        feats["given_agree_last_differs"] = (
            1.0 if shorter and len(given) >= shorter and not last_ok else 0.0
        )
        feats["last_agree_only"] = 1.0 if last_ok and not given else 0.0
    codes_a = [_metaphone(left.parts[i].text) for i in core_a]
    codes_b = [_metaphone(right.parts[j].text) for j in core_b]
    if codes_a and codes_b:
        set_a, set_b = {c for c in codes_a if c}, {c for c in codes_b if c}
        feats["metaphone_cov"] = min(
            sum(c in set_b for c in codes_a) / len(codes_a),
            sum(c in set_a for c in codes_b) / len(codes_b),
        )
    agreeing = [min(idf_a[i], idf_b[j]) for i, j, s in pairs if s >= agree]
    feats["max_matched_idf"] = min(max(agreeing, default=0.0) / 10, 1.0)
    got = sum(min(idf_a[i], idf_b[j]) * s for i, j, s in pairs)
    feats["query_cov_idf"] = got / sum(idf_a.values()) if idf_a else 0.0
    surname_a, given_a = _surname_given(a, analyse)
    surname_b, given_b = _surname_given(b, analyse)
    if surname_a is not None and surname_b is not None and surname_a.parts and surname_b.parts:
        found = [idf(p.key) for p, s in _best_sims(surname_a, surname_b, sim) if s >= agree]
        feats["surname_agree_idf"] = min(max(found, default=0.0) / 10, 1.0)
        feats["surname_conflict"] = 0.0 if found else 1.0
    if given_a.parts and given_b.parts:
        found = [idf(p.key) for p, s in _best_sims(given_a, given_b, sim) if s >= agree]
        feats["given_agree_idf"] = min(sum(found) / 15, 1.0)
    near = [
        idf(p.key)
        for x, y in ((a, b), (b, a))
        for p, s in _best_sims(x, y, sim)
        if NEAR_MISS <= s < agree
    ]
    feats["near_miss_idf"] = min(max(near, default=0.0) / 10, 1.0)
    return feats
