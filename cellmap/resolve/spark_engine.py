"""Candidate pairs on Spark: the blocking of :func:`cellmap.resolve.candidates.block` as Spark joins
and the same pair scorer applied per partition (``mapInPandas``) — the same pairs and scores as
the local engine.

Blocking (Christen, *Data Matching*, Springer 2012, ch. 4): every record's keys are computed on the
executors (:func:`cellmap.resolve.candidates.blocking_keys`, per partition of records); block sizes
are one aggregation; the pairs sharing a small block are a self-join on the key, aggregated per
pair (shared keys, Σ ln(N / block size)); the pre-score (Levenshtein similarity of the skeleton
strings, rapidfuzz) runs per partition of name pairs; each record keeps its best partners by a
window ranking. The scorer (:func:`cellmap.resolve.candidates.score_chunk`, with the records'
profile backgrounds) is broadcast once and applied to each partition of candidate pairs.

What stays on the driver: the records themselves (they come from the store, on one machine), the
uplink pairs of bare epithets (:func:`~cellmap.resolve.candidates.uplink_pairs`, O(N)) and the
unit-uniqueness evidence, which needs every scored pair at once
(:func:`~cellmap.resolve.candidates.finish_scores`; O(P) for P kept pairs, at most 2·per_record·N).
Cost on the cluster: O(N·k²) keys, O(Σ_b |b|²) pairs over blocks b, O(P·m·n) scoring.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
import polars as pl

from cellmap.resolve import candidates as local

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

KEY_COLUMNS = (
    "record_id",
    "name",
    "aliases",
    "schema",
    "context",
    "unit",
    "identifier",
    "birth_date",
)
SCORE_SCHEMA = (
    "left_id long, right_id long, score double, reasons string, contradicts boolean, "
    "names_differ boolean, nisbas_clash boolean"
)

__all__ = ["block", "score_candidates"]


def _records_frame(spark: SparkSession, records: pl.DataFrame) -> DataFrame:
    columns = [c for c in KEY_COLUMNS if c in records.columns]
    frame = records.select(columns).to_pandas()
    if "aliases" in frame:
        frame["aliases"] = frame["aliases"].map(lambda a: list(a) if a is not None else [])
    return spark.createDataFrame(frame)


def block(
    spark: SparkSession,
    records: pl.DataFrame,
    max_block: int = 50,
    max_single_block: int = 20,
    min_prescore: float = 0.4,
    per_record: int = 4,
) -> pl.DataFrame:
    """:func:`cellmap.resolve.candidates.block` on Spark: the same candidate pairs (left_id <
    right_id) with ``shared_keys`` and ``prescore``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    key_attrs = [c for c in local.BLOCKING_ATTRIBUTES if c in records.columns]
    with_context = "context" in records.columns or "unit" in records.columns

    def keys_of(batches):
        scorer = local.default_scorer()
        for batch in batches:
            ids, keys, skel_ids, skels = [], [], [], []
            for row in batch.to_dict("records"):
                row = {
                    k: (None if isinstance(v, float) and math.isnan(v) else v)
                    for k, v in row.items()
                }
                if row.get("aliases") is not None:
                    row["aliases"] = list(row["aliases"])
                record_keys, skeletons = local.blocking_keys(row, key_attrs, with_context, scorer)
                ids += [row["record_id"]] * len(record_keys)
                keys += record_keys
                skel_ids += [row["record_id"]] * len(skeletons)
                skels += skeletons
            yield pd.DataFrame(
                {
                    "record_id": ids + skel_ids,
                    "key": keys + [None] * len(skel_ids),
                    "skel": [None] * len(ids) + skels,
                }
            )

    both = (
        _records_frame(spark, records)
        .mapInPandas(keys_of, "record_id long, key string, skel string")
        .localCheckpoint(eager=True)
    )
    keyed = both.where(F.col("key").isNotNull()).select("record_id", "key")
    skeletons = both.where(F.col("skel").isNotNull()).select("record_id", "skel")
    n_records = max(records.height, 2)
    sizes = keyed.groupBy("key").agg(F.count("*").alias("len"))
    small = sizes.where(
        (F.col("len") >= 2)
        & F.when(F.col("key").startswith("1:"), F.col("len") <= max_single_block).otherwise(
            F.col("len") <= max_block
        )
    ).select("key", F.log(F.lit(float(n_records)) / F.col("len")).alias("idf"))
    keyed = keyed.join(small, "key")
    pairs = (
        keyed.alias("a")
        .join(keyed.alias("b"), "key")
        .where(F.col("a.record_id") < F.col("b.record_id"))
        .groupBy(F.col("a.record_id").alias("left_id"), F.col("b.record_id").alias("right_id"))
        .agg(F.count("*").alias("shared_keys"), F.sum("a.idf").alias("key_weight"))
    )
    prescored = pairs.join(
        _prescore(pairs.select("left_id", "right_id"), skeletons), ["left_id", "right_id"]
    )
    rare = math.log(n_records / local.RARE_BLOCK)
    kept = prescored.where(
        (F.col("prescore") >= min_prescore)
        | (F.col("shared_keys") >= 3)
        | (F.col("key_weight") >= rare)
    ).withColumn("rank", F.col("prescore") * local.PRESCORE_WEIGHT + F.col("key_weight"))
    by_left = Window.partitionBy("left_id").orderBy(F.desc("rank"), "right_id")
    by_right = Window.partitionBy("right_id").orderBy(F.desc("rank"), "left_id")
    columns = ["left_id", "right_id", "shared_keys", "prescore"]
    best = (
        kept.withColumn("r", F.row_number().over(by_left))
        .where(F.col("r") <= per_record)
        .select(*columns)
        .unionByName(
            kept.withColumn("r", F.row_number().over(by_right))
            .where(F.col("r") <= per_record)
            .select(*columns)
        )
        .distinct()
    )
    found = pl.from_pandas(best.toPandas()).with_columns(
        pl.col("left_id", "right_id").cast(pl.Int64), pl.col("shared_keys").cast(pl.UInt32)
    )
    if found.is_empty():
        found = pl.DataFrame(
            schema={
                "left_id": pl.Int64,
                "right_id": pl.Int64,
                "shared_keys": pl.UInt32,
                "prescore": pl.Float64,
            }
        )
    return local._with_uplinks(found, records)


def _prescore(pairs: DataFrame, skeletons: DataFrame) -> DataFrame:
    """Best Levenshtein similarity between the two records' sorted skeleton strings, per partition."""
    from pyspark.sql import functions as F

    def similarities(batches):
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        for batch in batches:
            batch["prescore"] = process.cpdist(
                batch["skel_l"].tolist(),
                batch["skel_r"].tolist(),
                scorer=Levenshtein.normalized_similarity,
            ).astype(float)
            yield batch[["left_id", "right_id", "prescore"]]

    combos = pairs.join(
        skeletons.select(F.col("record_id").alias("left_id"), F.col("skel").alias("skel_l")),
        "left_id",
    ).join(
        skeletons.select(F.col("record_id").alias("right_id"), F.col("skel").alias("skel_r")),
        "right_id",
    )
    return (
        combos.mapInPandas(similarities, "left_id long, right_id long, prescore double")
        .groupBy("left_id", "right_id")
        .agg(F.max("prescore").alias("prescore"))
    )


def score_candidates(
    spark: SparkSession, records: pl.DataFrame, pairs: pl.DataFrame, model: str = "record"
) -> pl.DataFrame:
    """:func:`cellmap.resolve.candidates.score_candidates` on Spark: the scorer and the records
    broadcast once, the pairs scored per partition; the same columns and values."""
    if pairs.is_empty():
        return local.score_candidates(records, pairs, workers=1)
    scorer, by_id = local.scoring_inputs(records)
    shared = spark.sparkContext.broadcast((scorer, by_id, model, local.soft_attributes(scorer)))

    def score(batches):
        scorer, by_id, model, soft = shared.value
        for batch in batches:
            chunk = list(zip(batch["left_id"].tolist(), batch["right_id"].tolist(), strict=True))
            rows = local.score_chunk(chunk, model, scorer, by_id, soft)
            yield pd.DataFrame(
                {
                    "left_id": batch["left_id"],
                    "right_id": batch["right_id"],
                    "score": [r[0] for r in rows],
                    "reasons": [r[1] for r in rows],
                    "contradicts": [bool(r[2]) for r in rows],
                    "names_differ": [bool(r[3]) for r in rows],
                    "nisbas_clash": [bool(r[4]) for r in rows],
                }
            )

    ids = spark.createDataFrame(pairs.select("left_id", "right_id").to_pandas())
    scored = pl.from_pandas(ids.mapInPandas(score, SCORE_SCHEMA).toPandas())
    shared.unpersist()
    by_pair = {(a, b): row for a, b, *row in scored.iter_rows()}
    results = [tuple(by_pair[(a, b)]) for a, b in pairs.select("left_id", "right_id").iter_rows()]
    return local.finish_scores(records, pairs, results, scorer, by_id)
