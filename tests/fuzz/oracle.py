"""The importers' contract, checked on one file: stored whole, or refused cleanly and nothing written."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from cellmap.errors import InputError
from cellmap.ingest import import_files
from cellmap.store import Store
from cellmap.store import tables as t

SAMPLE = Path(__file__).resolve().parents[2] / "cellmap" / "data" / "sample" / "sample.jsonl"


def state(store: Store) -> tuple:
    """Row count and greatest key of every table: any write, even of a row later deleted, moves it."""
    with store.session() as conn:
        return tuple(
            conn.execute(
                select(func.count(), *(func.max(c) for c in table.primary_key.columns)).select_from(
                    table
                )
            ).one()
            for table in t.metadata.sorted_tables
        )


@dataclass
class Outcome:
    inputs: int = 0
    stored: int = 0
    refused: int = 0
    crashes: list[str] = field(default_factory=list)
    partial_writes: list[str] = field(default_factory=list)

    def merge(self, other: Outcome) -> None:
        self.inputs += other.inputs
        self.stored += other.stored
        self.refused += other.refused
        self.crashes += other.crashes
        self.partial_writes += other.partial_writes


def check_file(store: Store, path: Path, outcome: Outcome) -> None:
    """Import `path` and record what happened: stored (the store moved by exactly what the import
    says it added), refused (InputError naming the file, store unmoved), or a crash or partial write
    (with the file kept next to the store for reproduction)."""
    before = state(store)
    outcome.inputs += 1
    try:
        import_files(store, [path])
    except InputError as error:
        outcome.refused += 1
        problems = getattr(error, "errors", [error])
        if any(p.file != str(path) for p in problems):
            outcome.crashes.append(_keep(path, f"error not naming the file: {error.describe()}"))
        if state(store) != before:
            outcome.partial_writes.append(_keep(path, "refused, yet the store changed"))
        return
    except Exception:  # noqa: BLE001 — anything but InputError is the bug being looked for
        outcome.crashes.append(_keep(path, traceback.format_exc(limit=6)))
        if state(store) != before:
            outcome.partial_writes.append(_keep(path, "crashed, and the store changed"))
        return
    outcome.stored += 1


def _keep(path: Path, reason: str) -> str:
    kept = path.with_name(f"failing-{abs(hash(path.read_bytes()))}{''.join(path.suffixes)}")
    kept.write_bytes(path.read_bytes())
    return f"{kept}: {reason.strip()}"


def seeded_store(folder: Path) -> Store:
    """A SQLite store holding the sample (so that files may refer to its reports and entities)."""
    from cellmap.store import open_store

    store = open_store(folder / "fuzz.sqlite")
    store.init()
    import_files(store, [SAMPLE])
    return store
