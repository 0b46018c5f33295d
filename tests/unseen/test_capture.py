"""Multiple-systems estimation against closed forms and simulated populations of known size."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cellmap.unseen.capture import estimate


def test_two_sources_give_lincoln_petersen():
    counts = {frozenset({"a"}): 30, frozenset({"b"}): 30, frozenset({"a", "b"}): 10}
    result = estimate(counts, ("a", "b"))
    assert result.estimate == pytest.approx(40 * 40 / 10, rel=1e-6)
    assert result.model == "independence" and result.low < 160 < result.high


def _simulate(rng, size, probabilities, dependence=None):
    """Capture histories of `size` persons; `dependence` (i, j, p) makes source j see a person seen
    by source i with probability p instead."""
    seen = rng.random((size, len(probabilities))) < np.array(probabilities)
    if dependence:
        i, j, p = dependence
        seen[:, j] = np.where(seen[:, i], rng.random(size) < p, seen[:, j])
    counts: dict = {}
    names = "abcd"[: len(probabilities)]
    for row in seen:
        key = frozenset(names[k] for k in range(len(names)) if row[k])
        if key:
            counts[key] = counts.get(key, 0) + 1
    return counts, tuple(names)


def test_independent_sources_cover_the_true_size_at_the_stated_rate():
    rng = np.random.default_rng(12345)
    covered = 0
    for _ in range(40):
        counts, names = _simulate(rng, 800, (0.3, 0.25, 0.2))
        result = estimate(counts, names, level=0.9, model=())
        covered += result.low <= 800 <= result.high
    assert covered >= 32  # 90 % nominal; binomial(40, 0.9) is at least 32 with probability 0.95


def test_dependent_sources_need_the_interaction_the_criterion_finds():
    rng = np.random.default_rng(7)
    counts, names = _simulate(rng, 3000, (0.3, 0.3, 0.25, 0.2), dependence=(0, 1, 0.8))
    naive = estimate(counts, names, model=())
    chosen = estimate(counts, names)
    assert "a×b" in chosen.model
    assert abs(chosen.estimate - 3000) < abs(naive.estimate - 3000)
    assert chosen.low <= 3000 <= chosen.high


def test_every_model_is_tried_and_rejects_bad_arguments():
    counts = {frozenset(c): 5 for r in (1, 2, 3) for c in itertools.combinations("abc", r)}
    assert estimate(counts, "abc").observed == 35
    with pytest.raises(ValueError):
        estimate(counts, "abc", level=0.5)
    with pytest.raises(ValueError):
        estimate(counts, "abc", criterion="DIC")
