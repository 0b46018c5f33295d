"""Fit the real-names matcher (``data/matchers/names-v1.yaml``) on the fit parts of real lists.

Labelled real pairs, fit parts only (the report parts are never read here):

- OpenSanctions name-bench cases of the ``train`` split (:func:`cellmap.resolve.evaluate.split_of`);
- OFAC SDN aliases of persons in the ``fit`` part (:func:`cellmap.resolve.evaluate.ofac_part`):
  each alias against its person's primary name (a match) and against the ``negatives`` other
  primary names the name index (:mod:`cellmap.resolve.search`, key weights only — not the matcher)
  puts first (non-matches: the confusable names a ranking must beat);
- UN positives of the ``fit`` part (:func:`cellmap.resolve.evaluate.un_part`): each perturbed name
  against its clean name, and against index neighbours as non-matches.

The part counts behind the token-frequency features are counted on the same fit parts. The
coefficients are an L2-regularised logistic regression (:func:`cellmap.resolve.train.fit_logistic`)
with each source weighted to the same total, so that the many OFAC pairs do not drown the
OpenSanctions cases (``person`` and ``generic`` models); the ``alias`` model, which ranks a list
for one name (:mod:`cellmap.resolve.search`), weighs the OFAC pairs most (:data:`ALIAS_SHARES`).
Each threshold maximises F1 on the OpenSanctions train cases of its kind. Run:
``python -m cellmap.resolve.train_names ../shared/datasets``. Cost: O(pairs · features²).

``names-v2`` (``python -m cellmap.resolve.train_names ../shared/datasets v2``) keeps names-v1's
features and its person and generic models and refits only the ``alias`` model *for ranking*: an
error analysis of names-v1 on the OFAC fit part found that a quarter of its recall@1 misses were
aliases sharing a surname or given names with the true person that lost to a candidate sharing
nothing — the pointwise fit orders the low scores badly. The alias coefficients are therefore a
conditional logit over each query's candidate list (McFadden, "Conditional logit analysis of
qualitative choice behavior", 1974; the top-one listwise loss of Cao et al., "Learning to rank:
from pairwise approach to listwise approach", ICML 2007): maximise Σ_q log softmax(w·x)_true over
the index's 60 candidates of every OFAC fit alias, L2 weight :data:`LISTWISE_L2` (chosen by two-fold
cross-validation inside the OFAC fit part: recall@1 0.837 / 0.852 / 0.858 / 0.856 for l2 = 1e-2 /
1e-3 / 1e-4 / 1e-5, names-v1 0.803 on the same folds). The list loss fixes the direction of w, not
its offset and scale: these are a Platt scaling (Platt 1999) of w·x on the true alias pairs against
eight candidates each, and the threshold maximises F1 on the OpenSanctions train cases.
Cost: O(queries · candidates · features) per gradient step (L-BFGS).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import orjson
import yaml

from cellmap.resolve.evaluate import (
    best_threshold,
    load_name_cases,
    load_ofac,
    load_un_pairs,
    un_part,
)
from cellmap.resolve.matcher import load_matcher
from cellmap.resolve.train import fit_logistic

MATCHERS = Path(__file__).parent / "data" / "matchers"
# the alias model ranks a list's persons for one name (search): the OFAC alias pairs weigh most.
# Chosen by two-fold cross-validation inside the OFAC fit part (recall@1 0.784 with equal shares,
# 0.804 with these), never on the report part.
ALIAS_SHARES = {"ofac": 1.0, "opensanctions": 0.2, "un": 0.2}
LISTWISE_L2 = 1e-4
LIST_CANDIDATES = 60  # as the bench and `resolve search` re-rank


def fit_names(datasets: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Every name of the fit parts (for the part counts) and the UN fit pairs."""
    primaries, queries = load_ofac(datasets / "ofac-sdn-2022" / "ofac_sdn_individual_aliases.csv")
    names = [r["name"] for r in primaries + queries if r["part"] == "fit"]
    un = [
        p for p in load_un_pairs(datasets / "opensanctions-un-positives") if un_part(p[1]) == "fit"
    ]
    names += [clean for _, clean in un]
    return names, un


def count_parts(names: list[str]) -> tuple[Counter, int]:
    """Number of names holding each fold key (identifying parts only)."""
    from cellmap.resolve.names import analyse_name

    counts: Counter = Counter()
    for name in names:
        counts.update({p.key for p in analyse_name(name).parts if p.tag != "title" and p.key})
    return counts, len(names)


def write_counts(counts: Counter, total: int, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["key", "names"])
        out.writerow(["", total])  # the first row: how many names were counted
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            out.writerow([key, n])


def training_rows(datasets: Path, negatives: int = 8, keep=None) -> list[dict]:
    """Labelled pairs of the fit parts (see the module docstring), with their ``source``."""
    from cellmap.resolve.scorer import Scorer
    from cellmap.resolve.search import NameIndex

    rows = [
        dict(r, source="opensanctions")
        for r in load_name_cases(datasets / "opensanctions-name-bench" / "cases.csv")
        if r["split"] == "train"
    ]
    primaries, queries = load_ofac(datasets / "ofac-sdn-2022" / "ofac_sdn_individual_aliases.csv")
    gallery = NameIndex([(int(p["ent_num"]), p["name"], [p["name"]]) for p in primaries], Scorer())
    primary_of = {int(p["ent_num"]): p["name"] for p in primaries}
    for q in queries:
        if q["part"] != "fit" or (keep is not None and not keep(q["ent_num"])):
            continue
        ent = int(q["ent_num"])
        rows.append(
            {
                "name1": q["name"],
                "name2": primary_of[ent],
                "label": True,
                "schema": "Person",
                "source": "ofac",
            }
        )
        for i in [i for i in gallery.candidates(q["name"], negatives + 1) if gallery.ids[i] != ent][
            :negatives
        ]:
            rows.append(
                {
                    "name1": q["name"],
                    "name2": gallery.labels[i],
                    "label": False,
                    "schema": "Person",
                    "source": "ofac",
                }
            )
    _, un = fit_names(datasets)
    un_index = NameIndex([(k, clean, [clean]) for k, (_, clean) in enumerate(un)], Scorer())
    for k, (treated, clean) in enumerate(un):
        rows.append(
            {"name1": treated, "name2": clean, "label": True, "schema": "Person", "source": "un"}
        )
        for i in [i for i in un_index.candidates(treated, 4) if i != k][:3]:
            rows.append(
                {
                    "name1": treated,
                    "name2": un_index.labels[i],
                    "label": False,
                    "schema": "Person",
                    "source": "un",
                }
            )
    return rows


def features_of(rows: list[dict], matcher) -> np.ndarray:
    from cellmap.resolve.scorer import Scorer, is_person_schema

    scorer = Scorer(matcher)
    out = []
    for r in rows:
        person = is_person_schema(r["schema"])
        feats = scorer.name_features(
            scorer.analyse(r["name1"], person), scorer.analyse(r["name2"], person), person
        )
        out.append([feats[f] for f in matcher.features])
    return np.array(out)


def fit_models(rows: list[dict], matcher, l2: float = 1.0) -> dict:
    """``person`` and ``generic`` coefficient sets of ``matcher``'s features (see the docstring)."""
    from cellmap.resolve.scorer import is_person_schema

    models = {}
    for model, keep, share in (
        ("person", True, {}),
        ("alias", True, ALIAS_SHARES),
        ("generic", False, {}),
    ):
        group = [r for r in rows if is_person_schema(r["schema"]) == keep]
        x = features_of(group, matcher)
        y = np.array([1.0 if r["label"] else 0.0 for r in group])
        totals = Counter(r["source"] for r in group)
        weights = np.array(
            [
                share.get(r["source"], 1.0) * len(group) / len(totals) / totals[r["source"]]
                for r in group
            ]
        )
        w = fit_logistic(x, y, l2=l2, weights=weights)
        coef = {"bias": float(w[0])} | {
            f: float(v) for f, v in zip(matcher.features, w[1:], strict=True)
        }
        mask = np.array([r["source"] == "opensanctions" for r in group])
        z = coef["bias"] + x[mask] @ w[1:]
        coef["threshold"] = best_threshold(
            list(1 / (1 + np.exp(-z))), [bool(v) for v in y[mask]]
        ).threshold
        coef["train_rows"] = len(group)
        models[model] = coef
    return models


def write_matcher(models: dict, path: Path, base: str = "scenario-v1") -> None:
    """The names-v1 matcher file: its features and models, the base matcher's attribute table."""
    from cellmap.resolve.features.real_names import FEATURES

    attributes = load_matcher(base).attribute_table()
    head = (
        "# The real-names matcher (cellmap.resolve.train_names): fitted on the fit parts of the\n"
        "# OpenSanctions name cases (train split), the OFAC SDN aliases and the UN positives; the\n"
        f"# attribute table is {base}'s. Written by the training script: refit, do not edit.\n"
    )
    body = {
        "name": "names",
        "version": 1,
        "feature_set": "names-v1",
        "features": list(FEATURES),
        "models": models,
        **attributes,
    }
    path.write_text(
        head + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )


def candidate_lists(datasets: Path, matcher="names-v1") -> list[tuple[np.ndarray, int]]:
    """(features of each candidate, index of the true person) for every OFAC fit alias whose true
    person is among the name index's :data:`LIST_CANDIDATES` candidates (``matcher``: a name or a
    :class:`~cellmap.resolve.matcher.Matcher` whose features are computed)."""
    from cellmap.resolve.scorer import Scorer
    from cellmap.resolve.search import NameIndex

    scorer = Scorer(matcher)
    primaries, queries = load_ofac(datasets / "ofac-sdn-2022" / "ofac_sdn_individual_aliases.csv")
    # the candidates depend on the index keys only, not on the matcher (names-v1 as in the bench)
    index = NameIndex(
        [(int(p["ent_num"]), p["name"], [p["name"]]) for p in primaries], Scorer("names-v1")
    )
    lists = []
    for q in queries:
        if q["part"] != "fit":
            continue
        cand = index.candidates(q["name"], LIST_CANDIDATES)
        truth = [k for k, i in enumerate(cand) if index.ids[i] == int(q["ent_num"])]
        if not truth:
            continue
        a = scorer.analyse(q["name"], True)
        x = [
            [feats[f] for f in scorer.matcher.features]
            for feats in (
                scorer.name_features(a, scorer.analyse(index.labels[i], True), True) for i in cand
            )
        ]
        lists.append((np.array(x), truth[0]))
    return lists


def fit_listwise(lists: list[tuple[np.ndarray, int]], l2: float = LISTWISE_L2) -> np.ndarray:
    """Weights w maximising the mean log softmax(X·w)[true] over the lists, minus l2·|w|² (see the
    module docstring). Example: one list [[1, 0], [0, 1]] with the first true gives w₀ > w₁."""
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, truth in lists:
            s = x @ w
            lse = logsumexp(s)
            total += lse - s[truth]
            grad += x.T @ np.exp(s - lse) - x[truth]
        n = max(len(lists), 1)
        return total / n + l2 * float(w @ w), grad / n + 2 * l2 * w

    width = lists[0][0].shape[1]
    return minimize(loss, np.zeros(width), jac=True, method="L-BFGS-B").x


def listwise_alias_model(
    lists: list[tuple[np.ndarray, int]],
    os_train: tuple[np.ndarray, list[bool]],
    features,
    base: dict,
) -> dict:
    """The alias coefficient set of names-v2 and names-v3: listwise direction, Platt offset and
    scale, threshold by F1 on the OpenSanctions train cases (``os_train``: their features and
    labels). A feature that never varies inside a list (no OFAC name is in Arabic script:
    ``cross_script``) cannot be learnt from lists: it keeps its coefficient of ``base`` (the
    earlier alias model; 0 for a feature it lacks)."""
    w = fit_listwise(lists)
    s, y = [], []
    for x, truth in lists:
        scores = x @ w
        others = [k for k in np.argsort(-scores) if k != truth][:8]
        s += [scores[truth], *scores[others]]
        y += [1.0] + [0.0] * len(others)
    platt = fit_logistic(np.array(s)[:, None], np.array(y), l2=1.0)
    bias, scale = float(platt[0]), float(platt[1])
    varies = np.zeros(len(features), dtype=bool)
    for x, _ in lists:
        varies |= x.min(axis=0) != x.max(axis=0)
    coef = {"bias": bias} | {
        f: scale * float(v) if varies[k] else float(base.get(f, 0.0))
        for k, (f, v) in enumerate(zip(features, w, strict=True))
    }
    fixed = np.array([0.0 if varies[k] else coef[f] for k, f in enumerate(features)])
    x_os, y_os = os_train
    z = bias + scale * (x_os @ (w * varies)) + x_os @ fixed
    coef["threshold"] = best_threshold(list(1 / (1 + np.exp(-z))), y_os).threshold
    coef["train_rows"] = sum(len(x) for x, _ in lists)
    return coef


LISTWISE_FEATURE_SETS = {2: "names-v1", 3: "names-v2"}  # matcher version -> its feature set
LISTWISE_HEADS = {
    2: "# names-v2 (cellmap.resolve.train_names main_v2): names-v1's features, person and generic\n"
    "# models; the alias model refitted for ranking (listwise, OFAC fit part). Refit, do not edit.\n",
    3: "# names-v3 (cellmap.resolve.train_names main_listwise 3): feature set names-v2 (names-v1's\n"
    "# features and the list-name features); the alias model fitted for ranking (listwise, OFAC fit\n"
    "# part); person and generic models are names-v1's (the new features weigh 0). Refit, do not edit.\n",
}


def main_listwise(
    datasets: Path, version: int, lists: list[tuple[np.ndarray, int]] | None = None
) -> None:
    """Write names-v{version}.yaml: names-v1's person and generic models (a feature names-v1 lacks
    weighs 0 there) and an alias model fitted listwise on the features of feature set
    :data:`LISTWISE_FEATURE_SETS` [version] (see the module docstring). ``lists``: the candidate
    lists when already computed by :func:`candidate_lists` with the same features."""
    from cellmap.resolve.matcher import feature_sets, parse_matcher

    features = feature_sets()[LISTWISE_FEATURE_SETS[version]]
    v1 = yaml.safe_load((MATCHERS / "names-v1.yaml").read_text(encoding="utf-8"))
    data = dict(v1, version=version, feature_set=LISTWISE_FEATURE_SETS[version])
    data["features"] = list(features)
    data["models"] = {
        model: {f: coef.get(f, 0.0) for f in ("bias", *features, "threshold", "train_rows")}
        for model, coef in v1["models"].items()
    }
    draft = parse_matcher(data, f"names-v{version} draft")
    os_rows = [
        r
        for r in load_name_cases(datasets / "opensanctions-name-bench" / "cases.csv")
        if r["split"] == "train" and r["schema"] == "Person"
    ]
    data["models"]["alias"] = listwise_alias_model(
        lists if lists is not None else candidate_lists(datasets, draft),
        (features_of(os_rows, draft), [bool(r["label"]) for r in os_rows]),
        features,
        # a feature the lists cannot fit keeps names-v2's listwise-era coefficient (or 0)
        load_matcher("names-v2").models["alias"] if version > 2 else v1["models"]["alias"],
    )
    (MATCHERS / f"names-v{version}.yaml").write_text(
        LISTWISE_HEADS[version]
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )


def main_v2(datasets: Path, lists: list[tuple[np.ndarray, int]] | None = None) -> None:
    """Write names-v2.yaml: names-v1 with the listwise alias model (see the module docstring)."""
    main_listwise(datasets, 2, lists)


# names-v4's person model (boosted trees, see main_trees): chosen by 5-fold cross-validation inside
# the OpenSanctions train split (3 fold seeds), never on the dev split
TREE_PARAMS = {
    "max_depth": 2,
    "learning_rate": 0.05,
    "max_iter": 300,
    "l2_regularization": 1.0,
    "min_samples_leaf": 10,
}
TREE_FOLDS = 5


def out_of_fold(x: np.ndarray, y: np.ndarray, seed: int = 0) -> np.ndarray:
    """Each train case's score by trees fitted on the other folds (:data:`TREE_FOLDS`)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold

    scores = np.zeros(len(y))
    folds = StratifiedKFold(TREE_FOLDS, shuffle=True, random_state=seed)
    for fit, held in folds.split(x, y):
        model = HistGradientBoostingClassifier(**TREE_PARAMS, random_state=seed)
        scores[held] = model.fit(x[fit], y[fit]).predict_proba(x[held])[:, 1]
    return scores


def main_trees(datasets: Path, version: int = 4) -> None:
    """Write names-v4.yaml and names-v4.person.trees.json: feature set ``names-v3``; the person model
    is boosted trees (:mod:`cellmap.resolve.tree_model`, scikit-learn's histogram gradient boosting,
    :data:`TREE_PARAMS`) fitted on the OpenSanctions person cases of the train split, its threshold
    the best F1 of the out-of-fold scores (:func:`out_of_fold`); the alias and generic models are
    names-v3's (a feature names-v3 lacks weighs 0: identical scores)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from cellmap.resolve.matcher import feature_sets, parse_matcher
    from cellmap.resolve.tree_model import export_hgb

    feature_set = "names-v3"
    features = feature_sets()[feature_set]
    v3 = yaml.safe_load((MATCHERS / "names-v3.yaml").read_text(encoding="utf-8"))
    data = dict(v3, version=version, feature_set=feature_set, features=list(features))
    data["models"] = {
        model: {f: coef.get(f, 0.0) for f in ("bias", *features, "threshold", "train_rows")}
        for model, coef in v3["models"].items()
        if model != "person"
    }
    draft = parse_matcher(dict(data, models={}), f"names-v{version} draft")
    rows = [
        r
        for r in load_name_cases(datasets / "opensanctions-name-bench" / "cases.csv")
        if r["split"] == "train" and r["schema"] == "Person"
    ]
    x = features_of(rows, draft)
    y = np.array([bool(r["label"]) for r in rows])
    threshold = best_threshold(list(out_of_fold(x, y)), list(y)).threshold
    model = HistGradientBoostingClassifier(**TREE_PARAMS, random_state=0).fit(x, y)
    trees_file = f"names-v{version}.person.trees.json"
    (MATCHERS / trees_file).write_bytes(orjson.dumps(export_hgb(model, features)))
    data["models"] = {
        "person": {"trees": trees_file, "threshold": threshold, "train_rows": len(rows)}
    } | data["models"]
    (MATCHERS / f"names-v{version}.yaml").write_text(
        TREE_HEAD + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )


TREE_HEAD = (
    "# names-v4 (cellmap.resolve.train_names main_trees): feature set names-v3 (names-v2's features\n"
    "# and the pair-shape features); the person model is boosted trees fitted on the OpenSanctions\n"
    "# person cases of the train split (names-v4.person.trees.json); alias and generic models are\n"
    "# names-v3's (the new features weigh 0). Refit, do not edit.\n"
)


def main(datasets: Path) -> None:
    names, _ = fit_names(datasets)
    counts, total = count_parts(names)
    write_counts(counts, total, MATCHERS / "names-v1.parts.csv")
    from cellmap.resolve.features.real_names import part_counts

    part_counts.cache_clear()
    from cellmap.resolve.features.real_names import FEATURES
    from cellmap.resolve.matcher import parse_matcher

    draft = parse_matcher(
        {
            "name": "names",
            "version": 1,
            "feature_set": "names-v1",
            "features": list(FEATURES),
            "models": {},
        },
        "draft",
    )
    rows = training_rows(datasets)
    write_matcher(fit_models(rows, draft), MATCHERS / "names-v1.yaml")
    print(f"{len(rows)} training pairs: {dict(Counter(r['source'] for r in rows))}")


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets")
    if sys.argv[2:] in (["v2"], ["v3"]):
        main_listwise(folder, int(sys.argv[2][1:]))
    elif sys.argv[2:] == ["v4"]:
        main_trees(folder)
    else:
        main(folder)
