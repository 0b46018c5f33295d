"""CLI commands for: Disruption and recovery: strike curves, succession, tenure.

cellmap simulate attack    one row per removal: who was removed and every metric after it
cellmap simulate recovery  single-leader vs collective leadership: strikes to cut off, time to recover
cellmap simulate tenure    Kaplan–Meier time in post of leaders and critical roles
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cellmap import strict_json
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
    fail,
    load_store,
    print_frame,
    spark_from_options,
    user_errors,
)
from cellmap.lazy import lazy_module

if TYPE_CHECKING:  # igraph loads in ~0.7 s: only the commands that need it import it
    import igraph as ig
if TYPE_CHECKING:
    import polars as pl
else:  # imported by the first command that uses it (fast start)
    pl = lazy_module("polars")

# Its help line is kept with the other groups' in cellmap/cli.py (GROUPS).
app = typer.Typer(no_args_is_help=True)

AtOption = typer.Option(
    None, "--at", help="Network and roles as of this date (YYYY-MM-DD); default: all recorded."
)
FLOATS = "{:.4f}"
PlotOption = typer.Option(None, "--plot", help="Write plots to this path stem (.png and .svg).")


class Loaded:
    """What a command works on: the person graph and, with a store, the frames behind it."""

    def __init__(
        self,
        g: ig.Graph,
        relations: pl.DataFrame | None = None,
        properties: pl.DataFrame | None = None,
        entities: pl.DataFrame | None = None,
        synthetic: bool = False,
    ):
        self.g, self.relations, self.properties, self.entities = g, relations, properties, entities
        self.synthetic = synthetic

    @property
    def has_roles(self) -> bool:
        return self.relations is not None


def _load(db: str | None, edges: Path | None, min_grade: str | None, at: dt.date | None) -> Loaded:
    from cellmap.graph.projection import graph_from_edge_list, person_graph

    try:
        if edges is not None:
            return Loaded(graph_from_edge_list(edges))
        from cellmap.store import views

        store = load_store(db)
        with store.session() as s:
            relations = views.relations(s, min_grade=min_grade)
            entities = views.entities(s)
            properties = views.properties(s, props=["site_kind"])
            synthetic = views.is_synthetic(s)
        window = (at, at) if at else None
        g = person_graph(relations, entities, min_grade=min_grade, window=window)
        return Loaded(g, relations, properties, entities, synthetic)
    except ValueError as exc:  # InputError is a ValueError
        fail(str(exc))


def _removals_file(path: Path) -> pl.DataFrame:
    """Recorded removals from CSV: ``person,date`` (ISO dates) or a JJATT node table."""
    from cellmap.disrupt.replay import EVENT_SCHEMA, removals_from_jjatt
    from cellmap.errors import InputError

    try:
        frame = pl.read_csv(path, infer_schema_length=0)
    except (OSError, pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise InputError(f"cannot read CSV ({exc})", file=str(path)) from None
    if {"ID", "Arrest_Date", "Death_Date"} <= set(frame.columns):
        return removals_from_jjatt(frame, source=str(path))
    if not {"person", "date"} <= set(frame.columns):
        raise InputError(
            "expected columns person,date (or a JJATT node table)",
            file=str(path),
            line=1,
            field="header",
        )
    rows = []
    for line, (person, day) in enumerate(frame.select("person", "date").iter_rows(), start=2):
        try:
            rows.append((person, dt.date.fromisoformat(day.strip()), "day", "recorded"))
        except (AttributeError, TypeError, ValueError):
            raise InputError(
                f"{day!r} is not a date YYYY-MM-DD", file=str(path), line=line, field="date"
            ) from None
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")


def _order(
    loaded: Loaded,
    by: str,
    targets: str | None,
    adaptive: bool,
    roles: str,
    k: int | None,
    removals: Path | None,
    objective: str,
    at: dt.date | None,
) -> tuple[list[int], dict]:
    """The removal order for ``--by`` and what it was (for the report): the options' inputs are
    read here, the order is :func:`cellmap.disrupt.strategies.strike_order`'s."""
    from cellmap.disrupt import orders
    from cellmap.disrupt.replay import removals_from_relations
    from cellmap.disrupt.strategies import strategy_name, strike_order

    g = loaded.g
    if by == "targets" and not targets:
        raise ValueError("--targets: give the persons to strike, e.g. --targets P-1,P-7")
    if by == "roles" and not loaded.has_roles:
        raise ValueError("--by roles needs a store with memberships and roles (not --edges)")
    events = None
    if by == "recorded":
        if removals is not None:
            events = _removals_file(removals)
        elif loaded.relations is not None and loaded.entities is not None:
            events = removals_from_relations(loaded.relations)
            key_of = dict(loaded.entities.select("entity_id", "key").iter_rows())
            events = events.with_columns(
                pl.col("person").cast(pl.Int64).replace_strict(key_of, return_dtype=pl.Utf8)
            )
        else:
            raise ValueError("--by recorded needs a store or --removals FILE.csv")
    keys = [t.strip() for t in (targets or "").split(",") if t.strip()]
    return strike_order(
        g,
        strategy_name(by, adaptive, roles),
        k,
        relations=loaded.relations if loaded.has_roles else None,
        at=at,
        targets=orders.vertex_indices(g, keys),
        events=events,
        objective=objective,
    )


def _display(curve: pl.DataFrame) -> pl.DataFrame:
    """The curve as shown in a terminal: a Monte Carlo metric as 'mean [lo, hi]' in one column."""
    means = [c.removesuffix("_mean") for c in curve.columns if c.endswith("_mean")]
    if not means:
        return curve.drop("removed_index", strict=False)
    return curve.select(
        "step",
        *[
            pl.format(
                "{} [{}, {}]", *[pl.col(f"{m}_{s}").round(3) for s in ("mean", "lo", "hi")]
            ).alias(m)
            for m in means
        ],
        "runs",
    )


def _describe(info: dict) -> str:
    """The strategy in one line (long lists such as dates are left to --json)."""
    return ", ".join(
        f"{k}={v}" for k, v in info.items() if not isinstance(v, (dict, list)) or len(v) <= 8
    )


def _reachability(loaded: Loaded, at: dt.date | None):
    if loaded.relations is None:
        return []
    from cellmap.disrupt.context import drop_reachability, leadership_reachability

    groups = [
        leadership_reachability(loaded.g, loaded.relations, at),
        drop_reachability(loaded.g, loaded.relations, loaded.properties, at),
    ]
    return [grp for grp in groups if grp.items]


@app.command()
def attack(
    by: str = typer.Option(
        "degree",
        "--by",
        help="targets | degree | betweenness | closeness | harmonic | "
        "eigenvector | pagerank | coreness | roles | keyplayers | random | recorded",
    ),
    targets: str | None = typer.Option(
        None, "--targets", help="Persons to strike, in order: A,B,C (implies --by targets)."
    ),
    adaptive: bool = typer.Option(
        False, "--adaptive/--fixed", help="Recompute the measure after each removal."
    ),
    roles: str = typer.Option(
        "leadership",
        "--roles",
        help="Role priority: leadership | planners | sector_heads | "
        "messengers | finance, or a list of roles.",
    ),
    k: int | None = typer.Option(
        None, "--k", help="Number of removals (default: the whole order)."
    ),
    runs: int = typer.Option(100, "--runs", help="Monte Carlo runs for --by random."),
    seed: int = typer.Option(0, "--seed", help="Random seed (random orders, distance samples)."),
    objective: str = typer.Option(
        "F", "--objective", help="Key-player objective for --by keyplayers: F or DF."
    ),
    distances: str = typer.Option(
        "none", "--distances", help="DF and efficiency: none | all | N sampled sources."
    ),
    removals: Path | None = typer.Option(
        None, "--removals", help="CSV of recorded removals (person,date) or a JJATT node table."
    ),
    edges: str | None = typer.Option(
        None,
        "--edges",
        help="A plain edge list instead of the store: CSV (source,target[,weight]) or Parquet; "
        "with --engine spark any path Spark reads.",
    ),
    db: str | None = DbOption,
    min_grade: str | None = GradeOption,
    at: str | None = AtOption,
    plot: Path | None = PlotOption,
    engine: str = EngineOption,
    spark_master: str | None = SparkMasterOption,
    spark_conf: list[str] | None = SparkConfOption,
    out_path: str | None = typer.Option(
        None, "--out", help="Also write the curve as Parquet to this path."
    ),
    json_out: bool = JsonOption,
) -> None:
    """Strike sequence on the person network: one row per removal, every metric after it.

    With --engine spark (--by degree or targets): the component curve computed on a Spark cluster."""
    from cellmap.disrupt.attack import attack_curve, curve_metrics, monte_carlo

    when = date_option(at, "--at")
    if targets:
        by = "targets"
    if engine_name(engine) == "spark":
        with user_errors():
            _spark_attack(
                by,
                targets,
                k,
                adaptive,
                edges,
                db,
                min_grade,
                when,
                spark_master,
                spark_conf,
                out_path,
                json_out,
            )
        return
    loaded = _load(db, Path(edges) if edges else None, min_grade, when)
    groups = _reachability(loaded, when)
    dist = None if distances == "none" else ("all" if distances == "all" else distances)
    if dist not in (None, "all") and not str(dist).isdigit():
        fail(f"--distances: {distances!r} is not none, all or a number of sources")
    try:
        if by == "random":
            stacked, curve = monte_carlo(loaded.g, k, runs, seed, groups)
            info: dict[str, Any] = {
                "by": "random",
                "runs": runs,
                "seed": seed,
                "band": "2.5-97.5 percentiles",
            }
        else:
            order, info = _order(loaded, by, targets, adaptive, roles, k, removals, objective, when)
            curve = attack_curve(loaded.g, order, groups, distances=dist, seed=seed)
            if by == "recorded":
                curve = curve.with_columns(
                    pl.Series(
                        "date",
                        [None] + [info["dates"].get(n) for n in curve["removed"][1:]],
                        dtype=pl.Date,
                    )
                )
    except ValueError as exc:
        fail(str(exc))
    meta: dict[str, Any] = {
        "persons": loaded.g.vcount(),
        "ties": loaded.g.ecount(),
        "strategy": info,
        "distances": distances,
        "definitions": {grp.name: grp.description for grp in groups},
        "source": str(edges) if edges else "store",
        "min_grade": min_grade,
        "at": at,
        "synthetic": loaded.synthetic,
    }
    if plot is not None:
        from cellmap.disrupt.plots import plot_curves

        metrics = [
            m.removesuffix("_mean")
            for m in curve_metrics(curve)
            if not m.endswith(("_lo", "_hi")) and m not in ("runs", "removed_index")
        ]
        paths = plot_curves(
            {info["by"]: curve},
            metrics,
            plot,
            note=f"{loaded.g.vcount()} persons, {loaded.g.ecount()} ties; strategy: {_describe(info)}",
        )
        meta["plots"] = [str(p) for p in paths]
    if out_path:
        curve.write_parquet(out_path)
    if json_out:
        emit_json({**meta, "rows": curve.to_dicts()})
        return
    banner(loaded.synthetic)
    print_frame(f"strike curve — {_describe(info)}", _display(curve), FLOATS)
    for key in ("plots",):
        if key in meta:
            err.print(f"plots: {', '.join(meta[key])}")


def _spark_attack(
    by, targets, k, adaptive, edges, db, min_grade, when, master, conf, out_path, json_out
) -> None:
    """``simulate attack --engine spark``: the order and the component curve on Spark."""
    from cellmap.disrupt import spark_engine as sd
    from cellmap.errors import InputError
    from cellmap.graph import spark_engine as se

    if by not in sd.STRATEGIES or adaptive:
        raise InputError(
            f"the Spark engine strikes by {' or '.join(sd.STRATEGIES)} (fixed order)", field="--by"
        )
    session = spark_from_options(master, conf)
    groups = []
    if edges:
        if min_grade or when:
            raise InputError("an edge list carries no grades or dates", field="--edges")
        graph = se.read_edges(session, edges)
    else:
        loaded = _load(db, None, min_grade, when)
        graph = se.from_igraph(session, loaded.g)  # Spark ids = the local vertex indices
        groups = _reachability(loaded, when)
    with err.status("striking on Spark…"):
        if by == "targets":
            order = sd.targets_order(graph, [t for t in (targets or "").split(",") if t.strip()])
            order = order[:k] if k is not None else order
        else:
            order = sd.degree_order(graph, k)
        curve = sd.strike_curve(graph, order, groups)
    if out_path:
        curve.write_parquet(out_path)
    info = {"by": by, "engine": "spark", "master": session.sparkContext.master}
    if json_out:
        emit_json(
            {
                "persons": int(curve["remaining"][0]),
                "strategy": info,
                "source": edges or "store",
                "min_grade": min_grade,
                "definitions": {grp.name: grp.description for grp in groups},
                "rows": curve.to_dicts(),
            }
        )
        return
    print_frame(f"strike curve — {_describe(info)}", _display(curve), FLOATS)


@app.command()
def recovery(
    db: str | None = DbOption,
    min_grade: str | None = GradeOption,
    at: list[str] = typer.Option(
        [],
        "--at",
        help="Snapshot date (YYYY-MM-DD). One date: single-leader vs collective "
        "reading of that network. Several dates: the recorded structures at those dates compared.",
    ),
    tie_probability: float = typer.Option(
        0.2, "--tie-probability", help="Chance per step that a pending tie forms."
    ),
    succession_delay: int = typer.Option(
        1, "--succession-delay", help="Steps before a vacant post is filled."
    ),
    strike_interval: int = typer.Option(
        5, "--strike-interval", help="Steps between strikes of a campaign."
    ),
    strike_policy: str = typer.Option(
        "posts", "--strike-policy", help="posts (highest-ranked post first) or degree."
    ),
    max_strikes: int = typer.Option(
        50, "--max-strikes", help="A campaign is censored after this many strikes."
    ),
    horizon: int = typer.Option(
        200, "--horizon", help="Recovery is censored after this many steps."
    ),
    cut_off_share: float = typer.Option(
        1.0, "--cut-off-share", help="Share of cells that must be cut off at once."
    ),
    runs: int = typer.Option(200, "--runs"),
    seed: int = typer.Option(0, "--seed"),
    target: str | None = typer.Option(
        None, "--target", help="Person struck for the recovery time (default: highest post)."
    ),
    plot: Path | None = PlotOption,
    json_out: bool = JsonOption,
) -> None:
    """Single-leader vs collective leadership: strikes to cut the cells off, and time to recover."""
    from rich.progress import Progress

    from cellmap.disrupt.context import organisation
    from cellmap.disrupt.orders import vertex_indices
    from cellmap.disrupt.recovery import (
        COLLECTIVE,
        RecoveryParams,
        compare_structures,
        single_and_collective,
    )

    dates = [date_option(a, "--at") for a in at] or [None]
    try:
        params = RecoveryParams(
            tie_probability=tie_probability,
            succession_delay=succession_delay,
            strike_interval=strike_interval,
            strike_policy=strike_policy,
            max_strikes=max_strikes,
            horizon=horizon,
            cut_off_share=cut_off_share,
            runs=runs,
            seed=seed,
        )
        jobs = []
        for when in dates:
            loaded = _load(db, None, min_grade, when)
            assert loaded.relations is not None  # loaded from a store, not --edges
            org = organisation(loaded.g, loaded.relations, when)
            if not org.cells:
                raise ValueError(
                    f"no cells with members (membership → cell) at {when or 'any date'}"
                )
            tv = vertex_indices(loaded.g, [target])[0] if target else None
            if len(dates) == 1:
                structures = single_and_collective(org)
            else:
                held = [r for r, _, h in org.posts if h is not None]
                structures = {
                    f"as of {when} ({held.count('leader')} leader, {held.count('council_member')} council)": (
                        org,
                        COLLECTIVE,
                    )
                }
            jobs.append((when, loaded.g.vcount(), org, structures, tv))
            synthetic = loaded.synthetic
        frames, runs_frames = [], []
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task(
                "simulating strikes and recovery", total=sum(2 * len(j[3]) * runs for j in jobs)
            )
            for when, persons, org, structures, tv in jobs:
                summary, per_run = compare_structures(
                    structures,
                    params,
                    {name: tv for name in structures} if tv is not None else None,
                    progress=lambda n: bar.advance(task, n),
                )
                names = org.graph.vs["name"]
                summary = summary.with_columns(
                    pl.col("struck_first").map_elements(names.__getitem__, return_dtype=pl.Utf8)
                )
                extra = [
                    pl.lit(str(when) if when else None, dtype=pl.Utf8).alias("at"),
                    pl.lit(persons).alias("persons"),
                    pl.lit(len(org.cells)).alias("cells"),
                    pl.lit(len(org.posts)).alias("posts"),
                ]
                frames.append(summary.with_columns(extra))
                runs_frames.append(per_run)
    except ValueError as exc:
        fail(str(exc))
    summary, per_run = pl.concat(frames), pl.concat(runs_frames)
    shown = {k: v for k, v in params.to_dict().items() if k != "leadership_roles"}
    meta: dict[str, Any] = {
        "parameters": shown,
        "min_grade": min_grade,
        "synthetic": synthetic,
        "structures": "one date: the recorded organisation led by its leader alone, vs the what-if collective "
        "variant (leader post abolished, every council member holds the leader's ties); several "
        "dates: the recorded organisation at each date, led by leader or council",
    }
    if plot is not None:
        from cellmap.disrupt.plots import plot_spread

        paths = []
        for outcome, label in (
            ("strikes_to_cut_off", "strikes to cut all cells off"),
            ("steps_to_recover", "steps to recover after one strike"),
        ):
            sub = per_run.filter(pl.col("outcome") == outcome)
            values = {
                s: sub.filter(pl.col("structure") == s)["value"].to_list()
                for s in sub["structure"].unique(maintain_order=True)
            }
            paths += plot_spread(
                values, f"{plot}-{outcome}", label, label, note=strict_json.dumps(shown)
            )
        meta["plots"] = [str(p) for p in paths]
    if json_out:
        emit_json({**meta, "rows": summary.drop("parameters").to_dicts()})
        return
    banner(synthetic)
    print_frame(
        "leadership structures under strikes", summary.drop("parameters", "min", "max"), FLOATS
    )
    err.print(f"parameters: {strict_json.dumps(shown)}", highlight=False)


@app.command()
def tenure(
    db: str | None = DbOption,
    min_grade: str | None = GradeOption,
    roles: str = typer.Option(
        "", "--roles", help="Roles to include (default: the critical roles)."
    ),
    study_end: str | None = typer.Option(
        None,
        "--study-end",
        help="Open holdings are censored here (default: last date in the data).",
    ),
    by_role: bool = typer.Option(False, "--by-role", help="One row per role as well."),
    plot: Path | None = PlotOption,
    json_out: bool = JsonOption,
) -> None:
    """Time in post of leaders and holders of critical roles (Kaplan–Meier, median tenure)."""
    from cellmap.disrupt.tenure import CRITICAL_ROLES, kaplan_meier, role_tenures, tenure_summary
    from cellmap.store import views

    chosen = [r.strip() for r in roles.split(",") if r.strip()] or list(CRITICAL_ROLES)
    with load_store(db).session() as s:
        relations = views.relations(s, kinds=["membership"], min_grade=min_grade)
        synthetic = views.is_synthetic(s)
    ten = role_tenures(relations, chosen, study_end=date_option(study_end, "--study-end"))
    groups = {"leader": ["leader"], "critical roles": chosen}
    if by_role:
        groups.update({role: [role] for role in chosen if role != "leader"})
    summary = tenure_summary(ten, groups=groups)
    meta: dict[str, Any] = {
        "holdings": ten.height,
        "event": "end of holding by killed or arrested; other ends are censored",
        "roles": chosen,
        "min_grade": min_grade,
        "synthetic": synthetic,
    }
    if plot is not None:
        from cellmap.disrupt.plots import plot_survival

        tables = {
            name: kaplan_meier(sub["days"].to_numpy(), sub["eliminated"].to_numpy())
            for name, rs in groups.items()
            if (sub := ten.filter(pl.col("role").is_in(rs))).height
        }
        meta["plots"] = [str(p) for p in plot_survival(tables, plot)]
    if json_out:
        emit_json({**meta, "summary": summary.to_dicts(), "holdings_rows": ten.to_dicts()})
        return
    banner(synthetic)
    print_frame("time in post (Kaplan–Meier; event = killed or arrested)", summary, FLOATS)
