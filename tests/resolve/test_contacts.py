"""Whom a record dealt with, and who else could carry its epithet: contact-role profiles and the
unit-uniqueness evidence for bare kunyas (fictional names, hand-made cases)."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest

from cellmap.resolve.candidates import contact_roles
from cellmap.resolve.collective import UNIQUE_IN_UNIT_LLR, unique_in_unit
from cellmap.resolve.features.profile import profile_background
from cellmap.resolve.score import attribute_log_odds, attribute_weights, counts_of, parts_clash
from cellmap.resolve.scorer import Scorer

SPEC = attribute_weights()["attributes"]["contact_roles"]


def test_contact_roles_count_the_roles_of_the_partners_both_ways():
    relations = pl.DataFrame(
        [
            ("membership", 1, 100, "sector_head"),
            ("membership", 2, 101, "cell_head"),
            ("membership", 3, 101, "fighter"),
            ("communication", 2, 1, None),
            ("meeting", 1, 2, None),
            ("communication", 4, 2, None),
            ("communication", 4, 3, None),
            ("kinship", 4, 1, None),  # a brother is no contact of work
            ("communication", 4, 5, None),
        ],  # 5 has no known role: left out
        schema={"kind": pl.Utf8, "source_id": pl.Int64, "target_id": pl.Int64, "role": pl.Utf8},
        orient="row",
    )
    roles = dict(contact_roles(relations).iter_rows())
    assert counts_of(roles[1]) == {"cell_head": 2}
    assert counts_of(roles[2]) == {"sector_head": 2}
    assert counts_of(roles[4]) == {"cell_head": 1, "fighter": 1}
    assert 5 not in roles  # 5's partner (4) has no membership role


def test_profile_log_odds_is_the_smoothed_naive_bayes_ratio():
    background = profile_background(["cell_head=20", "fighter=60;cell_head=5", "messenger=15"])
    assert background == pytest.approx({"cell_head": 0.25, "fighter": 0.6, "messenger": 0.15})
    attribute_log_odds = Scorer(
        profile_backgrounds={"contact_roles": background}
    ).attribute_log_odds
    # without a background (the default scorer) there is no profile evidence
    assert "contact_roles" not in Scorer().attribute_log_odds(
        {"contact_roles": "cell_head=9;fighter=1"}, {"contact_roles": "cell_head=1"}
    )
    sector_head = {"contact_roles": "cell_head=9;fighter=1"}
    alias_calling_a_cell_head = {"contact_roles": "cell_head=1"}
    # by hand: ln(((9 + 1·0.25) / (10 + 1)) / 0.25), the profile smoothed with one background contact
    expected = math.log((9 + 0.25) / 11 / 0.25)
    assert attribute_log_odds(sector_head, alias_calling_a_cell_head)[
        "contact_roles"
    ] == pytest.approx(expected)
    fighters_alias = {"contact_roles": "fighter=1"}
    assert attribute_log_odds(sector_head, fighters_alias)["contact_roles"] == pytest.approx(
        math.log((1 + 0.6) / 11 / 0.6)
    )
    # two contacts of one kind count twice, within the cap
    many = {"contact_roles": "fighter=4"}
    assert attribute_log_odds(sector_head, many)["contact_roles"] == -SPEC["cap"]
    # a profile of fewer than min_profile contacts says nothing
    assert "contact_roles" not in attribute_log_odds(
        {"contact_roles": "cell_head=2"}, alias_calling_a_cell_head
    )
    assert "contact_roles" in attribute_weights()["attributes"] and SPEC.get("soft")


def test_given_names_clash_only_for_names_that_open_with_one():
    assert parts_clash(
        ["Ibrahim Umar", "Abou Yasin"], ["Hazim Haitham al-Qurashi", "Abu Yasin"], "given"
    )
    assert not parts_clash(
        ["Mohammed Ali al-Tikriti"], ["Muhammad Ali"], "given"
    )  # one name, respelled
    assert not parts_clash(
        ["Abu Uthman Babi"], ["Hamza Raed al-Babi"], "given"
    )  # a kunya, no given name
    assert not parts_clash(
        ["Idari"], ["Muhammad Yusuf al-Jazrawi"], "given"
    )  # a lone word is a laqab
    assert not parts_clash(
        ["سهيل طلال المياديني"], ["Suhail Talal al-Mayadini"], "given"
    )  # across scripts
    assert not parts_clash(
        ["Muath Talel al Tounisi"], ["Muadh Talal al-Tunisi"], "given"
    )  # th/dh of ذ


CELL, SECTOR = "11", "10"


def _records(rows):
    return pl.DataFrame(
        rows,
        schema={
            "record_id": pl.Int64,
            "unit": pl.Utf8,
            "unit_above": pl.Utf8,
            "active": pl.Utf8,
            "seen": pl.Utf8,
        },
        orient="row",
    )


def _epithet_evidence(records, pairs, full, keys, same=()):
    """unit_epithet reasons of ``pairs``; ``same`` are full-name pairs the first pass resolves (score 0.9)."""
    pairs = [*pairs, *same]
    scored = pl.DataFrame(
        {
            "left_id": [a for a, _ in pairs],
            "right_id": [b for _, b in pairs],
            "score": [0.5] * (len(pairs) - len(same)) + [0.9] * len(same),
            "reasons": ["{}"] * len(pairs),
        }
    )
    out = unique_in_unit(records, scored, keys, full)
    return {
        (a, b): json.loads(r).get("unit_epithet")
        for a, b, r in out.select("left_id", "right_id", "reasons").iter_rows()
    }


def test_an_epithet_carried_in_the_cell_and_above_it_is_ambiguous():
    # 1: the sector head Abu Yasin; 2: the cell's own Abu Yasin; 3: a bare "Abu Yasin" in the cell's report
    records = _records(
        [
            (1, SECTOR, None, "2017-01-01/", None),
            (2, CELL, SECTOR, "2019-01-01/", None),
            (3, CELL, SECTOR, None, "2021-05-01"),
        ]
    )
    full, keys = {1: True, 2: True, 3: False}, {1: {"ysn"}, 2: {"ysn"}, 3: {"ysn"}}
    evidence = _epithet_evidence(records, [(2, 3)], full, keys)
    assert evidence[(2, 3)]["persons_in_unit"] == 2 and evidence[(2, 3)]["llr"] == 0.0
    # without the sector head above, the cell's man is the one carrier: the boost applies
    alone = _epithet_evidence(
        records.filter(pl.col("record_id") != 1), [(2, 3)], {2: True, 3: False}, keys
    )
    assert alone[(2, 3)] == {
        "unit": CELL,
        "part": "ysn",
        "persons_in_unit": 1,
        "llr": UNIQUE_IN_UNIT_LLR,
    }


def test_the_unique_carrier_boost_goes_only_to_the_carriers_own_records():
    # 2: the cell's Abu Yasin left in 2020; 4: a later alias record of his ("Ziya al-Raqqawi, Abu Yasin")
    # without membership dates; 3: a bare "Abu Yasin" seen in 2021 — when only the sector head (1) was there
    records = _records(
        [
            (1, CELL, None, "2017-01-01/", None),
            (2, CELL, None, "2019-01-01/2020-01-01", None),
            (4, CELL, None, None, "2019-06-01"),
            (3, CELL, None, None, "2021-05-01"),
        ]
    )
    full, keys = {1: True, 2: True, 3: False, 4: True}, {r: {"ysn"} for r in (1, 2, 3, 4)}
    evidence = _epithet_evidence(records, [(1, 3), (3, 4)], full, keys, same=[(2, 4)])
    assert (
        evidence[(1, 3)]["persons_in_unit"] == 1 and evidence[(1, 3)]["llr"] == UNIQUE_IN_UNIT_LLR
    )
    assert evidence[(3, 4)]["llr"] == 0.0  # the one man who could be meant is not record 4's


def test_kunyas_clash_when_both_records_carry_one_and_none_agrees():
    assert parts_clash(
        ["Salim Salim al-Sukhni", "Abu Ghassan"], ["Salim al-Sukhni", "Abu Jamal"], "kunya"
    )
    assert not parts_clash(
        ["Abou Ghasan"], ["Salim Salim al-Sukhni", "Abu Ghassan al-Sukhni"], "kunya"
    )
    assert not parts_clash(
        ["أبو صالح الأنصاري"], ["Abu Saleh al-Ansari"], "kunya"
    )  # ح where Latin drops the h
    assert not parts_clash(["Salim al-Sukhni"], ["Abu Ghassan"], "kunya")  # one side has none
    spec = attribute_weights()["attributes"]["kunya_clash"]
    odds = attribute_log_odds(
        {"names": ("Salim al-Sukhni", "Abu Jamal")}, {"names": ("Abu Ghassan al-Sukhni",)}
    )
    assert odds["kunya_clash"] == spec["clash"] and spec.get("soft")
