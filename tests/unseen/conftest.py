"""A demo-size scenario imported into SQLite with automatic merges, once per session (per worker)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cellmap.ingest import import_files
from cellmap.resolve.automatic import merge_automatically
from cellmap.scenario import generate, load_ground_truth, scenario_files
from cellmap.store import open_store

SEED = 11  # a seed used for no choice of model or threshold


@dataclass
class Case:
    folder: Path
    db: str
    truth: dict
    merges: int


@pytest.fixture(scope="session")
def case(tmp_path_factory) -> Case:
    root = tmp_path_factory.mktemp("unseen")
    folder = root / "scenario"
    generate(SEED, "demo", folder)
    db = "sqlite:///" + str(root / "store.sqlite")
    store = open_store(db)
    store.init()
    import_files(store, scenario_files(folder))
    merges = merge_automatically(store, workers=1)
    store.close()
    return Case(folder, db, load_ground_truth(folder), merges)
