"""Grades that change the answer: recompute a conclusion at each minimum report grade and show which
conclusions hold at every grade and which rest on weak reports alone.

A *conclusion* is a statement about the network that an analysis draws from one graph, such as
"X is among the 10 highest-betweenness persons", "X is in the KPP-Neg set of 5", or "X and Y fall
in the same structural group". :func:`sensitivity` projects the graph at each minimum grade (from
the loosest, all reports, to the strictest), draws the conclusions at each, and returns one row
per conclusion with a column per grade. Cost: one projection and one analysis per grade.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import igraph as ig
import numpy as np
import polars as pl

from cellmap.graph.communities import leiden
from cellmap.graph.keyplayers import key_players
from cellmap.graph.measures import measures
from cellmap.graph.projection import edge_array, person_graph

__all__ = [
    "DEFAULT_GRADES",
    "sensitivity",
    "top_measure",
    "key_player_set",
    "same_group",
    "grade_label",
    "Conclude",
]

#: From the loosest to the strictest: all reports; C3 and better; B3 and better; A2 and better.
DEFAULT_GRADES: tuple[str | None, ...] = (None, "C3", "B3", "A2")

#: An analysis that draws conclusions from a graph: a frame ``conclusion, node, label``.
Conclude = Callable[[ig.Graph], pl.DataFrame]

_CONCLUSION_SCHEMA = {"conclusion": pl.Utf8, "node": pl.Utf8, "label": pl.Utf8}


def grade_label(grade: str | None) -> str:
    return "all reports" if grade is None else f"{grade}+"


def top_measure(
    measure: str = "betweenness", top: int = 10, samples: int | None = None
) -> Conclude:
    """Conclusions "node is among the ``top`` by ``measure``" (persons with a positive value only)."""

    def conclude(g: ig.Graph) -> pl.DataFrame:
        frame = measures(g, samples=samples).filter(pl.col(measure).cast(pl.Float64) > 0)
        best = frame.sort([measure, "node"], descending=[True, False]).head(top)
        return best.select(pl.lit(f"top {top} by {measure}").alias("conclusion"), "node", "label")

    return conclude


def key_player_set(k: int = 5, objective: str = "DF", seed: int = 0, **kwargs) -> Conclude:
    """Conclusions "node is in the key-player set of size k for ``objective``"."""

    def conclude(g: ig.Graph) -> pl.DataFrame:
        players = key_players(g, k, objective=objective, seed=seed, **kwargs)
        return pl.DataFrame(
            {
                "conclusion": [f"key player ({objective}, k={k})"] * len(players.nodes),
                "node": players.nodes,
                "label": players.labels,
            },
            schema=_CONCLUSION_SCHEMA,
        )

    return conclude


def same_group(resolution: float = 1.0, seed: int = 0) -> Conclude:
    """Conclusions "X and Y fall in the same Leiden group", for every tied pair (node = "X|Y")."""

    def conclude(g: ig.Graph) -> pl.DataFrame:
        membership = np.asarray(leiden(g, resolution=resolution, seed=seed).membership)
        edges = edge_array(g)
        edges = edges[membership[edges[:, 0]] == membership[edges[:, 1]]] if len(edges) else edges
        names, labels = (
            g.vs["name"],
            g.vs["label"] if "label" in g.vs.attributes() else g.vs["name"],
        )
        pairs = [tuple(sorted((a, b), key=lambda v: names[v])) for a, b in edges.tolist()]
        return pl.DataFrame(
            {
                "conclusion": [f"same group (γ={resolution})"] * len(pairs),
                "node": [f"{names[a]}|{names[b]}" for a, b in pairs],
                "label": [f"{labels[a]} & {labels[b]}" for a, b in pairs],
            },
            schema=_CONCLUSION_SCHEMA,
        )

    return conclude


def sensitivity(
    relations: pl.DataFrame,
    entities: pl.DataFrame,
    conclude: Conclude,
    grades: Sequence[str | None] = DEFAULT_GRADES,
    project: Callable[..., ig.Graph] = person_graph,
    **projection,
) -> pl.DataFrame:
    """Sensitivity table of ``conclude`` to the minimum report grade.

    Returns one row per conclusion drawn at any grade: ``conclusion, node, label``, one boolean
    column per grade (named by :func:`grade_label`, loosest first), ``grades_held`` (how many),
    and ``support``: ``every grade`` (holds at each), ``weak reports only`` (holds with all reports
    but at no stricter grade), ``strong reports only`` (appears only once weak reports are dropped),
    or ``some grades``. ``projection`` is passed to ``project`` (e.g. ``kinds=[...]``).
    """
    per_grade = []
    columns = [grade_label(g) for g in grades]
    for grade, column in zip(grades, columns, strict=False):
        g = project(relations, entities, min_grade=grade, **projection)
        drawn = conclude(g).select(list(_CONCLUSION_SCHEMA)).unique()
        per_grade.append(drawn.with_columns(pl.lit(column).alias("grade")))
    long = (
        pl.concat(per_grade)
        if per_grade
        else pl.DataFrame(schema={**_CONCLUSION_SCHEMA, "grade": pl.Utf8})
    )
    if long.height == 0:
        return pl.DataFrame(
            schema={
                **_CONCLUSION_SCHEMA,
                **{c: pl.Boolean for c in columns},
                "grades_held": pl.Int64,
                "support": pl.Utf8,
            }
        )
    wide = long.with_columns(pl.lit(True).alias("held")).pivot(
        on="grade", index=["conclusion", "node", "label"], values="held", aggregate_function="first"
    )
    for column in columns:
        wide = wide.with_columns(
            pl.col(column).fill_null(False)
            if column in wide.columns
            else pl.lit(False).alias(column)
        )
    first, rest = columns[0], columns[1:]
    held = pl.sum_horizontal([pl.col(c).cast(pl.Int64) for c in columns])
    any_rest = pl.any_horizontal([pl.col(c) for c in rest]) if rest else pl.lit(False)
    support = (
        pl.when(held == len(columns))
        .then(pl.lit("every grade"))
        .when(pl.col(first) & ~any_rest)
        .then(pl.lit("weak reports only"))
        .when(~pl.col(first))
        .then(pl.lit("strong reports only"))
        .otherwise(pl.lit("some grades"))
    )
    return (
        wide.select("conclusion", "node", "label", *columns)
        .with_columns(held.alias("grades_held"), support.alias("support"))
        .sort(["conclusion", "grades_held", "node"], descending=[False, True, False])
    )
