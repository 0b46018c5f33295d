"""Fixtures for the graph tests: the Noordin Top network imported through the normal import path."""

from __future__ import annotations

import polars as pl
import pytest
from graph_helpers import write_noordin_cellmap_csv

from cellmap.ingest import import_files
from cellmap.store import open_store, views


@pytest.fixture(scope="module")
def noordin_frames(tmp_path_factory) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(relations, entities) views of a store into which the Noordin Top CSVs were imported."""
    folder = tmp_path_factory.mktemp("noordin")
    files = write_noordin_cellmap_csv(folder)
    store = open_store("sqlite:///" + str(folder / "store.sqlite"))
    store.init()
    import_files(store, files)
    with store.session() as conn:
        frames = views.relations(conn), views.entities(conn)
    store.close()
    return frames
