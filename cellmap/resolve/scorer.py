"""The scorer: one matcher, the evidence it was built with, and the caches of its work.

A :class:`Scorer` holds a :class:`~cellmap.resolve.matcher.Matcher`, the contact-profile
backgrounds of the records being resolved (explicit, never module state), and its caches:
analysed names, part similarities and record name slots. The caches are memos of pure
functions of values (a name, two parts' signatures), so a score never depends on what was scored
before; two scorers with one matcher and one background give identical scores. A scorer pickles
without its caches: parallel workers receive it whole (under fork, spawn or forkserver) and
rebuild the caches they need.

Score of a pair: the matcher's features of the two analysed names (:mod:`.features`), combined by
logistic regression (Cox 1958) into a name logit, plus the attribute log-likelihood ratios
(Fellegi & Sunter 1969). Cost: O(m·n·k) per name pair of m and n parts of length ≤ k.
Example: ``Scorer().score_names("Usama bin Ladin", "Osama bin Laden")`` is about 0.99.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cellmap.resolve.features import attributes as attribute_features
from cellmap.resolve.features import name_parts
from cellmap.resolve.features.attributes import sigmoid
from cellmap.resolve.features.profile import profile_background
from cellmap.resolve.features.slots import Slots, name_slots, slots_clash
from cellmap.resolve.matcher import DEFAULT_MATCHER, Matcher, load_matcher
from cellmap.resolve.names import AnalysedName, NamePart, analyse_name, fold, skeleton, tokens
from cellmap.resolve.names import name_part as shared_part

PERSON_SCHEMAS = frozenset({"person", "Person", "PERSON", ""})
NO_NAME_LOGIT = -8.0  # nothing to compare: no evidence of identity
PART_CACHE_MAX = 4_000_000  # about 0.5 GB; the scenarios met so far need a tenth of it
NAME_CACHE_MAX = 1_000_000


def is_person_schema(schema: str | None) -> bool:
    return (schema or "").strip() in PERSON_SCHEMAS


def logit(p: float) -> float:
    """Log-odds of a score, clamped away from 0 and 1."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def add_log_odds(score: float, llr: float) -> float:
    """A score moved by ``llr`` on the log-odds scale (Fellegi–Sunter evidence is additive there)."""
    return sigmoid(logit(score) + llr)


def analyse_generic(name: str) -> AnalysedName:
    """Organisation, vessel and other non-person names: every token a plain part, org types folded
    (rigour: ``Aktiengesellschaft`` = ``AG``)."""
    from rigour.names import replace_org_types_compare

    from cellmap.resolve.names import to_ascii

    text = to_ascii(name or "")
    try:
        text = replace_org_types_compare(text.lower())
    except Exception:  # rigour may reject odd inputs; the plain text still compares
        text = text.lower()
    parts = []
    for tok in tokens(text):
        key = fold(tok)
        if key:
            parts.append(shared_part(tok, "name", key, skeleton(key)))
    return AnalysedName(original=name or "", parts=tuple(parts), arabic_script=False)


@dataclass
class PairScore:
    score: float  # probability-like score in [0, 1]
    name_score: float
    features: dict[str, float]
    attribute_reasons: dict[str, float]  # attribute -> log-odds added
    agree: list[str]  # parts that agree, "abu bakr ~ abou bakr (kunya)"
    differ: list[str]  # parts without a counterpart

    def reasons(self) -> dict:
        return {
            "name_score": round(self.name_score, 4),
            "agree": self.agree,
            "differ": self.differ,
            "attributes": {k: round(v, 3) for k, v in self.attribute_reasons.items()},
            "features": {k: round(v, 3) for k, v in self.features.items() if v},
        }


class Scorer:
    """Scores pairs of names and records with one matcher; see the module docstring."""

    def __init__(
        self,
        matcher: Matcher | str = DEFAULT_MATCHER,
        profile_backgrounds: dict[str, dict[str, float]] | None = None,
    ):
        self.matcher = load_matcher(matcher) if isinstance(matcher, str) else matcher
        self.profile_backgrounds = dict(profile_backgrounds or {})
        self._specs = attribute_features.attribute_specs(self.matcher.attributes)
        self._vectors = {m: self.matcher.coefficients(m) for m in self.matcher.models}
        self._name_features = _FEATURE_FUNCTIONS[self.matcher.feature_set]
        self._clear_caches()

    # --- construction, pickling --------------------------------------------------------------

    @classmethod
    def for_records(cls, matcher: Matcher | str, records) -> Scorer:
        """A scorer with the profile backgrounds of these records (a polars frame): the "any man of
        this network" side of each ``profile`` attribute."""
        backgrounds = {
            attr: profile_background(records[attr].to_list())
            for attr, spec in (
                load_matcher(matcher) if isinstance(matcher, str) else matcher
            ).attributes.items()
            if spec.get("kind") == "profile" and attr in records.columns
        }
        return cls(matcher, backgrounds)

    def _clear_caches(self) -> None:
        self._persons: dict[str, AnalysedName] = {}
        self._generic: dict[str, AnalysedName] = {}
        self._part_sims: dict[tuple[int, int, bool], float] = {}
        self._slots: dict[tuple[str, ...], Slots] = {}

    def share_analysis(self, other: Scorer) -> None:
        """Use another scorer's analysed names (analysis depends on the name alone, not the matcher)."""
        self._persons, self._generic = other._persons, other._generic

    def __getstate__(self) -> dict:
        return {"matcher": self.matcher, "profile_backgrounds": self.profile_backgrounds}

    def __setstate__(self, state: dict) -> None:
        Scorer.__init__(self, state["matcher"], state["profile_backgrounds"])

    # --- cached analysis ---------------------------------------------------------------------

    def analyse_person(self, name: str) -> AnalysedName:
        found = self._persons.get(name)
        if found is None:
            if len(self._persons) >= NAME_CACHE_MAX:
                self._persons.clear()
            found = self._persons[name] = analyse_name(name or "")
        return found

    def analyse_generic(self, name: str) -> AnalysedName:
        found = self._generic.get(name)
        if found is None:
            if len(self._generic) >= NAME_CACHE_MAX:
                self._generic.clear()
            found = self._generic[name] = analyse_generic(name)
        return found

    def analyse(self, name: str, person: bool = True) -> AnalysedName:
        return self.analyse_person(name) if person else self.analyse_generic(name)

    def preanalyse(self, names: Iterable[str]) -> None:
        """Analyse many person names at once (workers forked afterwards inherit them)."""
        for name in dict.fromkeys(names):
            self.analyse_person(name)

    def part_similarity(self, p: NamePart, q: NamePart, cross_script: bool) -> float:
        """:func:`name_parts.part_similarity`, cached by the parts' signatures: name parts repeat
        (1.5 M part comparisons of 100,000 candidate pairs are 112,000 distinct ones)."""
        cache_key = (p.signature, q.signature, cross_script)
        sim = self._part_sims.get(cache_key)
        if sim is None:
            if len(self._part_sims) >= PART_CACHE_MAX:
                self._part_sims.clear()
            sim = self._part_sims[cache_key] = name_parts.part_similarity(p, q, cross_script)
        return sim

    def name_slots(self, names: tuple[str, ...]) -> Slots:
        found = self._slots.get(names)
        if found is None:
            if len(self._slots) >= NAME_CACHE_MAX:
                self._slots.clear()
            found = self._slots[names] = name_slots(self.analyse_person(n or "") for n in names)
        return found

    # --- features and scores -----------------------------------------------------------------

    def name_features(
        self, a: AnalysedName, b: AnalysedName, person: bool = True
    ) -> dict[str, float]:
        return self._name_features(self, a, b, person)

    def name_logit(self, feats: dict[str, float], model: str) -> float:
        trees = self.matcher.trees.get(model)
        if trees is not None:
            return trees.logit([feats[name] for name in self.matcher.features])
        bias, weights = self._vectors[model]
        return bias + sum(
            w * feats[name] for w, name in zip(weights, self.matcher.features, strict=False) if w
        )

    def parts_clash(
        self, names_a: Sequence[str], names_b: Sequence[str], slot: str = "surname"
    ) -> bool:
        """Both records fill a name slot (:mod:`.features.slots`) and no value agrees."""
        return slots_clash(
            self.name_slots(tuple(names_a))[slot],
            self.name_slots(tuple(names_b))[slot],
            self.part_similarity,
        )

    def attribute_log_odds(self, left: dict, right: dict) -> dict[str, float]:
        return attribute_features.attribute_log_odds(
            left,
            right,
            self._specs,
            self.name_slots,
            self.part_similarity,
            self.profile_backgrounds,
        )

    def combined_score(self, z_name: float, attrs: dict[str, float]) -> float:
        return attribute_features.combined_score(z_name, attrs, self.matcher.max_positive)

    def score_pair(
        self,
        name1: str,
        name2: str,
        schema: str | None = "Person",
        left: dict | None = None,
        right: dict | None = None,
        explain: bool = False,
        model: str = "person",
    ) -> PairScore:
        """Score one pair of names with optional attributes (dicts keyed by attribute name).

        ``model`` picks the person coefficients: ``person`` (list screening: a missing name part is
        evidence against) or ``record`` (report records that often omit parts); non-person schemas
        always use ``generic``."""
        person = is_person_schema(schema)
        model = self.matcher.model_for(model, person)
        a, b = self.analyse(name1 or "", person), self.analyse(name2 or "", person)
        feats = self.name_features(a, b, person)
        z_name = NO_NAME_LOGIT if not a.parts or not b.parts else self.name_logit(feats, model)
        attrs = self.attribute_log_odds(left or {}, right or {}) if (left and right) else {}
        agree, differ = self.explain(a, b) if explain else ([], [])
        return PairScore(
            score=self.combined_score(z_name, attrs),
            name_score=sigmoid(z_name),
            features=feats,
            attribute_reasons=attrs,
            agree=agree,
            differ=differ,
        )

    def score_names(
        self, name1: str, name2: str, schema: str | None = "Person", model: str = "person"
    ) -> float:
        """Score in [0, 1] that two names denote the same person (or, for other schemas, thing)."""
        return self.score_pair(name1, name2, schema, model=model).score

    def explain(self, a: AnalysedName, b: AnalysedName) -> tuple[list[str], list[str]]:
        """The aligned parts that agree and the parts without a counterpart, for the analyst."""
        al = name_parts.align(a, b, name_parts.similarity_matrix(a, b, self.part_similarity))
        agree = [
            f"{a.parts[i].text} ~ {b.parts[j].text} ({a.parts[i].tag}, {s:.2f})"
            for i, j, s in sorted(al.pairs)
        ]
        differ = [f"{a.parts[i].text} ({a.parts[i].tag}, left only)" for i in al.unmatched_a]
        differ += [f"{b.parts[j].text} ({b.parts[j].tag}, right only)" for j in al.unmatched_b]
        return agree, differ


def _parts_v1(scorer: Scorer, a: AnalysedName, b: AnalysedName, person: bool) -> dict[str, float]:
    return name_parts.name_features(a, b, scorer.part_similarity, person)


def _names_v1(scorer: Scorer, a: AnalysedName, b: AnalysedName, person: bool) -> dict[str, float]:
    from cellmap.resolve.features.real_names import real_name_features

    return real_name_features(a, b, scorer.part_similarity, person)


def _names_v2(scorer: Scorer, a: AnalysedName, b: AnalysedName, person: bool) -> dict[str, float]:
    from cellmap.resolve.features.list_names import list_name_features

    return list_name_features(a, b, scorer.part_similarity, scorer.analyse_person, person)


def _names_v3(scorer: Scorer, a: AnalysedName, b: AnalysedName, person: bool) -> dict[str, float]:
    from cellmap.resolve.features.pair_shape import pair_shape_features

    return pair_shape_features(a, b, scorer.part_similarity, scorer.analyse_person, person)


_FEATURE_FUNCTIONS = {
    "parts-v1": _parts_v1,
    "names-v1": _names_v1,
    "names-v2": _names_v2,
    "names-v3": _names_v3,
}
