"""Name search and the real-names matcher: index weights by hand, ranking, the CLI on a real store."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from typer.testing import CliRunner

from cellmap.resolve.cli import app
from cellmap.resolve.features.real_names import idf
from cellmap.resolve.matcher import load_matcher
from cellmap.resolve.scorer import Scorer
from cellmap.resolve.search import NameIndex

PERSONS = [
    (1, "Usama bin Ladin", ["Usama bin Ladin"]),
    (2, "Ayman al-Zawahiri", ["Ayman al-Zawahiri", "Abu Muhammad"]),
    (3, "Usama Hamdan", ["Usama Hamdan"]),
]


def test_candidates_are_weighted_by_inverse_document_frequency():
    index = NameIndex(PERSONS, Scorer("names-v1"))
    # "Usama" is held by persons 1 and 3 of 3 (equal weight ln(1 + 3/2), ties in index order);
    # person 2 shares at most a few letters (n-grams, at most half weight)
    assert [index.ids[i] for i in index.candidates("Usama")][:2] == [1, 3]
    usama = index._keys.row("k:" + index.scorer.analyse_person("Usama").parts[0].key)
    assert math.isclose(index._keys.idf[usama], math.log(1 + 3 / 2))
    # a rare part (held by one person) outweighs a shared one: Hamdan ranks person 3 first
    assert index.ids[index.candidates("Usama Hamdan")[0]] == 3


def test_search_finds_the_person_of_a_respelled_alias():
    index = NameIndex(PERSONS, Scorer("names-v1"))
    assert index.search("Osama bin Laden", top=1)[0].person_id == 1
    assert index.search("ZAWAHIRI, Aiman", top=1)[0].person_id == 2
    assert index.search("", top=3) == []


def test_token_frequency_comes_from_the_reference_counts():
    counts = Path(__file__).parents[2] / "cellmap/resolve/data/matchers/names-v1.parts.csv"
    with open(counts, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    total = int(rows[0]["names"])
    muhammad = next(int(r["names"]) for r in rows if r["key"] == "mahamad")
    # Muhammad is the most frequent part of the fit names: the least evidence
    assert max(int(r["names"]) for r in rows[1:]) == muhammad
    assert math.isclose(idf("mahamad"), math.log(1 + total / muhammad))
    assert math.isclose(idf("qqqqunseen"), math.log(1 + total / 0.5))
    assert load_matcher("names-v1").features[-1] == "contained"


def test_a_saved_index_answers_as_the_built_one_and_refuses_another_state(tmp_path):
    built = NameIndex(PERSONS, Scorer("names-v1"))
    path = tmp_path / "cache" / "names.npz"
    built.save(path, {"records": [1, "t", 0]})
    assert path.stat().st_mode & 0o777 == 0o600
    loaded = NameIndex.load(path, {"records": [1, "t", 0]}, Scorer("names-v1"))
    assert loaded is not None and loaded.ids == built.ids and loaded.names == built.names
    for query in ("Osama bin Laden", "ZAWAHIRI, Aiman", "Abou Mohamed", "Usama"):
        assert loaded.candidates(query) == built.candidates(query)
        assert loaded.search(query) == built.search(query)
    # another store state, a damaged file, no file: not used (the caller rebuilds)
    assert NameIndex.load(path, {"records": [2, "t", 0]}, Scorer("names-v1")) is None
    path.write_bytes(path.read_bytes()[:100])
    assert NameIndex.load(path, {"records": [1, "t", 0]}, Scorer("names-v1")) is None
    assert NameIndex.load(tmp_path / "none.npz", {}, Scorer("names-v1")) is None


def _import_persons(store, path, persons):
    from cellmap.ingest import import_files

    path.write_text(
        "".join(
            json.dumps(
                {"id": f"p{i}", "schema": "Person", "properties": {"name": [n], "alias": a}},
                ensure_ascii=False,
            )
            + "\n"
            for i, n, a in persons
        ),
        encoding="utf-8",
    )
    import_files(store, [path])


def test_the_store_index_is_kept_until_an_import(tmp_path, monkeypatch):
    from cellmap.resolve.store_index import store_index
    from cellmap.store import open_store

    monkeypatch.setenv("CELLMAP_CACHE_DIR", str(tmp_path / "cache"))
    store = open_store(tmp_path / "s.sqlite")
    store.init()
    _import_persons(store, tmp_path / "a.ftm.json", [(1, "Usama bin Ladin", [])])
    scorer = Scorer("names-v1")
    first, fresh = store_index(store, scorer)
    assert fresh and first.labels == ["Usama bin Ladin"]
    again, fresh = store_index(store, scorer)
    assert not fresh and again.labels == first.labels
    # another matcher or another caller's compartments: another index
    assert store_index(store, Scorer("scenario-v1"))[1]
    assert store_index(store.scoped(frozenset({"default"})), scorer)[1]
    # an import changes the records: rebuilt, and the new person is found
    _import_persons(store, tmp_path / "b.ftm.json", [(2, "Ayman al-Zawahiri", ["Abu Muhammad"])])
    after, fresh = store_index(store, scorer)
    assert fresh and sorted(after.labels) == ["Ayman al-Zawahiri", "Usama bin Ladin"]
    assert after.search("Aiman az-Zawahiry", top=1)[0].label == "Ayman al-Zawahiri"
    store.close()


def test_search_command_ranks_the_store_persons(tmp_path, monkeypatch):
    monkeypatch.setenv("CELLMAP_CACHE_DIR", str(tmp_path / "cache"))
    from cellmap.ingest import import_files

    store_path = tmp_path / "s.sqlite"
    entities = tmp_path / "persons.ftm.json"
    entities.write_text(
        "".join(
            json.dumps(
                {"id": f"p{i}", "schema": "Person", "properties": {"name": [n], "alias": a}},
                ensure_ascii=False,
            )
            + "\n"
            for i, n, a in ((1, "Usama bin Ladin", []), (2, "Ayman al-Zawahiri", ["Abu Muhammad"]))
        ),
        encoding="utf-8",
    )
    from cellmap.store import open_store

    store = open_store(store_path)
    store.init()
    import_files(store, [entities])
    store.close()
    result = CliRunner().invoke(
        app, ["search", "Aiman az-Zawahiry", "--top", "2", "--json", "--db", str(store_path)]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["persons"] == 2 and out["matcher"] == "names-v3"
    assert out["hits"][0]["name"] == "Ayman al-Zawahiri"
    bad = CliRunner().invoke(app, ["search", "x" * 400, "--db", str(store_path)])
    assert bad.exit_code == 2 and "at most 300" in bad.output, bad.output


def test_the_listwise_fit_prefers_the_true_candidate_and_names_v2_keeps_names_v1_elsewhere():
    import numpy as np

    from cellmap.resolve.train_names import fit_listwise

    # one list of two candidates, one feature: 1 for the true one, 0 for the other. The loss
    # log(1 + e^-w) + l2·w² has its minimum where e^-w / (1 + e^-w) = 2·l2·w (by hand: l2 = 0.1
    # gives w ≈ 1.1775, the root of 1 / (1 + e^w) = 0.2·w)
    w = fit_listwise([(np.array([[1.0], [0.0]]), 0)], l2=0.1)[0]
    assert math.isclose(1 / (1 + math.exp(w)), 0.2 * w, abs_tol=1e-5)
    v1, v2 = load_matcher("names-v1"), load_matcher("names-v2")
    assert v2.features == v1.features and v2.ident == "names-v2"
    for model in ("person", "generic"):
        assert v2.coefficients(model) == v1.coefficients(model)
    # no OFAC name is in Arabic script: cross_script is kept from names-v1, not learnt
    assert (
        v2.coefficients("alias")[1][v2.features.index("cross_script")]
        == (v1.coefficients("alias")[1][v1.features.index("cross_script")])
    )
    index = NameIndex(PERSONS, Scorer("names-v2"))
    assert index.search("Osama bin Laden", top=1)[0].person_id == 1


def test_names_v3_list_features_and_models():
    from cellmap.resolve.features.list_names import EXTRA

    v1, v3 = load_matcher("names-v1"), load_matcher("names-v3")
    assert v3.features == v1.features + EXTRA and v3.feature_set == "names-v2"
    # person and generic models are names-v1's: the same scores, the new features weigh 0
    s1, s3 = Scorer("names-v1"), Scorer("names-v3")
    for pair in (("Usama bin Ladin", "Osama bin Laden"), ("KHAN, Anwar Ahmed", "ANWAR, Rao")):
        assert s3.score_names(*pair) == s1.score_names(*pair)
    feats = lambda x, y: s3.name_features(s3.analyse(x), s3.analyse(y))  # noqa: E731
    same = feats("KURCHENKO, Sergey Vitalievich", "KURCHENKO, Sergey Vitalievich")
    # cosines of a name with itself (soft TF-IDF, Cohen et al. 2003; trigram TF-IDF) are 1
    assert math.isclose(same["soft_tfidf"], 1.0) and math.isclose(same["gram_cos"], 1.0)
    # one part agreeing exactly, one not: soft TF-IDF = idf(Ahmad)² / (|a|·|b|) from the definition
    shared = feats("Ahmad Khalaf", "Ahmad Zubair")
    key = s3.analyse("Ahmad").parts[0].key
    norm = lambda name: math.sqrt(sum(idf(p.key) ** 2 for p in s3.analyse(name).parts))  # noqa: E731
    expected = idf(key) ** 2 / (norm("Ahmad Khalaf") * norm("Ahmad Zubair"))
    assert math.isclose(shared["soft_tfidf"], expected)
    # the surname of "SURNAME, Given" names: agreeing (rare) or in conflict with a near miss
    kept = feats("KURCHENKO, Sergei", "KURCHENKO, Sergey Vitalievich")
    other = feats("VAZIRI, Ahmed", "VAZIRANI, Ahmed")
    assert kept["surname_conflict"] == 0 and kept["surname_agree_idf"] > 0.5
    assert other["surname_conflict"] == 1 and other["near_miss_idf"] > 0
    index = NameIndex(PERSONS, s3)
    assert index.search("Osama bin Laden", top=1)[0].person_id == 1
