"""The brief's words for likelihood and confidence, read from `cellmap/schema/brief.yaml`.

Likelihood: the ICD 203 expressions of likelihood (ODNI, Intelligence Community Directive 203,
2015, D.6.e(2)(a)): a probability maps to the row whose range holds it. Confidence: the level whose
share of supporting statements at or above its Admiralty grade is reached (the rule is data in the
YAML file). Both O(1) per judgement (O(s) for s statements).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from cellmap.model import Grade, schema_file


@cache
def yardstick() -> dict:
    return schema_file("brief.yaml")


def likelihood(probability: float) -> str:
    """The ICD 203 expression for `probability` (0–1), e.g. 0.89 → 'very likely'.

    >>> likelihood(0.5), likelihood(0.9), likelihood(0.999)
    ('roughly even chance', 'very likely', 'almost certain')
    """
    scale = yardstick()["likelihood"]["scale"]
    for row in scale:
        if probability < row["high"]:
            return row["words"][0]
    return scale[-1]["words"][0]


def likelihood_range(word: str) -> str:
    """The probability range a word stands for, e.g. 'very likely' → '80–95%'."""
    for row in yardstick()["likelihood"]["scale"]:
        if word in row["words"]:
            return f"{row['low'] * 100:.0f}–{row['high'] * 100:.0f}%"
    raise KeyError(word)


def confidence(grades: Iterable[str | None]) -> str:
    """Confidence in the sources of a judgement from its statements' grades ('high', 'moderate',
    'low'); 'low' when there is none."""
    parsed = [Grade.parse(g) for g in grades if g]
    if not parsed:
        return "low"
    for row in yardstick()["confidence"]["levels"]:
        share = sum(g.meets(row["grade"]) for g in parsed) / len(parsed)
        if share >= row["share"]:
            return row["level"]
    return "low"


def confidence_rule() -> str:
    """The confidence rule in words, for the brief's method note."""
    rows = yardstick()["confidence"]["levels"]
    return (
        "; ".join(
            f"{r['level']}: at least {r['share']:.0%} of its statements graded {r['grade']} or better"
            for r in rows
            if r["share"] > 0
        )
        + "; low otherwise"
    )
