"""Degree, strength, PageRank and connected components on Spark DataFrames — the same answers as
the local engine (:mod:`cellmap.graph.measures`) on graphs no single machine holds.

A graph on Spark is a :class:`SparkGraph`: ``vertices (id, name)`` and ``edges (src, dst, weight)``
with ``src < dst``, one row per tied pair, no self-loops — the simple undirected graph that
:func:`cellmap.graph.projection.graph_from_edge_list` builds locally. ``id`` is the local engine's
vertex index (the order of first appearance among the sources, then the targets), so that ties in
a ranking are broken the same way by both engines.

Inputs: an edge list as Parquet or CSV (``source, target[, weight]`` or ``from, to``; any path
Spark reads: local, ``hdfs://``, ``s3a://``) or a graph projected locally from the store
(:func:`from_igraph`). Outputs are DataFrames; :func:`write_parquet` writes them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cellmap.errors import InputError

if TYPE_CHECKING:
    import igraph as ig
    from pyspark.sql import DataFrame, SparkSession

PAGERANK_TOL = 1e-9  # L1 change between iterates; the error is then at most tol·α/(1-α)
PAGERANK_MAX_ITER = 500
MAX_STAR_ROUNDS = 100  # large-star/small-star needs O(log² n) rounds; this bound is never reached

__all__ = [
    "SparkGraph",
    "read_edges",
    "from_igraph",
    "degree_strength",
    "pagerank",
    "components",
    "measures",
    "write_parquet",
]


@dataclass
class SparkGraph:
    """Vertices ``(id: long, name: string)`` and edges ``(src, dst: long, weight: double)``,
    ``src < dst``; ``source`` says where it was read from (for messages)."""

    vertices: DataFrame
    edges: DataFrame
    source: str = ""

    def persist(self) -> SparkGraph:
        self.vertices = self.vertices.localCheckpoint(eager=True)
        self.edges = self.edges.localCheckpoint(eager=True)
        return self


def _columns(frame: DataFrame, path: str) -> dict[str, str]:
    cols = {c.strip().lower(): c for c in frame.columns}
    for name, synonym in (("source", "from"), ("target", "to")):
        if name not in cols and synonym in cols:
            cols[name] = cols[synonym]
    for need in ("source", "target"):
        if need not in cols:
            raise InputError("missing column (need source,target[,weight])", file=path, field=need)
    return cols


def read_edges(spark: SparkSession, path: str) -> SparkGraph:
    """An edge list read by Spark: Parquet (a ``.parquet`` file or a directory of pieces) or CSV
    with a header. Repeated pairs collapse into one edge whose weight is the sum of the rows'
    weights (default 1); self-loops are dropped but their node is kept (an isolated vertex).

    With integer node ids (Parquet ``long``/``int`` columns) the ids are kept as they are
    (:func:`_integer_edges`). Bad rows raise :class:`~cellmap.errors.InputError` naming the file, the field and how many rows
    are bad (with the first bad value). Cost: two shuffles of the E rows, one sort of the vertices.
    """
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    try:
        is_csv = path.lower().rstrip("/").endswith((".csv", ".csv.gz", ".tsv"))
        if is_csv:
            raw = spark.read.option("header", True).option("inferSchema", False).csv(path)
        else:
            raw = spark.read.parquet(path)
    except AnalysisException as exc:
        raise InputError(f"Spark cannot read it ({exc.getMessage()})", file=path) from None
    cols = _columns(raw, path)
    if all(
        isinstance(raw.schema[cols[end]].dataType, (T.LongType, T.IntegerType))
        for end in ("source", "target")
    ):
        return _integer_edges(raw, cols, path)
    weight = (
        F.col(cols["weight"]).cast("string") if "weight" in cols else F.lit(None).cast("string")
    )
    rows = raw.select(
        F.trim(F.col(cols["source"]).cast("string")).alias("source"),
        F.trim(F.col(cols["target"]).cast("string")).alias("target"),
        weight.alias("weight_text"),
        F.monotonically_increasing_id().alias("row"),  # file order, for first appearance
    ).withColumn("weight", F.coalesce(F.col("weight_text").try_cast("double"), F.lit(1.0)))
    _check_rows(rows, path)
    ends = rows.select(
        F.col("source").alias("name"), F.struct(F.lit(0), F.col("row")).alias("first")
    ).unionByName(
        rows.select(F.col("target").alias("name"), F.struct(F.lit(1), F.col("row")).alias("first"))
    )
    firsts = ends.groupBy("name").agg(F.min("first").alias("first"))
    indexed = firsts.orderBy("first").select("name").rdd.zipWithIndex()
    vertices = spark.createDataFrame(
        indexed.map(lambda pair: (pair[1], pair[0][0])), "id long, name string"
    )
    vertices = vertices.localCheckpoint(eager=True)
    by_name = vertices.withColumnRenamed("id", "vid")
    located = (
        rows.join(by_name.withColumnRenamed("name", "source"), "source")
        .withColumnRenamed("vid", "u")
        .join(by_name.withColumnRenamed("name", "target"), "target")
        .withColumnRenamed("vid", "v")
        .where(F.col("u") != F.col("v"))
    )
    edges = located.groupBy(F.least("u", "v").alias("src"), F.greatest("u", "v").alias("dst")).agg(
        F.sum("weight").alias("weight")
    )
    return SparkGraph(vertices, edges, path).persist()


def _integer_edges(raw: DataFrame, cols: dict[str, str], path: str) -> SparkGraph:
    """Parquet with integer node ids (call-detail records keyed by number): the id is the node's
    own number, so no index is built (ties in a ranking are broken by that number)."""
    from pyspark.sql import functions as F

    weight = F.col(cols["weight"]).cast("double") if "weight" in cols else F.lit(1.0)
    rows = raw.select(
        F.col(cols["source"]).cast("long").alias("u"),
        F.col(cols["target"]).cast("long").alias("v"),
        F.coalesce(weight, F.lit(1.0)).alias("weight"),
    )
    nulls = rows.where(F.col("u").isNull() | F.col("v").isNull()).limit(1).count()
    if nulls:
        raise InputError("empty node id", file=path, field="source/target")
    vertices = (
        rows.select(F.col("u").alias("id"))
        .unionByName(rows.select(F.col("v").alias("id")))
        .distinct()
        .select("id", F.col("id").cast("string").alias("name"))
    )
    edges = (
        rows.where(F.col("u") != F.col("v"))
        .groupBy(F.least("u", "v").alias("src"), F.greatest("u", "v").alias("dst"))
        .agg(F.sum("weight").alias("weight"))
    )
    return SparkGraph(vertices, edges, path).persist()


def _check_rows(rows: DataFrame, path: str) -> None:
    from pyspark.sql import functions as F

    problems = rows.select(
        F.sum((F.col("source").isNull() | (F.col("source") == "")).cast("long")).alias("source"),
        F.sum((F.col("target").isNull() | (F.col("target") == "")).cast("long")).alias("target"),
        F.sum(
            (
                F.col("weight_text").isNotNull() & F.col("weight_text").try_cast("double").isNull()
            ).cast("long")
        ).alias("weight"),
    ).first()
    for field in ("source", "target"):
        if problems and problems[field]:
            raise InputError(f"empty node id in {problems[field]:,} rows", file=path, field=field)
    if problems and problems["weight"]:
        bad = (
            rows.where(
                F.col("weight_text").try_cast("double").isNull() & F.col("weight_text").isNotNull()
            )
            .select("weight_text")
            .first()
        )
        raise InputError(
            f"not a number ({bad[0] if bad else ''!r}; {problems['weight']:,} rows)",
            file=path,
            field="weight",
        )


def from_igraph(spark: SparkSession, g: ig.Graph) -> SparkGraph:
    """A graph projected locally (from the store) handed to Spark: vertex index = ``id``."""
    import pandas as pd

    from cellmap.graph.projection import edge_array

    ends = edge_array(g)
    weights = g.es["weight"] if "weight" in g.es.attributes() else [1.0] * g.ecount()
    names = g.vs["name"] if g.vcount() else []
    vertices = spark.createDataFrame(
        pd.DataFrame({"id": range(g.vcount()), "name": [str(n) for n in names]}),
        "id long, name string",
    )
    low, high = ends.min(axis=1) if len(ends) else [], ends.max(axis=1) if len(ends) else []
    edges = spark.createDataFrame(
        pd.DataFrame({"src": low, "dst": high, "weight": [float(w) for w in weights]}),
        "src long, dst long, weight double",
    )
    return SparkGraph(vertices, edges, "store").persist()


def _arcs(graph: SparkGraph) -> DataFrame:
    """Both directions of every edge: ``(src, dst, weight)``."""
    from pyspark.sql import functions as F

    return graph.edges.unionByName(
        graph.edges.select(F.col("dst").alias("src"), F.col("src").alias("dst"), "weight")
    )


def degree_strength(graph: SparkGraph) -> DataFrame:
    """``id, degree, strength``: d_i = number of neighbours, s_i = Σ_j w_ij (Barrat et al. 2004,
    PNAS 101:3747); 0 for isolated vertices. One shuffle of the 2E arcs. Cost: O(n + m)."""
    from pyspark.sql import functions as F

    sums = (
        _arcs(graph)
        .groupBy(F.col("src").alias("id"))
        .agg(F.count("*").alias("degree"), F.sum("weight").alias("strength"))
    )
    return (
        graph.vertices.select("id")
        .join(sums, "id", "left")
        .select(
            "id",
            F.coalesce("degree", F.lit(0)).cast("long").alias("degree"),
            F.coalesce("strength", F.lit(0.0)).alias("strength"),
        )
    )


def pagerank(
    graph: SparkGraph,
    damping: float = 0.85,
    tol: float = PAGERANK_TOL,
    max_iter: int = PAGERANK_MAX_ITER,
    strengths: DataFrame | None = None,
    check_every: int = 8,
) -> tuple[DataFrame, int]:
    """``(id, pagerank)`` and the number of iterations: weighted PageRank (Brin & Page 1998) as the
    local engine and igraph define it on an undirected graph,
    ``p_i = (1-α)/n + α (Σ_j p_j w_ji / s_j + Σ_{dangling j} p_j / n)``: a vertex without ties
    (s_j = 0, dangling) spreads its rank evenly over all n vertices.

    The dangling vertices' share is not redistributed at each step: with a uniform teleport, the
    PageRank vector is the normalised solution of the "leaky" system x = α P x + (1-α)/n·1 in
    which dangling columns are zero (Del Corso, Gullì & Romani 2005, "Fast PageRank computation
    via a sparse linear system", Internet Mathematics 2(3); Langville & Meyer 2006, ch. 8), so each
    step reads the ranks once: the arcs' shares w_ji / s_j (computed once) join the current x and
    are summed by target — one shuffle of the 2E contributions — and p = x / Σx at the end.
    Steps run in batches of ``check_every`` per Spark job (then checkpointed: no growing lineage);
    it stops when the L1 change of the last step is below ``tol``. The error of x is then at most
    tol·α/(1-α), and of p at most 2α·tol/(1-α)² ≈ 76·tol in L1 (Σx ≥ 1-α), so the default 1e-9
    agrees with the local engine far below 1e-6 per vertex. Iterations ≈ log(tol)/log(α)
    (≤ 128 for 1e-9). Cost: O(m) per iteration.
    """
    from pyspark.sql import functions as F

    n = graph.vertices.count()
    spark = graph.vertices.sparkSession
    if n == 0:
        return spark.createDataFrame([], "id long, pagerank double"), 0
    strengths = strengths if strengths is not None else degree_strength(graph)
    parts = int(spark.conf.get("spark.sql.shuffle.partitions") or 200)
    # the arcs' shares, partitioned by source like the ranks that join them: only the summed
    # contributions cross the network at each step
    shares = (
        _arcs(graph)
        .join(strengths.select(F.col("id").alias("src"), "strength"), "src")
        .select("src", "dst", (F.col("weight") / F.col("strength")).alias("share"))
        .repartition(parts, "src")
        .localCheckpoint(eager=True)
    )
    teleport = (1.0 - damping) / n
    tied = strengths.where(F.col("strength") > 0).select("id")
    ranks = tied.select("id", F.lit(1.0 / n).alias("rank")).repartition(parts, "id")
    iteration = 0
    while iteration < max_iter:
        # a batch of steps runs as one Spark job; the last two iterates are compared after it
        batch = min(check_every, max_iter - iteration)
        before = ranks
        for _ in range(batch):
            before, ranks = ranks, _pagerank_step(ranks, shares, damping, teleport)
        iteration += batch
        both = ranks.join(before.withColumnRenamed("rank", "before"), "id").localCheckpoint(
            eager=True
        )
        ranks = both.select("id", "rank")
        change = both.agg(F.sum(F.abs(F.col("rank") - F.col("before")))).first()
        if change is None or change[0] is None or change[0] < tol:
            break
    # vertices without ties receive nothing: x = (1-α)/n for ever
    untied = strengths.where(F.col("strength") == 0).select("id", F.lit(teleport).alias("rank"))
    ranks = ranks.unionByName(untied)
    total = ranks.agg(F.sum("rank")).first()
    ranks = ranks.select(
        "id", (F.col("rank") / F.lit(total[0] if total else 1.0)).alias("pagerank")
    )
    return ranks, iteration


def _pagerank_step(x: DataFrame, shares: DataFrame, damping: float, teleport: float) -> DataFrame:
    """One step of the leaky iteration x_i ← α Σ_j x_j w_ji / s_j + (1-α)/n over the vertices with
    ties (every one of them receives from its neighbours). Each step reads x once, so the plan of
    a batch grows linearly; the shares are already partitioned by source, so the join moves only x."""
    from pyspark.sql import functions as F

    return (
        shares.join(x.withColumnRenamed("id", "src").hint("shuffle_hash"), "src")
        .groupBy(F.col("dst").alias("id"))
        .agg(
            (F.lit(damping) * F.sum(F.col("rank") * F.col("share")) + F.lit(teleport)).alias("rank")
        )
    )


def components(graph: SparkGraph, max_rounds: int = MAX_STAR_ROUNDS) -> tuple[DataFrame, int]:
    """``(id, root)`` and the number of rounds: connected components by alternating large-star and
    small-star (Kiveris, Lattanzi, Mirrokni, Rastogi & Vassilvitskii 2014, "Connected Components
    in MapReduce and Beyond", ACM SoCC). ``root`` is the smallest vertex id of the component.

    Large-star: every vertex u links each larger neighbour v to m(u), the smallest of u and its
    neighbours. Small-star: every vertex u links itself and each smaller neighbour to the smallest
    of them. Neither changes the components; they are repeated until every component is a star
    around its smallest vertex: every vertex that has a smaller neighbour has exactly one, and no
    vertex is both. The paper proves O(log² n) rounds (observed: a handful); each round is a few
    shuffles of the current edges, whose number never grows beyond m. Isolated vertices are their
    own root. Example: edges 3–1, 1–2, 5–4 give roots 1, 1, 1, 4, 4 for vertices 1, 2, 3, 4, 5.
    """
    from pyspark.sql import functions as F

    edges = graph.edges.select(
        F.greatest("src", "dst").alias("hi"), F.least("src", "dst").alias("lo")
    ).distinct()
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        # large-star on (u, v) in both directions: each v > u is linked to m(u)
        both = edges.select(F.col("lo").alias("u"), F.col("hi").alias("v")).unionByName(
            edges.select(F.col("hi").alias("u"), F.col("lo").alias("v"))
        )
        low = both.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
        edges = (
            both.where(F.col("v") > F.col("u"))
            .join(low, "u")
            .select(F.col("v").alias("hi"), F.col("m").alias("lo"))
            .distinct()
        )
        # small-star on (hi, lo): hi and all its smaller neighbours are linked to their minimum
        low = edges.groupBy("hi").agg(F.min("lo").alias("m"))
        edges = (
            edges.join(low, "hi")
            .where(F.col("lo") != F.col("m"))
            .select(F.col("lo").alias("hi"), F.col("m").alias("lo"))
            .unionByName(low.select("hi", F.col("m").alias("lo")))
            .distinct()
            .localCheckpoint(eager=True)
        )
        leaves = edges.groupBy("hi").agg(F.count("*").alias("roots"))
        centres = edges.select(F.col("lo").alias("hi"), F.lit(1).alias("centre")).distinct()
        unfinished = (
            leaves.join(centres, "hi", "left")
            .where((F.col("roots") > 1) | F.col("centre").isNotNull())
            .limit(1)
            .count()
        )
        if not unfinished:
            break
    roots = graph.vertices.select("id").join(
        edges.select(F.col("hi").alias("id"), F.col("lo").alias("root")), "id", "left"
    )
    return roots.select("id", F.coalesce("root", "id").alias("root")), rounds


def measures(
    graph: SparkGraph, tol: float = PAGERANK_TOL, max_iter: int = PAGERANK_MAX_ITER
) -> tuple[DataFrame, dict]:
    """``node, degree, strength, pagerank, component`` (component = the name of the component's
    first vertex, as the local engine labels it) and what the run took (iterations, rounds)."""
    from pyspark.sql import functions as F

    sums = degree_strength(graph).localCheckpoint(eager=True)
    ranks, iterations = pagerank(graph, tol=tol, max_iter=max_iter, strengths=sums)
    roots, rounds = components(graph)
    names = graph.vertices
    labelled = roots.join(
        names.select(F.col("id").alias("root"), F.col("name").alias("component")), "root"
    )
    frame = (
        names.join(sums, "id")
        .join(ranks, "id")
        .join(labelled.select("id", "component"), "id")
        .select(
            "id",
            F.col("name").alias("node"),
            "degree",
            "strength",
            "pagerank",
            "component",
        )
    )
    return frame, {"pagerank_iterations": iterations, "component_rounds": rounds, "tol": tol}


def write_parquet(frame: DataFrame, path: str) -> None:
    """Write a result back as Parquet (a directory of pieces, replaced if it exists)."""
    frame.write.mode("overwrite").parquet(path)
