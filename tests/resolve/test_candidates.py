"""Blocking on real public data: UN sanctions names vs their perturbed copies (yente fixtures)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cellmap.resolve.candidates import block

UN = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "datasets"
    / "opensanctions-un-positives"
)


@pytest.mark.skipif(not UN.is_dir(), reason="../shared/datasets not available")
def test_blocking_finds_the_perturbed_copies_without_all_pairs():
    clean = pl.read_csv(UN / "positives_un_untreated.csv", infer_schema=False)[
        "full_name"
    ].fill_null("")
    treated = pl.read_csv(UN / "positives_un_treated.csv", infer_schema=False)[
        "full_name"
    ].fill_null("")
    n = clean.len()
    assert n == 683  # the README's count, verified by parsing
    records = pl.DataFrame(
        {"record_id": list(range(2 * n)), "name": clean.to_list() + treated.to_list()}
    )
    pairs = block(records, per_record=10, workers=1)
    found = set(zip(pairs["left_id"].to_list(), pairs["right_id"].to_list(), strict=False))
    recall = sum((i, i + n) in found for i in range(n)) / n
    assert recall >= 0.95
    assert pairs.height < 0.02 * n * (2 * n - 1)  # far from all pairs
