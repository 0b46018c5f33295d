"""A compartmented demo-like case for the compartment oracle: the synthetic scenario (small size,
cellmap format) with its reports spread over three compartments, judgements in each, and the same
case reduced to the rows of some compartments only (what a store holding only them would hold)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from sqlalchemy import delete, select

from cellmap.ingest import import_files
from cellmap.resolve.judgements import record_judgement
from cellmap.store import tables as t

COMPARTMENTS = ("default", "partner", "humint")


def compartment_of(report_key: str) -> str:
    return COMPARTMENTS[int(report_key.rsplit("-", 1)[1]) % len(COMPARTMENTS)]


@cache
def scenario(folder: Path) -> tuple[Path, ...]:
    """The scenario's files, each report given a compartment (`compartment` field of report records)."""
    from cellmap.scenario import generate, scenario_files

    generate(7, "demo", folder, persons=150, incidents=200, comms=300, entity_format="cellmap")
    files = scenario_files(folder)
    reports = folder / "reports.jsonl"
    lines = []
    for line in reports.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record["compartment"] = compartment_of(record["id"])
        lines.append(json.dumps(record, ensure_ascii=False))
    reports.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tuple(files)


def build(store, files) -> None:
    """Import the case and record judgements in each compartment (the same ids on every build)."""
    import_files(store, files)
    with store.transaction() as conn:
        persons = list(
            conn.execute(
                select(t.entity.c.id).where(t.entity.c.kind == "person").order_by(t.entity.c.id)
            ).scalars()
        )
        for i, compartment in enumerate(COMPARTMENTS * 2):
            left, right = persons[2 * i], persons[2 * i + 1]
            decision = ("same", "not_same", "unsure")[i % 3]
            record_judgement(
                conn, left, right, decision, author="tester", compartment=compartment, score=0.5
            )


def keep_only(store, compartments: set[str]) -> None:
    """Make `store` what an import of only these compartments gives: delete every row of the other
    compartments (reports, what they support, judgements), the entities no remaining row names, and
    name each remaining entity by its first remaining name. Ids stay those of the full store."""
    from cellmap.store import views

    held = sorted(compartments)
    with store.scoped(frozenset(compartments)).session() as conn:
        seen = views.visible_entity_ids(conn) or set()
        captions = views._visible_captions(conn)
    with store.transaction() as conn:
        hidden = select(t.report.c.id).where(t.report.c.compartment.not_in(held))
        for table in (t.statement, t.relation, t.incident):
            conn.execute(delete(table).where(table.c.report_id.in_(hidden)))
        j = t.judgement.c
        conn.execute(delete(t.judgement).where(j.compartment.not_in(held)))
        gone = select(t.entity.c.id).where(t.entity.c.id.not_in(sorted(seen)))
        conn.execute(delete(t.judgement).where(j.left_id.in_(gone) | j.right_id.in_(gone)))
        conn.execute(delete(t.review_candidate))  # a cache, scored again on demand
        conn.execute(delete(t.review_queue))
        conn.execute(delete(t.report).where(t.report.c.compartment.not_in(held)))
        conn.execute(delete(t.entity).where(t.entity.c.id.not_in(sorted(seen))))
        conn.execute(t.entity.update().values(caption=None))  # no visible name: no caption
        for entity_id, caption in captions.items():
            conn.execute(
                t.entity.update().where(t.entity.c.id == entity_id).values(caption=caption)
            )
