"""A mutation fuzzer over real files: seeds are files cellmap reads and writes (the sample, the
workbench fixture, ACLED and GTD samples, and the sample's own FtM and CSV exports); each input is a
seed with a few random byte- or line-level mutations (flips, inserts of hostile tokens, deletions,
duplications, line swaps, truncation, splices of two seeds of the same format)."""

from __future__ import annotations

import random
from pathlib import Path

from cellmap.export import export

REPO = Path(__file__).resolve().parents[2]
REAL_FILES = [
    REPO / "cellmap" / "data" / "sample" / "sample.jsonl",
    REPO / "tests" / "web" / "data" / "small.cellmap.jsonl",
    REPO / "tests" / "incidents" / "data" / "acled_sample.csv",
    REPO / "tests" / "incidents" / "data" / "acled_deleted_sample.csv",
    REPO / "tests" / "incidents" / "data" / "gtd_sample.csv",
]
TOKENS = [
    b'"', b",", b"\n", b"\r\n", b"\r", b"[", b"]", b"{", b"}", b":", b"\x00", b"\xff", b"\xc3",
    b"\xef\xbb\xbf", b"\\ud800", b"\\u0000", b"1e999", b"9" * 400, b"NaN", b"-Infinity", b";",
    b"\\;", b"=", b"'=", b"+", b"@", b"\t", b"null", b"true", b"[]", b"{}", b'""', b"[" * 40,
    b"prop:", b"attr:", b"2021-02-30", b"Z9", b"-1", b"2147483648", b"x" * 2000,
]  # fmt: skip


def seeds(folder: Path, store) -> list[tuple[str, bytes]]:
    """(suffix, content) of every seed: the real files and the exports of `store` (FtM, CSV)."""
    found = [("".join(p.suffixes[-2:]) if ".ftm" in p.name else p.suffix, p.read_bytes())
             for p in REAL_FILES]  # fmt: skip
    export(store, "ftm", folder / "seed.ftm.jsonl")
    found.append((".ftm.jsonl", (folder / "seed.ftm.jsonl").read_bytes()))
    export(store, "csv", folder / "seed-csv")
    for path in sorted((folder / "seed-csv").iterdir()):
        found.append((".csv", path.read_bytes()))
    return found


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """One to four mutations of `data` (`others`: seeds of the same format, for splices)."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        where = rng.randint(0, len(data))
        operation = rng.randrange(8)
        if operation == 0 and data:
            data[min(where, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif operation == 1:
            data[where:where] = rng.choice(TOKENS)
        elif operation == 2:
            del data[where : where + rng.randint(1, 40)]
        elif operation == 3:
            end = min(len(data), where + rng.randint(1, 200))
            data[where:where] = data[where:end]
        elif operation == 4:
            lines = bytes(data).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(1, len(lines)), rng.randrange(1, len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                data = bytearray(b"\n".join(lines))
        elif operation == 5:
            del data[where:]
        elif operation == 6 and others:
            other = rng.choice(others)
            data = data[:where] + other[rng.randint(0, len(other)) :]
        else:
            data[where:where] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(data)
