"""The import's fast paths answer exactly as what they replace (issue 16)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellmap import strict_json
from cellmap.errors import InputError, InputErrors
from cellmap.ingest import ftm, jsonl
from cellmap.ingest.importer import attrs_text
from cellmap.ingest.records import _date


def test_ftm_property_names_are_those_of_the_followthemoney_model():
    from followthemoney import model

    names = ftm.ftm_property_names()
    assert set(names) == set(model.schemata)
    for name, schema in model.schemata.items():
        assert names[name] == set(schema.properties), name
    # spot checks: inherited (Thing.name), own (Membership.member), reverse (Person.membershipMember)
    assert {"name", "birthDate", "membershipMember"} <= names["Person"]
    assert {"member", "organization", "role", "startDate"} <= names["Membership"]


def test_reading_ftm_lines_imports_neither_followthemoney_nor_argon2_hashing():
    """An import of FtM lines needs FtM's property names, not its model (0.9 s of CPU to build),
    and the audit record needs no password hash (0.45 s of CPU)."""
    code = (
        "import sys, tempfile, pathlib\n"
        "from cellmap.ingest.ftm import read\n"
        "from cellmap.auth import audit\n"
        "p = pathlib.Path(tempfile.mkdtemp()) / 'a.ftm.jsonl'\n"
        'p.write_text(\'{"id": "p1", "schema": "Person", "properties": {"name": ["A"]}}\\n\')\n'
        "records = [r for _, r in read(p)]\n"
        "assert records[0]['properties'] == {'name': ['A']}, records\n"
        "import cellmap.auth.accounts as accounts\n"
        "print('followthemoney' in sys.modules, accounts._dummy_hash.cache_info().currsize)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "0"]


def lines_one_by_one(path: Path) -> list[tuple[int, object]]:
    """The reader as it was before blocks (issue 16): one `readline` per line. The reference."""
    out: list[tuple[int, object]] = []
    limit = jsonl.MAX_LINE_BYTES
    with open(path, "rb") as handle:
        number = 0
        while raw := handle.readline(limit + 1):
            number += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):
                    raw = handle.readline(limit)
                out.append((number, f"line longer than {limit:,} bytes"))
                continue
            if number == 1 and raw.startswith(jsonl.BOM):
                raw = raw[len(jsonl.BOM) :]
            try:
                text = raw.decode("utf-8").strip()
            except UnicodeDecodeError as error:
                out.append((number, f"not UTF-8 ({error.reason} at byte {error.start})"))
                continue
            if text:
                try:
                    out.append((number, repr(jsonl.parse_line(text))))
                except ValueError as error:
                    out.append((number, str(error)))
    return out


def lines_in_blocks(path: Path) -> list[tuple[int, object]]:
    return [
        (n, v.reason if isinstance(v, InputError) else repr(v)) for n, v in jsonl.json_lines(path)
    ]


PIECES = st.sampled_from(
    [
        b'{"a": [1, 2.5, "x"], "b": null}',
        b'{"n": 123456789012}',  # a long digit run: the strict parser's limits apply
        b'{"n": 12345678901234567890123}',
        b"[" * 20 + b"]" * 20,
        b'{"t": "caf\xc3\xa9 \xe2\x82\xac"}',
        b'{"bad": "\xc3"}',
        b"\xc3",  # a cut character at the line end
        b"\xff\xfe",
        b"\xc2\xa0",  # no-break space: str.strip() removes it, bytes.strip() would not
        b"\x1c",
        b"   ",
        b"",
        b"not json",
        b"\r",
        b"x" * 70,  # longer than the (patched) limit
        b'{"k": "' + b"y" * 40 + b'"}',
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.booleans(),
    st.lists(st.tuples(PIECES, st.sampled_from([b"\n", b"\r\n"])), max_size=12),
    st.booleans(),
    st.integers(1, 64),
)
def test_block_reader_answers_as_the_line_reader(bom, lines, last_newline, block):
    """Every line gives the same value or the same error at the same number, whatever the blocks'
    size, long lines, byte-order mark, cut characters and line ends (limit patched to 48 bytes)."""
    content = (jsonl.BOM if bom else b"") + b"".join(text + end for text, end in lines)
    if lines and not last_newline:
        content = content.rstrip(b"\n")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.jsonl"
        path.write_bytes(content)
        with (
            patch.object(jsonl, "MAX_LINE_BYTES", 48),
            patch.object(jsonl, "BLOCK_BYTES", block),
        ):
            assert lines_in_blocks(path) == lines_one_by_one(path)


def test_the_second_pass_over_ftm_skips_only_lines_that_are_not_relations(tmp_path):
    """Without parsing, pass 2 passes over entity lines; it parses relationships, Events and
    anything spelled with escapes exactly as before (the lines pass 1 refused are ignored by it)."""
    lines = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["A"]}},
        {"id": "m1", "schema": "Membership", "properties": {"member": ["p1"]}},
        {"id": "e1", "schema": "Event", "properties": {"name": ["E"]}},
        {"id": "c1", "schema": "Call", "properties": {"caller": ["p1"], "receiver": ["p1"]}},
        {"id": "o1", "schema": "Organization", "properties": {"name": ["Membership"]}},
    ]
    text = "".join(json.dumps(line) + "\n" for line in lines)
    text += '{"id": "m2", "schema": "Membersh\\u0069p", "properties": {"member": ["p1"]}}\n'
    text += "not json\n"
    path = tmp_path / "mixed.ftm.jsonl"
    path.write_text(text)
    everything = re.compile(b"")
    with patch.object(ftm, "_may_be_wanted_in_phase_2", lambda: everything):
        parsed = list(ftm.read(path, 2))
    skipping = list(ftm.read(path, 2))
    refused_by_pass_1 = {n for n, r in ftm.read(path, 1) if isinstance(r, InputError)}
    assert refused_by_pass_1 == {7}
    keep = [(n, r) for n, r in parsed if n not in refused_by_pass_1]
    assert [(n, r) for n, r in skipping if n not in refused_by_pass_1] == keep
    assert [r["record"] for _, r in keep] == [
        "entity",
        "relation",
        "entity",
        "relation",
        "entity",
        "relation",
    ]


def test_remembered_attrs_text_and_dates_answer_as_computed_ones():
    """attrs_text and _date keep answers per distinct input; True and 1 stay apart, and a bad date
    is refused each time, under the field that holds it."""
    for attrs in ({"count": 1}, {"count": True}, {"date": "2021-01-02"}, {"date": "2021-01-02"}):
        assert attrs_text(attrs) == strict_json.dumps(attrs, sort_keys=True, ensure_ascii=False)
    assert attrs_text({"count": 1}) != attrs_text({"count": True})
    assert _date("2021-03", "valid_from") == (dt.date(2021, 3, 1), "month")
    assert _date("2021-03", "valid_to") == (dt.date(2021, 3, 1), "month")
    for name in ("valid_from", "valid_to"):
        with pytest.raises(InputError) as refused:
            _date("2021-13-01", name)
        assert refused.value.field == name


def _indexes(store) -> list[tuple]:
    with store.session() as conn:
        return conn.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).all()


def _stored_rows(store) -> dict[str, list[tuple]]:
    """Every table's rows without the columns that hold the time of the import."""
    times = {"recorded_at", "started_at", "finished_at", "created_at"}
    rows = {}
    with store.session() as conn:
        tables = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        for (table,) in tables.all():
            info = conn.exec_driver_sql(f'PRAGMA table_info("{table}")').all()
            columns = ", ".join(f'"{c[1]}"' for c in info if c[1] not in times)
            query = f'SELECT {columns} FROM "{table}" ORDER BY rowid'
            rows[table] = conn.exec_driver_sql(query).all()
    return rows


def test_a_large_load_rebuilds_the_indexes_it_drops_and_stores_the_same_rows(tmp_path, sample_file):
    """Into a new store the secondary indexes are dropped and built again at the end: the store then
    has the same indexes (SQLite uses them), the same rows as a load that keeps them, and an import
    that fails after the drop leaves the indexes and the store as they were."""
    from cellmap.ingest import importer
    from cellmap.store import open_store

    kept = open_store(tmp_path / "kept.sqlite")
    kept.init()
    schema = _indexes(kept)
    assert any(name == "ix_statement_entity_id" for name, _, _ in schema)
    with patch.object(importer, "_input_rows", lambda paths: -1):  # never large: indexes kept
        importer.import_files(kept, [sample_file])

    rebuilt = open_store(tmp_path / "rebuilt.sqlite")
    rebuilt.init()
    dropped: list[list] = []
    secondary = importer._secondary_indexes

    def noted(cursor):
        dropped.append(secondary(cursor))
        return dropped[-1]

    with patch.object(importer, "_secondary_indexes", noted):
        importer.import_files(rebuilt, [sample_file])
    assert len(dropped) == 1
    assert {"ix_statement_entity_id", "ix_relation_source_id", "ix_entity_kind"} <= {
        name for name, _ in dropped[0]
    }
    assert not any(name.startswith("ix_incident") for name, _ in dropped[0])
    importer.import_files(rebuilt, [sample_file])  # a second load, of the same rows, into it
    importer.import_files(kept, [sample_file])
    assert _indexes(rebuilt) == schema
    assert _stored_rows(rebuilt) == _stored_rows(kept)
    with rebuilt.session() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM statement WHERE entity_id = 1"
        ).all()
    assert "ix_statement_entity_id" in str(plan)

    failing = open_store(tmp_path / "failing.sqlite")
    failing.init()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(sample_file.read_text() + '{"record": "entity", "id": "X", "kind": "nope"}\n')
    with pytest.raises(InputErrors):
        importer.import_files(failing, [bad])
    assert _indexes(failing) == schema
    assert all(
        not rows for name, rows in _stored_rows(failing).items() if name != "alembic_version"
    )
    for store in (kept, rebuilt, failing):
        store.close()
