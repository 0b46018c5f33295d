"""CLI commands for: Network analytics: measures, cells, key players, paths (`cellmap analyse ...`).

Every command reads the store (``--db``) or a plain edge list (``--edges FILE.csv`` with columns
``source,target[,weight]``), prints a Rich table, or JSON with ``--json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cellmap.cliutil import (
    DbOption,
    EngineOption,
    GradeOption,
    JsonOption,
    SparkConfOption,
    SparkMasterOption,
    banner,
    date_option,
    emit_json,
    engine_name,
    err,
    load_store,
    out,
    print_frame,
    spark_from_options,
    user_errors,
)
from cellmap.errors import InputError
from cellmap.lazy import lazy_module

if TYPE_CHECKING:  # igraph loads in ~0.7 s: only the commands that need it import it
    import igraph as ig
if TYPE_CHECKING:
    import polars as pl
else:  # imported by the first command that uses it (fast start)
    pl = lazy_module("polars")

# Its help line is kept with the other groups' in cellmap/cli.py (GROUPS).
app = typer.Typer(no_args_is_help=True)

EdgesOption = typer.Option(
    None,
    "--edges",
    help="Analyse a plain edge list CSV (source,target[,weight]) instead of the store.",
)
OutOption = typer.Option(
    None, "--out", help="Also write every node's measures as Parquet to this path."
)
SPARK_MEASURES = ("degree", "strength", "pagerank", "component")
GraphOption = typer.Option(
    "person",
    "--graph",
    help="person (person–person ties), meta (all entities), or an "
    "affiliation kind (cell, site, incident, organisation…) for "
    "the person projection of that two-mode network.",
)
KindsOption = typer.Option(
    None, "--kinds", help="Relation kinds to use, comma-separated (default: all)."
)
WeightOption = typer.Option(
    None, "--weight", help="Weight of a relation kind, KIND=W (repeatable; default 1)."
)
FromOption = typer.Option(
    None, "--from", help="Only ties valid on or after this date (YYYY-MM-DD)."
)
ToOption = typer.Option(None, "--to", help="Only ties valid on or before this date (YYYY-MM-DD).")
RobustOption = typer.Option(
    None,
    "--robust",
    help="How sure: re-run over N samples that drop reports by grade, undo automatic merges by "
    "their score, add likely missing ties and unseen members; each person's share of samples "
    "(1–1000, seeded by --seed).",
)
GradesOption = typer.Option(
    None,
    "--grades",
    help="Recompute at each minimum grade, e.g. all,C3,B3,A2, and show "
    "which conclusions hold at every grade.",
)


@dataclass
class Source:
    """Where the graph comes from, and how to project it (one graph per minimum grade)."""

    db: str | None
    edges: Path | None
    graph: str
    kinds: list[str] | None
    weights: dict[str, float]
    window: tuple[dt.date | None, dt.date | None] | None
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame] | None = (
        None  # relations, entities, reports
    )
    synthetic: bool = False
    resolution: dict | None = None  # persons, records, automatic merges (store sources only)

    def load(self) -> None:
        if self.edges is not None or self.frames is not None:
            return
        from cellmap.store import views

        store = load_store(self.db)
        with store.session() as conn:
            self.frames = views.relations(conn), views.entities(conn), views.reports(conn)
            self.synthetic = views.is_synthetic(conn)
            self.resolution = views.resolution_summary(conn)

    def announce(self) -> None:
        """The synthetic banner and, for the store, the identities the answer is computed on."""
        banner(self.synthetic)
        if self.resolution is not None:
            from cellmap.store.views import resolution_line

            out().print(f"on {resolution_line(self.resolution)}")

    def project(self, min_grade: str | None = None) -> ig.Graph:
        from cellmap.graph import projection as p

        if self.edges is not None:
            if min_grade:
                raise InputError("an edge list carries no report grades", field="--min-grade")
            return p.graph_from_edge_list(self.edges)
        self.load()
        assert self.frames is not None  # an edge list returned above
        relations, entities, _ = self.frames
        if self.graph == "person":
            return p.person_graph(
                relations, entities, self.kinds, self.weights, min_grade, self.window
            )
        if self.graph == "meta":
            return p.meta_network(
                relations, entities, self.kinds, self.weights, min_grade, self.window
            )
        if self.graph in p.AFFILIATION_KINDS:
            two_mode = p.two_mode_graph(
                relations, entities, self.graph, self.kinds, min_grade, self.window
            )
            return p.one_mode_projection(two_mode)
        raise InputError(
            f"{self.graph!r} is not person, meta or one of {', '.join(p.AFFILIATION_KINDS)}",
            field="--graph",
        )

    def project_for(self, relations, entities, min_grade=None, **_):
        """Projection with the signature :func:`cellmap.graph.sensitivity.sensitivity` expects."""
        return self.project(min_grade)


def _source(db, edges, graph, kinds, weights, start, end) -> Source:
    if edges is not None and not edges.is_file():
        raise InputError("no such file", file=str(edges))
    parsed: dict[str, float] = {}
    for item in weights or []:
        kind, _, value = item.partition("=")
        try:
            parsed[kind.strip()] = float(value)
        except ValueError:
            raise InputError(f"{item!r} is not KIND=NUMBER", field="--weight") from None
    window = (date_option(start, "--from"), date_option(end, "--to")) if (start or end) else None
    kind_list = [k.strip() for k in kinds.split(",") if k.strip()] if kinds else None
    return Source(db, edges, graph, kind_list, parsed, window)


def _grades(text: str | None) -> list[str | None] | None:
    if not text:
        return None
    grades: list[str | None] = []
    for item in text.split(","):
        item = item.strip().upper()
        grades.append(None if item in ("ALL", "") else item)
    return grades


def _sensitivity(source: Source, conclude, grades, json_out: bool, title: str) -> None:
    from cellmap.graph.sensitivity import sensitivity

    if source.edges is not None:
        raise InputError("an edge list carries no report grades", field="--grades")
    source.load()
    assert source.frames is not None  # an edge list was refused above
    relations, entities, _ = source.frames
    with err.status("recomputing at each grade…"):
        table = sensitivity(relations, entities, conclude, grades, project=source.project_for)
    if json_out:
        emit_json(table.to_dicts())
    else:
        source.announce()
        print_frame(title, table)


ROBUST_ROWS = 30  # persons in the --robust table of measures (all of them in --json)


def _robust(
    source: Source,
    samples: int,
    seed: int,
    json_out: bool,
    key_players: bool,
    k: int = 5,
    objective: str = "DF",
    options: dict[str, Any] | None = None,
) -> None:
    """``--robust N``: shares over N samples (:mod:`cellmap.unseen.robust`), a table or JSON."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cellmap import model
    from cellmap.unseen.robust import load_model, robustness

    limit = model.robust_sample_bounds()["cli_max"]
    if not 1 <= samples <= limit:
        raise InputError(f"{samples} is not between 1 and {limit}", field="--robust")
    plain_graph = (source.graph, source.kinds, source.weights, source.window) == (
        "person",
        None,
        {},
        None,
    )
    if source.edges is not None or not plain_graph:
        raise InputError(
            "samples the store's person graph with every tie kind: not with --edges, --graph, "
            "--kinds, --weight, --from, --to or --min-grade",
            field="--robust",
        )
    store = load_store(source.db)
    with store.session() as conn, err.status("preparing the samples (ties, unseen members)…"):
        fitted = load_model(conn)
        from cellmap.store import views

        source.synthetic = views.is_synthetic(conn)
        source.resolution = views.resolution_summary(conn)
    store.close()
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with bar:
        task = bar.add_task("samples", total=samples)
        result = robustness(
            fitted,
            samples,
            seed=seed,
            k=k,
            objective=objective,
            key_player_options=options,
            with_key_players=key_players,
            progress=lambda done: bar.update(task, completed=done),
        )
    if json_out:
        emit_json({"identities": source.resolution, **result})
        return
    source.announce()
    persons = result["persons"]
    if key_players:
        persons = [p for p in persons if p["key_player"] or p["plain_key_player"]]
    columns: dict[str, list] = {"label": [p["label"] for p in persons]}
    if key_players:
        columns["key player"] = [p["key_player"] for p in persons]
        columns["plain"] = ["yes" if p["plain_key_player"] else "" for p in persons]
    else:
        persons = [p for p in persons if any(p["top"].values()) or p["plain_top"]][:ROBUST_ROWS]
        columns = {"label": [p["label"] for p in persons]}
        for name in result["measures"]:
            columns[name[:5]] = [p["top"][name] for p in persons]
        columns["plain"] = [",".join(x[:3] for x in p["plain_top"]) for p in persons]
    what = f"key players ({objective}, k={k})" if key_players else f"top {result['top']} by measure"
    print_frame(
        f"share of {samples} samples in which each person is among the {what}"
        + ("" if key_players else f" (first {ROBUST_ROWS}; --json: all)"),
        pl.DataFrame(columns),
        floats="{:.2f}",
    )
    e = result["expected"]
    out().print(
        f"per sample on average: {e['reports_kept']:.0%} of reports kept (by grade), "
        f"{e['merges_undone']:g} automatic merges undone, {e['ties_added']:g} likely ties and "
        f"{e['members_added']:g} unseen members added; seed {seed}"
    )


@app.command("measures")
def measures_cmd(
    db: str | None = DbOption,
    edges: str | None = typer.Option(
        None,
        "--edges",
        help="Analyse a plain edge list instead of the store: CSV (source,target[,weight]) or "
        "Parquet; with --engine spark any path Spark reads (hdfs://, s3a://).",
    ),
    graph: str = GraphOption,
    kinds: str | None = KindsOption,
    weight: list[str] | None = WeightOption,
    min_grade: str | None = GradeOption,
    start: str | None = FromOption,
    end: str | None = ToOption,
    sort: str = typer.Option("betweenness", "--sort", help="Measure to rank by."),
    top: int = typer.Option(20, "--top", help="Rows to show (0: all)."),
    samples: int | None = typer.Option(
        None,
        "--samples",
        help="Sampled betweenness/harmonic closeness from this many sources (with standard error).",
    ),
    seed: int = typer.Option(0, "--seed"),
    grades: str | None = GradesOption,
    robust: int | None = RobustOption,
    engine: str = EngineOption,
    spark_master: str | None = SparkMasterOption,
    spark_conf: list[str] | None = SparkConfOption,
    out_path: str | None = OutOption,
    json_out: bool = JsonOption,
) -> None:
    """Every node measure: degree, strength, betweenness, harmonic closeness, eigenvector, PageRank,
    k-core, articulation points, constraint, effective size, cells and sectors tied together.

    With --grades: which top-ranked persons hold at every minimum report grade.
    With --engine spark: degree, strength, PageRank and components on a Spark cluster."""
    from cellmap.graph.measures import bridges, measures
    from cellmap.graph.sensitivity import top_measure

    with user_errors():
        if engine_name(engine) == "spark":
            if grades or samples:
                raise InputError(
                    "not with --engine spark", field="--grades" if grades else "--samples"
                )
            source = _source(db, None, graph, kinds, weight, start, end)
            session = spark_from_options(spark_master, spark_conf)
            _spark_measures(session, source, edges, min_grade, sort, top, out_path, json_out)
            return
        source = _source(db, Path(edges) if edges else None, graph, kinds, weight, start, end)
        if robust is not None:
            if min_grade:
                raise InputError("not with --min-grade (grades are sampled)", field="--robust")
            _robust(source, robust, seed, json_out, key_players=False)
            return
        if grades:
            _sensitivity(
                source,
                top_measure(sort, top or 10, samples),
                _grades(grades),
                json_out,
                f"top {top or 10} by {sort}, by minimum report grade",
            )
            return
        g = source.project(min_grade)
        with err.status(f"measuring {g.vcount():,} nodes, {g.ecount():,} edges…"):
            frame = measures(g, samples=samples, seed=seed)
        if sort not in frame.columns:
            raise InputError(
                f"{sort!r} is not a measure ({', '.join(frame.columns[3:])})", field="--sort"
            )
        frame = frame.sort([sort, "node"], descending=[True, False], nulls_last=True)
        if out_path:
            frame.write_parquet(out_path)
        shown = frame.head(top) if top else frame
        if json_out:
            emit_json(
                {
                    "identities": source.resolution,
                    "nodes": g.vcount(),
                    "edges": g.ecount(),
                    "measures": shown.to_dicts(),
                    "bridges": bridges(g).to_dicts(),
                }
            )
            return
        source.announce()
        columns = [
            "label",
            "degree",
            "strength",
            "betweenness",
            "harmonic",
            "eigenvector",
            "pagerank",
            "coreness",
            "articulation",
            "constraint",
            "effective_size",
            "cells_connected",
            "sectors_connected",
        ]
        if samples:
            columns.insert(4, "betweenness_se")
        short = {
            "betweenness_se": "btw ±se",
            "articulation": "cut",
            "effective_size": "eff.size",
            "cells_connected": "cells",
            "sectors_connected": "sectors",
            "betweenness": "betweenness",
            "eigenvector": "eigenvec",
            "coreness": "core",
        }
        print_frame(
            f"{g.vcount():,} nodes, {g.ecount():,} edges — by {sort}",
            shown.select(columns).rename({c: short[c] for c in columns if c in short}),
        )
        out().print(
            f"bridges: {bridges(g).height:,}; articulation points: {int(frame['articulation'].sum()):,}"
        )


def _spark_measures(session, source: Source, edges, min_grade, sort, top, out_path, json_out):
    """``analyse measures --engine spark``: the edge list read by Spark, or the store's projection
    handed to it; degree, strength, PageRank and components; the top rows printed, all written to
    ``--out`` as Parquet."""
    from pyspark.sql import functions as F

    from cellmap.graph import spark_engine as se

    sort = "pagerank" if sort == "betweenness" else sort  # betweenness is the local default
    if sort not in SPARK_MEASURES:
        raise InputError(
            f"{sort!r}: the Spark engine computes {', '.join(SPARK_MEASURES)}", field="--sort"
        )
    if edges:
        if min_grade:
            raise InputError("an edge list carries no report grades", field="--min-grade")
        graph = se.read_edges(session, edges)
    else:
        graph = se.from_igraph(session, source.project(min_grade))
    nodes, ties = graph.vertices.count(), graph.edges.count()
    with err.status(f"measuring {nodes:,} nodes, {ties:,} edges on Spark…"):
        frame, info = se.measures(graph)
        frame = frame.localCheckpoint(eager=True)
    if out_path:
        se.write_parquet(frame.drop("id"), out_path)
    ordered = frame.orderBy(F.desc(sort), F.asc("node")).drop("id")
    shown = pl.from_pandas((ordered.limit(top) if top else ordered).toPandas())
    if json_out:
        emit_json(
            {
                "identities": source.resolution,
                "engine": "spark",
                "master": session.sparkContext.master,
                "nodes": nodes,
                "edges": ties,
                **info,
                "measures": shown.to_dicts(),
                "out": out_path,
            }
        )
        return
    if not edges:
        source.announce()
    print_frame(
        f"{nodes:,} nodes, {ties:,} edges — by {sort} (Spark, {session.sparkContext.master})", shown
    )
    out().print(
        f"PageRank: {info['pagerank_iterations']} iterations to L1 change < {info['tol']:g}; "
        f"components: {info['component_rounds']} large-star/small-star rounds"
        + (f"; written to {out_path}" if out_path else "")
    )


@app.command("cells")
def cells_cmd(
    db: str | None = DbOption,
    edges: Path | None = EdgesOption,
    graph: str = GraphOption,
    kinds: str | None = KindsOption,
    weight: list[str] | None = WeightOption,
    min_grade: str | None = GradeOption,
    start: str | None = FromOption,
    end: str | None = ToOption,
    resolution: float = typer.Option(
        1.0, "--resolution", help="Leiden resolution γ (higher: smaller groups)."
    ),
    seed: int = typer.Option(0, "--seed"),
    grades: str | None = GradesOption,
    json_out: bool = JsonOption,
) -> None:
    """Leiden groups from structure, and how they agree with recorded cells.

    Prints ARI and NMI, and the persons whose structural group differs from their recorded cell."""
    from cellmap.graph.communities import compare_with_recorded, leiden
    from cellmap.graph.sensitivity import same_group

    with user_errors():
        source = _source(db, edges, graph, kinds, weight, start, end)
        if grades:
            _sensitivity(
                source,
                same_group(resolution, seed),
                _grades(grades),
                json_out,
                "tied pairs in the same group, by minimum report grade",
            )
            return
        g = source.project(min_grade)
        comms = leiden(g, resolution=resolution, seed=seed)
        cmp = compare_with_recorded(g, comms)
        sizes = comms.frame.group_by("community").agg(
            pl.len().alias("size"), pl.col("label").sort().head(5).str.join(", ").alias("members")
        )
        sizes = sizes.sort("community")
        if json_out:
            emit_json(
                {
                    "identities": source.resolution,
                    "resolution": resolution,
                    "modularity": comms.quality,
                    "ari": cmp.ari,
                    "nmi": cmp.nmi,
                    "compared": cmp.compared,
                    "communities": comms.frame.to_dicts(),
                    "mismatches": cmp.mismatches.to_dicts(),
                }
            )
            return
        source.announce()
        print_frame(
            f"{sizes.height} groups (γ={resolution}, modularity {comms.quality:.3f})", sizes
        )
        if cmp.compared < 2:
            out().print(
                "no recorded cells to compare with (members of cells come from membership relations)"
            )
        else:
            out().print(
                f"agreement with recorded cells over {cmp.compared} persons: "
                f"ARI {cmp.ari:.3f}, NMI {cmp.nmi:.3f}"
            )
        if cmp.mismatches.height:
            print_frame("structural group differs from recorded cell", cmp.mismatches)


@app.command("keyplayers")
def keyplayers_cmd(
    db: str | None = DbOption,
    edges: Path | None = EdgesOption,
    graph: str = GraphOption,
    kinds: str | None = KindsOption,
    weight: list[str] | None = WeightOption,
    min_grade: str | None = GradeOption,
    start: str | None = FromOption,
    end: str | None = ToOption,
    k: int = typer.Option(5, "--k", help="Size of the set."),
    objective: str = typer.Option(
        "DF",
        "--objective",
        help="F or DF (KPP-Neg: removal fragments most), "
        "R or DR (KPP-Pos: reaches most within --m steps).",
    ),
    m: int = typer.Option(2, "--m", help="Steps for reach (KPP-Pos)."),
    method: str = typer.Option(
        "auto", "--method", help="auto, exact (enumerate) or greedy (+swap search)."
    ),
    candidates: int | None = typer.Option(
        None, "--candidates", help="Limit the swap search to the top N candidates (default: auto)."
    ),
    restarts: int = typer.Option(0, "--restarts", help="Extra seeded random starts."),
    seed: int = typer.Option(0, "--seed"),
    grades: str | None = GradesOption,
    robust: int | None = RobustOption,
    json_out: bool = JsonOption,
) -> None:
    """Key players (Borgatti 2006): KPP-Neg (F, DF) and KPP-Pos (R, DR).

    With --robust N: each person's share of N samples in which he is a key player."""
    from cellmap.graph.keyplayers import key_players
    from cellmap.graph.sensitivity import key_player_set

    pool = candidates if candidates is not None else "auto"
    with user_errors():
        source = _source(db, edges, graph, kinds, weight, start, end)
        options: dict[str, Any] = dict(m=m, method=method, candidates=pool, restarts=restarts)
        if robust is not None:
            if min_grade:
                raise InputError("not with --min-grade (grades are sampled)", field="--robust")
            _robust(source, robust, seed, json_out, True, k, objective.upper(), options)
            return
        if grades:
            _sensitivity(
                source,
                key_player_set(k, objective, seed, **options),
                _grades(grades),
                json_out,
                f"key players ({objective}, k={k}), by minimum report grade",
            )
            return
        g = source.project(min_grade)
        with err.status(f"searching key players ({objective}, k={k})…"):
            result = key_players(g, k, objective=objective, seed=seed, **options)
        if json_out:
            emit_json(
                {
                    "identities": source.resolution,
                    "objective": result.objective,
                    "k": k,
                    "score": result.score,
                    "baseline": result.baseline,
                    "method": result.method,
                    "evaluations": result.evaluations,
                    "seconds": result.seconds,
                    "params": result.params,
                    "players": result.to_frame().to_dicts(),
                }
            )
            return
        source.announce()
        print_frame(
            f"{result.objective} = {result.score:.4f} (without removal {result.baseline:.4f}); "
            f"{result.method}, {result.evaluations:,} evaluations, {result.seconds:.2f} s",
            result.to_frame().select("rank", "node", "label"),
        )


@app.command("path")
def path_cmd(
    source_node: str = typer.Argument(..., metavar="FROM", help="Entity key, id or unique name."),
    target_node: str = typer.Argument(..., metavar="TO", help="Entity key, id or unique name."),
    db: str | None = DbOption,
    edges: Path | None = EdgesOption,
    graph: str = GraphOption,
    kinds: str | None = KindsOption,
    weight: list[str] | None = WeightOption,
    min_grade: str | None = GradeOption,
    start: str | None = FromOption,
    end: str | None = ToOption,
    how: str = typer.Option(
        "shortest",
        "--how",
        help="shortest (all geodesics), k (k shortest) or simple "
        "(all simple paths up to --max-length).",
    ),
    k: int = typer.Option(3, "--k"),
    max_length: int = typer.Option(4, "--max-length"),
    json_out: bool = JsonOption,
) -> None:
    """How FROM is connected to TO, and on whose word: every step with its reports and grades."""
    from cellmap.graph.paths import connect

    with user_errors():
        source = _source(db, edges, graph, kinds, weight, start, end)
        g = source.project(min_grade)
        conn = connect(g, source_node, target_node, how=how, k=k, max_length=max_length)
        steps = conn.steps
        if source.frames is not None:
            reports = source.frames[2].select(
                "report_id", pl.col("report_key").alias("report"), "title"
            )
            steps = steps.join(reports, on="report_id", how="left")
        if json_out:
            emit_json(
                {
                    "identities": source.resolution,
                    "from": conn.source,
                    "to": conn.target,
                    "paths": conn.paths.to_dicts(),
                    "steps": steps.to_dicts(),
                }
            )
            return
        source.announce()
        if conn.paths.height == 0:
            out().print(f"no path from {conn.source} to {conn.target}")
            return
        print_frame(
            f"paths from {conn.source} to {conn.target}",
            conn.paths.drop("nodes").with_columns(pl.col("labels").list.join(" → ")),
        )
        if source.edges is not None:  # an edge list's evidence is the CSV line that states the tie
            steps = steps.rename({"relation_id": "csv_line"})
        shown = [
            c
            for c in (
                "path",
                "step",
                "source_label",
                "target_label",
                "kind",
                "report",
                "title",
                "grade",
                "csv_line",
            )
            if c in steps.columns
        ]
        print_frame("evidence for each step", steps.select(shown))


@app.command("links")
def links_cmd(
    db: str | None = DbOption,
    top: int = typer.Option(20, "--top", help="How many predicted ties (1–1000)."),
    method: str = typer.Option(
        "context",
        "--method",
        help="context (reports, incidents, funds and things both persons share, plus the paths "
        "between them; the best on the bench), adamic-adar (shared contacts; the baseline), "
        "local-path, resource-allocation, sbm (degree-corrected block model) or learned "
        "(logistic regression fitted on hidden observed ties).",
    ),
    json_out: bool = JsonOption,
) -> None:
    """Ties likely to exist but unreported, each with its score and evidence."""
    from cellmap.unseen.links import METHODS, missing_ties

    with user_errors():
        if not 1 <= top <= 1000:
            raise InputError(f"{top} is not between 1 and 1000", field="--top")
        if method not in METHODS:
            raise InputError(f"{method!r} is not one of {', '.join(METHODS)}", field="--method")
        source = Source(db, None, "person", None, {}, None)
        source.load()
        assert source.frames is not None  # a store source (no edge list) always has frames
        relations, entities, reports = source.frames
        with err.status("scoring unlinked pairs…"):
            predictions = missing_ties(relations, entities, reports, top, method)
    if json_out:
        emit_json({"method": method, "identities": source.resolution, "predictions": predictions})
        return
    source.announce()
    print_frame(
        f"{len(predictions)} ties likely but unreported ({method})",
        pl.DataFrame(
            {
                "source": [p["source_name"] or p["source"] for p in predictions],
                "target": [p["target_name"] or p["target"] for p in predictions],
                "score": [p["score"] for p in predictions],
                "why": ["; ".join(p["why"]) for p in predictions],
            },
            schema={"source": pl.Utf8, "target": pl.Utf8, "score": pl.Float64, "why": pl.Utf8},
        ),
    )
