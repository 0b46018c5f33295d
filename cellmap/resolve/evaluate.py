"""Evaluation helpers: precision, recall and F1 of thresholded scores, and the public case split.

P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2PR/(P+R) (van Rijsbergen 1979). O(n) per threshold.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Metrics:
    threshold: float
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    n: int


def metrics_at(scores: list[float], labels: list[bool], threshold: float) -> Metrics:
    tp = sum(1 for s, y in zip(scores, labels, strict=False) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=False) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=False) if s < threshold and y)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Metrics(threshold, p, r, f1, tp, fp, fn, len(scores))


def best_threshold(scores: list[float], labels: list[bool]) -> Metrics:
    """The threshold (from a 0.01 grid) that maximises F1 — for tuning on training data only."""
    grid = [i / 100 for i in range(1, 100)]
    return max(
        (metrics_at(scores, labels, t) for t in grid), key=lambda m: (m.f1, -abs(m.threshold - 0.5))
    )


def split_of(*fields: str, dev_share: int = 3) -> str:
    """Deterministic train/dev split by a hash of the case: 'dev' for dev_share in 10, else 'train'."""
    digest = hashlib.blake2b("|".join(fields).encode("utf-8"), digest_size=4).digest()
    return "dev" if int.from_bytes(digest, "big") % 10 < dev_share else "train"


def load_name_cases(path: str | Path) -> list[dict]:
    """OpenSanctions name-bench cases (columns case_group, schema, name1, name2, is_match, …)."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["label"] = row["is_match"].strip().lower() == "true"
        row["split"] = split_of(row["case_group"], row["schema"], row["name1"], row["name2"])
    return rows
