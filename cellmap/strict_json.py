"""JSON text as cellmap writes it everywhere (stdout, files, JSON columns): strict, never NaN or ∞.

Python's `json.dumps` writes NaN and Infinity by default, which no other JSON reader accepts. Every
JSON cellmap writes goes through `dumps`: non-finite floats are cleaned first (`json_safe`), and
`allow_nan=False` makes any that slip through an error rather than bad output.
"""

from __future__ import annotations

import json
import math
from typing import Any


def json_safe(value: Any) -> Any:
    """NaN becomes null and ±∞ the strings "inf"/"-inf"; dicts, lists and tuples are cleaned recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """`json.dumps(json_safe(value), allow_nan=False, **options)`: the options (indent, sort_keys,
    ensure_ascii, separators, default) as `json.dumps` takes them, so finite data keeps its bytes."""
    return json.dumps(json_safe(value), allow_nan=False, **options)  # noqa: TID251 (the one use)
