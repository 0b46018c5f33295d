"""Record-level decision: a Fellegi–Sunter model fitted with Splink on DuckDB.

Each candidate pair (from :func:`cellmap.resolve.candidates.block`) is compared on the name —
through cellmap's own name score, exposed to DuckDB as the SQL function ``cellmap_name_score``
and cut into levels — and on each attribute present (birth date by day or year, birth place,
nationality, cell, role, identifier). The match weight of a pair is

    w = log2(λ/(1−λ)) + Σ_k log2(m_k / u_k)

for the level each comparison k takes, with m_k = P(level | same person), u_k = P(level | not),
λ = P(two random records match) (Fellegi & Sunter, JASA 1969). u is estimated by random sampling,
m by expectation–maximisation (Splink; Linacre et al., 2022, https://github.com/moj-analytical-services/splink).
The per-comparison terms (``bf_*`` columns, log2 = match weight) make every pair's weight
explainable (Splink's ``mw_<comparison>`` columns, with the level taken in ``gamma_<comparison>``). Cost: O(P·c) comparisons for P pairs and c comparisons, plus EM iterations over the
training pairs.

Two backends run the same SQL (Splink's own): DuckDB in process (the default) and Spark
(``spark=`` a session, :func:`fit_and_predict`): the records, the candidate pairs and every
comparison vector are then Spark DataFrames, the name score a vectorised (pandas) UDF run on the
executors, so the training and the scoring of P pairs are spread over the cluster; only the fitted
parameters (a few numbers per level) and the predictions asked for come back. Both backends give the
same weights when u is estimated on every pair (``u_pairs`` ≥ n(n-1)/2: Splink's sample is a hash of
the record id, and DuckDB and Spark hash differently).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import pandas as pd  # at module level: Spark reads the UDF's type hints (pd.Series) from here
import polars as pl

from cellmap.resolve.candidates import block, record_keys
from cellmap.resolve.score import score_names

if TYPE_CHECKING:  # splink itself is imported only when a model is fitted
    from pyspark.sql import DataFrame, SparkSession
    from splink.internals.comparison_creator import ComparisonCreator
    from splink.internals.comparison_level_creator import ComparisonLevelCreator
    from splink.internals.database_api import DatabaseAPI

NAME_LEVELS = (0.9, 0.7, 0.45)
OPTIONAL_EXACT = ("birth_place", "nationality", "cell", "role", "identifier")


@lru_cache(maxsize=2_000_000)
def _name_score(left: str | None, right: str | None) -> float | None:
    if not left or not right:
        return None
    return score_names(left, right, "Person")


def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    con.create_function(  # type: ignore[call-overload]  # the stub wants an enum; duckdb takes the string
        "cellmap_name_score",
        _name_score,
        ["VARCHAR", "VARCHAR"],
        "DOUBLE",
        null_handling="special",
        side_effects=False,
    )
    return con


def _name_scores(left: pd.Series, right: pd.Series) -> pd.Series:
    """:func:`_name_score` over a batch of name pairs (Spark's pandas UDF); unknown stays null —
    a NaN would compare above every threshold in Spark SQL."""
    return pd.Series(
        [_name_score(a, b) for a, b in zip(left.tolist(), right.tolist(), strict=True)],
        dtype="Float64",
    )


def _spark_api(spark: SparkSession) -> DatabaseAPI:
    """Splink's Spark backend with ``cellmap_name_score`` registered as a vectorised UDF. Splink's
    intermediate tables are written as Parquet under the context's checkpoint directory when one
    is set (a cluster's shared storage), else kept as cached DataFrames."""
    from pyspark.sql.functions import pandas_udf
    from splink.backends.spark import SparkAPI

    spark.udf.register("cellmap_name_score", pandas_udf(_name_scores, "double"))  # type: ignore[call-overload]
    lineage = "parquet" if spark.sparkContext._jsc.sc().getCheckpointDir().nonEmpty() else "persist"
    # cellmap's comparisons need none of the jar's string similarities
    return SparkAPI(
        spark_session=spark, break_lineage_method=lineage, register_udfs_automatically=False
    )


def _spark_frame(spark: SparkSession, frame: pl.DataFrame) -> DataFrame:
    """The prepared records as a Spark DataFrame with an explicit schema (a column that is null
    throughout has no type to infer)."""
    from pyspark.sql import types as T

    schema = T.StructType(
        [T.StructField("unique_id", T.LongType(), False)]
        + [T.StructField(c, T.StringType(), True) for c in frame.columns if c != "unique_id"]
    )
    return spark.createDataFrame(list(frame.iter_rows()), schema)


def _settings(
    columns: list[str],
    link_type: Literal["link_only", "link_and_dedupe", "dedupe_only"],
    prior: float,
):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    name_levels: list[ComparisonLevelCreator | dict[str, Any]] = [cll.NullLevel("name")]
    for t in NAME_LEVELS:
        name_levels.append(
            cll.CustomLevel(
                f"cellmap_name_score(name_l, name_r) >= {t}",
                label_for_charts=f"cellmap name score >= {t}",
            )
        )
    name_levels.append(cll.ElseLevel())
    comparisons: list[ComparisonCreator | dict[str, Any]] = [
        cl.CustomComparison(
            name_levels, output_column_name="name", comparison_description="cellmap name score"
        )
    ]
    if "birth_date" in columns:
        comparisons.append(
            cl.CustomComparison(
                [
                    cll.NullLevel("birth_date"),
                    cll.CustomLevel(
                        "length(birth_date_l) >= 10 AND length(birth_date_r) >= 10 "
                        "AND birth_date_l = birth_date_r",
                        label_for_charts="same day",
                    ),
                    cll.CustomLevel(
                        "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)",
                        label_for_charts="same year",
                    ),
                    cll.ElseLevel(),
                ],
                output_column_name="birth_date",
                comparison_description="birth date",
            )
        )
    for col in OPTIONAL_EXACT:
        if col in columns:
            comparisons.append(cl.ExactMatch(col))
    return SettingsCreator(
        link_type=link_type,
        probability_two_random_records_match=prior,
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )


def _prepare(records: pl.DataFrame) -> pl.DataFrame:
    keep = ["record_id", "name"] + [
        c for c in ("birth_date", *OPTIONAL_EXACT) if c in records.columns
    ]
    frame = records.select(keep).rename({"record_id": "unique_id"})
    frame = frame.with_columns(pl.col(c).cast(pl.Utf8) for c in keep[1:])
    # an empty attribute is unknown, not a value that agrees with other empty values
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
        for c in keep[1:]
    )
    first_keys = [record_keys([n])[0][:1] for n in frame["name"].fill_null("").to_list()]
    return frame.with_columns(
        pl.Series("first_key", [k[0] if k else None for k in first_keys], dtype=pl.Utf8)
    )


def fit_and_predict(
    records: pl.DataFrame,
    pairs: pl.DataFrame | DataFrame | None = None,
    prior: float | None = None,
    u_pairs: float = 5e4,
    max_block: int = 100,
    spark: SparkSession | None = None,
) -> pl.DataFrame:
    """Fit the model on ``records`` and score ``pairs`` (default: :func:`block` candidates).

    With ``spark`` (a session) the model is fitted and the pairs scored by Splink's Spark backend;
    ``pairs`` may then also be a Spark DataFrame (``left_id, right_id``), e.g. from
    :func:`cellmap.resolve.spark_engine.block`'s joins, and never comes to the driver.

    Returns left_id, right_id, match_weight, match_probability and one ``mw_<comparison>``
    column per comparison (its log2 Bayes factor: the pair's explanation).
    """
    from splink import DuckDBAPI, Linker, block_on

    if pairs is None:
        pairs = block(records, max_block=max_block, per_record=10)
    frame = _prepare(records)
    db_api: DatabaseAPI
    if spark is None:
        db_api = DuckDBAPI(connection=_connection())
        data = db_api.register(frame.to_arrow(), table_name="cellmap_records")
    else:
        db_api = _spark_api(spark)
        data = db_api.register(_spark_frame(spark, frame), table_name="cellmap_records")
    n = frame.height
    n_pairs = pairs.height if isinstance(pairs, pl.DataFrame) else pairs.count()
    if prior is None:
        # expected share of matching pairs: candidates per record over all pairs, a rough start for EM
        prior = min(0.5, max(1e-6, (n_pairs / max(n, 1)) / max(n - 1, 1)))
    linker = Linker(data, _settings(frame.columns, "dedupe_only", prior), log_level="WARNING")
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=7, num_chunks=1)
    rules = [block_on("first_key")]
    if "birth_date" in frame.columns:
        rules.append(block_on("birth_date"))
    for rule in rules:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=2e5)
        except Exception:  # EM needs pairs at every level; a rule that yields none is skipped
            continue
    blocked: Any
    if isinstance(pairs, pl.DataFrame):
        blocked = pairs.select(
            pl.lit("0").alias("match_key"),
            pl.col("left_id").cast(pl.Utf8).alias("join_key_l"),
            pl.col("right_id").cast(pl.Utf8).alias("join_key_r"),
        )
        blocked = (
            blocked.to_arrow()
            if spark is None
            else spark.createDataFrame(
                blocked.rows(), "match_key string, join_key_l string, join_key_r string"
            )
        )
    else:
        from pyspark.sql import functions as F

        blocked = pairs.select(
            F.lit("0").alias("match_key"),
            F.col("left_id").cast("string").alias("join_key_l"),
            F.col("right_id").cast("string").alias("join_key_r"),
        )
    registered = db_api.register(blocked, table_name="cellmap_blocked_pairs")
    linker.table_management.register_blocked_pairs_for_predict(registered)
    predictions = pl.from_arrow(linker.inference.predict().as_pyarrow_table())
    assert isinstance(predictions, pl.DataFrame)  # a table, not one column
    explain = [
        c
        for c in predictions.columns
        if c.startswith(("mw_", "gamma_")) and not c.startswith("mw_tf_")
    ]
    out = predictions.select(
        pl.col("unique_id_l").cast(pl.Int64).alias("left_id"),
        pl.col("unique_id_r").cast(pl.Int64).alias("right_id"),
        "match_weight",
        "match_probability",
        *explain,
    )
    # ties in weight by pair: the same order from both backends
    return out.sort(["match_weight", "left_id", "right_id"], descending=[True, False, False])
