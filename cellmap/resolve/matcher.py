"""Named, versioned matchers: features, coefficients, thresholds and attribute weights stored together.

A matcher is one YAML file under ``data/matchers/`` (``scenario-v1.yaml``): its ``name`` and
``version``, the ``feature_set`` it reads and the exact list of ``features`` its coefficients were
fitted on, one coefficient set per ``models`` entry (``bias``, a weight per feature, the decision
``threshold``), and the ``attributes`` table of log-likelihood ratios (Fellegi & Sunter 1969). As in
nomenklatura's matchers (``logic-v2``, ``name-based``), the scorer refuses a matcher whose features
differ from those the code computes: coefficients fitted on other features would be read in the
wrong places. The score is a logistic regression (Cox 1958) of the features,
``p = 1 / (1 + exp(-(bias + w·x)))``. Cost: O(features) per score. Example:
``load_matcher("scenario-v1").threshold("person")`` is the person model's fitted threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from cellmap.errors import InputError
from cellmap.resolve.tree_model import TreeEnsemble, load_ensemble

DEFAULT_MATCHER = "scenario-v1"
COEFFICIENT_EXTRAS = ("bias", "threshold", "train_rows")
TREES_KEY = "trees"  # a model given by a boosted tree ensemble (:mod:`.tree_model`), its JSON file


class MatcherError(InputError):
    """A matcher file that does not fit the code (unknown feature set, features that differ)."""


def feature_sets() -> dict[str, tuple[str, ...]]:
    """The features the code computes, by feature-set name."""
    from cellmap.resolve.features.name_parts import FEATURES as PARTS_V1

    sets: dict[str, tuple[str, ...]] = {"parts-v1": PARTS_V1}
    try:
        from cellmap.resolve.features.real_names import FEATURES as NAMES_V1

        sets["names-v1"] = NAMES_V1
        from cellmap.resolve.features.list_names import FEATURES as NAMES_V2

        sets["names-v2"] = NAMES_V2
        from cellmap.resolve.features.pair_shape import FEATURES as NAMES_V3

        sets["names-v3"] = NAMES_V3
    except ImportError:
        pass
    return sets


@dataclass(frozen=True)
class Matcher:
    name: str
    version: int
    feature_set: str
    features: tuple[str, ...]
    models: dict[str, dict[str, float]]
    attributes: dict[str, dict]
    max_positive: float | None
    # a model given by boosted trees (its file under ``trees``): model -> the ensemble
    trees: dict[str, TreeEnsemble] = field(default_factory=dict)

    @property
    def ident(self) -> str:
        return f"{self.name}-v{self.version}"

    def model_for(self, model: str, person: bool) -> str:
        """The coefficient set to use: ``generic`` for non-person schemas, ``person`` when unknown."""
        if not person:
            return "generic"
        return model if model in self.models else "person"

    def coefficients(self, model: str) -> tuple[float, tuple[float, ...]]:
        coef = self.models[model]
        return coef["bias"], tuple(coef.get(name, 0.0) for name in self.features)

    def threshold(self, model: str) -> float:
        return self.models[model]["threshold"]

    def attribute_table(self) -> dict:
        """The attribute weights as the data file writes them (``max_positive``, ``attributes``)."""
        return {"max_positive": self.max_positive, "attributes": self.attributes}


def parse_matcher(data: dict, source: str) -> Matcher:
    """A matcher from its parsed file; :class:`MatcherError` names the file and the field at fault."""
    for key in ("name", "version", "feature_set", "features", "models"):
        if key not in data:
            raise MatcherError(f"{source}: field {key!r} is missing")
    known = feature_sets()
    if data["feature_set"] not in known:
        raise MatcherError(
            f"{source}: feature_set {data['feature_set']!r} is not one the code computes "
            f"({', '.join(sorted(known))})"
        )
    features = tuple(data["features"])
    computed = known[data["feature_set"]]
    if features != computed:
        missing = sorted(set(computed) - set(features))
        extra = sorted(set(features) - set(computed))
        raise MatcherError(
            f"{source}: features differ from feature set {data['feature_set']!r} "
            f"(not in the file: {missing}; not computed: {extra}; or another order) — refit the matcher"
        )
    trees: dict[str, TreeEnsemble] = {}
    for model, coef in data["models"].items():
        if TREES_KEY in coef:
            # the trees' file must name exactly the matcher's features (checked on loading)
            trees[model] = load_ensemble(str(coef[TREES_KEY]), features)
            coef = {"bias": 0.0} | {k: v for k, v in coef.items() if k != TREES_KEY}
        unknown = sorted(set(coef) - set(features) - set(COEFFICIENT_EXTRAS))
        if unknown or "bias" not in coef or "threshold" not in coef:
            raise MatcherError(
                f"{source}: models.{model}: coefficients of unknown features {unknown} "
                "or no bias/threshold"
            )
    return Matcher(
        name=str(data["name"]),
        version=int(data["version"]),
        feature_set=data["feature_set"],
        features=features,
        models={
            k: {"bias": 0.0} | {f: v for f, v in coef.items() if f != TREES_KEY}
            if TREES_KEY in coef
            else dict(coef)
            for k, coef in data["models"].items()
        },
        attributes=dict(data.get("attributes") or {}),
        max_positive=data.get("max_positive"),
        trees=trees,
    )


def matcher_names() -> list[str]:
    folder = resources.files("cellmap.resolve").joinpath("data", "matchers")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


@lru_cache(maxsize=8)
def load_matcher(ident: str = DEFAULT_MATCHER) -> Matcher:
    """The matcher ``NAME-vN`` from ``data/matchers/NAME-vN.yaml`` (read once; matchers are immutable)."""
    if ident not in matcher_names():
        raise MatcherError(f"matcher {ident!r}: no such matcher ({', '.join(matcher_names())})")
    path = resources.files("cellmap.resolve").joinpath("data", "matchers", f"{ident}.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    matcher = parse_matcher(data, f"matchers/{ident}.yaml")
    if matcher.ident != ident:
        raise MatcherError(f"matchers/{ident}.yaml: name/version say {matcher.ident!r}")
    return matcher
