"""Batch scoring of name pairs from a CSV file (``cellmap resolve score-pairs``).

Input: any UTF-8 CSV (a BOM is fine) with columns ``name1``, ``name2`` and optionally ``schema``
and attribute columns written ``<attribute>1``/``<attribute>2`` or ``<attribute>_1``/``<attribute>_2``
(``birth_date1``, ``nationality_2`` …). Output: ``name1,name2,score`` — one row per input row, in
the same order, score in [0, 1]. A row that cannot be scored gets 0.0 and a warning; it never
stops the batch. Cost: O(rows) pair scores.
"""

from __future__ import annotations

import csv
import logging
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path

from cellmap.errors import InputError
from cellmap.resolve.score import score_pair

log = logging.getLogger(__name__)
_SIDE = re.compile(r"^(?P<attr>.+?)_?(?P<side>[12])$")


def _attribute_columns(header: list[str]) -> dict[str, tuple[str, str]]:
    """{attribute: (left column, right column)} for attribute columns present on both sides."""
    sides: dict[str, dict[str, str]] = {}
    for col in header:
        m = _SIDE.match(col.strip().lower())
        if m and m.group("attr") not in ("name", "schema"):
            sides.setdefault(m.group("attr"), {})[m.group("side")] = col
    return {
        attr: (cols["1"], cols["2"]) for attr, cols in sides.items() if "1" in cols and "2" in cols
    }


def _safe(score: float) -> float:
    if score is None or not math.isfinite(score):
        return 0.0
    return min(1.0, max(0.0, float(score)))


def score_rows(
    rows: list[dict[str, str]], header: list[str], progress: Callable[[int], None] | None = None
) -> list[float]:
    lower = {c.strip().lower(): c for c in header}
    col1, col2 = lower.get("name1"), lower.get("name2")
    col_schema = lower.get("schema")
    attrs = _attribute_columns(header)
    scores = []
    for n, row in enumerate(rows, start=1):
        try:
            left = {a: row.get(c1) or "" for a, (c1, _) in attrs.items()}
            right = {a: row.get(c2) or "" for a, (_, c2) in attrs.items()}
            left = {k: v for k, v in left.items() if v.strip()}
            right = {k: v for k, v in right.items() if v.strip()}
            schema = (row.get(col_schema) or "Person").strip() if col_schema else "Person"
            result = score_pair(
                (row.get(col1) or "") if col1 else "",
                (row.get(col2) or "") if col2 else "",
                schema or "Person",
                left,
                right,
            )
            scores.append(_safe(result.score))
        except Exception as exc:  # one bad row must never stop a screening batch
            log.warning("row %d: cannot score (%s); score 0.0", n, exc)
            scores.append(0.0)
        if progress is not None:
            progress(n)
    return scores


def read_pairs(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a pairs CSV; raises InputError naming the file if name1/name2 are missing."""
    csv.field_size_limit(sys.maxsize)
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h or "" for h in (reader.fieldnames or [])]
        rows = [
            {
                k: (v if isinstance(v, str) else "" if v is None else ";".join(v))
                for k, v in r.items()
                if k
            }
            for r in reader
        ]
    lower = {h.strip().lower() for h in header}
    if not {"name1", "name2"} <= lower:
        raise InputError(
            f"needs columns name1 and name2, found {', '.join(header) or 'none'}",
            file=str(path),
            line=1,
            field="header",
        )
    return header, rows


def write_scores(
    path: str | Path, header: list[str], rows: list[dict[str, str]], scores: list[float]
) -> None:
    lower = {c.strip().lower(): c for c in header}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name1", "name2", "score"])
        for row, score in zip(rows, scores, strict=False):
            writer.writerow(
                [row.get(lower["name1"]) or "", row.get(lower["name2"]) or "", f"{score:.6f}"]
            )
