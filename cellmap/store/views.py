"""Read-only views of the store as Polars data frames: what every analysis reads.

Each view takes an open connection (`Store.session()`), and can be narrowed by a minimum Admiralty
grade (`min_grade="B3"`: reliability A–B and credibility 1–3), and — for relations — a time window.
With `resolved=True`, entity ids are mapped to their cluster's canonical id, computed from the
analysts' "same" judgements (entity resolution); nothing is merged in the tables themselves.

**The one gate.** A connection opened for a caller (`Store.session(visible=compartments)`) carries
the compartments that caller holds, and every view here reads only what they allow: statements,
relations and incident versions whose report is in one of them, judgements of those compartments
between entities the caller can see, and entities that at least one visible statement, relation or
incident names (any other entity does not exist for the caller; its caption is its first visible
name). Rows of a retracted import are read by no one. A connection without `visible` (the local CLI,
the operator) reads every compartment.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, false, func, or_, select, union

from cellmap.lazy import lazy_module
from cellmap.model import RELIABILITY, Grade
from cellmap.store import tables as t

if TYPE_CHECKING:
    import polars as pl
else:  # `cellmap stats` reads counts only: polars is imported by the first frame
    pl = lazy_module("polars")


def visible_compartments(conn: Connection) -> frozenset[str] | None:
    """The compartments the connection's caller holds, or None when it may read everything."""
    return conn.info.get("visible")


@contextmanager
def reading_as(conn: Connection, visible: frozenset[str] | None) -> Iterator[Connection]:
    """For the block, the views on `conn` read as a caller holding `visible` (None: unchanged).
    On a write connection (an import) this narrows the views only, not PostgreSQL's policies."""
    if visible is None:
        yield conn
        return
    before = conn.info.get("visible")
    conn.info["visible"] = frozenset(visible)
    try:
        yield conn
    finally:
        if before is None:
            conn.info.pop("visible", None)
        else:
            conn.info["visible"] = before


def _live(import_id):
    """Rows not brought by a retracted import."""
    return or_(import_id.is_(None), import_id.not_in(select(t.retraction.c.import_id)))


def _report_gate(conn: Connection, report=t.report):
    """The clause every report-backed row must meet: its report visible to the caller and live."""
    clause = _live(report.c.import_id)
    visible = visible_compartments(conn)
    if visible is not None:
        clause = and_(clause, report.c.compartment.in_(sorted(visible)) if visible else false())
    return clause


def _gated(conn: Connection, query, table):
    """`query` (which joins `t.report`) narrowed to rows of `table` the caller may see."""
    return query.where(_report_gate(conn), _live(table.c.import_id))


def visible_entity_ids(conn: Connection, among: Iterable[int] | None = None) -> set[int] | None:
    """Ids of the entities a visible statement, relation or incident names (None: all entities);
    with `among`, only those of these ids."""
    if visible_compartments(conn) is None:
        return None
    s, rel, i = t.statement, t.relation, t.incident
    wanted = None if among is None else sorted(set(among))

    def named_by(table, column):
        joined = select(column.label("id")).join(t.report, t.report.c.id == table.c.report_id)
        if wanted is not None:
            joined = joined.where(column.in_(wanted))
        return _gated(conn, joined, table)

    ids = union(
        named_by(s, s.c.entity_id),
        named_by(rel, rel.c.source_id),
        named_by(rel, rel.c.target_id),
        named_by(i, i.c.entity_id),
        named_by(i, i.c.attributed_to),
    )
    return {row[0] for row in conn.execute(ids) if row[0] is not None}


def _frame(rows: Sequence, schema: Mapping[str, pl.DataType | type[pl.DataType]]) -> pl.DataFrame:
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def _with_grade(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        (pl.col("reliability") + pl.col("credibility").cast(pl.Utf8)).alias("grade")
    )


def _grade_clause(min_grade: str | Grade | None):
    if min_grade is None:
        return None
    grade = Grade.parse(min_grade)
    allowed = list(RELIABILITY[: RELIABILITY.index(grade.reliability) + 1])
    return and_(t.report.c.reliability.in_(allowed), t.report.c.credibility <= grade.credibility)


def reports(conn: Connection) -> pl.DataFrame:
    """Every report with its kind, date, source and Admiralty grade."""
    r = t.report.c
    rows = conn.execute(
        select(
            r.id,
            r.key,
            r.title,
            r.kind,
            r.date,
            r.source,
            r.reliability,
            r.credibility,
            r.synthetic,
        )
        .where(_report_gate(conn))
        .order_by(r.id)
    ).all()
    schema = {
        "report_id": pl.Int64,
        "report_key": pl.Utf8,
        "title": pl.Utf8,
        "kind": pl.Utf8,
        "date": pl.Date,
        "source": pl.Utf8,
        "reliability": pl.Utf8,
        "credibility": pl.Int64,
        "synthetic": pl.Boolean,
    }
    return _with_grade(_frame(rows, schema))


def is_synthetic(conn: Connection) -> bool:
    """True when any report in the store is synthetic (the workbench then shows its banner)."""
    return bool(
        conn.execute(
            select(func.count())
            .select_from(t.report)
            .where(t.report.c.synthetic, _report_gate(conn))
        ).scalar()
    )


# --- entity resolution: clusters from judgements ---------------------------------------------------


def latest_judgements(conn: Connection) -> pl.DataFrame:
    """The latest judgement per unordered pair of entities (later judgements supersede earlier ones).

    A caller sees the judgements of the compartments they hold, between entities they can see."""
    j = t.judgement.c
    query = select(
        j.id, j.left_id, j.right_id, j.decision, j.score, j.author, j.decided_at, j.automatic
    ).order_by(j.id)
    visible = visible_compartments(conn)
    if visible is not None:
        query = query.where(j.compartment.in_(sorted(visible)) if visible else false())
    rows = conn.execute(query).all()
    seen = visible_entity_ids(conn)
    if seen is not None:
        rows = [r for r in rows if r.left_id in seen and r.right_id in seen]
    frame = _frame(
        rows,
        {
            "judgement_id": pl.Int64,
            "left_id": pl.Int64,
            "right_id": pl.Int64,
            "decision": pl.Utf8,
            "score": pl.Float64,
            "author": pl.Utf8,
            "decided_at": pl.Datetime,
            "automatic": pl.Boolean,
        },
    )
    return (
        frame.with_columns(
            pl.min_horizontal("left_id", "right_id").alias("a"),
            pl.max_horizontal("left_id", "right_id").alias("b"),
        )
        .sort("judgement_id")
        .unique(subset=["a", "b"], keep="last", maintain_order=True)
        .drop("a", "b")
    )


def canonical_ids(conn: Connection) -> dict[int, int]:
    """Map each entity judged "same" as another to its cluster's canonical id (the smallest id).

    Clusters are the connected components of the pairs whose latest judgement is "same"
    (union–find with path halving, O(p α(p)) for p pairs). Entities in no such pair map to themselves
    and are left out of the returned dict.
    """
    same = latest_judgements(conn).filter(pl.col("decision") == "same")
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for left, right in same.select("left_id", "right_id").iter_rows():
        a, b = find(left), find(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {x: find(x) for x in list(parent) if find(x) != x}


def resolution_summary(conn: Connection) -> dict:
    """How many persons the person records resolve to: ``{"persons", "records", "automatic_merges",
    "thresholds"}``, counting the automatic ``same`` judgements no later judgement has superseded
    (thresholds as recorded in their reasons)."""
    people = entities(conn, kinds=["person"], resolved=True)
    automatic = latest_judgements(conn).filter((pl.col("decision") == "same") & pl.col("automatic"))
    ids = automatic["judgement_id"].to_list()
    thresholds: set[float] = set()
    if ids:
        j = t.judgement.c
        for (reasons,) in conn.execute(select(j.reasons).where(j.id.in_(ids))).all():
            value = json.loads(reasons or "{}").get("threshold")
            if value is not None:
                thresholds.add(float(value))
    return {
        "persons": people["canonical_id"].n_unique() if people.height else 0,
        "records": people.height,
        "automatic_merges": automatic.height,
        "thresholds": sorted(thresholds),
    }


def resolution_line(summary: dict) -> str:
    """ "N persons from M records (K automatic merges at score ≥ T)": the line every answer carries."""
    thresholds = summary.get("thresholds") or []
    at = f" at score ≥ {', '.join(f'{t:g}' for t in thresholds)}" if thresholds else ""
    return (
        f"{summary['persons']:,} persons from {summary['records']:,} records "
        f"({summary['automatic_merges']:,} automatic merges{at})"
    )


def _map_ids(frame: pl.DataFrame, columns: Iterable[str], mapping: dict[int, int]) -> pl.DataFrame:
    if not mapping:
        return frame
    return frame.with_columns(
        pl.col(c).replace_strict(mapping, default=pl.col(c), return_dtype=pl.Int64) for c in columns
    )


# --- entities and properties -----------------------------------------------------------------------


def entities(
    conn: Connection,
    kinds: Iterable[str] | None = None,
    resolved: bool = True,
    ids: Iterable[int] | None = None,
) -> pl.DataFrame:
    """Entities with their kind and caption; `canonical_id` is their resolved cluster's id. With
    `ids`, only those entities (a page of records, without reading the whole store).

    For a caller with compartments: only the entities they can see, each named by its first visible
    `name` statement (an incident: by its first visible version), never by a caption taken from a
    report they may not read."""
    e = t.entity.c
    wanted = None if ids is None else sorted(set(ids))
    query = select(e.id, e.key, e.kind, e.caption).order_by(e.id)
    if kinds:
        query = query.where(e.kind.in_(list(kinds)))
    if wanted is not None:
        query = query.where(e.id.in_(wanted))
    rows: Sequence[Any] = conn.execute(query).all()
    seen = visible_entity_ids(conn, wanted)
    if seen is not None:
        captions = _visible_captions(conn, wanted)
        rows = [(i, key, kind, captions.get(i)) for i, key, kind, _ in rows if i in seen]
    frame = _frame(
        rows,
        {
            "entity_id": pl.Int64,
            "key": pl.Utf8,
            "kind": pl.Utf8,
            "name": pl.Utf8,
        },
    )
    frame = frame.with_columns(pl.col("entity_id").alias("canonical_id"))
    return _map_ids(frame, ["canonical_id"], canonical_ids(conn) if resolved else {})


def _visible_captions(conn: Connection, among: list[int] | None = None) -> dict[int, str]:
    """Entity id → its first visible name (the caption an import of the visible reports alone gives)."""
    s, i = t.statement.c, t.incident.c
    names = (
        select(s.entity_id, s.value)
        .join(t.report, t.report.c.id == s.report_id)
        .where(s.prop == "name")
        .order_by(s.id)
    )
    versions = (
        select(i.entity_id, i.type, i.date, i.location)
        .join(t.report, t.report.c.id == i.report_id)
        .order_by(i.id)
    )
    if among is not None:
        names, versions = (
            names.where(s.entity_id.in_(among)),
            versions.where(i.entity_id.in_(among)),
        )
    names, versions = _gated(conn, names, t.statement), _gated(conn, versions, t.incident)
    captions: dict[int, str] = {}
    for entity_id, kind, date, location in conn.execute(versions):
        captions.setdefault(entity_id, f"{kind} {date} {location or ''}".strip())
    for entity_id, value in conn.execute(names):
        captions.setdefault(entity_id, value)
    return captions


def properties(
    conn: Connection,
    entity_ids: Iterable[int] | None = None,
    props: Iterable[str] | None = None,
    min_grade: str | Grade | None = None,
) -> pl.DataFrame:
    """Every property statement with the report and grade behind it (conflicting values all kept)."""
    s, r = t.statement.c, t.report.c
    query = (
        select(
            s.entity_id,
            s.prop,
            s.value,
            s.report_id,
            r.key,
            r.reliability,
            r.credibility,
            s.valid_from,
            s.valid_to,
        )
        .join(t.report, t.report.c.id == s.report_id)
        .order_by(s.id)
    )
    query = _gated(conn, query, t.statement)
    if entity_ids is not None:
        query = query.where(s.entity_id.in_(list(entity_ids)))
    if props is not None:
        query = query.where(s.prop.in_(list(props)))
    if (clause := _grade_clause(min_grade)) is not None:
        query = query.where(clause)
    frame = _frame(
        conn.execute(query).all(),
        {
            "entity_id": pl.Int64,
            "prop": pl.Utf8,
            "value": pl.Utf8,
            "report_id": pl.Int64,
            "report_key": pl.Utf8,
            "reliability": pl.Utf8,
            "credibility": pl.Int64,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
        },
    )
    return _with_grade(frame)


# --- relations -------------------------------------------------------------------------------------


def relations(
    conn: Connection,
    kinds: Iterable[str] | None = None,
    min_grade: str | Grade | None = None,
    window: tuple[dt.date | None, dt.date | None] | None = None,
    resolved: bool = True,
) -> pl.DataFrame:
    """Relationship statements with both ends, validity period, attributes, report and grade.

    `window=(start, end)` keeps relations whose validity period overlaps it (an open end overlaps
    everything on that side).
    """
    rel, r = t.relation.c, t.report.c
    src = t.entity.alias("src")
    dst = t.entity.alias("dst")
    query = (
        select(
            rel.id,
            rel.key,
            rel.kind,
            rel.source_id,
            rel.target_id,
            src.c.kind,
            dst.c.kind,
            rel.role,
            rel.valid_from,
            rel.valid_to,
            rel.end_reason,
            rel.attrs,
            rel.report_id,
            r.key,
            r.reliability,
            r.credibility,
        )
        .join(t.report, r.id == rel.report_id)
        .join(src, src.c.id == rel.source_id)
        .join(dst, dst.c.id == rel.target_id)
        .order_by(rel.id)
    )
    query = _gated(conn, query, t.relation)
    if kinds:
        query = query.where(rel.kind.in_(list(kinds)))
    if (clause := _grade_clause(min_grade)) is not None:
        query = query.where(clause)
    if window:
        start, end = window
        if start is not None:
            query = query.where(or_(rel.valid_to.is_(None), rel.valid_to >= start))
        if end is not None:
            query = query.where(or_(rel.valid_from.is_(None), rel.valid_from <= end))
    frame = _frame(
        conn.execute(query).all(),
        {
            "relation_id": pl.Int64,
            "key": pl.Utf8,
            "kind": pl.Utf8,
            "source_id": pl.Int64,
            "target_id": pl.Int64,
            "source_kind": pl.Utf8,
            "target_kind": pl.Utf8,
            "role": pl.Utf8,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "end_reason": pl.Utf8,
            "attrs": pl.Utf8,
            "report_id": pl.Int64,
            "report_key": pl.Utf8,
            "reliability": pl.Utf8,
            "credibility": pl.Int64,
        },
    )
    frame = _with_grade(frame)
    return _map_ids(frame, ["source_id", "target_id"], canonical_ids(conn) if resolved else {})


# --- incidents -------------------------------------------------------------------------------------


@cache
def _incident_schema() -> dict[str, Any]:
    return {
        "incident_id": pl.Int64,
        "key": pl.Utf8,
        "date": pl.Date,
        "date_precision": pl.Utf8,
        "lat": pl.Float64,
        "lon": pl.Float64,
        "geo_precision": pl.Utf8,
        "location": pl.Utf8,
        "admin1": pl.Utf8,
        "admin2": pl.Utf8,
        "admin3": pl.Utf8,
        "country": pl.Utf8,
        "type": pl.Utf8,
        "sub_type": pl.Utf8,
        "outcome": pl.Utf8,
        "fatalities": pl.Int64,
        "actor1": pl.Utf8,
        "attributed_to": pl.Int64,
        "attribution_confidence": pl.Float64,
        "source_dataset": pl.Utf8,
        "source_event_id": pl.Utf8,
        "source_codes": pl.Utf8,
        "mapping": pl.Utf8,
        "notes": pl.Utf8,
        "deleted": pl.Boolean,
        "version_id": pl.Int64,
        "report_id": pl.Int64,
        "report_key": pl.Utf8,
        "reliability": pl.Utf8,
        "credibility": pl.Int64,
    }


def incidents(
    conn: Connection,
    min_grade: str | Grade | None = None,
    include_deleted: bool = False,
    resolved: bool = True,
) -> pl.DataFrame:
    """One row per incident: its latest recorded version (an edit by a later report supersedes the
    earlier one; a deletion hides it unless `include_deleted`)."""
    i, e, r = t.incident.c, t.entity.c, t.report.c
    query = (
        select(
            i.entity_id,
            e.key,
            i.date,
            i.date_precision,
            i.lat,
            i.lon,
            i.geo_precision,
            i.location,
            i.admin1,
            i.admin2,
            i.admin3,
            i.country,
            i.type,
            i.sub_type,
            i.outcome,
            i.fatalities,
            i.actor1,
            i.attributed_to,
            i.attribution_confidence,
            i.source_dataset,
            i.source_event_id,
            i.source_codes,
            i.mapping,
            i.notes,
            i.deleted,
            i.id,
            i.report_id,
            r.key,
            r.reliability,
            r.credibility,
        )
        .join(t.entity, e.id == i.entity_id)
        .join(t.report, r.id == i.report_id)
        .order_by(i.id)
    )
    query = _gated(conn, query, t.incident)
    if (clause := _grade_clause(min_grade)) is not None:
        query = query.where(clause)
    frame = _frame(conn.execute(query).all(), _incident_schema())
    frame = frame.unique(subset=["incident_id"], keep="last", maintain_order=True)
    if not include_deleted:
        frame = frame.filter(~pl.col("deleted"))
    frame = _with_grade(frame).sort("date", "incident_id", nulls_last=True)
    return _map_ids(frame, ["attributed_to"], canonical_ids(conn) if resolved else {})


def counts(conn: Connection) -> dict[str, int]:
    """Rows per table (what `cellmap stats` shows and import tests compare); for a caller with
    compartments, the rows they can see."""
    if visible_compartments(conn) is None:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in _COUNTED
        }
    reports = select(func.count()).select_from(t.report).where(_report_gate(conn))
    out = {"reports": int(conn.execute(reports).scalar_one())}
    out["entities"] = len(visible_entity_ids(conn) or ())
    for name, table in _COUNTED[2:5]:
        query = (
            select(func.count())
            .select_from(table)
            .join(t.report, t.report.c.id == table.c.report_id)
        )
        out[name] = int(conn.execute(_gated(conn, query, table)).scalar_one())
    out["judgements"] = _visible_judgement_count(conn)
    return out


_COUNTED = (
    ("reports", t.report),
    ("entities", t.entity),
    ("statements", t.statement),
    ("relations", t.relation),
    ("incidents", t.incident),
    ("judgements", t.judgement),
)


def _visible_judgement_count(conn: Connection) -> int:
    j = t.judgement.c
    visible = sorted(visible_compartments(conn) or ())
    seen = visible_entity_ids(conn) or set()
    rows = conn.execute(select(j.left_id, j.right_id).where(j.compartment.in_(visible)))
    return sum(1 for a, b in rows if a in seen and b in seen)


def entity_counts(conn: Connection) -> dict[str, int]:
    e = t.entity.c
    seen = visible_entity_ids(conn)
    if seen is not None:
        kinds = entities(conn, resolved=False).filter(pl.col("entity_id").is_in(list(seen)))
        return dict(sorted(kinds.group_by("kind").len().iter_rows()))
    return {
        k: int(n)
        for k, n in conn.execute(select(e.kind, func.count()).group_by(e.kind).order_by(e.kind))
    }


def report_compartments(conn: Connection) -> dict[int, str]:
    """report_id → compartment, for the reports the caller may see (a product's handling line)."""
    r = t.report.c
    rows = conn.execute(select(r.id, r.compartment).where(_report_gate(conn)))
    return {int(i): str(c) for i, c in rows}


def report_grade_counts(conn: Connection) -> dict[str, int]:
    r = t.report.c
    rows = conn.execute(
        select(r.reliability, r.credibility, func.count())
        .where(_report_gate(conn))
        .group_by(r.reliability, r.credibility)
    )
    return {f"{rel}{cred}": int(n) for rel, cred, n in sorted(rows)}


# --- workbench cases: a case carries the compartments its author held when saving it ------------


def known_compartments(conn: Connection) -> frozenset[str]:
    """Every compartment the store knows: of its reports, its judgements and its users' holdings
    (read on an unrestricted connection)."""
    query = union(
        select(t.report.c.compartment),
        select(t.judgement.c.compartment),
        select(t.user_compartment.c.compartment),
    )
    return frozenset(conn.execute(query).scalars())


def joined_compartments(names: Iterable[str]) -> str:
    """Compartments as a case stores them: sorted, comma-joined ('' for none)."""
    return ",".join(sorted(set(names)))


def may_read_case(compartments: str, visible: frozenset[str] | None) -> bool:
    """The rule for cases: a caller reads a case only when holding every compartment it carries
    (`visible` None: the operator, who reads everything)."""
    return visible is None or {c for c in compartments.split(",") if c} <= visible


def cases(
    conn: Connection,
    view: str | None = None,
    case_id: int | None = None,
    limit: int = 500,
    with_state: bool = False,
) -> list:
    """The saved workbench cases the caller may read, newest first (rows of `workbench_case`;
    without `with_state`, their summaries only). A case the caller may not read is absent, exactly
    like a case never saved."""
    c = t.workbench_case.c
    columns = [column for column in c if with_state or column.name != "state"]
    query = select(*columns).order_by(c.updated_at.desc(), c.id.desc())
    if view is not None:
        query = query.where(c.view == view)
    if case_id is not None:
        query = query.where(c.id == case_id)
    visible, found = visible_compartments(conn), []
    for row in conn.execute(query):
        if may_read_case(row.compartments, visible):
            found.append(row)
            if len(found) >= limit:
                break
    return found
