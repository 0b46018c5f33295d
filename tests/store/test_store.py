"""The store on SQLite and PostgreSQL: provenance, conflicting claims, grades, windows, resolution."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert

from cellmap.ingest import import_files
from cellmap.store import tables as t
from cellmap.store import views


def test_migrations_match_the_tables(any_store):
    with any_store.session() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.metadata)
    assert diff == []


def test_cases_saved_before_compartments_carry_every_compartment_of_the_store(
    any_store, sample_file
):
    """Revision 0007 on a store holding a case saved without compartments: the case gets every
    compartment the store knows (reports, judgements, users' holdings), so only holders of all read it."""
    from alembic import command
    from sqlalchemy import text

    from cellmap.auth import accounts
    from cellmap.store.migrate import alembic_config, upgrade

    with any_store.transaction() as conn:  # back to 0006: no compartments on cases
        config = alembic_config(conn)
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    import_files(any_store, [sample_file], compartment="partner")
    with any_store.transaction() as conn:
        accounts.add_user(conn, "holder", "viewer", ("default", "humint"), "a long pass phrase")
        conn.execute(
            text(
                "INSERT INTO workbench_case (name, view, author, state, version, created_at, "
                "updated_at) VALUES ('old', 'network', 'a', '{}', 1, :now, :now)"
            ),
            {"now": dt.datetime(2026, 1, 1)},
        )
        upgrade(conn)
    with any_store.session() as conn:
        assert [row.compartments for row in views.cases(conn)] == ["default,humint,partner"]
    for held, count in (({"partner", "humint"}, 0), ({"default", "humint", "partner", "x"}, 1)):
        with any_store.session(visible=held) as conn:
            assert len(views.cases(conn)) == count
            if any_store.dialect == "postgresql":  # row-level security says the same
                rows = conn.execute(text("SELECT count(*) FROM workbench_case")).scalar()
                versions = conn.execute(text("SELECT count(*) FROM workbench_case_version"))
                assert (rows, versions.scalar()) == (count, 0)


def test_sample_lands_with_provenance_and_grades(any_store, sample_file):
    result = import_files(any_store, [sample_file])
    assert result.added == {
        "reports": 2,
        "entities": 7,
        "statements": 12,
        "relations": 5,
        "incidents": 1,
        "judgements": 0,
    }
    with any_store.session() as conn:
        reports = views.reports(conn)
        assert sorted(reports["grade"].to_list()) == ["B2", "C3"]
        assert reports["synthetic"].all()
        names = (
            views.properties(conn, props=["name"])
            .join(views.entities(conn).select("entity_id", "key"), on="entity_id")
            .filter(pl.col("key") == "SAMPLE-P1")
        )
        # two reports spell the same person differently: both claims are kept, each with its grade
        assert sorted(zip(names["value"], names["grade"], strict=False)) == [
            ("Abou Khaled el-Tadmouri", "C3"),
            ("Abu Khalid al-Tadmuri", "B2"),
        ]
        membership = views.relations(conn, kinds=["membership"]).sort("valid_from")
        assert membership["role"].to_list() == ["cell_head", "messenger"]
        assert membership["end_reason"].to_list() == [None, "arrested"]
        assert membership["valid_to"].to_list() == [None, dt.date(2021, 2, 11)]
        comm = views.relations(conn, kinds=["communication"]).row(0, named=True)
        assert json.loads(comm["attrs"]) == {"count": 3, "date": "2020-11-02"}
        incident = views.incidents(conn).row(0, named=True)
        assert (incident["type"], incident["outcome"], incident["grade"]) == ("ied", "failed", "C3")
        assert incident["attribution_confidence"] == 0.6


def test_reimport_of_the_same_records_adds_nothing(any_store, sample_file):
    import_files(any_store, [sample_file])
    with any_store.session() as conn:
        before = views.counts(conn)
    again = import_files(any_store, [sample_file])
    with any_store.session() as conn:
        assert views.counts(conn) == before
    assert set(again.added.values()) == {0}


def test_minimum_grade_and_time_window(any_store, sample_file):
    import_files(any_store, [sample_file])
    with any_store.session() as conn:
        assert len(views.relations(conn)) == 5
        # the communication comes from the C3 report only: B2-or-better drops it
        assert set(views.relations(conn, min_grade="B2")["kind"]) == {
            "part_of",
            "membership",
            "use",
        }
        assert len(views.relations(conn, min_grade="A1")) == 0
        assert len(views.incidents(conn, min_grade="B3")) == 0
        # the messenger's membership ended 2021-02-11: a window after it excludes that membership only
        later = views.relations(
            conn, kinds=["membership"], window=(dt.date(2021, 6, 1), dt.date(2021, 12, 31))
        )
        assert later["role"].to_list() == ["cell_head"]


def test_resolved_view_follows_the_latest_judgement(any_store, sample_file):
    import_files(any_store, [sample_file])
    with any_store.session() as conn:
        ids = dict(views.entities(conn).select("key", "entity_id").iter_rows())
    p1, p2 = ids["SAMPLE-P1"], ids["SAMPLE-P2"]
    now = dt.datetime(2024, 1, 1)
    with any_store.transaction() as conn:
        conn.execute(
            insert(t.judgement).values(
                left_id=p2,
                right_id=p1,
                decision="same",
                author="analyst",
                decided_at=now,
                automatic=False,
            )
        )
    with any_store.session() as conn:
        resolved = views.relations(conn, kinds=["communication"]).row(0, named=True)
        assert resolved["source_id"] == resolved["target_id"] == min(p1, p2)
        raw = views.relations(conn, kinds=["communication"], resolved=False).row(0, named=True)
        assert {raw["source_id"], raw["target_id"]} == {p1, p2}
    with any_store.transaction() as conn:  # a later "not same" undoes the merge
        conn.execute(
            insert(t.judgement).values(
                left_id=p1,
                right_id=p2,
                decision="not_same",
                author="analyst",
                decided_at=now,
                automatic=False,
            )
        )
    with any_store.session() as conn:
        assert views.canonical_ids(conn) == {}
