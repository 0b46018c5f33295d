"""The generator's files: determinism, FollowTheMoney validity, spellings, parameters."""

from __future__ import annotations

import json
import random
import re

import pytest
from followthemoney import model
from hypothesis import given, settings
from hypothesis import strategies as st

from cellmap.scenario import ensure_demo, generate, load_ground_truth, names, scenario_files

SMALL = {"persons": 120, "incidents": 300, "comms": 200}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    generate(5, "demo", folder, **SMALL)
    return folder


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    generate(11, "demo", tmp_path / "a", **SMALL)
    generate(11, "demo", tmp_path / "b", **SMALL)
    generate(12, "demo", tmp_path / "c", **SMALL)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert set(a) == {
        "reports.jsonl",
        "entities.ftm.jsonl",
        "incidents.csv",
        "ground_truth.jsonl",
        "manifest.json",
    }
    assert a == b
    assert a["entities.ftm.jsonl"] != c["entities.ftm.jsonl"]


def test_every_entity_line_is_a_valid_followthemoney_entity(small):
    lost = []
    for line in (small / "entities.ftm.jsonl").read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        assert data["cellmap"]["report"]
        proxy = model.get_proxy({k: data[k] for k in ("id", "schema", "properties")}, cleaned=False)
        for prop, values in data["properties"].items():
            if len(proxy.get(prop)) != len(
                values
            ):  # FtM's cleaning dropped a value: not valid for its type
                lost.append((data["schema"], prop, values))
    assert lost == []


def test_reports_are_graded_and_synthetic(small):
    reports = [
        json.loads(line)
        for line in (small / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert all(r["record"] == "report" and r["synthetic"] is True for r in reports)
    assert all(re.fullmatch(r"[A-F][1-6]", r["grade"]) for r in reports)
    assert len({r["kind"] for r in reports}) >= 5


def test_ground_truth_names_every_person_record_once(small):
    truth = load_ground_truth(small)
    records = [
        json.loads(line)["id"]
        for line in (small / "entities.ftm.jsonl").read_text(encoding="utf-8").splitlines()
        if '"schema":"Person"' in line
    ]
    assert len(records) == len(set(records))
    assert set(records) == set(truth["record_to_person"])
    total = sum(len(p["records"]) for p in truth["persons"].values())
    assert total == len(truth["record_to_person"])  # no record belongs to two persons


def test_bad_parameters_are_refused(tmp_path):
    with pytest.raises(ValueError, match="size"):
        generate(1, "huge", tmp_path)
    with pytest.raises(ValueError, match="persons"):
        generate(1, "demo", tmp_path, persons=0)


def test_ensure_demo_generates_once(tmp_path, monkeypatch):
    import cellmap.scenario as scenario

    calls = []
    real = scenario.generate
    monkeypatch.setattr(
        scenario, "generate", lambda *a, **k: calls.append(1) or real(*a, **{**k, **SMALL})
    )
    first = ensure_demo(tmp_path)
    second = ensure_demo(tmp_path)
    assert first == second and len(calls) == 1
    assert [p.name for p in scenario_files(first)] == [
        "reports.jsonl",
        "entities.ftm.jsonl",
        "incidents.csv",
    ]


def test_cellmap_json_lines_variant_holds_the_same_records(small, tmp_path):
    generate(5, "demo", tmp_path / "jsonl", entity_format="cellmap", **SMALL)
    ftm_lines = (small / "entities.ftm.jsonl").read_text(encoding="utf-8").splitlines()
    cm_lines = (
        (tmp_path / "jsonl" / "entities.cellmap.jsonl").read_text(encoding="utf-8").splitlines()
    )
    assert len(ftm_lines) == len(cm_lines)
    assert [json.loads(x)["id"] for x in ftm_lines] == [json.loads(x)["id"] for x in cm_lines]


PARTS = names.NameParts(
    "Abd al-Rahman",
    "Hussein",
    "Qasim",
    "Raqqawi",
    "al-Dhib",
    "عبد الرحمن",
    "حسين",
    "قاسم",
    "الرقاوي",
    "الذيب",
)


def test_spellings_cover_the_transliteration_habits():
    rng = random.Random(3)
    spelled = [names.spell(rng, PARTS) for _ in range(600)]
    text = "\n".join(spelled)
    for habit in (
        r"\bal-Raqqawi\b",
        r"\bel-Raqqawi\b",
        r"\bar-Raqqawi\b",
        r"(?<![-\w])Raqqawi\b",  # article
        r"\bAbou\b",
        r"\bAbdul\b|\bAbdel\b",
        r"Husayn|Hussain",
        r"\bKasim\b|\bGasim\b",  # fixed forms, q/k/g
        r"\bZib\b|\bThib\b|\bDib\b",
        r"Raqawi",
    ):  # dh/z, gemination
        assert re.search(habit, text), habit
    assert names.spell(rng, PARTS, form="full", arabic=True) == "عبد الرحمن حسين الرقاوي"
    assert names.spell(rng, PARTS, form="kunya", arabic=True) == "أبو قاسم الرقاوي"


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(names.FORMS + ("laqab",)),
    st.booleans(),
)
def test_a_spelling_is_never_empty_and_keeps_one_line(seed, form, arabic):
    rng = random.Random(seed)
    parts = names.draw_name_parts(rng)
    text = names.spell(rng, parts, form=form, arabic=arabic)
    assert text.strip() == text and text and "\n" not in text and "  " not in text
    if arabic:
        assert re.search(r"[\u0600-\u06FF]", text)


def test_both_entity_formats_import_to_the_same_store_counts(small, tmp_path):
    from cellmap.ingest import import_files
    from cellmap.store import open_store

    generate(5, "demo", tmp_path / "jsonl", entity_format="cellmap", **SMALL)
    added = []
    for name, folder in (("ftm", small), ("jsonl", tmp_path / "jsonl")):
        store = open_store("sqlite:///" + str(tmp_path / f"{name}.sqlite"))
        store.init()
        added.append(import_files(store, scenario_files(folder)).added)
        store.close()
    assert added[0] == added[1] and added[0]["relations"] > 1000


def test_output_does_not_depend_on_the_process_hash_seed(small, tmp_path):
    import os
    import subprocess
    import sys

    code = (
        f"from cellmap.scenario import generate; generate(5, 'demo', {str(tmp_path / 'p')!r}, "
        f"persons={SMALL['persons']}, incidents={SMALL['incidents']}, comms={SMALL['comms']})"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONHASHSEED": "12345"}
    )
    assert _files(tmp_path / "p") == _files(small)
