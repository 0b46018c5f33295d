"""cellmap's own JSON lines: one canonical record per line (docs/formats.md §1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from cellmap.errors import InputError


def json_lines(path: Path) -> Iterator[tuple[int, object]]:
    """Yield (line number, parsed JSON) for each non-empty line; bad JSON or encoding names the line."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8").strip()
            except UnicodeDecodeError as error:
                raise InputError(
                    f"not UTF-8 ({error.reason} at byte {error.start})", file=str(path), line=number
                ) from None
            if not text:
                continue
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as error:
                raise InputError(
                    f"invalid JSON: {error.msg} (column {error.colno})", file=str(path), line=number
                ) from None


def read(path: Path, phase: int | None = None) -> Iterator[tuple[int, object]]:
    yield from json_lines(path)
