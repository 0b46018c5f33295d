"""Hostile files through `cellmap import`, one test per case: each ends with exit code 2 and one
`file:line: field: reason` line per problem (or `file: reason` where no line applies), never a
traceback, and the store exactly as it was (every row of every table compared). A valid file with a
UTF-8 byte-order mark or CRLF line ends imports."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cellmap.cli import app
from cellmap.ingest import import_files
from cellmap.store import tables as t
from cellmap.store import views

runner = CliRunner()
REPORT = {"record": "report", "id": "R-H", "grade": "C3", "title": "hostile-file tests"}


def store_rows(store) -> dict[str, list[tuple]]:
    """Every row of every table (sorted): what 'the store is unchanged' compares."""
    with store.session() as conn:
        return {
            table.name: sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
            for table in t.metadata.sorted_tables
        }


@pytest.fixture
def seeded(any_store, sample_file):
    import_files(any_store, [sample_file])
    return any_store


def run_import(store, path: Path):
    """`cellmap import PATH` on the store: (exit code, error lines without the 'error: ' prefix)."""
    result = runner.invoke(app, ["import", str(path), "--db", store.url], env={"COLUMNS": "1000"})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [
        line.removeprefix("error: ") for line in result.stderr.splitlines() if "error:" in line
    ]
    return result.exit_code, lines


def refused(store, path: Path, expected: list[str]) -> None:
    """The import fails with exactly these problem lines and leaves every row as it was."""
    before = store_rows(store)
    code, lines = run_import(store, path)
    assert code == 2
    assert lines == expected
    assert store_rows(store) == before


def jsonl(path: Path, *records, raw: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + raw, encoding="utf-8")
    return path


def test_a_line_of_100000_nested_brackets(seeded, tmp_path):
    path = jsonl(tmp_path / "deep.jsonl", REPORT, raw="[" * 100_000 + "]" * 100_000 + "\n")
    refused(seeded, path, [f"{path}:2: nested deeper than 16 levels"])


def test_nesting_just_over_the_limit_inside_a_record(seeded, tmp_path):
    deep: object = "x"
    for _ in range(17):
        deep = [deep]
    person = {"record": "entity", "id": "P-D", "kind": "person", "report": "R-H"}
    path = jsonl(tmp_path / "deep2.jsonl", REPORT, {**person, "properties": {"name": deep}})
    refused(seeded, path, [f"{path}:2: nested deeper than 16 levels"])


def test_a_deletion_without_an_id(seeded, tmp_path):
    path = jsonl(tmp_path / "del.jsonl", {"record": "deletion"})
    refused(seeded, path, [f"{path}:1: id: is required"])


def test_a_deletion_whose_id_is_a_list(seeded, tmp_path):
    path = jsonl(tmp_path / "del2.jsonl", {"record": "deletion", "id": ["ACLED-1", "ACLED-2"]})
    refused(seeded, path, [f"{path}:1: id: must be text, not list"])


def test_an_integer_of_400_digits(seeded, tmp_path):
    incident = {
        "record": "incident",
        "id": "I-BIG",
        "date": "2021-01-01",
        "type": "attack",
        "report": "R-H",
    }
    path = jsonl(tmp_path / "big.jsonl", REPORT, raw=json.dumps(incident)[:-1] + ', "fatalities": ' + "9" * 400 + "}\n")  # fmt: skip
    refused(seeded, path, [f"{path}:2: an integer of 400 digits (at most 20)"])


def test_numbers_beyond_a_float(seeded, tmp_path):
    relation = {"record": "relation", "kind": "payment", "source": "SAMPLE-P1",
                "target": "SAMPLE-P2", "report": "R-H"}  # fmt: skip
    path = jsonl(
        tmp_path / "float.jsonl",
        REPORT,
        raw=json.dumps(relation)[:-1] + ', "attrs": {"amount": 1e999}}\n'
        + json.dumps({**relation, "attrs": {"amount": "1e999999999"}}) + "\n"
        + json.dumps(relation)[:-1] + ', "attrs": {"confidence": NaN}}\n',
    )  # fmt: skip
    refused(
        seeded,
        path,
        [
            f"{path}:2: the number 1e999… is too large (at most 40 characters, finite)",
            f"{path}:3: attrs.amount: '1e999999999' is not an amount",
            f"{path}:4: NaN is not a JSON number",
        ],
    )


def test_a_count_too_large_for_its_column(seeded, tmp_path):
    incident = {"record": "incident", "id": "I-F", "date": "2021-01-01", "type": "attack",
                "report": "R-H", "fatalities": 10**12}  # fmt: skip
    path = jsonl(tmp_path / "count.jsonl", REPORT, incident)
    refused(seeded, path, [f"{path}:2: fatalities: 1000000000000 is out of range [0, 2147483647]"])


def test_ftm_extension_properties_that_are_a_list(seeded, tmp_path):
    line = {"id": "ftm-1", "schema": "Person", "properties": {"name": ["Omar"]},
            "cellmap": {"report": "R-F", "properties": ["kunya", "Abu Omar"]}}  # fmt: skip
    path = jsonl(tmp_path / "ext.ftm.jsonl", line)
    refused(seeded, path, [f"{path}:1: cellmap.properties: must be an object"])


def test_ftm_extension_attrs_that_are_a_list(seeded, tmp_path):
    line = {"id": "ftm-2", "schema": "Associate", "properties": {"person": ["SAMPLE-P1"],
            "associate": ["SAMPLE-P2"]}, "cellmap": {"report": "SAMPLE-R1", "attrs": [1, 2]}}  # fmt: skip
    path = jsonl(tmp_path / "ext2.ftm.jsonl", line)
    refused(seeded, path, [f"{path}:1: cellmap.attrs: must be an object"])


def test_a_csv_with_an_unclosed_quote(seeded, tmp_path):
    path = tmp_path / "entities.csv"
    path.write_text(
        'id,kind,name,report,grade\nP-1,person,Omar,R-C,C3\nP-2,person,"Ali,R-C,C3\n'
        "P-3,person,Khalid,R-C,C3\nP-4,person,Yusuf,R-C,C3\n",
        encoding="utf-8",
    )
    refused(seeded, path, [f"{path}:3: a quoted field opened in this record is never closed"])


def test_a_csv_with_text_after_a_closing_quote(seeded, tmp_path):
    path = tmp_path / "entities.csv"
    path.write_text('id,kind,name\nP-1,person,"Omar"x\n', encoding="utf-8")
    refused(seeded, path, [f"{path}:2: bad CSV: ',' expected after '\"'"])


def test_a_csv_row_with_too_many_fields_and_one_with_too_few(seeded, tmp_path):
    path = tmp_path / "entities.csv"
    path.write_text("id,kind,name\nP-1,person,Omar,extra\nP-2,person\n", encoding="utf-8")
    refused(
        seeded,
        path,
        [
            f"{path}:2: has 4 fields, the header has 3",
            f"{path}:3: has 2 fields, the header has 3",
        ],
    )


def test_a_gzip_file(seeded, tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_bytes(gzip.compress(json.dumps(REPORT).encode() + b"\n"))
    refused(seeded, path, [f"{path}: is gzip-compressed: decompress it first"])


def test_a_binary_file(seeded, tmp_path):
    path = tmp_path / "records.csv"
    path.write_bytes(b"id,kind,name\n" + bytes(range(256)))
    refused(seeded, path, [f"{path}: is binary (contains NUL bytes), not a text file"])


def test_a_utf16_file(seeded, tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_bytes((json.dumps(REPORT) + "\n").encode("utf-16"))
    refused(seeded, path, [f"{path}: is UTF-16 text: save it as UTF-8"])


def test_a_latin1_line(seeded, tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_bytes(
        (json.dumps(REPORT) + "\n").encode()
        + '{"record": "report", "id": "R-É", "grade": "B2"}\n'.encode("latin-1")
    )
    refused(seeded, path, [f"{path}:2: not UTF-8 (invalid continuation byte at byte 30)"])


def test_a_line_longer_than_the_limit(seeded, tmp_path):
    path = tmp_path / "long.jsonl"
    title = "x" * (4 * 1024 * 1024)
    path.write_text(json.dumps({**REPORT, "title": title}) + "\n" + json.dumps(REPORT) + "\n")
    refused(seeded, path, [f"{path}:1: line longer than 4,194,304 bytes"])


def test_an_unpaired_surrogate(seeded, tmp_path):
    path = tmp_path / "surrogate.jsonl"
    path.write_text('{"record": "report", "id": "R-S", "grade": "B2", "title": "\\ud800"}\n')
    refused(seeded, path, [f"{path}:1: title: contains an unpaired surrogate (not a character)"])


def test_a_role_longer_than_its_column(seeded, tmp_path):
    relation = {"record": "relation", "kind": "association", "source": "SAMPLE-P1",
                "target": "SAMPLE-P2", "report": "R-H", "role": "r" * 65}  # fmt: skip
    path = jsonl(tmp_path / "role.jsonl", REPORT, relation)
    refused(seeded, path, [f"{path}:2: role: is longer than 64 characters"])


def test_a_gtd_year_beyond_the_calendar(seeded, tmp_path):
    path = tmp_path / "gtd.csv"
    path.write_text(
        "eventid,iyear,imonth,iday,attacktype1_txt,success,nkill\n"
        "1,2015,1,2,Bombing/Explosion,1,0\n"
        "2,99999999999999999999,1,2,Bombing/Explosion,1,1e999\n",
        encoding="utf-8",
    )
    code, lines = run_import(seeded, path)
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(f"{path}:3: iyear/imonth/iday: ")


def test_an_acled_fatality_count_beyond_a_float(seeded, tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,sub_event_type,fatalities\n"
        "SYR1,2021-01-01,Battles,Armed clash,1e999\n",
        encoding="utf-8",
    )
    refused(seeded, path, [f"{path}:2: fatalities: not a count: '1e999'"])


def test_an_empty_file(seeded, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    refused(seeded, path, [f"{path}:1: is empty (no header line)"])


def test_several_problems_are_listed_one_line_each(seeded, tmp_path):
    path = jsonl(
        tmp_path / "many.jsonl",
        REPORT,
        {"record": "deletion", "id": {"a": 1}},
        {"record": "entity", "id": "P-X", "kind": "dragon", "report": "R-H"},
        raw="{not json\n",
    )
    refused(
        seeded,
        path,
        [
            f"{path}:2: id: must be text, not dict",
            f"{path}:3: kind: 'dragon' is not one of: "
            + ", ".join(__import__("cellmap.model", fromlist=["x"]).entity_kinds()),
            f"{path}:4: invalid JSON: Expecting property name enclosed in double quotes (column 2)",
        ],
    )


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_bom_and_crlf_files_import(any_store, tmp_path, ending, bom):
    person = {"record": "entity", "id": "P-B", "kind": "person", "report": "R-H",
              "properties": {"name": ["Omar"]}}  # fmt: skip
    lines = [json.dumps(REPORT), json.dumps(person)]
    (tmp_path / "a.jsonl").write_bytes(bom + ending.join(lines).encode() + ending.encode())
    ftm = {"id": "ftm-b", "schema": "Person", "properties": {"name": ["Ali"]},
           "cellmap": {"report": "R-H"}}  # fmt: skip
    (tmp_path / "b.ftm.jsonl").write_bytes(bom + json.dumps(ftm).encode() + ending.encode())
    rows = ["id,kind,name,report", "P-C,person,Khalid,R-H", 'P-D,person,"Yusuf, the elder",R-H']
    (tmp_path / "c.csv").write_bytes(bom + ending.join(rows).encode() + ending.encode())
    files = [tmp_path / "a.jsonl", tmp_path / "b.ftm.jsonl", tmp_path / "c.csv"]
    result = runner.invoke(app, ["import", *map(str, files), "--db", any_store.url])
    assert result.exit_code == 0, result.output
    with any_store.session() as conn:
        names = views.properties(conn, props=["name"])["value"].to_list()
    assert sorted(names) == ["Ali", "Khalid", "Omar", "Yusuf, the elder"]
