"""The one gate: for a caller holding compartments C, every view of the full store equals the same
view of a store that holds only C's rows (the compartment oracle, at the store's door), on SQLite
and PostgreSQL; on PostgreSQL a raw SQL query in a caller's session sees only visible rows."""

from __future__ import annotations

import json

import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import insert, text
from sqlalchemy.exc import ProgrammingError

from cellmap.ingest import import_files
from cellmap.resolve.candidates import store_records
from cellmap.store import open_store, views
from cellmap.store import tables as t
from tests.auth.compartmented import COMPARTMENTS, build, keep_only, scenario
from tests.conftest import PG_URL, _drop_pg, _pg_database

HOLDINGS = [frozenset({"default"}), frozenset({"partner", "humint"}), frozenset()]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return scenario(tmp_path_factory.mktemp("compartmented"))


def _stores(backend: str, tmp_path):
    """Two empty stores on `backend` (a fresh schema each on PostgreSQL)."""

    if backend == "sqlite":
        urls = [tmp_path / "full.sqlite", tmp_path / "only.sqlite"]
    else:
        if not PG_URL:
            pytest.skip("CELLMAP_TEST_PG_URL not set")
        urls = [_pg_database(), _pg_database()]
    stores = [open_store(u) for u in urls]
    for store in stores:
        store.init()
    return stores, urls


def _view_answers(conn) -> dict:
    return {
        "reports": views.reports(conn),
        "entities": views.entities(conn),
        "records": views.entities(conn, resolved=False),
        "properties": views.properties(conn),
        "relations": views.relations(conn),
        "relations_b2": views.relations(conn, min_grade="B2"),
        "incidents": views.incidents(conn),
        "judgements": views.latest_judgements(conn).drop("decided_at"),
        "canonical": views.canonical_ids(conn),
        "counts": views.counts(conn),
        "entity_counts": views.entity_counts(conn),
        "grades": views.report_grade_counts(conn),
        "synthetic": views.is_synthetic(conn),
        "resolve_records": store_records(conn),
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_every_view_equals_the_view_of_a_store_holding_only_the_callers_compartments(
    backend, files, tmp_path
):
    (full, only), urls = _stores(backend, tmp_path)
    made = list(urls)
    try:
        build(full, files)
        with full.session() as conn:
            everything = views.counts(conn)
        for number, held in enumerate(HOLDINGS):
            if number:  # a fresh store for each holding
                only.close()
                urls[1] = (
                    tmp_path / f"only{number}.sqlite" if backend == "sqlite" else _pg_database()
                )
                made.append(urls[1])
                only = open_store(urls[1])
                only.init()
            build(only, files)
            keep_only(only, set(held))
            with full.session(visible=held) as a, only.session(visible=held) as b:
                seen, expected = _view_answers(a), _view_answers(b)
            for name, value in expected.items():
                if hasattr(value, "columns"):
                    assert_frame_equal(seen[name], value, check_row_order=True)
                else:
                    assert seen[name] == value, f"{name} for {sorted(held)}"
            counts = seen["counts"]
            if held:  # the gate hides something real, and shows something real
                assert 0 < counts["reports"] < everything["reports"]
                assert 0 < counts["entities"] < everything["entities"]
                assert counts["judgements"] >= 1
            else:
                assert set(counts.values()) == {0}
    finally:
        for store in (full, only):
            store.close()
        if backend == "postgresql":
            for url in made:
                _drop_pg(url)


def test_captions_come_from_visible_reports_only(sqlite_store, tmp_path):
    case = tmp_path / "case.jsonl"
    rows = [
        {"record": "report", "id": "R-1", "grade": "B2", "compartment": "secret"},
        {"record": "report", "id": "R-2", "grade": "C3", "compartment": "open"},
        {
            "record": "entity",
            "id": "P-1",
            "kind": "person",
            "report": "R-1",
            "properties": {"name": ["Hidden Name"]},
        },
        {
            "record": "entity",
            "id": "P-1",
            "kind": "person",
            "report": "R-2",
            "properties": {"name": ["Open Name"]},
        },
        {
            "record": "entity",
            "id": "P-2",
            "kind": "person",
            "report": "R-1",
            "properties": {"name": ["Only Secret"]},
        },
    ]
    case.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    import_files(sqlite_store, [case])
    with sqlite_store.session(visible={"open"}) as conn:
        entities = views.entities(conn)
        assert entities.select("key", "name").rows() == [("P-1", "Open Name")]
        assert views.properties(conn)["value"].to_list() == ["Open Name"]
    with sqlite_store.session() as conn:  # the operator's CLI reads everything
        assert sorted(views.entities(conn)["name"].to_list()) == ["Hidden Name", "Only Secret"]


def test_a_retracted_import_is_read_by_no_one(sqlite_store, sample_file):
    import_files(sqlite_store, [sample_file])
    with sqlite_store.session() as conn:
        before = views.counts(conn)
    from cellmap.auth.accounts import now

    with sqlite_store.transaction() as conn:
        conn.execute(
            insert(t.retraction).values(import_id=1, retracted_by="admin", retracted_at=now())
        )
    for visible in (None, {"default"}):
        with sqlite_store.session(visible=visible) as conn:
            assert views.relations(conn).is_empty()
            assert views.reports(conn).is_empty()
            assert views.properties(conn).is_empty()
    with sqlite_store.session() as conn:
        assert views.counts(conn) == before  # nothing is deleted


@pytest.mark.postgres
def test_raw_sql_in_a_callers_postgresql_session_sees_only_visible_rows(files, tmp_path):
    (full, other), urls = _stores("postgresql", tmp_path)
    other.close()
    try:
        build(full, files)
        assert full.row_security()
        with full.session(visible={"partner"}) as conn:
            compartments = conn.execute(text("SELECT DISTINCT compartment FROM report")).scalars()
            assert set(compartments) == {"partner"}
            statements = conn.execute(text("SELECT count(*) FROM statement")).scalar()
            assert statements == views.counts(conn)["statements"]
            entity_ids = set(conn.execute(text("SELECT id FROM entity")).scalars())
            assert entity_ids == views.visible_entity_ids(conn)
            judgements = set(conn.execute(text("SELECT compartment FROM judgement")).scalars())
            assert judgements == {"partner"}
            role = conn.execute(text("SELECT current_user")).scalar()
            assert role == "cellmap_reader"
        with full.session(visible={"partner"}) as conn:
            with pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text("SELECT count(*) FROM app_user"))
        with full.session(visible=set()) as conn:
            assert conn.execute(text("SELECT count(*) FROM relation")).scalar() == 0
        with full.session() as conn:  # the owner: every compartment
            assert set(
                conn.execute(text("SELECT DISTINCT compartment FROM report")).scalars()
            ) == set(COMPARTMENTS)
    finally:
        full.close()
        for url in urls:
            _drop_pg(url)
