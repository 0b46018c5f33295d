"""Name features for deciding one pair (feature set ``names-v3``): the ``names-v2`` features plus
the shape of the difference between two names.

An error analysis of cross-validated misses on the OpenSanctions person cases (train split only)
found pairs that the part features see alike but that are labelled apart by *how* they differ: a
part replaced by another ("… MANSOUR ABDUL MOHAMMED" / "… MANSOUR SHAH MOHAMMED": another man)
against a part dropped or added (an alias that omits the grandfather); one character changed in a three-character
Chinese, Korean or Japanese name (another person) against one letter changed in a long Latin name
(a typo). The features added to :mod:`.list_names`:

- ``other_script``: either name is written (partly) in a script other than Latin and Arabic
  (Unicode script property, UAX #24, as rigour reads it): Han, Hangul, Cyrillic, Bengali, …;
- ``same_script``: both names use the same set of scripts;
- ``lev_keys``: normalised Levenshtein similarity (Levenshtein 1966; 1 − distance / longer length)
  of the names' part keys (ASCII folds) joined by spaces;
- ``lev_raw``: the same of the lower-cased texts as written, in their own script — one changed
  character weighs much in a three-character name;
- ``subst_parts``: parts without a counterpart on *both* sides after the part alignment (min of the
  two counts) — a part replaced by another;
- ``extra_parts``: parts without a counterpart on one side only (difference of the two counts) — a
  part dropped or added;
- ``parts_min`` / ``parts_max``: the number of parts of the shorter and of the longer name.

Cost: O(m·n·k) per pair as :mod:`.name_parts`, plus O(L²) for the two edit distances of names of
L characters. Example: "Tariq Anwar Mohamed" against "Tariq Anwar Khalil" gives ``subst_parts`` 1
and ``extra_parts`` 0, against "TARIQ ANWAR EL SAYED MOHAMED" 0 and 1; "习近朋" against "习近平" ``other_script`` 1 and
``lev_raw`` 2/3.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein
from rigour.text.scripts import text_scripts

from cellmap.resolve.features import name_parts
from cellmap.resolve.features.list_names import Analyse, list_name_features
from cellmap.resolve.names import AnalysedName

EXTRA = (
    "other_script",
    "same_script",
    "lev_keys",
    "lev_raw",
    "subst_parts",
    "extra_parts",
    "parts_min",
    "parts_max",
)
PLAIN_SCRIPTS = frozenset({"Latin", "Arabic", "Common", "Inherited"})


def _features() -> tuple[str, ...]:
    from cellmap.resolve.features.list_names import FEATURES as NAMES_V2

    return NAMES_V2 + EXTRA


FEATURES = _features()


def pair_shape_features(
    a: AnalysedName,
    b: AnalysedName,
    sim: name_parts.PartSimilarity,
    analyse: Analyse,
    person: bool = True,
) -> dict[str, float]:
    """The features of :data:`FEATURES` (``analyse``: as :func:`.list_names.list_name_features`)."""
    if not a.parts or not b.parts:
        return dict.fromkeys(FEATURES, 0.0)
    done = name_parts.aligned(a, b, sim)
    feats = list_name_features(a, b, sim, analyse, person, done)
    scripts_a, scripts_b = text_scripts(a.original), text_scripts(b.original)
    feats["other_script"] = float(bool((scripts_a | scripts_b) - PLAIN_SCRIPTS))
    feats["same_script"] = float(scripts_a == scripts_b)
    feats["lev_keys"] = Levenshtein.normalized_similarity(
        " ".join(p.key for p in a.parts), " ".join(p.key for p in b.parts)
    )
    feats["lev_raw"] = Levenshtein.normalized_similarity(a.original.lower(), b.original.lower())
    left, right = len(done.alignment.unmatched_a), len(done.alignment.unmatched_b)
    feats["subst_parts"] = float(min(left, right))
    feats["extra_parts"] = float(abs(left - right))
    feats["parts_min"] = float(min(len(a.parts), len(b.parts)))
    feats["parts_max"] = float(max(len(a.parts), len(b.parts)))
    return feats
