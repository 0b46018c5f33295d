"""Which reader a file needs, and its records in canonical form whatever the format.

The format of each file is recognised from its name and first line (`detect_format`): cellmap's CSV
files (`csvfile`, with the ACLED and GTD adapters), FollowTheMoney JSON lines (`ftm`) and cellmap JSON
lines (`jsonl`), described in docs/formats.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from cellmap.errors import InputError
from cellmap.ingest import csvfile, ftm, jsonl

# What a file that is not text starts with, and what to tell its owner.
NOT_TEXT = (
    (b"\x1f\x8b", "is gzip-compressed: decompress it first"),
    (b"PK\x03\x04", "is a ZIP archive (or an Office file): export it as CSV or JSON lines"),
    (b"\xff\xfe", "is UTF-16 text: save it as UTF-8"),
    (b"\xfe\xff", "is UTF-16 text: save it as UTF-8"),
    (b"%PDF", "is a PDF document, not CSV or JSON lines"),
)


def check_text(path: Path) -> None:
    """A file-level error (`file: reason`, no line) for a file that is not UTF-8 text at all."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    for magic, reason in NOT_TEXT:
        if head.startswith(magic):
            raise InputError(reason, file=str(path))
    if b"\x00" in head:
        raise InputError("is binary (contains NUL bytes), not a text file", file=str(path))


def detect_format(path: Path) -> str:
    """'csv', 'ftm' or 'jsonl', from the file name, else from the first non-empty line."""
    name = path.name.lower()
    if name.endswith(".csv"):
        return "csv"
    if ".ftm." in name or name.endswith(".ftm"):
        return "ftm"
    for _line, first in jsonl.json_lines(path):
        if isinstance(first, dict) and "schema" in first and "record" not in first:
            return "ftm"
        if not isinstance(first, InputError):
            return "jsonl"
        break
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    raise InputError(
        "format not recognised (expected .csv, FtM JSON lines or cellmap JSON lines)",
        file=str(path),
    )


READERS = {"csv": csvfile.read, "ftm": ftm.read, "jsonl": jsonl.read}


def read_records(path: Path, phase: int | None = None) -> Iterator[tuple[int, object]]:
    """(line, canonical record dict) for every record of a file, whatever its format, or (line,
    InputError) for a line that is not one. With `phase` 1 or 2, a reader may pass records the
    importer's pass does not need as bare markers ({"record": kind})."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    check_text(path)
    yield from READERS[detect_format(path)](path, phase)


def count_lines(paths: Iterable[Path]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return total
