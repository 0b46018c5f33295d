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


def ofac_part(ent_num: str) -> str:
    """The OFAC SDN split: 'fit' or 'report' by the parity of the first byte of
    sha256("ofac-sdn:" + ent_num) — one person's names all fall on one side."""
    return (
        "fit" if hashlib.sha256(f"ofac-sdn:{ent_num}".encode()).digest()[0] % 2 == 0 else "report"
    )


ARABIC_PROGRAMMES = frozenset({"SDGT", "SYRIA", "IRAQ2"})


def load_ofac(path: str | Path) -> tuple[list[dict], list[dict]]:
    """OFAC SDN individuals (``ent_num,programs,name_kind,name,dob,pob``): the primary names (the
    gallery) and the alias queries (``aka``/``fka``), each with its ``part`` and whether the person is
    on an SDGT/SYRIA/IRAQ2 programme (``arabic``)."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    primaries: list[dict[str, object]] = []
    queries: list[dict[str, object]] = []
    for row in rows:
        row["part"] = ofac_part(row["ent_num"])
        row["arabic"] = bool(set(row["programs"].split()) & ARABIC_PROGRAMMES)
        (primaries if row["name_kind"] == "primary" else queries).append(row)
    return primaries, queries


def load_un_pairs(folder: str | Path) -> list[tuple[str, str]]:
    """(perturbed, clean) full names of the UN positives: row i of one file is row i of the other."""
    folder = Path(folder)
    with open(folder / "positives_un_treated.csv", encoding="utf-8", newline="") as fh:
        treated = [r["full_name"] for r in csv.DictReader(fh)]
    with open(folder / "positives_un_untreated.csv", encoding="utf-8", newline="") as fh:
        clean = [r["full_name"] for r in csv.DictReader(fh)]
    return list(zip(treated, clean, strict=True))


def retrieval_metrics(ranks: list[int | None]) -> dict[str, float]:
    """recall@1, recall@5 and mean reciprocal rank (Voorhees 1999) of the true item's ranks
    (None: not retrieved, reciprocal rank 0)."""
    n = max(len(ranks), 1)
    return {
        "n": len(ranks),
        "recall@1": sum(1 for r in ranks if r == 1) / n,
        "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
    }


def un_part(clean_name: str) -> str:
    """The UN positives split: 'fit' or 'report' by the hash of the clean name (as :func:`ofac_part`)."""
    return "fit" if hashlib.sha256(f"un:{clean_name}".encode()).digest()[0] % 2 == 0 else "report"
