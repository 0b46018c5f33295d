"""One demo scenario, generated and imported into a SQLite store once per test session (per xdist worker)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from cellmap.ingest import import_files
from cellmap.scenario import DEMO_SEED, generate, load_ground_truth, scenario_files
from cellmap.store import open_store, views


@dataclass
class Imported:
    folder: Path
    reports: pl.DataFrame
    entities: pl.DataFrame
    properties: pl.DataFrame
    relations: pl.DataFrame
    incidents: pl.DataFrame
    synthetic: bool
    truth: dict
    incident_rows: pl.DataFrame  # every stored version of every incident (the table, not the view)


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Imported:
    """The demo scenario as the store shows it after `cellmap import` (views, unresolved)."""
    root = tmp_path_factory.mktemp("scenario")
    folder = root / "demo"
    generate(DEMO_SEED, "demo", folder)
    store = open_store("sqlite:///" + str(root / "store.sqlite"))
    store.init()
    import_files(store, scenario_files(folder))
    with store.session() as conn:
        reports = views.reports(conn)
        entities = views.entities(conn, resolved=False)
        properties = views.properties(conn)
        relations = views.relations(conn, resolved=False)
        incidents = views.incidents(conn, resolved=False)
        synthetic = views.is_synthetic(conn)
        from sqlalchemy import select

        from cellmap.store import tables

        rows = conn.execute(
            select(
                tables.incident.c.entity_id,
                tables.incident.c.fatalities,
                tables.incident.c.report_id,
            )
        ).all()
        incident_rows = pl.DataFrame(
            rows,
            schema={"incident_id": pl.Int64, "fatalities": pl.Int64, "report_id": pl.Int64},
            orient="row",
        )
    store.close()
    keys = entities.select("entity_id", "key", "kind")
    relations = (
        relations.join(
            keys.rename({"entity_id": "source_id", "key": "source_key", "kind": "_sk"}),
            on="source_id",
        )
        .join(
            keys.rename({"entity_id": "target_id", "key": "target_key", "kind": "_tk"}),
            on="target_id",
        )
        .join(
            reports.select(
                "report_id",
                pl.col("date").alias("report_date"),
                pl.col("kind").alias("report_kind"),
            ),
            on="report_id",
        )
        .drop("_sk", "_tk")
    )
    return Imported(
        folder,
        reports,
        entities,
        properties,
        relations,
        incidents,
        synthetic,
        load_ground_truth(folder),
        incident_rows,
    )
