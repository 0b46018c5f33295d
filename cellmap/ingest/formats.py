"""Which reader a file needs, and its records in canonical form whatever the format.

The format of each file is recognised from its name and first line (`detect_format`): cellmap's CSV
files (`csvfile`, with the ACLED and GTD adapters), FollowTheMoney JSON lines (`ftm`) and cellmap JSON
lines (`jsonl`), described in docs/formats.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from cellmap.errors import InputError
from cellmap.ingest import csvfile, ftm, jsonl


def detect_format(path: Path) -> str:
    """'csv', 'ftm' or 'jsonl', from the file name, else from the first non-empty line."""
    name = path.name.lower()
    if name.endswith(".csv"):
        return "csv"
    if ".ftm." in name or name.endswith(".ftm"):
        return "ftm"
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.strip():
                try:
                    first = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    break
                if isinstance(first, dict) and "schema" in first and "record" not in first:
                    return "ftm"
                return "jsonl"
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    raise InputError(
        "format not recognised (expected .csv, FtM JSON lines or cellmap JSON lines)",
        file=str(path),
    )


READERS = {"csv": csvfile.read, "ftm": ftm.read, "jsonl": jsonl.read}


def read_records(path: Path, phase: int | None = None) -> Iterator[tuple[int, dict]]:
    """(line, canonical record dict) for every record of a file, whatever its format. With `phase` 1 or 2,
    a reader may pass records the importer's pass does not need as bare markers ({"record": kind})."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    yield from READERS[detect_format(path)](path, phase)


def count_lines(paths: Iterable[Path]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return total
