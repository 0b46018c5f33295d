"""Shared fixtures: stores on SQLite and (when CELLMAP_TEST_PG_URL is set, as in CI) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cellmap.store import Store, open_store

REPO = Path(__file__).resolve().parent.parent
SHARED = (REPO.parent / "shared").resolve()
DATASETS = SHARED / "datasets"
PG_URL = os.environ.get("CELLMAP_TEST_PG_URL")


def _pg_database() -> str:
    """A fresh PostgreSQL schema for one test (faster than a database), selected by search_path."""
    name = f"cellmap_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    admin.dispose()
    return (
        make_url(PG_URL)
        .update_query_dict({"options": f"-csearch_path={name}"})
        .render_as_string(hide_password=False)
    )


def _drop_pg(url: str) -> None:
    name = make_url(url).query["options"].split("=", 1)[1]
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def any_store(request, tmp_path) -> Store:
    """A new, initialised store on each backend the machine has (PostgreSQL is required in CI)."""
    if request.param == "sqlite":
        store = open_store(tmp_path / "store.sqlite")
        store.init()
        yield store
        store.close()
        return
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL store tests: CELLMAP_TEST_PG_URL is not set")
        pytest.skip("CELLMAP_TEST_PG_URL not set (run .ci/run, or set it to a PostgreSQL URL)")
    url = _pg_database()
    store = open_store(url)
    store.init()
    yield store
    store.close()
    _drop_pg(url)


@pytest.fixture
def sqlite_store(tmp_path) -> Store:
    store = open_store(tmp_path / "store.sqlite")
    store.init()
    yield store
    store.close()


@pytest.fixture
def sample_file() -> Path:
    return REPO / "cellmap" / "data" / "sample" / "sample.jsonl"
