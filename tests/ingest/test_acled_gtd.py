"""ACLED and GTD mappings on small hand-written samples with the real column names of those exports.

Expected values are worked out by hand from the rows and the mapping tables in
cellmap/schema/*_mapping.yaml (see the comments next to each case).
"""

import csv
from pathlib import Path

import pytest

from cellmap.ingest.acled import (
    acled_deleted_keys,
    acled_rows_to_incidents,
    is_acled_deletions_header,
    is_acled_header,
)
from cellmap.ingest.gtd import gtd_rows_to_incidents, is_gtd_header

# The samples are shared with the incident analyses' CLI tests.
DATA = Path(__file__).parents[1] / "incidents" / "data"


def read_rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def by_id(records):
    return {r["id"]: r for r in records}


def test_headers_are_recognised():
    acled_header, _ = read_rows("acled_sample.csv")
    gtd_header, _ = read_rows("gtd_sample.csv")
    deleted_header, _ = read_rows("acled_deleted_sample.csv")
    assert is_acled_header(acled_header) and not is_gtd_header(acled_header)
    assert is_gtd_header(gtd_header) and not is_acled_header(gtd_header)
    assert is_acled_deletions_header(deleted_header) and not is_acled_header(deleted_header)


def test_acled_types_outcomes_and_precisions():
    _, rows = read_rows("acled_sample.csv")
    records = by_id(acled_rows_to_incidents(rows))
    # 8 rows, SYR90005 twice (an edit): 7 incidents.
    assert len(records) == 7
    expected = {
        # id: (type, outcome, date_precision, geo_precision)
        "ACLED-SYR90001": (
            "jail_attack",
            "completed",
            "day",
            "town",
        ),  # Armed clash + "prison" in notes
        "ACLED-SYR90002": (
            "ied",
            "completed",
            "day",
            "district",
        ),  # Remote explosive/landmine/IED, geo 2
        "ACLED-SYR90003": (
            "ied",
            "foiled",
            "week",
            "town",
        ),  # Disrupted weapons use, time_precision 2
        "ACLED-SYR90004": (
            "kidnapping",
            "completed",
            "day",
            "town",
        ),  # Abduction/forced disappearance
        "ACLED-SYR90005": (
            "assassination",
            "completed",
            "day",
            "town",
        ),  # Attack + "Assassination" in notes
        "ACLED-SYR90006": (
            "extortion",
            "completed",
            "day",
            "district",
        ),  # Looting + "zakat" in notes
        "ACLED-SYR90007": (
            "attack",
            "aborted",
            "month",
            "province",
        ),  # Armed clash + "aborted", precision 3
    }
    for key, (kind, outcome, date_precision, geo_precision) in expected.items():
        record = records[key]
        assert (
            record["type"],
            record["outcome"],
            record["date_precision"],
            record["geo_precision"],
        ) == (kind, outcome, date_precision, geo_precision), key
        assert record["record"] == "incident" and record["source_dataset"] == "ACLED"
        assert record["mapping"]["name"] == "acled-to-cellmap v1"


def test_acled_keeps_original_codes_and_place():
    _, rows = read_rows("acled_sample.csv")
    record = by_id(acled_rows_to_incidents(rows, report="R-ACLED"))["ACLED-SYR90002"]
    assert record["source_codes"]["event_type"] == "Explosions/Remote violence"
    assert record["source_codes"]["sub_event_type"] == "Remote explosive/landmine/IED"
    assert record["source_codes"]["inter1"] == "Rebel group"
    assert record["sub_type"] == "Remote explosive/landmine/IED"
    assert (record["date"], record["lat"], record["lon"]) == ("2022-02-03", 34.5601, 38.2672)
    assert (record["admin1"], record["location"], record["fatalities"]) == ("Homs", "Tadmor", 2)
    assert record["report"] == "R-ACLED"


def test_acled_edit_keeps_the_newest_version_whatever_the_row_order():
    _, rows = read_rows("acled_sample.csv")
    newest = by_id(acled_rows_to_incidents(rows))["ACLED-SYR90005"]
    reversed_order = by_id(acled_rows_to_incidents(list(reversed(rows))))["ACLED-SYR90005"]
    assert newest["fatalities"] == 2 == reversed_order["fatalities"]
    assert newest["source_codes"]["timestamp"] == "1648425600"
    # Re-importing the same export gives the same ids: nothing new to add.
    assert [r["id"] for r in acled_rows_to_incidents(rows)] == [
        r["id"] for r in acled_rows_to_incidents(rows)
    ]


def test_acled_deletions_name_the_same_keys():
    _, rows = read_rows("acled_deleted_sample.csv")
    assert acled_deleted_keys(rows) == ["ACLED-SYR90007"]


def test_acled_error_names_line_and_field():
    _, rows = read_rows("acled_sample.csv")
    broken = [dict(rows[0]), dict(rows[1], event_date="not a date")]
    with pytest.raises(Exception, match="record 3: event_date"):
        acled_rows_to_incidents(broken)


def test_gtd_types_outcomes_and_dates():
    _, rows = read_rows("gtd_sample.csv")
    records = by_id(gtd_rows_to_incidents(rows))
    assert len(records) == 6
    expected = {
        # id: (type, outcome, date, date_precision, geo_precision, fatalities)
        "GTD-201901150001": (
            "ied",
            "completed",
            "2019-01-15",
            "day",
            "town",
            2,
        ),  # Bombing, success 1
        "GTD-201902030002": (
            "ied",
            "foiled",
            "2019-02-03",
            "day",
            "town",
            0,
        ),  # success 0 + "defused"
        "GTD-201903000003": (
            "attack",
            "completed",
            "2019-03",
            "month",
            "district",
            5,
        ),  # suicide 1, iday 0
        "GTD-201904100004": (
            "jail_attack",
            "failed",
            "2019-04-10",
            "day",
            "town",
            0,
        ),  # Armed Assault, prison, success 0
        "GTD-201905200005": ("assassination", "completed", "2019-05-20", "day", "town", 1),
        "GTD-201906000006": (
            "kidnapping",
            "completed",
            "2019",
            "year",
            "unknown",
            0,
        ),  # imonth 0, specificity 5
    }
    for key, values in expected.items():
        record = records[key]
        got = (
            record["type"],
            record["outcome"],
            record["date"],
            record["date_precision"],
            record["geo_precision"],
            record["fatalities"],
        )
        assert got == values, key
        assert record["mapping"]["name"] == "gtd-to-cellmap v1"
    kept = records["GTD-201904100004"]["source_codes"]
    assert (kept["success"], kept["attacktype1_txt"], kept["gname"]) == (
        "0",
        "Armed Assault",
        "Islamic State of Iraq and the Levant (ISIL)",
    )
    assert records["GTD-201904100004"]["admin1"] == "Al-Hasakah"


def test_gtd_rejects_a_bad_success_flag():
    _, rows = read_rows("gtd_sample.csv")
    with pytest.raises(Exception, match="record 2: success"):
        gtd_rows_to_incidents([dict(rows[0], success="maybe")])
