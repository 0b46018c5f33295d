"""Time-line evidence: a record acting after the other record's membership ended is not him."""

from __future__ import annotations

import datetime as dt

import polars as pl

from cellmap.resolve.candidates import activity, records_from_views
from cellmap.resolve.score import attribute_log_odds, attribute_weights

CELL = 100
INCIDENT = 200
# two members of one cell share the kunya Abu Yasin; a bare "Abu Yasin" calls a third member in June 2021
PERSONS = {
    1: "Abu Yasin Khalid Hamid al-Hashimi",
    2: "Abu Yasin Umar Salim al-Hashimi",
    3: "Faris Adnan al-Raqqawi",
    4: "Abu Yasin",
}


def _records() -> pl.DataFrame:
    entities = pl.DataFrame(
        {
            "entity_id": list(PERSONS),
            "key": [f"P-{i}" for i in PERSONS],
            "kind": ["person"] * len(PERSONS),
            "name": list(PERSONS.values()),
        }
    )
    properties = pl.DataFrame(
        [(i, "name", n, 1) for i, n in PERSONS.items()],
        schema={"entity_id": pl.Int64, "prop": pl.Utf8, "value": pl.Utf8, "report_id": pl.Int64},
        orient="row",
    )
    d = dt.date.fromisoformat
    rows = [  # kind, source, target, role, target_kind, valid_from, valid_to, attrs
        (
            "membership",
            1,
            CELL,
            "fighter",
            "cell",
            d("2019-01-01"),
            d("2021-03-01"),
            None,
        ),  # killed in March
        ("membership", 2, CELL, "fighter", "cell", d("2020-05-01"), None, None),
        ("membership", 3, CELL, "fighter", "cell", d("2019-01-01"), None, None),
        (
            "communication",
            4,
            3,
            None,
            "person",
            None,
            None,
            '{"date": "2021-06-10", "channel": "phone"}',
        ),
        ("participation", 4, INCIDENT, "perpetrator", "incident", None, None, None),
    ]
    relations = pl.DataFrame(
        rows,
        schema={
            "kind": pl.Utf8,
            "source_id": pl.Int64,
            "target_id": pl.Int64,
            "role": pl.Utf8,
            "target_kind": pl.Utf8,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "attrs": pl.Utf8,
        },
        orient="row",
    )
    incidents = pl.DataFrame({"incident_id": [INCIDENT], "date": [d("2021-08-02")]})
    return records_from_views(entities, properties, relations, incident_dates=incidents)


def test_activity_lists_membership_periods_and_dated_events():
    records = {r["record_id"]: r for r in _records().iter_rows(named=True)}
    assert records[1]["active"] == "2019-01-01/2021-03-01"
    assert records[2]["active"] == "2020-05-01/"  # open end
    assert records[4]["seen"] == "2021-06-10;2021-08-02"  # the call and the incident
    assert records[3]["seen"] == "2021-06-10"  # the callee was seen too
    assert records[4]["active"] is None


def test_event_after_the_end_of_membership_contradicts_and_inside_supports():
    spec = attribute_weights()["attributes"]["activity"]
    records = {r["record_id"]: r for r in _records().iter_rows(named=True)}
    dead = attribute_log_odds(records[4], records[1])
    alive = attribute_log_odds(records[4], records[2])
    assert dead["activity"] == spec["outside"] <= -3  # a contradiction: becomes a cannot-link
    assert alive["activity"] == spec["inside"] > 0
    assert (
        attribute_log_odds(records[4], records[4] | {"seen": None}).get("activity") is None
    )  # no periods


def test_slack_tolerates_loosely_dated_reports():
    spec = attribute_weights()["attributes"]["activity"]
    member = {"active": "2019-01-01/2021-03-01"}
    within = dt.date(2021, 3, 1) + dt.timedelta(days=spec["slack_days"])
    beyond = within + dt.timedelta(days=1)
    assert attribute_log_odds({"seen": within.isoformat()}, member)["activity"] == spec["inside"]
    assert attribute_log_odds({"seen": beyond.isoformat()}, member)["activity"] == spec["outside"]
    assert attribute_log_odds({"seen": "not a date"}, member).get("activity") is None


def test_activity_without_periods_or_dates_is_empty():
    plain = pl.DataFrame({"kind": ["communication"], "source_id": [1], "target_id": [2]})
    assert activity(plain).is_empty()
