"""The workbench's bridge to the analysis packages (graph, disrupt, incidents, finance, resolve).

Each function calls the package that owns the analysis and returns plain data for the routers,
cached per store generation. When a package (or a function of it) is not in this build, the
function says so (returns None, and `capabilities()` reports it false) and the view shows only what
the store views give; nothing here invents numbers.
"""
from __future__ import annotations

import importlib
from types import ModuleType

import numpy as np
import polars as pl

from cellmap.web.api.schemas import Series
from cellmap.web.data import Workbench
from cellmap.web.graphs import LinkChart

# Above this many vertices betweenness and harmonic closeness use their sampled estimators.
EXACT_LIMIT = 1500
SAMPLES = 256

MEASURES = ("degree", "betweenness", "harmonic", "eigenvector", "pagerank", "coreness", "constraint",
            "effective_size")


def module(name: str) -> ModuleType | None:
    """`cellmap.<name>` if it exists in this build, else None."""
    try:
        return importlib.import_module(f"cellmap.{name}")
    except ImportError:
        return None


def function(path: str):
    """`cellmap.<module>.<function>` if it exists in this build, else None."""
    name, _, attribute = path.rpartition(".")
    found = module(name)
    return getattr(found, attribute, None) if found is not None else None


def capabilities() -> dict[str, bool]:
    """Which analyses this build can run (shown by the front end, so a missing one is visible)."""
    return {
        "measures": function("graph.measures.betweenness") is not None,
        "communities": False,
        "key_players": False,
        "paths": True,
        "strike_curves": function("disrupt.attack.attack_curve") is not None,
        "trends": False,
        "hotspots": False,
        "coherence": False,
        "runway": False,
        "review_queue": False,
    }


# --- graph ----------------------------------------------------------------------------------------
def measure(wb: Workbench, chart: LinkChart, name: str) -> list[float]:
    """One node measure (see `cellmap.graph.measures`) in the chart's vertex order.

    Betweenness and harmonic closeness are exact up to EXACT_LIMIT vertices and estimated from
    SAMPLES sources above (the measures module states the estimator and its error).
    """
    from cellmap.graph import measures as m

    def compute() -> list[float]:
        g = chart.graph
        if g.vcount() == 0:
            return []
        samples = SAMPLES if g.vcount() > EXACT_LIMIT else None
        if name == "betweenness":
            values = m.betweenness(g, samples=samples)[0]
        elif name == "harmonic":
            values = m.harmonic_closeness(g, samples=samples)
        elif name in ("eigenvector", "constraint", "effective_size"):
            values = getattr(m, name)(g, True)
        else:
            values = getattr(m, name)(g)
        return np.nan_to_num(np.asarray(values, dtype=float)).tolist()

    return wb.cached(("measure", id(chart), name), compute)


def communities(wb: Workbench, chart: LinkChart) -> list[int] | None:
    """Detected community per vertex, when `cellmap.graph.communities` is in this build."""
    return None


def key_players(wb: Workbench, chart: LinkChart, k: int = 10) -> list[int] | None:
    """Entity ids of the key players, when `cellmap.graph.keyplayers` is in this build."""
    return None


KEY_PLAYERS_SOURCE = "cellmap.graph.keyplayers"

# --- incidents ------------------------------------------------------------------------------------
# The seed's three readings of "operations" (shared/scenario.md F10, F11).
OPERATION_TYPES = ("attack", "jail_attack")


def incident_trends(incidents: pl.DataFrame) -> tuple[list[Series], str]:
    """Yearly counts under three definitions: completed operations only, all operations, all incidents.

    Until `cellmap.incidents.trends` is wired these are plain yearly counts of the store's
    incidents view (no change-point or rate analysis).
    """
    frame = incidents.filter(pl.col("date").is_not_null()).with_columns(pl.col("date").dt.year().alias("year"))
    operations = pl.col("type").is_in(list(OPERATION_TYPES))
    definitions = [
        ("completed operations", operations & (pl.col("outcome") == "completed"),
         "attack or jail_attack with outcome completed"),
        ("all operations", operations, "attack or jail_attack, any outcome"),
        ("all incidents", pl.lit(True), "every incident type and outcome"),
    ]
    years = sorted(frame["year"].unique().to_list()) if frame.height else []
    series = []
    for name, mask, definition in definitions:
        counts = dict(frame.filter(mask).group_by("year").len().iter_rows())
        series.append(Series(name=name, periods=[str(y) for y in years], values=[counts.get(y, 0) for y in years],
                             definition=definition))
    return series, "store view: incidents counted per year"


def hexagons(incidents: pl.DataFrame, resolution: int) -> tuple[list[dict], list[dict], str]:
    """Incidents per H3 cell (Uber H3; Brodsky 2018) with each cell's boundary, and hotspots.

    Binning is one `latlng_to_cell` per incident, O(n); hotspots need `cellmap.incidents`.
    """
    import h3

    if incidents.height == 0:
        return [], [], "h3 binning of the store's incidents"
    cells = [h3.latlng_to_cell(lat, lon, resolution)
             for lat, lon in zip(incidents["lat"].to_list(), incidents["lon"].to_list())]
    counts = pl.DataFrame({"cell": cells}).group_by("cell").len().sort(["len", "cell"], descending=[True, False])
    out = [{"cell": cell, "count": n, "boundary": [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]}
           for cell, n in counts.iter_rows()]
    return out, [], "h3 binning of the store's incidents (hotspots: not in this build)"


# --- finance --------------------------------------------------------------------------------------
def runway(wb: Workbench) -> tuple[dict | None, str | None]:
    """The finance runway, when `cellmap.finance` is in this build."""
    return None, None


# --- resolution -----------------------------------------------------------------------------------
def review_queue(wb: Workbench) -> tuple[list[dict], str]:
    """Candidate pairs (left_id, right_id, score, reasons), best first.

    From `cellmap.resolve` when it offers a queue; otherwise the store's own pairs whose latest
    judgement is "unsure" (nothing is scored here).
    """
    from cellmap.store import views

    with wb.store.session() as conn:
        latest = views.latest_judgements(conn)
    unsure = latest.filter(pl.col("decision") == "unsure").sort("score", descending=True, nulls_last=True)
    pairs = [{"left_id": a, "right_id": b, "score": s, "reasons": None}
             for a, b, s in unsure.select("left_id", "right_id", "score").iter_rows()]
    return pairs, "store: pairs judged 'unsure' (cellmap.resolve candidate queue not in this build)"


def record_judgement(wb: Workbench, left_id: int, right_id: int, decision: str, author: str) -> None:
    """Store one judgement (the store keeps every judgement; the latest per pair counts)."""
    import datetime as dt

    from cellmap.store import tables

    with wb.store.transaction() as conn:
        conn.execute(tables.judgement.insert().values(
            left_id=left_id, right_id=right_id, decision=decision, score=None, reasons=None, author=author,
            decided_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), automatic=False))
