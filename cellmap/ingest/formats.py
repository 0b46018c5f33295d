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
from cellmap.ingest import csvfile, ftm, jsonl, stix

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
    """'csv', 'stix' (a STIX 2.1 bundle), 'ftm' or 'jsonl', from the file name and its start."""
    name = path.name.lower()
    if name.endswith(".csv"):
        return "csv"
    if stix.is_bundle(path):
        return "stix"
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


READERS = {"csv": csvfile.read, "ftm": ftm.read, "jsonl": jsonl.read, "stix": stix.read}


def read_records(path: Path, phase: int | None = None) -> Iterator[tuple[int, object]]:
    """(line, canonical record dict) for every record of a file, whatever its format, or (line,
    InputError) for a line that is not one. With `phase` 1 or 2, a reader may pass records the
    importer's pass does not need as bare markers ({"record": kind})."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    check_text(path)
    yield from READERS[detect_format(path)](path, phase)


# A generated scenario's manifest: it names the ground truth, which is never imported.
MANIFEST_FILE = "manifest.json"


def recognise(path: Path) -> str:
    """What a file found in a folder holds, only if its content is one cellmap reads: 'reports' (a
    reports CSV, or cellmap records starting with a report), 'records' (any other cellmap CSV or
    records) or 'ftm' (FollowTheMoney entities). Anything else (a scenario's ground truth, whose
    lines have no `record`, notes, images) raises InputError saying why it was left out."""
    check_text(path)
    fmt = detect_format(path)
    if fmt == "csv":
        return "reports" if csvfile.file_kind(path) == "reports" else "records"
    if fmt in ("ftm", "stix"):
        return fmt
    for line, first in jsonl.json_lines(path):
        if isinstance(first, InputError):
            raise first
        if not (isinstance(first, dict) and "record" in first):
            raise InputError(
                "not cellmap records (the first has no 'record' field)", file=str(path), line=line
            )
        return "reports" if first["record"] == "report" else "records"
    raise InputError("is empty", file=str(path))


def folder_files(folder: Path) -> tuple[list[Path], list[InputError]]:
    """The files of `folder` that cellmap can import, and why each other file was left out.

    Files that start with reports come first (the records of the others cite them), then the rest, by
    name. A generated scenario's ground truth (named by its `manifest.json`) is always left out: it
    is the answer key of evaluations, never evidence. Only the folder's own files are read."""
    if not folder.is_dir():
        raise InputError("no such folder", file=str(folder))
    left_out: set[str] = set()
    manifest = folder / MANIFEST_FILE
    if manifest.is_file():
        try:
            named = json.loads(manifest.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            named = None
        if isinstance(named, dict):
            left_out = {MANIFEST_FILE, str(named.get("ground_truth") or "")}
    found: list[tuple[bool, str, Path]] = []
    skipped: list[InputError] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.name in left_out:
            reason = "scenario manifest" if path.name == MANIFEST_FILE else "ground truth"
            skipped.append(InputError(f"{reason}: never imported", file=str(path)))
            continue
        try:
            holds = recognise(path)
        except InputError as error:
            skipped.append(InputError(f"not imported: {error.reason}", file=str(path)))
            continue
        found.append((holds != "reports", path.name, path))
    return [path for *_, path in sorted(found)], skipped


def count_lines(paths: Iterable[Path]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return total
