"""Broken and hostile files: a clear error naming file, line and field, and the store left exactly as it was."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellmap.errors import InputError
from cellmap.ingest import import_files, validate_files
from cellmap.store import views

REPORT = {"record": "report", "id": "R", "grade": "B2", "kind": "analyst_note"}
PERSON = {
    "record": "entity",
    "id": "P",
    "kind": "person",
    "report": "R",
    "properties": {"name": ["A B"]},
}
CELL = {
    "record": "entity",
    "id": "C",
    "kind": "cell",
    "report": "R",
    "properties": {"name": ["Cell"]},
}
GOOD = [REPORT, PERSON, CELL]


def write_lines(path, records):
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
        encoding="utf-8",
    )
    return path


CASES = [
    # (bad record, line it sits on, field the error must name)
    ({"record": "entity", "id": "X", "kind": "persn", "report": "R"}, 4, "kind"),
    ({"record": "entity", "kind": "person", "report": "R"}, 4, "id"),
    (
        {
            "record": "relation",
            "kind": "membership",
            "source": "P",
            "target": "C",
            "role": "chef",
            "report": "R",
        },
        4,
        "role",
    ),
    (
        {
            "record": "relation",
            "kind": "membership",
            "source": "P",
            "target": "NOPE",
            "report": "R",
        },
        4,
        "target",
    ),
    (
        {"record": "relation", "kind": "membership", "source": "C", "target": "P", "report": "R"},
        4,
        "source",
    ),
    (
        {
            "record": "relation",
            "kind": "kinship",
            "source": "P",
            "target": "P",
            "valid_from": "2020-13-01",
            "report": "R",
        },
        4,
        "valid_from",
    ),
    (
        {
            "record": "relation",
            "kind": "payment",
            "source": "P",
            "target": "C",
            "attrs": {"amount": "lots"},
            "report": "R",
        },
        4,
        "attrs.amount",
    ),
    (
        {
            "record": "incident",
            "id": "I",
            "date": "2021-01-01",
            "type": "attack",
            "lat": 95,
            "lon": 38,
            "report": "R",
        },
        4,
        "lat",
    ),
    (
        {"record": "incident", "id": "I", "date": "2021-01-01", "type": "parade", "report": "R"},
        4,
        "type",
    ),
    ({"record": "incident", "id": "I", "type": "attack", "report": "R"}, 4, "date"),
    (
        {
            "record": "incident",
            "id": "I",
            "date": "2021-01-01",
            "type": "attack",
            "fatalities": -2,
            "report": "R",
        },
        4,
        "fatalities",
    ),
    (
        {
            "record": "entity",
            "id": "P2",
            "kind": "person",
            "report": "MISSING",
            "properties": {"name": ["x"]},
        },
        4,
        "report",
    ),
    ({"record": "report", "id": "R9", "grade": "G7"}, 4, "grade"),
    (
        {
            "record": "entity",
            "id": "C",
            "kind": "person",
            "report": "R",
            "properties": {"name": ["x"]},
        },
        4,
        "kind",
    ),
    ("{not json", 4, None),
    ("[1, 2]", 4, None),
]


@pytest.mark.parametrize("bad,line,field", CASES)
def test_error_names_file_line_and_field_and_stores_nothing(
    any_store, sample_file, tmp_path, bad, line, field
):
    import_files(any_store, [sample_file])
    with any_store.session() as conn:
        before = views.counts(conn)
    path = write_lines(tmp_path / "bad.jsonl", GOOD + [bad])
    with pytest.raises(InputError) as caught:
        import_files(any_store, [path])
    error = caught.value
    assert error.file == str(path)
    assert error.line == line
    if field:
        assert error.field == field
    with any_store.session() as conn:
        assert views.counts(conn) == before


def test_an_error_in_the_second_file_rolls_back_the_first(sqlite_store, tmp_path):
    good = write_lines(tmp_path / "good.jsonl", GOOD)
    bad = write_lines(
        tmp_path / "bad.jsonl",
        [
            {
                "record": "relation",
                "kind": "membership",
                "source": "P",
                "target": "GHOST",
                "report": "R",
            }
        ],
    )
    with pytest.raises(InputError) as caught:
        import_files(sqlite_store, [good, bad])
    assert (caught.value.file, caught.value.line, caught.value.field) == (str(bad), 1, "target")
    with sqlite_store.session() as conn:
        assert views.counts(conn)["entities"] == 0


def test_validation_lists_every_error_once_and_stores_nothing(sqlite_store, tmp_path):
    bad_incident = {
        "record": "incident",
        "id": "I",
        "date": "2021-02-30",
        "type": "attack",
        "report": "R",
    }
    path = write_lines(
        tmp_path / "bad.jsonl", GOOD + [bad for bad, _, _ in CASES[:4]] + [bad_incident]
    )
    result = validate_files(sqlite_store, [path])
    assert [(e.line, e.field) for e in result.errors] == [
        (4, "kind"),
        (5, "id"),
        (6, "role"),
        (7, "target"),
        (8, "date"),
    ]
    with sqlite_store.session() as conn:
        assert views.counts(conn)["entities"] == 0


@pytest.mark.parametrize(
    "content,line",
    [
        (b"id,kind,name\nP1,person\n", 2),  # too few fields
        (b"\xff\xfe\x00garbage", None),  # not UTF-8
        (b"", 1),  # empty
        (b"foo,bar\n1,2\n", 1),  # header not recognised
        (b"kind,source,target\nmembership,,C\n", 2),  # empty source
    ],
)
def test_broken_csv(sqlite_store, tmp_path, content, line):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        import_files(sqlite_store, [path])
    assert caught.value.file == str(path)
    if line is not None:
        assert caught.value.line == line


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(string.ascii_letters + "_", max_size=10), inner, max_size=3),
    ),
    max_leaves=8,
)
FIELDS = [
    "record",
    "id",
    "kind",
    "source",
    "target",
    "role",
    "report",
    "properties",
    "attrs",
    "date",
    "type",
    "outcome",
    "lat",
    "lon",
    "valid_from",
    "valid_to",
    "end_reason",
    "fatalities",
    "grade",
    "attributed_to",
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    records=st.lists(
        st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8), min_size=1, max_size=4
    ),
    base=st.sampled_from(
        [
            PERSON,
            CELL,
            {
                "record": "relation",
                "kind": "membership",
                "source": "P",
                "target": "C",
                "role": "fighter",
                "report": "R",
            },
            {
                "record": "incident",
                "id": "I",
                "date": "2021-01-01",
                "type": "attack",
                "report": "R",
            },
        ]
    ),
)
def test_hostile_records_are_refused_cleanly_or_stored_whole(sqlite_store, tmp_path, records, base):
    with sqlite_store.session() as conn:
        before = views.counts(conn)
    mutated = [{**base, **record} for record in records]
    path = write_lines(tmp_path / "fuzz.jsonl", GOOD + mutated)
    try:
        result = import_files(sqlite_store, [path])
    except InputError as error:
        assert error.file == str(path) and error.line is not None
        with sqlite_store.session() as conn:
            assert views.counts(conn) == before
    else:
        with sqlite_store.session() as conn:
            after = views.counts(conn)
        assert {k: after[k] - before[k] for k in after} == result.added


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(blob=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".jsonl", ".ftm.jsonl"]))
def test_random_bytes_never_crash_the_importer(sqlite_store, tmp_path, blob, suffix):
    path = tmp_path / f"blob{suffix}"
    path.write_bytes(blob)
    try:
        import_files(sqlite_store, [path])
    except InputError as error:
        assert error.file == str(path)
    with sqlite_store.session() as conn:
        assert views.counts(conn)["relations"] == 0
