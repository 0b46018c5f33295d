"""Network placement: nested units, nisba clashes, and soft evidence that never forbids a merge."""

from __future__ import annotations

import polars as pl

from cellmap.resolve.candidates import soft_attributes, units_above
from cellmap.resolve.score import attribute_log_odds, attribute_weights, nisbas_clash
from cellmap.resolve.scorer import Scorer

ORG, SECTOR, CELL_A, CELL_B = 1, 2, 3, 4
HIERARCHY = pl.DataFrame(
    {
        "kind": ["part_of", "part_of", "part_of"],
        "source_id": [SECTOR, CELL_A, CELL_B],
        "target_id": [ORG, SECTOR, SECTOR],
    }
)


def test_units_above_follow_part_of_to_the_top():
    placed = pl.DataFrame({"entity_id": [10, 11], "unit": [CELL_A, SECTOR]})
    above = dict(units_above(placed, HIERARCHY).iter_rows())
    assert above[10] == f"{ORG};{SECTOR}"
    assert above[11] == str(ORG)


def test_a_cell_inside_the_other_records_sector_is_nested_not_a_contradiction():
    spec = attribute_weights()["attributes"]["unit"]
    sector_head = {"unit": str(SECTOR), "unit_above": str(ORG)}
    named_in_cell_report = {"unit": str(CELL_A), "unit_above": f"{ORG};{SECTOR}"}
    other_cell = {"unit": str(CELL_B), "unit_above": f"{ORG};{SECTOR}"}
    assert attribute_log_odds(sector_head, named_in_cell_report)["unit"] == spec["nested"]
    assert attribute_log_odds(named_in_cell_report, other_cell)["unit"] == spec["disagree"]
    assert attribute_log_odds(named_in_cell_report, named_in_cell_report)["unit"] == spec["agree"]


def test_placement_in_the_network_is_soft_and_the_time_line_is_hard():
    assert {"unit", "context"} <= soft_attributes(Scorer())
    assert not {"gender", "birth_date", "activity"} & soft_attributes(Scorer())


def test_nisbas_clash_only_when_no_nisba_is_shared():
    assert nisbas_clash(["Abu Ali al-Zubaydi"], ["Yasin Nabil al-Deiri", "Abu Ali al-Deiri"])
    assert not nisbas_clash(
        ["Abou Ali ez-Zoubaydi"], ["Qais Adnan al-Zubaydi"]
    )  # one nisba, respelled
    assert not nisbas_clash(["Abu Ali"], ["Yasin Nabil al-Deiri"])  # no nisba: no clash
    assert not nisbas_clash(
        ["Ibrahim al-Husseini al-Qurashi"], ["Abu Bakr al-Baghdadi al-Qurashi"]
    )  # one shared
    assert not nisbas_clash(["أبو علي الزبيدي"], ["Abu Ali al-Zubaydi"])  # across scripts


def test_year_only_birth_claims_a_few_years_apart_are_an_estimate_not_a_contradiction():
    spec = attribute_weights()["attributes"]["birth_date"]
    assert (
        attribute_log_odds({"birth_date": "1980"}, {"birth_date": "1982"})["birth_date"]
        == spec["near_year"]
    )
    assert (
        attribute_log_odds({"birth_date": "1980"}, {"birth_date": "1985"})["birth_date"]
        == spec["guessed_year"]
        > -3
    )
    assert (
        attribute_log_odds({"birth_date": "1980"}, {"birth_date": "1990"})["birth_date"]
        == spec["disagree"]
    )
    # two full dates five years apart are two recorded facts that disagree
    assert (
        attribute_log_odds({"birth_date": "1980-03-01"}, {"birth_date": "1985-03-01"})["birth_date"]
        == spec["disagree"]
    )


def test_father_and_surname_clash_over_all_names_of_two_records():
    from cellmap.resolve.score import parts_clash

    assert parts_clash(
        ["Marwan bin Mahmud"], ["Marwan Ahmad al-Masri", "Abu Zaid al-Masri"], "father"
    )
    assert not parts_clash(["Marwan ibn Ahmad"], ["Marwan Ahmad al-Masri"], "father")
    assert not parts_clash(
        ["Hamza Raed"], ["Hamza Raed al-Babi"], "surname"
    )  # "Raed" is the father here
    assert parts_clash(["Suhayb Zakareeya Jazrawee"], ["Abu Fadil al-Mayadini"], "surname")
    spec = attribute_weights()["attributes"]
    odds = attribute_log_odds(
        {"names": ("Marwan bin Mahmud",)}, {"names": ("Marwan Ahmad al-Masri",)}
    )
    assert odds == {"father_clash": spec["father_clash"]["clash"]}
    assert {"surname_clash", "father_clash"} <= soft_attributes(Scorer())


def test_uplink_proposes_the_sector_carrier_only_when_no_one_in_the_cell_carries_the_epithet():
    from cellmap.resolve.candidates import uplink_pairs

    rows = [  # record_id, name, aliases, unit, unit_above
        (
            1,
            "Hazim Haitham al-Qurashi",
            ["Abu Yasin al-Qurashi", "Abu Yasin"],
            str(SECTOR),
            str(ORG),
        ),
        (
            2,
            "Ali Haitham al-Sharqawi",
            ["Abu Omar al-Sharqawi", "Abu Omar"],
            str(CELL_A),
            f"{ORG};{SECTOR}",
        ),
        (3, "Abu Yasin", [], str(CELL_A), f"{ORG};{SECTOR}"),  # no one in cell A is Abu Yasin
        (4, "Abou Omar", [], str(CELL_A), f"{ORG};{SECTOR}"),  # cell A's own Abu Omar
        (
            5,
            "Salim Usama al-Tadmuri",
            ["Abu Yasin al-Tadmuri", "Abu Yasin"],
            str(CELL_B),
            f"{ORG};{SECTOR}",
        ),
        (6, "Abo Yasin", [], str(CELL_B), f"{ORG};{SECTOR}"),  # cell B has its own Abu Yasin
    ]
    records = pl.DataFrame(
        rows,
        schema={
            "record_id": pl.Int64,
            "name": pl.Utf8,
            "aliases": pl.List(pl.Utf8),
            "unit": pl.Utf8,
            "unit_above": pl.Utf8,
        },
        orient="row",
    )
    pairs = uplink_pairs(records)
    assert list(pairs.select("left_id", "right_id").iter_rows()) == [(1, 3)]
