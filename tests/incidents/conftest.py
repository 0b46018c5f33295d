"""Helpers for the incident tests: frames shaped like `cellmap.store.views.incidents`, built from files."""

import json
from pathlib import Path

import polars as pl
import pytest

DATA = Path(__file__).parent / "data"


def incidents_from_jsonl(path: Path) -> pl.DataFrame:
    """The incident records of a cellmap JSONL file as a frame with the incidents view's main columns."""
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows = []
    for number, rec in enumerate(r for r in records if r["record"] == "incident"):
        when = rec["date"] + {4: "-01-01", 7: "-01"}.get(len(rec["date"]), "")
        rows.append(
            {
                "incident_id": number + 1,
                "key": rec["id"],
                "date": when,
                "date_precision": rec["date_precision"],
                "lat": rec.get("lat"),
                "lon": rec.get("lon"),
                "admin1": rec.get("admin1"),
                "type": rec["type"],
                "outcome": rec["outcome"],
                "fatalities": rec.get("fatalities", 0),
                "attributed_to": rec.get("attributed_to"),
            }
        )
    return pl.DataFrame(rows, schema_overrides={"attributed_to": pl.Int64}).with_columns(
        pl.col("date").str.to_date()
    )


@pytest.fixture
def hand_incidents() -> pl.DataFrame:
    return incidents_from_jsonl(DATA / "yoy_hand.jsonl")
