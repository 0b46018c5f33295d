"""CLI commands for: Entity resolution: candidates, review, judgements, clusters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import Progress
from rich.table import Table

from cellmap import strict_json
from cellmap.cliutil import (
    DbOption,
    EngineOption,
    JsonOption,
    SparkConfOption,
    SparkMasterOption,
    emit_json,
    engine_name,
    err,
    fail,
    load_store,
    out,
    spark_from_options,
    user_errors,
)
from cellmap.errors import InputError
from cellmap.lazy import lazy_module

if TYPE_CHECKING:
    import polars as pl
else:  # imported by the first command that uses it (fast start)
    pl = lazy_module("polars")

# Its help line is kept with the other groups' in cellmap/cli.py (GROUPS).
app = typer.Typer(no_args_is_help=True)
DECIDED = ("same", "not_same")  # an 'unsure' pair stays in the review queue
QueueOption = typer.Option(
    None, "--queue", help="Review-queue file (default: resolve-queue.jsonl next to the store)."
)
AuthorOption = typer.Option(
    None, "--author", help="Who decides (default: CELLMAP_AUTHOR or the login name)."
)


def _queue_path(store, queue: Path | None) -> Path:
    if queue is not None:
        return queue
    if store.dialect == "sqlite" and store.engine.url.database:
        return Path(store.engine.url.database).with_name("resolve-queue.jsonl")
    return Path("data") / "resolve-queue.jsonl"


def _entity_id(conn, ref: str) -> int:
    from sqlalchemy import select

    from cellmap.store import tables as t

    row = conn.execute(select(t.entity.c.id).where(t.entity.c.key == ref)).first()
    if row is None and ref.isdigit():
        row = conn.execute(select(t.entity.c.id).where(t.entity.c.id == int(ref))).first()
    if row is None:
        raise InputError(f"no entity with key or id {ref!r}", field="entity")
    return int(row[0])


@app.command("candidates")
def candidates_cmd(
    db: str | None = DbOption,
    min_score: float = typer.Option(0.3, help="Keep pairs scoring at least this for review."),
    auto_accept: float | None = typer.Option(
        None, help="Record automatic 'same' judgements at or above this score (off unless given)."
    ),
    max_block: int = typer.Option(50, help="Largest blocking-key block compared."),
    per_record: int = typer.Option(10, help="Best-partners kept per record after the pre-score."),
    queue: Path | None = QueueOption,
    limit: int = typer.Option(50, help="Rows shown."),
    engine: str = EngineOption,
    spark_master: str | None = SparkMasterOption,
    spark_conf: list[str] | None = SparkConfOption,
    as_json: bool = JsonOption,
) -> None:
    """Find candidate pairs of person entities (blocking + scoring) and fill the review queue.

    With --engine spark: blocking as Spark joins and the scorer applied per partition."""
    from cellmap.resolve.candidates import block, same_report_pairs, score_candidates, store_records
    from cellmap.resolve.judgements import auto_accept as accept_above
    from cellmap.resolve.judgements import judged_pairs
    from cellmap.resolve.score import score_pair

    with user_errors():
        session = (
            spark_from_options(spark_master, spark_conf) if engine_name(engine) == "spark" else None
        )
    store = load_store(db)
    with Progress(console=err, transient=True, disable=as_json) as progress:
        task = progress.add_task("reading persons", total=3)
        with store.session() as conn:
            records = store_records(conn)
            judged = judged_pairs(conn, DECIDED)
        progress.update(task, advance=1, description="blocking")
        if session is not None:
            from cellmap.resolve import spark_engine

            pairs = spark_engine.block(session, records, max_block=max_block, per_record=per_record)
            progress.update(task, advance=1, description=f"scoring {pairs.height} pairs on Spark")
            scored = spark_engine.score_candidates(session, records, pairs)
        else:
            pairs = block(records, max_block=max_block, per_record=per_record)
            progress.update(task, advance=1, description=f"scoring {pairs.height} pairs")
            scored = score_candidates(records, pairs)
        progress.update(task, advance=1)
    accepted = 0
    if auto_accept is not None:  # on every scored pair: the low ones carry the cannot-links
        with store.transaction() as conn:
            accepted = accept_above(
                conn, scored, auto_accept, cannot_link=same_report_pairs(records)
            )
        with store.session() as conn:
            judged = judged_pairs(conn, DECIDED)
    scored = scored.filter(pl.col("score") >= min_score).sort("score", descending=True)
    pending = (
        scored.filter(
            ~pl.struct("left_id", "right_id").map_elements(
                lambda s: (s["left_id"], s["right_id"]) in judged, return_dtype=pl.Boolean
            )
        )
        if judged and not scored.is_empty()
        else scored
    )
    path = _queue_path(store, queue)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = dict(zip(records["record_id"].to_list(), records["name"].to_list(), strict=False))
    rows = []
    for r in pending.iter_rows(named=True):
        reasons = json.loads(r["reasons"])
        explained = score_pair(
            names.get(r["left_id"]) or "", names.get(r["right_id"]) or "", "Person", explain=True
        )
        reasons["agree"], reasons["differ"] = explained.agree, explained.differ
        rows.append(
            {
                "left_id": r["left_id"],
                "right_id": r["right_id"],
                "left_name": names.get(r["left_id"]),
                "right_name": names.get(r["right_id"]),
                "score": round(r["score"], 4),
                "reasons": reasons,
            }
        )
    path.write_text(
        "".join(strict_json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    summary = {
        "persons": records.height,
        "blocked_pairs": pairs.height,
        "queued": len(rows),
        "auto_accepted": accepted,
        "auto_accept_threshold": auto_accept,
        "queue": str(path),
    }
    if as_json:
        emit_json({"summary": summary, "candidates": rows[:limit]})
        return
    table = Table(title=f"Candidate pairs ({len(rows)} queued, {accepted} auto-accepted)")
    for col in ("left", "right", "score", "agree", "differ"):
        table.add_column(col)
    for r in rows[:limit]:
        table.add_row(
            f"{r['left_id']} {r['left_name']}",
            f"{r['right_id']} {r['right_name']}",
            f"{r['score']:.3f}",
            "\n".join(r["reasons"].get("agree", [])),
            "\n".join(r["reasons"].get("differ", [])),
        )
    out().print(table)
    out().print(f"queue: {path}")


@app.command("review")
def review_cmd(
    db: str | None = DbOption,
    queue: Path | None = QueueOption,
    limit: int = typer.Option(20, help="Pairs shown."),
    as_json: bool = JsonOption,
) -> None:
    """Show the pending pairs side by side, with the parts that agree and differ."""
    from cellmap.resolve.candidates import store_records
    from cellmap.resolve.judgements import judged_pairs
    from cellmap.resolve.score import score_pair

    store = load_store(db)
    path = _queue_path(store, queue)
    if not path.exists():
        fail(
            InputError(
                "no review queue yet; run `cellmap resolve candidates` first", file=str(path)
            )
        )
    queued = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    with store.session() as conn:
        judged = judged_pairs(conn, DECIDED)
        records = store_records(conn)
    by_id = {r["record_id"]: r for r in records.iter_rows(named=True)}
    pending = [q for q in queued if tuple(sorted((q["left_id"], q["right_id"]))) not in judged][
        :limit
    ]
    shown = []
    for q in pending:
        left, right = by_id.get(q["left_id"], {}), by_id.get(q["right_id"], {})
        explained = score_pair(
            left.get("name") or "", right.get("name") or "", "Person", explain=True
        )
        shown.append(
            {
                "left": {k: v for k, v in left.items() if v not in (None, [], "")},
                "right": {k: v for k, v in right.items() if v not in (None, [], "")},
                "score": q["score"],
                "agree": explained.agree,
                "differ": explained.differ,
                "attributes": q["reasons"].get("attributes", {}),
                # who else carries a bare kunya or laqab in the record's cell, or above it
                "collective": {
                    k: q["reasons"][k]
                    for k in ("unit_epithet", "uplink_epithet")
                    if k in q["reasons"]
                },
            }
        )
    if as_json:
        emit_json(shown)
        return
    for item in shown:
        table = Table(title=f"score {item['score']:.3f}", show_header=True)
        table.add_column("field")
        table.add_column(f"left {item['left'].get('record_id')}")
        table.add_column(f"right {item['right'].get('record_id')}")
        for field in sorted(set(item["left"]) | set(item["right"]) - {"record_id", "schema"}):
            table.add_row(
                field, str(item["left"].get(field, "")), str(item["right"].get(field, ""))
            )
        table.add_row("[green]agree[/green]", "\n".join(item["agree"]), "")
        table.add_row("[red]differ[/red]", "\n".join(item["differ"]), "")
        for name, detail in item["collective"].items():
            table.add_row(name, strict_json.dumps(detail), "")
        out().print(table)
    if not shown:
        out().print("review queue is empty")


def _judge(
    decision: str,
    left: str,
    right: str,
    db: str | None,
    author: str | None,
    note: str,
    as_json: bool,
) -> None:
    from sqlalchemy import select

    from cellmap.resolve.judgements import default_author, record_judgement
    from cellmap.store import tables as t

    store = load_store(db)
    with user_errors(), store.transaction() as conn:
        left_id, right_id = _entity_id(conn, left), _entity_id(conn, right)
        names = dict(
            conn.execute(
                select(t.entity.c.id, t.entity.c.caption).where(
                    t.entity.c.id.in_([left_id, right_id])
                )
            ).all()
        )
        from cellmap.resolve.score import score_pair

        scored = score_pair(
            names.get(left_id) or "", names.get(right_id) or "", "Person", explain=True
        )
        reasons = scored.reasons() | {"note": note} if note else scored.reasons()
        jid = record_judgement(
            conn,
            left_id,
            right_id,
            decision,
            author=author or default_author(),
            score=scored.score,
            reasons=reasons,
        )
    result = {"judgement_id": jid, "left_id": left_id, "right_id": right_id, "decision": decision}
    if as_json:
        emit_json(result)
    else:
        out().print(f"judgement {jid}: {left_id} {decision} {right_id}")


@app.command("accept")
def accept_cmd(
    left: str,
    right: str,
    db: str | None = DbOption,
    author: str | None = AuthorOption,
    note: str = typer.Option("", help="Why."),
    as_json: bool = JsonOption,
) -> None:
    """Judge two entities (key or id) the same person."""
    _judge("same", left, right, db, author, note, as_json)


@app.command("reject")
def reject_cmd(
    left: str,
    right: str,
    db: str | None = DbOption,
    author: str | None = AuthorOption,
    note: str = typer.Option("", help="Why."),
    as_json: bool = JsonOption,
) -> None:
    """Judge two entities (key or id) different persons."""
    _judge("not_same", left, right, db, author, note, as_json)


@app.command("unsure")
def unsure_cmd(
    left: str,
    right: str,
    db: str | None = DbOption,
    author: str | None = AuthorOption,
    note: str = typer.Option("", help="Why."),
    as_json: bool = JsonOption,
) -> None:
    """Record that the pair was looked at and cannot be decided yet."""
    _judge("unsure", left, right, db, author, note, as_json)


@app.command("split")
def split_cmd(
    entities: list[str],
    db: str | None = DbOption,
    author: str | None = AuthorOption,
    note: str = typer.Option("", help="Why."),
    as_json: bool = JsonOption,
) -> None:
    """Split entities (keys or ids) off their resolved cluster (records 'not_same' judgements)."""
    from cellmap.resolve.judgements import default_author, split

    store = load_store(db)
    with user_errors(), store.transaction() as conn:
        ids = [_entity_id(conn, e) for e in entities]
        written = split(conn, ids, author=author or default_author(), note=note)
    if as_json:
        emit_json({"split_off": ids, "judgements": written})
    else:
        out().print(f"split {ids} off their cluster ({written} not_same judgements)")


@app.command("clusters")
def clusters_cmd(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Resolved clusters (connected components of 'same' judgements)."""
    from cellmap.resolve.judgements import clusters
    from cellmap.store import views

    store = load_store(db)
    with store.session() as conn:
        frame = clusters(conn)
        names = views.entities(conn, resolved=False).select("entity_id", "key", "name")
        latest = views.latest_judgements(conn).filter(pl.col("decision") == "same")
    frame = frame.join(names, on="entity_id", how="left")
    automatic = set()
    for row in latest.filter(pl.col("automatic")).iter_rows(named=True):
        automatic |= {row["left_id"], row["right_id"]}
    found = [
        {
            "canonical_id": c,
            "members": [
                {
                    "entity_id": r["entity_id"],
                    "key": r["key"],
                    "name": r["name"],
                    "via_automatic": r["entity_id"] in automatic,
                }
                for r in g.to_dicts()
            ],
        }
        for (c,), g in frame.group_by("canonical_id", maintain_order=True)
    ]
    if as_json:
        emit_json(found)
        return
    table = Table(title=f"{len(found)} resolved clusters")
    table.add_column("canonical")
    table.add_column("members")
    for c in found:
        table.add_row(
            str(c["canonical_id"]),
            "\n".join(
                f"{m['entity_id']} {m['key']} {m['name']}"
                + (" (auto)" if m["via_automatic"] else "")
                for m in c["members"]
            ),
        )
    out().print(table)


@app.command("score-pairs")
def score_pairs_cmd(
    pairs: Path = typer.Argument(
        ..., help="CSV with columns name1,name2[,schema][,<attr>1,<attr>2…]."
    ),
    out_path: Path = typer.Option(..., "--out", help="Output CSV: name1,name2,score (same order)."),
    as_json: bool = JsonOption,
) -> None:
    """Score a batch of name pairs; one output row per input row, score in [0, 1]."""
    from cellmap.resolve.pairs_io import read_pairs, score_rows, write_scores

    try:
        with user_errors():
            header, rows = read_pairs(pairs)
    except (OSError, UnicodeError) as exc:
        fail(InputError(f"cannot read ({exc})", file=str(pairs)))
    with Progress(console=err, transient=True, disable=as_json or len(rows) < 2000) as progress:
        task = progress.add_task("scoring pairs", total=len(rows))
        scores = score_rows(rows, header, progress=lambda n: progress.update(task, completed=n))
    write_scores(out_path, header, rows, scores)
    if as_json:
        emit_json({"rows": len(rows), "out": str(out_path)})
    else:
        out().print(f"scored {len(rows)} pairs -> {out_path}")


@app.command("search")
def search_cmd(
    name: str = typer.Argument(..., help="The name to look up (any script, any order)."),
    top: int = typer.Option(10, "--top", min=1, max=200, help="How many persons to show."),
    matcher: str = typer.Option(
        "names-v3",
        "--matcher",
        help="Matcher NAME-vN (data/matchers): names-v3 (ranking), names-v4, names-v2, names-v1, scenario-v1.",
    ),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Rank the store's persons for a name: "who is this alias?" (name index + matcher re-ranking)."""
    from sqlalchemy import select

    from cellmap.resolve.scorer import Scorer
    from cellmap.resolve.search import MAX_QUERY_LENGTH
    from cellmap.resolve.store_index import store_index
    from cellmap.store import tables as t

    if not name.strip():
        fail(InputError("empty; give the name to look up", field="NAME"))
    if len(name) > MAX_QUERY_LENGTH:
        fail(InputError(f"{len(name)} characters; at most {MAX_QUERY_LENGTH}", field="NAME"))
    with user_errors():
        scorer = Scorer(matcher)
    store = load_store(db)
    with err.status("reading the name index…"):
        index, _ = store_index(store, scorer)
    hits = index.search(name, top=top)
    persons = len(index)
    with store.session() as conn:
        keys = dict(
            conn.execute(
                select(t.entity.c.id, t.entity.c.key).where(
                    t.entity.c.id.in_([hit.person_id for hit in hits])
                )
            ).all()
        )
    rows = [
        {
            "rank": rank,
            "entity_id": hit.person_id,
            "key": keys.get(hit.person_id),
            "name": hit.label,
            "matched_name": hit.name,
            "score": round(hit.score, 4),
        }
        for rank, hit in enumerate(hits, start=1)
    ]
    if as_json:
        emit_json(
            {"query": name, "matcher": scorer.matcher.ident, "persons": persons, "hits": rows}
        )
        return
    table = Table(title=f"{name!r}: {len(rows)} of {persons} persons ({scorer.matcher.ident})")
    for col in ("#", "id", "name", "matched name", "score"):
        table.add_column(col)
    for rank, hit in enumerate(hits, start=1):
        table.add_row(
            str(rank), str(hit.person_id), hit.label, hit.name, f"{round(hit.score, 4):.3f}"
        )
    out().print(table)
    if not rows:
        out().print("no person shares a name part with this name")
