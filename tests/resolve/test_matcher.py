"""The restructured matcher scores exactly as the code before it (fixtures saved from the unchanged
code: the demo scenario's candidate pairs, the OpenSanctions name cases); matcher files that do not
fit the code are refused; workers started by spawn score as forked ones do."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import polars as pl
import pytest
import yaml

from cellmap.resolve.candidates import block, score_candidates
from cellmap.resolve.matcher import MatcherError, load_matcher, parse_matcher
from cellmap.resolve.score import score_names
from cellmap.resolve.scorer import Scorer

DATA = Path(__file__).parent / "data"


def _demo_records() -> pl.DataFrame:
    # person records of the demo scenario (seed 20190101) as store_records built them
    return pl.read_parquet(DATA / "demo_records.parquet")


def _saved_demo_scores() -> pl.DataFrame:
    with gzip.open(DATA / "demo_scores_main.csv.gz", "rb") as fh:
        return pl.read_csv(fh.read())


@pytest.mark.xdist_group("demo_scores")
def test_demo_scores_are_identical_to_the_unrestructured_matcher():
    records = _demo_records()
    saved = _saved_demo_scores()
    scored = score_candidates(records, block(records, per_record=10, workers=1), workers=1)
    assert scored.height == saved.height == 19_228
    for column in ("left_id", "right_id", "score", "contradicts", "names_differ", "nisbas_clash"):
        assert scored[column].to_list() == saved[column].to_list(), column


@pytest.mark.slow
@pytest.mark.xdist_group("demo_scores")
def test_spawned_workers_score_as_one_process_does():
    records = _demo_records()
    pairs = block(records, per_record=10, workers=1)
    spawned = score_candidates(records, pairs, workers=2, chunk_size=4000, start_method="spawn")
    assert spawned["score"].to_list() == _saved_demo_scores()["score"].to_list()


def test_name_case_scores_are_identical_to_the_unrestructured_matcher():
    with open(DATA / "cases_scores_main.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 826
    for row in rows:
        for model in ("person", "record"):
            assert score_names(row["name1"], row["name2"], row["schema"], model) == float(
                row[model]
            ), (row["name1"], row["name2"], model)


def test_a_score_does_not_depend_on_what_was_scored_before():
    first = Scorer().score_names("Abu Bakr al-Baghdadi", "Abou Bakr el-Baghdadi")
    busy = Scorer()
    for other in ("Ibrahim Awad Ibrahim al-Badri", "Abu Du'a", "Abu Bakr al-Husseini"):
        busy.score_names(other, "Abou Bakr el-Baghdadi")
    assert busy.score_names("Abu Bakr al-Baghdadi", "Abou Bakr el-Baghdadi") == first


def test_a_matcher_whose_features_differ_is_refused():
    data = yaml.safe_load(
        (Path(__file__).parents[2] / "cellmap/resolve/data/matchers/scenario-v1.yaml").read_text()
    )
    assert parse_matcher(data, "ok").ident == "scenario-v1" == load_matcher().ident
    dropped = dict(data, features=data["features"][:-1])
    with pytest.raises(MatcherError, match="features differ"):
        parse_matcher(dropped, "dropped.yaml")
    swapped = dict(data, features=[data["features"][1], data["features"][0], *data["features"][2:]])
    with pytest.raises(MatcherError, match="another order"):
        parse_matcher(swapped, "swapped.yaml")
    with pytest.raises(MatcherError, match="feature_set"):
        parse_matcher(dict(data, feature_set="parts-v0"), "old.yaml")
    with pytest.raises(MatcherError, match="no such matcher"):
        load_matcher("scenario-v0")


def test_boosted_trees_stored_as_data_score_as_scikit_learn_does():
    # an independent computation: scikit-learn's own decision function on the same fitted trees
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    from cellmap.errors import InputError
    from cellmap.resolve.tree_model import export_hgb, parse_ensemble

    rng = np.random.default_rng(15)
    x = rng.normal(size=(300, 3))
    x[rng.random(300) < 0.1, 1] = np.nan
    y = (x[:, 0] + np.nan_to_num(x[:, 1]) * x[:, 2] + rng.normal(scale=0.5, size=300)) > 0
    fitted = HistGradientBoostingClassifier(max_depth=2, max_iter=30, random_state=0).fit(x, y)
    features = ("a", "b", "c")
    ensemble = parse_ensemble(export_hgb(fitted, features), features, "t.json")
    expected = fitted.decision_function(x)
    assert np.allclose([ensemble.logit(list(row)) for row in x], expected, atol=1e-9)
    with pytest.raises(InputError, match="other features"):
        parse_ensemble(export_hgb(fitted, features), ("a", "c", "b"), "swapped.json")


def test_names_v4_pair_shape_features_and_models():
    from cellmap.resolve.features.pair_shape import EXTRA

    v3, v4 = load_matcher("names-v3"), load_matcher("names-v4")
    assert v4.features == v3.features + EXTRA and set(v4.trees) == {"person"}
    s3, s4 = Scorer("names-v3"), Scorer("names-v4")
    # the alias and generic models are names-v3's (the new features weigh 0)
    for pair in (("Usama bin Ladin", "Osama bin Laden"), ("KHAN, Anwar Ahmed", "ANWAR, Rao")):
        assert s4.score_names(*pair, model="alias") == s3.score_names(*pair, model="alias")
    assert s4.score_names("Acme AG", "ACME Aktiengesellschaft", "Company") == s3.score_names(
        "Acme AG", "ACME Aktiengesellschaft", "Company"
    )
    feats = lambda x, y: s4.name_features(s4.analyse(x), s4.analyse(y))  # noqa: E731
    # a part replaced by another, or a part dropped ("el Sayed" is one part: article and name)
    swapped = feats("Tariq Anwar Mohamed", "Tariq Anwar Khalil")
    dropped = feats("TARIQ ANWAR EL SAYED MOHAMED", "TARIQ ANWAR MOHAMED")
    assert (swapped["subst_parts"], swapped["extra_parts"]) == (1, 0)
    assert (dropped["subst_parts"], dropped["extra_parts"], dropped["parts_max"]) == (0, 1, 4)
    han = feats("习近朋", "习近平")  # one of three characters differs: Levenshtein 1 - 1/3
    assert han["other_script"] == 1 and han["same_script"] == 1
    assert abs(han["lev_raw"] - 2 / 3) < 1e-12
    assert s4.score_names("Usama bin Ladin", "Osama bin Laden") > s4.matcher.threshold("person")
