"""Strike curves on Spark: the largest component's share, the number of components, Borgatti's
fragmentation and the reachability groups' cut-off items (cells cut off) after each removal — the
same curve as :func:`cellmap.disrupt.curves.removal_curve`, for a graph held by Spark
(:class:`cellmap.graph.spark_engine.SparkGraph`).

Newman & Ziff's reverse trick (2000, Phys. Rev. Lett. 85:4104), split between the cluster and the
driver: the components of the graph with all k struck persons removed are found once on the
cluster (large-star/small-star, :func:`cellmap.graph.spark_engine.components`); only the edges of the
struck persons (Σ deg(v_i) rows) and the sizes of the components they touch come to the driver,
which adds the struck persons back, last first, merging components with a union–find. Cost: one
distributed components run, O(m) per round, plus O(Σ deg(v_i) α(n)) on the driver.

Reachability (is some surviving source of an item in the component of a surviving target?) needs
only which component each requirement vertex is in, and residual components are never split: the
driver contracts each residual component to one node, keeps the struck persons and their ties, and
runs the local incremental curve (:func:`~cellmap.disrupt.curves.removal_curve`) on that quotient
graph for the cut-off counts. Cost: O(Σ deg(v_i) + R) more on the driver for R (item, vertex) pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import igraph as ig
import numpy as np
import polars as pl

from cellmap.disrupt.curves import Reachability, curve_frame, removal_curve
from cellmap.errors import InputError
from cellmap.graph import spark_engine as se

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

STRATEGIES = ("degree", "targets")

__all__ = ["STRATEGIES", "degree_order", "targets_order", "strike_curve"]


def degree_order(graph: se.SparkGraph, k: int | None = None) -> list[int]:
    """The ``k`` (default all) most connected persons, ties by the lowest vertex id — the local
    engine's fixed degree attack (Holme et al. 2002, "initial" degree). One shuffle of the arcs."""
    from pyspark.sql import functions as F

    ranked = se.degree_strength(graph).orderBy(F.desc("degree"), F.asc("id")).select("id")
    if k is not None:
        ranked = ranked.limit(k)
    return [row[0] for row in ranked.collect()]


def targets_order(graph: se.SparkGraph, names: Sequence[str]) -> list[int]:
    """Vertex ids of the persons named, in the given order (unknown or repeated names are errors)."""
    from pyspark.sql import functions as F

    names = [str(n).strip() for n in names]
    found: dict[str, int] = dict(
        graph.vertices.where(F.col("name").isin(names)).select("name", "id").collect()
    )
    for name in names:
        if name not in found:
            raise InputError(f"target {name!r}: no such person in the network", field="--targets")
    if len(set(names)) != len(names):
        raise InputError("targets: a person is listed twice", field="--targets")
    return [int(found[n]) for n in names]


def _removed_frame(graph: se.SparkGraph, order: Sequence[int]) -> DataFrame:
    spark = graph.vertices.sparkSession
    return spark.createDataFrame([(int(v),) for v in order], "id long")


def strike_curve(
    graph: se.SparkGraph, order: Sequence[int], reachability: Sequence[Reachability] = ()
) -> pl.DataFrame:
    """One row per state (step 0 = intact network): ``step, removed, removed_index, remaining,
    largest_component, largest_share, components, fragmentation`` and one column per
    ``reachability`` group (items cut off; its vertices are graph ids) for the removal ``order``
    (vertex ids, distinct)."""
    from pyspark.sql import functions as F

    order = [int(v) for v in order]
    if len(set(order)) != len(order):
        raise InputError("removal order: a person is removed twice", field="--targets")
    n_total = graph.vertices.count()
    removed = F.broadcast(_removed_frame(graph, order))
    residual_vertices = graph.vertices.join(removed, "id", "left_anti")
    residual_edges = graph.edges.join(
        removed.withColumnRenamed("id", "src"), "src", "left_anti"
    ).join(removed.withColumnRenamed("id", "dst"), "dst", "left_anti")
    residual = se.SparkGraph(residual_vertices, residual_edges, graph.source).persist()
    roots, _ = se.components(residual)
    roots = roots.localCheckpoint(eager=True)
    sizes = roots.groupBy("root").agg(F.count("*").alias("size"))
    totals = sizes.agg(
        F.count("*").alias("components"),
        F.coalesce(F.max("size"), F.lit(0)).alias("largest"),
        F.coalesce(F.sum(F.col("size") * (F.col("size") - 1)), F.lit(0)).alias("pairs"),
    ).first()
    assert (
        totals is not None
    )  # an aggregate without grouping has one row, each end named by its residual component (or the struck person)
    struck_ids = removed.select(F.col("id").alias("struck"))
    touching = (
        graph.edges.join(struck_ids, F.col("src") == F.col("struck"), "left_semi")
        .unionByName(graph.edges.join(struck_ids, F.col("dst") == F.col("struck"), "left_semi"))
        .distinct()
    )
    ends = touching.select("src", "dst")
    for end in ("src", "dst"):
        ends = ends.join(
            roots.select(F.col("id").alias(end), F.col("root").alias(f"{end}_root")), end, "left"
        )
    ties = ends.collect()
    touched = {r[f"{end}_root"] for r in ties for end in ("src", "dst")} - {None}
    size_of: dict[int, int] = dict(
        sizes.where(F.col("root").isin(list(touched))).select("root", "size").collect()
        if touched
        else []
    )
    labels: dict[int, str] = dict(
        graph.vertices.join(_removed_frame(graph, order), "id").select("id", "name").collect()
    )
    largest, components, pair_sum = _add_back(
        order,
        ties,
        size_of,
        int(totals["components"]),
        int(totals["largest"]),
        float(totals["pairs"]),
    )
    return curve_frame(
        n_total,
        np.asarray(order, dtype=np.int64),
        [str(labels[v]) for v in order],
        largest,
        components,
        pair_sum,
        _cut_off(roots, order, ties, reachability),
    )


def _cut_off(
    roots: DataFrame, order: list[int], ties, reachability: Sequence[Reachability]
) -> dict[str, np.ndarray]:
    """Cut-off items per state and group, from the quotient graph: node i < k is the struck
    person ``order[i]``, every further node one residual component (see the module docstring)."""
    from pyspark.sql import functions as F

    groups = [grp for grp in reachability if grp.items]
    if not groups:
        return {}
    wanted = sorted(
        {int(v) for grp in groups for side in (grp.sources, grp.targets) for vs in side for v in vs}
        - set(order)
    )
    spark = roots.sparkSession
    root_of: dict[int, int] = dict(
        roots.join(F.broadcast(spark.createDataFrame([(v,) for v in wanted], "id long")), "id")
        .select("id", "root")
        .collect()
        if wanted
        else []
    )
    node = {v: i for i, v in enumerate(order)}
    component: dict[int, int] = {}

    def node_of(vertex: int, root: int | None) -> int:
        if root is None:  # a struck person
            return node[vertex]
        return component.setdefault(root, len(order) + len(component))

    edges = [(node_of(r["src"], r["src_root"]), node_of(r["dst"], r["dst_root"])) for r in ties]

    def nodes(vertices: Sequence[int]) -> list[int]:
        return [node_of(int(v), root_of.get(int(v))) for v in vertices]

    mapped = [
        Reachability(
            grp.name,
            grp.items,
            [nodes(vs) for vs in grp.sources],
            [nodes(vs) for vs in grp.targets],
        )
        for grp in groups
    ]
    quotient = ig.Graph(n=len(order) + len(component), edges=edges)
    curve = removal_curve(quotient, range(len(order)), mapped)
    return {grp.name: curve[grp.name].to_numpy() for grp in groups}


def _add_back(order, ties, size_of, components0, largest0, pairs0):
    """Reverse pass on the driver: struck persons come back last first; union–find with union by
    size over residual components (keyed ``("c", root)``) and struck persons (``("v", id)``)."""
    k = len(order)
    position = {v: i for i, v in enumerate(order)}
    neighbours: dict[int, list[tuple]] = {v: [] for v in order}
    for row in ties:
        for me, other, other_root in (
            (row["src"], row["dst"], row["dst_root"]),
            (row["dst"], row["src"], row["src_root"]),
        ):
            if me in position:
                node = ("c", other_root) if other_root is not None else ("v", other)
                neighbours[me].append(node)
    parent: dict[tuple, tuple] = {}
    size: dict[tuple, int] = {("c", root): int(s) for root, s in size_of.items()}

    def find(x: tuple) -> tuple:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    largest = np.zeros(k + 1, dtype=np.int64)
    components = np.zeros(k + 1, dtype=np.int64)
    pair_sum = np.zeros(k + 1, dtype=np.float64)
    current = [largest0, components0, pairs0]
    largest[k], components[k], pair_sum[k] = current
    active: set[int] = set()
    for i in range(k - 1, -1, -1):
        v = order[i]
        active.add(v)
        me = ("v", v)
        size[me] = 1
        current[1] += 1
        current[0] = max(current[0], 1)
        for node in neighbours[v]:
            if node[0] == "v" and node[1] not in active:
                continue  # a struck neighbour not yet back
            a, b = find(node), find(me)
            if a == b:
                continue
            if size[a] < size[b]:
                a, b = b, a
            parent[b] = a
            current[2] += 2.0 * size[a] * size[b]
            size[a] += size[b]
            current[1] -= 1
            current[0] = max(current[0], size[a])
        largest[i], components[i], pair_sum[i] = current
    return largest, components, pair_sum
