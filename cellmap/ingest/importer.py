"""The importer: validated records -> the store, in one transaction (all files land, or none).

Reading runs in two passes over the files: reports and entities first, then relationships and
incidents, so records may refer to entities defined anywhere in the import, in any order. Errors name
the file, line and field; `validate_files` collects them all without writing anything (the workbench
shows them before an import).
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.types import TypeEngine

from cellmap import strict_json
from cellmap.auth import check_compartment, default_compartment
from cellmap.errors import InputError, InputErrors
from cellmap.ingest.formats import read_records
from cellmap.ingest.records import (
    EntityRecord,
    IncidentRecord,
    RelationRecord,
    ReportRecord,
    deletion_key,
    validate,
    validate_incident,
    validate_relation,
    validate_report,
)
from cellmap.model import relation_kinds
from cellmap.store import Store, inserted_id, views
from cellmap.store import tables as t
from cellmap.store.views import counts as table_counts

BATCH = 5000
STATEMENT_COLUMNS = [
    "fingerprint",
    "entity_id",
    "prop",
    "value",
    "report_id",
    "valid_from",
    "valid_to",
    "recorded_at",
    "import_id",
]
PASS1_BUFFER = 100_000
PROGRESS_EVERY = 1000  # records between progress reports (a report per record cost 5% of an import)
Progress = Callable[[int], None]


@dataclass
class ImportResult:
    files: list[str]
    records: int = 0
    added: dict[str, int] = field(default_factory=dict)
    deletions_unknown: int = 0
    seconds: float = 0.0
    errors: list[InputError] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "files": self.files,
            "records": self.records,
            "added": self.added,
            "seconds": round(self.seconds, 3),
            "deletions_unknown": self.deletions_unknown,
            "errors": [e.to_dict() for e in self.errors],
        }


def taken(what: str, key: str) -> InputError:
    """A key the store holds only where the importer may not see: it cannot be taken, and the
    error says no more (not the compartment, not the kind, nothing the record holds)."""
    return InputError(
        f"{what} key {key!r} is taken in the store; give the {what} another id", field="id"
    )


def fingerprint(*parts) -> str:
    text = "\x1f".join(["" if p is None else str(p) for p in parts])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


_ATTRS_TEXT: dict[tuple, str] = {}  # attrs of text values only -> their JSON column text
MAX_ATTRS_KEPT = 100_000


def attrs_text(attrs: dict) -> str:
    """A relationship's attrs as stored: sorted-key JSON. Attrs of text values alone (an import repeats
    them: a call's date) are written once each; others (True and 1 look alike to a dict) every time."""
    key = tuple(attrs.items())
    plain = all(type(value) is str for _, value in key)
    if plain and key in _ATTRS_TEXT:
        return _ATTRS_TEXT[key]
    text = strict_json.dumps(attrs, sort_keys=True, ensure_ascii=False)
    if plain and len(_ATTRS_TEXT) < MAX_ATTRS_KEPT:
        _ATTRS_TEXT[key] = text
    return text


def _statement_fingerprint(key, prop, value, report_id, valid_from, valid_to) -> str:
    """`fingerprint("s", key, prop, value, report_id, valid_from, valid_to)`, spelled out for the
    import's most frequent row (str(x) == f"{x}" for its str, int and date parts)."""
    text = (
        f"s\x1f{key}\x1f{prop}\x1f{value}\x1f{report_id}"
        f"\x1f{'' if valid_from is None else valid_from}\x1f{'' if valid_to is None else valid_to}"
    )
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _bulk_columns(table, rows: list[dict]) -> list[tuple[str, object, TypeEngine]]:
    """(name, default, bind processor) of each column the rows fill or that has a scalar default."""
    keys = set().union(*rows)
    columns = []
    for column in table.columns:
        default = (
            column.default.arg if column.default is not None and column.default.is_scalar else None
        )
        if column.name in keys or default is not None:
            columns.append((column.name, default, column.type))
    return columns


def _driver(conn: Connection) -> Any:
    """The DB-API connection under `conn` (sqlite3 or psycopg), for the bulk paths SQLAlchemy lacks."""
    driver = conn.connection.driver_connection
    assert driver is not None, "an open connection has a driver connection"
    return driver


def _bound(values: Sequence, process: Callable[[Any], Any] | None) -> Sequence:
    """`values` as the driver takes them: SQLAlchemy's bind processor applied once per distinct value
    (a batch repeats its import time, report and dates), None left as NULL."""
    if process is None:
        return values
    memo: dict[tuple[type, Any], Any] = {}
    bound: list[Any] = []
    for value in values:
        if value is None:
            bound.append(None)
            continue
        key = (value.__class__, value)  # the class too: True == 1, but they bind differently
        try:
            bound.append(memo[key])
        except KeyError:
            bound.append(memo.setdefault(key, process(value)))
        except TypeError:  # an unhashable value (a JSON column's dict)
            bound.append(process(value))
    return bound


def _sqlite_execute(
    conn: Connection, table, names: list[str], columns: list, on_conflict: str
) -> None:
    """One prepared INSERT of the columns `names` (their values in `columns`, one sequence per name)
    run by the driver's `executemany` over plain tuples: the same values SQLAlchemy would bind (its
    type processors turn dates, times and booleans into SQLite's forms), without its per-row
    parameter handling, which cost more than SQLite's own work."""
    dialect = conn.dialect
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks}) {on_conflict}'
    bound = [
        _bound(values, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name, values in zip(names, columns, strict=True)
    ]
    _driver(conn).executemany(sql, zip(*bound, strict=True))


def _sqlite_insert(conn: Connection, table, rows: list[dict], on_conflict: str = "") -> None:
    """`_sqlite_execute` of rows given as dicts (a column a row lacks takes its scalar default);
    the columns are taken out of the dicts one by one."""
    columns = _bulk_columns(table, rows)
    _sqlite_execute(
        conn,
        table,
        [name for name, _, _ in columns],
        [[row.get(name, default) for row in rows] for name, default, _ in columns],
        on_conflict,
    )


def _copy(conn: Connection, table_name: str, rows: list[dict]) -> None:
    """PostgreSQL's COPY of rows (dicts with the same keys) into a table, by psycopg's copy API."""
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    with _driver(conn).cursor().copy(f'COPY "{table_name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def insert_rows(conn: Connection, table, rows: list[dict]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: a statement already stored (same fingerprint) is not added again.

    SQLite takes one prepared statement over all rows (`executemany`, inside the import's single
    transaction); PostgreSQL takes COPY into a temporary table and one INSERT … SELECT, which is
    several times faster than row-by-row parameter binding.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        _sqlite_insert(conn, table, rows, "ON CONFLICT (fingerprint) DO NOTHING")
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    temp = f"_load_{table.name}"
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {temp} "
        f'(LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DROP'
    )
    conn.exec_driver_sql(f"TRUNCATE {temp}")
    _copy(conn, temp, rows)
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {temp} '
        f"ON CONFLICT (fingerprint) DO NOTHING"
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Importer:
    """One import (or validation) run on an open connection: both passes over the files."""

    def __init__(
        self,
        conn: Connection,
        paths: list[Path],
        default_report: dict | None,
        progress: Progress | None,
        max_errors: int,
        compartment: str | None = None,
        allowed: frozenset[str] | None = None,
        dry: bool = False,
    ):
        self.conn = conn
        # A dry run (a check) reads the store and writes nothing: new rows get made-up negative ids
        # and `added` counts the rows whose fingerprints the store lacks.
        self.dry = dry
        self.made_up_ids = itertools.count(-1, -1)
        self.added = dict.fromkeys(
            ("reports", "entities", "statements", "relations", "incidents", "judgements"), 0
        )
        self.seen_fingerprints: set[str] = set()
        self.compartment = check_compartment(compartment or default_compartment())
        self.allowed = allowed  # the importer's compartments (None: any, as for the CLI)
        self.paths = paths
        self.default_report = default_report
        self.progress = progress or (lambda n: None)
        self.max_errors = max_errors
        self.errors: list[InputError] = []
        # reported once, not again by the second pass
        self.bad_lines: set[tuple[str, int | None]] = set()
        self.unreadable: set[str] = set()
        self.now = _now()
        self.import_id: int | None = None
        # What the store holds, split into what the importer may see and the keys it may not: a
        # hidden key answers as an absent one (see `take_hidden`), so nothing here tells the
        # importer what other compartments hold.
        self.reports: dict[str, tuple[int, ReportRecord | None]] = {}
        self.stored_reports: dict[str, tuple] = {}
        self.hidden_reports: set[str] = set()
        r = t.report.c
        for rid, key, rel, cred, kind, compartment in conn.execute(
            select(r.id, r.key, r.reliability, r.credibility, r.kind, r.compartment)
        ):
            if allowed is not None and compartment not in allowed:
                self.hidden_reports.add(key)
                continue
            self.reports[key] = (rid, None)
            self.stored_reports[key] = (rel, cred, kind, compartment)
        with views.reading_as(conn, allowed):
            seen = views.visible_entity_ids(conn)
        self.entities: dict[str, tuple[int, str]] = {}
        self.hidden_entities: dict[str, tuple[int, str]] = {}
        for eid, key, kind in conn.execute(select(t.entity.c.id, t.entity.c.key, t.entity.c.kind)):
            known = self.entities if seen is None or eid in seen else self.hidden_entities
            known[key] = (eid, kind)
        self.new_entities: dict[str, tuple[str, str | None]] = {}
        self.statements: list[tuple] = []
        self.records = 0
        self.deletions_unknown = 0

    # -- errors ---------------------------------------------------------------------------------------
    def error(self, error: InputError, path: Path, line: int | None) -> None:
        located = InputError(
            error.reason, file=error.file or str(path), line=error.line or line, field=error.field
        )
        self.errors.append(located)
        self.bad_lines.add((str(path), located.line))
        if len(self.errors) >= self.max_errors:
            raise InputErrors(self.errors)

    def records_of(self, path: Path, phase: int) -> Iterator[tuple[int, object]]:
        if str(path) in self.unreadable:  # its file-level error was reported by the first pass
            return
        try:
            yield from read_records(path, phase)
        except InputErrors:
            raise
        except (
            InputError
        ) as error:  # a file-level error (binary, bad CSV): nothing after it is read
            self.unreadable.add(str(path))
            self.error(error, path, error.line)

    # -- reports --------------------------------------------------------------------------------------
    def file_report(self, path: Path) -> ReportRecord:
        spec = dict(self.default_report or {})
        spec.setdefault("id", f"file:{path.name}")
        spec.setdefault("grade", "F6")
        spec.setdefault("title", path.name)
        return validate_report(spec)

    def report_id(self, ref: str | ReportRecord | None, path: Path) -> int:
        record = (
            ref
            if isinstance(ref, ReportRecord)
            else (self.file_report(path) if ref is None else None)
        )
        key = record.key if record else ref
        if record is not None:
            self.add_report(record)
        if key not in self.reports:
            raise InputError(
                f"report {key!r} is not defined in this import or the store", field="report"
            )
        return self.reports[key][0]

    def add_report(self, record: ReportRecord) -> None:
        stored = self.stored_reports.get(record.key)
        compartment = record.compartment or self.compartment
        if self.allowed is not None and compartment not in self.allowed:
            raise InputError(f"{compartment!r} is not a compartment you hold", field="compartment")
        if record.key in self.hidden_reports:
            raise taken("report", record.key)
        if stored is not None:
            if stored[3] != compartment:
                # The other compartment is not named: the importer may not hold it.
                raise InputError(
                    f"report {record.key!r} is already recorded in another compartment",
                    field="compartment",
                )
            if stored[:2] != (record.grade.reliability, record.grade.credibility):
                raise InputError(
                    f"report {record.key!r} is already recorded with grade {stored[0]}{stored[1]}, "
                    f"not {record.grade}",
                    field="grade",
                )
            return
        self.added["reports"] += 1
        if self.dry:
            rid = next(self.made_up_ids)
        else:
            rid = inserted_id(
                self.conn.execute(
                    insert(t.report).values(
                        key=record.key,
                        title=record.title,
                        kind=record.kind,
                        date=record.date,
                        source=record.source,
                        reliability=record.grade.reliability,
                        credibility=record.grade.credibility,
                        synthetic=record.synthetic,
                        recorded_at=self.now,
                        import_id=self.import_id,
                        compartment=compartment,
                    )
                )
            )
        self.reports[record.key] = (rid, record)
        self.stored_reports[record.key] = (
            record.grade.reliability,
            record.grade.credibility,
            record.kind,
            compartment,
        )

    # -- entities -------------------------------------------------------------------------------------
    def register_entity(self, key: str, kind: str, caption: str | None) -> None:
        if key in self.hidden_entities:
            self.take_hidden(key, kind)
            return
        if key in self.entities:
            known_kind = self.entities[key][1]
        elif key in self.new_entities:
            known_kind = self.new_entities[key][0]
        else:
            self.new_entities[key] = (kind, caption)
            return
        if known_kind != kind:
            raise InputError(
                f"entity {key!r} is already recorded as a {known_kind}, not a {kind}", field="kind"
            )
        if key in self.new_entities and not self.new_entities[key][1] and caption:
            self.new_entities[key] = (kind, caption)

    def take_hidden(self, key: str, kind: str) -> None:
        """An entity the store holds but no row the importer may see names: for the importer it is
        new (counted as added; its statements join the stored entity, whose key is unique). Only a
        different kind cannot be stored: refused as a taken key, without saying what holds it."""
        eid, stored_kind = self.hidden_entities.pop(key)
        if stored_kind != kind:
            self.hidden_entities[key] = (eid, stored_kind)
            raise taken("entity", key)
        self.entities[key] = (eid, kind)
        self.added["entities"] += 1

    def add_entity(self, record: EntityRecord, path: Path) -> None:
        names = record.properties.get("name") or []
        self.register_entity(record.key, record.kind, names[0] if names else None)
        if not any(record.properties.values()):
            return
        report_id = self.report_id(record.report, path)
        for prop, values in record.properties.items():
            for value in values:
                self.statements.append(
                    (record.key, prop, value, report_id, record.valid_from, record.valid_to)
                )

    def flush_entities(self) -> None:
        rows = [
            {
                "key": k,
                "kind": kind,
                "caption": cap,
                "recorded_at": self.now,
                "import_id": self.import_id,
            }
            for k, (kind, cap) in self.new_entities.items()
        ]
        self.added["entities"] += len(rows)
        if self.dry:
            for key, (kind, _caption) in self.new_entities.items():
                self.entities[key] = (next(self.made_up_ids), kind)
            rows = []
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            if self.conn.dialect.name == "sqlite":
                _sqlite_insert(self.conn, t.entity, chunk)
            else:  # new keys only (looked up above), so COPY, with no conflict to settle
                _copy(self.conn, t.entity.name, chunk)
        if rows:
            keys = list(self.new_entities)
            for start in range(0, len(keys), BATCH):
                key_chunk = keys[start : start + BATCH]
                for eid, key, kind in self.conn.execute(
                    select(t.entity.c.id, t.entity.c.key, t.entity.c.kind).where(
                        t.entity.c.key.in_(key_chunk)
                    )
                ):
                    self.entities[key] = (eid, kind)
        self.new_entities.clear()
        entities, now, import_id = self.entities, self.now, self.import_id
        for start in range(0, len(self.statements), BATCH):
            self.write_statements(
                [
                    (
                        _statement_fingerprint(key, prop, value, report_id, valid_from, valid_to),
                        entities[key][0],
                        prop,
                        value,
                        report_id,
                        valid_from,
                        valid_to,
                        now,
                        import_id,
                    )
                    for key, prop, value, report_id, valid_from, valid_to in self.statements[
                        start : start + BATCH
                    ]
                ]
            )
        self.statements.clear()

    def write_statements(self, rows: list[tuple]) -> None:
        """Statement rows (values in STATEMENT_COLUMNS' order): SQLite takes the tuples' columns as
        they are (no dict per row), a dry run and PostgreSQL take them as dicts."""
        if self.dry or self.conn.dialect.name != "sqlite":
            self.write(
                t.statement, [dict(zip(STATEMENT_COLUMNS, row, strict=True)) for row in rows]
            )
            return
        columns = list(zip(*rows, strict=True))
        _sqlite_execute(
            self.conn,
            t.statement,
            STATEMENT_COLUMNS,
            columns,
            "ON CONFLICT (fingerprint) DO NOTHING",
        )

    def entity_id(self, key: str, field_name: str, allowed: list[str] | None = None) -> int:
        if key not in self.entities:
            raise InputError(
                f"entity {key!r} is not defined in this import or the store", field=field_name
            )
        eid, kind = self.entities[key]
        if allowed and kind not in allowed:
            raise InputError(
                f"entity {key!r} is a {kind}; expected {' or '.join(allowed)}", field=field_name
            )
        return eid

    # -- relations and incidents ------------------------------------------------------------------------
    def relation_row(self, record: RelationRecord, path: Path) -> dict:
        spec = relation_kinds()[record.kind]
        source_id = self.entity_id(record.source, "source", spec.get("source"))
        target_id = self.entity_id(record.target, "target", spec.get("target"))
        report_id = self.report_id(record.report, path)
        attrs = attrs_text(record.attrs) if record.attrs else None
        return {
            "fingerprint": fingerprint(
                "r",
                record.kind,
                record.source,
                record.target,
                record.role,
                record.valid_from,
                record.valid_to,
                record.end_reason,
                attrs,
                report_id,
            ),
            "key": record.key,
            "kind": record.kind,
            "source_id": source_id,
            "target_id": target_id,
            "role": record.role,
            "valid_from": record.valid_from,
            "valid_to": record.valid_to,
            "end_reason": record.end_reason,
            "attrs": attrs,
            "report_id": report_id,
            "recorded_at": self.now,
            "import_id": self.import_id,
        }

    def incident_row(self, record: IncidentRecord, path: Path) -> dict:
        values = dict(record.values)
        if values.get("attributed_to"):
            values["attributed_to"] = self.entity_id(values["attributed_to"], "attributed_to")
        report_id = self.report_id(record.report, path)
        row = {
            "entity_id": self.entity_id(record.key, "id", ["incident"]),
            "report_id": report_id,
            "date": record.date,
            "date_precision": record.date_precision,
            "type": record.type,
            "outcome": record.outcome,
            **values,
        }
        row["fingerprint"] = fingerprint("i", record.key, *(row[k] for k in sorted(row)))
        row.update(recorded_at=self.now, import_id=self.import_id)
        return row

    def deletion_row(self, key: str, path: Path) -> dict | None:
        if key not in self.entities:
            self.deletions_unknown += 1
            return None
        eid = self.entities[key][0]
        query = select(t.incident).where(t.incident.c.entity_id == eid)
        if self.allowed is not None:  # the latest version the importer may see is the one retired
            held = select(t.report.c.id).where(t.report.c.compartment.in_(sorted(self.allowed)))
            query = query.where(t.incident.c.report_id.in_(held))
        latest = (
            self.conn.execute(query.order_by(t.incident.c.id.desc()).limit(1)).mappings().first()
        )
        if latest is None:
            self.deletions_unknown += 1
            return None
        report_id = self.report_id(None, path)
        row = {k: v for k, v in latest.items() if k != "id"}
        row.update(
            deleted=True,
            report_id=report_id,
            recorded_at=self.now,
            import_id=self.import_id,
            fingerprint=fingerprint("d", key, report_id),
        )
        return row

    # -- the two passes ---------------------------------------------------------------------------------
    def write(self, table, rows: list[dict]) -> None:
        """Store rows (a dry run counts those the store and this import do not hold yet)."""
        if not self.dry:
            insert_rows(self.conn, table, rows)
            return
        fresh = {row["fingerprint"] for row in rows} - self.seen_fingerprints
        query = select(table.c.fingerprint).where(table.c.fingerprint.in_(list(fresh)))
        stored = set(self.conn.execute(query).scalars()) if fresh else set()
        self.seen_fingerprints |= fresh
        self.added[table.name + "s"] += len(fresh - stored)

    def run(self) -> None:
        if not self.dry:
            self.import_id = inserted_id(
                self.conn.execute(
                    insert(t.import_batch).values(
                        started_at=self.now,
                        files=strict_json.dumps([str(p) for p in self.paths]),
                    )
                )
            )
        unreported = 0
        for path in self.paths:  # pass 1: reports and entities (incidents are entities too)
            for line, raw in self.records_of(path, 1):
                self.records += 1
                unreported += 1
                if unreported == PROGRESS_EVERY:
                    self.progress(unreported)
                    unreported = 0
                if isinstance(raw, InputError):  # a line the reader could not turn into a record
                    self.error(raw, path, line)
                    continue
                kind = raw.get("record") if isinstance(raw, dict) else None
                if kind in ("relation", "deletion"):
                    continue
                try:
                    record = validate(raw)
                    if isinstance(record, ReportRecord):
                        self.add_report(record)
                    elif isinstance(record, EntityRecord):
                        self.add_entity(record, path)
                    elif isinstance(record, IncidentRecord):
                        self.register_entity(
                            record.key,
                            "incident",
                            f"{record.type} {record.date} "
                            f"{record.values.get('location') or ''}".strip(),
                        )
                except InputError as error:
                    self.error(error, path, line)
                if (
                    len(self.statements) + len(self.new_entities) >= PASS1_BUFFER
                    and not self.errors
                ):
                    self.flush_entities()  # bounded memory for large imports; the transaction still spans all
        self.flush_entities()  # even after errors, so that pass 2 reports its own errors too (then all rolls back)
        for (
            path
        ) in self.paths:  # pass 2: relationships and incidents, now that every entity has an id
            buffers: dict = {t.relation: [], t.incident: []}
            for line, raw in self.records_of(path, 2):
                unreported += 1
                if unreported == PROGRESS_EVERY:
                    self.progress(unreported)
                    unreported = 0
                if (str(path), line) in self.bad_lines:
                    continue
                if isinstance(raw, InputError):  # a line only this pass converts (FtM relations)
                    self.error(raw, path, line)
                    continue
                if not isinstance(raw, dict):  # pass 1 reported it
                    continue
                kind = raw.get("record")
                try:
                    if kind == "relation":
                        buffers[t.relation].append(self.relation_row(validate_relation(raw), path))
                    elif kind == "incident":
                        buffers[t.incident].append(self.incident_row(validate_incident(raw), path))
                    elif kind == "deletion":
                        row = self.deletion_row(deletion_key(raw), path)
                        if row:
                            buffers[t.incident].append(row)
                except InputError as error:
                    self.error(error, path, line)
                for table, rows in buffers.items():
                    if len(rows) >= BATCH and not self.errors:
                        self.write(table, rows)
                        rows.clear()
            for table, rows in buffers.items():
                if rows and not self.errors:
                    self.write(table, rows)
        self.progress(unreported)
        if self.errors:
            raise InputErrors(self.errors)


LOAD_CACHE_KIB = 128 * 1024
# The tables whose secondary indexes a large load drops and rebuilds: those the import only appends
# to. Not `incident`: a deletion record looks up the incident it retires by its entity index.
REBUILT_TABLES = ("entity", "statement", "relation")
BYTES_PER_ROW = 80  # about what one stored row takes in an input file (generated FtM: 73)


def _input_rows(paths: list[Path]) -> int:
    """A rough count of the rows the files will add: their size over BYTES_PER_ROW."""
    size = 0
    for path in paths:
        try:
            size += path.stat().st_size
        except OSError:  # the reader reports it, with its file name
            pass
    return size // BYTES_PER_ROW


def _stored_rows(cursor) -> int:
    """About the rows the rebuilt tables hold (their largest ids: no table scan)."""
    return sum(
        int(cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{name}"').fetchone()[0])
        for name in REBUILT_TABLES
    )


def _secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(name, CREATE INDEX text) of the rebuilt tables' own indexes; SQLite's indexes for UNIQUE
    columns (no text) stay, as the import's conflict checks and key look-ups use them."""
    marks = ", ".join("?" for _ in REBUILT_TABLES)
    return cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        REBUILT_TABLES,
    ).fetchall()


@contextmanager
def _bulk_load(conn: Connection, paths: list[Path]) -> Iterator[None]:
    """SQLite settings for the length of one import: a page cache of LOAD_CACHE_KIB (the default 2 MB
    makes every insert into the fingerprint index read pages from disk once the store outgrows it).

    A load about as large as what the store holds (an import into a new store) also drops the
    secondary indexes of the tables it appends to and builds them again, from their own CREATE INDEX
    text, at its end, inside its transaction: one sorted build costs less than keeping nine B-trees
    up to date row by row (100k FtM lines into a new store: 0.4-0.5 s less CPU of 2.2 s in SQLite). If
    the import fails, the rollback brings the indexes back with everything else; other connections
    read their own snapshot, indexes included, until the commit.
    Durability is unchanged: the import is still one transaction, committed with `synchronous=FULL`."""
    if conn.dialect.name != "sqlite":
        yield
        return
    cursor = _driver(conn)
    cache = int(cursor.execute("PRAGMA cache_size").fetchone()[0])
    cursor.execute(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")
    try:
        dropped = []
        if _stored_rows(cursor) <= _input_rows(paths):
            dropped = _secondary_indexes(cursor)
            for name, _ in dropped:
                cursor.execute(f'DROP INDEX "{name}"')
        yield
        for _, create in dropped:  # not after an error: the rollback restores them
            cursor.execute(create)
    finally:
        cursor.execute(f"PRAGMA cache_size={cache}")


def in_file_order(errors: list[InputError], paths: list[Path]) -> list[InputError]:
    """Errors by file (in the order given) and line: the two passes find them out of order."""
    order = {str(p): i for i, p in enumerate(paths)}
    return sorted(errors, key=lambda e: (order.get(e.file or "", -1), e.line or 0))


def import_files(
    store: Store,
    paths: Iterable[str | Path],
    default_report: dict | None = None,
    progress: Progress | None = None,
    max_errors: int = 100,
    compartment: str | None = None,
    allowed: frozenset[str] | None = None,
) -> ImportResult:
    """Import files into the store in one transaction; raises `InputErrors` and stores nothing on bad input.

    Reports that name no compartment go to `compartment` (default: `default`); with `allowed`, a report
    in any other compartment is an error (a web user imports only into compartments they hold)."""
    files = [Path(p) for p in paths]
    result = ImportResult(files=[str(p) for p in files])
    started = time.perf_counter()
    with store.transaction() as conn, _bulk_load(conn, files):
        before = table_counts(conn)
        job = Importer(conn, files, default_report, progress, max_errors, compartment, allowed)
        try:
            job.run()
        except InputErrors as errors:
            raise InputErrors(in_file_order(errors.errors, files)) from None
        after = table_counts(conn)
        result.added = {k: after[k] - before[k] for k in after}
        if allowed is not None:  # entities new to the importer, hidden ones it took included
            result.added["entities"] = job.added["entities"]
        result.records = job.records
        result.deletions_unknown = job.deletions_unknown
        conn.execute(
            t.import_batch.update()
            .where(t.import_batch.c.id == job.import_id)
            .values(finished_at=_now(), counts=strict_json.dumps(result.added))
        )
    result.seconds = time.perf_counter() - started
    return result


def validate_files(
    store: Store,
    paths: Iterable[str | Path],
    default_report: dict | None = None,
    max_errors: int = 1000,
    compartment: str | None = None,
    allowed: frozenset[str] | None = None,
) -> ImportResult:
    """Check files as an import would, against the store's contents (one read snapshot).

    Returns the result with every error found (up to `max_errors`) and what an import would add;
    nothing is ever written, and no write lock is taken, so a check never waits for an import.
    """
    files = [Path(p) for p in paths]
    result = ImportResult(files=[str(p) for p in files])
    started = time.perf_counter()
    with store.base.session() as conn:  # the whole store, as the import itself sees it
        job = Importer(
            conn, files, default_report, None, max_errors, compartment, allowed, dry=True
        )
        try:
            job.run()
            result.added = dict(job.added)
        except InputErrors as errors:
            result.errors = in_file_order(errors.errors, files)
        result.records = job.records
    result.seconds = time.perf_counter() - started
    return result
