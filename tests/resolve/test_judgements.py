"""Judgements: nothing is merged without one; latest decision wins; split undoes; clusters = components."""

from __future__ import annotations

import json

import networkx as nx
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from cellmap.ingest import import_files
from cellmap.resolve.candidates import block, records_from_views, score_candidates
from cellmap.resolve.cli import app
from cellmap.resolve.judgements import (
    AUTOMATIC_AUTHOR,
    auto_accept,
    clusters,
    record_judgement,
    split,
)
from cellmap.store import open_store, tables, views

PERSONS = [
    ("P-1", "Abu Bakr al-Baghdadi", {"birth_date": ["1971"]}),
    ("P-2", "Abou Bakr el-Baghdadi", {"birth_date": ["1971-07-28"]}),
    ("P-3", "Ibrahim Awad Ibrahim al-Badri", {"alias": ["Abu Bakr al-Baghdadi"]}),
    ("P-4", "Abu Musab al-Zarqawi", {}),
    ("P-5", "أبو بكر البغدادي", {}),
    ("P-6", "Abu Muhammad al-Adnani", {}),
]


@pytest.fixture()
def store(tmp_path):
    lines = [
        {
            "record": "report",
            "id": "R-1",
            "title": "Debrief (synthetic)",
            "kind": "arrest_debrief",
            "date": "2021-03-04",
            "source": "test",
            "grade": "B2",
            "synthetic": True,
        }
    ]
    for key, name, props in PERSONS:
        lines.append(
            {
                "record": "entity",
                "id": key,
                "kind": "person",
                "report": "R-1",
                "properties": {"name": [name], **props},
            }
        )
    path = tmp_path / "persons.jsonl"
    path.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    s = open_store(tmp_path / "s.sqlite")
    s.init()
    import_files(s, [path])
    yield s
    s.close()


def _ids(store) -> dict[str, int]:
    with store.session() as conn:
        frame = views.entities(conn, resolved=False)
    return dict(zip(frame["key"].to_list(), frame["entity_id"].to_list(), strict=False))


def _canonical(store) -> dict[str, int]:
    with store.session() as conn:
        frame = views.entities(conn, resolved=True)
    return dict(zip(frame["key"].to_list(), frame["canonical_id"].to_list(), strict=False))


def _judgement_count(store) -> int:
    with store.session() as conn:
        return conn.execute(select(func.count()).select_from(tables.judgement)).scalar()


def test_candidates_never_merge_without_a_judgement(store, tmp_path):
    with store.session() as conn:
        recs = records_from_views(views.entities(conn, resolved=False), views.properties(conn))
    scored = score_candidates(recs, block(recs, per_record=10), workers=1)
    assert scored.filter(pl.col("score") > 0.9).height >= 1  # strong candidates exist ...
    result = CliRunner().invoke(
        app,
        [
            "candidates",
            "--db",
            str(tmp_path / "s.sqlite"),
            "--json",
            "--queue",
            str(tmp_path / "q.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert _judgement_count(store) == 0  # ... but nothing is judged or merged
    assert all(_ids(store)[k] == v for k, v in _canonical(store).items())
    queued = [json.loads(line) for line in (tmp_path / "q.jsonl").read_text().splitlines()]
    assert queued and all("agree" in q["reasons"] and "differ" in q["reasons"] for q in queued)


def test_accept_reject_split_through_the_cli(store, tmp_path):
    db = ["--db", str(tmp_path / "s.sqlite"), "--author", "analyst-1"]
    runner = CliRunner()
    assert runner.invoke(app, ["accept", "P-1", "P-2", *db]).exit_code == 0
    assert runner.invoke(app, ["accept", "P-2", "P-5", *db]).exit_code == 0
    ids, canon = _ids(store), _canonical(store)
    assert canon["P-1"] == canon["P-2"] == canon["P-5"] == min(ids["P-1"], ids["P-2"], ids["P-5"])
    assert canon["P-4"] == ids["P-4"]
    # the latest decision on a pair wins
    assert runner.invoke(app, ["reject", "P-2", "P-1", *db]).exit_code == 0
    canon = _canonical(store)
    assert canon["P-1"] == ids["P-1"] and canon["P-2"] == canon["P-5"]
    # split undoes a cluster without deleting anything
    before = _judgement_count(store)
    assert runner.invoke(app, ["split", "P-5", *db]).exit_code == 0
    assert all(_ids(store)[k] == v for k, v in _canonical(store).items())
    assert _judgement_count(store) == before + 1
    with store.session() as conn:
        latest = views.latest_judgements(conn)
    assert set(latest["author"].to_list()) == {"analyst-1"}
    result = runner.invoke(app, ["clusters", "--db", str(tmp_path / "s.sqlite"), "--json"])
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_unsure_does_not_merge_and_auto_accept_is_marked(store):
    ids = _ids(store)
    with store.transaction() as conn:
        record_judgement(conn, ids["P-1"], ids["P-3"], "unsure", author="analyst-2")
    assert _canonical(store)["P-3"] == ids["P-3"]
    scored = pl.DataFrame(
        {
            "left_id": [ids["P-1"], ids["P-4"]],
            "right_id": [ids["P-2"], ids["P-6"]],
            "score": [0.99, 0.2],
            "reasons": ["{}", "{}"],
        }
    )
    with store.transaction() as conn:
        assert auto_accept(conn, scored, threshold=0.95) == 1
    with store.session() as conn:
        latest = views.latest_judgements(conn).filter(pl.col("decision") == "same")
    assert latest["automatic"].to_list() == [True] and latest["author"].to_list() == [
        AUTOMATIC_AUTHOR
    ]
    with pytest.raises(ValueError):
        with store.transaction() as conn:
            auto_accept(conn, scored, threshold=0.0)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 6), st.integers(1, 6), st.sampled_from(["same", "not_same", "unsure"])
        ),
        max_size=25,
    )
)
def test_clusters_are_components_of_latest_same_judgements(tmp_path_factory, decisions):
    s = open_store(tmp_path_factory.mktemp("c") / "c.sqlite")
    s.init()
    with s.transaction() as conn:
        for i in range(1, 7):
            conn.execute(
                tables.entity.insert().values(
                    id=i,
                    key=f"E{i}",
                    kind="person",
                    caption=f"E{i}",
                    recorded_at=__import__("datetime").datetime(2024, 1, 1),
                )
            )
        latest: dict[tuple[int, int], str] = {}
        for a, b, decision in decisions:
            if a == b:
                continue
            record_judgement(conn, a, b, decision, author="t")
            latest[(min(a, b), max(a, b))] = decision
    graph = nx.Graph()
    graph.add_edges_from(pair for pair, d in latest.items() if d == "same")
    expected = {frozenset(c) for c in nx.connected_components(graph) if len(c) > 1}
    with s.session() as conn:
        frame = clusters(conn)
    got = {frozenset(g["entity_id"].to_list()) for _, g in frame.group_by("canonical_id")}
    assert got == expected
    s.close()


def test_split_breaks_every_tie_to_the_rest(store):
    ids = _ids(store)
    with store.transaction() as conn:
        for a, b in (("P-1", "P-2"), ("P-2", "P-3"), ("P-3", "P-5"), ("P-1", "P-5")):
            record_judgement(conn, ids[a], ids[b], "same", author="a")
        assert split(conn, [ids["P-5"]], author="a", note="different birth year") == 2
    canon = _canonical(store)
    assert canon["P-5"] == ids["P-5"] and canon["P-1"] == canon["P-2"] == canon["P-3"]


def test_auto_accept_never_bridges_an_analysts_not_same(store):
    ids = _ids(store)
    with store.transaction() as conn:
        record_judgement(conn, ids["P-1"], ids["P-5"], "not_same", author="analyst-3")
    # P-2 scores high with both P-1 and P-5: accepting both would put P-1 and P-5 together
    scored = pl.DataFrame(
        {
            "left_id": [ids["P-1"], ids["P-2"]],
            "right_id": [ids["P-2"], ids["P-5"]],
            "score": [0.99, 0.98],
            "reasons": ["{}", "{}"],
        }
    )
    with store.transaction() as conn:
        assert auto_accept(conn, scored, threshold=0.9) == 1
    canon = _canonical(store)
    assert canon["P-1"] == canon["P-2"] != canon["P-5"]
