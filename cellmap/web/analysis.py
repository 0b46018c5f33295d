"""The workbench's bridge to the analysis packages (graph, disrupt, incidents, finance, resolve).

Each function calls the package that owns the analysis and returns plain data for the routers,
cached per store generation. The packages are imported plainly: a missing dependency stops the
workbench at start-up, by name, rather than hiding a view; nothing here invents numbers.
"""

from __future__ import annotations

import h3
import numpy as np
import polars as pl

from cellmap.finance.headlines import finance_summary
from cellmap.graph import measures as m
from cellmap.graph.communities import leiden
from cellmap.graph.keyplayers import key_players as find_key_players
from cellmap.graph.projection import person_graph as project
from cellmap.incidents import places
from cellmap.incidents.headlines import incident_summary
from cellmap.incidents.trends import counts_by_method
from cellmap.incidents.vocabulary import COUNTING_METHODS
from cellmap.resolve.judgements import record_judgement as record
from cellmap.resolve.queue import scored_queue
from cellmap.store import views
from cellmap.store.case import CaseFrames
from cellmap.web.api.schemas import Series
from cellmap.web.graphs import LinkChart
from cellmap.web.workbench import Workbench

# Above this many vertices betweenness and harmonic closeness use their sampled estimators.
EXACT_LIMIT = 1500
SAMPLES = 256

MEASURES = (
    "degree",
    "betweenness",
    "harmonic",
    "eigenvector",
    "pagerank",
    "coreness",
    "constraint",
    "effective_size",
)


# --- graph ----------------------------------------------------------------------------------------
def measure(wb: Workbench, chart: LinkChart, name: str) -> list[float]:
    """One node measure (see `cellmap.graph.measures`) in the chart's vertex order.

    Betweenness and harmonic closeness are exact up to EXACT_LIMIT vertices and estimated from
    SAMPLES sources above (the measures module states the estimator and its error).
    """

    def compute() -> list[float]:
        g = chart.graph
        if g.vcount() == 0:
            return []
        samples = SAMPLES if g.vcount() > EXACT_LIMIT else None
        if name == "betweenness":
            values = m.betweenness(g, samples=samples, workers=1)[0]
        elif name == "harmonic":
            values = m.harmonic_closeness(g, samples=samples)
        elif name in ("eigenvector", "constraint", "effective_size"):
            values = getattr(m, name)(g, True)
        else:
            values = getattr(m, name)(g)
        return np.nan_to_num(np.asarray(values, dtype=float)).tolist()

    return wb.cached(("measure", chart.key, name), compute)


def communities(wb: Workbench, chart: LinkChart) -> list[int] | None:
    """Detected community per vertex: Leiden on the chart (`cellmap.graph.communities.leiden`), two
    iterations (leidenalg's default; iterating to a stable partition took 10 s on a 5,000-node graph
    without community structure, for a colouring)."""
    if chart.graph.vcount() == 0:
        return None
    return wb.cached(
        ("communities", chart.key), lambda: list(leiden(chart.graph, iterations=2).membership)
    )


# Key players: KPP-Neg with fragmentation F (Borgatti 2006) on the person network; DF would be
# finer but took 79 s on the demo (CHANGELOG, web workbench).
KEY_PLAYERS = 10
KEY_PLAYER_OBJECTIVE = "F"


def key_players(wb: Workbench, chart: LinkChart | None = None, k: int = KEY_PLAYERS) -> list[int]:
    """Entity ids of the k persons whose removal most fragments the person network of the store
    (`cellmap.graph.keyplayers.key_players`, objective F)."""
    return key_player_set(wb, k)["ids"]


def _robust(wb: Workbench, samples: int, seed: int, **options) -> dict:
    """`cellmap.unseen.robust.robustness` on the model of what the caller may see (fitted once per
    store generation and visibility)."""
    from cellmap.unseen.robust import load_model, robustness

    def fitted():
        with wb.store.session() as session:
            return load_model(session)

    model = wb.cached(("robust_model",), fitted)
    return robustness(model, samples, seed=seed, workers=1, **options)


ROBUST_HEADER = ("samples", "seed", "expected", "inclusion")


def robust_key_players(wb: Workbench, samples: int, seed: int, k: int = KEY_PLAYERS) -> dict:
    """Each person's share of `samples` samples in which he is among the overview's key players
    (objective F, set of k), for the persons with any share or in the plain set."""
    result = _robust(wb, samples, seed, k=k, objective=KEY_PLAYER_OBJECTIVE, measures=())
    persons = [
        {
            "id": p["entity_id"],
            "name": p["label"],
            "share": p["key_player"],
            "plain": p["plain_key_player"],
        }
        for p in result["persons"]
    ]
    return {
        **{x: result[x] for x in (*ROBUST_HEADER, "k", "objective")},
        "persons": persons,
    }


def robust_measures(wb: Workbench, samples: int, seed: int, top: int) -> dict:
    """Per measure of `cellmap.unseen.robust.MEASURES`: each person's share of `samples` samples
    in which he is among the `top` by it, for the persons in the plain top or with a share of half
    the samples or more, by share."""
    from cellmap.unseen.robust import MEASURES

    result = _robust(wb, samples, seed, top=top, with_key_players=False)
    ranked = {
        name: sorted(
            (
                {
                    "id": p["entity_id"],
                    "name": p["label"],
                    "share": p["top"][name],
                    "plain": name in p["plain_top"],
                }
                for p in result["persons"]
                if name in p["plain_top"] or p["top"][name] >= 0.5
            ),
            key=lambda row: (-row["share"], not row["plain"], row["name"], row["id"]),
        )
        for name in MEASURES
    }
    return {**{x: result[x] for x in (*ROBUST_HEADER, "top")}, "measures": ranked}


def key_player_set(wb: Workbench, k: int = KEY_PLAYERS) -> dict:
    """The key-player search's result: ids, the objective with and without them, the method."""

    def compute() -> dict:
        g = person_graph(wb, None)
        connected = g.induced_subgraph([v.index for v in g.vs if v.degree() > 0])
        if connected.vcount() <= k:
            return {
                "ids": [],
                "objective": KEY_PLAYER_OBJECTIVE,
                "score": None,
                "baseline": None,
                "method": None,
                "persons": connected.vcount(),
            }
        found = find_key_players(connected, k, objective=KEY_PLAYER_OBJECTIVE, workers=1)
        return {
            "ids": [int(connected.vs[i]["entity_id"]) for i in found.indices],
            "objective": found.objective,
            "score": found.score,
            "baseline": found.baseline,
            "method": found.method,
            "persons": connected.vcount(),
        }

    return wb.cached(("key_players", k), compute)


def person_graph(wb: Workbench, min_grade: str | None, at=None):
    """The person–person network of the store (`cellmap.graph.projection.person_graph`), of the ties
    valid on date `at` when given (else of every tie ever recorded)."""
    window = (at, at) if at is not None else None
    return wb.cached(
        ("person_graph", min_grade, at),
        lambda: project(wb.relations(), wb.entities(), min_grade=min_grade, window=window),
    )


KEY_PLAYERS_SOURCE = (
    "cellmap.graph.keyplayers: KPP-Neg, fragmentation F (Borgatti 2006), person network"
)

# --- incidents ------------------------------------------------------------------------------------


def incident_trends(incidents: pl.DataFrame) -> tuple[list[Series], str]:
    """Yearly counts under the three counting methods of `cellmap.incidents.vocabulary`
    (completed operations only, all operations, all incidents), side by side."""
    yearly = counts_by_method(incidents, "year")
    periods = [str(d.year) for d in yearly["period"].to_list()] if yearly.height else []
    series = [
        Series(
            name=method.replace("_", " "),
            periods=periods,
            values=[float(v) for v in yearly[method].to_list()] if yearly.height else [],
            definition=definition,
        )
        for method, definition in COUNTING_METHODS.items()
    ]
    return series, "cellmap.incidents.trends.counts_by_method (per year)"


def hexagons(incidents: pl.DataFrame, resolution: int) -> tuple[list[dict], list[dict], str]:
    """Incidents per H3 cell (`cellmap.incidents.places.hex_counts`, all dates pooled) with each
    cell's boundary, and the hot spots among them (Getis–Ord Gi*, z ≥ 1.96, `getis_ord_gi_star`)."""
    located = incidents.filter(
        pl.col("lat").is_not_null() & pl.col("lon").is_not_null() & pl.col("date").is_not_null()
    )
    if located.height == 0:
        return [], [], "cellmap.incidents.places"
    # One pooled period: the window is chosen by the caller's start/end filters.
    pooled = located.with_columns(
        pl.lit(located["date"].min()).alias("date"), pl.lit("day").alias("date_precision")
    )
    counts = places.hex_counts(pooled, resolution=resolution, period="year")
    stats = (
        places.getis_ord_gi_star(counts, k=1)
        if counts.height > 1
        else counts.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("gi_star"),
            pl.lit(None, dtype=pl.Float64).alias("p_value"),
            pl.lit("").alias("hotspot"),
        )
    )
    out = []
    for cell, n in (
        counts.sort(["incidents", "h3"], descending=[True, False])
        .select("h3", "incidents")
        .iter_rows()
    ):
        text = h3.int_to_str(int(cell))
        out.append(
            {
                "cell": text,
                "count": int(n),
                "boundary": [[lon, lat] for lat, lon in h3.cell_to_boundary(text)],
            }
        )
    hot = stats.filter(pl.col("hotspot") == "hot")
    hotspots = [
        {
            "cell": h3.int_to_str(int(c)),
            "gi_star": float(z),
            "p_value": float(p) if p is not None else None,
            "incidents": int(n),
        }
        for c, z, p, n in hot.select("h3", "gi_star", "p_value", "incidents").iter_rows()
    ]
    return (
        out,
        hotspots,
        "cellmap.incidents.places: H3 counts; hot spots by Getis–Ord Gi* (z ≥ 1.96, k = 1 ring)",
    )


def areas() -> dict:
    """The named polygons the incident analyses count in (`cellmap.incidents.places.load_polygons`:
    the Palmyra–Deir ez-Zor–Abu Kamal triangle) as GeoJSON, so the map draws the area the figures use."""
    return places.polygons_to_geojson(places.load_polygons())


# --- finance --------------------------------------------------------------------------------------
def case_frames(wb: Workbench) -> CaseFrames:
    def build() -> CaseFrames:
        with wb.store.session() as conn:
            return CaseFrames.from_connection(conn)

    return wb.cached(("case_frames",), build)


def runway(wb: Workbench) -> tuple[dict | None, str | None]:
    """The war chest's totals and runway (`cellmap.finance.headlines.finance_summary`)."""
    value = wb.cached(("runway",), lambda: finance_summary(case_frames(wb)))
    if not value or not value.get("funds"):
        return None, "cellmap.finance: no fund in the store"
    return value, "cellmap.finance.headlines (ledger totals; runway = balance / mean monthly burn)"


def incident_headlines(wb: Workbench, year: int | None = None) -> dict:
    """Change from `year - 1` to `year` three ways (default: the last full year of data), triangle
    share and cell coherence (`cellmap.incidents.headlines`, 199 shuffles for the permutation tests)."""
    return wb.cached(
        ("incident_summary", year),
        lambda: incident_summary(case_frames(wb), year=year, shuffles=199),
    )


# --- resolution -----------------------------------------------------------------------------------
def review_queue(wb: Workbench) -> tuple[list[dict], str]:
    """Candidate pairs (left_id, right_id, score, reasons), best first: the queue scored by
    `cellmap.resolve.candidates` and kept in the store (`cellmap.resolve.queue`), plus the pairs the
    store holds as "unsure"."""
    with wb.store.session() as conn:
        latest = views.latest_judgements(conn)
    unsure = latest.filter(pl.col("decision") == "unsure").sort(
        "score", descending=True, nulls_last=True
    )
    pairs = [
        {"left_id": a, "right_id": b, "score": s, "reasons": None}
        for a, b, s in unsure.select("left_id", "right_id", "score").iter_rows()
    ]
    seen = {(p["left_id"], p["right_id"]) for p in pairs}
    # Scoring takes seconds: it is kept in the store (per state of the records) and here in memory;
    # a judgement does not change the records, so the scores outlive it.
    pairs += [
        p
        for p in wb.cached_records(("candidates",), lambda: scored_queue(wb.store))
        if (p["left_id"], p["right_id"]) not in seen
    ]
    return pairs, "cellmap.resolve.candidates (blocking + scoring) and pairs judged 'unsure'"


def record_judgement(
    wb: Workbench,
    left_id: int,
    right_id: int,
    decision: str,
    author: str,
    reasons: dict | None = None,
    compartment: str | None = None,
) -> int:
    """Store one judgement through `cellmap.resolve.judgements` (the latest per pair counts);
    returns its id."""
    with wb.store.transaction() as conn:
        return record(
            conn,
            left_id,
            right_id,
            decision,
            author=author,
            reasons=reasons,
            compartment=compartment,
        )
