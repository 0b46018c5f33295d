"""Command-and-control coherence: does a cell act in step with leadership-directed campaigns, and how
closely is it tied to leadership in the network? No anchor tool measures this; the method is stated here.

Temporal (per cell, weekly series x_c of its attributed incidents over the analysis period):
- r_campaign = Pearson correlation of x_c with the campaign calendar k (k_w = share of week w covered by
  at least one campaign of kind ``campaign``, from its start_date/end_date);
- r_peers = Pearson correlation of x_c with the summed series of all other cells;
- shuffled-time null: x_c circularly shifted by a uniform random offset (B shifts), which keeps the
  cell's own burstiness and autocorrelation but breaks its alignment with the calendar; one-sided
  p = (1 + #{r_null ≥ r_obs}) / (B + 1). (Circular-shift / "toroidal" tests: Harris & Kershaw style
  randomisation; see Fortin & Jacquez, Geographical Analysis 32:201, 2000, on randomisation under
  autocorrelation.) Cost O(C · B · W) for C cells and W weeks.
Structural (in the command network as of a date: by default membership person–cell/sector, command
person–person, part_of cell–sector — other kinds such as meeting or communication can be added;
organisations are left out, since they would join everything in two hops):
- hops = shortest-path length from the cell to the nearest leadership person (role leader/council_member);
- independent_paths = the number of internally vertex-disjoint paths from the cell to leadership, all
  leadership persons contracted into one vertex (Menger's theorem: the vertex connectivity;
  igraph's max-flow, O(V·E^{1/2}) per cell, Even & Tarjan 1975).
Label (`label_cell`), with the figures that put each cell there:
- temporal evidence 'strong' when p_campaign < α and r_campaign ≥ r_min; 'weak' when only one of those
  holds or peer synchrony is significant (p_peers < α and r_peers ≥ r_min); else 'none';
- structure 'linked' when hops ≤ h_max and independent_paths ≥ 2, 'thin' when reachable otherwise, 'cut'
  when no path;
- coordinated = strong and not cut; autonomous = none (whatever the structure: tied on paper, acting on
  its own schedule); partly = everything between; undetermined = fewer than `min_incidents` incidents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import igraph as ig
import numpy as np
import polars as pl

from cellmap.incidents.trends import LEADERSHIP_ROLES

COMMAND_RELATIONS = ("membership", "command", "part_of")


@dataclass(frozen=True)
class CoherenceRule:
    alpha: float = 0.05
    min_correlation: float = 0.2
    max_hops: int = 4
    min_paths: int = 2
    min_incidents: int = 5
    shuffles: int = 999
    seed: int = 0


def campaigns_frame(entities: pl.DataFrame, properties: pl.DataFrame) -> pl.DataFrame:
    """campaign_id, name, start, end from campaign entities' start_date/end_date (best-graded statement)."""
    ids = entities.filter(pl.col("kind") == "campaign").select(
        pl.col("canonical_id").alias("campaign_id"), "name"
    )
    dates = (
        properties.filter(pl.col("prop").is_in(["start_date", "end_date"]))
        .sort("entity_id", "prop", "reliability", "credibility")
        .group_by("entity_id", "prop", maintain_order=True)
        .agg(pl.col("value").first())
        .pivot(on="prop", index="entity_id", values="value")
    )
    for column in ("start_date", "end_date"):
        if column not in dates.columns:
            dates = dates.with_columns(pl.lit(None, dtype=pl.Utf8).alias(column))
    return (
        ids.join(dates, left_on="campaign_id", right_on="entity_id", how="left")
        .select(
            "campaign_id",
            "name",
            pl.col("start_date").str.slice(0, 10).str.to_date(strict=False).alias("start"),
            pl.col("end_date").str.slice(0, 10).str.to_date(strict=False).alias("end"),
        )
        .filter(pl.col("start").is_not_null())
    )


def _weeks(start: dt.date, end: dt.date) -> pl.Series:
    monday = start - dt.timedelta(days=start.weekday())
    return pl.date_range(monday, end, "1w", eager=True).alias("week")


def weekly_series(incidents: pl.DataFrame, cells: Sequence[int], weeks: pl.Series) -> np.ndarray:
    """Matrix (cells × weeks) of incident counts per cell (column ``cell_id``) and week (Monday start)."""
    counted = (
        incidents.filter(pl.col("cell_id").is_in(list(cells)) & pl.col("date").is_not_null())
        .with_columns(pl.col("date").dt.truncate("1w").alias("week"))
        .group_by("cell_id", "week")
        .agg(pl.len().alias("n"))
    )
    grid = pl.DataFrame({"cell_id": pl.Series(list(cells), dtype=pl.Int64)}).join(
        pl.DataFrame({"week": weeks}), how="cross"
    )
    full = grid.join(counted, on=["cell_id", "week"], how="left").with_columns(
        pl.col("n").fill_null(0)
    )
    order = {c: i for i, c in enumerate(cells)}
    full = full.with_columns(pl.col("cell_id").replace_strict(order).alias("row")).sort(
        "row", "week"
    )
    return full["n"].to_numpy().reshape(len(cells), len(weeks)).astype(float)


def campaign_calendar(campaigns: pl.DataFrame, weeks: pl.Series) -> np.ndarray:
    """Share (0..1) of each week covered by at least one campaign (an open end runs to the last week)."""
    start = weeks.cast(pl.Int32).to_numpy()
    covered = np.zeros((len(start), 7), dtype=bool)
    last = int(start[-1]) + 6 if len(start) else 0
    for first, final in campaigns.select(
        pl.col("start").cast(pl.Int32), pl.col("end").cast(pl.Int32)
    ).iter_rows():
        final = last if final is None else final
        days = start[:, None] + np.arange(7)[None, :]
        covered |= (days >= first) & (days <= final)
    return covered.mean(axis=1)


def _correlations(rows: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row with `reference` (rows: (..., W)); 0 where a side is constant."""
    x = rows - rows.mean(axis=-1, keepdims=True)
    y = reference - reference.mean(axis=-1, keepdims=True)
    denominator = np.sqrt((x**2).sum(axis=-1) * (y**2).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (x * y).sum(axis=-1) / denominator
    return np.where(denominator > 0, r, 0.0)


def shift_test(
    series: np.ndarray, reference: np.ndarray, shuffles: int, rng: np.random.Generator
) -> tuple[float, float]:
    """Observed correlation and its one-sided circular-shift p-value (see module docstring)."""
    observed = float(_correlations(series[None, :], reference[None, :])[0])
    weeks = len(series)
    if weeks < 3 or series.std() == 0 or reference.std() == 0:
        return observed, 1.0
    offsets = rng.integers(1, weeks, size=shuffles)
    shifted = series[(np.arange(weeks)[None, :] + offsets[:, None]) % weeks]
    null = _correlations(shifted, np.broadcast_to(reference, shifted.shape))
    return observed, float((1 + np.sum(null >= observed - 1e-12)) / (shuffles + 1))


def temporal_coherence(
    incidents: pl.DataFrame,
    campaigns: pl.DataFrame,
    cells: Sequence[int],
    start: dt.date | None = None,
    end: dt.date | None = None,
    rule: CoherenceRule = CoherenceRule(),
) -> pl.DataFrame:
    """Per cell: incidents, r_campaign, p_campaign, r_peers, p_peers over the weeks from `start` to `end`
    (default: the span of the incidents). `incidents` needs date and cell_id (see `actors.incident_cells`)."""
    dated = incidents.filter(pl.col("date").is_not_null())
    start = start or cast(dt.date, dated["date"].min())
    end = end or cast(dt.date, dated["date"].max())
    weeks = _weeks(start, end)
    matrix = weekly_series(dated.filter(pl.col("date").is_between(start, end)), cells, weeks)
    calendar = campaign_calendar(campaigns, weeks)
    total = matrix.sum(axis=0)
    rng = np.random.default_rng(rule.seed)
    rows = []
    for row, cell in enumerate(cells):
        series = matrix[row]
        r_campaign, p_campaign = shift_test(series, calendar, rule.shuffles, rng)
        r_peers, p_peers = shift_test(series, total - series, rule.shuffles, rng)
        rows.append(
            {
                "cell_id": cell,
                "incidents": int(series.sum()),
                "weeks": len(weeks),
                "r_campaign": r_campaign,
                "p_campaign": p_campaign,
                "r_peers": r_peers,
                "p_peers": p_peers,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "cell_id": pl.Int64,
            "incidents": pl.Int64,
            "weeks": pl.Int64,
            "r_campaign": pl.Float64,
            "p_campaign": pl.Float64,
            "r_peers": pl.Float64,
            "p_peers": pl.Float64,
        },
    )


def valid_at(relations: pl.DataFrame, as_of: dt.date | None) -> pl.DataFrame:
    """Relations whose validity period contains `as_of` (all of them when `as_of` is None)."""
    if as_of is None:
        return relations
    return relations.filter(
        (pl.col("valid_from").is_null() | (pl.col("valid_from") <= as_of))
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= as_of))
    )


def command_graph(
    relations: pl.DataFrame,
    roles: Sequence[str] = LEADERSHIP_ROLES,
    kinds: Sequence[str] = COMMAND_RELATIONS,
) -> tuple[ig.Graph, int | None]:
    """Undirected command network with every leadership person contracted into one vertex named 'leadership'.

    Vertices are named by entity id (as str). Returns the graph and the leadership vertex index (None when
    no leadership person is known)."""
    edges = relations.filter(
        pl.col("kind").is_in(list(kinds))
        & (pl.col("source_kind") != "organisation")
        & (pl.col("target_kind") != "organisation")
    )
    leaders = set(
        relations.filter((pl.col("kind") == "membership") & pl.col("role").is_in(list(roles)))[
            "source_id"
        ].to_list()
    )
    name = lambda v: "leadership" if v in leaders else str(v)  # noqa: E731
    distinct = {
        tuple(sorted((name(a), name(b))))
        for a, b in edges.select("source_id", "target_id").iter_rows()
    }
    pairs = [p for p in distinct if p[0] != p[1]]
    vertices = sorted({v for p in pairs for v in p} | ({"leadership"} if leaders else set()))
    graph = ig.Graph()
    graph.add_vertices(vertices)
    graph.add_edges(pairs)
    return graph, (graph.vs.find(name="leadership").index if leaders else None)


def structural_coherence(
    relations: pl.DataFrame,
    cells: Sequence[int],
    as_of: dt.date | None = None,
    kinds: Sequence[str] = COMMAND_RELATIONS,
) -> pl.DataFrame:
    """Per cell: hops to leadership and the number of independent (vertex-disjoint) paths, in the command
    network as of `as_of` (see module docstring). Unreachable: hops null, paths 0."""
    graph, leadership = command_graph(valid_at(relations, as_of), kinds=kinds)
    names = set(graph.vs["name"]) if graph.vcount() else set()
    rows = []
    for cell in cells:
        hops, paths = None, 0
        if leadership is not None and str(cell) in names:
            source = graph.vs.find(name=str(cell)).index
            distance = graph.distances(source=source, target=leadership)[0][0]
            if np.isfinite(distance):
                hops = int(distance)
                # neighbors="ignore" sets a direct cell–leadership edge aside; it is one more path of its own.
                paths = int(
                    graph.vertex_connectivity(source, leadership, neighbors="ignore")
                ) + int(graph.are_adjacent(source, leadership))
        rows.append({"cell_id": cell, "hops": hops, "independent_paths": paths})
    return pl.DataFrame(
        rows, schema={"cell_id": pl.Int64, "hops": pl.Int64, "independent_paths": pl.Int64}
    )


def label_cell(row: dict, rule: CoherenceRule = CoherenceRule()) -> tuple[str, str]:
    """(label, reason) for one cell from its temporal and structural figures (rule in the module docstring)."""
    figures = (
        f"r={row['r_campaign']:.2f} with campaigns (p={row['p_campaign']:.3f}), "
        f"r={row['r_peers']:.2f} with other cells (p={row['p_peers']:.3f}); "
        + (
            f"{row['hops']} hops and {row['independent_paths']} independent paths to leadership"
            if row["hops"] is not None
            else "no known path to leadership"
        )
    )
    if row["incidents"] < rule.min_incidents:
        return "undetermined", f"only {row['incidents']} attributed incidents; " + figures
    campaign_significant = row["p_campaign"] < rule.alpha
    campaign_strong = row["r_campaign"] >= rule.min_correlation
    peers = row["p_peers"] < rule.alpha and row["r_peers"] >= rule.min_correlation
    temporal = (
        "strong"
        if campaign_significant and campaign_strong
        else ("weak" if campaign_significant or campaign_strong or peers else "none")
    )
    if row["hops"] is None:
        structure = "cut"
    elif row["hops"] <= rule.max_hops and row["independent_paths"] >= rule.min_paths:
        structure = "linked"
    else:
        structure = "thin"
    if temporal == "strong" and structure != "cut":
        label = "coordinated"
    elif temporal == "none":
        label = "autonomous"
    else:
        label = "partly"
    return label, f"timing {temporal}, structure {structure}: {figures}"


def coherence(
    incidents: pl.DataFrame,
    campaigns: pl.DataFrame,
    relations: pl.DataFrame,
    cells: Sequence[int],
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.date | None = None,
    rule: CoherenceRule = CoherenceRule(),
    kinds: Sequence[str] = COMMAND_RELATIONS,
) -> pl.DataFrame:
    """Temporal and structural figures per cell with its label and the reason (see module docstring)."""
    table = temporal_coherence(incidents, campaigns, cells, start, end, rule).join(
        structural_coherence(relations, cells, as_of, kinds), on="cell_id", how="left"
    )
    labels = [label_cell(row, rule) for row in table.to_dicts()]
    return table.with_columns(
        pl.Series("label", [lab for lab, _ in labels]),
        pl.Series("reason", [why for _, why in labels]),
    )
