"""Pair scores: the evidence rules of the issue, bounds, and the robustness of `score-pairs`."""

from __future__ import annotations

import csv

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cellmap.resolve.cli import app
from cellmap.resolve.score import score_names, score_pair


def test_spelling_variants_of_one_person_score_high():
    assert score_names("Abu Bakr al-Baghdadi", "Abou Bakr el-Baghdadi") > 0.9
    assert score_names("Usama bin Ladin", "Osama bin Laden") > 0.9
    assert score_names("Abu Bakr al-Baghdadi", "أبو بكر البغدادي") > 0.8


def test_a_shared_nisba_alone_is_weak_and_kunya_plus_ism_is_strong():
    nisba_only = score_names("Abu Hamza al-Masri", "Abu Layla al-Masri")
    kunya_and_ism = score_names("Abu Hamza Mustafa al-Masri", "Abou Hamza Moustafa")
    assert nisba_only < 0.5 < kunya_and_ism


def test_a_clash_of_nisbas_lowers_the_score():
    same = score_names("Barzan Ibrahim Hassan al-Tikriti", "Barzan Ibrahim Hasan al-Tikriti")
    clash = score_names("Barzan Ibrahim Hassan al-Mosuli", "Barzan Ibrahim Hassan al-Tikriti")
    assert clash < same


def test_attributes_move_the_score_both_ways():
    base = score_pair("Ahmad Khalil al-Ani", "Ahmed Khalil al-Ani").score
    agree = score_pair(
        "Ahmad Khalil al-Ani",
        "Ahmed Khalil al-Ani",
        "Person",
        {"birth_date": "1975-02-03"},
        {"birth_date": "1975-02-03"},
    ).score
    differ = score_pair(
        "Ahmad Khalil al-Ani",
        "Ahmed Khalil al-Ani",
        "Person",
        {"birth_date": "1975"},
        {"birth_date": "1988"},
    ).score
    assert differ < base < agree


@settings(max_examples=150, deadline=None)
@given(
    st.text(max_size=40),
    st.text(max_size=40),
    st.sampled_from(["Person", "Company", "Organization", "Vessel", "", "nonsense"]),
)
def test_every_score_is_within_zero_and_one(a, b, schema):
    s = score_names(a, b, schema)
    assert 0.0 <= s <= 1.0


def test_score_pairs_keeps_order_and_survives_odd_rows(tmp_path):
    pairs = tmp_path / "pairs.csv"
    rows = [
        ["name1", "name2", "schema", "birth_date1", "birth_date2", "extra"],
        ["Abu Bakr al-Baghdadi", "أبو بكر البغدادي", "Person", "1971", "1971", "x"],
        ["", "", "", "", "", ""],
        ["Siemens AG", "Siemens Aktiengesellschaft", "Company", "", "", ""],
        ["MV Ocean Star", "Ocean Star", "Vessel", "", "", ""],
        ["Olaf Scholz", "Olaf Scholz", "", "", "", ""],
        ["\u0000\ufeff???", "日本語の名前", "Organization", "not a date", "19xx", ""],
    ]
    with open(pairs, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(app, ["score-pairs", str(pairs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["name1", "name2", "score"]
    assert [r[:2] for r in got[1:]] == [r[:2] for r in rows[1:]]
    scores = [float(r[2]) for r in got[1:]]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > 0.8 and scores[2] > 0.5 and scores[4] > 0.9 and scores[1] < 0.1


def test_score_pairs_without_name_columns_is_a_user_error(tmp_path):
    pairs = tmp_path / "bad.csv"
    pairs.write_text("a,b\nx,y\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score-pairs", str(pairs), "--out", str(tmp_path / "o.csv")])
    # a user error (status 2, one line naming the file, line and field), not a crash (status 1)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"error: {pairs}:1: header: needs columns name1 and name2, found a, b" in " ".join(
        result.output.split()
    )
    assert not (tmp_path / "o.csv").exists()
