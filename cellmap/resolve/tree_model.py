"""A boosted tree ensemble stored as data: a matcher's non-linear coefficient set.

Gradient boosting (Friedman, "Greedy function approximation: a gradient boosting machine", Annals of
Statistics 2001) with histogram-binned regression trees (Ke et al., "LightGBM", NeurIPS 2017, as
scikit-learn's ``HistGradientBoostingClassifier`` implements it) fits the log-odds of a match as
``baseline + Σ_t tree_t(x)``. The fitted trees are written to JSON (:func:`export_hgb`, at training
time, with scikit-learn) and evaluated here without it: each tree is a list of nodes
``[feature, threshold, left, right, value, missing_left]``; a node with ``feature`` −1 is a leaf
worth ``value``; otherwise ``x[feature] <= threshold`` goes to node ``left``, else to ``right`` (a
missing value, NaN, goes left when ``missing_left``). The file names its features; :func:`load_ensemble` refuses
a file whose features differ from the matcher's. Cost: O(trees · depth) per score.
Example: one tree ``[[0, 0.5, 1, 2, 0, true], [-1, 0, 0, 0, -1.0, false], [-1, 0, 0, 0, 2.0,
false]]`` with baseline 0.5 gives the logit 2.5 for x = [0.9] and −0.5 for x = [0.2].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import orjson

from cellmap.errors import InputError

LEAF = -1


@dataclass(frozen=True)
class TreeEnsemble:
    features: tuple[str, ...]
    baseline: float
    trees: tuple[tuple[tuple[int, float, int, int, float, bool], ...], ...]

    def logit(self, x: list[float]) -> float:
        """baseline + the leaf value each tree gives ``x`` (the features in :attr:`features` order)."""
        total = self.baseline
        for nodes in self.trees:
            k = 0
            while True:
                feature, threshold, left, right, value, missing_left = nodes[k]
                if feature == LEAF:
                    total += value
                    break
                v = x[feature]
                k = left if (missing_left if math.isnan(v) else v <= threshold) else right
        return total


def parse_ensemble(data: dict, features: tuple[str, ...], source: str) -> TreeEnsemble:
    """An ensemble from its parsed JSON; :class:`InputError` names the file and the field at fault."""
    for key in ("features", "baseline", "trees"):
        if key not in data:
            raise InputError(f"{source}: field {key!r} is missing")
    if tuple(data["features"]) != features:
        raise InputError(
            f"{source}: the trees were fitted on other features than the matcher's "
            f"({len(data['features'])} vs {len(features)}, or another order) — refit the matcher"
        )
    trees = []
    for t, nodes in enumerate(data["trees"]):
        parsed = []
        for k, node in enumerate(nodes):
            if len(node) != 6:
                raise InputError(f"{source}: trees[{t}][{k}]: a node has 6 fields, not {len(node)}")
            feature, threshold, left, right, value, missing_left = node
            if feature != LEAF and not (
                0 <= feature < len(features) and k < left < len(nodes) and k < right < len(nodes)
            ):
                raise InputError(f"{source}: trees[{t}][{k}]: feature or child out of range")
            parsed.append(
                (
                    int(feature),
                    float(threshold),
                    int(left),
                    int(right),
                    float(value),
                    bool(missing_left),
                )
            )
        trees.append(tuple(parsed))
    return TreeEnsemble(features, float(data["baseline"]), tuple(trees))


def load_ensemble(filename: str, features: tuple[str, ...]) -> TreeEnsemble:
    """The ensemble of ``data/matchers/FILENAME`` (a plain file name, no path)."""
    if "/" in filename or "\\" in filename or not filename.endswith(".json"):
        raise InputError(f"trees file {filename!r}: a .json file name in data/matchers is expected")
    path = resources.files("cellmap.resolve").joinpath("data", "matchers", filename)
    if not path.is_file():
        raise InputError(f"trees file {filename!r}: no such file in data/matchers")
    return parse_ensemble(orjson.loads(path.read_bytes()), features, f"matchers/{filename}")


def export_hgb(model, features: tuple[str, ...]) -> dict:
    """The JSON form of a fitted binary ``HistGradientBoostingClassifier`` (numeric features only)."""
    trees = []
    for (predictor,) in model._predictors:
        nodes = []
        for node in predictor.nodes:
            leaf = bool(node["is_leaf"])
            nodes.append(
                [
                    LEAF if leaf else int(node["feature_idx"]),
                    0.0 if leaf else float(node["num_threshold"]),
                    0 if leaf else int(node["left"]),
                    0 if leaf else int(node["right"]),
                    float(node["value"]) if leaf else 0.0,
                    bool(node["missing_go_to_left"]),
                ]
            )
        trees.append(nodes)
    return {
        "features": list(features),
        "baseline": float(model._baseline_prediction.ravel()[0]),
        "trees": trees,
    }
