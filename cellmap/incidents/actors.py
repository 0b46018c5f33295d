"""Who is who around incidents: cells, their sites, and the cell behind an incident attributed to a person.

Small joins over the store's views (entities, properties, relations) that attribution and coherence share.
"""

from __future__ import annotations

import polars as pl


def _numeric_property(properties: pl.DataFrame, prop: str) -> pl.DataFrame:
    """Per entity, the value of a numeric property from its best-graded statement."""
    rows = properties.filter(pl.col("prop") == prop).with_columns(
        pl.col("value").cast(pl.Float64, strict=False)
    )
    return (
        rows.filter(pl.col("value").is_not_null())
        .sort("entity_id", "reliability", "credibility")
        .group_by("entity_id", maintain_order=True)
        .agg(pl.col("value").first().alias(prop))
    )


def person_cells(relations: pl.DataFrame) -> pl.DataFrame:
    """person_id -> cell_id for every membership of a person in a cell (a person may have several)."""
    return (
        relations.filter((pl.col("kind") == "membership") & (pl.col("target_kind") == "cell"))
        .select(pl.col("source_id").alias("person_id"), pl.col("target_id").alias("cell_id"))
        .unique()
    )


def cell_sites(
    entities: pl.DataFrame, properties: pl.DataFrame, relations: pl.DataFrame
) -> pl.DataFrame:
    """cell_id, site_id, lat, lon: sites a cell uses, directly or through one of its members (`use` relations),
    with the site's best-graded coordinates; sites without coordinates are left out."""
    uses = relations.filter((pl.col("kind") == "use") & (pl.col("target_kind") == "site"))
    direct = uses.filter(pl.col("source_kind") == "cell").select(
        pl.col("source_id").alias("cell_id"), pl.col("target_id").alias("site_id")
    )
    through_members = (
        uses.filter(pl.col("source_kind") == "person")
        .join(person_cells(relations), left_on="source_id", right_on="person_id")
        .select("cell_id", pl.col("target_id").alias("site_id"))
    )
    links = pl.concat([direct, through_members]).unique()
    coordinates = _numeric_property(properties, "lat").join(
        _numeric_property(properties, "lon"), on="entity_id"
    )
    return links.join(coordinates, left_on="site_id", right_on="entity_id").sort(
        "cell_id", "site_id"
    )


def incident_cells(
    incidents: pl.DataFrame, entities: pl.DataFrame, relations: pl.DataFrame
) -> pl.DataFrame:
    """Add ``cell_id``: the attributed cell, or the cell of the attributed person (when that person belongs to
    exactly one cell); null otherwise (unattributed, or attributed to an organisation)."""
    kinds = entities.select(
        pl.col("canonical_id").alias("attributed_to"), pl.col("kind").alias("attributed_kind")
    ).unique("attributed_to")
    single = (
        person_cells(relations)
        .group_by("person_id")
        .agg(pl.col("cell_id").unique())
        .filter(pl.col("cell_id").list.len() == 1)
        .with_columns(pl.col("cell_id").list.first().alias("person_cell"))
    )
    return (
        incidents.join(kinds, on="attributed_to", how="left")
        .join(
            single.select(pl.col("person_id").alias("attributed_to"), "person_cell"),
            on="attributed_to",
            how="left",
        )
        .with_columns(
            pl.when(pl.col("attributed_kind") == "cell")
            .then(pl.col("attributed_to"))
            .when(pl.col("attributed_kind") == "person")
            .then(pl.col("person_cell"))
            .otherwise(None)
            .alias("cell_id")
        )
        .drop("attributed_kind", "person_cell")
    )
