"""Pair scores for names and records, with their reasons — the module-level entry points.

The matcher is restructured as nomenklatura's are: a named, versioned matcher
(:mod:`cellmap.resolve.matcher`, ``data/matchers/*.yaml``: features, coefficients, thresholds and
attribute weights together), features in modules of their own (:mod:`cellmap.resolve.features`)
and an explicit scorer holding its caches (:class:`cellmap.resolve.scorer.Scorer`). The functions
here score with :func:`default_scorer` — the default matcher without profile backgrounds, whose
caches are memos of pure functions — for one-off scores (CLI review, ``score-pairs``, benches).
Resolving a store's records builds a :class:`Scorer` with the records' backgrounds instead
(:func:`cellmap.resolve.candidates.score_candidates`).

Name score: logistic regression (Cox 1958) of the name features; record attributes add
Fellegi–Sunter log-likelihood ratios (Fellegi & Sunter 1969). Cost: O(m·n·k) per name pair.
Example: ``score_names("Usama bin Ladin", "Osama bin Laden")`` is about 0.99.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from cellmap.resolve.features.dates import active_on, dates_of, periods_of
from cellmap.resolve.features.name_parts import FEATURES
from cellmap.resolve.features.profile import counts_of
from cellmap.resolve.matcher import DEFAULT_MATCHER, load_matcher
from cellmap.resolve.names import AnalysedName
from cellmap.resolve.scorer import PairScore, Scorer, add_log_odds, is_person_schema, logit

__all__ = [
    "FEATURES",
    "PairScore",
    "Scorer",
    "active_on",
    "add_log_odds",
    "attribute_log_odds",
    "attribute_weights",
    "counts_of",
    "dates_of",
    "default_scorer",
    "is_person_schema",
    "logit",
    "model_coefficients",
    "nisbas_clash",
    "parts_clash",
    "periods_of",
    "score_names",
    "score_pair",
]


@lru_cache(maxsize=8)
def default_scorer(matcher: str = DEFAULT_MATCHER) -> Scorer:
    """One shared scorer per matcher, without profile backgrounds."""
    return Scorer(matcher)


def model_coefficients(matcher: str = DEFAULT_MATCHER) -> dict[str, dict[str, float]]:
    """{"person": {"bias": b, feature: w, ..., "threshold": t}, "record": ..., "generic": ...}."""
    return load_matcher(matcher).models


def attribute_weights(matcher: str = DEFAULT_MATCHER) -> dict:
    """{"max_positive": …, "attributes": {name: spec}} of the matcher."""
    return load_matcher(matcher).attribute_table()


def analyse_person(name: str) -> AnalysedName:
    return default_scorer().analyse_person(name)


def score_pair(
    name1: str,
    name2: str,
    schema: str | None = "Person",
    left: dict | None = None,
    right: dict | None = None,
    explain: bool = False,
    model: str = "person",
) -> PairScore:
    """:meth:`Scorer.score_pair` with the default scorer."""
    return default_scorer().score_pair(name1, name2, schema, left, right, explain, model)


def score_names(
    name1: str, name2: str, schema: str | None = "Person", model: str = "person"
) -> float:
    """Score in [0, 1] that two names denote the same person (or, for other schemas, the same thing)."""
    return default_scorer().score_names(name1, name2, schema, model)


def attribute_log_odds(left: dict, right: dict) -> dict[str, float]:
    """Attribute log-likelihood ratios of the default matcher (no profile background)."""
    return default_scorer().attribute_log_odds(left, right)


def parts_clash(names_a: Sequence[str], names_b: Sequence[str], slot: str = "surname") -> bool:
    """True when both records fill a name slot — ``surname`` (nisba or family name), ``father``
    (nasab), ``given`` (the ism opening a name) or ``kunya`` — and no value of one matches any of
    the other: "Abu Ali al-Zubaydi" is not the cell's "Abu Ali al-Deiri"."""
    return default_scorer().parts_clash(names_a, names_b, slot)


def nisbas_clash(names_a: Sequence[str], names_b: Sequence[str]) -> bool:
    return parts_clash(names_a, names_b, "surname")
