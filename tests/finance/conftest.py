"""A small hand-made war chest shaped like the store's views (entities, properties, relations)."""

import datetime as dt
import json

import polars as pl
import pytest

F1, F2 = 100, 101
CELL, FIGHTER_1, FIGHTER_2, FINANCIER, MERCHANT, OUTSIDER_X, OUTSIDER_Y = 10, 20, 21, 22, 30, 31, 32
KINDS = {
    F1: "fund",
    F2: "fund",
    CELL: "cell",
    FIGHTER_1: "person",
    FIGHTER_2: "person",
    FINANCIER: "person",
    MERCHANT: "person",
    OUTSIDER_X: "person",
    OUTSIDER_Y: "person",
}

# (relation_id, source, target, amount, payment_kind, date, credibility)
PAYMENTS = [
    (1, MERCHANT, F1, "12345.67", "extortion", "2021-01-15", 2),
    (2, MERCHANT, F1, "50000", "ransom", "2021-02-03", 2),
    (3, F1, FIGHTER_1, "400", "stipend", "2021-01-31", 1),
    (4, F1, FIGHTER_2, "400.00", "stipend", "2021-01-31", 1),
    (5, F1, FIGHTER_1, "400", "stipend", "2021-02-28", 1),
    (6, F1, F2, "100000", "transfer", "2021-02-10", 2),
    (7, F2, FINANCIER, "7500.25", "operations", "2021-02-20", 3),
    (
        8,
        FINANCIER,
        FIGHTER_2,
        "99.99",
        "other",
        "2021-03-05",
        3,
    ),  # no fund end: charged to F2 via `use`
    (
        9,
        F1,
        CELL,
        "20000",
        "operations",
        "2021-03-01",
        2,
    ),  # fund end settles it, though the cell uses F1
    (
        10,
        MERCHANT,
        CELL,
        "1000",
        "extortion",
        "2021-03-10",
        2,
    ),  # credited to F1 through the cell's `use`
    (
        11,
        CELL,
        FIGHTER_1,
        "400",
        "stipend",
        "2021-03-31",
        2,
    ),  # charged to F1 through the cell's `use`
    (12, OUTSIDER_X, OUTSIDER_Y, "5", "other", "2021-03-02", 6),  # touches no fund
]
USES = [(50, CELL, F1), (51, FINANCIER, F2)]


@pytest.fixture
def entities():
    return pl.DataFrame(
        {
            "entity_id": list(KINDS),
            "key": [f"E-{k}" for k in KINDS],
            "kind": list(KINDS.values()),
            "name": [f"entity {k}" for k in KINDS],
            "canonical_id": list(KINDS),
        }
    )


@pytest.fixture
def properties():
    rows = [
        (F1, "opening_balance", "1000000.00", "B", 2),
        (F1, "opening_date", "2021-01-01", "B", 2),
        (F1, "currency", "USD", "B", 2),
        (F2, "opening_balance", "250000.50", "B", 2),
        (F2, "opening_balance", "300000", "D", 4),
        (F2, "opening_date", "2021-01", "B", 2),
    ]
    return pl.DataFrame(
        rows, schema=["entity_id", "prop", "value", "reliability", "credibility"], orient="row"
    ).with_columns((pl.col("reliability") + pl.col("credibility").cast(pl.Utf8)).alias("grade"))


def relations_frame(payments=PAYMENTS, uses=USES):
    rows = []
    for rid, source, target, amount, kind, date, credibility in payments:
        rows.append(
            {
                "relation_id": rid,
                "kind": "payment",
                "source_id": source,
                "target_id": target,
                "source_kind": KINDS[source],
                "target_kind": KINDS[target],
                "valid_from": dt.date.fromisoformat(date),
                "attrs": json.dumps(
                    {"amount": amount, "currency": "USD", "date": date, "payment_kind": kind}
                ),
                "report_id": 1,
                "reliability": "B",
                "credibility": credibility,
                "grade": f"B{credibility}",
            }
        )
    for rid, source, target in uses:
        rows.append(
            {
                "relation_id": rid,
                "kind": "use",
                "source_id": source,
                "target_id": target,
                "source_kind": KINDS[source],
                "target_kind": KINDS[target],
                "valid_from": None,
                "attrs": "{}",
                "report_id": 1,
                "reliability": "B",
                "credibility": 2,
                "grade": "B2",
            }
        )
    return pl.DataFrame(rows)


@pytest.fixture
def relations():
    return relations_frame()
