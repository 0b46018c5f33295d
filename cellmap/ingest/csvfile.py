r"""CSV files → cellmap records; which kind of file it is comes from its header (docs/formats.md §3).

The cell codec is shared with the CSV export (`cellmap.export.csvfiles`), so that an export imports
back to the same values: a cell a spreadsheet would run as a formula is written with a leading `'`
(`neutralise`) that the import removes (`restore`); several values of a property are joined by `;`
with `\;` and `\\` escaping a literal `;` and `\`; a property or attribute whose name is one of
the file's own columns (`id`, `target`…) is written under a prefixed column name (`prop:id`,
`attr:target`) that the import strips.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from cellmap.errors import InputError
from cellmap.ingest import acled, gtd
from cellmap.model import incident_fields

MULTI_SEPARATOR = ";"
ESCAPE = "\\"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")
MAX_LINE_CHARS = 4 * 1024 * 1024
PROPERTY_PREFIX = "prop:"
ATTRIBUTE_PREFIX = "attr:"
RELATION_COLUMNS = {
    "id",
    "kind",
    "source",
    "target",
    "role",
    "valid_from",
    "valid_to",
    "end_reason",
    "report",
    "grade",
}
ENTITY_COLUMNS = {"id", "kind", "report", "grade", "valid_from", "valid_to"}
REPORT_COLUMNS = {"id", "title", "kind", "date", "source", "grade", "synthetic", "compartment"}
INCIDENT_SYNONYMS = {
    "event_date": "date",
    "sub_event_type": "sub_type",
    "latitude": "lat",
    "longitude": "lon",
    "event_id_cnty": "source_event_id",
}
INCIDENT_COLUMNS = {"id", "date", "attributed_to", "source_codes", *incident_fields()}
# Column names matched whatever their case (they also decide what kind of file it is); any other
# column (a property, an attribute) keeps its case.
KNOWN_COLUMNS = (
    RELATION_COLUMNS
    | ENTITY_COLUMNS
    | REPORT_COLUMNS
    | INCIDENT_COLUMNS
    | set(INCIDENT_SYNONYMS)
    | {"name"}
    | set(acled.ACLED_REQUIRED + gtd.GTD_REQUIRED + acled.ACLED_DELETIONS_HEADER)
)


def neutralise(text: str) -> str:
    """A cell no spreadsheet runs as a formula: text starting with = + - @ tab or CR (other than a
    plain number) gets a leading `'`, and so does text already starting with `'` and one of those
    (or a second `'`), so that `restore` gives back exactly the original text."""
    if not text:
        return text
    if text[0] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(text):
        return FORMULA_GUARD + text
    if text[0] == FORMULA_GUARD and text[1:2] and text[1] in (*FORMULA_STARTS, FORMULA_GUARD):
        return FORMULA_GUARD + text
    return text


def restore(text: str) -> str:
    """The text `neutralise` was given."""
    if text[:1] == FORMULA_GUARD and text[1:2] and text[1] in (*FORMULA_STARTS, FORMULA_GUARD):
        return text[1:]
    return text


def join_values(values: list[str]) -> str:
    r"""Several values in one cell: `;` between them, `\\` and `\;` inside them."""
    return MULTI_SEPARATOR.join(
        v.replace(ESCAPE, ESCAPE * 2).replace(MULTI_SEPARATOR, ESCAPE + MULTI_SEPARATOR)
        for v in values
    )


def split_values(cell: str) -> list[str]:
    """The values `join_values` joined (a backslash before any other character stays as it is)."""
    values, current, chars = [], [], iter(cell)
    for char in chars:
        if char == ESCAPE:
            following = next(chars, "")
            if following in (ESCAPE, MULTI_SEPARATOR):
                current.append(following)
            else:
                current.append(char + following)
        elif char == MULTI_SEPARATOR:
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return [v.strip() for v in values if v.strip()]


def column_name(name: str, prefix: str, own: tuple[str, ...] = ()) -> str:
    """The column a property or attribute `name` is written under: a prefix keeps it from
    overwriting (or being taken for) one of the known columns, and keeps names that start with the
    prefix apart. `own` are the names that are this file's own value columns (an entity's `name`)."""
    if name not in own and (name.lower() in KNOWN_COLUMNS or name.startswith(prefix)):
        return prefix + name
    return name


def _value_name(column: str, prefix: str) -> str:
    return column[len(prefix) :] if column.startswith(prefix) else column


def _header_name(cell: str) -> str:
    name = cell.strip()
    return name.lower() if name.lower() in KNOWN_COLUMNS else name


def _limited_lines(text: str, path: Path) -> Iterator[str]:
    """The file's physical lines (ends kept, as the csv module wants them), each within the limit."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise InputError(
                f"line longer than {MAX_LINE_CHARS:,} characters", file=str(path), line=number
            )
        yield line


def _rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str] | InputError]]]:
    """The header and (line, row) per record, read strictly: a quote that is never closed, or text
    after a closing quote, stops the file with an error at the line where its record starts; a row
    with the wrong number of fields is an error of its own line (the next rows are read on)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 ({error.reason})", file=str(path), line=line) from None
    if "\x00" in text:
        raise InputError("contains NUL bytes: not a text CSV file", file=str(path))
    reader = csv.reader(_limited_lines(text, path), strict=True)

    def record() -> tuple[int, list[str]] | None:
        start = reader.line_num + 1
        try:
            return start, next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            reason = (
                "a quoted field opened in this record is never closed"
                if "unexpected end of data" in str(error)
                else f"bad CSV: {error}"
            )
            raise InputError(reason, file=str(path), line=start) from None

    first = record()
    if first is None:
        raise InputError("is empty (no header line)", file=str(path), line=1)
    header = [_header_name(h) for h in first[1]]
    if len(set(header)) != len(header) or "" in header:
        raise InputError("header has empty or repeated column names", file=str(path), line=1)

    def rows() -> Iterator[tuple[int, dict[str, str] | InputError]]:
        while (item := record()) is not None:
            line, row = item
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield (
                    line,
                    InputError(
                        f"has {len(row)} fields, the header has {len(header)}",
                        file=str(path),
                        line=line,
                    ),
                )
                continue
            yield line, dict(zip(header, (restore(cell.strip()) for cell in row), strict=True))

    return header, rows()


def _report(row: dict[str, str]):
    if row.get("grade") and row.get("report"):
        return {"id": row["report"], "grade": row["grade"]}
    return row.get("report") or None


def _report_row(row: dict[str, str]) -> dict:
    return {"record": "report", **row}


def _entity_row(row: dict[str, str]) -> dict:
    props = {
        _value_name(name, PROPERTY_PREFIX): split_values(value)
        for name, value in row.items()
        if name not in ENTITY_COLUMNS and value
    }
    return {
        "record": "entity",
        "id": row.get("id"),
        "kind": row.get("kind"),
        "properties": props,
        "valid_from": row.get("valid_from"),
        "valid_to": row.get("valid_to"),
        "report": _report(row),
    }


def _relation_row(row: dict[str, str]) -> dict:
    attrs = {
        _value_name(k, ATTRIBUTE_PREFIX): v
        for k, v in row.items()
        if k not in RELATION_COLUMNS and v != ""
    }
    return {
        "record": "relation",
        **{k: row.get(k) for k in RELATION_COLUMNS if k not in ("report", "grade")},
        "attrs": attrs,
        "report": _report(row),
    }


def _incident_row(row: dict[str, str]) -> dict:
    values = {INCIDENT_SYNONYMS.get(k, k): v for k, v in row.items()}
    record = {k: values[k] for k in INCIDENT_COLUMNS if values.get(k, "") != ""}
    return {"record": "incident", **record, "report": _report(row)}


def _kind(header: list[str], path: Path) -> str:
    columns = set(header)
    if {"kind", "source", "target"} <= columns:
        return "relations"
    if {"id", "type"} <= columns:
        return "incidents"
    if acled.is_acled_deletions_header(columns) and not acled.is_acled_header(columns):
        return "acled_deletions"
    if acled.is_acled_header(columns):
        return "acled"
    if gtd.is_gtd_header(columns):
        return "gtd"
    if {"id", "kind", "name"} <= columns:
        return "entities"
    if {"id", "grade"} <= columns:
        return "reports"
    raise InputError(
        "header not recognised: expected a reports, entities, relations, incidents, ACLED or GTD file "
        "(see docs/formats.md)",
        file=str(path),
        line=1,
    )


ROW_READERS: dict[str, Callable[[dict[str, str]], dict]] = {
    "reports": _report_row,
    "entities": _entity_row,
    "relations": _relation_row,
    "incidents": _incident_row,
}


def _mapped_incidents(
    kind: str, rows: list[tuple[int, dict[str, str]]], path: Path
) -> Iterator[tuple[int, dict]]:
    """ACLED/GTD rows through their adapters (`acled`, `gtd`); line numbers follow each source event."""
    id_field = "event_id_cnty" if kind == "acled" else "eventid"
    line_of = {row.get(id_field, ""): line for line, row in rows}
    convert = acled.acled_rows_to_incidents if kind == "acled" else gtd.gtd_rows_to_incidents
    try:
        records = convert([row for _, row in rows])
    except InputError as error:
        # the mapping counts rows from line 2; the file's own line numbers come from the reader
        index = (error.line or 2) - 2
        line = rows[index][0] if 0 <= index < len(rows) else error.line
        raise InputError(error.reason, file=str(path), line=line, field=error.field) from None
    for record in records:
        yield line_of.get(record.get("source_event_id", ""), 0), record


def file_kind(path: Path) -> str:
    """Which cellmap CSV file `path` is (reports, entities, relations, incidents, acled, gtd,
    acled_deletions), from its header; InputError if the header is none of them."""
    header, _ = _rows(path)
    return _kind(header, path)


def read(path: Path, phase: int | None = None) -> Iterator[tuple[int, dict | InputError]]:
    header, rows = _rows(path)
    kind = _kind(header, path)
    if kind in ("acled", "gtd"):
        good = []
        for line, row in rows:
            if isinstance(row, InputError):
                yield line, row
            else:
                good.append((line, row))
        yield from _mapped_incidents(kind, good, path)
        return
    for line, row in rows:
        if isinstance(row, InputError):
            yield line, row
        elif kind == "acled_deletions":
            for key in acled.acled_deleted_keys([row]):
                yield line, {"record": "deletion", "id": key}
        else:
            yield line, ROW_READERS[kind](row)
